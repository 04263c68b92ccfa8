//! API keys as Connector v7 configures them, beside v6's single `infrastructure.httpServer.apiKey`:
//!
//! ```json
//! {"infrastructure": {"httpServer": {"authentication": {"apiKey": {"keys": {
//!     "ci":      {"key": "…", "scopes": ["core:files", "core:tokens"], "expiresAt": "2027-01-31T00:00:00Z"},
//!     "monitor": {"key": "…", "scopes": ["core:account"], "description": "dashboard", "enabled": false}
//! }}}}}}
//! ```
//!
//! From the environment: `infrastructure__httpServer__authentication__apiKey__keys__ci__key=…`, or
//! a whole key as JSON (`…__keys__ci='{"key":"…","scopes":["core:*"]}'`, as the Connector's own
//! test launcher passes them); `scopes` as a JSON array or comma-separated.
//! A key without `scopes` may do everything (`**`). Weak or duplicate keys refuse the start, and
//! so does a configuration in which no key is enabled and unexpired.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};

use super::{ConfigError, Settings, api_key_weakness, invalid};
use crate::http::auth::scopes::Scope;

const SINGLE_KEY: &str = "infrastructure.httpServer.apiKey";
const AUTHENTICATION: &str = "infrastructure.httpServer.authentication.apiKey";
const AUTHENTICATION_ENABLED: &str = "infrastructure.httpServer.authentication.apiKey.enabled";
const HEADER_NAME: &str = "infrastructure.httpServer.authentication.apiKey.headerName";
const KEYS: &str = "infrastructure.httpServer.authentication.apiKey.keys";
/// The id the v6 single key goes by in logs and errors.
pub const SINGLE_KEY_ID: &str = "apiKey";

/// One key the service accepts. `Debug` never shows the key.
#[derive(Clone)]
pub struct ApiKeyConfig {
    pub id: String,
    pub key: SecretString,
    pub enabled: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub scopes: Vec<Scope>,
}

impl std::fmt::Debug for ApiKeyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyConfig")
            .field("id", &self.id)
            .field("enabled", &self.enabled)
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl ApiKeyConfig {
    /// A key that may do everything, forever: v6's single key, local mode's generated one.
    pub fn unrestricted(id: &str, key: SecretString) -> Self {
        Self {
            id: id.to_owned(),
            key,
            enabled: true,
            expires_at: None,
            scopes: vec![Scope::everything()],
        }
    }

    fn counts_at(&self, now: DateTime<Utc>) -> bool {
        self.enabled && self.expires_at.is_none_or(|expiry| now < expiry)
    }
}

/// Every configured key, the single one first. With a Backbone at least one is required, each
/// must be strong, and one must count now; in local mode (which generates a key when none is
/// given) weak keys are accepted.
pub(super) fn api_keys(
    s: &Settings,
    with_backbone: bool,
) -> Result<Vec<ApiKeyConfig>, ConfigError> {
    let mut keys: Vec<ApiKeyConfig> = s
        .string(SINGLE_KEY)?
        .map(|key| ApiKeyConfig::unrestricted(SINGLE_KEY_ID, key.into()))
        .into_iter()
        .collect();
    keys.extend(configured_keys(s)?);
    if keys.is_empty() {
        return if with_backbone {
            Err(ConfigError::Missing {
                key: SINGLE_KEY,
                env: format!(
                    "{} (or keys under {})",
                    SINGLE_KEY.replace('.', "__"),
                    KEYS.replace('.', "__")
                ),
            })
        } else {
            Ok(keys)
        };
    }
    for (index, key) in keys.iter().enumerate() {
        if with_backbone && let Some(weakness) = api_key_weakness(key.key.expose_secret()) {
            return Err(invalid(
                key_setting(&key.id),
                &format!("the API key '{}' is too weak: {weakness}", key.id),
            ));
        }
        if let Some(twin) = keys[..index]
            .iter()
            .find(|other| other.key.expose_secret() == key.key.expose_secret())
        {
            return Err(invalid(
                KEYS,
                &format!("the keys '{}' and '{}' are the same key", twin.id, key.id),
            ));
        }
    }
    if !keys.iter().any(|key| key.counts_at(Utc::now())) {
        return Err(invalid(
            KEYS,
            "no API key is enabled and unexpired, so no request could be answered",
        ));
    }
    Ok(keys)
}

