//! Interop tests: the official `@nmshd/connector-sdk@6.7.0` creates tokens on our server, and the
//! official `@nmshd/transport@7.0.0` loads them from the Backbone simulator by truncated
//! reference and by url, checks password or PIN, decrypts them and finds the File.
//!
//! Needs Node 20 and `npm ci --prefix tests/interop` (the README's test command does it).

// Test helpers fail loudly on purpose: a panic is the test failing.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};
use system_tests::{API_KEY, TestApp};

mod connector_suites;
mod file_interop;
mod peer_file_interop;
mod service_onboarding;
mod token_interop;
mod transport_onboarding;

fn interop_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop");
    assert!(
        dir.join("node_modules/@nmshd/transport").is_dir(),
        "the official npm packages are missing: run `npm ci --prefix tests/interop` (scripts/test does)"
    );
    dir
}

/// Runs one of the harness scripts off the async workers and parses its JSON line.
async fn node(script: &'static str, args: Vec<String>) -> Value {
    let dir = interop_dir();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .args(&args)
            .current_dir(dir)
            .output()
    })
    .await
    .expect("the node task finishes")
    .expect("node runs (Node 20 must be installed)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|_| {
        panic!(
            "{script} printed no JSON line:\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// `client.files.createTokenForFile(fileId, request)` through the official SDK.
async fn sdk_create_token(app: &TestApp, request: Option<Value>) -> Value {
    let mut args = vec![
        "--base-url".into(),
        app.address.clone(),
        "--api-key".into(),
        API_KEY.into(),
        "--file-id".into(),
        app.file.id.to_string(),
    ];
    if let Some(request) = request {
        args.extend(["--request".into(), request.to_string()]);
    }
    let answer = node("sdk-create-token.js", args).await;
    assert_eq!(answer["ok"], true, "the SDK accepted our answer: {answer}");
    answer["result"].clone()
}

/// `AnonymousTokenController.loadPeerTokenByReference` through official transport.
async fn transport_open(app: &TestApp, reference: &str, password: Option<&str>) -> Value {
    let mut args = vec![
        "--backbone".into(),
        app.simulator.base_url(),
        "--reference".into(),
        reference.to_owned(),
    ];
    if let Some(password) = password {
        args.extend(["--password".into(), password.to_owned()]);
    }
    node("open-token.js", args).await
}

/// Opens `token` by both reference forms and checks it leads to the test File.
async fn assert_opens_to_the_file(app: &TestApp, token: &Value, password: Option<&str>) -> Value {
    let mut opened = Value::Null;
    for reference in [&token["reference"]["truncated"], &token["reference"]["url"]] {
        opened = transport_open(app, reference.as_str().unwrap(), password).await;
        assert_eq!(opened["ok"], true, "transport opened {reference}: {opened}");
        assert_eq!(opened["id"], token["id"]);
        assert_eq!(opened["contentType"], "TokenContentFile");
        assert_eq!(opened["fileId"], app.file.id.as_str());
        assert_eq!(opened["fileKey"], app.file.secret_key.to_b64url());
        assert_eq!(opened["expiresAt"], token["expiresAt"]);
        assert_eq!(
            opened["reference"]["backboneBaseUrl"],
            app.simulator.base_url()
        );
    }
    opened
}

#[tokio::test]
async fn the_official_sdk_creates_a_token_that_official_transport_opens() {
    let app = TestApp::spawn().await;

    let token = sdk_create_token(&app, None).await;

    assert_eq!(token["isEphemeral"], true);
    assert_opens_to_the_file(&app, &token, None).await;
}

#[tokio::test]
async fn a_password_token_opens_only_with_its_password() {
    let app = TestApp::spawn().await;

    let token = sdk_create_token(
        &app,
        Some(json!({"ephemeral": false, "passwordProtection": {"password": "correct horse ✓"}})),
    )
    .await;

    let opened = assert_opens_to_the_file(&app, &token, Some("correct horse ✓")).await;
    assert_eq!(opened["passwordProtection"]["passwordType"], "pw");
    let wrong = transport_open(
        &app,
        token["reference"]["truncated"].as_str().unwrap(),
        Some("wrong horse"),
    )
    .await;
    assert_eq!(wrong["ok"], false);
    assert_eq!(
        wrong["error"]["code"], "error.platform.recordNotFound",
        "{wrong}"
    );
}

#[tokio::test]
async fn a_pin_token_with_location_indicator_opens_with_its_pin() {
    let app = TestApp::spawn().await;

    let request = json!({"passwordProtection": {"password": "0042", "passwordIsPin": true, "passwordLocationIndicator": "Letter"}});
    let token = sdk_create_token(&app, Some(request)).await;

    let opened = assert_opens_to_the_file(&app, &token, Some("0042")).await;
    assert_eq!(opened["passwordProtection"]["passwordType"], "pin4");
    assert_eq!(opened["passwordProtection"]["passwordLocationIndicator"], 2);
    let wrong = transport_open(
        &app,
        token["reference"]["url"].as_str().unwrap(),
        Some("0043"),
    )
    .await;
    assert_eq!(
        wrong["error"]["code"], "error.platform.recordNotFound",
        "{wrong}"
    );
}

#[tokio::test]
async fn a_personalized_token_is_marked_for_its_identity() {
    let app = TestApp::spawn().await;
    let recipient = backbone_sim::SeededDevice::random("localhost");

    let token = sdk_create_token(
        &app,
        Some(json!({"forIdentity": recipient.address.as_str()})),
    )
    .await;

    assert_eq!(token["forIdentity"], recipient.address.as_str());
    // Official transport reads the identity part of the reference and refuses to open the token
    // anonymously: only the named identity may (an account-based check needs a full identity).
    let opened = transport_open(
        &app,
        token["reference"]["truncated"].as_str().unwrap(),
        None,
    )
    .await;
    assert_eq!(
        opened["error"]["code"], "error.transport.general.notIntendedForYou",
        "{opened}"
    );
    let on_backbone = app.simulator.token(token["id"].as_str().unwrap()).unwrap();
    assert_eq!(on_backbone.for_identity, Some(recipient.address));
}

#[tokio::test]
async fn the_official_sdk_receives_a_qr_code_png() {
    let app = TestApp::spawn().await;

    let args = vec![
        "--base-url".into(),
        app.address.clone(),
        "--api-key".into(),
        API_KEY.into(),
        "--file-id".into(),
        app.file.id.to_string(),
        "--qr".into(),
    ];
    let answer = node("sdk-create-token.js", args).await;

    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["pngSignatureOk"], true);
    assert!(answer["pngBytes"].as_u64().unwrap() > 100);
}
