//! `infrastructure.httpServer.cors`: the Connector passes it to the `cors` package of Express,
//! and the options keep their names and meaning here:
//!
//! | option | meaning | default |
//! |---|---|---|
//! | `origin` | `false` (no CORS), `true` (any origin, echoed), `"*"` (any, as `*`), one origin or a list | `false` |
//! | `methods` | allowed methods, a list or comma-separated | `GET,HEAD,PUT,PATCH,POST,DELETE` |
//! | `allowedHeaders` | allowed request headers | those the preflight asks for |
//! | `exposedHeaders` | response headers scripts may read | none |
//! | `credentials` | `Access-Control-Allow-Credentials: true` | `false` |
//! | `maxAge` | seconds a preflight may be cached | not sent |

use serde_json::Value;

use super::{ConfigError, Settings, invalid};

const ORIGIN: &str = "infrastructure.httpServer.cors.origin";
const METHODS: &str = "infrastructure.httpServer.cors.methods";
const ALLOWED_HEADERS: &str = "infrastructure.httpServer.cors.allowedHeaders";
const EXPOSED_HEADERS: &str = "infrastructure.httpServer.cors.exposedHeaders";
const CREDENTIALS: &str = "infrastructure.httpServer.cors.credentials";
const MAX_AGE: &str = "infrastructure.httpServer.cors.maxAge";
const DEFAULT_METHODS: [&str; 6] = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"];

/// Which origins may call the API from a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin, echoed in `Access-Control-Allow-Origin` (`origin: true`).
    AnyEchoed,
    /// Any origin, answered with `*` (`origin: "*"`).
    AnyWildcard,
    /// Exactly these (`origin: "https://app.example.com"` or a list).
    Listed(Vec<String>),
}

/// CORS as configured; `None` in [`super::HttpConfig`] when off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsConfig {
    pub origins: CorsOrigins,
    pub methods: Vec<String>,
    /// `None`: whatever the preflight asks for.
    pub allowed_headers: Option<Vec<String>>,
    pub exposed_headers: Vec<String>,
    pub credentials: bool,
    pub max_age_seconds: Option<usize>,
}

pub(super) fn cors(s: &Settings) -> Result<Option<CorsConfig>, ConfigError> {
    let origins = match s.get(ORIGIN) {
        None | Some(Value::Null | Value::Bool(false)) => return Ok(None),
        Some(Value::Bool(true)) => CorsOrigins::AnyEchoed,
        Some(Value::String(text)) => match text.trim() {
            "" | "false" => return Ok(None),
            "true" => CorsOrigins::AnyEchoed,
            "*" => CorsOrigins::AnyWildcard,
            _ => CorsOrigins::Listed(list(s, ORIGIN)?.unwrap_or_default()),
        },
        Some(Value::Array(_)) => CorsOrigins::Listed(list(s, ORIGIN)?.unwrap_or_default()),
        Some(_) => {
            return Err(invalid(
                ORIGIN,
                "must be false, true, \"*\", an origin or a list of origins",
            ));
        }
    };
    if let CorsOrigins::Listed(origins) = &origins
        && let Some(bad) = origins.iter().find(|origin| !is_origin(origin))
    {
        return Err(invalid(
            ORIGIN,
            &format!(
                "'{bad}' is not an origin such as https://app.example.com (scheme and host, no path)"
            ),
        ));
    }
    let methods = list(s, METHODS)?.unwrap_or_else(|| DEFAULT_METHODS.map(str::to_owned).to_vec());
    if let Some(bad) = methods
        .iter()
        .find(|method| method.is_empty() || !method.chars().all(|c| c.is_ascii_alphabetic()))
    {
        return Err(invalid(METHODS, &format!("'{bad}' is not an HTTP method")));
    }
    let credentials = s.boolean(CREDENTIALS, false)?;
    if credentials && origins == CorsOrigins::AnyWildcard {
        return Err(invalid(
            CREDENTIALS,
            "browsers refuse credentials with origin \"*\"; use origin true (echoed) or list the origins",
        ));
    }
    let max_age_seconds = s
        .string(MAX_AGE)?
        .map(|text| {
            text.trim()
                .parse()
                .map_err(|_| invalid(MAX_AGE, &format!("'{text}' is not a number of seconds")))
        })
        .transpose()?;
    Ok(Some(CorsConfig {
        origins,
        methods,
        allowed_headers: list(s, ALLOWED_HEADERS)?,
        exposed_headers: list(s, EXPOSED_HEADERS)?.unwrap_or_default(),
        credentials,
        max_age_seconds,
    }))
}

/// A list setting: a JSON array, or a text holding a JSON array or comma-separated items.
fn list(s: &Settings, key: &'static str) -> Result<Option<Vec<String>>, ConfigError> {
    let must = || invalid(key, "must be a list of strings or a comma-separated text");
    let items: Vec<String> = match s.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(must)?,
        Some(Value::String(text)) if text.trim_start().starts_with('[') => {
            serde_json::from_str(text).map_err(|_| must())?
        }
        Some(Value::String(text)) => text.split(',').map(str::to_owned).collect(),
        Some(_) => return Err(must()),
    };
    Ok(Some(
        items
            .into_iter()
            .map(|item| item.trim().to_owned())
            .filter(|item| !item.is_empty())
            .collect(),
    ))
}

/// `scheme://host[:port]`, as browsers send it in `Origin`.
fn is_origin(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', ' '])
}
