//! `DELETE …/Files/{id}` and `PATCH …/Files/{id}/RegenerateOwnershipToken` on uploaded Files.

use reqwest::multipart::{Form, Part};
use serde_json::Value;
use system_tests::{API_KEY, TestApp, status_and_json};

async fn upload(app: &TestApp) -> Value {
    let part = Part::bytes(b"to be managed".to_vec())
        .file_name("managed.txt")
        .mime_str("text/plain")
        .unwrap();
    let response = app
        .client
        .post(format!("{}/api/v2/Files/Own", app.address))
        .header("X-API-KEY", API_KEY)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201, "{body}");
    body["result"].clone()
}

fn request(app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    app.client
        .request(method, format!("{}{path}", app.address))
        .header("X-API-KEY", API_KEY)
}

#[tokio::test]
async fn a_deleted_file_is_gone_here_and_on_the_backbone() {
    let app = TestApp::spawn().await;
    let id = upload(&app).await["id"].as_str().unwrap().to_owned();
    assert!(app.simulator.file(&id).is_some());

    let deleted = request(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v2/Files/{id}"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert!(deleted.bytes().await.unwrap().is_empty(), "no body");

    let (status, body) = status_and_json(
        request(&app, reqwest::Method::GET, &format!("/api/v2/Files/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert!(
        app.simulator.file(&id).is_none(),
        "deleted on the Backbone too"
    );
    let again = request(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/core/v1/Files/{id}"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(again.status().as_u16(), 404);
}

#[tokio::test]
async fn a_new_ownership_token_replaces_the_old_one() {
    let app = TestApp::spawn().await;
    let file = upload(&app).await;
    let id = file["id"].as_str().unwrap();
    let (status, body) = status_and_json(
        request(
            &app,
            reqwest::Method::PATCH,
            &format!("/api/v2/Files/{id}/RegenerateOwnershipToken"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = body["result"]["ownershipToken"].as_str().unwrap();
    assert_eq!(token.len(), 20);
    assert_ne!(Some(token), file["ownershipToken"].as_str());
    let (_, stored) = status_and_json(
        request(&app, reqwest::Method::GET, &format!("/api/v2/Files/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(stored["result"]["ownershipToken"], token, "kept here");
}
