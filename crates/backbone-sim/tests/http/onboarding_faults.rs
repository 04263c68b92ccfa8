//! Faults on the onboarding routes: a 500 or a timeout creates nothing, a lost answer creates
//! the identity but the client never learns its device (a retry meets `addressAlreadyExists`).

use std::time::Duration;

use backbone_sim::Fault;
use reqwest::StatusCode;

use crate::onboard::{Key, STRONG_PASSWORD, runtime_body, runtime_challenge};
use crate::support::{TestSim, error_of};

const IDENTITIES: &str = "/api/v2/Identities";

async fn body(sim: &TestSim, key: &Key) -> serde_json::Value {
    let (id, expires_at) = sim.challenge(None).await;
    let client = (
        sim.client.client_id.as_str(),
        sim.client.client_secret.as_str(),
    );
    runtime_body(
        key,
        &runtime_challenge(&id, &expires_at),
        STRONG_PASSWORD,
        client,
    )
}

#[tokio::test]
async fn a_500_on_identities_creates_nothing_and_the_retry_succeeds() {
    let sim = TestSim::start().await;
    let key = Key::random();
    let request = body(&sim, &key).await;
    sim.sim
        .faults()
        .inject(Fault::error_500().on("POST", IDENTITIES));
    let response = sim.post_identity(&request).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let (code, _) = error_of(response).await;
    assert_eq!(code, "error.platform.unexpected");
    assert!(sim.sim.identities().is_empty());
    assert_eq!(
        sim.post_identity(&request).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_delayed_answer_trips_the_client_timeout() {
    let sim = TestSim::start().await;
    let request = body(&sim, &Key::random()).await;
    sim.sim
        .faults()
        .inject(Fault::delay(Duration::from_millis(1500)).on("POST", "/api/v2/Challenges"));
    let started = std::time::Instant::now();
    let timed_out = sim
        .http
        .post(sim.url("/api/v2/Challenges"))
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(timed_out.is_err_and(|e| e.is_timeout()));
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert_eq!(
        sim.post_identity(&request).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_lost_answer_leaves_an_identity_the_client_cannot_use() {
    let sim = TestSim::start().await;
    let key = Key::random();
    let request = body(&sim, &key).await;
    sim.sim
        .faults()
        .inject(Fault::lost_answer().on("POST", IDENTITIES));
    let lost = sim
        .http
        .post(sim.url(IDENTITIES))
        .json(&request)
        .send()
        .await;
    let error = lost.expect_err("no answer at all");
    assert!(!error.is_timeout(), "the connection was closed: {error}");
    let identities = sim.sim.identities();
    assert_eq!(identities.len(), 1, "processed before the drop");
    assert_eq!(identities[0].identity.public_key, key.public());
    // The same key again: the address exists (spec §1.9, lost 201).
    let (code, _) = error_of(sim.post_identity(&request).await).await;
    assert_eq!(
        code,
        "error.platform.validation.device.addressAlreadyExists"
    );
}

#[tokio::test]
async fn sync_runs_fail_as_injected() {
    let sim = TestSim::start().await;
    let identity = sim.onboarded_identity().await;
    sim.sim
        .faults()
        .inject(Fault::unavailable_503().on("POST", "/api/v2/SyncRuns"));
    let response = sim
        .start_sync_run(
            &identity,
            serde_json::json!({"type": "DatawalletVersionUpgrade"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let response = sim
        .start_sync_run(
            &identity,
            serde_json::json!({"type": "DatawalletVersionUpgrade"}),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "nothing was started before"
    );
}
