//! Fault injection through the in-process handle: each kind, route filters and counts.

use std::time::{Duration, Instant};

use backbone_sim::Fault;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{TestSim, error_of, token_body, tomorrow};

const TOKENS: &str = "/api/v2/Tokens";

#[tokio::test]
async fn error_500_answers_the_next_n_matching_requests_without_creating_anything() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    sim.sim
        .faults()
        .inject(Fault::error_500().on("POST", TOKENS).times(2));
    for attempt in 1..=2 {
        let response = sim
            .create_token(Some(&caller), token_body(None, None, tomorrow()))
            .await;
        assert_eq!(
            response.status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "attempt {attempt}"
        );
        let (code, message) = error_of(response).await;
        assert_eq!(code, "error.platform.unexpected");
        assert_eq!(message, "An unexpected error occurred.");
    }
    assert_eq!(sim.sim.token_count(), 0);
    let third = sim
        .create_token(Some(&caller), token_body(None, None, tomorrow()))
        .await;
    assert_eq!(third.status(), StatusCode::CREATED);
    assert_eq!(sim.sim.token_count(), 1);
    assert!(sim.sim.faults().pending().is_empty());
}

#[tokio::test]
async fn unavailable_503_has_no_body() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    sim.sim.faults().inject(Fault::unavailable_503());
    let response = sim
        .create_token(Some(&caller), token_body(None, None, tomorrow()))
        .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.bytes().await.expect("body").is_empty());
    assert_eq!(sim.sim.token_count(), 0);
}

#[tokio::test]
async fn quota_exhausted_429_carries_the_exhausted_metric_and_optionally_retry_after() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    for (fault, retry_after) in [
        (Fault::quota_exhausted_429(), None),
        (
            Fault::quota_exhausted_429().with_retry_after(30),
            Some("30"),
        ),
    ] {
        sim.sim.faults().inject(fault.on("POST", TOKENS));
        let response = sim
            .create_token(Some(&caller), token_body(None, None, tomorrow()))
            .await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            retry_after
        );
        let body: Value = response.json().await.expect("JSON body");
        assert_eq!(body["error"]["code"], "error.platform.quotaExhausted");
        assert_eq!(body["error"]["data"][0]["metricKey"], "NumberOfTokens");
        let until = body["error"]["data"][0]["isExhaustedUntil"]
            .as_str()
            .expect("isExhaustedUntil");
        assert!(
            chrono::DateTime::parse_from_rfc3339(until).is_ok(),
            "{until}"
        );
    }
    assert_eq!(sim.sim.token_count(), 0);
}

#[tokio::test]
async fn a_delay_slows_the_answer_but_keeps_it() {
    let sim = TestSim::start().await;
    sim.sim
        .faults()
        .inject(Fault::delay(Duration::from_millis(800)).on_path("/api/v2/Version"));
    let started = Instant::now();
    let response = sim
        .http
        .get(sim.url("/api/v2/Version"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(800));
    let started = Instant::now();
    sim.http
        .get(sim.url("/api/v2/Version"))
        .send()
        .await
        .expect("sent");
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "only the next request is delayed"
    );
}

#[tokio::test]
async fn a_delay_combines_with_a_failure_and_trips_client_timeouts() {
    let sim = TestSim::start().await;
    sim.sim
        .faults()
        .inject(Fault::delay(Duration::from_millis(300)));
    sim.sim.faults().inject(Fault::unavailable_503());
    let started = Instant::now();
    let response = sim
        .http
        .get(sim.url("/api/v2/Version"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() >= Duration::from_millis(300));

    sim.sim
        .faults()
        .inject(Fault::delay(Duration::from_secs(5)));
    let impatient = sim
        .http
        .get(sim.url("/api/v2/Version"))
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(impatient.expect_err("times out").is_timeout());
}

#[tokio::test]
async fn a_dropped_connection_gives_no_answer_at_all_and_creates_nothing() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    sim.sim
        .faults()
        .inject(Fault::drop_connection().on("POST", TOKENS));
    let started = Instant::now();
    let error = sim
        .request(Method::POST, TOKENS, Some(&caller))
        .json(&token_body(None, None, tomorrow()))
        .send()
        .await
        .expect_err("the connection is closed without a response");
    assert!(!error.is_timeout(), "closed, not hung: {error:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(sim.sim.token_count(), 0);
    let retry = sim
        .create_token(Some(&caller), token_body(None, None, tomorrow()))
        .await;
    assert_eq!(
        retry.status(),
        StatusCode::CREATED,
        "the next connection works"
    );
}

#[tokio::test]
async fn faults_after_processing_lose_the_answer_but_keep_the_work() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    sim.sim.faults().inject(
        Fault::drop_connection()
            .on("POST", TOKENS)
            .after_processing(),
    );
    let result = sim
        .request(Method::POST, TOKENS, Some(&caller))
        .json(&token_body(None, None, tomorrow()))
        .send()
        .await;
    assert!(result.is_err());
    assert_eq!(sim.sim.token_count(), 1, "the Backbone created the token");

    sim.sim
        .faults()
        .inject(Fault::error_500().on("POST", TOKENS).after_processing());
    let response = sim
        .create_token(Some(&caller), token_body(None, None, tomorrow()))
        .await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(sim.sim.token_count(), 2);
}

#[tokio::test]
async fn expiring_access_tokens_early_forces_a_new_login() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    let list = "/api/v2/Tokens?ids=TOKAAAAAAAAAAAAAAAAA";
    assert_eq!(
        sim.request(Method::GET, list, Some(&caller))
            .send()
            .await
            .expect("sent")
            .status(),
        StatusCode::OK
    );
    sim.sim.faults().expire_access_tokens();
    let response = sim
        .request(Method::GET, list, Some(&caller))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let again = sim.login(caller.device).await;
    assert_eq!(
        sim.request(Method::GET, list, Some(&again))
            .send()
            .await
            .expect("sent")
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn faults_apply_only_to_their_route_and_leave_the_rest_alone() {
    let sim = TestSim::start().await;
    sim.sim.faults().inject(
        Fault::error_500()
            .on("POST", "/connect/token")
            .until_cleared(),
    );
    let device = sim.sim.create_device("localhost").expect("device");
    for _ in 0..3 {
        assert_eq!(
            sim.login_as(&device, &device.password).await.status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
    assert_eq!(
        sim.http
            .get(sim.url("/api/v2/Version"))
            .send()
            .await
            .expect("sent")
            .status(),
        StatusCode::OK
    );
    assert_eq!(sim.sim.faults().pending().len(), 1);
    sim.sim.faults().clear();
    assert_eq!(
        sim.login_as(&device, &device.password).await.status(),
        StatusCode::OK
    );
}
