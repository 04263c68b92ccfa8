//! `POST …/Files/Peer`: a File loaded by Token or File reference, from the local store when it
//! is there, else from the Backbone (then downloadable, byte for byte); refusals as the
//! Connector's.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use system_tests::{API_KEY, TestApp, status_and_json};

async fn upload(app: &TestApp, content: &[u8]) -> Value {
    let part = Part::bytes(content.to_vec())
        .file_name("peer file.bin")
        .mime_str("application/octet-stream")
        .unwrap();
    let response = app
        .client
        .post(format!("{}/api/v2/Files/Own", app.address))
        .header("X-API-KEY", API_KEY)
        .multipart(Form::new().part("file", part).text("title", "Shared"))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201, "{body}");
    body["result"].clone()
}

async fn load(app: &TestApp, prefix: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}{prefix}/Files/Peer", app.address))
        .header("X-API-KEY", API_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

/// Forgets the File locally, as a peer that never had it.
fn forget(app: &TestApp, id: &str) {
    app.store
        .execute(&format!("DELETE FROM files WHERE id = '{id}'"));
}

#[tokio::test]
async fn a_file_loaded_by_a_password_token_is_stored_as_a_peers_and_downloads_byte_for_byte() {
    let app = TestApp::spawn().await;
    let content: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let file = upload(&app, &content).await;
    let id = file["id"].as_str().unwrap();
    let response = app
        .post_token(id)
        .json(&json!({"ephemeral": true, "passwordProtection": {"password": "1234", "passwordIsPin": true}}))
        .send()
        .await
        .unwrap();
    let (status, token) = status_and_json(response).await;
    assert_eq!(status, 201, "{token}");
    let reference = token["result"]["reference"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    forget(&app, id);

    let (status, body) = load(&app, "/api/v2", json!({"reference": reference})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "error.transport.noPasswordProvided");
    // (A wrong PIN cannot be shown here: the Backbone hands its creator a token whatever the
    // password; a peer's wrong password is the interop tests' and the simulator's.)

    let (status, body) = load(
        &app,
        "/api/v2",
        json!({"reference": reference, "password": "1234"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let loaded = &body["result"];
    assert_eq!(loaded["id"], id);
    assert_eq!(loaded["isOwn"], false);
    assert_eq!(loaded["title"], "Shared");
    assert_eq!(loaded["filename"], "peer file.bin");
    assert!(loaded.get("ownershipToken").is_none(), "{loaded}");
    assert_eq!(
        loaded["reference"], file["reference"],
        "the same File reference"
    );

    let downloaded = app
        .client
        .get(format!("{}/api/v2/Files/{id}/Download", app.address))
        .header("X-API-KEY", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(downloaded.status().as_u16(), 200);
    assert_eq!(
        downloaded.bytes().await.unwrap().as_ref(),
        content.as_slice()
    );
}

#[tokio::test]
async fn a_file_reference_loads_the_file_and_a_stored_file_is_answered_as_it_is() {
    let app = TestApp::spawn().await;
    let file = upload(&app, b"by file reference").await;
    let id = file["id"].as_str().unwrap();
    let truncated = file["reference"]["truncated"].as_str().unwrap();

    let (status, body) = load(&app, "/api/core/v1", json!({"reference": truncated})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["result"]["isOwn"], true,
        "already stored: an own File stays own"
    );

    forget(&app, id);
    let (status, body) = load(&app, "/api/core/v1", json!({"reference": truncated})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["result"]["isOwn"], false);
    assert!(
        body["result"].get("truncatedReference").is_none(),
        "the v7 DTO"
    );
}

#[tokio::test]
async fn what_the_schema_refuses_gets_its_one_message() {
    let app = TestApp::spawn().await;
    for body in [
        json!({}),
        json!({"reference": ""}),
        json!({"reference": "FILAAAAAAAAAAAAAAAAA"}),
        json!({"reference": "https://x/r/FILAAAAAAAAAAAAAAAAA#abc", "extra": 1}),
    ] {
        let (status, answer) = load(&app, "/api/v2", body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"]["message"], "token / file reference invalid");
    }
}
