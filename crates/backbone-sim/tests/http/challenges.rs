//! `/api/v2/Challenges`: the Backbone's Challenges scenarios (spec identity-onboarding.md §5),
//! any body on create, the GET's id rule and its hour of grace after expiry.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{TestSim, error_of};

/// `result` of a 201 or 200, checked against the SDK's `Challenge` type: `id`, `expiresAt`
/// and both creators present, nulls written.
fn challenge_of(body: &Value) -> &Value {
    let result = &body["result"];
    let keys: Vec<&str> = result
        .as_object()
        .expect("result object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["id", "expiresAt", "createdBy", "createdByDevice"]);
    let id = result["id"].as_str().expect("id");
    assert!(id.starts_with("CHL") && id.len() == 20, "{id}");
    assert!(id[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
    result
}

fn date(value: &Value) -> DateTime<Utc> {
    let text = value.as_str().expect("date string");
    assert_eq!(text.len(), "2025-01-01T12:10:00.123Z".len(), "{text}");
    DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

#[tokio::test]
async fn an_anonymous_challenge_expires_in_ten_minutes_and_names_no_creator() {
    let sim = TestSim::start().await;
    let before = sim.sim.now();
    let response = sim
        .request(Method::POST, "/api/v2/Challenges", None)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_owned();
    let body: Value = response.json().await.expect("JSON");
    let challenge = challenge_of(&body);
    assert!(location.ends_with(&format!(
        "/api/v2/Challenges/{}",
        challenge["id"].as_str().expect("id")
    )));
    assert_eq!(challenge["createdBy"], Value::Null);
    assert_eq!(challenge["createdByDevice"], Value::Null);
    let expires_at = date(&challenge["expiresAt"]);
    let lifetime = expires_at - before;
    assert!(
        lifetime > chrono::Duration::seconds(599) && lifetime <= chrono::Duration::seconds(601),
        "{lifetime}"
    );
    assert_eq!(sim.sim.challenges().len(), 1);
}

#[tokio::test]
async fn any_body_and_content_type_create_a_challenge() {
    let sim = TestSim::start().await;
    let bodies: [(Option<&str>, &str); 5] = [
        (Some("application/json"), "null"),
        (Some("application/json"), "{}"),
        (None, ""),
        (Some("text/plain"), "whatever"),
        (Some("application/json"), "{not json"),
    ];
    for (content_type, body) in bodies {
        let mut request = sim
            .request(Method::POST, "/api/v2/Challenges", None)
            .body(body.to_owned());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::CREATED, "{body:?}");
    }
    assert_eq!(sim.sim.challenges().len(), 5);
}

#[tokio::test]
async fn an_authenticated_challenge_names_its_creator_and_a_stale_login_is_anonymous() {
    let sim = TestSim::start().await;
    let identity = sim.onboarded_identity().await;
    let body: Value = sim
        .request(Method::POST, "/api/v2/Challenges", Some(&identity))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let challenge = challenge_of(&body);
    assert_eq!(challenge["createdBy"], identity.address());
    assert_eq!(
        challenge["createdByDevice"],
        identity.device.device_id.as_str()
    );
    assert!(date(&challenge["expiresAt"]) > Utc::now());

    sim.sim.faults().expire_access_tokens();
    let body: Value = sim
        .request(Method::POST, "/api/v2/Challenges", Some(&identity))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(challenge_of(&body)["createdBy"], Value::Null);
}

#[tokio::test]
async fn an_identity_reads_a_challenge_it_created() {
    let sim = TestSim::start().await;
    let identity = sim.onboarded_identity().await;
    let (id, expires_at) = sim.challenge(Some(&identity)).await;
    let response = sim
        .request(
            Method::GET,
            &format!("/api/v2/Challenges/{id}"),
            Some(&identity),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    let challenge = challenge_of(&body);
    assert_eq!(challenge["id"], id.as_str());
    assert_eq!(challenge["expiresAt"], expires_at.as_str());
    assert_eq!(challenge["createdBy"], identity.address());
}

#[tokio::test]
async fn reading_challenges_needs_a_login_a_valid_id_and_an_existing_challenge() {
    let sim = TestSim::start().await;
    let identity = sim.identity().await;
    let (anonymous_id, _) = sim.challenge(None).await;
    let get = |id: String, caller| {
        sim.request(Method::GET, &format!("/api/v2/Challenges/{id}"), caller)
            .send()
    };
    let response = get(anonymous_id.clone(), None).await.expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.bytes().await.expect("body").is_empty());
    // Any identity reads any challenge, anonymous ones too.
    let response = get(anonymous_id, Some(&identity)).await.expect("sent");
    assert_eq!(response.status(), StatusCode::OK);

    let response = get("CHLthisisnonexisting".to_owned(), Some(&identity))
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "error.platform.recordNotFound");
    assert!(message.starts_with("Challenge not found."), "{message}");
    // Shorter ids pass the Backbone's validator and are simply not found.
    let response = get("CHLshort".to_owned(), Some(&identity))
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    for malformed in ["TOKthisisnonexisting", "CHLthisisnonexisting1", "CHL-nope"] {
        let response = get(malformed.to_owned(), Some(&identity))
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{malformed}");
        let (code, message) = error_of(response).await;
        assert_eq!(code, "error.platform.validation.invalidPropertyValue");
        assert_eq!(
            message,
            "'id': The ID or Address is not valid. Check length, prefix and the used characters."
        );
    }
}

#[tokio::test]
async fn a_challenge_stays_readable_for_an_hour_after_it_expired() {
    let sim = TestSim::start().await;
    let device = sim.sim.create_device("localhost").expect("device");
    let (id, _) = sim.challenge(None).await;
    let path = format!("/api/v2/Challenges/{id}");
    // Access tokens live 5 minutes: log in again after letting time pass.
    sim.sim
        .advance_clock(Duration::from_secs(10 * 60 + 59 * 60));
    let reader = sim.login(device.clone()).await;
    let response = sim
        .request(Method::GET, &path, Some(&reader))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    sim.sim.advance_clock(Duration::from_secs(61));
    let reader = sim.login(device).await;
    let response = sim
        .request(Method::GET, &path, Some(&reader))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "error.platform.recordNotFound");
    assert!(message.starts_with("Record not found."), "{message}");
}
