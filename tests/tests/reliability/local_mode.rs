//! Zero-setup local mode: the binary started with no configuration in an empty directory
//! onboards its own identity on the built-in Backbone, prints a working curl, and after a restart
//! is the same identity and its stored token is still there and still opens.

use std::time::Duration;

use adapters_sqlite::{SqliteConfig, SqliteDatabase};
use application::ports::TokenRepository;
use domain::TokenId;
use system_tests::process::ConnectorProcess;

/// The port only, so parallel tests do not fight over 8080; everything else is the default.
fn no_configuration() -> Vec<(String, String)> {
    vec![("infrastructure__httpServer__port".into(), "0".into())]
}

/// The `curl …` line of the banner, as (url, api key).
fn curl_from(output: &[String]) -> (String, String) {
    let curl = output
        .iter()
        .find(|line| line.starts_with("curl "))
        .unwrap_or_else(|| panic!("no curl in {output:#?}"));
    let url = curl.split('\'').nth(1).unwrap().to_owned();
    let key = curl
        .split("X-API-KEY: ")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_owned();
    (url, key)
}

/// `GET /api/v2/Account/IdentityInfo` with the generated key: its `result`.
async fn identity_info(
    client: &reqwest::Client,
    address: &str,
    api_key: &str,
) -> serde_json::Value {
    let response = client
        .get(format!("{address}/api/v2/Account/IdentityInfo"))
        .header("X-API-KEY", api_key)
        .send()
        .await
        .unwrap();
    let (status, body) = system_tests::status_and_json(response).await;
    assert_eq!(status, 200, "{body}");
    body["result"].clone()
}

async fn wait_for_banner(connector: &ConnectorProcess) -> Vec<String> {
    for _ in 0..100 {
        let output = connector.output();
        if output.iter().any(|line| line.starts_with("curl ")) {
            return output;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no banner: {:#?}", connector.output());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_mode_prints_a_working_curl_and_keeps_tokens_across_a_restart() {
    let directory = tempfile::tempdir().unwrap();
    let connector = ConnectorProcess::start_in(Some(directory.path()), &no_configuration(), "info");
    let output = wait_for_banner(&connector).await;
    assert!(
        output.iter().any(|line| line.contains("LOCAL MODE")),
        "loud about being local"
    );
    let (url, api_key) = curl_from(&output);
    let url = url.replace(":8080/", &format!(":{}/", connector.port));

    let client = reqwest::Client::new();
    let response = client
        .post(&url)
        .header("X-API-KEY", &api_key)
        .json(&serde_json::json!({"ephemeral": false}))
        .send()
        .await
        .unwrap();
    let (status, body) = system_tests::status_and_json(response).await;
    assert_eq!(status, 201, "{body}");
    let token_id = body["result"]["id"].as_str().unwrap().to_owned();
    let reference_url = body["result"]["reference"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let identity = identity_info(&client, &connector.address(), &api_key).await;
    assert_eq!(body["result"]["createdBy"], identity["address"]);
    assert!(
        identity["publicKey"].is_string(),
        "an onboarded identity, whose key the service holds: {identity}"
    );
    let secrets_key = directory.path().join("data/secrets.key");
    assert!(secrets_key.is_file(), "the secrets key was generated");
    drop(connector);

    let restarted = ConnectorProcess::start_in(Some(directory.path()), &no_configuration(), "info");
    let output = wait_for_banner(&restarted).await;
    assert_eq!(
        curl_from(&output).1,
        api_key,
        "the generated API key is kept"
    );
    assert_eq!(
        identity_info(&client, &restarted.address(), &api_key).await,
        identity,
        "the same identity after the restart"
    );
    let database = SqliteDatabase::open(
        directory.path().join("data/connector.sqlite"),
        &SqliteConfig::default(),
    )
    .unwrap();
    let stored = database
        .token_repository()
        .find_token(&TokenId::parse(&token_id).unwrap())
        .await
        .unwrap();
    assert!(stored.is_some(), "the stored token survives the restart");
    let backbone = reference_url.split("/r/").next().unwrap();
    let fetched = client
        .get(format!("{backbone}/api/v2/Tokens/{token_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        fetched.status().as_u16(),
        200,
        "the built-in Backbone still serves the token after the restart"
    );
}

/// The service needs no privileges: as an ordinary user it starts, keeps its data and answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_runs_as_an_ordinary_user() {
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"));
    let directory = tempfile::tempdir().unwrap();
    // Already unprivileged, or root switching to the machine's `postgres` user.
    let user = is_root.then(|| {
        let status = std::process::Command::new("chown")
            .args(["postgres"])
            .arg(directory.path())
            .status()
            .unwrap();
        assert!(status.success());
        "postgres"
    });

    let connector =
        ConnectorProcess::start_as(user, Some(directory.path()), &no_configuration(), "info");
    let (url, api_key) = curl_from(&wait_for_banner(&connector).await);
    let url = url.replace(":8080/", &format!(":{}/", connector.port));

    let response = reqwest::Client::new()
        .post(&url)
        .header("X-API-KEY", &api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let owner = std::process::Command::new("stat")
        .args(["-c", "%U"])
        .arg(directory.path().join("data/connector.sqlite"))
        .output()
        .unwrap();
    if let Some(user) = user {
        assert_eq!(
            String::from_utf8_lossy(&owner.stdout).trim(),
            user,
            "the data belongs to the ordinary user"
        );
    }
}
