//! Settings of the Backbone client, their defaults, and the secret wrapper that keeps credentials
//! out of logs.
//!
//! | field                  | default                              | meaning                                                    |
//! |------------------------|--------------------------------------|------------------------------------------------------------|
//! | `base_url`             | required                             | Backbone root, e.g. `https://backbone.example.com`         |
//! | `client_id`            | required                             | platform client id for `/connect/token`                    |
//! | `client_secret`        | required, secret                     | platform client secret                                     |
//! | `request_timeout`      | 60 s                                 | whole request including the answer's body (as the runtime) |
//! | `connect_timeout`      | 10 s                                 | opening TCP and TLS                                        |
//! | `health_check_timeout` | 5 s                                  | `GET /api/v2/Version` of `check_connection`                |
//! | `login_refresh_margin` | 10 s                                 | an access token counts as expired this long before it does |
//! | `connect_retry_delay`  | 250 ms                               | pause before the one retry after a connect error           |
//! | `user_agent`           | `enmeshed-token-connector/<version>` | `User-Agent` header                                        |
//!
//! Defaults are the `DEFAULT_*` constants below.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::observe::CallObserver;

/// The runtime's default request timeout (`@nmshd/transport` uses 60 s).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// A Backbone that cannot be reached within this is treated as unavailable.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Health checks must answer quickly, whatever the request timeout.
pub const DEFAULT_HEALTH_CHECK_TIMEOUT: Duration = Duration::from_secs(5);
/// The runtime treats an access token as expired 10 s early to absorb network latency; an expired
/// bearer makes `POST /api/v2/Tokens` anonymous instead of answering 401.
pub const DEFAULT_LOGIN_REFRESH_MARGIN: Duration = Duration::from_secs(10);
/// Pause before retrying a request whose connection could not be opened.
pub const DEFAULT_CONNECT_RETRY_DELAY: Duration = Duration::from_millis(250);
/// Names this service (and its version) to the Backbone's operators.
pub const DEFAULT_USER_AGENT: &str =
    concat!("enmeshed-token-connector/", env!("CARGO_PKG_VERSION"));

/// Everything [`crate::HttpBackboneClient`] and [`crate::HttpBackboneIdentities`] need besides
/// a device login. Build it with [`BackboneConfig::new`] and
/// override defaults with struct update syntax.
#[derive(Clone)]
pub struct BackboneConfig {
    /// Backbone root (`http` or `https`); a trailing `/` is ignored, a path prefix is kept.
    pub base_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    pub health_check_timeout: Duration,
    pub login_refresh_margin: Duration,
    pub connect_retry_delay: Duration,
    pub user_agent: String,
    /// Told of every call, e.g. for metrics; none by default.
    pub observer: Option<Arc<dyn CallObserver>>,
}

impl std::fmt::Debug for BackboneConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackboneConfig")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("request_timeout", &self.request_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("health_check_timeout", &self.health_check_timeout)
            .field("login_refresh_margin", &self.login_refresh_margin)
            .field("connect_retry_delay", &self.connect_retry_delay)
            .field("user_agent", &self.user_agent)
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

impl BackboneConfig {
    /// The required settings, every other one at its default.
    pub fn new(
        base_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: SecretString,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            client_id: client_id.into(),
            client_secret,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            health_check_timeout: DEFAULT_HEALTH_CHECK_TIMEOUT,
            login_refresh_margin: DEFAULT_LOGIN_REFRESH_MARGIN,
            connect_retry_delay: DEFAULT_CONNECT_RETRY_DELAY,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            observer: None,
        }
    }
}

/// Why a [`BackboneConfig`] cannot become a client.
#[derive(Debug, thiserror::Error)]
pub enum BackboneConfigError {
    #[error("the Backbone base URL '{0}' is not an absolute http(s) URL without query or fragment")]
    InvalidBaseUrl(String),
    #[error("the HTTP client could not be built: {0}")]
    HttpClient(#[source] reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let config = BackboneConfig::new(
            "http://localhost",
            "client",
            SecretString::from("client-secret-value"),
        );
        let printed = format!("{config:?}");
        assert!(!printed.contains("client-secret-value"), "{printed}");
        assert_eq!(config.request_timeout, Duration::from_secs(60));
        assert_eq!(config.login_refresh_margin, Duration::from_secs(10));
    }
}
