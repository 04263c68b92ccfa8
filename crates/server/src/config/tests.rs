use secrecy::ExposeSecret;

use super::*;

const STRONG_KEY: &str = "Strong-Api-Key-0123456789-abcdefXY";

fn complete() -> Vec<(String, String)> {
    let address = IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap();
    [
        ("transportLibrary__baseUrl", "http://127.0.0.1:9999/"),
        ("PLATFORM_CLIENT_ID", "test"),
        ("PLATFORM_CLIENT_SECRET", "secret"),
        ("identity__address", address.as_str()),
        ("identity__deviceId", "DVCAAAAAAAAAAAAAAAAA"),
        ("identity__deviceUsername", "USRAAAAAAAAAAAAAAAAA"),
        ("identity__devicePassword", "device-password"),
        ("API_KEY", STRONG_KEY),
        (
            "DATABASE_CONNECTION_STRING",
            "postgres://postgres@127.0.0.1/connector",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// v6's single key, as configured.
fn single_key(config: &Config) -> Option<&str> {
    config
        .http
        .api_keys
        .iter()
        .find(|key| key.id == SINGLE_KEY_ID)
        .map(|key| key.key.expose_secret())
}

fn with(mut vars: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    vars.retain(|(n, _)| n != name);
    vars.push((name.to_owned(), value.to_owned()));
    vars
}

#[test]
fn a_complete_environment_gives_a_typed_config_with_defaults() {
    let config = Config::from_vars(complete()).unwrap();
    let remote = config.backbone.as_ref().expect("a configured Backbone");
    assert_eq!(remote.backbone.base_url, "http://127.0.0.1:9999");
    assert_eq!(
        remote.backbone.platform_client_secret.expose_secret(),
        "secret"
    );
    assert_eq!(config.http.port, DEFAULT_PORT);
    assert_eq!(single_key(&config), Some(STRONG_KEY));
    assert_eq!(
        *config.http.auth_failure_delay.start(),
        Duration::from_secs(1)
    );
    assert_eq!(config.database.pool_size, DEFAULT_DB_POOL_SIZE);
    assert_eq!(config.log_format, LogFormat::Text);
}

#[test]
fn nested_names_match_case_insensitively_and_numbers_parse() {
    let vars = with(complete(), "INFRASTRUCTURE__HTTPSERVER__PORT", "9000");
    assert_eq!(Config::from_vars(vars).unwrap().http.port, 9000);
    let vars = with(complete(), "infrastructure__httpServer__port", "eighty");
    assert!(
        Config::from_vars(vars)
            .unwrap_err()
            .to_string()
            .contains("infrastructure.httpServer.port")
    );
}

#[test]
fn the_config_file_is_read_and_the_environment_wins() {
    let dir = std::env::temp_dir().join(format!("connector-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.json");
    std::fs::write(&path, r#"{"infrastructure":{"httpServer":{"port":7000,"host":"127.0.0.1"}},"database":{"poolSize":3}}"#).unwrap();
    let vars = with(complete(), "CUSTOM_CONFIG_LOCATION", path.to_str().unwrap());
    let vars = with(vars, "infrastructure__httpServer__port", "7001");
    let config = Config::from_vars(vars).unwrap();
    assert_eq!(
        (
            config.http.port,
            config.http.host.as_str(),
            config.database.pool_size
        ),
        (7001, "127.0.0.1", 3)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn missing_and_invalid_settings_name_the_key_to_fix() {
    let mut vars = complete();
    vars.retain(|(n, _)| n != "PLATFORM_CLIENT_ID");
    assert_eq!(
        Config::from_vars(vars).unwrap_err().to_string(),
        "missing setting 'transportLibrary.platformClientId' (environment variable transportLibrary__platformClientId)"
    );
    let vars = with(complete(), "identity__deviceId", "nope");
    assert!(
        Config::from_vars(vars)
            .unwrap_err()
            .to_string()
            .starts_with("setting 'identity.deviceId' is invalid")
    );
    let vars = with(
        complete(),
        "CUSTOM_CONFIG_LOCATION",
        "/nonexistent/config.json",
    );
    assert!(
        Config::from_vars(vars)
            .unwrap_err()
            .to_string()
            .contains("/nonexistent/config.json")
    );
}

#[test]
fn a_body_limit_beyond_what_storage_keeps_is_refused() {
    let at_the_limit = with(
        complete(),
        "infrastructure__httpServer__maxBodyBytes",
        &MAX_TEXT_BYTES.to_string(),
    );
    assert_eq!(
        Config::from_vars(at_the_limit).unwrap().http.max_body_bytes,
        MAX_TEXT_BYTES
    );

    let beyond = with(
        complete(),
        "infrastructure__httpServer__maxBodyBytes",
        &(MAX_TEXT_BYTES + 1).to_string(),
    );
    assert_eq!(
        Config::from_vars(beyond).unwrap_err().to_string(),
        "setting 'infrastructure.httpServer.maxBodyBytes' is invalid: must be at most 16777216: \
         a longer body could carry a text the database cannot store"
    );
}

#[test]
fn a_weak_api_key_is_refused() {
    let error = Config::from_vars(with(complete(), "API_KEY", "short"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("too weak") && error.contains("at least 30 characters"),
        "{error}"
    );
    assert_eq!(api_key_weakness(STRONG_KEY), None);
    assert!(
        api_key_weakness("abcdefghijklmnopqrstuvwxyzABCDEFGH12")
            .unwrap()
            .contains("special")
    );
}

#[test]
fn debug_output_hides_every_secret() {
    let debug = format!("{:?}", Config::from_vars(complete()).unwrap());
    for secret in [
        STRONG_KEY,
        "device-password",
        "postgres://postgres@127.0.0.1/connector",
    ] {
        assert!(!debug.contains(secret), "{secret} leaked");
    }
    assert!(!debug.contains("\"secret\""));
}

#[test]
fn no_backbone_settings_at_all_means_local_mode_with_sqlite() {
    let config = Config::from_vars(Vec::new()).unwrap();
    assert!(config.backbone.is_none());
    assert!(config.http.api_keys.is_empty());
    assert!(config.database.connection_string.is_none());
    assert_eq!(
        config.database.data_directory,
        PathBuf::from(DEFAULT_DATA_DIRECTORY)
    );
    let weak = Config::from_vars(vec![("API_KEY".to_owned(), "short".to_owned())]).unwrap();
    assert_eq!(
        single_key(&weak),
        Some("short"),
        "local mode accepts a weak key"
    );
}

#[test]
fn a_partial_backbone_configuration_is_refused_not_taken_for_local_mode() {
    let mut vars = complete();
    vars.retain(|(n, _)| n != "transportLibrary__baseUrl");
    let error = Config::from_vars(vars).unwrap_err().to_string();
    assert!(
        error.contains("transportLibrary.baseUrl") && error.contains("local mode"),
        "{error}"
    );
}

#[test]
fn a_backbone_needs_an_api_key() {
    let mut vars = complete();
    vars.retain(|(n, _)| n != "API_KEY");
    assert!(
        Config::from_vars(vars)
            .unwrap_err()
            .to_string()
            .contains("infrastructure.httpServer.apiKey")
    );
}

/// A Backbone and nothing about the identity: the service onboards its own.
fn onboarding_env() -> Vec<(String, String)> {
    let mut vars = complete();
    vars.retain(|(n, _)| !n.starts_with("identity__"));
    let vars = with(
        vars,
        "transportLibrary__baseUrl",
        "https://backbone.example.com:8443",
    );
    with(vars, "SECRETS_KEY", SECRETS_KEY)
}

/// `openssl rand -base64 32` output.
const SECRETS_KEY: &str = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=";

fn onboarding_config(vars: Vec<(String, String)>) -> OnboardingConfig {
    match Config::from_vars(vars).unwrap().backbone.unwrap().identity {
        IdentitySource::Onboarded(onboarding) => onboarding,
        IdentitySource::Configured(_) => panic!("expected onboarding"),
    }
}

#[test]
fn without_identity_settings_the_service_onboards_in_the_backbones_domain() {
    let onboarding = onboarding_config(onboarding_env());
    assert_eq!(onboarding.address_domain.as_str(), "backbone.example.com");
    assert!(onboarding.allow_identity_creation);
    assert_eq!(
        domain::encoding::b64std(onboarding.secrets_key.0.as_bytes()),
        SECRETS_KEY
    );
    let vars = with(
        onboarding_env(),
        "transportLibrary__addressGenerationHostnameOverride",
        "localhost",
    );
    let vars = with(vars, "transportLibrary__allowIdentityCreation", "false");
    let onboarding = onboarding_config(vars);
    assert_eq!(onboarding.address_domain.as_str(), "localhost");
    assert!(!onboarding.allow_identity_creation);
}

#[test]
fn the_configured_device_is_still_an_option() {
    let config = Config::from_vars(complete()).unwrap();
    assert!(matches!(
        config.backbone.unwrap().identity,
        IdentitySource::Configured(_)
    ));
    let mut partial = complete();
    partial.retain(|(n, _)| n != "identity__devicePassword");
    assert_eq!(
        Config::from_vars(partial).unwrap_err().to_string(),
        "missing setting 'identity.devicePassword' (environment variable identity__devicePassword)"
    );
}

#[test]
fn onboarding_needs_a_secrets_key_and_says_how_to_make_one() {
    let mut vars = onboarding_env();
    vars.retain(|(n, _)| n != "SECRETS_KEY");
    let error = Config::from_vars(vars).unwrap_err().to_string();
    assert!(
        error.contains("secrets.key") && error.contains("openssl rand -base64 32"),
        "{error}"
    );
    for (bad, says) in [("c2hvcnQ=", "5 bytes"), ("not base64!", "not base64")] {
        let error = Config::from_vars(with(onboarding_env(), "SECRETS_KEY", bad))
            .unwrap_err()
            .to_string();
        assert!(error.contains(says), "{error}");
    }
}

#[test]
fn the_secrets_key_can_come_from_a_file_but_not_from_both() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.key");
    std::fs::write(&path, format!("{SECRETS_KEY}\n")).unwrap();
    let mut vars = onboarding_env();
    vars.retain(|(n, _)| n != "SECRETS_KEY");
    let from_file = with(vars, "secrets__keyFile", path.to_str().unwrap());
    assert_eq!(
        domain::encoding::b64std(
            onboarding_config(from_file.clone())
                .secrets_key
                .0
                .as_bytes()
        ),
        SECRETS_KEY
    );
    let both = with(from_file, "SECRETS_KEY", SECRETS_KEY);
    assert!(
        Config::from_vars(both)
            .unwrap_err()
            .to_string()
            .contains("not both")
    );
}

#[test]
fn an_ip_backbone_without_an_override_is_refused_with_the_setting_to_use() {
    let vars = with(
        onboarding_env(),
        "transportLibrary__baseUrl",
        "http://127.0.0.1:8090",
    );
    let error = Config::from_vars(vars).unwrap_err().to_string();
    assert!(
        error.contains("addressGenerationHostnameOverride"),
        "{error}"
    );
    let vars = with(
        onboarding_env(),
        "transportLibrary__allowIdentityCreation",
        "maybe",
    );
    assert!(
        Config::from_vars(vars)
            .unwrap_err()
            .to_string()
            .contains("neither true nor false")
    );
}

const OTHER_KEY: &str = "Other-Strong-Key-0123456789-abcdXY";
const KEYS_VAR: &str = "infrastructure__httpServer__authentication__apiKey__keys";

/// `complete()` without the v6 key, plus v7 keys.
fn with_keys(keys: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut vars = complete();
    vars.retain(|(n, _)| n != "API_KEY");
    for (name, value) in keys {
        vars.push((format!("{KEYS_VAR}__{name}"), (*value).to_owned()));
    }
    Config::from_vars(vars)
}

#[test]
fn connector_v7_keys_are_read_as_json_or_field_by_field() {
    let config = with_keys(&[
        (
            "ci",
            &format!(r#"{{"key":"{OTHER_KEY}","scopes":["core:files","core:*"],"expiresAt":"2099-01-31T00:00:00Z","description":"CI"}}"#),
        ),
        ("admin__key", STRONG_KEY),
        ("admin__enabled", "false"),
        ("admin__scopes", "core:tokens, monitoring:**"),
    ])
    .unwrap();
    let keys = &config.http.api_keys;
    assert_eq!(keys.len(), 2);
    let (admin, ci) = (&keys[0], &keys[1]);
    assert_eq!((admin.id.as_str(), ci.id.as_str()), ("admin", "ci"));
    assert_eq!(ci.key.expose_secret(), OTHER_KEY);
    assert!(ci.enabled && !admin.enabled);
    assert_eq!(
        ci.expires_at.unwrap().to_rfc3339(),
        "2099-01-31T00:00:00+00:00"
    );
    let scopes = |key: &ApiKeyConfig| {
        key.scopes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(scopes(ci), ["core:files", "core:*"]);
    assert_eq!(scopes(admin), ["core:tokens", "monitoring:**"]);
    assert!(
        !format!("{keys:?}").contains(OTHER_KEY),
        "Debug hides the keys"
    );
}

#[test]
fn a_key_without_scopes_may_do_everything_and_the_v6_key_comes_first() {
    let mut vars = complete();
    vars.push((format!("{KEYS_VAR}__extra__key"), OTHER_KEY.to_owned()));
    let config = Config::from_vars(vars).unwrap();
    let ids: Vec<&str> = config.http.api_keys.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, [SINGLE_KEY_ID, "extra"]);
    for key in &config.http.api_keys {
        assert_eq!(
            key.scopes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["**"]
        );
        assert!(key.enabled && key.expires_at.is_none());
    }
}

#[test]
fn bad_v7_keys_refuse_the_start_and_say_which() {
    let refused = |keys: &[(&str, &str)], expected: &str| {
        let error = with_keys(keys).unwrap_err().to_string();
        assert!(error.contains(expected), "{keys:?}: {error}");
    };
    refused(&[("weak__key", "short-key")], "'weak' is too weak");
    refused(
        &[("a__key", STRONG_KEY), ("b__key", STRONG_KEY)],
        "the keys 'a' and 'b' are the same key",
    );
    refused(
        &[("off__key", STRONG_KEY), ("off__enabled", "false")],
        "no API key is enabled and unexpired",
    );
    refused(
        &[
            ("old__key", STRONG_KEY),
            ("old__expiresAt", "2020-01-01T00:00:00Z"),
        ],
        "no API key is enabled and unexpired",
    );
    refused(
        &[("when__key", STRONG_KEY), ("when__expiresAt", "tomorrow")],
        "'expiresAt' 'tomorrow' is not an ISO 8601 date-time",
    );
    refused(
        &[
            ("scoped__key", STRONG_KEY),
            ("scoped__scopes", "core:file*"),
        ],
        "key 'scoped': scope 'core:file*'",
    );
    refused(
        &[("nokey__enabled", "true")],
        "key 'nokey': 'key' is missing",
    );
    refused(&[("json", "{not json")], "key 'json': must be an object");

    let mut vars = complete();
    vars.push((
        "infrastructure__httpServer__authentication__apiKey__headerName".to_owned(),
        "X-Other".to_owned(),
    ));
    let error = Config::from_vars(vars).unwrap_err().to_string();
    assert!(error.contains("only X-API-KEY is supported"), "{error}");
}

#[test]
fn the_v6_key_and_a_v7_key_may_not_be_the_same() {
    let mut vars = complete();
    vars.push((format!("{KEYS_VAR}__again__key"), STRONG_KEY.to_owned()));
    let error = Config::from_vars(vars).unwrap_err().to_string();
    assert!(
        error.contains("the keys 'apiKey' and 'again' are the same key"),
        "{error}"
    );
}

#[test]
fn v7_keys_can_be_switched_off_as_a_whole() {
    let mut vars = complete();
    vars.push((format!("{KEYS_VAR}__extra__key"), OTHER_KEY.to_owned()));
    vars.push((
        "infrastructure__httpServer__authentication__apiKey__enabled".to_owned(),
        "false".to_owned(),
    ));
    let config = Config::from_vars(vars).unwrap();
    assert_eq!(config.http.api_keys.len(), 1, "only the v6 key");
}

fn cors_of(settings: &[(&str, &str)]) -> Result<Option<CorsConfig>, ConfigError> {
    let mut vars = complete();
    for (name, value) in settings {
        vars.push((
            format!("infrastructure__httpServer__cors__{name}"),
            (*value).to_owned(),
        ));
    }
    Config::from_vars(vars).map(|config| config.http.cors)
}

#[test]
fn cors_is_off_unless_an_origin_is_configured() {
    assert_eq!(cors_of(&[]).unwrap(), None);
    assert_eq!(cors_of(&[("origin", "false")]).unwrap(), None);
    assert_eq!(cors_of(&[("credentials", "true")]).unwrap(), None);
}

#[test]
fn cors_takes_the_connectors_origin_forms_and_express_defaults() {
    let any = cors_of(&[("origin", "true")]).unwrap().unwrap();
    assert_eq!(any.origins, CorsOrigins::AnyEchoed);
    assert_eq!(
        any.methods,
        ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"]
    );
    assert_eq!(any.allowed_headers, None, "whatever the preflight asks for");
    assert!(!any.credentials && any.max_age_seconds.is_none() && any.exposed_headers.is_empty());
    assert_eq!(
        cors_of(&[("origin", "*")]).unwrap().unwrap().origins,
        CorsOrigins::AnyWildcard
    );
    let listed = cors_of(&[
        ("origin", "https://a.example.com, http://localhost:3000"),
        ("methods", r#"["GET","POST"]"#),
        ("allowedHeaders", "X-API-KEY,Content-Type"),
    ])
    .unwrap()
    .unwrap();
    assert_eq!(
        listed.origins,
        CorsOrigins::Listed(vec![
            "https://a.example.com".into(),
            "http://localhost:3000".into()
        ])
    );
    assert_eq!(listed.methods, ["GET", "POST"]);
    assert_eq!(
        listed.allowed_headers,
        Some(vec!["X-API-KEY".into(), "Content-Type".into()])
    );
}

#[test]
fn cors_settings_that_cannot_work_refuse_the_start() {
    let refused = |settings: &[(&str, &str)], expected: &str| {
        let error = cors_of(settings).unwrap_err().to_string();
        assert!(error.contains(expected), "{settings:?}: {error}");
    };
    refused(&[("origin", "app.example.com")], "is not an origin");
    refused(
        &[("origin", "https://app.example.com/path")],
        "is not an origin",
    );
    refused(
        &[("origin", "*"), ("credentials", "true")],
        "browsers refuse credentials",
    );
    refused(
        &[("origin", "true"), ("methods", "GET,PO ST")],
        "is not an HTTP method",
    );
    refused(
        &[("origin", "true"), ("maxAge", "soon")],
        "is not a number of seconds",
    );
}

#[test]
fn idempotency_bounds_default_and_a_zero_claim_timeout_is_refused() {
    let defaults = Config::from_vars(complete()).unwrap().http.idempotency;
    assert_eq!(defaults.wait, Duration::from_secs(10));
    assert_eq!(defaults.claim_timeout, Duration::from_secs(300));

    let vars = with(
        complete(),
        "infrastructure__httpServer__idempotency__waitMs",
        "250",
    );
    let vars = with(
        vars,
        "infrastructure__httpServer__idempotency__claimTimeoutMs",
        "90000",
    );
    let set = Config::from_vars(vars).unwrap().http.idempotency;
    assert_eq!(
        (set.wait, set.claim_timeout),
        (Duration::from_millis(250), Duration::from_secs(90))
    );

    let zero = Config::from_vars(with(
        complete(),
        "infrastructure__httpServer__idempotency__claimTimeoutMs",
        "0",
    ))
    .unwrap_err();
    assert!(zero.to_string().contains("claimTimeoutMs"), "{zero}");
}
