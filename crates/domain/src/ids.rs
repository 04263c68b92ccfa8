//! Identifiers: the `PREFIX` + 17 alphanumerics ids of the Backbone, and identity addresses.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
        "'{0}' is not a valid identity address: expected did:e:<domain>:dids:<22 lowercase hex digits>"
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

            /// Parses `PREFIX` followed by exactly 17 ASCII letters or digits.
            ///
            /// # Errors
            /// [`IdError::Malformed`] for anything else.
            pub fn parse(value: &str) -> Result<Self, IdError> {
                let valid = value.len() == $prefix.len() + ID_RANDOM_PART_LEN
                    && value.starts_with($prefix)
                    && value[$prefix.len()..].bytes().all(|b| b.is_ascii_alphanumeric());
                if valid {
                    Ok(Self(value.to_owned()))
                } else {
                    Err(IdError::Malformed { kind: $kind, prefix: $prefix, value: value.to_owned() })
                }
            }

            /// Builds an id from its 17-character random part (drawn by the caller).
            ///
            /// # Errors
            /// [`IdError::Malformed`] unless `random_part` is 17 ASCII letters or digits.
            pub fn from_random_part(random_part: &str) -> Result<Self, IdError> {
                Self::parse(&format!("{}{}", $prefix, random_part))
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
    /// A File's id: `FIL` + 17 alphanumerics.
    FileId, "FIL", "file id"
);
prefixed_id!(
    /// A Token's id on the Backbone: `TOK` + 17 alphanumerics.
    TokenId, "TOK", "token id"
);
prefixed_id!(
    /// A device of an identity: `DVC` + 17 alphanumerics.
    DeviceId, "DVC", "device id"
);
prefixed_id!(
    /// A challenge the Backbone issued, signed to prove possession of a key: `CHL` + 17
    /// alphanumerics.
    ChallengeId, "CHL", "challenge id"
);
prefixed_id!(
    /// A device's login name on the Backbone: `USR` + 17 alphanumerics.
    DeviceUsername, "USR", "device username"
);

/// An identity address as the Backbone accepts it:
/// `did:e:<domain>:dids:<20 hex><2 hex checksum>`, at most 80 characters, where the checksum is
/// the first two hex digits of SHA-256 over the address without the checksum.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdentityAddress(String);

const ADDRESS_PREFIX: &str = "did:e:";
const ADDRESS_SEPARATOR: &str = ":dids:";
const ADDRESS_MAX_LEN: usize = 80;
const ADDRESS_BODY_LEN: usize = 20;

impl IdentityAddress {
    /// Parses and verifies an address, checksum included.
    ///
    /// # Errors
    /// [`IdError::MalformedAddress`] if the shape is wrong, [`IdError::AddressChecksum`] if only
    /// the checksum is.
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let malformed = || IdError::MalformedAddress(value.to_owned());
        if value.len() > ADDRESS_MAX_LEN {
            return Err(malformed());
        }
        let rest = value.strip_prefix(ADDRESS_PREFIX).ok_or_else(malformed)?;
        let (domain, hex) = rest.split_once(ADDRESS_SEPARATOR).ok_or_else(malformed)?;
        let is_lower_hex = |s: &str| s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !is_valid_domain(domain) || hex.len() != ADDRESS_BODY_LEN + 2 || !is_lower_hex(hex) {
            return Err(malformed());
        }
        let (without_checksum, checksum) = value.split_at(value.len() - 2);
        if checksum != Self::checksum(without_checksum) {
            return Err(IdError::AddressChecksum(value.to_owned()));
        }
        Ok(Self(value.to_owned()))
    }

    /// Builds the address of `domain` with the 20 hex digits `body`, appending its checksum.
    ///
    /// # Errors
    /// [`IdError::MalformedAddress`] if `domain` or `body` do not fit the address rule.
    pub fn from_parts(domain: &str, body: &str) -> Result<Self, IdError> {
        let without_checksum = format!("{ADDRESS_PREFIX}{domain}{ADDRESS_SEPARATOR}{body}");
        let checksum = Self::checksum(&without_checksum);
        Self::parse(&format!("{without_checksum}{checksum}"))
    }

    fn checksum(without_checksum: &str) -> String {
        let digest = Sha256::digest(without_checksum.as_bytes());
        format!("{:02x}", digest[0])
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four characters, as carried in personalized token references.
    pub fn last_four(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

/// `((?:[a-z0-9-]+\.)*[a-z]{2,})`: dot-separated labels, the last one two or more letters.
/// Shared with [`crate::identity::AddressDomain`], so a domain it accepts always forms a valid
/// address.
pub(crate) fn is_valid_domain(domain: &str) -> bool {
    let mut labels: Vec<&str> = domain.split('.').collect();
    let Some(top) = labels.pop() else {
        return false;
    };
    top.len() >= 2
        && top.bytes().all(|b| b.is_ascii_lowercase())
        && labels.iter().all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
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

    #[test]
    fn prefixed_ids_need_prefix_and_seventeen_alphanumerics() {
        assert!(FileId::parse("FILAAAAAAAAAAAAAAAAA").is_ok());
        assert!(FileId::parse("FILAAAAAAAAAAAAAAAA").is_err());
        assert!(FileId::parse("FILAAAAAAAAAAAAAAAAAA").is_err());
        assert!(FileId::parse("TOKAAAAAAAAAAAAAAAAA").is_err());
        assert!(FileId::parse("FILAAAAAAAAAAAAAAAA-").is_err());
        assert_eq!(
            TokenId::from_random_part("abcdefghijklmnopq")
                .unwrap()
                .as_str(),
            "TOKabcdefghijklmnopq"
        );
    }

    #[test]
    fn addresses_carry_a_sha256_checksum() {
        let address = IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap();
        let text = address.as_str().to_owned();
        assert!(text.starts_with("did:e:localhost:dids:0123456789abcdef0123"));
        assert_eq!(IdentityAddress::parse(&text).unwrap(), address);

        let mut tampered = text.clone();
        let last = if tampered.ends_with('0') { '1' } else { '0' };
        tampered.pop();
        tampered.push(last);
        assert_eq!(
            IdentityAddress::parse(&tampered),
            Err(IdError::AddressChecksum(tampered.clone()))
        );
    }

    #[test]
    fn addresses_reject_bad_shapes() {
        for bad in [
            "some-address",
            "did:e:localhost:dids:0123456789abcdef01234",
            "did:e:Localhost:dids:0123456789abcdef012345",
            "did:e:localhost:dids:0123456789ABCDEF012345",
            "did:e:a..b:dids:0123456789abcdef012345",
            "did:e:x:dids:0123456789abcdef012345",
        ] {
            assert!(
                matches!(
                    IdentityAddress::parse(bad),
                    Err(IdError::MalformedAddress(_))
                ),
                "{bad}"
            );
        }
        assert!(
            IdentityAddress::from_parts("backbone.example.com", "0123456789abcdef0123").is_ok()
        );
        assert!(IdentityAddress::from_parts("my-host.example.com", "0123456789abcdef0123").is_ok());
    }
}
