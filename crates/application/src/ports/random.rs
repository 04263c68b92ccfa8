//! Fresh secret material, injected so encryption and onboarding are reproducible in tests.

use domain::crypto::NONCE_LEN;
use domain::password::SALT_LEN;
use domain::{DevicePassword, SecretKey, SigningKeyPair};

/// A cryptographically secure source of keys, nonces and salts.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait RandomSource: Send + Sync {
    /// A fresh 32-byte XChaCha20-Poly1305 key.
    fn secret_key(&self) -> SecretKey;
    /// A fresh 24-byte nonce.
    fn nonce(&self) -> [u8; NONCE_LEN];
    /// A fresh 16-byte password salt.
    fn salt(&self) -> [u8; SALT_LEN];
    /// A fresh Ed25519 key pair (identity or device).
    fn signing_key_pair(&self) -> SigningKeyPair;
    /// A fresh device password in the runtime's composition.
    fn device_password(&self) -> DevicePassword;
}
