//! The storage engine, chosen by `database.connectionString`: the repositories behind the
//! ports, a health probe and a description for the startup log, with migrations applied.
//!
//! | `database.connectionString` | engine | data |
//! |---|---|---|
//! | `postgres://…` or `postgresql://…` | PostgreSQL | that database |
//! | `sqlite://<path>` | SQLite | the file at `<path>` (relative: to the working directory; `sqlite:///abs/path` for an absolute one) |
//! | not set | SQLite | `<data directory>/connector.sqlite` |
//!
//! Anything else is refused at start-up. Neither errors nor descriptions ever show a password.
//!
//! Only opening differs per engine (its settings); both are then the shared
//! `adapters_diesel::DieselDatabase`, migrated and turned into ports by one code path. The
//! identity repository needs the secrets key, which only onboarding has: [`Storage`] builds it
//! on request ([`Storage::identity_repository`]).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use adapters_diesel::activity::PoolStats;
use adapters_diesel::blocking::Engine;
use adapters_diesel::repositories::{
    DieselFileRepository, DieselIdempotencyRepository, DieselIdentityRepository,
    DieselTokenRepository,
};
use adapters_diesel::{DieselDatabase, MigrationError};
use adapters_postgres::{PgConfig, PgConfigError, PgDatabase};
use adapters_sqlite::{SqliteConfig, SqliteDatabase, SqliteOpenError};
use application::ports::{
    FileRepository, IdempotencyRepository, IdentityRepository, TokenRepository,
};
use async_trait::async_trait;
use domain::SecretKey;
use secrecy::{ExposeSecret, SecretString};

/// The SQLite file in the data directory when no connection string is set.
pub const SQLITE_FILE_NAME: &str = "connector.sqlite";

const POSTGRES_SCHEMES: [&str; 2] = ["postgres", "postgresql"];
const SQLITE_SCHEME: &str = "sqlite";

/// The pool settings both engines take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Connections open at most.
    pub max_size: u32,
    /// How long a query waits for a connection (and, on SQLite, for the write lock) before it
    /// fails as unavailable.
    pub connect_timeout: Duration,
}

/// Which engine holds the data, and where.
#[derive(Clone)]
pub enum StorageLocation {
    Postgres { url: SecretString },
    Sqlite { path: PathBuf },
}

impl StorageLocation {
    /// The location `connection_string` names; see the module documentation.
    ///
    /// # Errors
    /// [`StorageError::UnsupportedConnectionString`] for another scheme (or none),
    /// [`StorageError::EmptySqlitePath`] for `sqlite://` alone,
    /// [`StorageError::ResolvePath`] if a relative path cannot be made absolute.
    pub fn parse(connection_string: Option<&str>, data_dir: &Path) -> Result<Self, StorageError> {
        let Some(connection_string) = connection_string else {
            return Ok(Self::Sqlite {
                path: absolute(&data_dir.join(SQLITE_FILE_NAME))?,
            });
        };
        let (scheme, rest) = connection_string
            .split_once("://")
            .ok_or(StorageError::UnsupportedConnectionString { scheme: None })?;
        if POSTGRES_SCHEMES
            .iter()
            .any(|known| scheme.eq_ignore_ascii_case(known))
        {
            Ok(Self::Postgres {
                url: connection_string.into(),
            })
        } else if scheme.eq_ignore_ascii_case(SQLITE_SCHEME) {
            if rest.is_empty() {
                return Err(StorageError::EmptySqlitePath);
            }
            Ok(Self::Sqlite {
                path: absolute(Path::new(rest))?,
            })
        } else {
            Err(StorageError::UnsupportedConnectionString {
                scheme: printable_scheme(scheme),
            })
        }
    }

    /// The error for migrations that failed here, with what to check for this engine.
    fn migration_error(&self, source: MigrationError) -> StorageError {
        let location = self.description();
        match self {
            Self::Postgres { .. } => StorageError::PostgresMigrations { location, source },
            Self::Sqlite { .. } => StorageError::SqliteMigrations { location, source },
        }
    }

    /// For the startup log: "PostgreSQL at host:port/database" (no user, password or options)
    /// or "SQLite at /absolute/path".
    pub fn description(&self) -> String {
        match self {
            Self::Postgres { url } => postgres_description(url.expose_secret()),
            Self::Sqlite { path } => format!("SQLite at {}", path.display()),
        }
    }
}

impl fmt::Debug for StorageLocation {
    // The description, never the URL: it may carry a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description())
    }
}

/// What the service observes of its database: reachability for `/health`, the pool for
/// `/metrics`.
#[async_trait]
pub trait DatabaseHealth: Send + Sync {
    async fn is_healthy(&self) -> bool;
    fn pool_stats(&self) -> PoolStats;
}

#[async_trait]
impl<E: Engine> DatabaseHealth for DieselDatabase<E> {
    async fn is_healthy(&self) -> bool {
        DieselDatabase::is_healthy(self).await
    }

    fn pool_stats(&self) -> PoolStats {
        DieselDatabase::pool_stats(self)
    }
}

/// Builds the identity repository of one engine's database once a secrets key is known.
trait IdentityStorage: Send + Sync {
    fn identity_repository(&self, secrets_key: SecretKey) -> Arc<dyn IdentityRepository>;
}

impl<E: Engine> IdentityStorage for DieselDatabase<E>
where
    DieselIdentityRepository<E>: IdentityRepository,
{
    fn identity_repository(&self, secrets_key: SecretKey) -> Arc<dyn IdentityRepository> {
        Arc::new(DieselDatabase::identity_repository(self, secrets_key))
    }
}

