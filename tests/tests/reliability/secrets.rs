//! A full run at the most verbose log level writes no secret it was given or produced.

use adapters_postgres::test_support::TestDatabase;
use application::ports::IdentityRepository;
use domain::TokenReference;
use serde_json::json;
use system_tests::API_KEY;
use system_tests::process::ConnectorProcess;

use crate::{Fixture, create_token};

const PASSWORD: &str = "Very-Secret-Token-Password-42";
const PIN: &str = "90210473";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_logs_at_trace_level() {
    let fixture = Fixture::new().await;
    let database = TestDatabase::create();
    fixture.store_file(&database).await;
    let connector = ConnectorProcess::start(&fixture.vars(database.url()), "trace");
    let client = reqwest::Client::new();
    let address = connector.address();
    let file_id = fixture.file.id.to_string();

    let mut token_keys = Vec::new();
    for body in [
        json!({"ephemeral": false}),
        json!({"passwordProtection": {"password": PASSWORD, "passwordLocationIndicator": "Email"}}),
        json!({"passwordProtection": {"password": PIN, "passwordIsPin": true}, "ephemeral": false}),
    ] {
        let (status, answer) = create_token(&client, &address, &file_id, &body)
            .await
            .unwrap();
        assert_eq!(status, 201, "{answer}");
        let reference =
            TokenReference::parse(answer["result"]["reference"]["truncated"].as_str().unwrap())
                .unwrap();
        token_keys.push(reference.key.to_b64url());
        token_keys.push(
            answer["result"]["reference"]["truncated"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // A refused key and a health check (which logs in) are part of a full run too.
    let refused = client
        .post(format!("{address}/api/v2/Files/{file_id}/Token"))
        .header("X-API-KEY", "guess")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    client
        .get(format!("{address}/health"))
        .send()
        .await
        .unwrap();

    let log = connector.log().join("\n");
    assert!(log.lines().count() > 20, "trace logging is on");
    let mut secrets = vec![
        ("API key", API_KEY.to_owned()),
        (
            "platform client secret",
            fixture.client.client_secret.clone(),
        ),
        ("device password", fixture.device.password.clone()),
        ("token password", PASSWORD.to_owned()),
        ("PIN", PIN.to_owned()),
        ("File key", fixture.file.secret_key.to_b64url()),
    ];
    secrets.extend(
        token_keys
            .into_iter()
            .map(|key| ("token key or reference", key)),
    );
    for (what, secret) in secrets {
        assert!(!log.contains(&secret), "the {what} appears in the log");
    }
    for marker in ["Bearer ", "access_token", "eyJ"] {
        assert!(
            !log.contains(marker),
            "'{marker}' (an access token or encrypted content) appears in the log"
        );
    }
}

/// Onboarding handles the most secret values of all (both private keys, the device password,
/// the secrets key); none of them reaches the log, not even at trace level.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_writes_no_secret_to_the_logs_at_trace_level() {
    let client = backbone_sim::PlatformClient::random();
    let simulator =
        backbone_sim::start(backbone_sim::SimulatorConfig::new().with_client(client.clone()))
            .await
            .unwrap();
    let database = TestDatabase::create_empty();
    let connector = ConnectorProcess::start(
        &system_tests::onboarding_vars(&simulator, &client, database.url()),
        "trace",
    );
    assert_eq!(simulator.identities().len(), 1, "it onboarded");

    let key = domain::encoding::from_b64std(system_tests::SECRETS_KEY).unwrap();
    let stored = database
        .database()
        .identity_repository(domain::SecretKey::from_bytes(key.try_into().unwrap()))
        .find_identity()
        .await
        .unwrap()
        .expect("the identity is stored");
    let secrets = &stored.secrets;
    let mut secret_forms = vec![
        ("secrets key", system_tests::SECRETS_KEY.to_owned()),
        (
            "device password",
            secrets.device_password.expose().to_owned(),
        ),
        ("platform client secret", client.client_secret.clone()),
    ];
    for (what, seed) in [
        ("identity seed", secrets.identity_seed),
        ("device seed", secrets.device_seed),
    ] {
        let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
        secret_forms.extend([
            (what, hex),
            (what, domain::encoding::b64url(seed)),
            (what, domain::encoding::b64std(seed)),
        ]);
    }
    let log = connector.log().join("\n");
    assert!(
        log.contains("identity created on the Backbone"),
        "trace logging is on"
    );
    for (what, secret) in secret_forms {
        assert!(!log.contains(&secret), "the {what} appears in the log");
    }
    for marker in ["Bearer ", "access_token"] {
        assert!(!log.contains(marker), "'{marker}' appears in the log");
    }
}
