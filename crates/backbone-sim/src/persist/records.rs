//! The records of the state file, one flat struct per kind, and how they map to the state.
//! Records refer to each other by id or address (a device to its identity by `address`).

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::FORMAT_VERSION;
use crate::config::{PlatformClient, SeededDevice};
use crate::ids::{ChallengeId, DeviceId, DeviceUsername, FileId, IdentityAddress, TokenId};
use crate::state::challenges::Challenge;
use crate::state::files::{FileMetadata, OwnershipToken};
use crate::state::identities::{Identity, IdentityDevice};
use crate::state::{Allocation, SimState, Token};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct StateRecord {
    version: u64,
    clock_offset_ms: i64,
    clients: Vec<ClientRecord>,
    devices: Vec<DeviceRecord>,
    tokens: Vec<TokenRecord>,
    identities: Vec<IdentityRecord>,
    identity_devices: Vec<IdentityDeviceRecord>,
    challenges: Vec<ChallengeRecord>,
    datawallets: Vec<DatawalletRecord>,
    files: Vec<FileRecord>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClientRecord {
    client_id: String,
    client_secret: String,
    max_identities: Option<u32>,
}

/// A configured device login (and the identity it acts for).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeviceRecord {
    username: DeviceUsername,
    password: String,
    address: IdentityAddress,
    device_id: DeviceId,
}

/// An identity created by onboarding.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IdentityRecord {
    address: IdentityAddress,
    /// The raw Ed25519 key, standard base64.
    #[serde(with = "base64_bytes")]
    public_key: Vec<u8>,
    /// `identityPublicKey` as received, standard base64.
    #[serde(with = "base64_bytes")]
    identity_public_key: Vec<u8>,
    client_id: String,
    identity_version: u8,
    created_at: DateTime<Utc>,
}

