//! A service configured with a Backbone but no device creates its own identity there at first
//! start, as the Connector does, on PostgreSQL and SQLite; restarts reuse it without a Backbone
//! call; a lost answer is healed by the next start; the stored secrets need their key.

use std::time::Duration;

use backbone_sim::{Fault, PlatformClient, RunningSimulator, SimulatorConfig};
use chrono::Utc;
use serde_json::{Value, json};
use server::config::Config;
use server::startup::{Application, StartupError};
use server::telemetry::error_chain;
use system_tests::{
    API_KEY, Engine, TestStore, identity_info, onboarding_vars, random_file_of, status_and_json,
};

/// A simulator with one platform client and no device.
async fn simulator() -> (RunningSimulator, PlatformClient) {
    let client = PlatformClient::random();
    let simulator = backbone_sim::start(SimulatorConfig::new().with_client(client.clone()))
        .await
        .expect("the Backbone simulator starts");
    (simulator, client)
}

async fn build(
    simulator: &RunningSimulator,
    client: &PlatformClient,
    store: &TestStore,
    overrides: &[(&str, &str)],
) -> Result<Application, StartupError> {
    let mut vars = onboarding_vars(simulator, client, &store.connection_string());
    for (name, value) in overrides {
        vars.retain(|(existing, _)| existing != name);
        vars.push(((*name).to_owned(), (*value).to_owned()));
    }
    Application::build(Config::from_vars(vars).expect("a valid configuration")).await
}

/// Builds and serves; returns the base URL.
async fn serve(simulator: &RunningSimulator, client: &PlatformClient, store: &TestStore) -> String {
    let application = build(simulator, client, store, &[])
        .await
        .expect("the connector starts");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    address
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client")
}

async fn first_start_onboards_and_answers_its_identity(engine: Engine) {
    let (simulator, client) = simulator().await;
    let store = TestStore::create(engine);
    let address = serve(&simulator, &client, &store).await;

    let identities = simulator.identities();
    assert_eq!(identities.len(), 1, "exactly one identity was created");
    let created = &identities[0];
    assert_eq!(
        created.datawallet_version,
        Some(1),
        "the runtime's first sync run ran"
    );
    let info = identity_info(&http(), &address).await;
    assert_eq!(info["address"], created.identity.address.as_str());
    let public_key: Value = serde_json::from_slice(
        &domain::encoding::from_b64url(info["publicKey"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        public_key,
        json!({"pub": domain::encoding::b64url(created.identity.public_key), "alg": 3})
    );
    let v7 = http()
        .get(format!("{address}/api/core/v1/Account/IdentityInfo"))
        .header("X-API-KEY", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(status_and_json(v7).await.1["result"], info);

    // Its tokens are created as that identity.
    let owner = domain::IdentityAddress::parse(created.identity.address.as_str()).unwrap();
    let file = random_file_of(&owner, Utc::now() + chrono::Duration::days(1));
    store.files().insert_file(&file).await.unwrap();
    let response = http()
        .post(format!("{address}/api/v2/Files/{}/Token", file.id))
        .header("X-API-KEY", API_KEY)
        .json(&json!({"ephemeral": false}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["result"]["createdBy"],
        created.identity.address.as_str()
    );
    let token = simulator
        .token(body["result"]["id"].as_str().unwrap())
        .expect("on the Backbone");
    assert_eq!(
        token.created_by.as_ref().map(|by| by.as_str()),
        Some(created.identity.address.as_str())
    );
}

#[tokio::test]
async fn a_first_start_on_postgres_onboards_and_answers_its_identity() {
    first_start_onboards_and_answers_its_identity(Engine::Postgres).await;
}

#[tokio::test]
async fn a_first_start_on_sqlite_onboards_and_answers_its_identity() {
    first_start_onboards_and_answers_its_identity(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_restart_makes_no_onboarding_call_and_keeps_the_address() {
    let (simulator, client) = simulator().await;
    let store = TestStore::create(Engine::Postgres);
    drop(
        build(&simulator, &client, &store, &[])
            .await
            .expect("first start"),
    );
    let first = simulator.identities()[0].identity.address.to_string();
    let challenges = simulator.challenges().len();

    let address = serve(&simulator, &client, &store).await;
    assert_eq!(simulator.challenges().len(), challenges, "no new challenge");
    assert_eq!(simulator.identities().len(), 1, "no new identity");
    assert_eq!(identity_info(&http(), &address).await["address"], first);
}

#[tokio::test]
async fn an_answer_lost_at_the_first_start_is_healed_by_the_next() {
    let (simulator, client) = simulator().await;
    let store = TestStore::create(Engine::Postgres);
    simulator.faults().inject(
        Fault::drop_connection()
            .after_processing()
            .on("POST", "/api/v2/Identities")
            .times(1),
    );
    let error = build(&simulator, &client, &store, &[])
        .await
        .expect_err("the first start cannot know its device");
    let message = error_chain(&error);
    assert!(message.contains("creating the identity"), "{message}");
    assert_eq!(
        simulator.identities().len(),
        1,
        "the Backbone created it nevertheless"
    );

    let address = serve(&simulator, &client, &store).await;
    let identities = simulator.identities();
    assert_eq!(
        identities.len(),
        2,
        "the orphan is replaced by a fresh identity"
    );
    let info = identity_info(&http(), &address).await;
    assert_eq!(info["address"], identities[1].identity.address.as_str());
    assert_eq!(identities[1].datawallet_version, Some(1));
}

#[tokio::test]
async fn another_secrets_key_cannot_open_the_identity_and_the_start_says_so() {
    let (simulator, client) = simulator().await;
    let store = TestStore::create(Engine::Sqlite);
    drop(
        build(&simulator, &client, &store, &[])
            .await
            .expect("first start"),
    );
    let other_key = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI=";
    let error = build(&simulator, &client, &store, &[("secrets__key", other_key)])
        .await
        .expect_err("the secrets do not open");
    let message = error_chain(&error);
    assert!(message.contains("secrets key"), "{message}");
    assert_eq!(simulator.identities().len(), 1, "nothing new was created");
}

#[tokio::test]
async fn without_permission_to_create_an_identity_an_empty_database_refuses_to_start() {
    let (simulator, client) = simulator().await;
    let store = TestStore::create(Engine::Postgres);
    let error = build(
        &simulator,
        &client,
        &store,
        &[("transportLibrary__allowIdentityCreation", "false")],
    )
    .await
    .expect_err("no identity to use");
    assert!(error_chain(&error).contains("allowIdentityCreation"));
    assert!(
        simulator.challenges().is_empty(),
        "the Backbone heard nothing"
    );
}
