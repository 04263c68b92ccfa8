//! `HttpBackboneClient` and `HttpBackboneIdentities` against a scripted fake Backbone: login
//! caching and sharing, the retry policy, every failure translation, and the exact requests they
//! send.

mod checks;
mod create;
mod delete;
mod failures;
mod fake;
mod files;
mod identities;
mod login;
mod read_token;

use std::sync::Arc;

use adapters_backbone::{BackboneConfig, HttpBackboneClient};
use application::ports::{
    BackboneError, BackboneTokens, CreatedBackboneToken, DeviceLogin, NewBackboneToken,
};
use chrono::{TimeZone, Utc};
use domain::{DevicePassword, DeviceUsername};
use secrecy::SecretString;

pub const CLIENT_ID: &str = "test-client";
pub const CLIENT_SECRET: &str = "client-secret-do-not-log";
pub const USERNAME: &str = "USRtestdevice0000001";
pub const PASSWORD: &str = "device-password-do-not-log";

pub fn config(base_url: &str) -> BackboneConfig {
    BackboneConfig::new(base_url, CLIENT_ID, SecretString::from(CLIENT_SECRET))
}

pub fn device() -> DeviceLogin {
    DeviceLogin {
        username: DeviceUsername::parse(USERNAME).expect("a valid username"),
        password: DevicePassword::new(PASSWORD.to_owned()),
    }
}

pub fn client(base_url: &str) -> Arc<HttpBackboneClient> {
    client_with(config(base_url))
}

pub fn client_with(config: BackboneConfig) -> Arc<HttpBackboneClient> {
    Arc::new(HttpBackboneClient::new(&config, &device()).expect("a valid config"))
}

/// A token without optionals.
pub fn token() -> NewBackboneToken {
    NewBackboneToken {
        content: "Y29udGVudA".to_owned(),
        expires_at: Utc
            .with_ymd_and_hms(2030, 1, 2, 3, 4, 5)
            .single()
            .expect("a real date"),
        for_identity: None,
        password_hash: None,
    }
}

pub async fn create(client: &HttpBackboneClient) -> Result<CreatedBackboneToken, BackboneError> {
    client.create_token(&token(), None).await
}

/// Starts `n` creates at once and returns their results in order.
pub async fn create_concurrently(
    client: &Arc<HttpBackboneClient>,
    n: usize,
) -> Vec<Result<CreatedBackboneToken, BackboneError>> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let client = Arc::clone(client);
            tokio::spawn(async move { create(&client).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("the task completes"));
    }
    results
}

/// An error must never carry a credential.
pub fn assert_no_secret(error: &BackboneError) {
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(
            !text.contains(CLIENT_SECRET) && !text.contains(PASSWORD),
            "{text}"
        );
    }
}
