//! The HTTP client for the enmeshed Backbone: [`HttpBackboneClient`] implements the
//! [`BackboneTokens`] port as one device (login at `/connect/token`, `POST /api/v2/Tokens`,
//! `DELETE /api/v2/Tokens/{id}`), the [`application::ports::BackboneFiles`] port (upload,
//! metadata, content, delete, ownership token) and the checks the health endpoint needs;
//! [`HttpBackboneIdentities`] implements the onboarding port
//! ([`application::ports::BackboneIdentities`]: challenges, identities, the first sync run).
//!
//! # Retry policy
//! One policy decides for every route (`retry.rs`), by what the Backbone can have done with a
//! request. Nothing was processed when the connection could not be opened (refused, DNS, TLS,
//! connect timeout: sent again after `connect_retry_delay`), when it answered 408 (it timed out
//! an idle pooled connection just as the request went out on it: nothing was read), or, on
//! routes with a bearer, when it refused the bearer: a 401, or the token route's 400 `'content'
//! must be empty.` (that route accepts anonymous callers, so a bearer it no longer honours makes
//! the request anonymous, and anonymous tokens carry no content). After a refused bearer the
//! client logs in again first.
//! - Creates, uploads and logins (`IfNotProcessed`) are sent at most twice, the second time
//!   only when the first was not processed: a create that may have reached the Backbone is
//!   never sent again (two tokens, two Files), and three bad logins would lock the device user.
//!   A second 401 is an error, never a loop. Never sent again: a timeout after sending, a
//!   connection lost while waiting for or reading the answer, and every other answered status.
//! - Deletes and reads (`Idempotent`) are also sent again after failures that may pass (no
//!   answer in time, a lost connection, 429, 5xx), waiting `connect_retry_delay` times the
//!   number of sends so far, up to [`DELETE_ATTEMPTS`](tokens::DELETE_ATTEMPTS) sends (a
//!   challenge or a File read: up to three); a 404 means what a delete wants is gone already.
//! - `check_connection` is sent once, so the health endpoint reports what it saw.
//!
//! Each route has its own limit on the size of an answer (`transport::Route`).
//!
//! How answers become [`BackboneError`] variants is tabled in the `errors` module.
//!
//! # Logging
//! One span per call (`backbone.create_token` with `correlation_id` and, once known,
//! `token_id`; `backbone.login`; `backbone.check_*`). Secrets are never logged: not the client
//! secret, the device password, the access token, the password hash, nor the token content.

mod auth;
mod config;
mod errors;
mod files;
mod identities;
mod observe;
mod retry;
mod tokens;
mod transport;
mod wire;

use std::fmt;

use application::ports::{
    BackboneError, BackboneToken, BackboneTokens, CreatedBackboneToken, DeviceLogin,
    NewBackboneToken,
};
use async_trait::async_trait;
use chrono::Utc;
use domain::TokenId;
use domain::password::PASSWORD_HASH_LEN;
use tracing::Instrument as _;

pub use config::{
    BackboneConfig, BackboneConfigError, DEFAULT_CONNECT_RETRY_DELAY, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_HEALTH_CHECK_TIMEOUT, DEFAULT_LOGIN_REFRESH_MARGIN, DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_USER_AGENT,
};
pub use identities::HttpBackboneIdentities;
pub use observe::{CallObserver, CallOutcome, ObservedCall};

use crate::auth::Authenticator;
use crate::transport::{Route, Transport};

/// The Backbone over HTTPS (or HTTP for local simulators). Share it as `Arc<dyn BackboneTokens>`;
/// one instance holds one login that all its calls share.
pub struct HttpBackboneClient {
    transport: Transport,
    auth: Authenticator,
}

impl HttpBackboneClient {
    /// Builds the client; no request is sent until the first call.
    ///
    /// # Errors
    /// [`BackboneConfigError::InvalidBaseUrl`] unless `base_url` is an absolute http(s) URL
    /// without query or fragment; [`BackboneConfigError::HttpClient`] if TLS cannot be set up.
    pub fn new(config: &BackboneConfig, device: &DeviceLogin) -> Result<Self, BackboneConfigError> {
        Ok(Self {
            transport: Transport::new(config)?,
            auth: Authenticator::new(config, device),
        })
    }

    /// Whether the Backbone answers `GET /api/v2/Version` (anonymous) within the health-check
    /// timeout. Not retried.
    ///
    /// # Errors
    /// `Unavailable` when no connection can be opened or it answers 503, `Timeout` when it does
    /// not answer in time, and the variant of any other non-200 answer.
    pub async fn check_connection(&self) -> Result<(), BackboneError> {
        let span = tracing::info_span!("backbone.check_connection");
        async {
            let request = self.transport.get(Route::Version, &[]);
            let answer = self
                .transport
                .send(Route::Version, request, self.transport.health_check_timeout)
                .await
                .map_err(|no_answer| no_answer.error)?;
            if answer.status == 200 {
                Ok(())
            } else {
                Err(errors::from_status(&answer, Utc::now()))
            }
        }
        .instrument(span)
        .await
    }

    /// Makes sure this service can log in: succeeds at once while the cached access token is
    /// fresh, else logs in (sharing a login already under way).
    ///
    /// # Errors
    /// `AuthenticationFailed` when `/connect/token` refuses the configured credentials; the
    /// transport variants (`Unavailable`, `Timeout`, `ConnectionLost`) as for any call.
    pub async fn check_authentication(&self) -> Result<(), BackboneError> {
        let span = tracing::info_span!("backbone.check_authentication");
        self.auth
            .access_token(&self.transport, None)
            .instrument(span)
            .await
            .map(|_| ())
    }
}

impl fmt::Debug for HttpBackboneClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpBackboneClient")
            .field("base_url", &self.transport.base_url())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl BackboneTokens for HttpBackboneClient {
    async fn create_token(
        &self,
        token: &NewBackboneToken,
        correlation_id: Option<String>,
    ) -> Result<CreatedBackboneToken, BackboneError> {
        let correlation_id = correlation_id.as_deref();
        let span = tracing::info_span!(
            "backbone.create_token",
            correlation_id = correlation_id.unwrap_or_default(),
            token_id = tracing::field::Empty,
        );
        tokens::create(self, token, correlation_id)
            .instrument(span)
            .await
    }

    async fn delete_token(
        &self,
        id: &TokenId,
        correlation_id: Option<String>,
    ) -> Result<(), BackboneError> {
        let correlation_id = correlation_id.as_deref();
        let span = tracing::info_span!(
            "backbone.delete_token",
            correlation_id = correlation_id.unwrap_or_default(),
            token_id = %id,
        );
        tokens::delete(self, id, correlation_id)
            .instrument(span)
            .await
    }

    async fn get_token(
        &self,
        id: &TokenId,
        password_hash: Option<[u8; PASSWORD_HASH_LEN]>,
        correlation_id: Option<String>,
    ) -> Result<BackboneToken, BackboneError> {
        let correlation_id = correlation_id.as_deref();
        let span = tracing::info_span!("backbone.get_token", token_id = %id);
        tokens::get(self, id, password_hash, correlation_id)
            .instrument(span)
            .await
    }
}
