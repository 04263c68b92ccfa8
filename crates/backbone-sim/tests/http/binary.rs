//! The `backbone-sim` binary: prints its URL and credentials, serves, and stops on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::http_client;

#[tokio::test]
async fn the_binary_prints_its_credentials_serves_them_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_backbone-sim"))
        .args([
            "--port",
            "0",
            "--client-id",
            "test-client",
            "--access-token-lifetime",
            "120",
        ])
        .env("BACKBONE_SIM_CLIENT_SECRET", "from-env")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("reader joins")
    .expect("a startup line");
    let startup: Value = serde_json::from_str(&line).expect("startup line is JSON");
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

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || {
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
    .expect("waiter joins");
    assert!(
        exit.is_some_and(|e| e.success()),
        "graceful exit on SIGTERM: {exit:?}"
    );
}
