//! Configuration, read once at start-up with the Connector's names so operators can carry
//! their settings over.
//!
//! Sources, later ones winning: built-in defaults, the JSON file named by
//! `CUSTOM_CONFIG_LOCATION`, environment variables whose `__` separates levels
//! (`infrastructure__httpServer__apiKey`; names match case-insensitively), and the aliases
//! `API_KEY`, `DATABASE_CONNECTION_STRING`, `PLATFORM_CLIENT_ID`, `PLATFORM_CLIENT_SECRET`.
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `transportLibrary.baseUrl` | Backbone URL, also the base of token references | none: local mode |
//! | `transportLibrary.platformClientId` / `platformClientSecret` | OAuth client of this platform | required with a Backbone |
//! | `transportLibrary.requestTimeoutMs` | timeout of one Backbone request | 60000 |
//! | `transportLibrary.allowIdentityCreation` | create the identity on the Backbone at first start when none is stored | `true` |
//! | `transportLibrary.addressGenerationHostnameOverride` | the Backbone's `DidDomainName`, when it is not the host of `baseUrl` | the host of `baseUrl` |
//! | `secrets.key` / `secrets.keyFile` | 32 random bytes (base64) encrypting the stored identity's keys and password, or a file holding them | required with a Backbone unless `identity.*` is set; local mode: generated into `<dataDirectory>/secrets.key` |
//! | `identity.address` / `identity.deviceId` | a device brought by the operator instead of onboarding: its identity and device | none: onboard |
//! | `identity.deviceUsername` / `identity.devicePassword` | that device's login | all four or none |
//! | `infrastructure.httpServer.host` / `port` | where to listen | `0.0.0.0` (local mode: `127.0.0.1`) / 8080 |
//! | `infrastructure.httpServer.apiKey` | the `X-API-KEY` clients send; must be strong | required with a Backbone unless keys are given below; generated in local mode |
//! | `infrastructure.httpServer.authentication.apiKey.keys.<id>` | more keys, Connector v7 style: `{key, enabled?, description?, expiresAt?, scopes?}` (see `api_keys`) | none |
//! | `infrastructure.httpServer.authFailureDelayMinMs` / `MaxMs` | random delay before a 401 | 1000 / 4000 |
//! | `infrastructure.httpServer.maxBodyBytes` | largest accepted request body (at most 16 MiB, the longest text storage keeps) | 1048576 |
//! | `database.connectionString` | `postgres://…` (PostgreSQL) or `sqlite://<path>` | SQLite in the data directory |
//! | `database.dataDirectory` | where SQLite and local mode keep their files | `./data` |
//! | `database.poolSize` / `database.connectTimeoutMs` | connection pool | 10 / 5000 |
//! | `infrastructure.httpServer.idempotency.waitMs` | how long a retry with an `Idempotency-Key` waits for the first request with it before a 409 | 10000 |
//! | `infrastructure.httpServer.idempotency.claimTimeoutMs` | after how long an unanswered first request counts as lost with its instance, so a retry runs it again; must exceed the longest a request takes (a few Backbone calls, each up to `requestTimeoutMs`) | 300000 |
//! | `infrastructure.httpServer.cors.*` | CORS as the Connector's Express `cors` options (see `cors`) | off |
//! | `infrastructure.httpServer.metrics.enabled` / `port` / `host` | `GET /metrics`: off, on the API port (keys with `monitoring:metrics`), or on a port of its own without a key | on the API port |
//! | `logging.format` | `text` or `json` (level via `RUST_LOG`) | `text` |
//!
//! Without `transportLibrary.baseUrl` the service runs in local mode (see `crate::local`): a
//! built-in Backbone simulator on loopback, for trying the service out. It is never chosen when a
//! Backbone URL is configured, and refuses to start when other Backbone settings are given
//! without one.
//!
//! Who the service is on the Backbone: by default its own identity, created there at first start
//! and kept (encrypted with the secrets key) in the database, as the Connector does; or, with
//! all four `identity.*` settings, a device the operator created elsewhere.

mod api_keys;
mod cors;

use std::path::{Path, PathBuf};
use std::time::Duration;

