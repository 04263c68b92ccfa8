//! The official `@nmshd/transport@7.0.0`, as a second identity onboarded on the simulator, loads
//! a File our service uploaded — through a token our service created (plain and
//! password-protected, by truncated reference and by url) and through the File's own reference —
//! downloads it, decrypts it, and gets byte-identical content with the uploaded filename,
//! mimetype and size (spec files.md §3.1, §4.2).

use backbone_sim::PlatformClient;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use system_tests::{API_KEY, TestApp, status_and_json};

use super::node;

/// Non-ASCII in the filename: umlauts, ß, an en dash and a character outside the BMP.
const FILENAME: &str = "Zeugnis – Grüße ÄÖÜ 📄.bin";
const MIMETYPE: &str = "application/octet-stream";
const TITLE: &str = "Übersicht ✓";
const PASSWORD: &str = "Pässwort ✓ 42";

/// 4173 bytes in which every 256-byte block holds each byte value once, in a scrambled order
/// (167 is odd, so `i·167 mod 256` permutes a block; the xor with the block number shifts it).
fn content() -> Vec<u8> {
    (0..4173u32)
        .map(|i| (i.wrapping_mul(167) ^ (i >> 8)) as u8)
        .collect()
}

/// `POST /api/v2/Files/Own` with the test content; the answer's `result` (the FileDTO).
async fn upload(app: &TestApp, content: &[u8]) -> Value {
    let part = Part::bytes(content.to_vec())
        .file_name(FILENAME)
        .mime_str(MIMETYPE)
        .unwrap();
    let form = Form::new()
        .text("title", TITLE)
        .text("description", "Binary content, every byte value")
        .text("expiresAt", "2099-12-31T00:00:00.000Z")
        .part("file", part)
        // Repeated: a single `tags` field is no array to the Connector (spec files.md §1.1).
        .text("tags", "x:interop")
        .text("tags", "x:bytes");
    let response = app
        .client
        .post(format!("{}/api/v2/Files/Own", app.address))
        .header("X-API-KEY", API_KEY)
        .multipart(form)
        .send()
        .await
        .expect("the server answers");
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201, "the upload succeeds: {body}");
    assert_eq!(body["result"]["filename"], FILENAME, "{body}");
    body["result"].clone()
}

/// `POST /api/v2/Files/{id}/Token` with `request`; the answer's `result` (the TokenDTO).
async fn create_token(app: &TestApp, file_id: &str, request: Value) -> Value {
    let response = app
        .post_token(file_id)
        .json(&request)
        .send()
        .await
        .expect("the server answers");
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201, "the token is created: {body}");
    assert_eq!(body["result"]["content"]["fileId"], file_id, "{body}");
    body["result"].clone()
}

/// A platform client of its own for the loading identity (an app other than our Connector).
fn peer_client(app: &TestApp) -> PlatformClient {
    let client = PlatformClient::random();
    app.simulator.add_client(client.clone());
    client
}

/// `transport-load-file.js`: onboards a new identity on the simulator with `client`, loads
/// `reference` (token or file) and downloads the File.
async fn load(
    app: &TestApp,
    client: &PlatformClient,
    reference: &Value,
    password: Option<&str>,
) -> Value {
    let mut args = vec![
        "--backbone".into(),
        app.simulator.base_url(),
        "--client-id".into(),
        client.client_id.clone(),
        "--client-secret".into(),
        client.client_secret.clone(),
        "--reference".into(),
        reference.as_str().expect("a reference string").to_owned(),
    ];
    if let Some(password) = password {
        args.extend(["--password".into(), password.to_owned()]);
    }
    node("transport-load-file.js", args).await
}

