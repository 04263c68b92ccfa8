//! The system-test harness: a real `connector` (the server crate's `Application`, on port 0)
//! over a fresh database (PostgreSQL unless a test asks for SQLite) and an in-process Backbone
//! simulator, plus typed request helpers. Shared by the system and interop test binaries.

pub mod oracle;
pub mod process;
pub mod simulator_process;
mod store;

use std::time::Duration;

use backbone_sim::{PlatformClient, RunningSimulator, SeededDevice, SimulatorConfig};
use chrono::{DateTime, Utc};
use domain::{DeviceId, File, FileId, IdentityAddress, SecretKey};
use rand::{Rng, RngCore};
use serde_json::Value;
use server::config::Config;
use server::startup::Application;

pub use store::{Engine, TestStore};

/// A strong key (the service refuses weak ones).
pub const API_KEY: &str = "System-Test-Api-Key-0123456789-abcdXY";

/// One running service with its own database and Backbone.
#[derive(Debug)]
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub simulator: RunningSimulator,
    pub store: TestStore,
    pub device: SeededDevice,
    /// A File stored before the test starts, valid for 30 days.
    pub file: File,
    /// The configuration it was started with, for another instance of it.
    vars: Vars,
}

/// Configuration variables; `Debug` shows only their names, as they hold keys and passwords.
struct Vars(Vec<(String, String)>);

impl std::fmt::Debug for Vars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

impl TestApp {
    /// The service with test defaults: no delay on refused API keys.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// The service with extra or overriding configuration variables (Connector names).
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> Self {
        Self::spawn_on(Engine::Postgres, overrides).await
    }

    /// The service storing in a fresh database of `engine`, configured as [`Self::spawn_with`].
    pub async fn spawn_on(engine: Engine, overrides: &[(&str, &str)]) -> Self {
        let (simulator, client_credentials, device) = simulator_with_device().await;
        let store = TestStore::create(engine);

        let mut vars = connector_vars(
            &simulator,
            &client_credentials,
            &device,
            &store.connection_string(),
        );
        for (name, value) in overrides {
            vars.retain(|(existing, _)| existing != name);
            vars.push(((*name).to_owned(), (*value).to_owned()));
        }
        let address = start(vars.clone()).await;

        let file = random_file(&device, Utc::now() + chrono::Duration::days(30));
        store
            .files()
            .insert_file(&file)
            .await
            .expect("the test File is stored");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a client");
        Self {
            address,
            client,
            simulator,
            store,
            device,
            file,
            vars: Vars(vars),
        }
    }

    /// Starts another instance of this service: the same configuration, database, Backbone and
    /// identity, its own port; returns its address.
    pub async fn spawn_another_instance(&self) -> String {
        start(self.vars.0.clone()).await
    }

    /// Stores another File of this service's identity.
    pub async fn store_file(&self, expires_at: DateTime<Utc>) -> File {
        let file = random_file(&self.device, expires_at);
        self.store
            .files()
            .insert_file(&file)
            .await
            .expect("the File is stored");
        file
    }

    /// `POST /api/v2/Files/{file_id}/Token` with the API key and, if given, a JSON body.
    pub fn post_token(&self, file_id: &str) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}/api/v2/Files/{file_id}/Token", self.address))
            .header("X-API-KEY", API_KEY)
    }

    /// Creates a token for the stored File with `body` and returns status and JSON.
    pub async fn create_token(&self, body: Value) -> (u16, Value) {
        let response = self
            .post_token(self.file.id.as_str())
            .json(&body)
            .send()
            .await
            .expect("the server answers");
        status_and_json(response).await
    }

    /// Rows in the `tokens` table.
    pub fn stored_tokens(&self) -> i64 {
        self.store.row_count("tokens")
    }
}

/// Builds and runs a service configured with `vars`; returns its address.
async fn start(vars: Vec<(String, String)>) -> String {
    let config = Config::from_vars(vars).expect("the test configuration is valid");
    let application = Application::build(config)
        .await
        .expect("the connector starts");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    address
}

/// A simulator that knows one platform client and one device (in the `localhost` domain).
pub async fn simulator_with_device() -> (RunningSimulator, PlatformClient, SeededDevice) {
    let client = PlatformClient::random();
    let device = SeededDevice::random("localhost");
    let simulator = backbone_sim::start(
        SimulatorConfig::new()
            .with_client(client.clone())
            .with_device(device.clone()),
    )
    .await
    .expect("the Backbone simulator starts");
    (simulator, client, device)
}

