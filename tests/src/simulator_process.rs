//! The built `backbone-sim` binary as a child process: a Backbone the connector reaches only
//! over the network, as a real one.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use backbone_sim::PlatformClient;

/// The `backbone-sim` binary, built from the current sources first (once per test process).
///
/// # Panics
/// If it does not build.
pub fn simulator_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            let build = escargot::CargoBuild::new()
                .package("backbone-sim")
                .bin("backbone-sim")
                .run()
                .unwrap_or_else(|e| panic!("building the simulator binary failed: {e}"));
            build.path().to_path_buf()
        })
        .clone()
}

/// A running `backbone-sim` on a free loopback port with one platform client.
#[derive(Debug)]
pub struct SimulatorProcess {
    child: Child,
    pub base_url: String,
    pub client: PlatformClient,
}

impl SimulatorProcess {
    /// Starts it and waits for the line saying where it listens.
    ///
    /// # Panics
    /// If it exits before printing that line.
    pub fn start() -> Self {
        let client = PlatformClient::random();
        let mut child = Command::new(simulator_binary())
            .args(["--port", "0", "--client-id", &client.client_id])
            .env("BACKBONE_SIM_CLIENT_SECRET", &client.client_secret)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the simulator binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let line = BufReader::new(stdout)
            .lines()
            .next()
            .and_then(Result::ok)
            .expect("the simulator prints where it listens");
        let started: serde_json::Value =
            serde_json::from_str(&line).expect("its start-up line is JSON");
        let base_url = started["baseUrl"].as_str().expect("a baseUrl").to_owned();
        Self {
            child,
            base_url,
            client,
        }
    }

    /// `GET /_sim/{path}` of its admin API.
    pub async fn admin(&self, path: &str) -> serde_json::Value {
        reqwest::get(format!("{}/_sim/{path}", self.base_url))
            .await
            .expect("the simulator answers")
            .json()
            .await
            .expect("a JSON answer")
    }
}

impl Drop for SimulatorProcess {
    fn drop(&mut self) {
        let _already_dead = self.child.kill();
        let _reaped = self.child.wait();
    }
}
