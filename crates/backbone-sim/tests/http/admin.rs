//! The admin HTTP API under `/_sim`, as a test in another process would drive it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestSim, token_body, tomorrow};

#[tokio::test]
async fn faults_are_injected_listed_and_cleared_over_http() {
    let sim = TestSim::start().await;
    let fault = json!({"kind": "error500", "times": 2, "method": "GET", "path": "/api/v2/Version"});
    let created = sim
        .http
        .post(sim.url("/_sim/faults"))
        .json(&fault)
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: Value = created.json().await.expect("JSON body");
    assert_eq!(body["result"]["kind"], "error500");
    assert!(body["result"]["id"].is_u64());

    assert_eq!(
        sim.http
            .get(sim.url("/api/v2/Version"))
            .send()
            .await
            .expect("sent")
            .status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let pending: Value = sim
        .http
        .get(sim.url("/_sim/faults"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(pending["result"][0]["times"], 1, "one hit left");

    let cleared = sim
        .http
        .delete(sim.url("/_sim/faults"))
        .send()
        .await
        .expect("sent");
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sim.http
            .get(sim.url("/api/v2/Version"))
            .send()
            .await
            .expect("sent")
            .status(),
        StatusCode::OK
    );

    let invalid = sim
        .http
        .post(sim.url("/_sim/faults"))
        .json(&json!({"kind": "meteor"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn every_fault_kind_can_be_injected_over_http() {
    let sim = TestSim::start().await;
    let cases = [
        (json!({"kind": "unavailable503"}), Some(503)),
        (
            json!({"kind": "quotaExhausted429", "retryAfterSeconds": 5}),
            Some(429),
        ),
        (json!({"kind": "delay", "delayMs": 50}), Some(200)),
        (json!({"kind": "dropConnection"}), None),
    ];
    for (fault, expected) in cases {
        let created = sim
            .http
            .post(sim.url("/_sim/faults"))
            .json(&fault)
            .send()
            .await
            .expect("sent");
        assert_eq!(created.status(), StatusCode::CREATED, "{fault}");
        let response = sim.http.get(sim.url("/api/v2/Version")).send().await;
        match expected {
            Some(status) => assert_eq!(
                response.expect("answered").status().as_u16(),
                status,
                "{fault}"
            ),
            None => assert!(response.is_err(), "{fault}"),
        }
    }
}

#[tokio::test]
async fn the_admin_api_is_immune_to_faults() {
    let sim = TestSim::start().await;
    sim.sim
        .faults()
        .inject(backbone_sim::Fault::error_500().until_cleared());
    let response = sim
        .http
        .get(sim.url("/_sim/faults"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn devices_created_over_http_can_log_in_and_tokens_can_be_inspected() {
    let sim = TestSim::start().await;
    let created = sim
        .http
        .post(sim.url("/_sim/devices"))
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), StatusCode::CREATED);
    let device: Value = created.json().await.expect("JSON body");
    let device = &device["result"];
    let form = [
        ("grant_type", "password"),
        ("client_id", sim.client.client_id.as_str()),
        ("client_secret", sim.client.client_secret.as_str()),
        ("username", device["username"].as_str().expect("username")),
        ("password", device["password"].as_str().expect("password")),
    ];
    let login: Value = sim
        .http
        .post(sim.url("/connect/token"))
        .form(&form)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let token = login["access_token"].as_str().expect("access token");

    let body = token_body(None, Some(b"password"), tomorrow());
    let response = sim
        .http
        .post(sim.url("/api/v2/Tokens"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::CREATED);

    let tokens: Value = sim
        .http
        .get(sim.url("/_sim/tokens"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let stored = &tokens["result"][0];
    assert_eq!(stored["createdBy"], device["address"]);
    assert_eq!(stored["createdByDevice"], device["deviceId"]);
    assert_eq!(
        stored["password"],
        backbone_sim::encoding::b64url(b"password")
    );
    assert_eq!(stored["accessFailedCount"], 0);
    let one: Value = sim
        .http
        .get(sim.url(&format!(
            "/_sim/tokens/{}",
            stored["id"].as_str().expect("id")
        )))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(one["result"]["id"], stored["id"]);

    let other_domain = sim
        .http
        .post(sim.url("/_sim/devices"))
        .json(&json!({"addressDomain": "example.com"}))
        .send()
        .await;
    let other: Value = other_domain.expect("sent").json().await.expect("JSON");
    assert!(
        other["result"]["address"]
            .as_str()
            .is_some_and(|a| a.starts_with("did:e:example.com:dids:"))
    );
}

#[tokio::test]
async fn access_tokens_expire_and_the_clock_advances_over_http() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    let list = sim.url("/api/v2/Tokens?ids=TOKAAAAAAAAAAAAAAAAA");
    let expire = sim
        .http
        .post(sim.url("/_sim/access-tokens/expire"))
        .send()
        .await
        .expect("sent");
    assert_eq!(expire.status(), StatusCode::NO_CONTENT);
    let response = sim
        .http
        .get(&list)
        .bearer_auth(&caller.access_token)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let before = sim.sim.now();
    let advanced = sim
        .http
        .post(sim.url("/_sim/clock/advance"))
        .json(&json!({"seconds": 3600}))
        .send()
        .await
        .expect("sent");
    assert_eq!(advanced.status(), StatusCode::OK);
    assert!(sim.sim.now() - before >= chrono::Duration::seconds(3600));
}

/// What a test in another process sees of onboarding: identities with their devices and
/// datawallet version, challenges, and a challenge registered with a fixed id.
#[tokio::test]
async fn onboarded_identities_and_challenges_are_visible_over_http() {
    use crate::onboard::{Key, STRONG_PASSWORD, runtime_body, runtime_challenge};
    let sim = TestSim::start().await;
    let get = |path: &'static str| {
        let request = sim.http.get(sim.url(path));
        async move {
            let response = request.send().await.expect("sent");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.json::<Value>().await.expect("JSON")["result"].clone()
        }
    };
    assert_eq!(get("/_sim/identities").await, json!([]));

    let registered = sim
        .http
        .post(sim.url("/_sim/challenges"))
        .json(&json!({"id": "CHLtestChallenge0001", "expiresAt": "2099-01-01T00:00:00Z"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(registered.status(), StatusCode::CREATED);
    let body: Value = registered.json().await.expect("JSON");
    assert_eq!(body["result"]["expiresAt"], "2099-01-01T00:00:00.000Z");
    let key = Key::random();
    let challenge = runtime_challenge("CHLtestChallenge0001", "2099-01-01T00:00:00.000Z");
    let client = (
        sim.client.client_id.as_str(),
        sim.client.client_secret.as_str(),
    );
    let created: Value = sim
        .post_identity(&runtime_body(&key, &challenge, STRONG_PASSWORD, client))
        .await
        .json()
        .await
        .expect("JSON");
    let address = created["result"]["address"].as_str().expect("address");

    let identities = get("/_sim/identities").await;
    assert_eq!(identities.as_array().map(Vec::len), Some(1));
    let identity = &identities[0];
    assert_eq!(identity["address"], address);
    assert_eq!(
        identity["publicKey"],
        backbone_sim::encoding::b64url(key.public())
    );
    assert_eq!(identity["clientId"], sim.client.client_id.as_str());
    assert_eq!(identity["datawalletVersion"], Value::Null);
    assert_eq!(
        identity["devices"][0]["id"],
        created["result"]["device"]["id"]
    );
    assert!(
        identity["devices"][0].get("password").is_none(),
        "no passwords handed out"
    );
    let one = sim
        .http
        .get(sim.url(&format!("/_sim/identities/{address}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(one.status(), StatusCode::OK);
    let missing = sim
        .http
        .get(sim.url("/_sim/identities/did:e:localhost:dids:0123456789abcdef012357"))
        .send()
        .await
        .expect("sent");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let challenges = get("/_sim/challenges").await;
    assert_eq!(challenges[0]["id"], "CHLtestChallenge0001");
    let bad = sim
        .http
        .post(sim.url("/_sim/challenges"))
        .json(&json!({"id": "TOKtestChallenge0001"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let limited = sim
        .http
        .post(sim.url("/_sim/clients"))
        .json(&json!({"maxIdentities": 0}))
        .send()
        .await
        .expect("sent");
    let limited: Value = limited.json().await.expect("JSON");
    assert_eq!(limited["result"]["maxIdentities"], 0);
    assert_eq!(get("/_sim/datawallets").await, json!([]));
}
