//! The Backbone's identifiers as the simulator judges them, written from
//! `shared/spec/backbone-api.md` alone: `PREFIX` + 17 alphanumerics ids and identity addresses
//! with their SHA-256 checksum.
//!
//! The connector has its own implementation of these rules (`domain::ids`); this one must not
//! share it. The simulator is the oracle the connector is tested against, so if both used one
//! rule a mistake in it would be agreed on by both sides and no test would notice. The two are
//! cross-checked instead (unit tests here against literal vectors, and the system-tests crate
//! against addresses the connector produces).

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};

/// Why a string is not a valid id or address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error(
        "'{value}' is not a valid {kind}: expected '{prefix}' followed by 17 letters or digits"
    )]
    Malformed {
        kind: &'static str,
        prefix: &'static str,
        value: String,
    },
    #[error(
        "'{0}' is not a valid identity address (at most 80 characters, did:e:<domain>:dids:<22 lowercase hex digits>)"
    )]
    MalformedAddress(String),
    #[error(
        "'{0}' is not a valid identity address: its checksum (last two hex digits) does not match"
    )]
    AddressChecksum(String),
}

/// Length of the random part of every Backbone id.
pub const ID_RANDOM_PART_LEN: usize = 17;

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// Parses `PREFIX` followed by exactly 17 characters of `[A-Za-z0-9]`.
            ///
            /// # Errors
            /// [`IdError::Malformed`] for anything else.
            pub fn parse(value: &str) -> Result<Self, IdError> {
                let random_part = value.strip_prefix($prefix).unwrap_or_default();
                let valid = value.starts_with($prefix)
                    && random_part.len() == ID_RANDOM_PART_LEN
                    && random_part.bytes().all(|b| b.is_ascii_alphanumeric());
                if valid {
                    Ok(Self(value.to_owned()))
                } else {
                    Err(IdError::Malformed { kind: $kind, prefix: $prefix, value: value.to_owned() })
                }
            }

            /// A new id with a random part drawn from `[A-Za-z0-9]`.
            pub fn random() -> Self {
                Self(format!("{}{}", $prefix, crate::config::random_alphanumeric(ID_RANDOM_PART_LEN)))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

prefixed_id!(
    /// A token's id: `TOK` + 17 alphanumerics.
    TokenId, "TOK", "token id"
);
prefixed_id!(
    /// A device of an identity: `DVC` + 17 alphanumerics.
    DeviceId, "DVC", "device id"
);
prefixed_id!(
    /// A device's login name: `USR` + 17 alphanumerics.
    DeviceUsername, "USR", "device username"
);
prefixed_id!(
    /// A challenge to sign when creating an identity: `CHL` + 17 alphanumerics.
    ChallengeId, "CHL", "challenge id"
);
prefixed_id!(
    /// A synchronization run: `SYR` + 17 alphanumerics.
    SyncRunId, "SYR", "sync run id"
);
prefixed_id!(
    /// An uploaded file: `FIL` + 17 alphanumerics.
    FileId, "FIL", "file id"
);

/// Whether `value` passes the Backbone's `ValidId` rule for ids with `prefix`, which is looser
/// than the shape it generates: the prefix, at most 20 characters, only `[A-Za-z0-9]`. An id
/// that passes but was never issued is simply not found (404), not malformed (400).
pub fn passes_id_validator(value: &str, prefix: &str) -> bool {
    value.starts_with(prefix)
        && value.len() <= prefix.len() + ID_RANDOM_PART_LEN
        && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The spec's address pattern, verbatim; the groups are the domain, the 20 hex digits and the
/// 2-digit checksum.
pub const ADDRESS_PATTERN: &str =
    r"^did:e:((?:[a-z0-9-]+\.)*[a-z]{2,}):dids:([0-9a-f]{20})([0-9a-f]{2})$";
/// The spec's "max 80 chars".
pub const ADDRESS_MAX_LEN: usize = 80;

static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(ADDRESS_PATTERN).unwrap_or_else(|e| unreachable!("{e}")));

/// An identity address the Backbone accepts: at most 80 characters, [`ADDRESS_PATTERN`], and a
/// checksum equal to the first two hex digits of SHA-256 over the address without it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdentityAddress(String);

impl IdentityAddress {
    /// Parses and verifies an address, checksum included.
    ///
    /// # Errors
    /// [`IdError::MalformedAddress`] if the length or shape is wrong,
    /// [`IdError::AddressChecksum`] if only the checksum is.
    pub fn parse(value: &str) -> Result<Self, IdError> {
        if value.chars().count() > ADDRESS_MAX_LEN {
            return Err(IdError::MalformedAddress(value.to_owned()));
        }
        let captures = ADDRESS
            .captures(value)
            .ok_or_else(|| IdError::MalformedAddress(value.to_owned()))?;
        let checksum = captures.get(3).map_or("", |c| c.as_str());
        let without_checksum = &value[..value.len() - checksum.len()];
        if checksum != checksum_of(without_checksum) {
            return Err(IdError::AddressChecksum(value.to_owned()));
        }
        Ok(Self(value.to_owned()))
    }

    /// A new address in `domain` with 20 random hex digits and their checksum.
    ///
    /// # Errors
    /// [`IdError::MalformedAddress`] if `domain` does not fit the address rule.
    pub fn random(domain: &str) -> Result<Self, IdError> {
        use rand::Rng as _;
        let mut rng = rand::thread_rng();
        let body: String = (0..20)
            .map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)]))
            .collect();
        let without_checksum = format!("did:e:{domain}:dids:{body}");
        let checksum = checksum_of(&without_checksum);
        Self::parse(&format!("{without_checksum}{checksum}"))
    }

    /// The address of the identity whose raw 32-byte Ed25519 public key is `public_key`, in the
    /// DID domain `domain`: the first 10 bytes of SHA-256(SHA-512(key)) as lowercase hex, then
    /// the checksum (spec: identity-onboarding.md §2).
    ///
    /// # Errors
    /// [`IdError::MalformedAddress`] if `domain` does not fit the address rule.
    pub fn from_public_key(public_key: &[u8; 32], domain: &str) -> Result<Self, IdError> {
        let digest = Sha256::digest(Sha512::digest(public_key));
        let identity_part: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
        let without_checksum = format!("did:e:{domain}:dids:{identity_part}");
        let checksum = checksum_of(&without_checksum);
        Self::parse(&format!("{without_checksum}{checksum}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The first two digits of lowercase hex(SHA-256(ASCII of the address without checksum)).
fn checksum_of(without_checksum: &str) -> String {
    let digest = Sha256::digest(without_checksum.as_bytes());
    format!("{:02x}", digest[0])
}

impl fmt::Display for IdentityAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IdentityAddress {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for IdentityAddress {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<IdentityAddress> for String {
    fn from(address: IdentityAddress) -> String {
        address.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checksums computed outside Rust (Python's `hashlib.sha256`), so this test does not
    /// check the implementation against itself.
    const VALID: [&str; 4] = [
        "did:e:localhost:dids:0123456789abcdef012357",
        "did:e:backbone.example.com:dids:00000000000000000000d2",
        "did:e:my-host.example.com:dids:ffffffffffffffffffffee",
        "did:e:prod.enmeshed.eu:dids:a1b2c3d4e5f60718293adb",
    ];

    #[test]
    fn addresses_with_the_right_checksum_are_valid() {
        for address in VALID {
            assert_eq!(
                IdentityAddress::parse(address).map(|a| a.to_string()),
                Ok(address.to_owned())
            );
        }
    }

    #[test]
    fn every_other_checksum_is_refused() {
        for address in VALID {
            let (without, right) = address.split_at(address.len() - 2);
            for byte in 0..=255u8 {
                let checksum = format!("{byte:02x}");
                if checksum == right {
                    continue;
                }
                let candidate = format!("{without}{checksum}");
                assert_eq!(
                    IdentityAddress::parse(&candidate),
                    Err(IdError::AddressChecksum(candidate.clone()))
                );
            }
        }
    }

    #[test]
    fn shapes_outside_the_pattern_are_malformed() {
        let too_long = format!(
            "did:e:{}.example.com:dids:0123456789abcdef0123",
            "a".repeat(40)
        );
        let too_long = {
            let checksum = checksum_of(&too_long);
            format!("{too_long}{checksum}")
        };
        assert!(too_long.len() > ADDRESS_MAX_LEN);
        for bad in [
            "some-address",
            "",
            "did:e:localhost:dids:0123456789abcdef01235",
            "did:e:localhost:dids:0123456789abcdef0123577",
            "did:e:Localhost:dids:0123456789abcdef012357",
            "did:e:localhost:dids:0123456789ABCDEF012357",
            "did:e:a..b:dids:0123456789abcdef012357",
            "did:e:x:dids:0123456789abcdef012357",
            "did:e:localhost1:dids:0123456789abcdef012357",
            "did:e:localhost:dids:0123456789abcdef012357\n",
            " did:e:localhost:dids:0123456789abcdef012357",
            "did:x:localhost:dids:0123456789abcdef012357",
            too_long.as_str(),
        ] {
            assert_eq!(
                IdentityAddress::parse(bad),
                Err(IdError::MalformedAddress(bad.to_owned())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn eighty_characters_are_allowed() {
        let prefix = "did:e:";
        let suffix_len = ":dids:".len() + 22;
        let domain = format!(
            "{}.de",
            "a".repeat(ADDRESS_MAX_LEN - prefix.len() - suffix_len - 3)
        );
        let without = format!("did:e:{domain}:dids:0123456789abcdef0123");
        let address = format!("{without}{}", checksum_of(&without));
        assert_eq!(address.len(), ADDRESS_MAX_LEN);
        assert!(IdentityAddress::parse(&address).is_ok());
    }

    #[test]
    fn random_addresses_are_valid_and_domains_are_checked() {
        let address = IdentityAddress::random("localhost").expect("valid domain");
        assert!(address.as_str().starts_with("did:e:localhost:dids:"));
        assert!(IdentityAddress::parse(address.as_str()).is_ok());
        assert!(IdentityAddress::random("Not A Domain").is_err());
    }

    /// The spec's vectors (§2): the Backbone's and the runtime's unit tests, and the RFC 8032
    /// test-1 key computed with the official runtime.
    #[test]
    fn addresses_derive_from_the_raw_public_key_and_the_did_domain() {
        use base64::Engine as _;
        let cases = [
            (
                "tB9KFp/YqHrom3m5qUuZsd6l30DkaNjN14SxRw7YZuI=",
                "prod.enmeshed.eu",
                "did:e:prod.enmeshed.eu:dids:56b3f2a0c202e27229aa87",
            ),
            (
                "49fWA+kzWNdCFdo92imTiQ4vUUJsPPLNlcB9udC4ooE=",
                "prod.enmeshed.eu",
                "did:e:prod.enmeshed.eu:dids:06a391378e5df5c1399f77",
            ),
            (
                "rIS4kAzHXT7GgCA6Qm1ANlwM3x12QMSkeprHb6tjPyc=",
                "prod.enmeshed.eu",
                "did:e:prod.enmeshed.eu:dids:ee5966a158f1dc4de5bd5c",
            ),
            (
                "tB9KFp/YqHrom3m5qUuZsd6l30DkaNjN14SxRw7YZuI=",
                "example.com",
                "did:e:example.com:dids:56b3f2a0c202e27229aab6",
            ),
            (
                "fj0o9eOiPRswTZL6j9lE9TRvpDDnPRMF0gJeahz/W2c=",
                "example.com",
                "did:e:example.com:dids:fef1992c5e529adc41328d",
            ),
            (
                "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
                "localhost",
                "did:e:localhost:dids:63c98b9b34bd7ce8a891f9",
            ),
            (
                "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
                "prod.enmeshed.eu",
                "did:e:prod.enmeshed.eu:dids:63c98b9b34bd7ce8a8912b",
            ),
        ];
        for (key, domain, expected) in cases {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(key)
                .expect("valid base64");
            let key: [u8; 32] = bytes.try_into().expect("32 bytes");
            assert_eq!(
                IdentityAddress::from_public_key(&key, domain).map(|a| a.to_string()),
                Ok(expected.to_owned())
            );
        }
        // An IP address is no DID domain (the last label must be letters).
        assert!(IdentityAddress::from_public_key(&[0; 32], "127.0.0.1").is_err());
    }

    #[test]
    fn the_id_validator_takes_shorter_ids_than_the_generator_makes() {
        assert!(passes_id_validator("CHLthisisnonexisting", "CHL"));
        assert!(passes_id_validator("CHL", "CHL"));
        assert!(passes_id_validator("CHLabc", "CHL"));
        for bad in ["CHLthisisnonexisting1", "SYRabc", "CHL-abc", "chlabc", ""] {
            assert!(!passes_id_validator(bad, "CHL"), "{bad:?}");
        }
        assert!(ChallengeId::parse(ChallengeId::random().as_str()).is_ok());
        assert!(SyncRunId::random().as_str().starts_with("SYR"));
    }

    #[test]
    fn prefixed_ids_need_their_prefix_and_seventeen_alphanumerics() {
        assert!(TokenId::parse("TOKabcdefghijklmnopq").is_ok());
        assert!(TokenId::parse("TOK0123456789ABCDEFG").is_ok());
        for bad in [
            "TOKabcdefghijklmnop",
            "TOKabcdefghijklmnopqr",
            "FILabcdefghijklmnopq",
            "TOKabcdefghijklmnop-",
            "TOKabcdefghijklmnopä",
            "tokabcdefghijklmnopq",
            "",
        ] {
            assert!(TokenId::parse(bad).is_err(), "{bad:?}");
        }
        assert!(DeviceId::random().as_str().starts_with("DVC"));
        assert!(DeviceId::parse(DeviceId::random().as_str()).is_ok());
        assert!(DeviceUsername::parse(DeviceUsername::random().as_str()).is_ok());
        assert!(TokenId::parse(TokenId::random().as_str()).is_ok());
        assert!(FileId::parse("FILa1b2c3d4e5f6g7h8i").is_ok());
        assert!(FileId::parse("TOKa1b2c3d4e5f6g7h8i").is_err());
        assert!(FileId::parse(FileId::random().as_str()).is_ok());
        assert!(passes_id_validator("FILa1b2c3d4e5f6g7h8i", FileId::PREFIX));
        assert!(!passes_id_validator("InvalidFileId", FileId::PREFIX));
    }
}