use application::ports::MAX_TEXT_BYTES;
use domain::{AddressDomain, DeviceId, DeviceUsername, IdentityAddress, SecretKey};
use secrecy::SecretString;
use serde_json::{Map, Value};

pub use api_keys::{ApiKeyConfig, SINGLE_KEY_ID};
pub use cors::{CorsConfig, CorsOrigins};

pub const DEFAULT_HOST: &str = "0.0.0.0";
pub const LOCAL_MODE_HOST: &str = "127.0.0.1";
pub const DEFAULT_PORT: u16 = 8080;
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 60_000;
pub const DEFAULT_AUTH_FAILURE_DELAY_MIN_MS: u64 = 1_000;
pub const DEFAULT_AUTH_FAILURE_DELAY_MAX_MS: u64 = 4_000;
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
pub const DEFAULT_IDEMPOTENCY_WAIT_MS: u64 = 10_000;
/// Five default Backbone timeouts: a request makes its Backbone calls one at a time, and the
/// longest (a token not stored locally, deleted again) makes two; a takeover before the first
/// request ends would run it twice.
pub const DEFAULT_IDEMPOTENCY_CLAIM_TIMEOUT_MS: u64 = 300_000;
pub const DEFAULT_DB_POOL_SIZE: u32 = 10;
pub const DEFAULT_DB_CONNECT_TIMEOUT_MS: u64 = 5_000;
pub const DEFAULT_DATA_DIRECTORY: &str = "data";

const ALIASES: [(&str, &str); 5] = [
    ("SECRETS_KEY", "secrets.key"),
    ("API_KEY", "infrastructure.httpServer.apiKey"),
    ("DATABASE_CONNECTION_STRING", "database.connectionString"),
    ("PLATFORM_CLIENT_ID", "transportLibrary.platformClientId"),
    (
        "PLATFORM_CLIENT_SECRET",
        "transportLibrary.platformClientSecret",
    ),
];
const CONFIG_FILE_VARIABLE: &str = "CUSTOM_CONFIG_LOCATION";

/// Everything the service needs, typed and checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub http: HttpConfig,
    /// `None`: local mode.
    pub backbone: Option<RemoteBackbone>,
    pub backbone_request_timeout: Duration,
    pub database: DatabaseConfig,
    /// Encrypts the stored identity's secrets; `None`: none configured (local mode then uses
    /// the one in its data directory).
    pub secrets_key: Option<SecretsKey>,
    pub log_format: LogFormat,
}

/// The key the stored identity's secrets are encrypted with. `Debug` never shows it.
#[derive(Clone)]
pub struct SecretsKey(pub SecretKey);

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(…)")
    }
}

#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub host: String,
    pub port: u16,
    /// The keys clients may send, v6's single key (id [`SINGLE_KEY_ID`]) first; empty only
    /// in local mode, which then generates one.
    pub api_keys: Vec<ApiKeyConfig>,
    pub auth_failure_delay: std::ops::RangeInclusive<Duration>,
    pub max_body_bytes: usize,
    /// `None`: no CORS headers (the Connector's default, `cors.origin: false`).
    pub cors: Option<CorsConfig>,
    pub metrics: MetricsAccess,
    pub idempotency: IdempotencyConfig,
}

/// The bounds of `Idempotency-Key` handling (`http::idempotency`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyConfig {
    /// How long a retry waits for the first request with its key.
    pub wait: Duration,
    /// After how long an unanswered claim is taken over.
    pub claim_timeout: Duration,
}

/// Where `GET /metrics` is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricsAccess {
    /// `metrics.enabled: false`.
    Off,
    /// On the API port, for keys with the `monitoring:metrics` permission (the default).
    ApiPort,
    /// On a port of its own (`metrics.port`, on `metrics.host`), without a key.
    OwnPort { host: String, port: u16 },
}

/// A real Backbone and who this service is on it.
#[derive(Debug, Clone)]
pub struct RemoteBackbone {
    pub backbone: BackboneConfig,
    pub identity: IdentitySource,
}

