//! Login at `/connect/token` and the access-token cache shared by every call of one client.
//!
//! As in the official runtime: the token is cached, counts as expired `login_refresh_margin`
//! before `expires_in` runs out, and concurrent callers share one in-flight login. Sharing
//! includes its failure: callers that waited for a login that failed get that failure instead of
//! each trying again, since three bad logins in a row lock the device user.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use application::ports::{BackboneError, DeviceLogin};
use chrono::Utc;
use domain::DeviceUsername;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tracing::Instrument as _;

use secrecy::{ExposeSecret, SecretString};

use crate::config::BackboneConfig;
use crate::errors;
use crate::retry::{Anonymous, RetryPolicy, send_with_retries};
use crate::transport::{Route, Transport};
use crate::wire::{LoginForm, LoginResponse};

#[derive(Debug, Clone)]
struct Login {
    access_token: SecretString,
    /// After this instant the token is refreshed before use.
    fresh_until: Instant,
}

#[derive(Debug)]
pub(crate) struct Authenticator {
    client_id: String,
    client_secret: SecretString,
    username: DeviceUsername,
    password: SecretString,
    refresh_margin: Duration,
    /// The outcome of the last login; the lock is held for the whole of a login, which is what
    /// makes concurrent callers wait for (and share) it.
    last_login: Mutex<Option<Result<Login, BackboneError>>>,
    /// Logins finished so far; tells a caller whether one finished while it waited for the lock.
    completed_logins: AtomicU64,
}

impl Authenticator {
    pub fn new(config: &BackboneConfig, device: &DeviceLogin) -> Self {
        Self {
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            username: device.username.clone(),
            password: SecretString::from(device.password.expose()),
            refresh_margin: config.login_refresh_margin,
            last_login: Mutex::new(None),
            completed_logins: AtomicU64::new(0),
        }
    }

    /// A usable access token: the cached one while fresh, else the result of a (shared) login.
    /// `rejected` is a token the Backbone just answered 401 to; it is never returned again.
    pub async fn access_token(
        &self,
        transport: &Transport,
        rejected: Option<&SecretString>,
    ) -> Result<SecretString, BackboneError> {
        let seen = self.completed_logins.load(Ordering::Acquire);
        let mut last_login = self.last_login.lock().await;
        let finished_while_waiting = self.completed_logins.load(Ordering::Acquire) != seen;
        match &*last_login {
            Some(Ok(login))
                if rejected.map(ExposeSecret::expose_secret)
                    != Some(login.access_token.expose_secret())
                    && (finished_while_waiting || Instant::now() < login.fresh_until) =>
            {
                return Ok(login.access_token.clone());
            }
            Some(Err(error)) if finished_while_waiting => return Err(errors::duplicate(error)),
            _ => {}
        }
        // Dropped before logging in, so a cancelled login leaves no stale token behind.
        *last_login = None;
        let outcome = self
            .login(transport)
            .instrument(tracing::info_span!("backbone.login"))
            .await;
        *last_login = Some(match &outcome {
            Ok(login) => Ok(login.clone()),
            Err(error) => Err(errors::duplicate(error)),
        });
        self.completed_logins.fetch_add(1, Ordering::Release);
        outcome.map(|login| login.access_token)
    }

    async fn login(&self, transport: &Transport) -> Result<Login, BackboneError> {
        let form = LoginForm {
            grant_type: "password",
            client_id: &self.client_id,
            client_secret: self.client_secret.expose_secret(),
            username: self.username.as_str(),
            password: self.password.expose_secret(),
        };
        let started = Instant::now();
        let answer = send_with_retries(
            transport,
            Route::Login,
            &Anonymous,
            RetryPolicy::IfNotProcessed,
            |_| transport.post(Route::Login, &[]).form(&form),
        )
        .await?;
        if answer.status != 200 {
            let error = errors::from_login_status(&answer, Utc::now());
            tracing::debug!(status = answer.status, %error, "the Backbone refused the login");
            return Err(error);
        }
        // The parse error is not kept: it could quote the access token.
        let unreadable = || BackboneError::UnexpectedResponse {
            status: answer.status,
            detail: "the login answer has no access_token and numeric expires_in".to_owned(),
        };
        let response: LoginResponse =
            serde_json::from_slice(&answer.body).map_err(|_| unreadable())?;
        let expires_in = response.expires_in.value().ok_or_else(unreadable)?;
        let lifetime = Duration::from_secs(expires_in).saturating_sub(self.refresh_margin);
        tracing::info!(expires_in, "logged in to the Backbone");
        Ok(Login {
            access_token: SecretString::from(response.access_token),
            fresh_until: started + lifetime,
        })
    }
}
