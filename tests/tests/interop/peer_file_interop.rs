//! The other direction of `file_interop`: the official `@nmshd/transport@7.0.0`, as a second
//! identity onboarded on the simulator, uploads a File and shares it through a token
//! (`transport-upload-file.js`); our service loads it with `POST /api/v2/Files/Peer` — by the
//! token's url, by a password-protected token's truncated reference with its password, and by
//! the File's own reference — stores it as a peer's File and downloads byte-identical content
//! under the File's mimetype and encoded filename (spec files.md §3, §4.2). A File already
//! stored is answered from the store, without fetching its metadata again.

use std::time::Duration;

use backbone_sim::{Fault, PlatformClient};
use serde_json::{Value, json};
use system_tests::{API_KEY, TestApp, status_and_json};

use super::node;

/// Non-ASCII in the filename (umlauts, ß, an en dash, a character outside the BMP), plus
/// parentheses, which `encodeURIComponent` leaves alone.
const FILENAME: &str = "Zeugnis – Grüße ÄÖÜ (v2) 📄.bin";
/// `encodeURIComponent(FILENAME)`, as Node prints it.
const FILENAME_ENCODED: &str =
    "Zeugnis%20%E2%80%93%20Gr%C3%BC%C3%9Fe%20%C3%84%C3%96%C3%9C%20(v2)%20%F0%9F%93%84.bin";
/// Not a type our service could guess from the name: the header must come from the File.
const MIMETYPE: &str = "application/vnd.interop.bytes";
const TITLE: &str = "Übersicht ✓";
const DESCRIPTION: &str = "Vom offiziellen Transport hochgeladen";
const EXPIRES_AT: &str = "2099-12-31T00:00:00.000Z";
const PASSWORD: &str = "Pässwort ✓ 42";

/// 4173 bytes in which every 256-byte block holds each byte value once, in a scrambled order
/// (167 is odd, so `i·167 mod 256` permutes a block; the xor with the block number shifts it).
fn content() -> Vec<u8> {
    (0..4173u32)
        .map(|i| (i.wrapping_mul(167) ^ (i >> 8)) as u8)
        .collect()
}

/// A platform client of its own for the uploading identity (an app other than our Connector).
fn peer_client(app: &TestApp) -> PlatformClient {
    let client = PlatformClient::random();
    app.simulator.add_client(client.clone());
    client
}

/// `transport-upload-file.js`: a new identity on the simulator uploads `content` and creates a
/// token for it (password-protected with `password`, if given).
async fn upload_as_peer(app: &TestApp, content: &[u8], password: Option<&str>) -> Value {
    let client = peer_client(app);
    let mut args: Vec<String> = vec![
        "--backbone".into(),
        app.simulator.base_url(),
        "--client-id".into(),
        client.client_id,
        "--client-secret".into(),
        client.client_secret,
        "--content-base64".into(),
        domain::encoding::b64std(content),
        "--filename".into(),
        FILENAME.into(),
        "--mimetype".into(),
        MIMETYPE.into(),
        "--title".into(),
        TITLE.into(),
        "--description".into(),
        DESCRIPTION.into(),
        "--expires-at".into(),
        EXPIRES_AT.into(),
    ];
    if let Some(password) = password {
        args.extend(["--password".into(), password.to_owned()]);
    }
    let uploaded = node("transport-upload-file.js", args).await;
    assert_eq!(
        uploaded["ok"], true,
        "official transport uploaded: {uploaded}"
    );
    assert_eq!(uploaded["filesize"], content.len());
    assert_eq!(uploaded["expiresAt"], EXPIRES_AT);
    // The uploader is an identity of its own, the only one besides our configured one.
    let identities = app.simulator.identities();
    assert_eq!(identities.len(), 1);
    assert_eq!(identities[0].identity.address.as_str(), uploaded["address"]);
    assert_ne!(uploaded["address"], app.device.address.as_str());
    uploaded
}

/// `POST /api/v2/Files/Peer` with `body`; status and JSON.
async fn load_peer(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/api/v2/Files/Peer", app.address))
        .header("X-API-KEY", API_KEY)
        .json(&body)
        .send()
        .await
        .expect("the server answers");
    status_and_json(response).await
}

