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
    assert_eq!(
        body["error"]["message"], "must have required property 'content'",
        "a JSON body is a form without a file, as for the Connector"
    );
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

async fn get(app: &TestApp, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .get(format!("{}{path}", app.address))
        .header("X-API-KEY", API_KEY);
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    request.send().await.expect("the server answers")
}

#[tokio::test]
async fn an_uploaded_file_is_read_back_by_id_or_reference_and_downloads_byte_for_byte() {
    let app = TestApp::spawn().await;
    let content: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let form = Form::new().part(
        "file",
        file_part(&content, "a file ÄÖÜ.bin", "application/x-test"),
    );
    let (status, uploaded) = upload(&app, "/api/v2", form).await;
    assert_eq!(status, 201, "{uploaded}");
    let dto = &uploaded["result"];
    let id = dto["id"].as_str().unwrap();

    let url = dto["reference"]["url"].as_str().unwrap();
    let encoded_url: String = url
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    for key in [
        id,
        dto["reference"]["truncated"].as_str().unwrap(),
        encoded_url.as_str(),
    ] {
        let (status, body) =
            status_and_json(get(&app, &format!("/api/v2/Files/{key}"), None).await).await;
        assert_eq!(status, 200, "{key}: {body}");
        assert_eq!(&body["result"], dto, "the same DTO by {key}");
    }
    let (status, v7) =
        status_and_json(get(&app, &format!("/api/core/v1/Files/{id}"), None).await).await;
    assert_eq!(status, 200, "{v7}");
    assert!(v7["result"].get("truncatedReference").is_none());

    let png = get(&app, &format!("/api/v2/Files/{id}"), Some("image/png")).await;
    assert_eq!(png.status().as_u16(), 200);
    assert_eq!(
        png.headers()["content-disposition"],
        format!("attachment;filename={id}.png").as_str()
    );
    assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG"));

    for prefix in ["/api/v2", "/api/core/v1"] {
        let downloaded = get(&app, &format!("{prefix}/Files/{id}/Download"), None).await;
        assert_eq!(downloaded.status().as_u16(), 200);
        assert_eq!(downloaded.headers()["content-type"], "application/x-test");
        assert_eq!(
            downloaded.headers()["content-disposition"],
            "attachment;filename=a%20file%20%C3%84%C3%96%C3%9C.bin"
        );
        assert_eq!(
            downloaded.bytes().await.unwrap().as_ref(),
            content.as_slice()
        );
    }
}

#[tokio::test]
async fn files_that_cannot_be_read_or_downloaded_say_why() {
    let app = TestApp::spawn().await;
    let unknown = "FILAAAAAAAAAAAAAAAAA";
    let (status, body) =
        status_and_json(get(&app, &format!("/api/v2/Files/{unknown}"), None).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("error.runtime.recordNotFound"))
    );
    let (status, body) =
        status_and_json(get(&app, &format!("/api/v2/Files/{unknown}/Download"), None).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("error.runtime.recordNotFound"))
    );
    let (status, body) = status_and_json(get(&app, "/api/v2/Files/nonsense", None).await).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["error"]["message"],
        "id must match pattern FIL[A-Za-z0-9]{17}"
    );
    // The test File was stored without content, as the demo Files of earlier releases.
    let (status, body) = status_and_json(
        get(
            &app,
            &format!("/api/v2/Files/{}/Download", app.file.id),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["error"]["code"],
        "error.connector.files.contentNotStored"
    );
    // The literal route (the list of own Files) wins over an id named `Own`.
    let (status, body) = status_and_json(get(&app, "/api/v2/Files/Own", None).await).await;
    assert_eq!((status, body["result"].is_array()), (200, true), "{body}");
}

#[tokio::test]
async fn a_file_gone_from_the_backbone_cannot_be_downloaded_and_that_is_said() {
    let app = TestApp::spawn().await;
    let tomorrow = domain::date::format_date(chrono::Utc::now() + chrono::Duration::days(1));
    let form = Form::new()
        .part("file", file_part(b"short-lived", "a.txt", "text/plain"))
        .text("expiresAt", tomorrow);
    let (status, uploaded) = upload(&app, "/api/v2", form).await;
    assert_eq!(status, 201, "{uploaded}");
    let id = uploaded["result"]["id"].as_str().unwrap().to_owned();
    // Expired on the Backbone, still stored here.
    app.simulator
        .advance_clock(std::time::Duration::from_secs(2 * 24 * 3600));
    let (status, body) =
        status_and_json(get(&app, &format!("/api/v2/Files/{id}/Download"), None).await).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "error.platform.recordNotFound");
}
