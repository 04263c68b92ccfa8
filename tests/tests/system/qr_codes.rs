//! QR codes as clients scan them: each PNG is decoded (png + rqrr) and its text checked against
//! the token the Backbone holds; `Accept` negotiation picks PNG or JSON as Express would.

use domain::{CipherContainer, TokenContentFile, TokenReference};
use serde_json::{Value, json};
use system_tests::{API_KEY, TestApp, status_and_json};

/// What a scanner reads from a PNG.
struct Scanned {
    text: String,
    /// rqrr's error-correction level: the QR format bits, where M is 0.
    ecc_level: u16,
}

fn scan(png_bytes: &[u8]) -> Scanned {
    let mut decoder = png::Decoder::new(png_bytes);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).expect("one frame");
    let channels = frame.color_type.samples();
    let (width, height) = (frame.width as usize, frame.height as usize);
    let luma = |x: usize, y: usize| {
        let start = y * frame.line_size + x * channels;
        match frame.color_type {
            png::ColorType::Grayscale | png::ColorType::GrayscaleAlpha => pixels[start],
            _ => {
                let rgb = &pixels[start..start + 3];
                let sum: u16 = rgb.iter().map(|c| u16::from(*c)).sum();
                u8::try_from(sum / 3).unwrap()
            }
        }
    };
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, luma);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code in the PNG");
    let (meta, text) = grids[0].decode().expect("the QR code decodes");
    Scanned {
        text,
        ecc_level: meta.ecc_level,
    }
}

/// POSTs to `path` for the stored File with `accept` and `body`.
async fn post(app: &TestApp, path: &str, accept: &str, body: Value) -> reqwest::Response {
    app.client
        .post(format!("{}{path}/Files/{}/Token", app.address, app.file.id))
        .header("X-API-KEY", API_KEY)
        .header("accept", accept)
        .json(&body)
        .send()
        .await
        .expect("the server answers")
}

/// The PNG of a 201 answer, after checking its headers.
async fn png_of(app: &TestApp, response: reqwest::Response) -> Vec<u8> {
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment;filename={}.png", app.file.id).as_str()
    );
    response.bytes().await.unwrap().to_vec()
}

/// The token a reference points at must be on the Backbone and open to the shared File.
fn assert_opens_to_the_file(app: &TestApp, reference: &TokenReference) {
    let stored = app
        .simulator
        .token(reference.id.as_str())
        .expect("the QR code's token is on the Backbone");
    let content = String::from_utf8(stored.content.expect("content")).unwrap();
    let container = CipherContainer::from_json(content.as_bytes())
        .or_else(|_| CipherContainer::from_backbone_content(&content))
        .expect("a cipher container");
    let opened: TokenContentFile =
        serde_json::from_slice(&container.decrypt(&reference.key).expect("the key opens it"))
            .unwrap();
    assert_eq!(opened.file_id, app.file.id);
    assert_eq!(
        opened.secret_key.to_b64url(),
        app.file.secret_key.to_b64url()
    );
}

#[tokio::test]
async fn a_v6_qr_code_encodes_nmshd_tr_and_the_truncated_reference_of_an_ephemeral_token() {
    let app = TestApp::spawn().await;

    let response = post(&app, "/api/v2", "image/png", json!({"ephemeral": false})).await;

    let scanned = scan(&png_of(&app, response).await);
    assert_eq!(scanned.ecc_level, 0, "error correction level M");
    let truncated = scanned
        .text
        .strip_prefix("nmshd://tr#")
        .unwrap_or_else(|| panic!("{:?} starts with nmshd://tr#", scanned.text));
    let reference = TokenReference::parse(truncated).expect("a truncated reference");
    assert_eq!(
        scanned.text,
        format!("nmshd://tr#{}", reference.truncated())
    );
    assert_eq!(
        reference.backbone_base_url.as_deref(),
        Some(app.simulator.base_url().as_str())
    );
    assert_opens_to_the_file(&app, &reference);
    assert_eq!(app.simulator.token_count(), 1);
    assert_eq!(app.stored_tokens(), 0, "a QR code's token is never stored");
}