/// Loads `body` expecting 201; the FileDTO.
async fn load_peer_ok(app: &TestApp, body: Value) -> Value {
    let (status, answer) = load_peer(app, body.clone()).await;
    assert_eq!(status, 201, "POST /Files/Peer {body}: {answer}");
    answer["result"].clone()
}

/// The DTO is the uploaded File, as a peer's File of the transport's identity.
fn assert_is_the_peer_upload(dto: &Value, uploaded: &Value, content: &[u8]) {
    assert_eq!(dto["id"], uploaded["fileId"], "{dto}");
    assert_eq!(dto["isOwn"], false, "a peer's File: {dto}");
    assert_eq!(dto["filename"], FILENAME);
    assert_eq!(dto["mimetype"], MIMETYPE);
    assert_eq!(dto["filesize"], content.len());
    assert_eq!(dto["title"], TITLE);
    assert_eq!(dto["description"], DESCRIPTION);
    assert_eq!(dto["owner"], uploaded["address"]);
    assert_eq!(dto["createdBy"], uploaded["address"]);
    assert_eq!(dto["createdByDevice"], uploaded["deviceId"]);
    assert_eq!(dto["createdAt"], uploaded["createdAt"]);
    assert_eq!(dto["expiresAt"], EXPIRES_AT);
    // Built from the same Backbone base url and metadata key, so the same strings (§4.1).
    assert_eq!(dto["reference"], uploaded["fileReference"], "{dto}");
    assert!(
        dto.get("tags").is_none(),
        "no tags were uploaded, so none in the DTO: {dto}"
    );
    assert!(
        dto.get("ownershipToken").is_none(),
        "a peer's File carries no ownership token (spec files.md §5.1): {dto}"
    );
}

/// `GET /api/v2/Files/{id}/Download` gives `content` under the File's mimetype and filename.
async fn assert_downloads(app: &TestApp, id: &Value, content: &[u8]) {
    let id = id.as_str().expect("a File id");
    let response = app
        .client
        .get(format!("{}/api/v2/Files/{id}/Download", app.address))
        .header("X-API-KEY", API_KEY)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let content_type = header("content-type");
    let disposition = header("content-disposition");
    let body = response.bytes().await.expect("the body arrives");
    assert_eq!(
        status,
        200,
        "download: {}",
        String::from_utf8_lossy(&body[..body.len().min(500)])
    );
    assert_eq!(content_type.as_deref(), Some(MIMETYPE));
    assert_eq!(
        disposition,
        Some(format!("attachment;filename={FILENAME_ENCODED}"))
    );
    assert!(
        body.as_ref() == content,
        "the downloaded content is byte-identical ({} bytes downloaded, {} uploaded)",
        body.len(),
        content.len()
    );
}

/// A tripwire on the Backbone: a zero delay for the next request whose path starts with `path`,
/// which changes nothing for that request but is used up by it; the fault's id.
fn tripwire(app: &TestApp, path: &str) -> u64 {
    app.simulator
        .faults()
        .inject(Fault::delay(Duration::ZERO).on_path(path))
}

/// Whether the tripwire `id` is still set, i.e. no request has come its way.
fn untouched(app: &TestApp, id: u64) -> bool {
    app.simulator.faults().pending().iter().any(|f| f.id == id)
}

#[tokio::test]
async fn our_service_loads_a_file_official_transport_shared_by_token_url() {
    let app = TestApp::spawn().await;
    let content = content();
    let uploaded = upload_as_peer(&app, &content, None).await;
    let token_url = uploaded["tokenReference"]["url"].clone();
    assert!(
        token_url
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/r/TOK", app.simulator.base_url())),
        "{uploaded}"
    );

    // The tripwires see the calls: the token, then the File's metadata (spec files.md §4.2).
    let token = tripwire(&app, "/api/v2/Tokens");
    let metadata = tripwire(&app, "/api/v2/Files");
    let dto = load_peer_ok(&app, json!({"reference": token_url})).await;
    assert!(!untouched(&app, token) && !untouched(&app, metadata));
    assert_is_the_peer_upload(&dto, &uploaded, &content);
    assert_downloads(&app, &dto["id"], &content).await;

    // Loaded again through the token: the token is fetched again (an ephemeral token is not
    // kept), the stored File's metadata is not (spec files.md §4.2, "Backbone call order").
    let token = tripwire(&app, "/api/v2/Tokens");
    let metadata = tripwire(&app, "/api/v2/Files");
    let again = load_peer_ok(&app, json!({"reference": token_url})).await;
    assert!(!untouched(&app, token), "the token is fetched again");
    assert!(
        untouched(&app, metadata),
        "the stored File's metadata was fetched again"
    );
    assert_eq!(again, dto, "the stored File, unchanged");
    // And by the File's own reference: no Backbone call at all.
    app.simulator.faults().clear();
    let any = tripwire(&app, "/api/");
    let by_file = load_peer_ok(&app, json!({"reference": uploaded["fileReference"]["url"]})).await;
    assert!(
        untouched(&app, any),
        "a stored File is loaded without a Backbone call"
    );
    assert_eq!(by_file, dto);
    app.simulator.faults().clear();
    assert_downloads(&app, &dto["id"], &content).await;
}

