//! [`IdentityRow`]: the one `identity` row and its checked conversion to and from a
//! [`StoredIdentity`]: the secrets sealed under the secrets key ([`crate::sealed`]), the device
//! in three nullable columns that are set together or not at all.

use std::fmt;

use application::ports::{IdentitySecrets, OnboardedDevice, RepositoryError, StoredIdentity};
use chrono::{DateTime, Utc};
use diesel::{Insertable, Queryable, Selectable};
use domain::{DeviceId, DevicePassword, DeviceUsername, IdentityAddress, SignaturePublicKey};

use super::{corrupt, stored_instant};
use crate::schema::identity;
use crate::sealed::{Purpose, SealingKey, wipe};
use crate::sql_types::Decoded;

const SEED_LEN: usize = 32;

/// The `identity` row; the three device columns are set together or not at all.
#[derive(Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(
    table_name = identity,
    check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite),
    treat_none_as_default_value = false
)]
pub struct IdentityRow {
    pub address: String,
    pub public_key: Vec<u8>,
    /// `identity_seed ‖ device_seed ‖ device_password` (UTF-8), sealed for the address.
    pub sealed_secrets: Vec<u8>,
    pub device_id: Option<String>,
    pub device_username: Option<String>,
    pub device_created_at: Option<Decoded<DateTime<Utc>>>,
    pub datawallet_initialized: bool,
    pub updated_at: Decoded<DateTime<Utc>>,
}

impl IdentityRow {
    /// The row for `identity`, its secrets sealed with `key`, written at `now`.
    ///
    /// # Errors
    /// [`RepositoryError::Unexpected`] when the operating system's random source fails.
    pub fn from_domain(
        identity: &StoredIdentity,
        key: &SealingKey,
        now: DateTime<Utc>,
    ) -> Result<Self, RepositoryError> {
        let address = identity.address.to_string();
        let mut plaintext = secrets_plaintext(&identity.secrets);
        let sealed = key.seal(Purpose::IdentitySecrets, &address, &plaintext);
        wipe(&mut plaintext);
        let device = identity.device.as_ref();
        Ok(Self {
            sealed_secrets: sealed.map_err(|error| RepositoryError::Unexpected(Box::new(error)))?,
            address,
            public_key: identity.public_key.as_bytes().to_vec(),
            device_id: device.map(|d| d.id.to_string()),
            device_username: device.map(|d| d.username.to_string()),
            device_created_at: device.map(|d| stored_instant(d.created_at)),
            datawallet_initialized: identity.datawallet_initialized,
            updated_at: stored_instant(now),
        })
    }

    /// The identity this row holds, its secrets opened with `key`.
    ///
    /// # Errors
    /// [`RepositoryError::Undecryptable`] when the secrets do not open with `key` for this
    /// address (another key, or a changed blob or address), [`RepositoryError::Corrupt`] naming
    /// the first column that is no valid value.
    pub fn into_domain(self, key: &SealingKey) -> Result<StoredIdentity, RepositoryError> {
        let id = self.address;
        let address = IdentityAddress::parse(&id).map_err(|e| corrupt(&id, "address", e))?;
        let public_key = public_key(&id, self.public_key)?;
        let device = device(
            &id,
            self.device_id,
            self.device_username,
            self.device_created_at
                .map(|created_at| created_at.checked(&id, "device_created_at"))
                .transpose()?,
        )?;
        let mut plaintext = key
            .open(Purpose::IdentitySecrets, &id, &self.sealed_secrets)
            .map_err(|_| RepositoryError::Undecryptable { id: id.clone() })?;
        let secrets = secrets(&id, &plaintext);
        wipe(&mut plaintext);
        Ok(StoredIdentity {
            address,
            public_key,
            secrets: secrets?,
            device,
            datawallet_initialized: self.datawallet_initialized,
        })
    }
}

