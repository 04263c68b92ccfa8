//! Fresh secret material, injected so encryption is reproducible in tests.

use domain::SecretKey;
use domain::crypto::NONCE_LEN;
use domain::password::SALT_LEN;

/// A cryptographically secure source of keys, nonces and salts.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait RandomSource: Send + Sync {
    /// A fresh 32-byte XChaCha20-Poly1305 key.
    fn secret_key(&self) -> SecretKey;
    /// A fresh 24-byte nonce.
    fn nonce(&self) -> [u8; NONCE_LEN];
    /// A fresh 16-byte password salt.
    fn salt(&self) -> [u8; SALT_LEN];
}
