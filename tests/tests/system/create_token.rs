//! Creating tokens: defaults, every option, storage, and what reaches the Backbone.

use backbone_sim::SeededDevice;
use domain::{CipherContainer, TokenContentFile, TokenId, TokenReference};
use serde_json::{Value, json};
use system_tests::{TestApp, status_and_json};

const V6_FIELDS: [&str; 10] = [
    "id",
    "isOwn",
    "createdBy",
    "createdByDevice",
    "content",
    "createdAt",
    "expiresAt",
    "truncatedReference",
    "reference",
    "isEphemeral",
];

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// Decrypts what the simulator holds for the token with the key in its reference.
fn content_on_the_backbone(app: &TestApp, token: &Value) -> TokenContentFile {
    let id = TokenId::parse(token["id"].as_str().unwrap()).unwrap();
    let stored = app
        .simulator
        .token(id.as_str())
        .expect("the Backbone has the token");
    let reference =
        TokenReference::parse(token["reference"]["truncated"].as_str().unwrap()).unwrap();
    let content = String::from_utf8(stored.content.expect("content")).unwrap();
    let container = CipherContainer::from_json(content.as_bytes())
        .or_else(|_| CipherContainer::from_backbone_content(&content))
        .expect("a cipher container");
    serde_json::from_slice(
        &container
            .decrypt(&reference.key)
            .expect("decrypts with the reference key"),
    )
    .unwrap()
}

#[tokio::test]
async fn creating_a_token_without_a_body_returns_201_with_an_ephemeral_token() {
    let app = TestApp::spawn().await;

    let response = app.post_token(app.file.id.as_str()).send().await.unwrap();

    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["location"], "_");
    let body: Value = response.json().await.unwrap();
    assert_eq!(keys(&body), ["result"]);
    let token = &body["result"];
    assert_eq!(keys(token), V6_FIELDS);
    assert_eq!(token["isOwn"], true);
    assert_eq!(token["isEphemeral"], true);
    assert_eq!(token["createdBy"], app.device.address.as_str());
    assert_eq!(token["createdByDevice"], app.device.device_id.as_str());
    assert_eq!(token["content"]["@type"], "TokenContentFile");
    assert_eq!(token["content"]["fileId"], app.file.id.as_str());
    assert_eq!(
        token["content"]["secretKey"],
        json!({"key": app.file.secret_key.to_b64url(), "alg": 3})
    );
    assert_eq!(
        token["expiresAt"],
        domain::date::format_date(app.file.expires_at)
    );
    assert_eq!(token["truncatedReference"], token["reference"]["truncated"]);
    let url = token["reference"]["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!(
            "{}/r/{}#",
            app.simulator.base_url(),
            token["id"].as_str().unwrap()
        )),
        "{url}"
    );
    assert_eq!(app.stored_tokens(), 0, "ephemeral tokens are not stored");
    assert_eq!(app.simulator.token_count(), 1);
    let content = content_on_the_backbone(&app, token);
    assert_eq!(
        (content.file_id, content.secret_key),
        (app.file.id.clone(), app.file.secret_key.clone())
    );
}

#[tokio::test]
async fn an_empty_urlencoded_body_means_no_options() {
    let app = TestApp::spawn().await;

    let response = app
        .post_token(app.file.id.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();

    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["result"]["isEphemeral"], true);
}

#[tokio::test]
async fn a_stored_token_has_its_row_with_every_field() {
    let app = TestApp::spawn().await;

    let (status, body) = app
        .create_token(json!({"ephemeral": false, "expiresAt": "2030-01-02T03:04:05+02:00"}))
        .await;

    assert_eq!(status, 201, "{body}");
    let token = &body["result"];
    assert_eq!(token["isEphemeral"], false);
    assert_eq!(token["expiresAt"], "2030-01-02T01:04:05.000Z");
    assert_eq!(app.stored_tokens(), 1);
    let stored = app
        .store
        .tokens()
        .find_token(&TokenId::parse(token["id"].as_str().unwrap()).unwrap())
        .await
        .unwrap()
        .unwrap();
    let stored_dto = server::http::wire::TokenDto::new(&stored, false, &app.simulator.base_url());
    assert_eq!(
        serde_json::to_value(stored_dto).unwrap(),
        *token,
        "the row gives back exactly the answered DTO"
    );
}