/// Where this service's identity comes from.
#[derive(Debug, Clone)]
pub enum IdentitySource {
    /// Its own, created on the Backbone at first start and kept in the database.
    Onboarded(OnboardingConfig),
    /// A device the operator brought (`identity.*`).
    Configured(IdentityConfig),
}

#[derive(Debug, Clone)]
pub struct OnboardingConfig {
    /// The Backbone's `DidDomainName`.
    pub address_domain: AddressDomain,
    pub allow_identity_creation: bool,
    pub secrets_key: SecretsKey,
}

#[derive(Debug, Clone)]
pub struct BackboneConfig {
    pub base_url: String,
    pub platform_client_id: String,
    pub platform_client_secret: SecretString,
}

#[derive(Debug, Clone)]
pub struct IdentityConfig {
    pub address: IdentityAddress,
    pub device_id: DeviceId,
    pub device_username: DeviceUsername,
    pub device_password: SecretString,
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// `None`: SQLite in `data_directory`.
    pub connection_string: Option<SecretString>,
    pub data_directory: PathBuf,
    pub pool_size: u32,
    pub connect_timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Why the configuration cannot be used; each names the setting to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path} (named by CUSTOM_CONFIG_LOCATION): {reason}")]
    File { path: String, reason: String },
    #[error("missing setting '{key}' (environment variable {env})")]
    Missing { key: &'static str, env: String },
    #[error("setting '{key}' is invalid: {reason}")]
    Invalid { key: &'static str, reason: String },
}

impl Config {
    /// Reads the process environment (and the file it names).
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first setting that is missing or invalid.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(std::env::vars())
    }

    /// Reads the given variables (and the file they name): the testable core of [`Config::from_env`].
    ///
    /// # Errors
    /// As [`Config::from_env`].
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let vars: Vec<(String, String)> = vars.into_iter().collect();
        let mut tree = Value::Object(Map::new());
        if let Some((_, path)) = vars.iter().find(|(name, _)| name == CONFIG_FILE_VARIABLE) {
            merge(&mut tree, read_file(Path::new(path))?);
        }
        for (name, value) in &vars {
            if name.contains("__") {
                set(&mut tree, &name.split("__").collect::<Vec<_>>(), value);
            }
        }
        for (alias, key) in ALIASES {
            if let Some((_, value)) = vars.iter().find(|(name, _)| name == alias) {
                set(&mut tree, &key.split('.').collect::<Vec<_>>(), value);
            }
        }
        Self::from_tree(&Settings(tree))
    }

    fn from_tree(s: &Settings) -> Result<Self, ConfigError> {
        let delay_min = s.number(
            "infrastructure.httpServer.authFailureDelayMinMs",
            DEFAULT_AUTH_FAILURE_DELAY_MIN_MS,
        )?;
        let delay_max = s.number(
            "infrastructure.httpServer.authFailureDelayMaxMs",
            DEFAULT_AUTH_FAILURE_DELAY_MAX_MS,
        )?;
        if delay_min > delay_max {
            return Err(invalid(
                "infrastructure.httpServer.authFailureDelayMinMs",
                "must not exceed authFailureDelayMaxMs",
            ));
        }
        let max_body_bytes = s.number(
            "infrastructure.httpServer.maxBodyBytes",
            DEFAULT_MAX_BODY_BYTES,
        )?;
        if max_body_bytes > MAX_TEXT_BYTES {
            return Err(invalid(
                "infrastructure.httpServer.maxBodyBytes",
                &format!(
                    "must be at most {MAX_TEXT_BYTES}: a longer body could carry a text the database cannot store"
                ),
            ));
        }
        let secrets_key = s.secrets_key()?;
        let backbone = s.remote_backbone(secrets_key.as_ref())?;
        // Local mode has a generated (or weak) key and a simulator: keep it off the network.
        let host = s.string_or(
            "infrastructure.httpServer.host",
            if backbone.is_some() {
                DEFAULT_HOST
            } else {
                LOCAL_MODE_HOST
            },
        )?;
        let http = HttpConfig {
            host: host.clone(),
            port: s.number("infrastructure.httpServer.port", DEFAULT_PORT)?,
            api_keys: api_keys::api_keys(s, backbone.is_some())?,
            auth_failure_delay: Duration::from_millis(delay_min)..=Duration::from_millis(delay_max),
            max_body_bytes,
            cors: cors::cors(s)?,
            metrics: s.metrics_access(&host)?,
            idempotency: s.idempotency()?,
        };
        let database = DatabaseConfig {
            connection_string: s
                .string("database.connectionString")?
                .map(SecretString::from),
            data_directory: PathBuf::from(
                s.string_or("database.dataDirectory", DEFAULT_DATA_DIRECTORY)?,
            ),
            pool_size: s.number("database.poolSize", DEFAULT_DB_POOL_SIZE)?,
            connect_timeout: Duration::from_millis(
                s.number("database.connectTimeoutMs", DEFAULT_DB_CONNECT_TIMEOUT_MS)?,
            ),
        };
        let log_format = match s.string_or("logging.format", "text")?.as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(invalid(
                    "logging.format",
                    &format!("'{other}' is neither 'text' nor 'json'"),
                ));
            }
        };
        let backbone_request_timeout = Duration::from_millis(s.number(
            "transportLibrary.requestTimeoutMs",
            DEFAULT_REQUEST_TIMEOUT_MS,
        )?);
        Ok(Self {
            http,
            backbone,
            backbone_request_timeout,
            database,
            secrets_key,
            log_format,
        })
    }
}

