//! Every failure of a create becomes its port variant, and only creates that cannot have reached
//! the Backbone are retried.

use std::time::{Duration, Instant};

use application::ports::BackboneError;

use crate::fake::{FakeBackbone, Reply, Script, routes, unused_address};
use crate::{assert_no_secret, client, client_with, config, create};

fn answering(tokens: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Script {
    routes(|_| Reply::login("access", 300), tokens)
}

#[tokio::test]
async fn a_400_envelope_is_rejected_with_its_code_and_message() {
    let fake = FakeBackbone::start(answering(|_| {
        Reply::error(
            400,
            "error.platform.validation.invalidPropertyValue",
            "'expiresAt' must be in the future.",
        )
    }))
    .await;
    let error = create(&client(&fake.base_url()))
        .await
        .expect_err("rejected");
    assert!(
        matches!(&error, BackboneError::Rejected { code, message }
            if code == "error.platform.validation.invalidPropertyValue" && message == "'expiresAt' must be in the future."),
        "{error:?}"
    );
    assert_eq!(fake.creates(), 1);
}

#[tokio::test]
async fn a_429_is_quota_exhausted_with_retry_after() {
    let fake = FakeBackbone::start(answering(|_| {
        Reply::error(429, "error.platform.quotaExhausted", "quota exhausted")
            .with_header("Retry-After", "120")
    }))
    .await;
    let error = create(&client(&fake.base_url())).await.expect_err("quota");
    assert!(
        matches!(&error, BackboneError::QuotaExhausted { message, retry_after: Some(d) }
            if message == "quota exhausted" && *d == Duration::from_secs(120)),
        "{error:?}"
    );
    assert_eq!(fake.creates(), 1);
}

#[tokio::test]
async fn a_500_envelope_is_a_server_error_with_its_code() {
    let fake = FakeBackbone::start(answering(|_| {
        Reply::error(
            500,
            "error.platform.unexpected",
            "An unexpected error occurred.",
        )
    }))
    .await;
    let error = create(&client(&fake.base_url()))
        .await
        .expect_err("server error");
    assert!(
        matches!(&error, BackboneError::ServerError { status: 500, code: Some(code) } if code == "error.platform.unexpected"),
        "{error:?}"
    );
    assert_eq!(fake.creates(), 1, "not retried");
}

#[tokio::test]
async fn a_503_without_body_is_unavailable_and_not_retried() {
    let fake = FakeBackbone::start(answering(|_| Reply::empty(503))).await;
    let error = create(&client(&fake.base_url()))
        .await
        .expect_err("unavailable");
    assert!(
        matches!(error, BackboneError::Unavailable { .. }),
        "{error:?}"
    );
    assert_eq!(fake.creates(), 1);
}

#[tokio::test]
async fn an_unreadable_201_is_unexpected_and_not_retried() {
    let fake = FakeBackbone::start(answering(|_| {
        Reply::json(201, serde_json::json!({"result": {}}))
    }))
    .await;
    let error = create(&client(&fake.base_url()))
        .await
        .expect_err("unreadable");
    assert!(
        matches!(error, BackboneError::UnexpectedResponse { status: 201, .. }),
        "{error:?}"
    );
    assert_eq!(fake.creates(), 1);
}

#[tokio::test]
async fn a_408_is_retried_once_because_the_request_was_never_read() {
    let fake = FakeBackbone::start(answering(|n| {
        if n == 0 {
            Reply::empty(408)
        } else {
            Reply::created(n)
        }
    }))
    .await;
    let created = create(&client(&fake.base_url()))
        .await
        .expect("created on the retry");
    assert_eq!(created.id.as_str(), "TOK00000000000000001");
    assert_eq!(fake.creates(), 2);
}

#[tokio::test]
async fn a_second_408_is_an_error_not_a_loop() {
    let fake = FakeBackbone::start(answering(|_| Reply::empty(408))).await;
    let error = create(&client(&fake.base_url()))
        .await
        .expect_err("408 twice");
    assert!(
        matches!(error, BackboneError::UnexpectedResponse { status: 408, .. }),
        "{error:?}"
    );
    assert_eq!(fake.creates(), 2);
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    let mut config = config(&unused_address().await);
    config.connect_retry_delay = Duration::from_millis(10);
    let error = create(&client_with(config))
        .await
        .expect_err("nothing listens");
    assert!(
        matches!(error, BackboneError::Unavailable { .. }),
        "{error:?}"
    );
    assert_no_secret(&error);
}

#[tokio::test]
async fn a_create_whose_connection_could_not_be_opened_is_retried_once() {
    let script = answering(Reply::created);
    let fake = FakeBackbone::start(script.clone()).await;
    let mut config = config(&fake.base_url());
    config.connect_retry_delay = Duration::from_millis(700);
    let client = client_with(config);
    create(&client).await.expect("created");

    // The Backbone goes away; the first attempt is refused, and it is back for the retry.
    let addr = fake.stop().await;
    let pending = tokio::spawn({
        let client = client.clone();
        async move { create(&client).await }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let restarted = FakeBackbone::start_on(addr, script).await;
    let created = pending
        .await
        .expect("completes")
        .expect("created on the retry");
    assert_eq!(created.id.as_str(), "TOK00000000000000000");
    assert_eq!(restarted.creates(), 1);
    assert_eq!(restarted.logins(), 0, "the cached login is kept");
}

#[tokio::test]
async fn a_slow_backbone_times_out_within_the_configured_timeout_and_is_not_retried() {
    let fake = FakeBackbone::start(answering(|n| {
        Reply::created(n).after(Duration::from_secs(5))
    }))
    .await;
    let mut config = config(&fake.base_url());
    config.request_timeout = Duration::from_millis(300);
    let started = Instant::now();
    let error = create(&client_with(config)).await.expect_err("too slow");
    assert!(
        matches!(error, BackboneError::Timeout(limit) if limit == Duration::from_millis(300)),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        fake.creates(),
        1,
        "a create that may have reached the Backbone is never repeated"
    );
}

#[tokio::test]
async fn a_connection_dropped_after_the_request_is_lost_and_not_retried() {
    let fake = FakeBackbone::start(answering(|_| Reply::Hangup)).await;
    let error = create(&client(&fake.base_url()))
        .await
        .expect_err("dropped");
    assert!(
        matches!(error, BackboneError::ConnectionLost { .. }),
        "{error:?}"
    );
    assert_eq!(
        fake.creates(),
        1,
        "a create that may have reached the Backbone is never repeated"
    );
}
