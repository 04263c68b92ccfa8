//! The device password registered with the Backbone: generated exactly like the runtime's
//! `PasswordGenerator.createStrongPassword(45, 50)`, so it always meets the Backbone's production
//! password policy (a lower-case and an upper-case letter, a digit and a non-alphanumeric).

use std::fmt;

use rand::seq::SliceRandom as _;
use rand::{CryptoRng, Rng as _, RngCore};

pub const DEVICE_PASSWORD_MIN_LEN: usize = 45;
pub const DEVICE_PASSWORD_MAX_LEN: usize = 50;

/// The runtime's character classes; letters that read like digits (`l`, `o`, `I`, `O`) and `0`
/// are left out.
pub const SPECIAL_CHARACTERS: &str = "!?-_.:,;#+";
pub const LOWER_CASE: &str = "abcdefghijkmnpqrstuvwxyz";
pub const UPPER_CASE: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ";
pub const DIGITS: &str = "123456789";

/// A device's Backbone password. `Debug` prints nothing of it; it is needed for every
/// `/connect/token` and lives only in encrypted storage.
#[derive(Clone, PartialEq, Eq)]
pub struct DevicePassword(String);

impl DevicePassword {
    /// 45–50 characters: one of each class, the rest from their union, shuffled. Every choice
    /// (length, characters, order) is uniform, as the runtime's rejection sampling makes it.
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let length = rng.gen_range(DEVICE_PASSWORD_MIN_LEN..=DEVICE_PASSWORD_MAX_LEN);
        let union: Vec<u8> = [UPPER_CASE, LOWER_CASE, DIGITS, SPECIAL_CHARACTERS]
            .concat()
            .into_bytes();
        let mut chars: Vec<u8> = [SPECIAL_CHARACTERS, LOWER_CASE, UPPER_CASE, DIGITS]
            .iter()
            .map(|class| pick(rng, class.as_bytes()))
            .collect();
        while chars.len() < length {
            chars.push(pick(rng, &union));
        }
        chars.shuffle(rng);
        Self(chars.into_iter().map(char::from).collect())
    }

    /// A password read back from storage, taken as it is.
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The password itself, for the token request and for storage only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn pick(rng: &mut impl RngCore, alphabet: &[u8]) -> u8 {
    alphabet[rng.gen_range(0..alphabet.len())]
}

impl fmt::Debug for DevicePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DevicePassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn generated_passwords_have_the_runtimes_length_and_composition() {
        let allowed: BTreeSet<char> = [UPPER_CASE, LOWER_CASE, DIGITS, SPECIAL_CHARACTERS]
            .concat()
            .chars()
            .collect();
        let mut rng = StdRng::seed_from_u64(0x5eed);
        let mut lengths = BTreeSet::new();
        for _ in 0..1_000 {
            let password = DevicePassword::generate(&mut rng);
            let text = password.expose();
            let length = text.chars().count();
            assert!(
                (DEVICE_PASSWORD_MIN_LEN..=DEVICE_PASSWORD_MAX_LEN).contains(&length),
                "{text}"
            );
            for class in [SPECIAL_CHARACTERS, LOWER_CASE, UPPER_CASE, DIGITS] {
                assert!(
                    text.chars().any(|c| class.contains(c)),
                    "{text} lacks one of {class}"
                );
            }
            assert!(text.chars().all(|c| allowed.contains(&c)), "{text}");
            lengths.insert(length);
        }
        assert_eq!(
            lengths,
            (DEVICE_PASSWORD_MIN_LEN..=DEVICE_PASSWORD_MAX_LEN).collect()
        );
    }

    #[test]
    fn the_classes_are_the_runtimes() {
        let union = [UPPER_CASE, LOWER_CASE, DIGITS, SPECIAL_CHARACTERS].concat();
        assert_eq!(
            union,
            "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz123456789!?-_.:,;#+"
        );
    }

    #[test]
    fn debug_and_storage_round_trip() {
        let password = DevicePassword::generate(&mut StdRng::seed_from_u64(1));
        assert_eq!(format!("{password:?}"), "DevicePassword(<redacted>)");
        assert_eq!(DevicePassword::new(password.expose().to_owned()), password);
    }
}
