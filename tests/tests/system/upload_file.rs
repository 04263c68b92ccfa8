//! `POST …/Files/Own`: a File uploaded over HTTP is on the Backbone exactly as encrypted, is
//! stored here with what a download needs, answers the Connector's DTO of each version, and can
//! be shared through a token; bad forms get the runtime's messages and upload nothing.

use domain::file::decrypt_download;
use domain::{FileId, FileMetadata};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use system_tests::{API_KEY, Engine, TestApp, status_and_json};

fn file_part(content: &[u8], filename: &str, media_type: &str) -> Part {
    Part::bytes(content.to_vec())
        .file_name(filename.to_owned())
        .mime_str(media_type)
        .unwrap()
}

async fn upload(app: &TestApp, prefix: &str, form: Form) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}{prefix}/Files/Own", app.address))
        .header("X-API-KEY", API_KEY)
        .multipart(form)
        .send()
        .await
        .expect("the server answers");
    status_and_json(response).await
}

async fn an_uploaded_file_is_on_the_backbone_and_stored_here(engine: Engine) {
    let app = TestApp::spawn_on(engine, &[]).await;
    let content = "Grüße aus dem Test\n".as_bytes();
    let form = Form::new()
        .text("title", "Ein Titel")
        .text("description", "A description")
        .text("expiresAt", "2099-12-31T00:00:00.000Z")
        .part("file", file_part(content, "ÄÖÜ.txt", "text/plain"))
        .text("tags", "tag1")
        .text("tags", "tag2");
    let (status, body) = upload(&app, "/api/v2", form).await;
    assert_eq!(status, 201, "{body}");
    let dto = &body["result"];
    assert_eq!(
        dto["filename"], "ÄÖÜ.txt",
        "UTF-8 filenames as the Connector reads them"
    );
    assert_eq!(dto["title"], "Ein Titel");
    assert_eq!(dto["mimetype"], "text/plain");
    assert_eq!(dto["filesize"], content.len());
    assert_eq!(dto["tags"], json!(["tag1", "tag2"]));
    assert_eq!(dto["expiresAt"], "2099-12-31T00:00:00.000Z");
    assert_eq!(dto["isOwn"], true);
    assert_eq!(dto["owner"], app.device.address.as_str());
    assert_eq!(dto["truncatedReference"], dto["reference"]["truncated"]);
    assert!(
        dto["ownershipToken"]
            .as_str()
            .is_some_and(|t| t.len() == 20)
    );

    // The Backbone has exactly what the metadata key and the stored hashes open.
    let id = FileId::parse(dto["id"].as_str().unwrap()).unwrap();
    let stored = app
        .store
        .files()
        .find_file(&id)
        .await
        .unwrap()
        .expect("stored");
    let on_backbone = app.simulator.file(id.as_str()).expect("on the Backbone");
    let stored_content = stored.content.clone().expect("downloadable");
    let opened = decrypt_download(
        &on_backbone.content,
        &stored_content.cipher_hash,
        &stored_content.cipher_key,
        &stored_content.plaintext_hash,
    )
    .unwrap();
    assert_eq!(opened, content);
    let reference =
        domain::FileReference::parse(dto["reference"]["truncated"].as_str().unwrap()).unwrap();
    assert_eq!(reference.key, stored.secret_key);
    let metadata = FileMetadata::decrypt(
        &domain::encoding::b64url(&on_backbone.metadata.encrypted_properties),
        &reference.key,
    )
    .unwrap();
    assert_eq!(metadata.filename, "ÄÖÜ.txt");

    // And it can be shared like any stored File.
    let response = app
        .post_token(id.as_str())
        .json(&json!({"ephemeral": false}))
        .send()
        .await
        .unwrap();
    let (status, token) = status_and_json(response).await;
    assert_eq!(status, 201, "{token}");
    assert_eq!(token["result"]["content"]["fileId"], id.as_str());
}

#[tokio::test]
async fn an_uploaded_file_is_on_the_backbone_and_stored_here_on_postgres() {
    an_uploaded_file_is_on_the_backbone_and_stored_here(Engine::Postgres).await;
}

#[tokio::test]
async fn an_uploaded_file_is_on_the_backbone_and_stored_here_on_sqlite() {
    an_uploaded_file_is_on_the_backbone_and_stored_here(Engine::Sqlite).await;
}

#[tokio::test]
async fn the_v7_route_answers_the_v7_dto_and_an_empty_file_uploads() {
    let app = TestApp::spawn().await;
    let form = Form::new().part(
        "file",
        file_part(b"", "empty.bin", "application/octet-stream"),
    );
    let (status, body) = upload(&app, "/api/core/v1", form).await;
    assert_eq!(status, 201, "{body}");
    let dto = &body["result"];
    assert_eq!(dto["filesize"], 0);
    assert_eq!(
        dto["expiresAt"], "9999-12-31T00:00:00.000Z",
        "the runtime's default"
    );
    assert!(
        dto.get("title").is_none(),
        "v7 leaves an absent title out: {dto}"
    );
    assert!(dto.get("truncatedReference").is_none(), "{dto}");
    assert!(dto.get("tags").is_none(), "{dto}");
}

#[tokio::test]
async fn bad_forms_get_the_runtimes_messages_and_upload_nothing() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            Form::new().text("title", "no file"),
            "must have required property 'content'",
        ),
        (
            Form::new()
                .part("file", file_part(b"x", "a.txt", "text/plain"))
                .text("expiresAt", "2000-01-01T00:00:00.000Z"),
            "'expiresAt' must be in the future",
        ),
        (
            Form::new()
                .part("file", file_part(b"x", "a.txt", "text/plain"))
                .text("expiresAt", "soon"),
            "expiresAt must match ISO8601 datetime format",
        ),
        (
            Form::new()
                .part("file", file_part(b"x", "a.txt", "text/plain"))
                .text("tags", "only-one"),
            "tags must be array",
        ),
        (
            Form::new()
                .part("file", file_part(b"x", "a.txt", "text/plain"))
                .text("tags", "same")
                .text("tags", "same"),
            "tags must NOT have duplicate items (items ## 1 and 0 are identical)",
        ),
    ];
    for (form, message) in cases {
        let (status, body) = upload(&app, "/api/v2", form).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            body["error"]["code"],
            "error.runtime.validation.invalidPropertyValue"
        );
        assert_eq!(body["error"]["message"], message);
    }
    let json = app
        .client
        .post(format!("{}/api/v2/Files/Own", app.address))
        .header("X-API-KEY", API_KEY)
        .json(&json!({"title": "json is no form"}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(json).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        app.simulator.files().is_empty(),
        "nothing reached the Backbone"
    );
}

#[tokio::test]
async fn content_too_large_is_refused_with_a_clear_limit() {
    let app = TestApp::spawn().await;
    let too_large = vec![b'a'; domain::file::MAX_PLAINTEXT_LEN + 1];
    let form = Form::new().part(
        "file",
        file_part(&too_large, "big.bin", "application/octet-stream"),
    );
    let (status, body) = upload(&app, "/api/v2", form).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&domain::file::MAX_PLAINTEXT_LEN.to_string()),
        "{body}"
    );
    let beyond = vec![b'a'; 11 * 1024 * 1024];
    let form = Form::new().part(
        "file",
        file_part(&beyond, "huge.bin", "application/octet-stream"),
    );
    let (status, body) = upload(&app, "/api/v2", form).await;
    assert_eq!(status, 413, "{body}");
    assert!(app.simulator.files().is_empty());
}