/// A device created by onboarding, with its login.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IdentityDeviceRecord {
    id: DeviceId,
    username: DeviceUsername,
    password: String,
    address: IdentityAddress,
    communication_language: String,
    created_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ChallengeRecord {
    id: ChallengeId,
    expires_at: DateTime<Utc>,
    created_by: Option<IdentityAddress>,
    created_by_device: Option<DeviceId>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DatawalletRecord {
    owner: IdentityAddress,
    version: u16,
}

/// A file's metadata; its content is in a file of its own (`super::content`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FileRecord {
    id: FileId,
    created_at: DateTime<Utc>,
    created_by: IdentityAddress,
    created_by_device: DeviceId,
    modified_at: DateTime<Utc>,
    modified_by: IdentityAddress,
    modified_by_device: DeviceId,
    owner: IdentityAddress,
    #[serde(with = "base64_bytes")]
    owner_signature: Vec<u8>,
    ownership_token: String,
    ownership_is_locked: bool,
    last_ownership_claim_at: Option<DateTime<Utc>>,
    cipher_size: u64,
    #[serde(with = "base64_bytes")]
    cipher_hash: Vec<u8>,
    expires_at: DateTime<Utc>,
    #[serde(with = "base64_bytes")]
    encrypted_properties: Vec<u8>,
    /// Lowercase hex, 64 digits.
    #[serde(with = "hex_sha256")]
    content_sha256: [u8; 32],
    sequence: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenRecord {
    id: TokenId,
    created_by: Option<IdentityAddress>,
    created_by_device: Option<DeviceId>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    #[serde(with = "optional_base64")]
    content: Option<Vec<u8>>,
    for_identity: Option<IdentityAddress>,
    #[serde(with = "optional_base64")]
    password: Option<Vec<u8>>,
    access_failed_count: u32,
    allocations: Vec<AllocationRecord>,
    sequence: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AllocationRecord {
    allocated_by: IdentityAddress,
    allocated_by_device: DeviceId,
    allocated_at: DateTime<Utc>,
}

impl StateRecord {
    pub(super) fn of(state: &SimState) -> Self {
        let onboarded = state.accounts.onboarded_devices();
        let password_of = |username: &DeviceUsername| {
            onboarded
                .iter()
                .find(|login| &login.username == username)
                .map(|login| login.password.clone())
                .unwrap_or_default()
        };
        let identities = state.identities.all();
        Self {
            version: FORMAT_VERSION,
            clock_offset_ms: state.clock_offset.num_milliseconds(),
            clients: state
                .accounts
                .clients()
                .into_iter()
                .map(|client| ClientRecord {
                    client_id: client.client_id,
                    client_secret: client.client_secret,
                    max_identities: client.max_identities,
                })
                .collect(),
            devices: state
                .accounts
                .devices()
                .into_iter()
                .map(|device| DeviceRecord {
                    username: device.username,
                    password: device.password,
                    address: device.address,
                    device_id: device.device_id,
                })
                .collect(),
            tokens: state
                .tokens
                .all()
                .into_iter()
                .map(TokenRecord::of)
                .collect(),
            identity_devices: identities
                .iter()
                .flat_map(|identity| {
                    identity.devices.iter().map(|device| IdentityDeviceRecord {
                        id: device.id.clone(),
                        username: device.username.clone(),
                        password: password_of(&device.username),
                        address: identity.address.clone(),
                        communication_language: device.communication_language.clone(),
                        created_at: device.created_at,
                    })
                })
                .collect(),
            identities: identities
                .into_iter()
                .map(|identity| IdentityRecord {
                    address: identity.address,
                    public_key: identity.public_key.to_vec(),
                    identity_public_key: identity.identity_public_key,
                    client_id: identity.client_id,
                    identity_version: identity.identity_version,
                    created_at: identity.created_at,
                })
                .collect(),
            challenges: state
                .challenges
                .all()
                .into_iter()
                .map(|challenge| ChallengeRecord {
                    id: challenge.id,
                    expires_at: challenge.expires_at,
                    created_by: challenge.created_by,
                    created_by_device: challenge.created_by_device,
                })
                .collect(),
            datawallets: state
                .sync_runs
                .datawallets()
                .into_iter()
                .map(|(owner, version)| DatawalletRecord { owner, version })
                .collect(),
            files: state.files.all().into_iter().map(FileRecord::of).collect(),
        }
    }

    /// Validates everything first, then fills `state`.
    pub(super) fn restore_into(self, state: &mut SimState) -> Result<(), String> {
        let clock_offset = Duration::try_milliseconds(self.clock_offset_ms).ok_or_else(|| {
            format!(
                "the file is corrupt (clockOffsetMs {} is out of range)",
                self.clock_offset_ms
            )
        })?;
        self.check_references()?;
        state.clock_offset = clock_offset;
        for client in self.clients {
            let mut restored = PlatformClient::new(client.client_id, client.client_secret);
            restored.max_identities = client.max_identities;
            state.accounts.add_client(restored);
        }
        for device in self.devices {
            state.accounts.add_device(SeededDevice {
                username: device.username,
                password: device.password,
                address: device.address,
                device_id: device.device_id,
            });
        }
        for token in self.tokens {
            state.tokens.restore(token.into_token());
        }
        for record in self.identities {
            let public_key: [u8; 32] = record.public_key.try_into().map_err(|_| {
                format!(
                    "the file is corrupt (identity {} has a public key of another length than 32 bytes)",
                    record.address
                )
            })?;
            state.identities.insert(Identity {
                address: record.address,
                public_key,
                identity_public_key: record.identity_public_key,
                client_id: record.client_id,
                identity_version: record.identity_version,
                created_at: record.created_at,
                devices: Vec::new(),
            });
        }
        for record in self.identity_devices {
            state.accounts.add_onboarded_device(SeededDevice {
                username: record.username.clone(),
                password: record.password,
                address: record.address.clone(),
                device_id: record.id.clone(),
            });
            if let Some(identity) = state.identities.get_mut(&record.address) {
                identity.devices.push(IdentityDevice {
                    id: record.id,
                    username: record.username,
                    created_at: record.created_at,
                    communication_language: record.communication_language,
                });
            }
        }
        for record in self.challenges {
            state.challenges.insert(Challenge {
                id: record.id,
                expires_at: record.expires_at,
                created_by: record.created_by,
                created_by_device: record.created_by_device,
            });
        }
        for record in self.datawallets {
            state
                .sync_runs
                .restore_datawallet(record.owner, record.version);
        }
        for record in self.files {
            state.files.restore(record.into_file());
        }
        Ok(())
    }

    /// Every id unique within its kind, every device's identity present.
    fn check_references(&self) -> Result<(), String> {
        let twice = |what: &str, id: &dyn std::fmt::Display| {
            format!("the file is corrupt ({what} {id} appears twice)")
        };
        let mut tokens = HashSet::new();
        for token in &self.tokens {
            if !tokens.insert(&token.id) {
                return Err(twice("token", &token.id));
            }
        }
        let mut addresses = HashSet::new();
        for identity in &self.identities {
            if !addresses.insert(&identity.address) {
                return Err(twice("identity", &identity.address));
            }
        }
        let mut usernames: HashSet<&DeviceUsername> =
            self.devices.iter().map(|d| &d.username).collect();
        for device in &self.identity_devices {
            if !addresses.contains(&device.address) {
                return Err(format!(
                    "the file is corrupt (device {} belongs to identity {}, which is not in it)",
                    device.id, device.address
                ));
            }
            if !usernames.insert(&device.username) {
                return Err(twice("device username", &device.username));
            }
        }
        let mut challenges = HashSet::new();
        for challenge in &self.challenges {
            if !challenges.insert(&challenge.id) {
                return Err(twice("challenge", &challenge.id));
            }
        }
        let mut owners = HashSet::new();
        for datawallet in &self.datawallets {
            if !owners.insert(&datawallet.owner) {
                return Err(twice("datawallet of", &datawallet.owner));
            }
        }
        let mut files = HashSet::new();
        for file in &self.files {
            if !files.insert(&file.id) {
                return Err(twice("file", &file.id));
            }
        }
        Ok(())
    }
}

impl FileRecord {
    fn of(file: FileMetadata) -> Self {
        Self {
            id: file.id,
            created_at: file.created_at,
            created_by: file.created_by,
            created_by_device: file.created_by_device,
            modified_at: file.modified_at,
            modified_by: file.modified_by,
            modified_by_device: file.modified_by_device,
            owner: file.owner,
            owner_signature: file.owner_signature,
            ownership_token: file.ownership_token.as_str().to_owned(),
            ownership_is_locked: file.ownership_is_locked,
            last_ownership_claim_at: file.last_ownership_claim_at,
            cipher_size: file.cipher_size,
            cipher_hash: file.cipher_hash,
            expires_at: file.expires_at,
            encrypted_properties: file.encrypted_properties,
            content_sha256: file.content_sha256,
            sequence: file.sequence,
        }
    }

    fn into_file(self) -> FileMetadata {
        FileMetadata {
            id: self.id,
            created_at: self.created_at,
            created_by: self.created_by,
            created_by_device: self.created_by_device,
            modified_at: self.modified_at,
            modified_by: self.modified_by,
            modified_by_device: self.modified_by_device,
            owner: self.owner,
            owner_signature: self.owner_signature,
            ownership_token: OwnershipToken::from_text(&self.ownership_token),
            ownership_is_locked: self.ownership_is_locked,
            last_ownership_claim_at: self.last_ownership_claim_at,
            cipher_size: self.cipher_size,
            cipher_hash: self.cipher_hash,
            expires_at: self.expires_at,
            encrypted_properties: self.encrypted_properties,
            content_sha256: self.content_sha256,
            sequence: self.sequence,
        }
    }
}

impl TokenRecord {
    fn of(token: Token) -> Self {
        Self {
            id: token.id,
            created_by: token.created_by,
            created_by_device: token.created_by_device,
            created_at: token.created_at,
            expires_at: token.expires_at,
            content: token.content,
            for_identity: token.for_identity,
            password: token.password,
            access_failed_count: token.access_failed_count,
            allocations: token
                .allocations
                .into_iter()
                .map(|a| AllocationRecord {
                    allocated_by: a.allocated_by,
                    allocated_by_device: a.allocated_by_device,
                    allocated_at: a.allocated_at,
                })
                .collect(),
            sequence: token.sequence,
        }
    }

    fn into_token(self) -> Token {
        Token {
            id: self.id,
            created_by: self.created_by,
            created_by_device: self.created_by_device,
            created_at: self.created_at,
            expires_at: self.expires_at,
            content: self.content,
            for_identity: self.for_identity,
            password: self.password,
            access_failed_count: self.access_failed_count,
            allocations: self
                .allocations
                .into_iter()
                .map(|a| Allocation {
                    allocated_by: a.allocated_by,
                    allocated_by_device: a.allocated_by_device,
                    allocated_at: a.allocated_at,
                })
                .collect(),
            sequence: self.sequence,
        }
    }
}

/// `Option<Vec<u8>>` as standard base64 or `null`.
mod optional_base64 {
    use crate::encoding::{b64std, from_b64std};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => serializer.serialize_str(&b64std(bytes)),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| from_b64std(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// `Vec<u8>` as standard base64.
mod base64_bytes {
    use crate::encoding::{b64std, from_b64std};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&b64std(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        from_b64std(&text).map_err(serde::de::Error::custom)
    }
}

/// A SHA-256 digest as 64 lowercase hex digits.
mod hex_sha256 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        digest: &[u8; 32],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let text: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        serializer.serialize_str(&text)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(deserializer)?;
        let invalid = || serde::de::Error::custom("expected 64 hex digits");
        if text.len() != 64 || !text.is_ascii() {
            return Err(invalid());
        }
        let mut digest = [0; 32];
        for (index, byte) in digest.iter_mut().enumerate() {
            *byte =
                u8::from_str_radix(&text[index * 2..index * 2 + 2], 16).map_err(|_| invalid())?;
        }
        Ok(digest)
    }
}
