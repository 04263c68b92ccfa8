//! Local storage of this service's own identity: one identity per database, shared by every
//! instance that uses it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{DeviceId, DevicePassword, DeviceUsername, IdentityAddress, SignaturePublicKey};

use super::RepositoryError;

/// The secret half of the identity. Repositories keep it encrypted at rest and never log it.
#[derive(Clone)]
pub struct IdentitySecrets {
    /// Seed of the identity's Ed25519 key (signs Identity challenges, later templates).
    pub identity_seed: [u8; 32],
    /// Seed of the device's Ed25519 key (signs Files this device uploads).
    pub device_seed: [u8; 32],
    /// The device's login password on the Backbone.
    pub device_password: DevicePassword,
}

impl std::fmt::Debug for IdentitySecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentitySecrets(…)")
    }
}

/// The device the Backbone created with the identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnboardedDevice {
    pub id: DeviceId,
    pub username: DeviceUsername,
    /// When the Backbone created the identity (the runtime's `Device.createdAt` too).
    pub created_at: DateTime<Utc>,
}

/// This service's identity as stored.
#[derive(Clone, Debug)]
pub struct StoredIdentity {
    /// Derived locally from the public key and the address domain.
    pub address: IdentityAddress,
    pub public_key: SignaturePublicKey,
    pub secrets: IdentitySecrets,
    /// `None` while the Backbone's answer to creating it is not stored: the keys were stored
    /// first, and the Backbone may or may not have created the identity.
    pub device: Option<OnboardedDevice>,
    /// Whether the datawallet version was initialised on the Backbone, as the runtime does right
    /// after onboarding.
    pub datawallet_initialized: bool,
}

/// Held while one process onboards; dropping it lets the next one in.
pub struct OnboardingLock(#[allow(dead_code)] Box<dyn Send + Sync>);

impl OnboardingLock {
    /// Wraps whatever holds the lock (a database session, a mutex guard…); dropping releases.
    pub fn new(held: impl Send + Sync + 'static) -> Self {
        Self(Box::new(held))
    }
}

impl std::fmt::Debug for OnboardingLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnboardingLock")
    }
}

/// The one identity of this service.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdentityRepository: Send + Sync {
    /// The stored identity, or `None` before the first onboarding.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Undecryptable`] when the secrets do not open with the configured
    /// secrets key, [`RepositoryError::Corrupt`] when the row cannot be read back, otherwise
    /// [`RepositoryError::Unexpected`].
    async fn find_identity(&self) -> Result<Option<StoredIdentity>, RepositoryError>;

    /// Stores the identity durably (committed before this returns), replacing the one stored;
    /// call it only while holding the [`OnboardingLock`].
    ///
    /// # Errors
    /// [`RepositoryError::Duplicate`] when the stored identity has a device and `identity` has
    /// another address: an onboarded identity is never replaced. Otherwise as
    /// [`IdentityRepository::find_identity`]; nothing is written on any error.
    async fn save_identity(&self, identity: &StoredIdentity) -> Result<(), RepositoryError>;

    /// Waits until no other process (sharing this database) onboards, then holds that right
    /// until the lock is dropped. A process that dies releases it.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached, otherwise
    /// [`RepositoryError::Unexpected`].
    async fn lock_onboarding(&self) -> Result<OnboardingLock, RepositoryError>;
}
