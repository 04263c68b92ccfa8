//! The enmeshed Backbone's token API.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::password::PASSWORD_HASH_LEN;
use domain::{DeviceId, IdentityAddress, TokenId};

/// A token to create: everything the Backbone stores, already encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBackboneToken {
    /// b64url of the cipher container JSON.
    pub content: String,
    pub expires_at: DateTime<Utc>,
    pub for_identity: Option<IdentityAddress>,
    /// Argon2id hash of the password; the clear password never leaves the service.
    pub password_hash: Option<[u8; PASSWORD_HASH_LEN]>,
}

/// What the Backbone answers for a created token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedBackboneToken {
    pub id: TokenId,
    pub created_at: DateTime<Utc>,
}

/// The Backbone's code for a record it does not have (or does not show: expired, deleted,
/// wrong password).
pub const RECORD_NOT_FOUND: &str = "error.platform.recordNotFound";
/// The Backbone's code for an action the caller may not take (e.g. not the File's owner).
pub const FORBIDDEN: &str = "error.platform.forbidden";

/// A token as the Backbone hands it to whoever has its id (and password): still encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackboneToken {
    pub id: TokenId,
    /// b64url of the cipher container JSON.
    pub content: String,
    pub created_by: IdentityAddress,
    pub created_by_device: DeviceId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub for_identity: Option<IdentityAddress>,
}

/// How a Backbone call failed. Variants say whether the token may exist: only after
/// [`BackboneError::Timeout`] and [`BackboneError::ConnectionLost`] can the Backbone have created
/// it without telling us.
#[derive(Debug, thiserror::Error)]
pub enum BackboneError {
    /// 400: the Backbone refused our request (its code and message are kept).
    #[error("the Backbone rejected the request ({code}): {message}")]
    Rejected { code: String, message: String },
    /// 429: this identity's quota is used up.
    #[error("the Backbone's quota for this identity is exhausted: {message}")]
    QuotaExhausted {
        message: String,
        retry_after: Option<Duration>,
    },
    /// 5xx with a Backbone error (its code kept when it sent one).
    #[error("the Backbone failed with HTTP {status}")]
    ServerError { status: u16, code: Option<String> },
    /// 503 or a connection that could not be opened: nothing reached the Backbone.
    #[error("the Backbone is unavailable")]
    Unavailable { detail: String },
    /// The Backbone accepted the connection but did not answer in time.
    #[error("the Backbone did not answer within {0:?}")]
    Timeout(Duration),
    /// The connection broke after the request was sent.
    #[error("the connection to the Backbone was lost: {detail}")]
    ConnectionLost { detail: String },
    /// `/connect/token` refused this service's platform client or device credentials.
    #[error("the Backbone refused this service's credentials: {detail}")]
    AuthenticationFailed { detail: String },
    /// An answer that matches no contract (wrong status, unreadable body).
    #[error("the Backbone answered unexpectedly (HTTP {status}): {detail}")]
    UnexpectedResponse { status: u16, detail: String },
}

/// Creating tokens on the Backbone as this service's identity.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BackboneTokens: Send + Sync {
    /// Creates the token, logging in first when needed. `correlation_id` is forwarded as
    /// `X-Correlation-ID`.
    ///
    /// # Errors
    /// One [`BackboneError`] variant per way the Backbone or the network failed; see each
    /// variant for what it means. Never retries a create that may have reached the Backbone.
    async fn create_token(
        &self,
        token: &NewBackboneToken,
        correlation_id: Option<String>,
    ) -> Result<CreatedBackboneToken, BackboneError>;

    /// Deletes a token this service created, so that its reference opens nothing any more.
    /// Deleting is idempotent, so transient failures are retried (a bounded number of times);
    /// a token the Backbone no longer has counts as deleted.
    ///
    /// # Errors
    /// The [`BackboneError`] of the last attempt when the token may still exist: `Rejected`
    /// (e.g. 403, not ours) at once, the transient variants once the retries are spent.
    async fn delete_token(
        &self,
        id: &TokenId,
        correlation_id: Option<String>,
    ) -> Result<(), BackboneError>;

    /// Reads a token (any identity's) as this service's identity, giving the Argon2id hash of
    /// its password when it has one. Retried like any read.
    ///
    /// # Errors
    /// `Rejected` with `error.platform.recordNotFound` for an unknown or expired token, a wrong
    /// or missing password, or one personalized for another identity; the other variants as
    /// for any call.
    async fn get_token(
        &self,
        id: &TokenId,
        password_hash: Option<[u8; PASSWORD_HASH_LEN]>,
        correlation_id: Option<String>,
    ) -> Result<BackboneToken, BackboneError>;
}