fn key_setting(id: &str) -> &'static str {
    if id == SINGLE_KEY_ID {
        SINGLE_KEY
    } else {
        KEYS
    }
}

/// The v7 keys, in the order of their ids; none when `authentication.apiKey.enabled` is false.
fn configured_keys(s: &Settings) -> Result<Vec<ApiKeyConfig>, ConfigError> {
    if s.get(AUTHENTICATION).is_none() {
        return Ok(Vec::new());
    }
    if !s.boolean(AUTHENTICATION_ENABLED, true)? {
        return Ok(Vec::new());
    }
    if let Some(header) = s.string(HEADER_NAME)?
        && !header.eq_ignore_ascii_case("X-API-KEY")
    {
        return Err(invalid(
            HEADER_NAME,
            &format!(" '{header}': only X-API-KEY is supported (the OpenAPI document names it)"),
        ));
    }
    let Some(entries) = s.get(KEYS) else {
        return Ok(Vec::new());
    };
    let entries = entries
        .as_object()
        .ok_or_else(|| invalid(KEYS, "must be an object of keys by id"))?;
    let mut keys = entries
        .iter()
        .map(|(id, entry)| key_entry(id, entry))
        .collect::<Result<Vec<_>, _>>()?;
    keys.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(keys)
}

fn key_entry(id: &str, entry: &Value) -> Result<ApiKeyConfig, ConfigError> {
    let fail = |reason: &str| invalid(KEYS, &format!("key '{id}': {reason}"));
    // From the environment a whole key arrives as one JSON text.
    let parsed;
    let entry = match entry {
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text).map_err(|_| {
                fail("must be an object {key, enabled?, description?, expiresAt?, scopes?}")
            })?;
            &parsed
        }
        other => other,
    };
    let entry = entry.as_object().ok_or_else(|| {
        fail("must be an object {key, enabled?, description?, expiresAt?, scopes?}")
    })?;
    let key = match field(entry, "key") {
        Some(Value::String(key)) if !key.is_empty() => key.clone(),
        _ => return Err(fail("'key' is missing")),
    };
    let enabled = match field(entry, "enabled") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(enabled)) => *enabled,
        Some(Value::String(text)) if text.eq_ignore_ascii_case("true") => true,
        Some(Value::String(text)) if text.eq_ignore_ascii_case("false") => false,
        Some(_) => return Err(fail("'enabled' must be true or false")),
    };
    let expires_at = match field(entry, "expiresAt") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(
            DateTime::parse_from_rfc3339(text)
                .map_err(|_| {
                    fail(&format!(
                        "'expiresAt' '{text}' is not an ISO 8601 date-time with a time zone"
                    ))
                })?
                .with_timezone(&Utc),
        ),
        Some(_) => return Err(fail("'expiresAt' must be an ISO 8601 date-time")),
    };
    let scopes = match field(entry, "scopes") {
        None | Some(Value::Null) => vec![Scope::everything()],
        Some(value) => scope_list(value).map_err(|reason| fail(&reason))?,
    };
    if let Some(description) = field(entry, "description")
        && !matches!(description, Value::String(_) | Value::Null)
    {
        return Err(fail("'description' must be a string"));
    }
    Ok(ApiKeyConfig {
        id: id.to_owned(),
        key: key.into(),
        enabled,
        expires_at,
        scopes,
    })
}

/// `scopes` as a JSON array, or from the environment a JSON array text or a comma-separated list.
fn scope_list(value: &Value) -> Result<Vec<Scope>, String> {
    let texts: Vec<String> = match value {
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or("'scopes' must be a list of strings")?,
        Value::String(text) if text.trim_start().starts_with('[') => {
            serde_json::from_str(text).map_err(|_| "'scopes' must be a list of strings")?
        }
        Value::String(text) if text.trim().is_empty() => Vec::new(),
        Value::String(text) => text.split(',').map(|s| s.trim().to_owned()).collect(),
        _ => return Err("'scopes' must be a list of strings".to_owned()),
    };
    texts
        .iter()
        .map(|text| Scope::parse(text).map_err(|e| format!("scope {e}")))
        .collect()
}

fn field<'a>(entry: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    entry
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}
