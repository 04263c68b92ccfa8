//! Password and PIN protection of tokens: the type (`pw`, `pin4`…`pin16`), the salt, the
//! location indicator, and the Argon2id hash the Backbone compares.

use std::fmt;

use argon2::{Algorithm, Argon2, Params, Version};

pub const SALT_LEN: usize = 16;
pub const PASSWORD_HASH_LEN: usize = 32;
const ARGON2_MEMORY_KIB: u32 = 20_480;
const ARGON2_ITERATIONS: u32 = 3;
const ARGON2_PARALLELISM: u32 = 1;
const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=16;

/// A password or an N-digit PIN, as carried in references (`pw` / `pinN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordType {
    Password,
    Pin { digits: u8 },
}

impl PasswordType {
    /// The type of `password`: a PIN must be 4 to 16 ASCII digits.
    ///
    /// # Errors
    /// [`PasswordError::InvalidPin`] when `is_pin` and the password is no such PIN.
    pub fn of(password: &str, is_pin: bool) -> Result<Self, PasswordError> {
        if !is_pin {
            return Ok(Self::Password);
        }
        let is_pin =
            PIN_DIGITS.contains(&password.len()) && password.bytes().all(|b| b.is_ascii_digit());
        match u8::try_from(password.len()) {
            Ok(digits) if is_pin => Ok(Self::Pin { digits }),
            _ => Err(PasswordError::InvalidPin),
        }
    }

    /// Parses `pw` or `pin4` … `pin16`.
    ///
    /// # Errors
    /// [`PasswordError::UnknownType`] otherwise.
    pub fn parse(text: &str) -> Result<Self, PasswordError> {
        if text == "pw" {
            return Ok(Self::Password);
        }
        text.strip_prefix("pin")
            .filter(|digits| !digits.starts_with('0'))
            .and_then(|digits| digits.parse::<u8>().ok())
            .filter(|digits| PIN_DIGITS.contains(&usize::from(*digits)))
            .map(|digits| Self::Pin { digits })
            .ok_or_else(|| PasswordError::UnknownType(text.to_owned()))
    }

    pub fn is_pin(self) -> bool {
        matches!(self, Self::Pin { .. })
    }
}

impl fmt::Display for PasswordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Password => f.write_str("pw"),
            Self::Pin { digits } => write!(f, "pin{digits}"),
        }
    }
}

/// Where the recipient finds the password: a named place (1–6) or a free number (50–99).
/// 0 (`RecoveryKit`) and 7–49 are reserved and refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordLocationIndicator(u8);

const INDICATOR_NAMES: [(&str, u8); 6] = [
    ("Self", 1),
    ("Letter", 2),
    ("RegistrationLetter", 3),
    ("Email", 4),
    ("SMS", 5),
    ("Website", 6),
];
const FREE_INDICATORS: std::ops::RangeInclusive<u8> = 50..=99;

impl PasswordLocationIndicator {
    /// A named indicator, case-sensitive (`Self`, `Letter`, `RegistrationLetter`, `Email`, `SMS`,
    /// `Website`).
    pub fn from_name(name: &str) -> Option<Self> {
        INDICATOR_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, number)| Self(*number))
    }

    /// Any stored number: 1–6 (named) or 50–99 (free).
    pub fn from_number(number: u8) -> Option<Self> {
        let named = INDICATOR_NAMES.iter().any(|(_, n)| *n == number);
        (named || FREE_INDICATORS.contains(&number)).then_some(Self(number))
    }

    /// A number a client may send: only the free range 50–99 (named ones go by name).
    pub fn from_free_number(number: u8) -> Option<Self> {
        FREE_INDICATORS.contains(&number).then_some(Self(number))
    }

    pub fn number(self) -> u8 {
        self.0
    }

    /// The name for 1–6; `None` for free numbers.
    pub fn name(self) -> Option<&'static str> {
        INDICATOR_NAMES
            .iter()
            .find(|(_, n)| *n == self.0)
            .map(|(name, _)| *name)
    }
}

/// Why a password protection is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a PIN must consist of 4 to 16 digits from 0 to 9")]
    InvalidPin,
    #[error("'{0}' is not a password type; expected 'pw' or 'pin4' to 'pin16'")]
    UnknownType(String),
}

/// A token's password protection. The clear password stays with the service (the owner sees
/// it in the DTO); only its Argon2id hash goes to the Backbone. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordProtection {
    pub password: String,
    pub password_type: PasswordType,
    pub salt: [u8; SALT_LEN],
    pub location_indicator: Option<PasswordLocationIndicator>,
}

impl fmt::Debug for PasswordProtection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordProtection")
            .field("password", &"<redacted>")
            .field("password_type", &self.password_type)
            .field("location_indicator", &self.location_indicator)
            .finish_non_exhaustive()
    }
}

impl PasswordProtection {
    /// Argon2id v1.3 (t=3, m=20 MiB, p=1, 32 bytes) of the password under the salt, as libsodium's
    /// `crypto_pwhash` computes it. Tens of milliseconds of CPU: call it off async workers.
    pub fn hash(&self) -> [u8; PASSWORD_HASH_LEN] {
        hash_password(&self.password, &self.salt)
    }

