//! Test fixtures: a simulator per test, identities that are logged in, and typed requests.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use backbone_sim::encoding::b64std;
use backbone_sim::{PlatformClient, RunningSimulator, SeededDevice, SimulatorConfig};
use chrono::{DateTime, Utc};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

/// A simulator with one platform client, and an HTTP client that gives up after 10 s.
pub struct TestSim {
    pub sim: RunningSimulator,
    pub client: PlatformClient,
    pub http: reqwest::Client,
}

/// A device identity with a fresh access token.
#[derive(Debug, Clone)]
pub struct Identity {
    pub device: SeededDevice,
    pub access_token: String,
}

impl Identity {
    pub fn address(&self) -> &str {
        self.device.address.as_str()
    }
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("HTTP client builds")
}

impl TestSim {
    pub async fn start() -> Self {
        Self::start_with(SimulatorConfig::new()).await
    }

    /// Starts with `config` plus one random platform client.
    pub async fn start_with(config: SimulatorConfig) -> Self {
        Self::start_with_client(config, PlatformClient::random()).await
    }

    /// Starts with `config` plus `client`.
    pub async fn start_with_client(config: SimulatorConfig, client: PlatformClient) -> Self {
        let sim = backbone_sim::start(config.with_client(client.clone()))
            .await
            .expect("simulator starts");
        Self {
            sim,
            client,
            http: http_client(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    /// `POST /connect/token` with this simulator's client and the device's credentials.
    pub async fn login_as(&self, device: &SeededDevice, password: &str) -> Response {
        let form = [
            ("grant_type", "password"),
            ("client_id", self.client.client_id.as_str()),
            ("client_secret", self.client.client_secret.as_str()),
            ("username", device.username.as_str()),
            ("password", password),
        ];
        self.http
            .post(self.url("/connect/token"))
            .form(&form)
            .send()
            .await
            .expect("login request completes")
    }

    /// A new identity, logged in.
    pub async fn identity(&self) -> Identity {
        let device = self.sim.create_device("localhost").expect("device created");
        self.login(device).await
    }

    pub async fn login(&self, device: SeededDevice) -> Identity {
        let response = self.login_as(&device, &device.password).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("JSON token response");
        let access_token = body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        Identity {
            device,
            access_token,
        }
    }

    /// A request, with the identity's bearer token unless anonymous.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        caller: Option<&Identity>,
    ) -> reqwest::RequestBuilder {
        let builder = self.http.request(method, self.url(path));
        match caller {
            Some(identity) => builder.bearer_auth(&identity.access_token),
            None => builder,
        }
    }

    pub async fn create_token(&self, caller: Option<&Identity>, body: Value) -> Response {
        self.request(Method::POST, "/api/v2/Tokens", caller)
            .json(&body)
            .send()
            .await
            .expect("request completes")
    }

    /// Creates a token that must succeed and returns its id.
    pub async fn create_token_ok(&self, caller: Option<&Identity>, body: Value) -> String {
        let response = self.create_token(caller, body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("JSON body");
        body["result"]["id"].as_str().expect("token id").to_owned()
    }

    /// `GET /api/v2/Tokens/{id}`, the password sent as standard base64 (URL-encoded by reqwest).
    pub async fn get_token(
        &self,
        caller: Option<&Identity>,
        id: &str,
        password: Option<&[u8]>,
    ) -> Response {
        let mut builder = self.request(Method::GET, &format!("/api/v2/Tokens/{id}"), caller);
        if let Some(password) = password {
            builder = builder.query(&[("password", b64std(password))]);
        }
        builder.send().await.expect("request completes")
    }
}

/// A token body with content, the given expiry, and optional forIdentity and password.
pub fn token_body(
    for_identity: Option<&str>,
    password: Option<&[u8]>,
    expires_at: DateTime<Utc>,
) -> Value {
    let mut body =
        json!({ "content": b64std(b"encrypted content"), "expiresAt": expires_at.to_rfc3339() });
    if let Some(address) = for_identity {
        body["forIdentity"] = json!(address);
    }
    if let Some(password) = password {
        body["password"] = json!(b64std(password));
    }
    body
}

pub fn tomorrow() -> DateTime<Utc> {
    Utc::now() + chrono::Duration::days(1)
}

/// Asserts the Backbone's error envelope and returns `(code, message)`.
pub async fn error_of(response: Response) -> (String, String) {
    let body: Value = response.json().await.expect("JSON error body");
    let error = body["error"].as_object().expect("error envelope");
    let keys: Vec<&str> = error.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["id", "code", "message", "docs", "time", "data"],
        "envelope fields"
    );
    assert!(
        error["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("ERR") && id.len() == 20)
    );
    assert!(error["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    (
        error["code"].as_str().expect("code").to_owned(),
        error["message"].as_str().expect("message").to_owned(),
    )
}

/// A fresh directory under the system's temporary directory, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "backbone-sim-test-{}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&path).expect("temporary directory created");
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The names of the entries in the directory, sorted.
    pub fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .expect("directory readable")
            .map(|entry| {
                entry
                    .expect("entry readable")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
