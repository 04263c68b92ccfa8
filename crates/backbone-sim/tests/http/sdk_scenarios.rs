//! The Backbone's own integration scenarios for Challenges and Identities (spec
//! identity-onboarding.md §5), replayed as its .NET SDK sends them: PascalCase, standard
//! base64, a `null` challenge body, the Development password policy, client `test`/`test`.

use backbone_sim::{PasswordPolicy, PlatformClient, SimulatorConfig};
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::onboard::{Key, SDK_PASSWORD, onboarded_login, sdk_body, sdk_challenge};
use crate::support::{Identity, TestSim};

async fn backbone_test_setup() -> TestSim {
    TestSim::start_with_client(
        SimulatorConfig::new().with_password_policy(PasswordPolicy::Development),
        PlatformClient::new("test", "test"),
    )
    .await
}

/// `POST /Challenges` as the SDK sends it: `JsonContent.Create<object?>(null)`.
async fn sdk_challenge_request(sim: &TestSim, caller: Option<&Identity>) -> reqwest::Response {
    sim.request(Method::POST, "/api/v2/Challenges", caller)
        .header("content-type", "application/json; charset=utf-8")
        .body("null")
        .send()
        .await
        .expect("sent")
}

fn is_date(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|text| DateTime::parse_from_rfc3339(text).is_ok())
}

/// `Client.CreateForNewIdentity`: challenge, identity, login, datawallet upgrade.
async fn create_for_new_identity(sim: &TestSim) -> Identity {
    // 1. Anonymous challenge, body `null`.
    let response = sdk_challenge_request(sim, None).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let challenge: Value = response.json().await.expect("JSON");
    let challenge = &challenge["result"];
    // 2. The identity, signing the DTO re-serialized.
    let key = Key::random();
    let text = sdk_challenge(
        challenge["id"].as_str().expect("id"),
        challenge["expiresAt"].as_str().expect("expiresAt"),
    );
    let response = sim
        .post_identity(&sdk_body(&key, &text, SDK_PASSWORD, ("test", "test")))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.expect("JSON");
    let result = &created["result"];
    assert!(result["address"].is_string());
    assert!(is_date(&result["createdAt"]));
    assert!(result["device"]["id"].is_string() && result["device"]["username"].is_string());
    assert!(is_date(&result["device"]["createdAt"]));
    // 3. The login.
    let identity = sim.login(onboarded_login(result, SDK_PASSWORD)).await;
    // 4. A datawallet version upgrade, PascalCase with a duration.
    let response = sim
        .request(Method::POST, "/api/v2/SyncRuns", Some(&identity))
        .header("X-Supported-Datawallet-Version", "1")
        .json(&json!({"Type": "DatawalletVersionUpgrade", "Duration": 30}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::CREATED);
    let started: Value = response.json().await.expect("JSON");
    let run = &started["result"]["syncRun"];
    let run_id = run["id"].as_str().expect("result.syncRun.id");
    let lifetime = DateTime::parse_from_rfc3339(run["expiresAt"].as_str().expect("expiresAt"))
        .expect("date")
        - DateTime::parse_from_rfc3339(run["createdAt"].as_str().expect("createdAt"))
            .expect("date");
    assert_eq!(lifetime.num_seconds(), 30);
    // 5. Its finalization.
    let response = sim
        .finalize_upgrade(
            &identity,
            run_id,
            json!({"NewDatawalletVersion": 1, "DatawalletModifications": []}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(sim.sim.datawallet_version(identity.address()), Some(1));
    identity
}

#[tokio::test]
async fn creating_an_identity_as_the_sdk_does() {
    let sim = backbone_test_setup().await;
    let identity = create_for_new_identity(&sim).await;
    let stored = sim.sim.identity(identity.address()).expect("stored");
    assert_eq!(stored.datawallet_version, Some(1));
    assert_eq!(stored.identity.client_id, "test");
}

#[tokio::test]
async fn creating_a_challenge_as_an_anonymous_user() {
    let sim = backbone_test_setup().await;
    let response = sdk_challenge_request(&sim, None).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("JSON");
    let challenge = &body["result"];
    assert!(challenge["id"].is_string());
    let expires_at: DateTime<Utc> = challenge["expiresAt"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("date");
    assert!(expires_at > Utc::now());
    assert_eq!(challenge["createdBy"], Value::Null);
    assert_eq!(challenge["createdByDevice"], Value::Null);
}

#[tokio::test]
async fn creating_a_challenge_as_an_authenticated_user() {
    let sim = backbone_test_setup().await;
    let identity = create_for_new_identity(&sim).await;
    let response = sdk_challenge_request(&sim, Some(&identity)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["result"]["createdBy"], identity.address());
    assert_eq!(
        body["result"]["createdByDevice"],
        identity.device.device_id.as_str()
    );
}

#[tokio::test]
async fn requesting_a_challenge_as_an_authenticated_user() {
    let sim = backbone_test_setup().await;
    let identity = create_for_new_identity(&sim).await;
    let body: Value = sdk_challenge_request(&sim, Some(&identity))
        .await
        .json()
        .await
        .expect("JSON");
    let id = body["result"]["id"].as_str().expect("id");
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
    assert_eq!(body["result"]["id"], id);
    assert!(is_date(&body["result"]["expiresAt"]));
}

#[tokio::test]
async fn requesting_a_nonexistent_challenge() {
    let sim = backbone_test_setup().await;
    let identity = create_for_new_identity(&sim).await;
    let response = sim
        .request(
            Method::GET,
            "/api/v2/Challenges/CHLthisisnonexisting",
            Some(&identity),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
