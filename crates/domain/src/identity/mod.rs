//! The service's own enmeshed identity: its Ed25519 key pair and the wire forms of keys and
//! signatures, the challenge string it signs, the address the Backbone derives from the key, and
//! the device password it registers.
//!
//! These are the rules of `identity-onboarding.md` §1.4–§1.7 and §2, byte for byte as the
//! official runtime produces them (its §6 vectors are the tests in `vectors`), because the
//! Backbone stores the public key verbatim, verifies the signature over the exact challenge
//! bytes and compares the derived address by string equality. Randomness comes in as an
//! argument, so everything here is deterministic under test.

mod address;
mod challenge;
mod device_password;
mod keys;
mod signature;
#[cfg(test)]
mod vectors;

pub use address::{
    ADDRESS_DOMAIN_MAX_LEN, ADDRESS_DOMAIN_MIN_LEN, AddressDomain, AddressDomainError,
};
pub use challenge::Challenge;
pub use device_password::{
    DEVICE_PASSWORD_MAX_LEN, DEVICE_PASSWORD_MIN_LEN, DIGITS, DevicePassword, LOWER_CASE,
    SPECIAL_CHARACTERS, UPPER_CASE,
};
pub use keys::{SignaturePublicKey, SigningKeyPair};
pub use signature::Signature;