#[tokio::test]
async fn every_option_together_reaches_the_backbone_and_the_answer() {
    let app = TestApp::spawn().await;
    let recipient = SeededDevice::random("localhost");
    app.simulator.add_device(recipient.clone());

    let (status, body) = app
        .create_token(json!({
            "expiresAt": "2031-05-06T07:08:09.123456Z",
            "ephemeral": false,
            "forIdentity": recipient.address.as_str(),
            "passwordProtection": {"password": "123456", "passwordIsPin": true, "passwordLocationIndicator": "SMS"},
        }))
        .await;

    assert_eq!(status, 201, "{body}");
    let token = &body["result"];
    assert_eq!(
        keys(token),
        [
            "id",
            "isOwn",
            "createdBy",
            "createdByDevice",
            "content",
            "createdAt",
            "expiresAt",
            "forIdentity",
            "passwordProtection",
            "truncatedReference",
            "reference",
            "isEphemeral"
        ]
    );
    assert_eq!(token["expiresAt"], "2031-05-06T07:08:09.123Z");
    assert_eq!(token["forIdentity"], recipient.address.as_str());
    assert_eq!(
        token["passwordProtection"],
        json!({"password": "123456", "passwordIsPin": true, "passwordLocationIndicator": "SMS"})
    );

    let reference = TokenReference::parse(token["reference"]["url"].as_str().unwrap()).unwrap();
    assert_eq!(
        reference.for_identity_last_four.as_deref(),
        Some(system_tests::oracle::domain_address(&recipient.address).last_four())
    );
    let password = reference.password.expect("a password part");
    assert_eq!(
        (
            password.password_type.to_string(),
            password.location_indicator.map(|i| i.number())
        ),
        ("pin6".into(), Some(5))
    );

    let on_backbone = app.simulator.token(reference.id.as_str()).unwrap();
    assert_eq!(on_backbone.for_identity.as_ref(), Some(&recipient.address));
    assert_eq!(
        on_backbone.password,
        Some(domain::password::hash_password("123456", &password.salt).to_vec())
    );
    assert_eq!(
        domain::date::format_date(on_backbone.expires_at),
        "2031-05-06T07:08:09.123Z"
    );
    assert_eq!(app.stored_tokens(), 1);
}

#[tokio::test]
async fn a_free_location_number_is_answered_as_a_number() {
    let app = TestApp::spawn().await;

    let (status, body) = app
        .create_token(
            json!({"passwordProtection": {"password": "secret", "passwordLocationIndicator": 51}}),
        )
        .await;

    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["result"]["passwordProtection"],
        json!({"password": "secret", "passwordLocationIndicator": 51})
    );
}

#[tokio::test]
async fn the_v7_route_answers_without_truncated_reference() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .post(format!(
            "{}/api/core/v1/Files/{}/Token",
            app.address, app.file.id
        ))
        .header("X-API-KEY", system_tests::API_KEY)
        .send()
        .await
        .unwrap();

    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201, "{body}");
    assert!(body["result"].get("truncatedReference").is_none());
    assert!(body["result"]["reference"]["truncated"].is_string());
}

#[tokio::test]
async fn a_file_whose_expiry_passed_needs_an_explicit_expiry() {
    let app = TestApp::spawn().await;
    let expired = app
        .store_file(chrono::Utc::now() - chrono::Duration::hours(1))
        .await;

    let response = app.post_token(expired.id.as_str()).send().await.unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["error"]["code"],
        "error.runtime.validation.invalidPropertyValue"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("pass an 'expiresAt' in the future")
    );
    assert_eq!(app.simulator.token_count(), 0);

    let response = app
        .post_token(expired.id.as_str())
        .json(&json!({"expiresAt": "2035-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn a_png_is_answered_when_asked_for_and_never_stored() {
    let app = TestApp::spawn().await;

    let response = app
        .post_token(app.file.id.as_str())
        .header("accept", "image/png")
        .json(&json!({"ephemeral": false}))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment;filename={}.png", app.file.id).as_str()
    );
    let png = response.bytes().await.unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(app.stored_tokens(), 0);
    assert_eq!(app.simulator.token_count(), 1);
}
