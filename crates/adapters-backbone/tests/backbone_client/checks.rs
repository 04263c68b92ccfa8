//! The health checks: an anonymous, quick `GET /api/v2/Version`, and a valid login.

use std::sync::Arc;
use std::time::Duration;

use application::ports::BackboneError;

use crate::fake::{FakeBackbone, LOGIN, Recorded, Reply, VERSION, unused_address};
use crate::{client, client_with, config};

fn version(reply: Reply) -> crate::fake::Script {
    Arc::new(move |request: &Recorded, _| match request.path.as_str() {
        VERSION => reply.clone(),
        LOGIN => Reply::login("access", 300),
        _ => Reply::empty(404),
    })
}

#[tokio::test]
async fn check_connection_asks_for_the_version_anonymously() {
    let fake = FakeBackbone::start(version(Reply::json(
        200,
        serde_json::json!({"result": {"majorVersion": "7"}}),
    )))
    .await;
    client(&fake.base_url())
        .check_connection()
        .await
        .expect("reachable");
    let request = &fake.requests_to(VERSION)[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.header("authorization"), None);
    assert_eq!(fake.logins(), 0);
}

#[tokio::test]
async fn check_connection_reports_an_unavailable_backbone() {
    let fake = FakeBackbone::start(version(Reply::empty(503))).await;
    let error = client(&fake.base_url())
        .check_connection()
        .await
        .expect_err("503");
    assert!(
        matches!(error, BackboneError::Unavailable { .. }),
        "{error:?}"
    );

    let error = client(&unused_address().await)
        .check_connection()
        .await
        .expect_err("refused");
    assert!(
        matches!(error, BackboneError::Unavailable { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn check_connection_uses_the_health_check_timeout() {
    let fake = FakeBackbone::start(version(Reply::empty(200).after(Duration::from_secs(5)))).await;
    let mut config = config(&fake.base_url());
    config.health_check_timeout = Duration::from_millis(200);
    let error = client_with(config)
        .check_connection()
        .await
        .expect_err("too slow");
    assert!(
        matches!(error, BackboneError::Timeout(limit) if limit == Duration::from_millis(200)),
        "{error:?}"
    );
}

#[tokio::test]
async fn check_authentication_logs_in_once_and_then_uses_the_cache() {
    let fake = FakeBackbone::start(version(Reply::empty(200))).await;
    let client = client(&fake.base_url());
    client.check_authentication().await.expect("logged in");
    client.check_authentication().await.expect("cached");
    assert_eq!(fake.logins(), 1);
}

#[tokio::test]
async fn check_authentication_reports_refused_credentials() {
    let fake = FakeBackbone::start(Arc::new(|_: &Recorded, _| {
        Reply::json(400, serde_json::json!({"error": "invalid_grant"}))
    }))
    .await;
    let error = client(&fake.base_url())
        .check_authentication()
        .await
        .expect_err("refused");
    assert!(
        matches!(error, BackboneError::AuthenticationFailed { .. }),
        "{error:?}"
    );
}
