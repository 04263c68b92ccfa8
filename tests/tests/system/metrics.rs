//! `GET /metrics` after real requests: the requests by route template, method and status, the
//! Backbone calls they made, the database pool, the hashing queue and the identity; behind the
//! `monitoring:metrics` permission on the API port, or keyless on a port of its own.

use serde_json::json;
use server::config::Config;
use server::startup::Application;
use system_tests::{API_KEY, Engine, TestApp, TestStore, connector_vars, simulator_with_device};

const FILES_ONLY_KEY: &str = "Files-Only-Key-0123456789-abcdXY!";

async fn scrape(client: &reqwest::Client, url: &str, key: Option<&str>) -> (u16, String, String) {
    let mut request = client.get(url);
    if let Some(key) = key {
        request = request.header("X-API-KEY", key);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        response.text().await.unwrap_or_default(),
    )
}

/// The value of the sample whose line starts with `series` (name and labels as rendered).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn a_scrape_after_real_requests_shows_them_and_what_they_caused() {
    let app = TestApp::spawn_with(&[
        (
            "infrastructure__httpServer__authentication__apiKey__keys__files__key",
            FILES_ONLY_KEY,
        ),
        (
            "infrastructure__httpServer__authentication__apiKey__keys__files__scopes",
            "core:files",
        ),
    ])
    .await;
    for _ in 0..2 {
        let (status, token) = app.create_token(json!({"ephemeral": true})).await;
        assert_eq!(status, 201, "{token}");
    }
    let (status, _) = app.create_token(json!({"expiresAt": "yesterday"})).await;
    assert_eq!(status, 400);

    let url = format!("{}/metrics", app.address);
    let (status, content_type, text) = scrape(&app.client, &url, Some(API_KEY)).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let route = "/api/v2/Files/{id}/Token";
    assert_eq!(
        sample(
            &text,
            &format!(
                r#"connector_http_requests_total{{method="POST",route="{route}",status="201"}}"#
            )
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!(
                r#"connector_http_requests_total{{method="POST",route="{route}",status="400"}}"#
            )
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            &format!(
                r#"connector_http_request_duration_seconds_count{{method="POST",route="{route}"}}"#
            )
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"connector_backbone_requests_total{method="POST",outcome="201",route="/api/v2/Tokens"}"#
        ),
        Some(2.0),
        "two tokens created on the Backbone: {text}"
    );
    assert!(
        sample(&text, r#"connector_backbone_requests_total{method="POST",outcome="200",route="/connect/token"}"#)
            .is_some_and(|logins| logins >= 1.0),
        "the login: {text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"connector_backbone_request_duration_seconds_count{method="POST",route="/api/v2/Tokens"}"#
        ),
        Some(2.0)
    );
    assert!(
        sample(&text, r#"connector_db_pool_connections{state="in_use"}"#).is_some(),
        "{text}"
    );
    assert!(
        sample(&text, r#"connector_db_pool_connections{state="idle"}"#)
            .is_some_and(|idle| idle >= 1.0)
    );
    assert_eq!(
        sample(&text, "connector_db_pool_max_connections"),
        Some(4.0)
    );
    assert!(
        sample(&text, "connector_db_pool_checkouts_total").is_some_and(|n| n >= 3.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "connector_db_pool_checkout_timeouts_total"),
        Some(0.0)
    );
    assert_eq!(sample(&text, "connector_password_hashes_queued"), Some(0.0));
    assert_eq!(
        sample(
            &text,
            &format!(
                r#"connector_identity_info{{address="{}",source="configured"}}"#,
                app.device.address
            )
        ),
        Some(1.0)
    );

    // The scrape itself is counted from the next one on; keys need monitoring:metrics.
    let (_, _, again) = scrape(&app.client, &url, Some(API_KEY)).await;
    assert_eq!(
        sample(
            &again,
            r#"connector_http_requests_total{method="GET",route="/metrics",status="200"}"#
        ),
        Some(1.0)
    );
    let (status, _, refused) = scrape(&app.client, &url, Some(FILES_ONLY_KEY)).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(scrape(&app.client, &url, None).await.0, 401);
    // Unknown paths share one label, whatever a client probes.
    let (_, _, probed) = scrape(
        &app.client,
        &format!("{}/no/such/{}", app.address, "path"),
        Some(API_KEY),
    )
    .await;
    assert!(!probed.contains("/no/such"));
    let (_, _, after) = scrape(&app.client, &url, Some(API_KEY)).await;
    assert!(
        after.contains(r#"route="unmatched",status="404""#),
        "{after}"
    );
}

#[tokio::test]
async fn on_a_port_of_its_own_the_metrics_need_no_key_and_leave_the_api_port() {
    let (simulator, client_credentials, device) = simulator_with_device().await;
    let store = TestStore::create(Engine::Postgres);
    let mut vars = connector_vars(
        &simulator,
        &client_credentials,
        &device,
        &store.connection_string(),
    );
    vars.push((
        "infrastructure__httpServer__metrics__port".into(),
        "0".into(),
    ));
    vars.push((
        "infrastructure__httpServer__metrics__host".into(),
        "127.0.0.1".into(),
    ));
    let application = Application::build(Config::from_vars(vars).expect("valid"))
        .await
        .expect("the connector starts");
    let (api, metrics) = (
        application.port(),
        application.metrics_port().expect("its own port"),
    );
    assert_ne!(api, metrics);
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::new();

    let (status, _, text) = scrape(
        &client,
        &format!("http://127.0.0.1:{metrics}/metrics"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("connector_identity_info"), "{text}");
    let (status, _, _) = scrape(
        &client,
        &format!("http://127.0.0.1:{metrics}/api/v2/Files"),
        Some(API_KEY),
    )
    .await;
    assert_eq!(status, 404, "only the metrics are served there");
    let (status, _, _) = scrape(
        &client,
        &format!("http://127.0.0.1:{api}/metrics"),
        Some(API_KEY),
    )
    .await;
    assert_eq!(status, 404, "not on the API port");
}
