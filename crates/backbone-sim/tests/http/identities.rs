//! `POST /api/v2/Identities`: the spec's vectors A and C (identity-onboarding.md §6), every
//! check of §1.8 in its order, the challenge's expiry, and the new device at work.

use std::time::Duration;

use backbone_sim::{Challenge, ChallengeId, PasswordPolicy, PlatformClient, SimulatorConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::onboard::{
    Key, STRONG_PASSWORD, onboarded_login, runtime_body, runtime_challenge, sdk_body, sdk_challenge,
};
use crate::support::{TestSim, error_of, token_body, tomorrow};

const VECTOR_CHALLENGE_ID: &str = "CHLtestChallenge0001";
const VECTOR_ADDRESS: &str = "did:e:localhost:dids:63c98b9b34bd7ce8a891f9";
/// Vector A's request body, byte for byte.
const VECTOR_A: &str = r#"{"devicePassword":"Zx7!kQ2pLm9#Rt4vWy8-Hj3nBc6:Df5gSa1?Ke2uPo7.Xw9","identityPublicKey":"eyJwdWIiOiIxMXFZQVlLeENyZlZTXzdUeVdRSE9nN2hjdlBhcGlNbHJ3SWFhUGNIVVJvIiwiYWxnIjozLCJAdHlwZSI6IkNyeXB0b1NpZ25hdHVyZVB1YmxpY0tleSJ9","signedChallenge":{"challenge":"{\"expiresAt\":\"2025-01-01T12:10:00.123Z\",\"id\":\"CHLtestChallenge0001\",\"type\":\"Identity\"}","signature":"eyJzaWciOiJjNzdMZ1NsUTBMdkJWdW40TXZHa1JKZHRBS3d6NGg3WkhrZms2X0drb0ktbmhKQUlCWnBjQ2I1RmMyVGplbjd3NWZ1bFpsX1ZGV3kwalEwLVVxT1FEdyIsImFsZyI6MiwiQHR5cGUiOiJDcnlwdG9TaWduYXR1cmUifQ"},"clientId":"test","clientSecret":"test","identityVersion":1}"#;
/// Vector C's request body (same key, the .NET SDK's encoding), byte for byte.
const VECTOR_C: &str = r#"{"ClientId":"test","ClientSecret":"test","IdentityPublicKey":"eyJhbGciOjMsInB1YiI6IjExcVlBWUt4Q3JmVlMvN1R5V1FIT2c3aGN2UGFwaU1scndJYWFQY0hVUm89In0","CommunicationLanguage":"en","DevicePassword":"someDevicePassword","IdentityVersion":1,"SignedChallenge":{"Challenge":"{\"Id\":\"CHLtestChallenge0001\",\"ExpiresAt\":\"2025-01-01T12:10:00.123Z\",\"CreatedBy\":null,\"CreatedByDevice\":null}","Signature":"eyJhbGciOjIsInNpZyI6IjFkcWNsbVlFcGpIaU5qMlRFZTd6NWxneEhsNVpoU1A0aEhqbFIyNUZQQ3dPSlBGVFlTWGFIM3hBTGRXNCtncHFKL3dmd2c2OVZ4c3VzejZYajJzTkF3PT0ifQ=="}}"#;
/// RFC 8032 test 1: the seed of vectors A and C.
const VECTOR_SEED: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];

async fn test_client_sim(config: SimulatorConfig) -> TestSim {
    TestSim::start_with_client(config, PlatformClient::new("test", "test")).await
}

/// Registers the vectors' challenge id, valid for ten more minutes: the text's own expiry
/// (2025) is never read, only the stored one.
fn register_vector_challenge(sim: &TestSim) {
    sim.sim.add_challenge(Challenge {
        id: ChallengeId::parse(VECTOR_CHALLENGE_ID).expect("id"),
        expires_at: sim.sim.now() + chrono::Duration::minutes(10),
        created_by: None,
        created_by_device: None,
    });
}

