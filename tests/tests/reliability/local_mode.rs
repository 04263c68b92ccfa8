//! Zero-setup local mode: the binary started with no configuration in an empty directory
//! onboards its own identity on the built-in Backbone, uploads a demo File there that downloads,
//! prints working curls (a token, an upload), and after a restart is the same identity with the
//! same demo File, and its stored token is still there and still opens.

use std::time::Duration;

use adapters_sqlite::{SqliteConfig, SqliteDatabase};
use application::ports::TokenRepository;
use domain::TokenId;
use system_tests::process::ConnectorProcess;

/// The port only, so parallel tests do not fight over 8080; everything else is the default.
fn no_configuration() -> Vec<(String, String)> {
    vec![("infrastructure__httpServer__port".into(), "0".into())]
}

/// The first `curl …` line of the banner (the token for the demo File), as (url, api key).
fn curl_from(output: &[String]) -> (String, String) {
    let curl = output
        .iter()
        .find(|line| line.starts_with("curl "))
        .unwrap_or_else(|| panic!("no curl in {output:#?}"));
    url_and_key(curl)
}

/// The banner's `curl …` line that uploads a file.
fn upload_curl_from(output: &[String]) -> String {
    let curl = output
        .iter()
        .find(|line| line.starts_with("curl ") && line.contains("-F 'file=@"))
        .unwrap_or_else(|| panic!("no upload curl in {output:#?}"));
    assert!(url_and_key(curl).0.ends_with("/api/v2/Files/Own"), "{curl}");
    curl.clone()
}

/// The id after `Demo File: ` in the banner.
pub(crate) fn demo_file_from(output: &[String]) -> String {
    output
        .iter()
        .find_map(|line| line.strip_prefix("Demo File: "))
        .unwrap_or_else(|| panic!("no demo File in {output:#?}"))
        .to_owned()
}

/// A banner's curl: its first quoted part is the URL, the API key follows `X-API-KEY: `.
fn url_and_key(curl: &str) -> (String, String) {
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

/// `GET /api/v2/Files/{id}/Download`: status, `Content-Type`, `Content-Disposition`, body.
pub(crate) async fn download(
    address: &str,
    api_key: &str,
    file: &str,
) -> (u16, String, String, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(format!("{address}/api/v2/Files/{file}/Download"))
        .header("X-API-KEY", api_key)
        .send()
        .await
        .unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let status = response.status().as_u16();
    (
        status,
        content_type,
        disposition,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// Asserts that `file` downloads as the demo File: `welcome.txt`, plain text, the demo content.
pub(crate) async fn assert_the_demo_file_downloads(address: &str, api_key: &str, file: &str) {
    let (status, content_type, disposition, body) = download(address, api_key, file).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(content_type, "text/plain");
    assert_eq!(disposition, "attachment;filename=welcome.txt");
    assert_eq!(
        String::from_utf8(body).unwrap(),
        server::demo::DEMO_CONTENT,
        "the demo content, decrypted from what the built-in Backbone holds"
    );
}

/// The whole banner: its last line is the upload curl (lines arrive one by one).
pub(crate) async fn wait_for_banner(connector: &ConnectorProcess) -> Vec<String> {
    for _ in 0..100 {
        let output = connector.output();
        if output
            .iter()
            .any(|line| line.starts_with("curl ") && line.contains("/Files/Own"))
        {
            return output;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no banner: {:#?}", connector.output());
}

/// What the test puts into the `report.pdf` the banner's upload curl names.
const UPLOADED: &[u8] = b"%PDF-1.4 uploaded through the banner's curl\n";

/// Pastes the banner's upload curl into a shell, as a user would, in a directory holding a
/// `report.pdf`: the answer's `result`.
fn paste_upload_curl(curl: &str) -> serde_json::Value {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("report.pdf"), UPLOADED).unwrap();
    let pasted = std::process::Command::new("sh")
        .args(["-c", curl])
        .current_dir(directory.path())
        .output()
        .expect("sh and curl run (curl is needed for this test)");
    assert!(
        pasted.status.success(),
        "{curl}: {}",
        String::from_utf8_lossy(&pasted.stderr)
    );
    let answer: serde_json::Value = serde_json::from_slice(&pasted.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&pasted.stdout)));
    answer["result"].clone()
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

    let demo_file = demo_file_from(&output);
    assert!(
        url.contains(&format!("/Files/{demo_file}/Token")),
        "the token curl is for the demo File: {url}"
    );
    assert_the_demo_file_downloads(&connector.address(), &api_key, &demo_file).await;
    let upload_curl = upload_curl_from(&output).replace(":8080/", &format!(":{}/", connector.port));
    let uploaded = paste_upload_curl(&upload_curl);
    assert_eq!(
        (&uploaded["filename"], &uploaded["title"]),
        (&"report.pdf".into(), &"My File".into()),
        "{uploaded}"
    );
    let uploaded = uploaded["id"].as_str().unwrap();
    let (status, content_type, _, body) = download(&connector.address(), &api_key, uploaded).await;
    assert_eq!(
        (status, content_type.as_str(), body.as_slice()),
        (200, "application/pdf", UPLOADED),
        "what the banner's upload curl sends comes back"
    );
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
    assert_eq!(
        demo_file_from(&output),
        demo_file,
        "the demo File is kept, not uploaded again"
    );
    assert_the_demo_file_downloads(&restarted.address(), &api_key, &demo_file).await;
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

/// `seed-demo-file` stored a File without content; uploads replaced it. A script still calling
/// it is stopped (exit 2, nothing on stdout to take for a File id) and told what to call.
#[test]
fn seed_demo_file_points_at_the_upload_route_and_exits_with_2() {
    let directory = tempfile::tempdir().unwrap();
    let ran = std::process::Command::new(system_tests::process::connector_binary())
        .arg("seed-demo-file")
        .current_dir(directory.path())
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(ran.status.code(), Some(2));
    assert!(ran.stdout.is_empty(), "no File id to take");
    let message = String::from_utf8(ran.stderr).unwrap();
    assert!(message.contains("/api/v2/Files/Own"), "{message}");
    assert!(message.contains("-F 'file=@"), "{message}");
    assert_eq!(
        std::fs::read_dir(directory.path()).unwrap().count(),
        0,
        "it touched no data directory"
    );
}
