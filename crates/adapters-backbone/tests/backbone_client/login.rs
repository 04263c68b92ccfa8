//! Login: the form sent, caching, refresh before expiry, one shared login, one re-login on 401,
//! one retry of a login the Backbone did not read (408).

use std::time::Duration;

use application::ports::BackboneError;

use crate::fake::{FakeBackbone, LOGIN, Reply, TOKENS, routes};
use crate::{
    CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME, assert_no_secret, client, create,
    create_concurrently,
};

fn numbered_logins(expires_in: u64) -> impl Fn(usize) -> Reply + Send + Sync + 'static {
    move |n| Reply::login(&format!("access-{n}"), expires_in)
}

#[tokio::test]
async fn the_login_posts_the_password_grant_form() {
    let fake = FakeBackbone::start(routes(numbered_logins(300), Reply::created)).await;
    create(&client(&fake.base_url())).await.expect("created");

    let login = &fake.requests_to(LOGIN)[0];
    assert_eq!(login.method, "POST");
    assert_eq!(
        login.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form = login.form();
    assert_eq!(form.len(), 5, "{form:?}");
    assert_eq!(form["grant_type"], "password");
    assert_eq!(form["client_id"], CLIENT_ID);
    assert_eq!(form["client_secret"], CLIENT_SECRET);
    assert_eq!(form["username"], USERNAME);
    assert_eq!(form["password"], PASSWORD);
}

#[tokio::test]
async fn the_login_is_cached_and_reused() {
    let fake = FakeBackbone::start(routes(numbered_logins(300), Reply::created)).await;
    let client = client(&fake.base_url());
    for _ in 0..3 {
        create(&client).await.expect("created");
    }
    assert_eq!(fake.logins(), 1);
    let bearers: Vec<_> = fake
        .requests_to(TOKENS)
        .iter()
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(bearers, vec![Some("Bearer access-0".to_owned()); 3]);
}

#[tokio::test]
async fn the_login_is_refreshed_ten_seconds_before_it_expires() {
    // expires_in 12 s: fresh for 2 s only, because of the 10 s margin.
    let fake = FakeBackbone::start(routes(numbered_logins(12), Reply::created)).await;
    let client = client(&fake.base_url());
    create(&client).await.expect("created");
    create(&client).await.expect("created");
    assert_eq!(fake.logins(), 1, "still fresh");

    tokio::time::sleep(Duration::from_millis(2200)).await;
    create(&client).await.expect("created");
    assert_eq!(fake.logins(), 2, "refreshed 10 s before expiry");
    assert_eq!(
        fake.requests_to(TOKENS)[2].header("authorization"),
        Some("Bearer access-1")
    );
}

#[tokio::test]
async fn a_token_that_expires_within_the_margin_serves_only_the_call_that_fetched_it() {
    let fake = FakeBackbone::start(routes(numbered_logins(10), Reply::created)).await;
    let client = client(&fake.base_url());
    create(&client).await.expect("created");
    create(&client).await.expect("created");
    assert_eq!(fake.logins(), 2);
}

#[tokio::test]
async fn concurrent_creates_share_one_login() {
    let fake = FakeBackbone::start(routes(
        |n| Reply::login(&format!("access-{n}"), 300).after(Duration::from_millis(300)),
        Reply::created,
    ))
    .await;
    let client = client(&fake.base_url());
    for result in create_concurrently(&client, 10).await {
        result.expect("created");
    }
    assert_eq!(fake.logins(), 1);
    assert_eq!(fake.creates(), 10);
}

#[tokio::test]
async fn concurrent_callers_share_one_failed_login() {
    let fake = FakeBackbone::start(routes(
        |_| {
            Reply::json(400, serde_json::json!({"error": "invalid_grant"}))
                .after(Duration::from_millis(300))
        },
        Reply::created,
    ))
    .await;
    let client = client(&fake.base_url());
    for result in create_concurrently(&client, 5).await {
        let error = result.expect_err("the login is refused");
        assert!(
            matches!(error, BackboneError::AuthenticationFailed { .. }),
            "{error:?}"
        );
    }
    assert_eq!(
        fake.logins(),
        1,
        "a refused login is not repeated by every waiting caller"
    );
    assert_eq!(fake.creates(), 0);
}

#[tokio::test]
async fn a_refused_login_is_an_authentication_failure_without_secrets() {
    let cases = [
        (
            400,
            serde_json::json!({"error": "invalid_grant", "error_description": "invalid_username_or_password"}),
            "invalid_grant",
        ),
        (
            401,
            serde_json::json!({"error": "invalid_client"}),
            "invalid_client",
        ),
    ];
    for (status, body, expected) in cases {
        let fake = FakeBackbone::start(routes(
            move |_| Reply::json(status, body.clone()),
            Reply::created,
        ))
        .await;
        let error = create(&client(&fake.base_url()))
            .await
            .expect_err("refused");
        assert!(
            matches!(&error, BackboneError::AuthenticationFailed { detail } if detail.contains(expected)),
            "{error:?}"
        );
        assert_no_secret(&error);
        assert_eq!(fake.creates(), 0);
    }
}

#[tokio::test]
async fn a_401_logs_in_again_and_retries_once() {
    let fake = FakeBackbone::start(routes(numbered_logins(300), |n| {
        if n == 0 {
            Reply::empty(401).with_header("WWW-Authenticate", "Bearer")
        } else {
            Reply::created(n)
        }
    }))
    .await;
    let created = create(&client(&fake.base_url()))
        .await
        .expect("created on the retry");
    assert_eq!(created.id.as_str(), "TOK00000000000000001");
    assert_eq!(fake.logins(), 2);
    let bearers: Vec<_> = fake
        .requests_to(TOKENS)
        .iter()
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(
        bearers,
        vec![
            Some("Bearer access-0".to_owned()),
            Some("Bearer access-1".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_second_401_is_an_error_not_a_loop() {
    let fake = FakeBackbone::start(routes(numbered_logins(300), |_| {
        Reply::empty(401).with_header("WWW-Authenticate", "Bearer")
    }))
    .await;
    let error = create(&client(&fake.base_url()))
        .await
        .expect_err("refused twice");
    assert!(
        matches!(error, BackboneError::UnexpectedResponse { status: 401, .. }),
        "{error:?}"
    );
    assert_eq!(fake.logins(), 2);
    assert_eq!(fake.creates(), 2);
}

#[tokio::test]
async fn a_login_answered_408_is_retried_once() {
    let fake = FakeBackbone::start(routes(
        |n| {
            if n == 0 {
                Reply::empty(408)
            } else {
                Reply::login("access", 300)
            }
        },
        Reply::created,
    ))
    .await;
    create(&client(&fake.base_url()))
        .await
        .expect("created after the second login request");
    assert_eq!(fake.logins(), 2);
    assert_eq!(fake.creates(), 1);
}
