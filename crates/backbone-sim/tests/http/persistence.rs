//! The state file: what a restarted simulator still knows, when it is written, and what it
//! refuses to load.

use std::path::Path;
use std::time::Duration;

use backbone_sim::encoding::b64std;
use backbone_sim::{PlatformClient, SeededDevice, SimulatorConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TempDir, TestSim, error_of, token_body, tomorrow};

/// `GET /api/v2/Tokens/{id}`: the status and, for a 200, the token.
async fn read(
    sim: &TestSim,
    caller: Option<&crate::support::Identity>,
    id: &str,
    password: Option<&[u8]>,
) -> (StatusCode, Value) {
    let response = sim.get_token(caller, id, password).await;
    let status = response.status();
    let body = if status == StatusCode::OK {
        response.json::<Value>().await.expect("JSON body")["result"].clone()
    } else {
        Value::Null
    };
    (status, body)
}

/// An anonymous token: no content, at most 5 minutes to live.
fn anonymous_body(password: Option<&[u8]>) -> Value {
    let mut body = json!({
        "expiresAt": (chrono::Utc::now() + chrono::Duration::minutes(4)).to_rfc3339(),
    });
    if let Some(password) = password {
        body["password"] = json!(b64std(password));
    }
    body
}

fn stored_token_ids(path: &Path) -> Vec<String> {
    let file: Value =
        serde_json::from_slice(&std::fs::read(path).expect("state file exists")).expect("JSON");
    assert_eq!(file["version"], backbone_sim::persist::FORMAT_VERSION);
    file["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn tokens_allocations_counters_and_logins_survive_a_restart() {
    let dir = TempDir::new();
    let path = dir.path().join("state.json");
    let client = PlatformClient::random();
    let seeded = SeededDevice::random("localhost");
    let config = || {
        SimulatorConfig::new()
            .with_device(seeded.clone())
            .with_state_file(&path)
    };

    let sim = TestSim::start_with_client(config(), client.clone()).await;
    let creator = sim.login(seeded.clone()).await;
    let reader = sim.identity().await; // a device created at run time, not configured
    let plain = sim
        .create_token_ok(Some(&creator), token_body(None, None, tomorrow()))
        .await;
    let protected = sim
        .create_token_ok(
            Some(&creator),
            token_body(None, Some(b"secret"), tomorrow()),
        )
        .await;
    let personalized = sim
        .create_token_ok(
            Some(&creator),
            token_body(Some(reader.address()), None, tomorrow()),
        )
        .await;
    let anonymous = sim
        .create_token_ok(None, anonymous_body(Some(b"anon")))
        .await;
    let deleted = sim
        .create_token_ok(Some(&creator), token_body(None, None, tomorrow()))
        .await;
    let (status, protected_before) = read(&sim, Some(&reader), &protected, Some(b"secret")).await;
    assert_eq!(status, StatusCode::OK, "the reader's allocation");
    for _ in 0..3 {
        let (status, _) = read(&sim, None, &protected, Some(b"wrong")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let response = sim
        .request(
            Method::DELETE,
            &format!("/api/v2/Tokens/{deleted}"),
            Some(&creator),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    sim.sim.advance_clock(Duration::from_secs(30));
    let (_, plain_before) = read(&sim, None, &plain, None).await;
    let tokens_before = sim.sim.tokens();
    let devices_before = sim.sim.devices();
    let offset_before = sim.sim.now() - chrono::Utc::now();
    let protected_stored = tokens_before
        .iter()
        .find(|t| t.id.as_str() == protected)
        .expect("stored");
    assert_eq!(protected_stored.access_failed_count, 3);
    assert_eq!(protected_stored.allocations.len(), 1);
    sim.sim.stop().await;

    let sim = TestSim::start_with_client(config(), client.clone()).await;
    assert_eq!(
        sim.sim.tokens(),
        tokens_before,
        "every token as it was, deleted one gone"
    );
    assert_eq!(sim.sim.devices(), devices_before);
    let offset = sim.sim.now() - chrono::Utc::now() - offset_before;
    assert!(offset.num_seconds().abs() <= 2, "clock offset kept");

    // Access tokens are not kept: clients log in again, with the same credentials.
    let response = sim
        .request(
            Method::GET,
            &format!("/api/v2/Tokens?ids={plain}"),
            Some(&creator),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let creator = sim.login(creator.device.clone()).await;
    let reader = sim.login(reader.device.clone()).await;
    let stranger = sim.identity().await;

    assert_eq!(
        read(&sim, None, &plain, None).await,
        (StatusCode::OK, plain_before)
    );
    // The creator and the allocated reader need no password; anyone else does.
    assert_eq!(
        read(&sim, Some(&reader), &protected, None).await,
        (StatusCode::OK, protected_before.clone())
    );
    assert_eq!(
        read(&sim, Some(&creator), &protected, None).await,
        (StatusCode::OK, protected_before.clone())
    );
    assert_eq!(
        read(&sim, Some(&stranger), &protected, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        read(&sim, Some(&stranger), &protected, Some(b"wrong"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let token = sim.sim.token(&protected).expect("exists");
    assert_eq!(token.access_failed_count, 5, "counting on from 3");
    assert_eq!(
        read(&sim, Some(&stranger), &protected, Some(b"secret")).await,
        (StatusCode::OK, protected_before)
    );
    // forIdentity still applies.
    assert_eq!(
        read(&sim, Some(&stranger), &personalized, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        read(&sim, Some(&reader), &personalized, None).await.0,
        StatusCode::OK
    );
    // An anonymous token stays open to anonymous callers and password-protected to others.
    assert_eq!(read(&sim, None, &anonymous, None).await.0, StatusCode::OK);
    assert_eq!(
        read(&sim, Some(&stranger), &anonymous, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        read(&sim, Some(&stranger), &anonymous, Some(b"anon"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        read(&sim, Some(&creator), &deleted, None).await.0,
        StatusCode::NOT_FOUND
    );
    // The creator can still delete.
    let response = sim
        .request(
            Method::DELETE,
            &format!("/api/v2/Tokens/{plain}"),
            Some(&creator),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    sim.sim.stop().await;

    let ids = stored_token_ids(&path);
    assert!(!ids.contains(&plain) && ids.contains(&protected));
    assert_eq!(dir.entries(), ["state.json"], "no temporary file left");
}

#[tokio::test]
async fn a_token_is_on_disk_before_its_201_even_under_concurrent_writes() {
    let dir = TempDir::new();
    let path = dir.path().join("state.json");
    let sim = TestSim::start_with(
        SimulatorConfig::new()
            .with_state_file(&path)
            .with_workers(2),
    )
    .await;
    let id = sim.create_token_ok(None, anonymous_body(None)).await;
    assert_eq!(stored_token_ids(&path), std::slice::from_ref(&id));

    let mut tasks = Vec::new();
    for _ in 0..16 {
        let http = sim.http.clone();
        let url = sim.url("/api/v2/Tokens");
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(url)
                .json(&anonymous_body(Some(b"pw")))
                .send()
                .await
                .expect("sent");
            assert_eq!(response.status(), StatusCode::CREATED);
            let body: Value = response.json().await.expect("JSON");
            let id = body["result"]["id"].as_str().expect("id").to_owned();
            // Acknowledged, so on disk, whatever the other requests are doing.
            assert!(stored_token_ids(&path).contains(&id));
            id
        }));
    }
    let mut created = vec![id];
    for task in tasks {
        created.push(task.await.expect("task joins"));
    }
    let mut stored = stored_token_ids(&path);
    stored.sort();
    created.sort();
    assert_eq!(stored, created);
    sim.sim.stop().await;
}

#[tokio::test]
async fn configured_clients_and_devices_win_over_loaded_ones() {
    let dir = TempDir::new();
    let path = dir.path().join("state.json");
    let client = PlatformClient::random();
    let device = SeededDevice::random("localhost");
    let sim = TestSim::start_with_client(
        SimulatorConfig::new()
            .with_device(device.clone())
            .with_state_file(&path),
        client.clone(),
    )
    .await;
    let other_client = PlatformClient::random();
    sim.sim.add_client(other_client.clone());
    sim.sim.stop().await;

    let renewed = SeededDevice {
        password: "a-new-password".to_owned(),
        ..device.clone()
    };
    let sim = TestSim::start_with_client(
        SimulatorConfig::new()
            .with_device(renewed.clone())
            .with_state_file(&path),
        PlatformClient::new(client.client_id.clone(), "a-new-secret"),
    )
    .await;
    assert_eq!(sim.sim.devices(), std::slice::from_ref(&renewed));
    assert_eq!(
        sim.sim.clients(),
        [
            PlatformClient::new(client.client_id.clone(), "a-new-secret"),
            other_client,
        ],
        "loaded clients kept in order, the configured one replacing its namesake"
    );
    let response = sim.login_as(&device, &device.password).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "old password");
    sim.login(renewed).await;
    sim.sim.stop().await;
}

#[tokio::test]
async fn a_corrupt_state_file_stops_the_start_and_is_left_alone() {
    let dir = TempDir::new();
    let path = dir.path().join("state.json");
    let cases = [
        ("{\"version\":1,\"tokens\":[", "corrupt"),
        ("", "corrupt"),
        (
            "{\"version\":1,\"clockOffsetMs\":0,\"clients\":[],\"devices\":[],\"tokens\":[{\"id\":\"TOKnot-an-id\"}]}",
            "corrupt",
        ),
        (
            "{\"version\":4,\"whatever\":true}",
            "unknown format version 4",
        ),
    ];
    for (content, expected) in cases {
        std::fs::write(&path, content).expect("written");
        let error = backbone_sim::start(SimulatorConfig::new().with_state_file(&path))
            .await
            .expect_err("refuses to start");
        let message = error.to_string();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData, "{message}");
        assert!(
            message.contains(&path.display().to_string()),
            "names the file: {message}"
        );
        assert!(message.contains(expected), "says why: {message}");
        assert_eq!(
            std::fs::read_to_string(&path).expect("still there"),
            content,
            "not overwritten"
        );
    }
}

#[tokio::test]
async fn an_unwritable_state_file_stops_the_start() {
    let dir = TempDir::new();
    let path = dir.path().join("missing-directory").join("state.json");
    let error = backbone_sim::start(SimulatorConfig::new().with_state_file(&path))
        .await
        .expect_err("refuses to start");
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
}

#[tokio::test]
async fn admin_changes_and_failed_reads_are_on_disk_when_answered() {
    let dir = TempDir::new();
    let path = dir.path().join("state.json");
    let sim = TestSim::start_with(SimulatorConfig::new().with_state_file(&path)).await;
    let created: Value = sim
        .http
        .post(sim.url("/_sim/devices"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let client: Value = sim
        .http
        .post(sim.url("/_sim/clients"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let file: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("state file")).expect("JSON");
    assert_eq!(
        file["devices"][0]["username"],
        created["result"]["username"]
    );
    assert_eq!(file["clients"][1]["clientId"], client["result"]["clientId"]);

    let id = sim.create_token_ok(None, anonymous_body(Some(b"pw"))).await;
    let stranger = sim.identity().await;
    let (code, _) = error_of(sim.get_token(Some(&stranger), &id, Some(b"nope")).await).await;
    assert_eq!(code, "error.platform.recordNotFound");
    let file: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("state file")).expect("JSON");
    assert_eq!(file["tokens"][0]["accessFailedCount"], 1, "counted on disk");
    assert_eq!(file["tokens"][0]["password"], b64std(b"pw"));

    let advanced = sim
        .http
        .post(sim.url("/_sim/clock/advance"))
        .json(&json!({ "seconds": 120 }))
        .send()
        .await
        .expect("sent");
    assert_eq!(advanced.status(), StatusCode::OK);
    let file: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("state file")).expect("JSON");
    assert_eq!(file["clockOffsetMs"], 120_000);
    sim.sim.stop().await;
}

#[tokio::test]
async fn onboarded_identities_their_logins_challenges_and_datawallets_survive_a_restart() {
    use crate::onboard::{Key, STRONG_PASSWORD, onboarded_login, runtime_body, runtime_challenge};
    let dir = TempDir::new();
    let path = dir.path().join("state.json");
    let client = PlatformClient::random().with_max_identities(5);
    let config = || SimulatorConfig::new().with_state_file(&path);
    let sim = TestSim::start_with_client(config(), client.clone()).await;
    let key = Key::random();
    let created = sim.onboard(&key, STRONG_PASSWORD).await;
    let login = onboarded_login(&created, STRONG_PASSWORD);
    let identity = sim.login(login.clone()).await;
    let run: Value = sim
        .start_sync_run(&identity, json!({"type": "DatawalletVersionUpgrade"}))
        .await
        .json()
        .await
        .expect("JSON");
    let run_id = run["result"]["syncRun"]["id"].as_str().expect("id");
    let response = sim
        .finalize_upgrade(
            &identity,
            run_id,
            json!({"newDatawalletVersion": 1, "datawalletModifications": []}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (challenge_id, expires_at) = sim.challenge(None).await;
    let identities_before = sim.sim.identities();
    let challenges_before = sim.sim.challenges();
    sim.sim.stop().await;

    let file: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("state file")).expect("JSON");
    assert_eq!(file["version"], backbone_sim::persist::FORMAT_VERSION);
    assert_eq!(file["identities"][0]["address"], created["address"]);
    assert_eq!(file["identityDevices"][0]["password"], STRONG_PASSWORD);
    assert_eq!(file["datawallets"][0]["version"], 1);
    assert_eq!(file["clients"][0]["maxIdentities"], 5);

    let sim = TestSim::start_with_client(config(), client).await;
    assert_eq!(sim.sim.identities(), identities_before);
    assert_eq!(sim.sim.challenges(), challenges_before);
    assert_eq!(sim.sim.identities()[0].datawallet_version, Some(1));
    assert!(
        sim.sim.devices().is_empty(),
        "still not a configured device"
    );
    // The device logs in with its password, and the key still cannot onboard twice.
    sim.login(login).await;
    let challenge = runtime_challenge(&challenge_id, &expires_at);
    let credentials = (
        sim.client.client_id.as_str(),
        sim.client.client_secret.as_str(),
    );
    let response = sim
        .post_identity(&runtime_body(
            &key,
            &challenge,
            STRONG_PASSWORD,
            credentials,
        ))
        .await;
    let (code, _) = error_of(response).await;
    assert_eq!(
        code,
        "error.platform.validation.device.addressAlreadyExists"
    );
    let response = sim
        .post_identity(&runtime_body(
            &Key::random(),
            &challenge,
            STRONG_PASSWORD,
            credentials,
        ))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "the kept challenge still works"
    );
    sim.sim.stop().await;
}