    /// As [`hash`](Self::hash), in reused working memory.
    pub fn hash_in(&self, memory: &mut HashMemory) -> [u8; PASSWORD_HASH_LEN] {
        let mut hash = [0u8; PASSWORD_HASH_LEN];
        argon2id()
            .hash_password_into_with_memory(
                self.password.as_bytes(),
                &self.salt,
                &mut hash,
                &mut memory.0,
            )
            .unwrap_or_else(|_| unreachable!("a 16-byte salt, a 32-byte output, enough memory"));
        hash
    }
}

/// The 20 MiB of working memory one Argon2id hash needs. Hashing into a kept one saves
/// allocating, faulting in and zeroing 20 MiB per hash (and the allocator keeping freed ones).
/// Every block is written before it is read, so nothing of one hash reaches the next.
pub struct HashMemory(Vec<argon2::Block>);

impl HashMemory {
    pub fn new() -> Self {
        Self(vec![argon2::Block::default(); params().block_count()])
    }
}

impl Default for HashMemory {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for HashMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HashMemory").finish_non_exhaustive()
    }
}

fn params() -> Params {
    Params::new(
        ARGON2_MEMORY_KIB,
        ARGON2_ITERATIONS,
        ARGON2_PARALLELISM,
        Some(PASSWORD_HASH_LEN),
    )
    .unwrap_or_else(|_| unreachable!("the enmeshed Argon2 parameters are valid"))
}

fn argon2id() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// See [`PasswordProtection::hash`].
pub fn hash_password(password: &str, salt: &[u8; SALT_LEN]) -> [u8; PASSWORD_HASH_LEN] {
    let mut hash = [0u8; PASSWORD_HASH_LEN];
    argon2id()
        .hash_password_into(password.as_bytes(), salt, &mut hash)
        .unwrap_or_else(|_| {
            unreachable!("a 16-byte salt and a 32-byte output are always accepted")
        });
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::b64std;

    const SALT: &[u8; SALT_LEN] = b"a16byteslongsalt";

    #[test]
    fn argon2id_matches_the_vectors() {
        assert_eq!(
            b64std(hash_password("password", SALT)),
            "ekuqHFfmPl4WctZWzhqJQx/m0A0aS0JeQF1vAVsbuZA="
        );
        assert_eq!(
            b64std(hash_password("1234", SALT)),
            "zsVVb3tUyWVu7U1ohW+HnaJFB6WnWXOLT077/3Vk1JA="
        );
    }

    #[test]
    fn hashing_in_reused_memory_gives_the_same_hashes() {
        let mut memory = HashMemory::new();
        for password in ["password", "1234", "password"] {
            let protection = PasswordProtection {
                password: password.into(),
                password_type: PasswordType::Password,
                salt: *SALT,
                location_indicator: None,
            };
            assert_eq!(
                protection.hash_in(&mut memory),
                hash_password(password, SALT)
            );
        }
    }

    #[test]
    fn pins_are_four_to_sixteen_digits() {
        assert_eq!(
            PasswordType::of("1234", true),
            Ok(PasswordType::Pin { digits: 4 })
        );
        assert_eq!(
            PasswordType::of("1234567890123456", true),
            Ok(PasswordType::Pin { digits: 16 })
        );
        for bad in ["123", "12a4", "12345678901234567", "", "１２３４"] {
            assert_eq!(
                PasswordType::of(bad, true),
                Err(PasswordError::InvalidPin),
                "{bad}"
            );
        }
        assert_eq!(PasswordType::of("abc", false), Ok(PasswordType::Password));
    }

    #[test]
    fn password_types_round_trip_through_text() {
        for text in ["pw", "pin4", "pin10", "pin16"] {
            assert_eq!(PasswordType::parse(text).unwrap().to_string(), text);
        }
        for bad in ["pin3", "pin17", "pin04", "pinx", "PW", ""] {
            assert!(PasswordType::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn indicators_map_names_to_numbers() {
        assert_eq!(
            PasswordLocationIndicator::from_name("Self").map(|i| i.number()),
            Some(1)
        );
        assert_eq!(
            PasswordLocationIndicator::from_name("Website").map(|i| i.number()),
            Some(6)
        );
        assert_eq!(PasswordLocationIndicator::from_name("RecoveryKit"), None);
        assert_eq!(PasswordLocationIndicator::from_name("sms"), None);
        assert_eq!(
            PasswordLocationIndicator::from_number(2).and_then(|i| i.name()),
            Some("Letter")
        );
        assert_eq!(PasswordLocationIndicator::from_number(0), None);
        assert_eq!(PasswordLocationIndicator::from_number(49), None);
        assert_eq!(PasswordLocationIndicator::from_free_number(2), None);
        assert_eq!(
            PasswordLocationIndicator::from_free_number(99).map(|i| i.name()),
            Some(None)
        );
        assert_eq!(PasswordLocationIndicator::from_free_number(100), None);
    }

    #[test]
    fn debug_hides_the_password() {
        let protection = PasswordProtection {
            password: "hunter2".into(),
            password_type: PasswordType::Password,
            salt: *SALT,
            location_indicator: None,
        };
        assert!(!format!("{protection:?}").contains("hunter2"));
    }
}