async fn post_raw(sim: &TestSim, body: &str) -> reqwest::Response {
    sim.request(Method::POST, "/api/v2/Identities", None)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn vector_a_creates_its_identity_and_vector_c_with_the_same_key_is_refused() {
    let sim = test_client_sim(SimulatorConfig::new()).await;
    register_vector_challenge(&sim);

    let response = post_raw(&sim, VECTOR_A).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("JSON");
    let result = &body["result"];
    assert_eq!(result["address"], VECTOR_ADDRESS);
    let device_id = result["device"]["id"].as_str().expect("device id");
    let username = result["device"]["username"].as_str().expect("username");
    assert!(device_id.starts_with("DVC") && device_id.len() == 20);
    assert!(username.starts_with("USR") && username.len() == 20);
    assert_eq!(result["device"]["createdAt"], result["createdAt"]);
    let keys: Vec<&str> = result
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["address", "createdAt", "device"]);

    let identities = sim.sim.identities();
    assert_eq!(identities.len(), 1);
    let stored = &identities[0].identity;
    assert_eq!(stored.address.as_str(), VECTOR_ADDRESS);
    assert_eq!(stored.public_key, Key::from_seed(VECTOR_SEED).public());
    assert_eq!(stored.client_id, "test");
    assert_eq!(stored.identity_version, 1);
    assert_eq!(stored.devices[0].id.as_str(), device_id);
    assert_eq!(stored.devices[0].communication_language, "en");
    assert_eq!(identities[0].datawallet_version, None);
    // The key is kept as sent, `@type` included.
    assert!(
        String::from_utf8_lossy(&stored.identity_public_key).contains("CryptoSignaturePublicKey")
    );

    // Same key, .NET encoding, the same (not used up) challenge: the address exists, which is
    // checked before the password, which would fail the production policy.
    let response = post_raw(&sim, VECTOR_C).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (code, message) = error_of(response).await;
    assert_eq!(
        code,
        "error.platform.validation.device.addressAlreadyExists"
    );
    assert_eq!(
        message,
        "The address derived from the given public key already exists. Try again with a different public key."
    );
    assert_eq!(sim.sim.identities().len(), 1);
}

#[tokio::test]
async fn vector_c_alone_is_accepted_under_the_development_policy() {
    let sim =
        test_client_sim(SimulatorConfig::new().with_password_policy(PasswordPolicy::Development))
            .await;
    register_vector_challenge(&sim);
    let response = post_raw(&sim, VECTOR_C).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["result"]["address"], VECTOR_ADDRESS);
}

#[tokio::test]
async fn the_address_is_derived_in_the_configured_did_domain() {
    let sim = test_client_sim(SimulatorConfig::new().with_did_domain("prod.enmeshed.eu")).await;
    register_vector_challenge(&sim);
    let body: Value = post_raw(&sim, VECTOR_A).await.json().await.expect("JSON");
    assert_eq!(
        body["result"]["address"],
        "did:e:prod.enmeshed.eu:dids:63c98b9b34bd7ce8a8912b"
    );
    for invalid in [
        "127.0.0.1",
        "Localhost",
        "x",
        &format!("{}.de", "a".repeat(44)),
    ] {
        let error = backbone_sim::start(SimulatorConfig::new().with_did_domain(invalid))
            .await
            .expect_err(invalid);
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{invalid}");
    }
}

