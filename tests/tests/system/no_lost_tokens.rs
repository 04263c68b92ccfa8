//! No input may lose a token: what a client can send is stored losslessly on both engines, and a
//! token the Backbone accepted but the database could not store is deleted on the Backbone again.

use backbone_sim::Fault;
use domain::TokenId;
use serde_json::{Value, json};
use system_tests::{Engine, TestApp};

/// The request schemathesis found: a password with U+0000, which PostgreSQL's `text` refuses.
const NUL_PASSWORD_BODY: &str =
    r#"{"ephemeral":false,"passwordProtection":{"password":"ab\u0000cd"}}"#;

async fn post_raw(app: &TestApp, body: &'static str) -> (u16, Value) {
    let response = app
        .post_token(app.file.id.as_str())
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    system_tests::status_and_json(response).await
}

/// Every token on the Backbone is one this service stored.
async fn assert_no_token_is_orphaned(app: &TestApp) {
    for token in app.simulator.tokens() {
        let stored = app
            .store
            .tokens()
            .find_token(&system_tests::oracle::domain_token_id(&token.id))
            .await
            .unwrap();
        assert!(stored.is_some(), "{} is on the Backbone only", token.id);
    }
}

async fn a_password_with_nul_is_stored_as_sent(engine: Engine) {
    let app = TestApp::spawn_on(engine, &[]).await;

    let (status, body) = post_raw(&app, NUL_PASSWORD_BODY).await;

    assert_eq!(status, 201, "{body}");
    let answered = &body["result"];
    assert_eq!(answered["passwordProtection"]["password"], "ab\u{0}cd");
    let id = TokenId::parse(answered["id"].as_str().unwrap()).unwrap();
    let stored = app.store.tokens().find_token(&id).await.unwrap().unwrap();
    assert_eq!(stored.password_protection.unwrap().password, "ab\u{0}cd");
    assert_eq!((app.stored_tokens(), app.simulator.token_count()), (1, 1));
    assert_no_token_is_orphaned(&app).await;
}

#[tokio::test]
async fn a_password_with_nul_is_stored_as_sent_on_postgres() {
    a_password_with_nul_is_stored_as_sent(Engine::Postgres).await;
}

#[tokio::test]
async fn a_password_with_nul_is_stored_as_sent_on_sqlite() {
    a_password_with_nul_is_stored_as_sent(Engine::Sqlite).await;
}

async fn a_token_that_cannot_be_stored_is_deleted_on_the_backbone(engine: Engine) {
    let app = TestApp::spawn_on(engine, &[]).await;
    app.store
        .execute("ALTER TABLE tokens RENAME TO tokens_unavailable");

    let (status, body) = post_raw(&app, NUL_PASSWORD_BODY).await;

    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"]["code"], "error.connector.tokenNotStored");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "The token could not be stored locally, so it was deleted on the Backbone again (Token TOK"
        ),
        "{message}"
    );
    assert_eq!(
        app.simulator.token_count(),
        0,
        "no token is left on the Backbone"
    );
}

#[tokio::test]
async fn a_token_that_cannot_be_stored_is_deleted_on_the_backbone_on_postgres() {
    a_token_that_cannot_be_stored_is_deleted_on_the_backbone(Engine::Postgres).await;
}

#[tokio::test]
async fn a_token_that_cannot_be_stored_is_deleted_on_the_backbone_on_sqlite() {
    a_token_that_cannot_be_stored_is_deleted_on_the_backbone(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_token_that_can_be_neither_stored_nor_deleted_is_named_in_the_answer() {
    let app = TestApp::spawn().await;
    app.store
        .execute("ALTER TABLE tokens RENAME TO tokens_unavailable");
    app.simulator.faults().inject(
        Fault::error_500()
            .on("DELETE", "/api/v2/Tokens/")
            .until_cleared(),
    );

    let (status, body) = app.create_token(json!({"ephemeral": false})).await;

    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"]["code"], "error.connector.tokenNotStored");
    let created = app.simulator.tokens();
    assert_eq!(
        created.len(),
        1,
        "the delete failed, so the token is still there"
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert_eq!(
        message,
        format!(
            "Token {} was created on the Backbone but could not be stored locally, and deleting it on the \
             Backbone failed too: it stays there until it expires, but its reference was never given out. \
             Send the request again to create a new token.",
            created[0].id
        )
    );
}
