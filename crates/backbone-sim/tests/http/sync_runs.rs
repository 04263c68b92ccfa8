//! `/api/v2/SyncRuns`: the runtime's datawallet version upgrade after onboarding, and the
//! Backbone's answers for active, foreign, finalized and unknown runs.

use std::time::Duration;

use backbone_sim::SeededDevice;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Identity, TestSim, error_of};

const UPGRADE: &str = r#"{"type":"DatawalletVersionUpgrade"}"#;

async fn started_run(sim: &TestSim, caller: &Identity) -> Value {
    let response = sim
        .start_sync_run(caller, serde_json::from_str(UPGRADE).expect("JSON"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("JSON");
    body["result"]["syncRun"].clone()
}

async fn finalize(sim: &TestSim, caller: &Identity, id: &str) -> reqwest::Response {
    sim.finalize_upgrade(
        caller,
        id,
        json!({"newDatawalletVersion": 1, "datawalletModifications": []}),
    )
    .await
}

#[tokio::test]
async fn the_runtimes_upgrade_after_onboarding_sets_datawallet_version_1() {
    let sim = TestSim::start().await;
    let identity = sim.onboarded_identity().await;
    let response = sim
        .start_sync_run(&identity, serde_json::from_str(UPGRADE).expect("JSON"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["result"]["status"], "Created");
    let run = &body["result"]["syncRun"];
    let keys: Vec<&str> = run
        .as_object()
        .expect("run")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "type",
            "expiresAt",
            "index",
            "createdAt",
            "createdBy",
            "createdByDevice",
            "eventCount"
        ]
    );
    let id = run["id"].as_str().expect("id");
    assert!(id.starts_with("SYR") && id.len() == 20);
    assert_eq!(run["type"], "DatawalletVersionUpgrade");
    assert_eq!(run["index"], 0);
    assert_eq!(run["eventCount"], 0);
    assert_eq!(run["createdBy"], identity.address());
    assert_eq!(run["createdByDevice"], identity.device.device_id.as_str());

    let response = finalize(&sim, &identity, id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body,
        json!({"result": {"newDatawalletModificationIndex": null, "datawalletModifications": []}})
    );
    let stored = sim.sim.identity(identity.address()).expect("identity");
    assert_eq!(stored.datawallet_version, Some(1));

    let (code, message) = error_of(finalize(&sim, &identity, id).await).await;
    assert_eq!(
        code,
        "error.platform.validation.syncRun.syncRunAlreadyFinalized"
    );
    assert_eq!(message, "This sync run is already finalized.");
    assert_eq!(started_run(&sim, &identity).await["index"], 1);
}

#[tokio::test]
async fn only_one_run_is_active_until_it_expires() {
    let sim = TestSim::start().await;
    let device = sim.sim.create_device("localhost").expect("device");
    let identity = sim.login(device.clone()).await;
    let first = started_run(&sim, &identity).await;
    let response = sim
        .start_sync_run(&identity, serde_json::from_str(UPGRADE).expect("JSON"))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (code, message) = error_of(response).await;
    assert_eq!(
        code,
        "error.platform.validation.syncRun.cannotStartSyncRunWhenAnotherSyncRunIsRunning"
    );
    assert_eq!(
        message,
        format!(
            "Another sync run is currently active (ID: {}). There can only be one active sync run at a time. Try again in a few seconds.",
            first["id"].as_str().expect("id")
        )
    );
    // The default lifetime is 10 s; then a new start cancels the old run.
    sim.sim.advance_clock(Duration::from_secs(11));
    let second = started_run(&sim, &identity).await;
    assert_eq!(second["index"], 1);
    let (code, _) =
        error_of(finalize(&sim, &identity, first["id"].as_str().expect("id")).await).await;
    assert_eq!(
        code,
        "error.platform.validation.syncRun.syncRunAlreadyFinalized"
    );
}

#[tokio::test]
async fn a_run_is_finalized_only_by_its_own_device_and_found_only_by_its_identity() {
    let sim = TestSim::start().await;
    let device = sim.sim.create_device("localhost").expect("device");
    let second_device = SeededDevice {
        address: device.address.clone(),
        ..SeededDevice::random("localhost")
    };
    sim.sim.add_device(second_device.clone());
    let (owner, sibling) = (sim.login(device).await, sim.login(second_device).await);
    let stranger = sim.identity().await;
    let run = started_run(&sim, &owner).await;
    let id = run["id"].as_str().expect("id");

    let (code, message) = error_of(finalize(&sim, &stranger, id).await).await;
    assert_eq!(code, "error.platform.recordNotFound");
    assert!(message.starts_with("SyncRun not found."), "{message}");
    let (code, _) = error_of(finalize(&sim, &owner, "SYRthisisnonexisting").await).await;
    assert_eq!(code, "error.platform.recordNotFound");
    let response = finalize(&sim, &sibling, id).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (code, _) = error_of(response).await;
    assert_eq!(
        code,
        "error.platform.validation.syncRun.cannotFinalizeSyncRunStartedByAnotherDevice"
    );
    let (code, message) = error_of(finalize(&sim, &owner, "TOKthisisnonexisting").await).await;
    assert_eq!(code, "error.platform.validation.invalidPropertyValue");
    assert_eq!(
        message,
        "'syncRunId': The ID or Address is not valid. Check length, prefix and the used characters."
    );
    assert_eq!(finalize(&sim, &owner, id).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn requests_are_judged_as_the_backbone_binds_and_validates_them() {
    let sim = TestSim::start().await;
    let identity = sim.identity().await;
    let post = |header: Option<&'static str>, body: &'static str, caller: Option<&Identity>| {
        let mut request = sim
            .request(Method::POST, "/api/v2/SyncRuns", caller)
            .header("content-type", "application/json")
            .body(body);
        if let Some(value) = header {
            request = request.header("X-Supported-Datawallet-Version", value);
        }
        request.send()
    };
    let response = post(Some("1"), UPGRADE, None).await.expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (code, message) = error_of(post(None, UPGRADE, Some(&identity)).await.expect("sent")).await;
    assert_eq!(code, "error.platform.validation.invalidPropertyValue");
    assert_eq!(
        message,
        "'SupportedDatawalletVersion' must be greater than 0."
    );
    let (code, _) = error_of(
        post(Some("abc"), UPGRADE, Some(&identity))
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(code, "error.platform.inputCannotBeParsed");
    let (code, _) = error_of(post(Some("1"), "", Some(&identity)).await.expect("sent")).await;
    assert_eq!(code, "error.platform.inputCannotBeParsed");
    let (code, _) = error_of(
        post(Some("1"), r#"{"type":"Nonsense"}"#, Some(&identity))
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(code, "error.platform.inputCannotBeParsed");
    // Without a type it is an external event sync, which needs a datawallet.
    let response = post(Some("1"), "{}", Some(&identity)).await.expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (_, message) = error_of(response).await;
    assert!(message.starts_with("Datawallet not found."), "{message}");

    let response = post(
        Some("1"),
        r#"{"TYPE":"datawalletversionupgrade"}"#,
        Some(&identity),
    )
    .await
    .expect("sent");
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "enum names ignore case"
    );
    let id = response.json::<Value>().await.expect("JSON")["result"]["syncRun"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let response = sim
        .finalize_upgrade(&identity, &id, json!({"newDatawalletVersion": 0}))
        .await;
    let (code, message) = error_of(response).await;
    assert_eq!(code, "error.platform.validation.invalidPropertyValue");
    assert_eq!(message, "'newDatawalletVersion' must not be empty.");
    let response = sim
        .finalize_upgrade(&identity, &id, json!({"newDatawalletVersion": 2}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    // Now there is a datawallet (version 2): nothing to sync, and version 1 clients are too old.
    let response = post(Some("2"), "{}", Some(&identity)).await.expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body,
        json!({"result": {"status": "NoNewEvents", "syncRun": null}})
    );
    let (code, _) = error_of(
        post(Some("1"), UPGRADE, Some(&identity))
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(
        code,
        "error.platform.validation.datawallet.insufficientSupportedDatawalletVersion"
    );
    assert_eq!(sim.sim.datawallet_version(identity.address()), Some(2));
}