/// One request per check of §1.8, each also failing every later check it can, so only the
/// order decides which error it gets.
#[tokio::test]
async fn each_check_answers_in_the_backbones_order() {
    let limited = PlatformClient::new("limited", "limited-secret").with_max_identities(1);
    let sim = test_client_sim(SimulatorConfig::new().with_client(limited.clone())).await;
    let test = ("test", "test");
    let limited = (limited.client_id.as_str(), limited.client_secret.as_str());
    let taken = Key::random();
    let (id, expires_at) = sim.challenge(None).await;
    let challenge = runtime_challenge(&id, &expires_at);
    let response = sim
        .post_identity(&runtime_body(&taken, &challenge, STRONG_PASSWORD, limited))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "the limited client's one identity"
    );
    let expired = ChallengeId::random();
    sim.sim.add_challenge(Challenge {
        id: expired.clone(),
        expires_at: sim.sim.now() - chrono::Duration::seconds(1),
        created_by: None,
        created_by_device: None,
    });
    let expired_text = runtime_challenge(expired.as_str(), &expires_at);
    let unknown_text = runtime_challenge("CHLthisisnonexisting", &expires_at);
    let fresh = Key::random();
    let weak = "weak";
    let with = |body: Value, edit: &dyn Fn(&mut Value)| {
        let mut body = body;
        edit(&mut body);
        body
    };
    let bad_signature = |body: &mut Value| {
        body["signedChallenge"]["signature"] = json!(Key::random().runtime_signature("other"));
    };

    let cases: Vec<(&str, Value, StatusCode, &str, Option<&str>)> = vec![
        (
            "0 binding, over an unknown client",
            json!({"clientId": "nope", "clientSecret": "nope"}),
            StatusCode::BAD_REQUEST,
            "error.platform.inputCannotBeParsed",
            None,
        ),
        (
            "1 unknown client, over an empty password",
            runtime_body(&fresh, &challenge, "", ("nope", "test")),
            StatusCode::BAD_REQUEST,
            "error.platform.unauthorized",
            Some(
                "You have to authenticate in order to execute this action. Further make sure that the auth token has not expired.",
            ),
        ),
        (
            "1 wrong secret, over a bad signature",
            with(
                runtime_body(&fresh, &challenge, STRONG_PASSWORD, ("test", "wrong")),
                &bad_signature,
            ),
            StatusCode::BAD_REQUEST,
            "error.platform.unauthorized",
            None,
        ),
        (
            "2 empty password, over a malformed key",
            with(runtime_body(&fresh, &challenge, " ", test), &|b| {
                b["identityPublicKey"] = json!(backbone_sim::encoding::b64url(r#"{"alg":3}"#));
            }),
            StatusCode::BAD_REQUEST,
            "error.platform.validation.invalidPropertyValue",
            Some("'devicePassword' must not be empty."),
        ),
        (
            "2 empty key",
            with(
                runtime_body(&fresh, &challenge, STRONG_PASSWORD, test),
                &|b| {
                    b["identityPublicKey"] = json!("");
                },
            ),
            StatusCode::BAD_REQUEST,
            "error.platform.validation.invalidPropertyValue",
            Some("'identityPublicKey' must not be empty."),
        ),
        (
            "2 empty signature",
            with(
                runtime_body(&fresh, &challenge, STRONG_PASSWORD, test),
                &|b| {
                    b["signedChallenge"]["signature"] = json!("");
                },
            ),
            StatusCode::BAD_REQUEST,
            "error.platform.validation.invalidPropertyValue",
            Some("'signature' must not be empty."),
        ),
        (
            "2 unknown communication language, over a bad signature",
            with(
                runtime_body(&fresh, &challenge, STRONG_PASSWORD, test),
                &|b| {
                    b["deviceCommunicationLanguage"] = json!("xx");
                    bad_signature(b);
                },
            ),
            StatusCode::BAD_REQUEST,
            "error.platform.validation.invalidDeviceCommunicationLanguage",
            Some("The Device Communication Language must be a valid two letter ISO code"),
        ),
        (
            "3 key JSON without pub, over a bad signature",
            with(
                runtime_body(&fresh, &challenge, STRONG_PASSWORD, test),
                &|b| {
                    b["identityPublicKey"] = json!(backbone_sim::encoding::b64url(r#"{"alg":3}"#));
                    bad_signature(b);
                },
            ),
            StatusCode::INTERNAL_SERVER_ERROR,
            "error.platform.unexpected",
            Some("An unexpected error occurred."),
        ),
        (
            "4 signature JSON without sig",
            with(
                runtime_body(&fresh, &challenge, STRONG_PASSWORD, test),
                &|b| {
                    b["signedChallenge"]["signature"] = json!(backbone_sim::encoding::b64url("{}"));
                },
            ),
            StatusCode::INTERNAL_SERVER_ERROR,
            "error.platform.unexpected",
            None,
        ),
        (
            "5 bad signature, over an unknown challenge",
            with(
                runtime_body(&fresh, &unknown_text, STRONG_PASSWORD, test),
                &bad_signature,
            ),
            StatusCode::BAD_REQUEST,
            "error.platform.validation.device.invalidSignature",
            Some("The given signature is not valid."),
        ),
        (
            "6 signed text that is no challenge",
            runtime_body(&fresh, "not json", STRONG_PASSWORD, test),
            StatusCode::INTERNAL_SERVER_ERROR,
            "error.platform.unexpected",
            None,
        ),
        (
            "7 unknown challenge, over a taken address and a weak password",
            runtime_body(&taken, &unknown_text, weak, test),
            StatusCode::NOT_FOUND,
            "error.platform.recordNotFound",
            Some(
                "Challenge not found. Make sure the ID exists and the record is not expired. If a password is required to fetch the record, make sure you passed the correct one.",
            ),
        ),
        (
            "8 expired challenge, over a taken address",
            runtime_body(&taken, &expired_text, weak, limited),
            StatusCode::BAD_REQUEST,
            "error.platform.validation.device.challengeHasExpired",
            Some("The given challenge has expired. Obtain a new challenge and try again."),
        ),
        (
            "9 taken address, over the client's limit and a weak password",
            runtime_body(&taken, &challenge, weak, limited),
            StatusCode::BAD_REQUEST,
            "error.platform.validation.device.addressAlreadyExists",
            None,
        ),
        (
            "11 the client's limit, over a weak password",
            runtime_body(&fresh, &challenge, weak, limited),
            StatusCode::BAD_REQUEST,
            "error.platform.validation.device.clientReachedIdentitiesLimit",
            Some(
                "The client's Identity limit has been reached. A new Identity cannot be created with this client.",
            ),
        ),
        (
            "12 the password policy",
            runtime_body(&fresh, &challenge, "Abcdefghi1", test),
            StatusCode::BAD_REQUEST,
            "error.platform.validation.device.registrationFailed",
            Some("Passwords must have at least one non alphanumeric character."),
        ),
    ];
    for (case, body, status, code, message) in cases {
        let response = sim.post_identity(&body).await;
        assert_eq!(response.status(), status, "{case}");
        let (actual_code, actual_message) = error_of(response).await;
        assert_eq!(actual_code, code, "{case}: {actual_message}");
        if let Some(message) = message {
            assert_eq!(actual_message, message, "{case}");
        }
    }
    assert_eq!(
        sim.sim.identities().len(),
        1,
        "no refused request created anything"
    );
    // The same fresh key passes once nothing is wrong with the request.
    let response = sim
        .post_identity(&runtime_body(&fresh, &challenge, STRONG_PASSWORD, test))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn body_content_type_and_base64_are_read_as_the_backbone_does() {
    let sim = test_client_sim(SimulatorConfig::new()).await;
    let response = sim
        .request(Method::POST, "/api/v2/Identities", None)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let key = Key::random();
    let (id, expires_at) = sim.challenge(None).await;
    let challenge = runtime_challenge(&id, &expires_at);
    let mut body = runtime_body(&key, &challenge, STRONG_PASSWORD, ("test", "test"));
    body["identityVersion"] = json!("256");
    let (code, message) = error_of(sim.post_identity(&body).await).await;
    assert_eq!(code, "error.platform.inputCannotBeParsed");
    assert!(message.starts_with("'$.identityVersion'"), "{message}");
    // Standard base64 with padding outside and in, a numeric string, unknown members.
    body["identityVersion"] = json!("1");
    body["unknown"] = json!({"ignored": true});
    let std_key = format!(
        r#"{{"pub":"{}","alg":3}}"#,
        backbone_sim::encoding::b64std(key.public())
    );
    body["identityPublicKey"] = json!(backbone_sim::encoding::b64std(std_key));
    let response = sim.post_identity(&body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_challenge_is_refused_once_its_stored_expiry_has_passed() {
    let sim = test_client_sim(SimulatorConfig::new()).await;
    let (id, expires_at) = sim.challenge(None).await;
    let challenge = runtime_challenge(&id, &expires_at);
    sim.sim.advance_clock(Duration::from_secs(10 * 60 - 5));
    let first = Key::random();
    let response = sim
        .post_identity(&runtime_body(
            &first,
            &challenge,
            STRONG_PASSWORD,
            ("test", "test"),
        ))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED, "still valid");
    sim.sim.advance_clock(Duration::from_secs(6));
    let response = sim
        .post_identity(&runtime_body(
            &Key::random(),
            &challenge,
            STRONG_PASSWORD,
            ("test", "test"),
        ))
        .await;
    let (code, _) = error_of(response).await;
    assert_eq!(code, "error.platform.validation.device.challengeHasExpired");
}

#[tokio::test]
async fn the_new_device_logs_in_creates_tokens_and_is_locked_out_like_any_other() {
    let sim = test_client_sim(SimulatorConfig::new()).await;
    let created = sim.onboard(&Key::random(), STRONG_PASSWORD).await;
    let login = onboarded_login(&created, STRONG_PASSWORD);
    let identity = sim.login(login.clone()).await;
    let token_id = sim
        .create_token_ok(Some(&identity), token_body(None, None, tomorrow()))
        .await;
    let token = sim.sim.token(&token_id).expect("stored");
    assert_eq!(token.created_by.as_ref(), Some(&login.address));
    assert_eq!(token.created_by_device.as_ref(), Some(&login.device_id));
    // Onboarded devices are not among the configured device logins.
    assert!(sim.sim.devices().is_empty());

    for _ in 0..2 {
        let response = sim.login_as(&login, "wrong").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    let response = sim.login_as(&login, "wrong").await;
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "access_denied");
    let response = sim.login_as(&login, STRONG_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "locked out");
    sim.sim.advance_clock(Duration::from_secs(61));
    sim.login(login).await;
}

#[tokio::test]
async fn the_sdks_encoding_onboards_with_the_development_policy() {
    let sim =
        test_client_sim(SimulatorConfig::new().with_password_policy(PasswordPolicy::Development))
            .await;
    let key = Key::random();
    let (id, expires_at) = sim.challenge(None).await;
    let body = sdk_body(
        &key,
        &sdk_challenge(&id, &expires_at),
        "someDevicePassword",
        ("test", "test"),
    );
    let response = sim.post_identity(&body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.expect("JSON");
    let address = created["result"]["address"].as_str().expect("address");
    let expected = backbone_sim::IdentityAddress::from_public_key(&key.public(), "localhost")
        .expect("address");
    assert_eq!(address, expected.as_str());
}