/// The configuration (Connector names) of a service on `simulator` as `device`, storing in
/// `database_url`, listening on a free loopback port, with no delay on refused API keys.
pub fn connector_vars(
    simulator: &RunningSimulator,
    client: &PlatformClient,
    device: &SeededDevice,
    database_url: &str,
) -> Vec<(String, String)> {
    let mut vars = connector_vars_for(&simulator.base_url(), client, database_url);
    vars.extend(
        [
            ("identity__address", device.address.to_string()),
            ("identity__deviceId", device.device_id.to_string()),
            ("identity__deviceUsername", device.username.to_string()),
            ("identity__devicePassword", device.password.clone()),
        ]
        .map(|(name, value)| (name.to_owned(), value)),
    );
    vars
}

/// The settings every test service shares: the Backbone at `base_url` for `client`, storage in
/// `database_url`, a free loopback port, no delay on refused API keys; no identity settings.
fn connector_vars_for(
    base_url: &str,
    client: &PlatformClient,
    database_url: &str,
) -> Vec<(String, String)> {
    [
        ("transportLibrary__baseUrl", base_url.to_owned()),
        (
            "transportLibrary__platformClientId",
            client.client_id.clone(),
        ),
        (
            "transportLibrary__platformClientSecret",
            client.client_secret.clone(),
        ),
        ("infrastructure__httpServer__host", "127.0.0.1".to_owned()),
        ("infrastructure__httpServer__port", "0".to_owned()),
        ("infrastructure__httpServer__apiKey", API_KEY.to_owned()),
        (
            "infrastructure__httpServer__authFailureDelayMinMs",
            "0".to_owned(),
        ),
        (
            "infrastructure__httpServer__authFailureDelayMaxMs",
            "0".to_owned(),
        ),
        ("transportLibrary__requestTimeoutMs", "5000".to_owned()),
        ("database__connectionString", database_url.to_owned()),
        ("database__poolSize", "4".to_owned()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect()
}

/// A strong secrets key for onboarded identities (`openssl rand -base64 32`).
pub const SECRETS_KEY: &str = "c3lzdGVtLXRlc3Qtc2VjcmV0cy1rZXktMzItYnl0ZXM=";

/// As [`connector_vars`], but without a configured device: the service onboards its own
/// identity on `simulator` (whose DID domain is `localhost`), keeping its keys under
/// [`SECRETS_KEY`].
pub fn onboarding_vars(
    simulator: &RunningSimulator,
    client: &PlatformClient,
    database_url: &str,
) -> Vec<(String, String)> {
    onboarding_vars_for(&simulator.base_url(), client, database_url)
}

/// As [`onboarding_vars`], for the Backbone at `base_url`.
pub fn onboarding_vars_for(
    base_url: &str,
    client: &PlatformClient,
    database_url: &str,
) -> Vec<(String, String)> {
    let mut vars = connector_vars_for(base_url, client, database_url);
    vars.extend(
        [
            ("secrets__key", SECRETS_KEY),
            (
                "transportLibrary__addressGenerationHostnameOverride",
                "localhost",
            ),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned())),
    );
    vars
}

/// `GET /api/v2/Account/IdentityInfo` of the service at `address`: its `result`.
pub async fn identity_info(client: &reqwest::Client, address: &str) -> Value {
    let response = client
        .get(format!("{address}/api/v2/Account/IdentityInfo"))
        .header("X-API-KEY", API_KEY)
        .send()
        .await
        .expect("the server answers");
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 200, "{body}");
    body["result"].clone()
}

/// Status and parsed JSON body of a response.
pub async fn status_and_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// A File owned by `device`'s identity, with a random id and key.
pub fn random_file(device: &SeededDevice, expires_at: DateTime<Utc>) -> File {
    File {
        created_by_device: oracle::domain_device_id(device),
        ..random_file_of(&oracle::domain_address(&device.address), expires_at)
    }
}

/// A File owned by `owner`, with a random id and key.
pub fn random_file_of(owner: &IdentityAddress, expires_at: DateTime<Utc>) -> File {
    let mut rng = rand::thread_rng();
    let id: String = (0..17)
        .map(|_| char::from(rng.sample(rand::distributions::Alphanumeric)))
        .collect();
    let mut key = [0u8; 32];
    rng.fill_bytes(&mut key);
    File {
        id: FileId::from_random_part(&id).expect("17 alphanumerics make a File id"),
        secret_key: SecretKey::from_bytes(key),
        owner: owner.clone(),
        created_at: Utc::now(),
        created_by: owner.clone(),
        // A device of the owner's; files made elsewhere name theirs.
        created_by_device: DeviceId::parse("DVCsystemTestDevice1").expect("a device id"),
        expires_at,
        filename: "contract.pdf".into(),
        filesize: 4096,
        mimetype: "application/pdf".into(),
        title: Some("Contract".into()),
        description: Some("The signed contract".into()),
        tags: vec!["legal".into()],
        ownership_token: None,
        ownership_is_locked: false,
        is_own: true,
        content: None,
    }
}
