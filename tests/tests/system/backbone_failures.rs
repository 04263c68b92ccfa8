//! Each way the Backbone can fail answers its documented status and envelope, within the
//! timeout, and stores nothing.

use std::time::{Duration, Instant};

use backbone_sim::Fault;
use serde_json::{Value, json};
use system_tests::TestApp;

const TOKENS_PATH: &str = "/api/v2/Tokens";

async fn create_stored_token(app: &TestApp) -> (u16, Value, reqwest::header::HeaderMap) {
    let response = app
        .post_token(app.file.id.as_str())
        .json(&json!({"ephemeral": false}))
        .send()
        .await
        .unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, response.json().await.unwrap(), headers)
}

fn assert_error(body: &Value, code: &str) {
    let error = &body["error"];
    assert_eq!(error["code"], code, "{body}");
    let keys: Vec<&str> = error
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["code", "message", "id", "time", "docs"]);
}

#[tokio::test]
async fn a_backbone_500_is_a_502_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    app.simulator
        .faults()
        .inject(Fault::error_500().on("POST", TOKENS_PATH).times(1));

    let (status, body, _) = create_stored_token(&app).await;

    assert_eq!(status, 502);
    assert_error(&body, "error.platform.unexpected");
    assert_eq!(
        body["error"]["message"],
        "The Backbone failed to create the token. Try again later."
    );
    assert_eq!((app.stored_tokens(), app.simulator.token_count()), (0, 0));
}

#[tokio::test]
async fn a_backbone_503_without_body_is_a_503() {
    let app = TestApp::spawn().await;
    app.simulator
        .faults()
        .inject(Fault::unavailable_503().on("POST", TOKENS_PATH).times(1));

    let (status, body, _) = create_stored_token(&app).await;

    assert_eq!(status, 503);
    assert_error(&body, "error.connector.backbone.unavailable");
    assert_eq!(app.stored_tokens(), 0);
}

#[tokio::test]
async fn an_exhausted_quota_is_a_429_with_retry_after() {
    let app = TestApp::spawn().await;
    app.simulator.faults().inject(
        Fault::quota_exhausted_429()
            .with_retry_after(120)
            .on("POST", TOKENS_PATH)
            .times(1),
    );

    let (status, body, headers) = create_stored_token(&app).await;

    assert_eq!(status, 429);
    assert_error(&body, "error.platform.quotaExhausted");
    assert_eq!(headers["retry-after"], "120");
    assert_eq!(app.stored_tokens(), 0);
}

#[tokio::test]
async fn a_backbone_slower_than_the_timeout_is_a_504_within_the_timeout() {
    let app = TestApp::spawn_with(&[("transportLibrary__requestTimeoutMs", "1000")]).await;
    app.simulator.faults().inject(
        Fault::delay(Duration::from_secs(5))
            .on("POST", TOKENS_PATH)
            .times(1),
    );

    let started = Instant::now();
    let (status, body, _) = create_stored_token(&app).await;

    assert_eq!(status, 504);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "answered after {:?}",
        started.elapsed()
    );
    assert_error(&body, "error.connector.backbone.timeout");
    assert_eq!(app.stored_tokens(), 0);
}

#[tokio::test]
async fn a_dropped_connection_is_a_502_and_is_not_retried() {
    let app = TestApp::spawn().await;
    app.simulator
        .faults()
        .inject(Fault::drop_connection().on("POST", TOKENS_PATH).times(1));

    let (status, body, _) = create_stored_token(&app).await;

    assert_eq!(status, 502);
    assert_error(&body, "error.connector.backbone.connectionLost");
    assert_eq!((app.stored_tokens(), app.simulator.token_count()), (0, 0));
}

#[tokio::test]
async fn refused_credentials_are_a_502_that_names_the_operator_fix() {
    let app = TestApp::spawn_with(&[("identity__devicePassword", "not-the-password")]).await;

    let (status, body, _) = create_stored_token(&app).await;

    assert_eq!(status, 502);
    assert_error(&body, "error.connector.backbone.authenticationFailed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("credentials")
    );
    assert_eq!(app.simulator.token_count(), 0);
}

#[tokio::test]
async fn an_unreachable_backbone_is_a_503() {
    let app = TestApp::spawn().await;
    let address = app.simulator.local_addr();
    // Point a second service at the address after the simulator is gone.
    let app2 =
        TestApp::spawn_with(&[("transportLibrary__baseUrl", &format!("http://{address}"))]).await;
    app.simulator.stop().await;

    let (status, body, _) = create_stored_token(&app2).await;

    assert_eq!(status, 503, "{body}");
    assert_error(&body, "error.connector.backbone.unavailable");
    assert_eq!(app2.stored_tokens(), 0);
}

#[tokio::test]
async fn an_access_token_expired_early_is_renewed_once_and_the_token_created() {
    let app = TestApp::spawn().await;
    let (status, _, _) = create_stored_token(&app).await;
    assert_eq!(
        status, 201,
        "the first create logs in and caches the access token"
    );
    app.simulator.faults().expire_access_tokens();

    let (status, body, _) = create_stored_token(&app).await;

    assert_eq!(status, 201, "{body}");
    assert_eq!((app.stored_tokens(), app.simulator.token_count()), (2, 2));
    let second = app
        .simulator
        .token(body["result"]["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        second.created_by.as_ref(),
        Some(&app.device.address),
        "created as this identity, not anonymously"
    );
}
