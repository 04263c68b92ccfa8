//! `GET /api/v2/Tokens/{id}` as the Backbone receives it (the password hash as the runtime
//! sends it) and the token as the port returns it.

use std::sync::Arc;

use application::ports::{BackboneError, BackboneTokens};
use domain::TokenId;
use serde_json::json;

use crate::client;
use crate::fake::{FakeBackbone, LOGIN, Recorded, Reply};

const PATH: &str = "/api/v2/Tokens/TOKAAAAAAAAAAAAAAAAA";

fn id() -> TokenId {
    TokenId::parse("TOKAAAAAAAAAAAAAAAAA").expect("an id")
}

#[tokio::test]
async fn a_token_is_read_with_its_password_hash_in_standard_base64() {
    let fake = FakeBackbone::start(Arc::new(|request: &Recorded, _| match request.path.as_str() {
        LOGIN => Reply::login("access", 300),
        PATH => Reply::json(
            200,
            json!({"result": {"id": "TOKAAAAAAAAAAAAAAAAA", "createdBy": "did:e:localhost:dids:63c98b9b34bd7ce8a891f9",
                "createdByDevice": "DVCAAAAAAAAAAAAAAAAA", "createdAt": "2030-01-01T12:00:00.000Z",
                "expiresAt": "2030-01-02T12:00:00.000Z", "content": "Y29udGVudA"}}),
        ),
        _ => Reply::empty(404),
    }))
    .await;
    let token = client(&fake.base_url())
        .get_token(&id(), Some([0xfb; 32]), None)
        .await
        .expect("read");
    assert_eq!(token.content, "Y29udGVudA");
    assert_eq!(token.for_identity, None);
    let request = &fake.requests_to(PATH)[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.header("authorization"), Some("Bearer access"));
    assert_eq!(
        request.query.as_deref(),
        Some(
            format!(
                "password={}",
                urlencoded(&domain::encoding::b64std([0xfb; 32]))
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn an_unknown_token_or_a_wrong_password_is_the_backbones_not_found() {
    let fake = FakeBackbone::start(Arc::new(|request: &Recorded, _| {
        match request.path.as_str() {
            LOGIN => Reply::login("access", 300),
            _ => Reply::error(404, "error.platform.recordNotFound", "Token not found."),
        }
    }))
    .await;
    let error = client(&fake.base_url())
        .get_token(&id(), None, None)
        .await
        .expect_err("not found");
    assert!(
        matches!(&error, BackboneError::Rejected { code, .. } if code == "error.platform.recordNotFound"),
        "{error:?}"
    );
}

fn urlencoded(text: &str) -> String {
    text.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}
