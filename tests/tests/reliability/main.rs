//! Reliability tests against the built `connector` binary: graceful shutdown under load,
//! several instances on one database, a database that goes away and comes back, and logs that
//! never carry a secret. Bounded in time, loopback only.

// Test helpers fail loudly on purpose: a panic is the test failing.
#![allow(clippy::unwrap_used)]

mod cluster;
mod database_outage;
mod instances;
mod local_mode;
mod observability;
mod onboarding;
mod release_data;
mod secrets;
mod shutdown;

use adapters_postgres::test_support::TestDatabase;
use application::ports::FileRepository;
use backbone_sim::{PlatformClient, RunningSimulator, SeededDevice, SimulatorConfig};
use chrono::Utc;
use domain::File;
use serde_json::Value;
use system_tests::{API_KEY, connector_vars, random_file};

/// A simulator, a device identity on it, and a File stored in `database_url`.
#[derive(Debug)]
pub struct Fixture {
    pub simulator: RunningSimulator,
    pub client: PlatformClient,
    pub device: SeededDevice,
    pub file: File,
}

impl Fixture {
    pub async fn new() -> Self {
        let client = PlatformClient::random();
        let device = SeededDevice::random("localhost");
        let simulator = backbone_sim::start(
            SimulatorConfig::new()
                .with_client(client.clone())
                .with_device(device.clone()),
        )
        .await
        .unwrap();
        let file = random_file(&device, Utc::now() + chrono::Duration::days(30));
        Self {
            simulator,
            client,
            device,
            file,
        }
    }

    /// Stores the File in a migrated database.
    pub async fn store_file(&self, database: &TestDatabase) {
        database
            .database()
            .file_repository()
            .insert_file(&self.file)
            .await
            .unwrap();
    }

    pub fn vars(&self, database_url: &str) -> Vec<(String, String)> {
        connector_vars(&self.simulator, &self.client, &self.device, database_url)
    }
}

/// `POST …/Token` for `file_id` with `body`; `None` when no answer came at all.
pub async fn create_token(
    client: &reqwest::Client,
    address: &str,
    file_id: &str,
    body: &Value,
) -> Option<(u16, Value)> {
    let response = client
        .post(format!("{address}/api/v2/Files/{file_id}/Token"))
        .header("X-API-KEY", API_KEY)
        .json(body)
        .send()
        .await
        .ok()?;
    Some(system_tests::status_and_json(response).await)
}
