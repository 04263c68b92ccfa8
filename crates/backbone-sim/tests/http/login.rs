//! `/connect/token`, user lockout, protected-route 401s and the anonymous routes.

use std::time::Duration;

use backbone_sim::SimulatorConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestSim, token_body, tomorrow};

#[tokio::test]
async fn a_device_logs_in_with_the_password_grant() {
    let sim = TestSim::start().await;
    let device = sim.sim.create_device("localhost").expect("device");
    let response = sim.login_as(&device, &device.password).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert!(
        body["access_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
}

#[tokio::test]
async fn the_access_token_lifetime_is_configurable() {
    let config = SimulatorConfig::new().with_access_token_lifetime(Duration::from_secs(60));
    let sim = TestSim::start_with(config).await;
    let device = sim.sim.create_device("localhost").expect("device");
    let body: Value = sim
        .login_as(&device, &device.password)
        .await
        .json()
        .await
        .expect("JSON body");
    assert_eq!(body["expires_in"], 60);
}

#[tokio::test]
async fn three_wrong_passwords_lock_the_user_until_the_lockout_ends() {
    let sim = TestSim::start().await;
    let device = sim.sim.create_device("localhost").expect("device");
    for (attempt, expected_error) in [
        (1, "invalid_grant"),
        (2, "invalid_grant"),
        (3, "access_denied"),
    ] {
        let response = sim.login_as(&device, "wrong").await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "attempt {attempt}"
        );
        let body: Value = response.json().await.expect("JSON body");
        assert_eq!(body["error"], expected_error, "attempt {attempt}");
    }
    let locked = sim.login_as(&device, &device.password).await;
    assert_eq!(locked.status(), StatusCode::BAD_REQUEST);
    let body: Value = locked.json().await.expect("JSON body");
    assert_eq!(
        body,
        json!({"error": "access_denied", "error_description": "The user is temporarily locked out, please try again in a few minutes."})
    );
    sim.sim.advance_clock(Duration::from_secs(61));
    assert_eq!(
        sim.login_as(&device, &device.password).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_users_and_clients_are_refused_with_oauth_errors() {
    let sim = TestSim::start().await;
    let unknown = backbone_sim::SeededDevice::random("localhost");
    let response = sim.login_as(&unknown, &unknown.password).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "The username/password couple is invalid."})
    );

    let device = sim.sim.create_device("localhost").expect("device");
    let form = |client_id: &str, secret: &str, grant: &str| {
        vec![
            ("grant_type", grant.to_owned()),
            ("client_id", client_id.to_owned()),
            ("client_secret", secret.to_owned()),
            ("username", device.username.as_str().to_owned()),
            ("password", device.password.clone()),
        ]
    };
    let id = sim.client.client_id.clone();
    let secret = sim.client.client_secret.clone();
    #[rustfmt::skip]
    let cases = [
        (form(&id, "wrong", "password"), 401, "invalid_client", "The specified client credentials are invalid."),
        (form("nobody", &secret, "password"), 401, "invalid_client", "The specified 'client_id' is invalid."),
        (form(&id, &secret, "client_credentials"), 400, "unsupported_grant_type", "The specified 'grant_type' is not supported."),
    ];
    for (form, status, error, description) in cases {
        let response = sim
            .http
            .post(sim.url("/connect/token"))
            .form(&form)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status().as_u16(), status, "{error}");
        if status == 401 {
            let challenge = response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            assert!(
                challenge.starts_with("Basic error=\"invalid_client\""),
                "{challenge}"
            );
        }
        let body: Value = response.json().await.expect("JSON body");
        assert_eq!(body["error"], error);
        assert_eq!(body["error_description"], description);
    }
    let json_login = sim
        .http
        .post(sim.url("/connect/token"))
        .json(&json!({"grant_type": "password"}))
        .send()
        .await;
    assert_eq!(json_login.expect("sent").status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn protected_routes_answer_401_with_an_empty_body_and_a_bearer_challenge() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    let list = "/api/v2/Tokens?ids=TOKAAAAAAAAAAAAAAAAA";
    let cases = [
        (None, "Bearer".to_owned()),
        (
            Some("garbage"),
            "Bearer error=\"invalid_token\", error_description=\"The specified token is invalid.\""
                .to_owned(),
        ),
    ];
    for (token, challenge) in cases {
        let mut request = sim.request(Method::GET, list, None);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let header = response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        assert!(header.starts_with(&challenge), "{header}");
        assert!(response.bytes().await.expect("body").is_empty());
    }
    assert_eq!(
        sim.request(Method::GET, list, Some(&caller))
            .send()
            .await
            .expect("sent")
            .status(),
        StatusCode::OK
    );

    sim.sim.advance_clock(Duration::from_secs(301));
    let expired = sim
        .request(Method::GET, list, Some(&caller))
        .send()
        .await
        .expect("sent");
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    let header = expired
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        header.contains("The specified token is no longer valid."),
        "{header}"
    );
}

#[tokio::test]
async fn reading_a_token_with_an_expired_login_is_anonymous_not_unauthorized() {
    let sim = TestSim::start().await;
    let (creator, reader) = (sim.identity().await, sim.identity().await);
    let personal = sim
        .create_token_ok(
            Some(&creator),
            token_body(Some(reader.address()), None, tomorrow()),
        )
        .await;
    let public = sim
        .create_token_ok(Some(&creator), token_body(None, None, tomorrow()))
        .await;
    sim.sim.faults().expire_access_tokens();
    assert_eq!(
        sim.get_token(Some(&reader), &personal, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sim.get_token(Some(&reader), &public, None).await.status(),
        StatusCode::OK
    );
    assert!(
        sim.sim.tokens().iter().all(|t| t.allocations.is_empty()),
        "anonymous reads don't allocate"
    );
}

#[tokio::test]
async fn the_version_route_and_correlation_ids_work_like_the_backbones() {
    let sim = TestSim::start().await;
    let response = sim
        .http
        .get(sim.url("/api/v2/Version"))
        .header("X-Correlation-ID", "corr-42")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("x-correlation-id")
            .and_then(|v| v.to_str().ok()),
        Some("corr-42")
    );
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body, json!({"result": {"majorVersion": "7"}}));

    let fresh = sim
        .http
        .get(sim.url("/api/v2/Version"))
        .send()
        .await
        .expect("sent");
    assert!(
        fresh.headers().contains_key("x-correlation-id"),
        "one is generated when none is sent"
    );
    let unknown = sim
        .http
        .get(sim.url("/api/v1/Tokens"))
        .send()
        .await
        .expect("sent");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn browsers_get_cors_headers_and_preflights_succeed() {
    let sim = TestSim::start().await;
    let preflight = sim
        .http
        .request(
            Method::OPTIONS,
            sim.url("/api/v2/Tokens/TOKAAAAAAAAAAAAAAAAA"),
        )
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .expect("sent");
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("http://localhost:3000")
    );
}
