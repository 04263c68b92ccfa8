//! Tokens of any content between our service and the official `@nmshd/transport@7.0.0`, both
//! ways, on one simulator: a token the transport created as a second identity (personalized
//! for us, password protected) is loaded with `POST /Tokens/Peer`; a token we create with
//! `POST /Tokens/Own` is opened by the transport with the same content, and after
//! `DELETE /api/core/v1/Tokens/{id}` no longer; wrong passwords, personalization for someone else
//! and a locked token are refused with the Connector's codes. Every reference we emit has a password part of
//! two or three components, never four (runtime 7.3+ refuses four).

use backbone_sim::PlatformClient;
use serde_json::{Value, json};
use system_tests::{API_KEY, TestApp, status_and_json};

use super::node;

const PASSWORD: &str = "Pässwort ✓ 42";
const EXPIRES_AT: &str = "2099-06-30T12:00:00.000Z";

/// Keys out of alphabetical order, nesting, non-ASCII: what must come through unchanged. No
/// `@type`: the transport refuses types it has no class for, and wraps untyped JSON.
fn content() -> Value {
    json!({"zeta": "Grüße ✓", "alpha": [1, 2.5, null, {"nested": true}], "middle": {"b": 2, "a": 1}})
}

/// `method path` on our service with `body`; status and JSON.
async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.address))
        .header("X-API-KEY", API_KEY);
    if let Some(body) = body {
        request = request.json(&body);
    }
    status_and_json(request.send().await.expect("the server answers")).await
}

/// The password part of a truncated token reference: the fields after the key and the
/// personalization (`<id>|<alg>|<key>|<forIdentity>|<password part>`).
fn password_part(truncated: &str) -> String {
    let decoded =
        domain::encoding::from_b64url(truncated.trim_end_matches('=')).expect("base64url");
    let text = String::from_utf8(decoded).expect("UTF-8");
    text.split('|').nth(4).unwrap_or_default().to_owned()
}

/// `transport-create-token.js`: a new identity on the simulator creates a token of
/// [`content`] with `PASSWORD`, personalized for `for_identity`.
async fn create_as_peer(app: &TestApp, for_identity: &str) -> Value {
    let client = PlatformClient::random();
    app.simulator.add_client(client.clone());
    let created = node(
        "transport-create-token.js",
        vec![
            "--backbone".into(),
            app.simulator.base_url(),
            "--client-id".into(),
            client.client_id,
            "--client-secret".into(),
            client.client_secret,
            "--content-json".into(),
            content().to_string(),
            "--expires-at".into(),
            EXPIRES_AT.into(),
            "--password".into(),
            PASSWORD.into(),
            "--for-identity".into(),
            for_identity.to_owned(),
        ],
    )
    .await;
    assert_eq!(created["ok"], true, "official transport created: {created}");
    created
}

#[tokio::test]
async fn a_token_personalized_for_someone_else_is_refused_as_not_for_us() {
    let app = TestApp::spawn().await;
    let someone_else =
        domain::IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap();
    let created = create_as_peer(&app, someone_else.as_str()).await;
    let body = json!({"reference": created["tokenReference"]["truncated"], "password": PASSWORD});
    let (status, answer) = call(
        &app,
        reqwest::Method::POST,
        "/api/v2/Tokens/Peer",
        Some(body),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("error.transport.general.notIntendedForYou")),
        "{answer}"
    );
}

/// The Backbone locks a token with its 100th wrong password; that attempt and every later one,
/// the right password included, is refused with its code, which our route passes on.
#[tokio::test]
async fn a_token_locked_by_wrong_passwords_is_refused_with_the_backbones_code() {
    const LOCKED: &str = "error.platform.token.tooManyFailedPasswordAttempts";
    let app = TestApp::spawn().await;
    let created = create_as_peer(&app, app.device.address.as_str()).await;
    let reference = created["tokenReference"]["truncated"].clone();
    let load = |password: String| {
        let body = json!({"reference": reference, "password": password});
        call(
            &app,
            reqwest::Method::POST,
            "/api/v2/Tokens/Peer",
            Some(body),
        )
    };
    for attempt in 1..100 {
        let (status, answer) = load(format!("wrong {attempt}")).await;
        assert_eq!(status, 404, "attempt {attempt}: {answer}");
    }
    for password in ["wrong 100".to_owned(), PASSWORD.to_owned()] {
        let (status, answer) = load(password).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (400, Some(LOCKED)),
            "{answer}"
        );
    }
    let (_, peers) = call(&app, reqwest::Method::GET, "/api/v2/Tokens/Peer", None).await;
    assert_eq!(peers["result"], json!([]), "nothing stored");
}