fn invalid(key: &'static str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        key,
        reason: reason.to_owned(),
    }
}

fn read_file(path: &Path) -> Result<Value, ConfigError> {
    let error = |reason: String| ConfigError::File {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(error("the file must hold a JSON object".into()))
    }
}

/// Deep-merges `overlay` into `base`.
fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                merge(base.entry(key).or_insert(Value::Null), value);
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// Sets `path` to the string `value`, reusing an existing key that matches case-insensitively.
fn set(tree: &mut Value, path: &[&str], value: &str) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = tree;
    for segment in parents {
        let object = as_object(node);
        let key = existing_key(object, segment);
        node = object
            .entry(key)
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let object = as_object(node);
    let key = existing_key(object, last);
    object.insert(key, Value::String(value.to_owned()));
}

fn as_object(node: &mut Value) -> &mut Map<String, Value> {
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    match node {
        Value::Object(object) => object,
        _ => unreachable!("just made an object"),
    }
}

fn existing_key(object: &Map<String, Value>, segment: &str) -> String {
    object
        .keys()
        .find(|key| key.eq_ignore_ascii_case(segment))
        .cloned()
        .unwrap_or_else(|| segment.to_owned())
}

/// The merged settings tree, read by dotted key, case-insensitively.
struct Settings(Value);

