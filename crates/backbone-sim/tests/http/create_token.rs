//! `POST /api/v2/Tokens`: the Backbone's create cases, validation order and parse errors.

use backbone_sim::encoding::b64std;
use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestSim, error_of, token_body, tomorrow};

const INVALID: &str = "error.platform.validation.invalidPropertyValue";
const UNPARSEABLE: &str = "error.platform.inputCannotBeParsed";

#[tokio::test]
async fn an_authenticated_token_is_created_with_id_and_creation_time() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    let before = Utc::now();
    let response = sim
        .create_token(Some(&caller), token_body(None, None, tomorrow()))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await.expect("JSON body");
    let result = body["result"].as_object().expect("result");
    assert_eq!(result.keys().collect::<Vec<_>>(), ["id", "createdAt"]);
    let id = result["id"].as_str().expect("id");
    assert!(backbone_sim::TokenId::parse(id).is_ok(), "{id}");
    assert!(location.is_some_and(|l| l.ends_with(&format!("/api/v2/Tokens/{id}"))));
    let created_at =
        chrono::DateTime::parse_from_rfc3339(result["createdAt"].as_str().expect("createdAt"))
            .expect("createdAt is a date");
    assert!(created_at >= before - chrono::Duration::milliseconds(1));

    let stored = &sim.sim.tokens()[0];
    assert_eq!(stored.created_by.as_ref(), Some(&caller.device.address));
    assert_eq!(
        stored.created_by_device.as_ref(),
        Some(&caller.device.device_id)
    );
    assert_eq!(stored.content.as_deref(), Some(&b"encrypted content"[..]));
}

#[tokio::test]
async fn the_backbones_create_cases_answer_as_specified() {
    let sim = TestSim::start().await;
    let (caller, other) = (sim.identity().await, sim.identity().await);
    let in_a_minute = (Utc::now() + chrono::Duration::minutes(1)).to_rfc3339();
    let tomorrow = tomorrow().to_rfc3339();
    let yesterday = (Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let content = b64std(b"content");
    let password = b64std(b"password");
    let long_password = b64std([7u8; 250]);

    #[rustfmt::skip]
    let cases: Vec<(&str, bool, Value, u16, Option<&str>)> = vec![
        ("authenticated, content, tomorrow", true, json!({"content": content, "expiresAt": tomorrow}), 201, None),
        ("anonymous, no content, in a minute", false, json!({"expiresAt": in_a_minute}), 201, None),
        ("authenticated with password", true, json!({"content": content, "expiresAt": tomorrow, "password": password}), 201, None),
        ("personalized with password", true, json!({"content": content, "expiresAt": tomorrow, "forIdentity": other.address(), "password": password}), 201, None),
        ("expiry in the past", true, json!({"content": content, "expiresAt": yesterday}), 400, Some("'expiresAt' must be in the future.")),
        ("forIdentity not an address", true, json!({"content": content, "expiresAt": tomorrow, "forIdentity": "some-address"}), 400, Some("'forIdentity': The ID or Address is not valid. Check length, prefix and the used characters.")),
        ("250-byte password", true, json!({"content": content, "expiresAt": tomorrow, "password": long_password}), 400, Some("'password' must be between 1 and 200 bytes long. You entered 250 bytes.")),
        ("empty password", true, json!({"content": content, "expiresAt": tomorrow, "password": ""}), 400, Some("'password' must be between 1 and 200 bytes long. You entered 0 bytes.")),
        ("anonymous, expiry tomorrow", false, json!({"expiresAt": tomorrow}), 400, None),
        ("anonymous with content", false, json!({"content": content, "expiresAt": in_a_minute}), 400, Some("'content' must be empty.")),
        ("authenticated, null content", true, json!({"content": null, "expiresAt": tomorrow}), 201, None),
        ("authenticated, empty content", true, json!({"content": "", "expiresAt": tomorrow}), 201, None),
        ("authenticated, no content", true, json!({"expiresAt": tomorrow}), 201, None),
        ("forIdentity checked before password", true, json!({"expiresAt": yesterday, "forIdentity": "x", "password": long_password}), 400, Some("'forIdentity': The ID or Address is not valid. Check length, prefix and the used characters.")),
        ("password checked before expiry", true, json!({"expiresAt": yesterday, "password": long_password}), 400, Some("'password' must be between 1 and 200 bytes long. You entered 250 bytes.")),
    ];
    let mut created = 0;
    for (name, authenticated, body, status, message) in cases {
        let response = sim
            .create_token(authenticated.then_some(&caller), body)
            .await;
        assert_eq!(response.status().as_u16(), status, "{name}");
        if status == 201 {
            created += 1;
            continue;
        }
        let (code, actual) = error_of(response).await;
        assert_eq!(code, INVALID, "{name}");
        match message {
            Some(message) => assert_eq!(actual, message, "{name}"),
            None => assert!(
                actual.starts_with("'expiresAt' must be less than '"),
                "{name}: {actual}"
            ),
        }
    }
    assert_eq!(
        sim.sim.token_count(),
        created,
        "failed requests create nothing"
    );
}

#[tokio::test]
async fn a_forged_address_checksum_is_rejected() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    let mut forged = caller.address().to_owned();
    let last = if forged.ends_with('0') { '1' } else { '0' };
    forged.pop();
    forged.push(last);
    let response = sim
        .create_token(Some(&caller), token_body(Some(&forged), None, tomorrow()))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(response).await.0, INVALID);
}