#[tokio::test]
async fn our_service_loads_a_file_official_transport_shared_by_a_password_token() {
    let app = TestApp::spawn().await;
    let content = content();
    let uploaded = upload_as_peer(&app, &content, Some(PASSWORD)).await;
    assert_eq!(uploaded["passwordProtection"]["passwordType"], "pw");
    let truncated = uploaded["tokenReference"]["truncated"].clone();
    assert!(
        truncated.as_str().unwrap().starts_with("VE9L"),
        "{uploaded}"
    );

    let (status, none) = load_peer(&app, json!({"reference": truncated})).await;
    assert_eq!(status, 400, "{none}");
    assert_eq!(
        none["error"]["code"], "error.transport.noPasswordProvided",
        "{none}"
    );
    let (status, wrong) = load_peer(
        &app,
        json!({"reference": truncated, "password": "Passwort ✓ 42"}),
    )
    .await;
    assert_eq!(status, 404, "{wrong}");
    assert_eq!(
        wrong["error"]["code"], "error.runtime.recordNotFound",
        "{wrong}"
    );

    let dto = load_peer_ok(&app, json!({"reference": truncated, "password": PASSWORD})).await;
    assert_is_the_peer_upload(&dto, &uploaded, &content);
    assert_downloads(&app, &dto["id"], &content).await;

    // Stored now, and the Backbone has allocated the token to this identity (its first
    // successful read): later reads need no password, so even a wrong one gets the token, and
    // the right one gives the stored File without fetching its metadata.
    let (status, allocated) =
        load_peer(&app, json!({"reference": truncated, "password": "wrong"})).await;
    assert_eq!(status, 201, "{allocated}");
    assert_eq!(allocated["result"]["id"], dto["id"]);
    let metadata = tripwire(&app, "/api/v2/Files");
    let again = load_peer_ok(&app, json!({"reference": truncated, "password": PASSWORD})).await;
    assert!(
        untouched(&app, metadata),
        "the stored File's metadata was fetched again"
    );
    assert_eq!(again, dto);
}

#[tokio::test]
async fn our_service_loads_a_file_official_transport_uploaded_by_its_own_reference() {
    let app = TestApp::spawn().await;
    let content = content();
    let uploaded = upload_as_peer(&app, &content, None).await;
    let truncated = uploaded["fileReference"]["truncated"].clone();
    assert!(
        truncated.as_str().unwrap().starts_with("RklM"),
        "{uploaded}"
    );

    // A password means nothing to a file reference (the Runtime ignores it).
    let dto = load_peer_ok(&app, json!({"reference": truncated, "password": "ignored"})).await;
    assert_is_the_peer_upload(&dto, &uploaded, &content);
    assert_downloads(&app, &dto["id"], &content).await;

    let any = tripwire(&app, "/api/");
    for reference in [&truncated, &uploaded["fileReference"]["url"]] {
        let again = load_peer_ok(&app, json!({"reference": reference})).await;
        assert_eq!(&again, &dto, "the stored File, unchanged");
    }
    assert!(
        untouched(&app, any),
        "a stored File is loaded without a Backbone call"
    );
    // The token official transport made for it leads to the same stored File.
    app.simulator.faults().clear();
    let metadata = tripwire(&app, "/api/v2/Files");
    let by_token = load_peer_ok(
        &app,
        json!({"reference": uploaded["tokenReference"]["truncated"]}),
    )
    .await;
    assert!(untouched(&app, metadata));
    assert_eq!(by_token, dto);
}
