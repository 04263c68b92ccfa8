//! The `backbone-sim` binary: prints its URL and credentials, serves, stops on SIGTERM, and with
//! `--state-file` keeps its state across restarts.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use backbone_sim::encoding::b64std;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TempDir, http_client};

/// The binary, logging warnings only, in `cwd` if given.
fn command(cwd: Option<&Path>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_backbone-sim"));
    command
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    command
}

/// Starts `command` and returns the child with its startup line.
async fn spawn(mut command: Command) -> (Child, Value) {
    let mut child = command.spawn().expect("binary starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("reader joins")
    .expect("a startup line");
    let startup: Value = serde_json::from_str(&line).expect("startup line is JSON");
    (child, startup)
}

/// Waits up to 5 s for the child to exit; kills it otherwise.
async fn wait(mut child: Child) -> Option<ExitStatus> {
    tokio::task::spawn_blocking(move || {
        for _ in 0..100 {
            if let Some(exit) = child.try_wait().expect("child status") {
                return Some(exit);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        None
    })
    .await
    .expect("waiter joins")
}

/// SIGTERM, then waits for a graceful exit.
async fn terminate(child: Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = wait(child).await;
    assert!(
        exit.is_some_and(|e| e.success()),
        "graceful exit on SIGTERM: {exit:?}"
    );
}

/// Logs the startup line's device in with its client and returns the access token.
async fn login(http: &reqwest::Client, startup: &Value) -> String {
    let base_url = startup["baseUrl"].as_str().expect("baseUrl");
    let (client, device) = (&startup["client"], &startup["device"]);
    let form = [
        ("grant_type", "password"),
        ("client_id", client["clientId"].as_str().expect("clientId")),
        (
            "client_secret",
            client["clientSecret"].as_str().expect("clientSecret"),
        ),
        ("username", device["username"].as_str().expect("username")),
        ("password", device["password"].as_str().expect("password")),
    ];
    let login = http
        .post(format!("{base_url}/connect/token"))
        .form(&form)
        .send()
        .await
        .expect("sent");
    assert_eq!(login.status(), StatusCode::OK);
    let login: Value = login.json().await.expect("JSON");
    login["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

#[tokio::test]
async fn the_binary_prints_its_credentials_serves_them_and_stops_on_sigterm() {
    let mut command = command(None);
    command
        .args([
            "--port",
            "0",
            "--client-id",
            "test-client",
            "--access-token-lifetime",
            "120",
        ])
        .env("BACKBONE_SIM_CLIENT_SECRET", "from-env");
    let (child, startup) = spawn(command).await;
    assert_eq!(startup["client"]["clientId"], "test-client");
    assert_eq!(startup["client"]["clientSecret"], "from-env");

    let base_url = startup["baseUrl"].as_str().expect("baseUrl");
    let device = &startup["device"];
    let form = [
        ("grant_type", "password"),
        ("client_id", "test-client"),
        ("client_secret", "from-env"),
        ("username", device["username"].as_str().expect("username")),
        ("password", device["password"].as_str().expect("password")),
    ];
    let http = http_client();
    let login = http
        .post(format!("{base_url}/connect/token"))
        .form(&form)
        .send()
        .await
        .expect("sent");
    assert_eq!(login.status(), StatusCode::OK);
    let login: Value = login.json().await.expect("JSON");
    assert_eq!(login["expires_in"], 120);

    terminate(child).await;
}

#[tokio::test]
async fn with_a_state_file_the_binary_keeps_tokens_and_credentials_across_a_restart() {
    let dir = TempDir::new();
    let path = dir.path().join("sim-state.json");
    let http = http_client();

    let mut first = command(None);
    first.arg("--state-file").arg(&path);
    let (child, startup) = spawn(first).await;
    let base_url = startup["baseUrl"].as_str().expect("baseUrl").to_owned();
    let access_token = login(&http, &startup).await;
    let created = http
        .post(format!("{base_url}/api/v2/Tokens"))
        .bearer_auth(&access_token)
        .json(&json!({
            "content": b64std(b"kept across restarts"),
            "expiresAt": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339(),
            "password": b64std(b"secret"),
        }))
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("JSON");
    let id = created["result"]["id"].as_str().expect("id").to_owned();
    terminate(child).await;

    let mut second = command(None);
    second.env("BACKBONE_SIM_STATE_FILE", &path);
    let (child, restarted) = spawn(second).await;
    assert_eq!(restarted["client"], startup["client"], "same client");
    assert_eq!(restarted["device"], startup["device"], "same device");
    let base_url = restarted["baseUrl"].as_str().expect("baseUrl");
    let read = http
        .get(format!("{base_url}/api/v2/Tokens/{id}"))
        .query(&[("password", b64std(b"secret"))])
        .send()
        .await
        .expect("sent");
    assert_eq!(read.status(), StatusCode::OK);
    let read: Value = read.json().await.expect("JSON");
    assert_eq!(
        read["result"]["content"],
        backbone_sim::encoding::b64url(b"kept across restarts")
    );
    let wrong = http
        .get(format!("{base_url}/api/v2/Tokens/{id}"))
        .query(&[("password", b64std(b"wrong"))])
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    // The creator logs in again with the printed credentials and may delete its token.
    let access_token = login(&http, &restarted).await;
    let deleted = http
        .delete(format!("{base_url}/api/v2/Tokens/{id}"))
        .bearer_auth(&access_token)
        .send()
        .await
        .expect("sent");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    terminate(child).await;
    assert_eq!(dir.entries(), ["sim-state.json"]);
}

#[tokio::test]
async fn the_binary_refuses_a_corrupt_state_file() {
    let dir = TempDir::new();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "{\"version\": 1, \"tokens\": [").expect("written");
    let mut command = command(None);
    command
        .arg("--state-file")
        .arg(&path)
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("binary starts");
    let mut stderr = child.stderr.take().expect("stderr piped");
    let exit = wait(child).await;
    assert!(exit.is_some_and(|e| !e.success()), "fails: {exit:?}");
    let mut logged = String::new();
    stderr.read_to_string(&mut logged).expect("stderr read");
    assert!(
        logged.contains("corrupt") && logged.contains(&path.display().to_string()),
        "{logged}"
    );
}

#[tokio::test]
async fn without_a_state_file_the_binary_writes_nothing() {
    let dir = TempDir::new();
    let mut command = command(Some(dir.path()));
    command
        .env("HOME", dir.path())
        .env("TMPDIR", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env_remove("BACKBONE_SIM_STATE_FILE");
    let (child, startup) = spawn(command).await;
    let base_url = startup["baseUrl"].as_str().expect("baseUrl");
    let http = http_client();
    let access_token = login(&http, &startup).await;
    let created = http
        .post(format!("{base_url}/api/v2/Tokens"))
        .bearer_auth(&access_token)
        .json(&json!({
            "content": b64std(b"in memory only"),
            "expiresAt": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339(),
        }))
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), StatusCode::CREATED);
    let device = http
        .post(format!("{base_url}/_sim/devices"))
        .send()
        .await
        .expect("sent");
    assert_eq!(device.status(), StatusCode::CREATED);
    terminate(child).await;
    assert!(dir.entries().is_empty(), "wrote {:?}", dir.entries());
}