#[tokio::test]
async fn malformed_bodies_cannot_be_parsed() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    let tomorrow = tomorrow().to_rfc3339();
    let cases = [
        ("not JSON", "{".to_owned()),
        ("empty body", String::new()),
        ("missing expiresAt", json!({"content": "AAAA"}).to_string()),
        ("null expiresAt", json!({"expiresAt": null}).to_string()),
        (
            "unparseable date",
            json!({"expiresAt": "invalid date"}).to_string(),
        ),
        (
            "bad base64",
            json!({"expiresAt": tomorrow, "content": "%%%"}).to_string(),
        ),
        (
            "wrong type",
            json!({"expiresAt": tomorrow, "content": 5}).to_string(),
        ),
    ];
    for (name, body) in cases {
        let response = sim
            .request(Method::POST, "/api/v2/Tokens", Some(&caller))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{name}");
        assert_eq!(error_of(response).await.0, UNPARSEABLE, "{name}");
    }
    assert_eq!(sim.sim.token_count(), 0);
}

#[tokio::test]
async fn content_accepts_both_base64_dialects_and_is_limited_to_ten_mebibytes() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    let tomorrow = tomorrow().to_rfc3339();
    for (content, expected) in [("-_8", vec![0xfb, 0xff]), ("+/8=", vec![0xfb, 0xff])] {
        let id = sim
            .create_token_ok(
                Some(&caller),
                json!({"content": content, "expiresAt": tomorrow}),
            )
            .await;
        let stored = sim
            .sim
            .tokens()
            .into_iter()
            .find(|t| t.id.as_str() == id)
            .expect("stored");
        assert_eq!(stored.content, Some(expected));
    }
    let too_big = b64std(vec![0u8; 10 * 1024 * 1024 + 1]);
    let response = sim
        .create_token(
            Some(&caller),
            json!({"content": too_big, "expiresAt": tomorrow}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(response).await.1,
        "'content' must be between 0 and 10485760 bytes long. You entered 10485761 bytes."
    );
}

#[tokio::test]
async fn bodies_over_twenty_mebibytes_are_refused() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    let body = format!(
        r#"{{"expiresAt":"{}","content":"{}"}}"#,
        tomorrow().to_rfc3339(),
        "A".repeat(21 * 1024 * 1024)
    );
    let response = sim
        .request(Method::POST, "/api/v2/Tokens", Some(&caller))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(response).await.0,
        "error.platform.requestBodyTooLarge"
    );
}

#[tokio::test]
async fn an_expired_login_makes_the_create_anonymous_rather_than_unauthorized() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    sim.sim.faults().expire_access_tokens();
    let response = sim
        .create_token(Some(&caller), token_body(None, None, tomorrow()))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(response).await.1, "'content' must be empty.");
    let garbage = sim
        .request(Method::POST, "/api/v2/Tokens", None)
        .bearer_auth("not-a-token")
        .json(&json!({"expiresAt": (Utc::now() + chrono::Duration::minutes(1)).to_rfc3339()}))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        garbage.status(),
        StatusCode::CREATED,
        "an unknown bearer is anonymous"
    );
}

#[tokio::test]
async fn a_non_json_body_is_an_unsupported_media_type() {
    let sim = TestSim::start().await;
    let response = sim
        .request(Method::POST, "/api/v2/Tokens", None)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
