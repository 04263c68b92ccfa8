//! `connector seed-demo-file`: stores one File with a random id and key for this service's
//! identity, so a new installation has something to create a token for before file upload
//! exists.

use adapters_postgres::{PgConfig, PgDatabase};
use application::ports::{FileRepository, RandomSource};
use chrono::{Duration, Utc};
use domain::{File, FileId};
use rand::Rng;
use rand::distributions::Alphanumeric;
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::random::OsRandom;
use crate::startup::StartupError;

/// How long the demo File stays valid.
const DEMO_FILE_LIFETIME_DAYS: i64 = 30;

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error("could not store the demo File")]
    Store(#[from] application::ports::RepositoryError),
}

/// Migrates the database if needed, stores a demo File and returns it.
///
/// # Errors
/// A [`SeedError`] when the database cannot be prepared or written.
pub async fn seed_demo_file(config: &Config) -> Result<File, SeedError> {
    let database = PgDatabase::new(&PgConfig::new(
        config.database.connection_string.expose_secret(),
    ))
    .map_err(StartupError::from)?;
    database
        .run_migrations()
        .await
        .map_err(StartupError::from)?;
    let random_part: String = rand::thread_rng()
        .sample_iter(Alphanumeric)
        .take(17)
        .map(char::from)
        .collect();
    let now = Utc::now();
    let file = File {
        id: FileId::from_random_part(&random_part)
            .unwrap_or_else(|_| unreachable!("17 alphanumerics")),
        secret_key: OsRandom.secret_key(),
        owner: config.identity.address.clone(),
        created_at: now,
        created_by: config.identity.address.clone(),
        created_by_device: config.identity.device_id.clone(),
        expires_at: now + Duration::days(DEMO_FILE_LIFETIME_DAYS),
        filename: "demo.txt".into(),
        filesize: 0,
        mimetype: "text/plain".into(),
        title: Some("Demo File".into()),
        description: Some("Seeded by `connector seed-demo-file`".into()),
        tags: Vec::new(),
        ownership_token: None,
        ownership_is_locked: false,
        is_own: true,
    };
    database.file_repository().insert_file(&file).await?;
    Ok(file)
}
