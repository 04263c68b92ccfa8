//! The create request as the Backbone receives it, and the created token as the port returns it.

use application::ports::BackboneTokens;
use domain::IdentityAddress;

use crate::fake::{FakeBackbone, Reply, TOKENS, routes};
use crate::{client, token};

#[tokio::test]
async fn the_body_omits_absent_optionals() {
    let fake = FakeBackbone::start(routes(|_| Reply::login("access", 300), Reply::created)).await;
    let created = client(&fake.base_url())
        .create_token(&token(), None)
        .await
        .expect("created");
    assert_eq!(created.id.as_str(), "TOK00000000000000000");
    assert_eq!(
        domain::date::format_date(created.created_at),
        "2030-01-01T12:00:00.123Z"
    );

    let request = &fake.requests_to(TOKENS)[0];
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.json(),
        serde_json::json!({"content": "Y29udGVudA", "expiresAt": "2030-01-02T03:04:05.000Z"})
    );
}

#[tokio::test]
async fn the_body_carries_for_identity_and_the_password_hash_in_b64std() {
    let fake = FakeBackbone::start(routes(|_| Reply::login("access", 300), Reply::created)).await;
    let address =
        IdentityAddress::from_parts("localhost", "0123456789abcdef0123").expect("a valid address");
    let mut token = token();
    token.for_identity = Some(address.clone());
    token.password_hash = Some([0xfb; 32]);
    client(&fake.base_url())
        .create_token(&token, None)
        .await
        .expect("created");

    assert_eq!(
        fake.requests_to(TOKENS)[0].json(),
        serde_json::json!({
            "content": "Y29udGVudA",
            "expiresAt": "2030-01-02T03:04:05.000Z",
            "forIdentity": address.as_str(),
            "password": domain::encoding::b64std([0xfb; 32]),
        })
    );
}

#[tokio::test]
async fn the_request_is_json_with_bearer_user_agent_and_correlation_id() {
    let fake = FakeBackbone::start(routes(|_| Reply::login("access", 300), Reply::created)).await;
    let client = client(&fake.base_url());
    client
        .create_token(&token(), Some("corr-123".to_owned()))
        .await
        .expect("created");
    client.create_token(&token(), None).await.expect("created");

    let requests = fake.requests_to(TOKENS);
    let first = &requests[0];
    assert_eq!(first.header("authorization"), Some("Bearer access"));
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.header("accept"), Some("application/json"));
    assert!(
        first
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("enmeshed-token-connector/")),
        "{first:?}"
    );
    assert_eq!(first.header("x-correlation-id"), Some("corr-123"));
    assert_eq!(requests[1].header("x-correlation-id"), None);
}
