//! `delete_token`: the exact request, what counts as deleted, and its bounded retries.

use std::time::Duration;

use application::ports::{BackboneError, BackboneTokens};
use domain::TokenId;

use crate::fake::{FakeBackbone, LOGIN, Reply, Script};
use crate::{client_with, config};

const TOKEN: &str = "TOKaaaaaaaaaaaaaaaaa";
const TOKEN_PATH: &str = "/api/v2/Tokens/TOKaaaaaaaaaaaaaaaaa";

/// Logins always succeed (with a new access token each time); deletes answer `delete(n)`.
fn deleting(delete: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Script {
    std::sync::Arc::new(move |request, n| match request.path.as_str() {
        LOGIN => Reply::login(&format!("access-{n}"), 300),
        TOKEN_PATH if request.method == "DELETE" => delete(n),
        _ => Reply::empty(404),
    })
}

async fn delete(fake: &FakeBackbone) -> Result<(), BackboneError> {
    let mut config = config(&fake.base_url());
    config.connect_retry_delay = Duration::from_millis(10);
    let id = TokenId::parse(TOKEN).expect("a valid id");
    client_with(config)
        .delete_token(&id, Some("corr-7".to_owned()))
        .await
}

#[tokio::test]
async fn a_204_deletes_with_one_authorized_request() {
    let fake = FakeBackbone::start(deleting(|_| Reply::empty(204))).await;

    delete(&fake).await.expect("deleted");

    let requests = fake.requests_to(TOKEN_PATH);
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "DELETE");
    assert_eq!(requests[0].header("authorization"), Some("Bearer access-0"));
    assert_eq!(requests[0].header("x-correlation-id"), Some("corr-7"));
}

#[tokio::test]
async fn a_404_means_the_token_is_gone_already() {
    let fake = FakeBackbone::start(deleting(|_| {
        Reply::error(404, "error.platform.recordNotFound", "Token not found.")
    }))
    .await;

    delete(&fake).await.expect("nothing left to delete");

    assert_eq!(fake.requests_to(TOKEN_PATH).len(), 1);
}

#[tokio::test]
async fn a_server_error_or_a_lost_answer_is_retried() {
    let fake = FakeBackbone::start(deleting(|n| match n {
        0 => Reply::error(
            500,
            "error.platform.unexpected",
            "An unexpected error occurred.",
        ),
        1 => Reply::Hangup,
        _ => Reply::empty(204),
    }))
    .await;

    delete(&fake).await.expect("deleted on the third attempt");

    assert_eq!(fake.requests_to(TOKEN_PATH).len(), 3);
}

#[tokio::test]
async fn the_retries_are_bounded_and_the_last_error_is_returned() {
    let fake = FakeBackbone::start(deleting(|_| Reply::empty(503))).await;

    let error = delete(&fake).await.expect_err("never deleted");

    assert!(
        matches!(error, BackboneError::Unavailable { .. }),
        "{error:?}"
    );
    assert_eq!(fake.requests_to(TOKEN_PATH).len(), 3);
}

#[tokio::test]
async fn a_refusal_is_not_retried() {
    let fake = FakeBackbone::start(deleting(|_| {
        Reply::error(
            403,
            "error.platform.forbidden",
            "You are not allowed to do this.",
        )
    }))
    .await;

    let error = delete(&fake).await.expect_err("refused");

    assert!(
        matches!(&error, BackboneError::Rejected { code, .. } if code == "error.platform.forbidden"),
        "{error:?}"
    );
    assert_eq!(fake.requests_to(TOKEN_PATH).len(), 1);
}

#[tokio::test]
async fn a_401_logs_in_again_before_the_retry() {
    let fake = FakeBackbone::start(deleting(|n| {
        if n == 0 {
            Reply::empty(401)
        } else {
            Reply::empty(204)
        }
    }))
    .await;

    delete(&fake).await.expect("deleted after a new login");

    let requests = fake.requests_to(TOKEN_PATH);
    assert_eq!(requests.len(), 2);
    assert_eq!(fake.logins(), 2);
    assert_eq!(requests[1].header("authorization"), Some("Bearer access-1"));
}