#[tokio::test]
async fn with_new_qr_code_format_a_v6_qr_code_encodes_the_reference_url() {
    let app = TestApp::spawn().await;

    let response = post(
        &app,
        "/api/v2",
        "image/png",
        json!({"newQRCodeFormat": true}),
    )
    .await;

    let scanned = scan(&png_of(&app, response).await);
    let reference = TokenReference::parse(&scanned.text).expect("a url reference");
    assert_eq!(reference.url().as_deref(), Some(scanned.text.as_str()));
    assert!(
        scanned
            .text
            .starts_with(&format!("{}/r/{}#", app.simulator.base_url(), reference.id)),
        "{}",
        scanned.text
    );
    assert_opens_to_the_file(&app, &reference);
    assert_eq!(app.stored_tokens(), 0);
}

#[tokio::test]
async fn a_v7_qr_code_always_encodes_the_reference_url() {
    let app = TestApp::spawn().await;

    for body in [
        json!({}),
        json!({"newQRCodeFormat": false, "ephemeral": false}),
    ] {
        let response = post(&app, "/api/core/v1", "image/png", body).await;

        let scanned = scan(&png_of(&app, response).await);
        let reference = TokenReference::parse(&scanned.text).expect("a url reference");
        assert_eq!(reference.url().as_deref(), Some(scanned.text.as_str()));
        assert_opens_to_the_file(&app, &reference);
    }
    assert_eq!(app.simulator.token_count(), 2);
    assert_eq!(app.stored_tokens(), 0);
}

#[tokio::test]
async fn a_qr_code_of_a_protected_token_carries_the_password_flags() {
    let app = TestApp::spawn().await;
    let body = json!({"passwordProtection": {"password": "4711", "passwordIsPin": true, "passwordLocationIndicator": "Letter"}});

    let response = post(&app, "/api/v2", "image/png", body).await;

    let scanned = scan(&png_of(&app, response).await);
    let reference =
        TokenReference::parse(scanned.text.strip_prefix("nmshd://tr#").unwrap()).unwrap();
    let password = reference.password.as_ref().expect("password flags");
    assert_eq!(password.password_type.to_string(), "pin4");
    assert_eq!(
        password.location_indicator.and_then(|i| i.name()),
        Some("Letter")
    );
    assert_opens_to_the_file(&app, &reference);
}

#[tokio::test]
async fn accept_is_negotiated_like_express() {
    let app = TestApp::spawn().await;
    let cases = [
        ("image/*", "image/png"),
        ("image/png, application/json", "image/png"),
        ("application/json;q=0.5, image/png", "image/png"),
        ("*/*;q=0.8, image/png", "image/png"),
        ("application/*;q=0.2, image/*;q=0.9", "image/png"),
        ("application/json, image/png", "application/json"),
        ("image/png;q=0, */*", "application/json"),
        ("text/html, */*;q=0.1", "application/json"),
        ("*/*", "application/json"),
    ];

    for (accept, expected) in cases {
        let response = post(&app, "/api/v2", accept, json!({})).await;

        assert_eq!(response.status().as_u16(), 201, "{accept}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with(expected),
            "{accept}: {content_type}"
        );
        let body = response.bytes().await.unwrap();
        if expected == "image/png" {
            assert!(scan(&body).text.starts_with("nmshd://tr#"), "{accept}");
        } else {
            let json: Value = serde_json::from_slice(&body).unwrap();
            assert!(json["result"]["id"].is_string(), "{accept}");
        }
    }
    assert_eq!(app.simulator.token_count(), cases.len());
}

#[tokio::test]
async fn accepting_neither_json_nor_png_is_406_and_creates_nothing() {
    let app = TestApp::spawn().await;

    for accept in [
        "text/html",
        "application/json;q=0, image/png;q=0",
        "image/jpeg",
    ] {
        for path in ["/api/v2", "/api/core/v1"] {
            let response = post(&app, path, accept, json!({"ephemeral": false})).await;

            let (status, body) = status_and_json(response).await;
            assert_eq!(status, 406, "{path} {accept}");
            assert_eq!(body["error"]["code"], "error.connector.http.notAcceptable");
        }
    }
    assert_eq!(app.simulator.token_count(), 0);
    assert_eq!(app.stored_tokens(), 0);
}
