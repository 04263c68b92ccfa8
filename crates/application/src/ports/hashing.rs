//! Hashing token passwords (Argon2id, ~30 ms of CPU and 20 MiB each): how and where that work
//! is scheduled is an adapter's business.

use async_trait::async_trait;
use domain::PasswordProtection;
use domain::password::PASSWORD_HASH_LEN;

/// Why no hash came back.
#[derive(Debug, thiserror::Error)]
pub enum HashingError {
    /// The hashing workers are gone (stopped or crashed); nothing will hash until a restart.
    #[error("password hashing is unavailable: {0}")]
    Unavailable(String),
}

/// Computes the Argon2id hash the Backbone compares (`PasswordProtection::hash`).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// The hash of `protection`'s password under its salt. May wait (asynchronously) for a
    /// free worker, but never forever.
    ///
    /// # Errors
    /// [`HashingError::Unavailable`] when no worker is left to do it.
    async fn hash(
        &self,
        protection: &PasswordProtection,
    ) -> Result<[u8; PASSWORD_HASH_LEN], HashingError>;
}
