//! Our service, given only a Backbone URL, a platform client and an empty database, onboards its
//! own identity on a simulator running as a separate process, and the tokens it then creates are
//! opened by the official `@nmshd/transport` and lead to the File, created by that identity.

use adapters_postgres::test_support::TestDatabase;
use application::ports::FileRepository;
use chrono::Utc;
use serde_json::json;
use system_tests::process::ConnectorProcess;
use system_tests::simulator_process::SimulatorProcess;
use system_tests::{API_KEY, identity_info, onboarding_vars_for, random_file_of, status_and_json};

use super::node;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_service_onboards_on_a_separate_backbone_and_official_transport_opens_its_tokens() {
    let simulator = SimulatorProcess::start();
    let database = TestDatabase::create_empty();
    let connector = ConnectorProcess::start(
        &onboarding_vars_for(&simulator.base_url, &simulator.client, database.url()),
        "info",
    );
    let http = reqwest::Client::new();

    let info = identity_info(&http, &connector.address()).await;
    let identities = simulator.admin("identities").await["result"].clone();
    assert_eq!(
        identities.as_array().map(Vec::len),
        Some(1),
        "one identity: {identities}"
    );
    assert_eq!(info["address"], identities[0]["address"]);
    assert_eq!(identities[0]["datawalletVersion"], 1);

    let owner = domain::IdentityAddress::parse(info["address"].as_str().unwrap()).unwrap();
    let file = random_file_of(&owner, Utc::now() + chrono::Duration::days(1));
    database
        .database()
        .file_repository()
        .insert_file(&file)
        .await
        .unwrap();
    let response = http
        .post(format!(
            "{}/api/v2/Files/{}/Token",
            connector.address(),
            file.id
        ))
        .header("X-API-KEY", API_KEY)
        .json(&json!({"ephemeral": false, "passwordProtection": {"password": "s3cret"}}))
        .send()
        .await
        .unwrap();
    let (status, token) = status_and_json(response).await;
    assert_eq!(status, 201, "{token}");
    assert_eq!(token["result"]["createdBy"], info["address"]);

    let opened = node(
        "open-token.js",
        vec![
            "--backbone".into(),
            simulator.base_url.clone(),
            "--reference".into(),
            token["result"]["reference"]["url"]
                .as_str()
                .unwrap()
                .to_owned(),
            "--password".into(),
            "s3cret".into(),
        ],
    )
    .await;
    assert_eq!(opened["ok"], true, "transport opened it: {opened}");
    assert_eq!(opened["fileId"], file.id.as_str());
    assert_eq!(opened["fileKey"], file.secret_key.to_b64url());
    assert_eq!(opened["createdBy"], info["address"], "{opened}");
}
