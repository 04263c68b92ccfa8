//! The operating system's CSPRNG as the use cases' random source.

use application::ports::RandomSource;
use domain::crypto::NONCE_LEN;
use domain::password::SALT_LEN;
use domain::{DevicePassword, SecretKey, SigningKeyPair};
use rand::RngCore;
use rand::rngs::OsRng;

#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

fn bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

impl RandomSource for OsRandom {
    fn secret_key(&self) -> SecretKey {
        SecretKey::from_bytes(bytes())
    }

    fn nonce(&self) -> [u8; NONCE_LEN] {
        bytes()
    }

    fn salt(&self) -> [u8; SALT_LEN] {
        bytes()
    }

    fn signing_key_pair(&self) -> SigningKeyPair {
        SigningKeyPair::generate(&mut OsRng)
    }

    fn device_password(&self) -> DevicePassword {
        DevicePassword::generate(&mut OsRng)
    }
}