#[tokio::test]
async fn our_service_loads_a_token_the_official_transport_created() {
    let app = TestApp::spawn().await;
    let created = create_as_peer(&app, app.device.address.as_str()).await;
    let reference = created["tokenReference"]["truncated"].clone();

    // Refusals first: a stored token would be answered without asking the Backbone.
    let (status, answer) = call(
        &app,
        reqwest::Method::POST,
        "/api/v2/Tokens/Peer",
        Some(json!({"reference": reference})),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("error.transport.noPasswordProvided")),
        "{answer}"
    );
    let wrong = json!({"reference": reference, "password": "wrong"});
    let (status, answer) = call(
        &app,
        reqwest::Method::POST,
        "/api/v2/Tokens/Peer",
        Some(wrong),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (404, Some("error.runtime.recordNotFound")),
        "{answer}"
    );

    let body = json!({"reference": created["tokenReference"]["url"], "password": PASSWORD});
    let (status, answer) = call(
        &app,
        reqwest::Method::POST,
        "/api/v2/Tokens/Peer",
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let token = &answer["result"];
    assert_eq!(token["id"], created["tokenId"]);
    assert_eq!(token["isOwn"], false);
    assert_eq!(token["isEphemeral"], false);
    assert_eq!(token["createdBy"], created["address"]);
    assert_eq!(token["createdByDevice"], created["deviceId"]);
    assert_eq!(token["createdAt"], created["createdAt"]);
    assert_eq!(token["expiresAt"], EXPIRES_AT);
    assert_eq!(token["forIdentity"], app.device.address.as_str());
    assert_eq!(token["passwordProtection"], json!({"password": PASSWORD}));
    // The members in the order the transport wrote them.
    assert_eq!(token["content"].to_string(), content().to_string());
    assert_eq!(
        token["reference"]["truncated"], reference,
        "the same reference back"
    );

    let (status, listed) = call(
        &app,
        reqwest::Method::GET,
        "/api/v2/Tokens/Peer?passwordProtection=",
        None,
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["result"], json!([token]));
    let (_, own) = call(&app, reqwest::Method::GET, "/api/v2/Tokens/Own", None).await;
    assert_eq!(own["result"], json!([]), "a peer's token is no own one");
    let path = format!("/api/v2/Tokens/{}", created["tokenId"].as_str().unwrap());
    let (status, got) = call(&app, reqwest::Method::GET, &path, None).await;
    assert_eq!((status, &got["result"]), (200, token));
}

/// `open-token.js`: the official transport opens `reference` from the simulator with PIN 1234.
async fn open_with_pin(app: &TestApp, reference: String) -> Value {
    let args = vec![
        "--backbone".into(),
        app.simulator.base_url(),
        "--reference".into(),
        reference,
        "--password".into(),
        "1234".into(),
    ];
    node("open-token.js", args).await
}

#[tokio::test]
async fn the_official_transport_opens_a_token_we_created_until_we_delete_it() {
    let app = TestApp::spawn().await;
    let body = json!({
        "content": content(),
        "expiresAt": EXPIRES_AT,
        "passwordProtection": {"password": "1234", "passwordIsPin": true, "passwordLocationIndicator": "Email"}
    });
    let (status, answer) = call(
        &app,
        reqwest::Method::POST,
        "/api/core/v1/Tokens/Own",
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let token = &answer["result"];
    assert_eq!(token["isOwn"], true);
    assert_eq!(token["isEphemeral"], false, "stored by default");
    assert!(token.get("truncatedReference").is_none(), "v7 DTO: {token}");
    let truncated = token["reference"]["truncated"].as_str().unwrap().to_owned();

    for reference in [
        truncated.clone(),
        token["reference"]["url"].as_str().unwrap().to_owned(),
    ] {
        let opened = open_with_pin(&app, reference).await;
        assert_eq!(opened["ok"], true, "{opened}");
        assert_eq!(opened["id"], token["id"]);
        assert_eq!(opened["content"], content(), "{opened}");
        assert_eq!(opened["passwordProtection"]["passwordType"], "pin4");
        assert_eq!(
            opened["passwordProtection"]["passwordLocationIndicator"], 4,
            "Email"
        );
    }

    let id = token["id"].as_str().unwrap();
    let (status, _) = call(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v2/Tokens/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 405, "v6 has no DELETE /Tokens/{{id}}");
    let (status, answer) = call(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/core/v1/Tokens/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204, "{answer}");
    let (status, answer) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/core/v1/Tokens/{id}"),
        None,
    )
    .await;
    assert_eq!(
        (status, answer["error"]["message"].as_str()),
        (
            404,
            Some("Token not found. Make sure the ID exists and the record is not expired.")
        )
    );
    let opened = open_with_pin(&app, truncated).await;
    assert_eq!(opened["ok"], false, "deleted on the Backbone too: {opened}");
}

#[tokio::test]
async fn every_password_part_we_emit_has_two_or_three_components() {
    let app = TestApp::spawn().await;
    for protection in [
        json!({"password": "secret"}),
        json!({"password": "secret", "passwordLocationIndicator": 77}),
        json!({"password": "98765", "passwordIsPin": true}),
        json!({"password": "98765", "passwordIsPin": true, "passwordLocationIndicator": "RegistrationLetter"}),
    ] {
        let body = json!({"content": {"a": 1}, "expiresAt": EXPIRES_AT, "ephemeral": true, "passwordProtection": protection});
        let (status, answer) = call(
            &app,
            reqwest::Method::POST,
            "/api/v2/Tokens/Own",
            Some(body),
        )
        .await;
        assert_eq!(status, 201, "{answer}");
        let part = password_part(answer["result"]["reference"]["truncated"].as_str().unwrap());
        let components = part.split('&').count();
        let expected = if protection.get("passwordLocationIndicator").is_some() {
            3
        } else {
            2
        };
        assert_eq!(components, expected, "{protection}: {part}");
    }
}
