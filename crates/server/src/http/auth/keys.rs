//! The configured API keys, and the verdict on a presented one: whose it is, whether it still
//! counts (enabled, not expired — judged per request, so an expiry needs no restart), and
//! whether its scopes reach the route.

use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::scopes::{Scope, permission_for};
use crate::config::ApiKeyConfig;

/// A key as the guard keeps it: only its SHA-256, so comparisons take the same time whatever
/// the length or content of the guess.
struct GuardedKey {
    id: AuthenticatedKey,
    digest: [u8; 32],
    enabled: bool,
    expires_at: Option<DateTime<Utc>>,
    scopes: Vec<Scope>,
}

/// The configured id of the key a request was authenticated with (never the key itself), in
/// the request's extensions for what is scoped by client, such as idempotency keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedKey(pub Arc<str>);

/// What the guard says of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Granted(AuthenticatedKey),
    /// No key, an unknown one, a disabled or an expired one: 401, after the failure delay.
    Unauthorized,
    /// A valid key whose scopes do not reach the route: 403.
    Forbidden,
}

pub struct ApiKeyGuard {
    keys: Vec<GuardedKey>,
    failure_delay: RangeInclusive<Duration>,
}

impl std::fmt::Debug for ApiKeyGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyGuard")
            .field("keys", &self.keys.len())
            .field("failure_delay", &self.failure_delay)
            .finish_non_exhaustive()
    }
}

impl ApiKeyGuard {
    pub fn new(keys: &[ApiKeyConfig], failure_delay: RangeInclusive<Duration>) -> Self {
        let keys = keys
            .iter()
            .map(|key| GuardedKey {
                id: AuthenticatedKey(key.id.as_str().into()),
                digest: Sha256::digest(key.key.expose_secret().as_bytes()).into(),
                enabled: key.enabled,
                expires_at: key.expires_at,
                scopes: key.scopes.clone(),
            })
            .collect();
        Self {
            keys,
            failure_delay,
        }
    }

    /// The verdict on `presented` for a request to `path` at `now`.
    pub fn judge(&self, presented: Option<&[u8]>, path: &str, now: DateTime<Utc>) -> Access {
        let Some(key) = presented.and_then(|presented| self.find(presented)) else {
            return Access::Unauthorized;
        };
        if !key.enabled || key.expires_at.is_some_and(|expiry| now >= expiry) {
            return Access::Unauthorized;
        }
        match permission_for(path) {
            Some(permission) if !key.scopes.iter().any(|scope| scope.covers(permission)) => {
                Access::Forbidden
            }
            _ => Access::Granted(key.id.clone()),
        }
    }

    /// The key `presented` is, comparing with every key so the time taken tells nothing.
    fn find(&self, presented: &[u8]) -> Option<&GuardedKey> {
        let digest: [u8; 32] = Sha256::digest(presented).into();
        self.keys.iter().fold(None, |found, key| {
            match bool::from(digest.ct_eq(&key.digest)) {
                true => Some(key),
                false => found,
            }
        })
    }

    /// A random delay in the configured range, to slow down guessing.
    pub fn failure_delay(&self) -> Duration {
        let (min, max) = (*self.failure_delay.start(), *self.failure_delay.end());
        if min >= max {
            min
        } else {
            rand::thread_rng().gen_range(min..=max)
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    const FILES: &str = "/api/v2/Files";
    const TOKENS: &str = "/api/core/v1/Tokens/Own";

    fn key(key: &str, scopes: &[&str]) -> ApiKeyConfig {
        ApiKeyConfig {
            id: format!("id-of-{key}"),
            key: key.to_owned().into(),
            enabled: true,
            expires_at: None,
            scopes: scopes.iter().map(|s| Scope::parse(s).unwrap()).collect(),
        }
    }

    fn granted(key: &str) -> Access {
        Access::Granted(AuthenticatedKey(format!("id-of-{key}").into()))
    }

    fn guard(keys: &[ApiKeyConfig]) -> ApiKeyGuard {
        ApiKeyGuard::new(keys, Duration::ZERO..=Duration::ZERO)
    }

    #[test]
    fn only_an_exact_key_is_accepted() {
        let guard = guard(&[key("the-key", &["**"]), key("other-key", &["**"])]);
        let now = Utc::now();
        assert_eq!(
            guard.judge(Some(b"the-key"), FILES, now),
            granted("the-key")
        );
        assert_eq!(
            guard.judge(Some(b"other-key"), FILES, now),
            granted("other-key")
        );
        for wrong in [&b"the-ke"[..], b"the-key ", b"THE-KEY", b""] {
            assert_eq!(guard.judge(Some(wrong), FILES, now), Access::Unauthorized);
        }
        assert_eq!(guard.judge(None, FILES, now), Access::Unauthorized);
    }

    #[test]
    fn scopes_decide_between_granted_and_forbidden() {
        let guard = guard(&[
            key("files-key", &["core:files"]),
            key("core-key", &["core:*"]),
            key("no-scope-key", &[]),
        ]);
        let now = Utc::now();
        assert_eq!(
            guard.judge(Some(b"files-key"), FILES, now),
            granted("files-key")
        );
        assert_eq!(
            guard.judge(Some(b"files-key"), TOKENS, now),
            Access::Forbidden
        );
        assert_eq!(
            guard.judge(Some(b"core-key"), TOKENS, now),
            granted("core-key")
        );
        assert_eq!(
            guard.judge(Some(b"no-scope-key"), FILES, now),
            Access::Forbidden
        );
        // A route that needs no permission answers any valid key (with its 404).
        assert_eq!(
            guard.judge(Some(b"no-scope-key"), "/apii/v2/Files", now),
            granted("no-scope-key")
        );
    }

    #[test]
    fn a_disabled_key_and_an_expired_one_are_refused_from_the_moment_of_expiry() {
        let expiry = Utc::now() + TimeDelta::hours(1);
        let guard = guard(&[
            ApiKeyConfig {
                enabled: false,
                ..key("disabled-key", &["**"])
            },
            ApiKeyConfig {
                expires_at: Some(expiry),
                ..key("expiring-key", &["**"])
            },
        ]);
        let before = expiry - TimeDelta::milliseconds(1);
        assert_eq!(
            guard.judge(Some(b"disabled-key"), FILES, before),
            Access::Unauthorized
        );
        assert_eq!(
            guard.judge(Some(b"expiring-key"), FILES, before),
            granted("expiring-key")
        );
        assert_eq!(
            guard.judge(Some(b"expiring-key"), FILES, expiry),
            Access::Unauthorized
        );
    }

    #[test]
    fn the_failure_delay_stays_in_range() {
        let guard = ApiKeyGuard::new(
            &[key("k", &["**"])],
            Duration::from_millis(10)..=Duration::from_millis(20),
        );
        for _ in 0..100 {
            let delay = guard.failure_delay();
            assert!((Duration::from_millis(10)..=Duration::from_millis(20)).contains(&delay));
        }
    }
}
