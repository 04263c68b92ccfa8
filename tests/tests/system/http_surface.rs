//! The HTTP surface around the route: authentication before routing, 404/405/406, malformed
//! bodies, envelopes, headers, health.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use system_tests::{API_KEY, TestApp, status_and_json};

fn assert_envelope(body: &Value, code: &str) {
    let error = body["error"]
        .as_object()
        .unwrap_or_else(|| panic!("no error envelope: {body}"));
    assert_eq!(
        error.keys().map(String::as_str).collect::<Vec<_>>(),
        ["code", "message", "id", "time", "docs"]
    );
    assert_eq!(error["code"], code);
    let id = error["id"].as_str().unwrap();
    assert!(
        id.len() == 20
            && id.starts_with("ERR")
            && id[3..]
                .bytes()
                .all(|b| b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789".contains(&b)),
        "{id}"
    );
    assert_eq!(
        error["docs"],
        format!("https://enmeshed.eu/integrate/error-codes#{code}")
    );
    assert!(domain::date::parse_iso8601(error["time"].as_str().unwrap()).is_ok());
}

#[tokio::test]
async fn a_request_without_api_key_is_401_even_on_unknown_routes() {
    let app = TestApp::spawn().await;

    for url in [
        format!("{}/api/v2/Files/{}/Token", app.address, app.file.id),
        format!("{}/no/such/route", app.address),
    ] {
        let (status, body) = status_and_json(app.client.post(&url).send().await.unwrap()).await;
        assert_eq!(status, 401, "{url}");
        assert_envelope(&body, "error.connector.unauthorized");
        assert_eq!(body["error"]["message"], "Unauthorized.");
    }
    assert_eq!(app.simulator.token_count(), 0);
}

#[tokio::test]
async fn a_wrong_api_key_is_refused_after_the_configured_delay() {
    let app = TestApp::spawn_with(&[
        ("infrastructure__httpServer__authFailureDelayMinMs", "300"),
        ("infrastructure__httpServer__authFailureDelayMaxMs", "400"),
    ])
    .await;

    let started = Instant::now();
    let response = app
        .client
        .post(format!(
            "{}/api/v2/Files/{}/Token",
            app.address, app.file.id
        ))
        .header("x-api-key", format!("{API_KEY}x"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 401);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unknown_route_is_404_and_a_wrong_method_is_405() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .get(format!("{}/api/v2/Nothing", app.address))
        .header("X-API-KEY", API_KEY)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 404);
    assert_envelope(&body, "error.connector.http.routeDoesNotExist");

    let response = app
        .client
        .get(format!(
            "{}/api/v2/Files/{}/Token",
            app.address, app.file.id
        ))
        .header("X-API-KEY", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "POST");
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 405);
    assert_envelope(&body, "error.connector.http.methodNotAllowed");
}

#[tokio::test]
async fn an_unacceptable_accept_header_is_406_and_creates_nothing() {
    let app = TestApp::spawn().await;

    let response = app
        .post_token(app.file.id.as_str())
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();

    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 406);
    assert_envelope(&body, "error.connector.http.notAcceptable");
    assert_eq!(app.simulator.token_count(), 0);
}

#[tokio::test]
async fn malformed_json_is_400_invalid_json() {
    let app = TestApp::spawn().await;

    for body in ["{", "[1,2]", "\"text\""] {
        let response = app
            .post_token(app.file.id.as_str())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, answer) = status_and_json(response).await;
        assert_eq!(status, 400, "{body}");
        assert_envelope(&answer, "error.connector.validation.invalidJsonInPayload");
        assert_eq!(
            answer["error"]["message"],
            "The given payload is not a valid json object."
        );
    }
}

#[tokio::test]
async fn an_oversized_body_is_413_and_an_unknown_content_type_415() {
    let app = TestApp::spawn_with(&[("infrastructure__httpServer__maxBodyBytes", "1024")]).await;

    let big = json!({"padding": "x".repeat(2048)});
    let (status, body) = status_and_json(
        app.post_token(app.file.id.as_str())
            .json(&big)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 413);
    assert_envelope(&body, "error.connector.http.payloadTooLarge");

    let response = app
        .post_token(app.file.id.as_str())
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 415);
    assert_envelope(&body, "error.connector.http.unsupportedMediaType");
}

#[tokio::test]
async fn every_answer_carries_the_timing_headers() {
    let app = TestApp::spawn().await;

    let created = app.post_token(app.file.id.as_str()).send().await.unwrap();
    let refused = app
        .client
        .post(format!(
            "{}/api/v2/Files/{}/Token",
            app.address, app.file.id
        ))
        .send()
        .await
        .unwrap();

    for response in [created, refused] {
        let duration: f64 = response.headers()["x-response-duration-ms"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(duration >= 0.0);
        let time = response.headers()["x-response-time"].to_str().unwrap();
        assert!(domain::date::parse_iso8601(time).is_ok(), "{time}");
        assert!(response.headers().contains_key("x-correlation-id"));
    }
}

#[tokio::test]
async fn a_correlation_id_sent_is_echoed_in_the_answer() {
    let app = TestApp::spawn().await;

    let response = app
        .post_token(app.file.id.as_str())
        .header("X-Correlation-ID", "trace-me-42")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["x-correlation-id"], "trace-me-42");
}

#[tokio::test]
async fn health_needs_no_key_and_reports_each_dependency() {
    let app = TestApp::spawn().await;

    let (status, body) = status_and_json(
        app.client
            .get(format!("{}/health", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"isHealthy": true, "services": {"database": "healthy", "backboneConnection": "healthy", "backboneAuthentication": "healthy"}})
    );

    let address = app.address.clone();
    let client = app.client.clone();
    app.simulator.stop().await;
    let (status, body) = status_and_json(
        client
            .get(format!("{address}/health"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 500);
    assert_eq!(body["isHealthy"], false);
    assert_eq!(body["services"]["database"], "healthy");
    assert_eq!(body["services"]["backboneConnection"], "unhealthy");
}

#[tokio::test]
async fn the_version_needs_the_key() {
    let app = TestApp::spawn().await;
    let url = format!("{}/Monitoring/Version", app.address);

    assert_eq!(
        app.client.get(&url).send().await.unwrap().status().as_u16(),
        401
    );
    let (status, body) = status_and_json(
        app.client
            .get(&url)
            .header("X-API-KEY", API_KEY)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert!(body["commit"].is_string() && body["date"].is_string() && body["build"].is_string());
    // The build follows the checkout's commit (a clean clone, as CI makes, has git).
    if let Ok(head) = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        && head.status.success()
    {
        assert_eq!(
            body["commit"],
            String::from_utf8_lossy(&head.stdout).trim(),
            "rebuilt for the current commit"
        );
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::spawn().await;

    let answers = [
        app.post_token(app.file.id.as_str()).send().await.unwrap(),
        app.client
            .post(format!(
                "{}/api/v2/Files/{}/Token",
                app.address, app.file.id
            ))
            .send()
            .await
            .unwrap(),
        app.client
            .get(format!("{}/nothing", app.address))
            .header("X-API-KEY", API_KEY)
            .send()
            .await
            .unwrap(),
        app.client
            .get(format!("{}/health", app.address))
            .send()
            .await
            .unwrap(),
    ];

    for response in answers {
        let headers = response.headers();
        for (name, value) in [
            ("cache-control", "no-store"),
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "no-referrer"),
        ] {
            assert_eq!(
                headers.get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "{name} on {}",
                response.status()
            );
        }
        assert!(headers.contains_key("content-security-policy"));
    }
}