impl Settings {
    fn get(&self, key: &str) -> Option<&Value> {
        key.split('.').try_fold(&self.0, |node, segment| {
            node.as_object()?
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(segment))
                .map(|(_, v)| v)
        })
    }

    fn string(&self, key: &'static str) -> Result<Option<String>, ConfigError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(Value::Number(number)) => Ok(Some(number.to_string())),
            Some(_) => Err(invalid(key, "must be a string")),
        }
    }

    fn string_or(&self, key: &'static str, default: &str) -> Result<String, ConfigError> {
        Ok(self.string(key)?.unwrap_or_else(|| default.to_owned()))
    }

    fn required(&self, key: &'static str) -> Result<String, ConfigError> {
        self.string(key)?.ok_or_else(|| ConfigError::Missing {
            key,
            env: key.replace('.', "__"),
        })
    }

    fn parsed<T, E: std::fmt::Display>(
        &self,
        key: &'static str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<T, ConfigError> {
        parse(&self.required(key)?).map_err(|e| invalid(key, &e.to_string()))
    }

    fn number<T: std::str::FromStr>(
        &self,
        key: &'static str,
        default: T,
    ) -> Result<T, ConfigError> {
        match self.string(key)? {
            None => Ok(default),
            Some(text) => text
                .trim()
                .parse()
                .map_err(|_| invalid(key, &format!("'{text}' is not a valid number"))),
        }
    }

    /// `idempotency.waitMs` and `claimTimeoutMs`; the claim timeout must not be zero, or every
    /// retry would run again.
    fn idempotency(&self) -> Result<IdempotencyConfig, ConfigError> {
        const CLAIM_TIMEOUT: &str = "infrastructure.httpServer.idempotency.claimTimeoutMs";
        let wait = self.number(
            "infrastructure.httpServer.idempotency.waitMs",
            DEFAULT_IDEMPOTENCY_WAIT_MS,
        )?;
        let claim_timeout = self.number(CLAIM_TIMEOUT, DEFAULT_IDEMPOTENCY_CLAIM_TIMEOUT_MS)?;
        if claim_timeout == 0 {
            return Err(invalid(
                CLAIM_TIMEOUT,
                "must be longer than the longest request (e.g. 300000)",
            ));
        }
        Ok(IdempotencyConfig {
            wait: Duration::from_millis(wait),
            claim_timeout: Duration::from_millis(claim_timeout),
        })
    }

    /// `metrics.enabled` (default true) and `metrics.port`/`host` (default: the API's host).
    fn metrics_access(&self, api_host: &str) -> Result<MetricsAccess, ConfigError> {
        if !self.boolean("infrastructure.httpServer.metrics.enabled", true)? {
            return Ok(MetricsAccess::Off);
        }
        match self.string("infrastructure.httpServer.metrics.port")? {
            None => Ok(MetricsAccess::ApiPort),
            Some(_) => Ok(MetricsAccess::OwnPort {
                host: self.string_or("infrastructure.httpServer.metrics.host", api_host)?,
                port: self.number("infrastructure.httpServer.metrics.port", 0)?,
            }),
        }
    }

    fn boolean(&self, key: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(value)) => Ok(*value),
            Some(Value::String(text)) => match text.trim().to_ascii_lowercase().as_str() {
                "" => Ok(default),
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(invalid(key, &format!("'{text}' is neither true nor false"))),
            },
            Some(_) => Err(invalid(key, "must be true or false")),
        }
    }

    /// `secrets.key`, or the key in the file `secrets.keyFile` names; not both.
    fn secrets_key(&self) -> Result<Option<SecretsKey>, ConfigError> {
        const KEY: &str = "secrets.key";
        const FILE: &str = "secrets.keyFile";
        match (self.string(KEY)?, self.string(FILE)?) {
            (None, None) => Ok(None),
            (Some(_), Some(_)) => Err(invalid(
                FILE,
                "set either secrets.key or secrets.keyFile, not both",
            )),
            (Some(text), None) => parse_secrets_key(&text)
                .map(Some)
                .map_err(|reason| invalid(KEY, &reason)),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| invalid(FILE, &format!("cannot read {path}: {e}")))?;
                parse_secrets_key(&text)
                    .map(Some)
                    .map_err(|reason| invalid(FILE, &format!("{path}: {reason}")))
            }
        }
    }

    /// The Backbone settings, or `None` (local mode) when none of them is given.
    fn remote_backbone(
        &self,
        secrets_key: Option<&SecretsKey>,
    ) -> Result<Option<RemoteBackbone>, ConfigError> {
        const KEYS: [&str; 9] = [
            "transportLibrary.baseUrl",
            "transportLibrary.platformClientId",
            "transportLibrary.platformClientSecret",
            "transportLibrary.allowIdentityCreation",
            "transportLibrary.addressGenerationHostnameOverride",
            "identity.address",
            "identity.deviceId",
            "identity.deviceUsername",
            "identity.devicePassword",
        ];
        let Some(base_url) = self.string("transportLibrary.baseUrl")? else {
            let given = KEYS
                .iter()
                .find(|key| matches!(self.string(key), Ok(Some(_)) | Err(_)));
            return match given {
                None => Ok(None),
                Some(key) => Err(invalid(
                    "transportLibrary.baseUrl",
                    &format!(
                        "it is missing while '{key}' is set: configure the Backbone completely, or remove every Backbone setting to run in local mode"
                    ),
                )),
            };
        };
        let base_url = base_url.trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(invalid(
                "transportLibrary.baseUrl",
                "must start with http:// or https://",
            ));
        }
        let backbone = BackboneConfig {
            base_url,
            platform_client_id: self.required("transportLibrary.platformClientId")?,
            platform_client_secret: self
                .required("transportLibrary.platformClientSecret")?
                .into(),
        };
        let identity = match self.configured_identity()? {
            Some(configured) => IdentitySource::Configured(configured),
            None => IdentitySource::Onboarded(OnboardingConfig {
                address_domain: self.address_domain(&backbone.base_url)?,
                allow_identity_creation: self
                    .boolean("transportLibrary.allowIdentityCreation", true)?,
                secrets_key: secrets_key.cloned().ok_or_else(|| ConfigError::Invalid {
                    key: "secrets.key",
                    reason: "it is missing: the service keeps its identity's keys encrypted with it; generate one with `openssl rand -base64 32` and set secrets__key (or secrets__keyFile to a file holding it), and keep it: without it the stored identity cannot be used".to_owned(),
                })?,
            }),
        };
        Ok(Some(RemoteBackbone { backbone, identity }))
    }

    /// The operator's device: all four `identity.*` settings, or none of them.
    fn configured_identity(&self) -> Result<Option<IdentityConfig>, ConfigError> {
        const KEYS: [&str; 4] = [
            "identity.address",
            "identity.deviceId",
            "identity.deviceUsername",
            "identity.devicePassword",
        ];
        if KEYS.iter().all(|key| matches!(self.string(key), Ok(None))) {
            return Ok(None);
        }
        Ok(Some(IdentityConfig {
            address: self.parsed("identity.address", IdentityAddress::parse)?,
            device_id: self.parsed("identity.deviceId", DeviceId::parse)?,
            device_username: self.parsed("identity.deviceUsername", DeviceUsername::parse)?,
            device_password: self.required("identity.devicePassword")?.into(),
        }))
    }

    /// The override, else the host of the Backbone URL (as the runtime derives it).
    fn address_domain(&self, base_url: &str) -> Result<AddressDomain, ConfigError> {
        const KEY: &str = "transportLibrary.addressGenerationHostnameOverride";
        match self.string(KEY)? {
            Some(domain) => AddressDomain::parse(&domain).map_err(|e| invalid(KEY, &e.to_string())),
            None => AddressDomain::from_base_url(base_url)
                .map_err(|e| invalid("transportLibrary.baseUrl", &e.to_string())),
        }
    }
}