impl fmt::Debug for IdentityRow {
    // The sealed secrets reveal nothing without the key, but their bytes help nobody either.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityRow")
            .field("address", &self.address)
            .field(
                "sealed_secrets",
                &format_args!("{} bytes", self.sealed_secrets.len()),
            )
            .field("device_id", &self.device_id)
            .field("device_username", &self.device_username)
            .field("device_created_at", &self.device_created_at)
            .field("datawallet_initialized", &self.datawallet_initialized)
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

/// `identity_seed ‖ device_seed ‖ device_password`: both seeds have a fixed length, so the
/// password is the rest, whatever its bytes.
fn secrets_plaintext(secrets: &IdentitySecrets) -> Vec<u8> {
    let password = secrets.device_password.expose().as_bytes();
    let mut plaintext = Vec::with_capacity(2 * SEED_LEN + password.len());
    plaintext.extend_from_slice(&secrets.identity_seed);
    plaintext.extend_from_slice(&secrets.device_seed);
    plaintext.extend_from_slice(password);
    plaintext
}

/// The secrets in an opened plaintext. It opened, so it is what this crate sealed: failing to
/// read it means a bug or a foreign writer holding the key.
fn secrets(id: &str, plaintext: &[u8]) -> Result<IdentitySecrets, RepositoryError> {
    let malformed = || {
        corrupt(
            id,
            "sealed_secrets",
            "the opened secrets are not two seeds and a UTF-8 password",
        )
    };
    let (identity_seed, rest) = plaintext
        .split_first_chunk::<SEED_LEN>()
        .ok_or_else(malformed)?;
    let (device_seed, password) = rest.split_first_chunk::<SEED_LEN>().ok_or_else(malformed)?;
    let password = std::str::from_utf8(password).map_err(|_| malformed())?;
    Ok(IdentitySecrets {
        identity_seed: *identity_seed,
        device_seed: *device_seed,
        device_password: DevicePassword::new(password.to_owned()),
    })
}

fn public_key(id: &str, bytes: Vec<u8>) -> Result<SignaturePublicKey, RepositoryError> {
    let length = bytes.len();
    <[u8; 32]>::try_from(bytes)
        .map(SignaturePublicKey::from_bytes)
        .map_err(|_| {
            corrupt(
                id,
                "public_key",
                format_args!("{length} bytes instead of 32"),
            )
        })
}

fn device(
    id: &str,
    device_id: Option<String>,
    username: Option<String>,
    created_at: Option<DateTime<Utc>>,
) -> Result<Option<OnboardedDevice>, RepositoryError> {
    match (device_id, username, created_at) {
        (None, None, None) => Ok(None),
        (Some(device_id), Some(username), Some(created_at)) => Ok(Some(OnboardedDevice {
            id: DeviceId::parse(&device_id).map_err(|e| corrupt(id, "device_id", e))?,
            username: DeviceUsername::parse(&username)
                .map_err(|e| corrupt(id, "device_username", e))?,
            created_at,
        })),
        _ => Err(corrupt(
            id,
            "device_id",
            "the device columns are only partly set",
        )),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use domain::SecretKey;

    use super::*;

    const PASSWORD: &str = "the device password";

    fn key(byte: u8) -> SealingKey {
        SealingKey::new(&SecretKey::from_bytes([byte; 32]))
    }

    fn address(body: &str) -> IdentityAddress {
        IdentityAddress::from_parts("localhost", body).expect("a valid fixture")
    }

    fn identity() -> StoredIdentity {
        StoredIdentity {
            address: address("0123456789abcdef0123"),
            public_key: SignaturePublicKey::from_bytes([5; 32]),
            secrets: IdentitySecrets {
                identity_seed: [6; 32],
                device_seed: [7; 32],
                device_password: DevicePassword::new(PASSWORD.to_owned()),
            },
            device: Some(OnboardedDevice {
                id: DeviceId::from_random_part("AAAAAAAAAAAAAAAAA").expect("a valid fixture"),
                username: DeviceUsername::from_random_part("BBBBBBBBBBBBBBBBB")
                    .expect("a valid fixture"),
                created_at: Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap(),
            }),
            datawallet_initialized: true,
        }
    }

    fn row() -> IdentityRow {
        IdentityRow::from_domain(&identity(), &key(1), Utc::now()).expect("storable")
    }

    fn corrupt_column(row: IdentityRow) -> String {
        match row.into_domain(&key(1)) {
            Err(RepositoryError::Corrupt { id, reason }) => {
                assert_eq!(id, identity().address.as_str());
                reason
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn a_row_reads_back_as_its_identity_with_microseconds() {
        let stored = row().into_domain(&key(1)).expect("opened");

        let expected = identity();
        assert_eq!(stored.address, expected.address);
        assert_eq!(stored.public_key, expected.public_key);
        assert_eq!(stored.secrets.identity_seed, [6; 32]);
        assert_eq!(stored.secrets.device_seed, [7; 32]);
        assert_eq!(stored.secrets.device_password.expose(), PASSWORD);
        let device = stored.device.expect("a device");
        assert_eq!(
            device.created_at,
            Utc.timestamp_opt(1_700_000_000, 123_456_000).unwrap()
        );
        assert!(stored.datawallet_initialized);
    }

    #[test]
    fn another_key_or_another_address_is_undecryptable() {
        assert!(matches!(
            row().into_domain(&key(2)),
            Err(RepositoryError::Undecryptable { id }) if id == identity().address.as_str()
        ));
        let other = address("0123456789abcdef0124");
        let moved = IdentityRow {
            address: other.to_string(),
            ..row()
        };
        assert!(matches!(
            moved.into_domain(&key(1)),
            Err(RepositoryError::Undecryptable { id }) if id == other.as_str()
        ));
    }

    #[test]
    fn rows_that_are_no_identity_are_corrupt_naming_the_column() {
        let partly = IdentityRow {
            device_username: None,
            ..row()
        };
        assert!(corrupt_column(partly).starts_with("device_id:"));
        let short_key = IdentityRow {
            public_key: vec![5; 31],
            ..row()
        };
        assert_eq!(
            corrupt_column(short_key),
            "public_key: 31 bytes instead of 32"
        );
        let bad_username = IdentityRow {
            device_username: Some("DVCAAAAAAAAAAAAAAAAA".to_owned()),
            ..row()
        };
        assert!(corrupt_column(bad_username).starts_with("device_username:"));
        let short_secrets = IdentityRow {
            sealed_secrets: key(1)
                .seal(
                    Purpose::IdentitySecrets,
                    identity().address.as_str(),
                    &[6; 63],
                )
                .unwrap(),
            ..row()
        };
        assert!(corrupt_column(short_secrets).starts_with("sealed_secrets:"));
        let not_utf8 = IdentityRow {
            sealed_secrets: key(1)
                .seal(
                    Purpose::IdentitySecrets,
                    identity().address.as_str(),
                    &[0xFF; 65],
                )
                .unwrap(),
            ..row()
        };
        assert!(corrupt_column(not_utf8).starts_with("sealed_secrets:"));
    }

    #[test]
    fn the_row_and_its_errors_show_no_secret() {
        let row = row();
        let debug = format!("{row:?}");
        assert!(
            !debug.contains(PASSWORD) && !debug.contains("[6, 6"),
            "{debug}"
        );
        assert!(
            !row.sealed_secrets
                .windows(8)
                .any(|w| PASSWORD.as_bytes().windows(8).any(|p| p == w))
        );
        let error = row.into_domain(&key(2)).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "stored secrets of {} cannot be decrypted with the configured secrets key",
                identity().address
            )
        );
    }
}