/// An opened and migrated storage engine.
pub struct Storage {
    pub files: Arc<dyn FileRepository>,
    pub tokens: Arc<dyn TokenRepository>,
    pub idempotency: Arc<dyn IdempotencyRepository>,
    pub health: Arc<dyn DatabaseHealth>,
    /// "PostgreSQL at …" or "SQLite at …", for the startup log.
    pub description: String,
    /// The migrations this start applied, oldest first.
    pub applied_migrations: Vec<String>,
    identities: Arc<dyn IdentityStorage>,
}

impl Storage {
    /// The repository of this service's identity, its secrets sealed under `secrets_key`
    /// (over the same database and pool as the other repositories).
    pub fn identity_repository(&self, secrets_key: SecretKey) -> Arc<dyn IdentityRepository> {
        self.identities.identity_repository(secrets_key)
    }
}

impl fmt::Debug for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Storage")
            .field("description", &self.description)
            .field("applied_migrations", &self.applied_migrations)
            .finish_non_exhaustive()
    }
}

/// Why the storage could not be opened; each says what to fix, none shows a password.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(
        "database.connectionString must start with postgres://, postgresql:// or sqlite://{}",
        scheme.as_ref().map(|s| format!(" (not {s}://)")).unwrap_or_default()
    )]
    UnsupportedConnectionString { scheme: Option<String> },
    #[error(
        "database.connectionString sqlite:// names no file (e.g. sqlite://data/connector.sqlite)"
    )]
    EmptySqlitePath,
    #[error("cannot resolve the database path {}", path.display())]
    ResolvePath {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid database settings: {0}")]
    PostgresConfig(#[from] PgConfigError),
    #[error("cannot open the SQLite database")]
    SqliteOpen(#[from] SqliteOpenError),
    #[error(
        "could not prepare the database {location} (is PostgreSQL running and database.connectionString right?)"
    )]
    PostgresMigrations {
        location: String,
        #[source]
        source: MigrationError,
    },
    #[error("could not prepare the database {location}")]
    SqliteMigrations {
        location: String,
        #[source]
        source: MigrationError,
    },
}

/// Opens the engine `connection_string` names (see [`StorageLocation::parse`]) and applies its
/// pending migrations; an unreachable database fails here, after `pool.connect_timeout`.
///
/// The engines differ only in how they are opened (their settings); from there on one code
/// path, [`migrated`], serves both.
///
/// # Errors
/// A [`StorageError`] naming what to fix.
pub async fn open_storage(
    connection_string: Option<&str>,
    data_dir: &Path,
    pool: PoolSettings,
) -> Result<Storage, StorageError> {
    let location = StorageLocation::parse(connection_string, data_dir)?;
    match &location {
        StorageLocation::Postgres { url } => {
            let database = PgDatabase::new(&PgConfig {
                max_pool_size: pool.max_size,
                connection_timeout: pool.connect_timeout,
                ..PgConfig::new(url.expose_secret())
            })?;
            migrated(database.into(), &location).await
        }
        StorageLocation::Sqlite { path } => {
            let database = SqliteDatabase::open(
                path,
                &SqliteConfig {
                    max_pool_size: pool.max_size,
                    connection_timeout: pool.connect_timeout,
                    busy_timeout: pool.connect_timeout,
                    ..SqliteConfig::default()
                },
            )?;
            migrated(database.into(), &location).await
        }
    }
}

/// Applies the pending migrations of the opened `database` and hands out its repositories and
/// health probe as ports (the identity repository's builder too): the same for every engine.
async fn migrated<E>(
    database: DieselDatabase<E>,
    location: &StorageLocation,
) -> Result<Storage, StorageError>
where
    E: Engine,
    DieselFileRepository<E>: FileRepository,
    DieselTokenRepository<E>: TokenRepository,
    DieselIdempotencyRepository<E>: IdempotencyRepository,
    DieselIdentityRepository<E>: IdentityRepository,
{
    let description = location.description();
    let applied_migrations = database
        .run_migrations()
        .await
        .map_err(|source| location.migration_error(source))?;
    Ok(Storage {
        files: Arc::new(database.file_repository()),
        tokens: Arc::new(database.token_repository()),
        idempotency: Arc::new(database.idempotency_repository()),
        health: Arc::new(database.clone()),
        identities: Arc::new(database),
        description,
        applied_migrations,
    })
}

fn absolute(path: &Path) -> Result<PathBuf, StorageError> {
    std::path::absolute(path).map_err(|source| StorageError::ResolvePath {
        path: path.to_owned(),
        source,
    })
}

/// The scheme for an error message, if it looks like one (and so cannot be a secret's tail).
fn printable_scheme(scheme: &str) -> Option<String> {
    let plausible = !scheme.is_empty()
        && scheme.len() <= 16
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    plausible.then(|| scheme.to_owned())
}

/// "PostgreSQL at host:port/database" from a libpq URL, leaving out the user, the password and
/// the options (which may hold a password too).
fn postgres_description(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (authority, path) = rest
        .find(['/', '?'])
        .map_or((rest, ""), |end| rest.split_at(end));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let database = path
        .strip_prefix('/')
        .unwrap_or("")
        .split('?')
        .next()
        .unwrap_or("");
    let host = if host.is_empty() {
        "(default host)"
    } else {
        host
    };
    if database.is_empty() {
        format!("PostgreSQL at {host} (default database)")
    } else {
        format!("PostgreSQL at {host}/{database}")
    }
}

#[cfg(test)]
mod tests;