/// 32 bytes in base64 (standard or URL-safe, padded or not), surrounding whitespace ignored.
pub fn parse_secrets_key(text: &str) -> Result<SecretsKey, String> {
    use base64::Engine as _;
    let text = text.trim();
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = engines
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .ok_or_else(|| {
            "it is not base64 (generate one with `openssl rand -base64 32`)".to_owned()
        })?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map(|bytes| SecretsKey(SecretKey::from_bytes(bytes)))
        .map_err(|_| {
            format!(
                "it holds {} bytes, not 32 (generate one with `openssl rand -base64 32`)",
                bytes.len()
            )
        })
}

/// The Connector's policy: at least 30 characters, 2 upper-case, 2 lower-case, 2 digits and
/// 1 other character. Returns what is missing.
pub fn api_key_weakness(api_key: &str) -> Option<String> {
    let count = |predicate: fn(&char) -> bool| api_key.chars().filter(predicate).count();
    let rules = [
        (api_key.chars().count() >= 30, "at least 30 characters"),
        (
            count(char::is_ascii_uppercase) >= 2,
            "at least 2 upper-case letters",
        ),
        (
            count(char::is_ascii_lowercase) >= 2,
            "at least 2 lower-case letters",
        ),
        (count(char::is_ascii_digit) >= 2, "at least 2 digits"),
        (
            count(|c| !c.is_ascii_alphanumeric()) >= 1,
            "at least 1 special character",
        ),
    ];
    let missing: Vec<&str> = rules
        .iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, rule)| *rule)
        .collect();
    (!missing.is_empty()).then(|| format!("it needs {}", missing.join(", ")))
}

#[cfg(test)]
mod tests;