/// What transport loaded and downloaded is the uploaded File, as a peer's File.
fn assert_is_the_upload(app: &TestApp, loaded: &Value, dto: &Value, content: &[u8]) {
    assert_eq!(loaded["ok"], true, "transport loaded the File: {loaded}");
    assert_eq!(loaded["fileId"], dto["id"]);
    assert_eq!(loaded["filename"], FILENAME);
    assert_eq!(loaded["mimetype"], MIMETYPE);
    assert_eq!(loaded["filesize"], content.len());
    assert_eq!(loaded["title"], TITLE);
    assert_eq!(loaded["description"], dto["description"]);
    assert_eq!(loaded["tags"], json!(["x:interop", "x:bytes"]));
    assert_eq!(loaded["isOwn"], false, "loaded as a peer's File");
    assert_eq!(loaded["owner"], app.device.address.as_str());
    assert_eq!(loaded["createdBy"], app.device.address.as_str());
    assert_eq!(loaded["createdByDevice"], dto["createdByDevice"]);
    assert_eq!(loaded["createdAt"], dto["createdAt"]);
    assert_eq!(loaded["expiresAt"], dto["expiresAt"]);
    let downloaded =
        domain::encoding::from_b64std(loaded["contentBase64"].as_str().unwrap()).unwrap();
    assert!(
        downloaded == content,
        "the decrypted content is byte-identical ({} bytes downloaded, {} uploaded)",
        downloaded.len(),
        content.len()
    );
}

#[tokio::test]
async fn official_transport_loads_an_uploaded_file_through_our_token_byte_identical() {
    let app = TestApp::spawn().await;
    let client = peer_client(&app);
    let content = content();
    let dto = upload(&app, &content).await;

    let token = create_token(
        &app,
        dto["id"].as_str().unwrap(),
        json!({"ephemeral": false}),
    )
    .await;

    for reference in [&token["reference"]["truncated"], &token["reference"]["url"]] {
        let loaded = load(&app, &client, reference, None).await;
        assert_is_the_upload(&app, &loaded, &dto, &content);
        assert_eq!(loaded["via"], "token");
        assert_eq!(loaded["tokenId"], token["id"]);
    }
    // Two loads, two identities of their own, besides our configured one.
    let loaders = app.simulator.identities();
    assert_eq!(loaders.len(), 2);
    assert!(
        loaders
            .iter()
            .all(|l| l.identity.address != app.device.address)
    );
}

#[tokio::test]
async fn official_transport_loads_an_uploaded_file_through_a_password_protected_token() {
    let app = TestApp::spawn().await;
    let client = peer_client(&app);
    let content = content();
    let dto = upload(&app, &content).await;

    let token = create_token(
        &app,
        dto["id"].as_str().unwrap(),
        json!({"ephemeral": false, "passwordProtection": {"password": PASSWORD}}),
    )
    .await;

    for reference in [&token["reference"]["truncated"], &token["reference"]["url"]] {
        let loaded = load(&app, &client, reference, Some(PASSWORD)).await;
        assert_is_the_upload(&app, &loaded, &dto, &content);
        assert_eq!(loaded["tokenId"], token["id"]);
    }

    let wrong = load(
        &app,
        &client,
        &token["reference"]["truncated"],
        Some("Passwort ✓ 42"),
    )
    .await;
    assert_eq!(wrong["ok"], false, "{wrong}");
    assert_eq!(
        wrong["error"]["code"], "error.platform.recordNotFound",
        "{wrong}"
    );
    assert_eq!(
        wrong["error"]["step"],
        "TokenController.loadPeerTokenByReference"
    );
    let none = load(&app, &client, &token["reference"]["url"], None).await;
    assert_eq!(
        none["error"]["code"], "error.transport.noPasswordProvided",
        "{none}"
    );
}

#[tokio::test]
async fn official_transport_loads_an_uploaded_file_by_its_own_reference() {
    let app = TestApp::spawn().await;
    let client = peer_client(&app);
    let content = content();
    let dto = upload(&app, &content).await;
    assert!(
        dto["reference"]["truncated"]
            .as_str()
            .is_some_and(|r| r.starts_with("RklM")),
        "a file reference: {dto}"
    );

    for reference in [&dto["reference"]["truncated"], &dto["reference"]["url"]] {
        let loaded = load(&app, &client, reference, None).await;
        assert_is_the_upload(&app, &loaded, &dto, &content);
        assert_eq!(loaded["via"], "file");
        assert_eq!(loaded["tokenId"], Value::Null);
    }
}

#[test]
fn the_test_content_holds_every_byte_value_in_every_block() {
    let content = content();
    for block in content.chunks_exact(256) {
        let mut seen = [false; 256];
        for byte in block {
            seen[usize::from(*byte)] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }
}
