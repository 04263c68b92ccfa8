//! The enmeshed Backbone's onboarding API: challenges, identities, the first sync run.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{
    Challenge, DeviceId, DevicePassword, DeviceUsername, IdentityAddress, Signature,
    SignaturePublicKey,
};

use super::BackboneError;

/// The Backbone's code for a public key whose identity it already has.
pub const ADDRESS_ALREADY_EXISTS: &str = "error.platform.validation.device.addressAlreadyExists";

/// What `POST /api/v2/Identities` sends.
#[derive(Debug)]
pub struct NewIdentity {
    pub public_key: SignaturePublicKey,
    /// The challenge exactly as signed ([`Challenge::signing_string`]).
    pub signed_challenge: String,
    pub signature: Signature,
    pub device_password: DevicePassword,
}

/// What the Backbone answers for a created identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedIdentity {
    pub address: IdentityAddress,
    pub created_at: DateTime<Utc>,
    pub device_id: DeviceId,
    pub device_username: DeviceUsername,
}

/// A device's login.
#[derive(Debug)]
pub struct DeviceLogin {
    pub username: DeviceUsername,
    pub password: DevicePassword,
}

/// Creating this service's identity on the Backbone, anonymously but for the platform client.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BackboneIdentities: Send + Sync {
    /// A fresh challenge (`POST /api/v2/Challenges`, anonymous). Retried while nothing was
    /// processed; a challenge made twice does no harm.
    ///
    /// # Errors
    /// The [`BackboneError`] of the last attempt.
    async fn create_challenge(&self) -> Result<Challenge, BackboneError>;

    /// Creates the identity and its first device (`POST /api/v2/Identities`). Sent at most once
    /// when it may have reached the Backbone.
    ///
    /// # Errors
    /// `Rejected` with the Backbone's code (e.g. [`ADDRESS_ALREADY_EXISTS`], or
    /// `error.platform.unauthorized` for a wrong platform client); `Timeout` and
    /// `ConnectionLost` when the identity may have been created without the answer arriving;
    /// the other variants as for any call.
    async fn create_identity(
        &self,
        identity: &NewIdentity,
    ) -> Result<CreatedIdentity, BackboneError>;

    /// Logs in as `device` and runs the datawallet version upgrade the runtime runs on first
    /// start (`POST /api/v2/SyncRuns`, then `PUT …/FinalizeDatawalletVersionUpgrade` to version
    /// 1), so official runtimes sharing the identity find it initialised.
    ///
    /// # Errors
    /// `AuthenticationFailed` when the device cannot log in; any other variant of a failed call.
    async fn initialize_datawallet(&self, device: &DeviceLogin) -> Result<(), BackboneError>;
}
