//! The HTTP client for the enmeshed Backbone: [`HttpBackboneClient`] implements the
//! [`BackboneTokens`] port (login at `/connect/token`, `POST /api/v2/Tokens`,
//! `DELETE /api/v2/Tokens/{id}`) and the checks the
//! health endpoint needs.
//!
//! # Retry policy
//! A create must never be sent twice if the first one may have reached the Backbone: that could
//! create two tokens. So each call sends at most two create requests, and the second only when
//! the first certainly created nothing:
//! - the connection could not be opened (refused, DNS, TLS, connect timeout): nothing was sent;
//!   retried once after `connect_retry_delay`;
//! - the Backbone answered 401: it refused the bearer before doing anything; the token is
//!   dropped, the client logs in again and retries once. A second 401 is an error, never a loop;
//! - the Backbone answered 400 `'content' must be empty.`: the token route accepts anonymous
//!   callers, so a bearer it no longer honours (expired earlier than announced) makes the request
//!   anonymous instead of a 401, and anonymous tokens may carry no content. Nothing was created;
//!   handled like the 401;
//! - the Backbone answered 408: it timed out the connection before reading the request (an idle
//!   pooled connection it closed just as the request went out on it). Nothing was read, so
//!   nothing was created; retried at once, on another connection.
//!
//! All these reasons share that one retry. Never retried: a timeout after sending, a connection lost
//! while waiting for or reading the answer, and every other answered status.
//! A delete (`DELETE /api/v2/Tokens/{id}`) is idempotent, so it is retried up to
//! [`DELETE_ATTEMPTS`](tokens::DELETE_ATTEMPTS) times in all on every failure that may be
//! transient (no connection, timeout, lost connection, 401 after a new login, 408, 429, 5xx),
//! waiting `connect_retry_delay` times the attempt number in between; a 404 means the token is
//! gone already, which is what a delete wants.
//! A login (`/connect/token` creates nothing) is also retried once after a connect error or a 408;
//! `check_connection` is never retried, so the health endpoint reports what it saw.
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
mod tokens;
mod transport;
mod wire;

use std::fmt;

use application::ports::{BackboneError, BackboneTokens, CreatedBackboneToken, NewBackboneToken};
use async_trait::async_trait;
use chrono::Utc;
use domain::TokenId;
use tracing::Instrument as _;

pub use config::{
    BackboneConfig, BackboneConfigError, DEFAULT_CONNECT_RETRY_DELAY, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_HEALTH_CHECK_TIMEOUT, DEFAULT_LOGIN_REFRESH_MARGIN, DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_USER_AGENT,
};

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
    pub fn new(config: &BackboneConfig) -> Result<Self, BackboneConfigError> {
        Ok(Self {
            transport: Transport::new(config)?,
            auth: Authenticator::new(config),
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
            let request = self.transport.get(Route::Version);
            let answer = self
                .transport
                .send(request, self.transport.health_check_timeout)
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
}
