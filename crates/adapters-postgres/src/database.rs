//! The connection pool and its configuration, embedded migrations run under an advisory lock,
//! and the health probe behind `/health`.
//!
//! Settings ([`PgConfig`]), each with a named default:
//! - `url`: libpq connection URL (`postgres://user:password@host:port/dbname?options`);
//! - `max_pool_size` ([`DEFAULT_MAX_POOL_SIZE`]): connections open at most;
//! - `min_idle` ([`DEFAULT_MIN_IDLE`]): connections kept open while idle;
//! - `connection_timeout` ([`DEFAULT_CONNECTION_TIMEOUT`]): how long a query waits for a
//!   connection before failing as unavailable;
//! - `health_check_timeout` ([`DEFAULT_HEALTH_CHECK_TIMEOUT`]): how long `/health` waits.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use application::ports::RepositoryError;
use diesel::r2d2::{ConnectionManager, HandleError, Pool};
use diesel::sql_types::BigInt;
use diesel::{PgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::blocking::{self, DriverError, PgPool, WorkError};
use crate::files::PgFileRepository;
use crate::tokens::PgTokenRepository;

pub const DEFAULT_MAX_POOL_SIZE: u32 = 10;
pub const DEFAULT_MIN_IDLE: u32 = 1;
pub const DEFAULT_CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_HEALTH_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

pub(crate) const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Every instance of the service must agree on this key; the value is ASCII "tok4file".
const MIGRATION_LOCK_KEY: i64 = 0x746f_6b34_6669_6c65;

/// How to reach PostgreSQL. `Debug` hides the URL, which may carry a password.
#[derive(Clone)]
pub struct PgConfig {
    pub url: String,
    pub max_pool_size: u32,
    pub min_idle: u32,
    pub connection_timeout: Duration,
    pub health_check_timeout: Duration,
}

impl PgConfig {
    /// The defaults for everything but the URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_pool_size: DEFAULT_MAX_POOL_SIZE,
            min_idle: DEFAULT_MIN_IDLE,
            connection_timeout: DEFAULT_CONNECTION_TIMEOUT,
            health_check_timeout: DEFAULT_HEALTH_CHECK_TIMEOUT,
        }
    }

    fn validate(&self) -> Result<(), PgConfigError> {
        if self.max_pool_size == 0 {
            return Err(PgConfigError::ZeroPoolSize);
        }
        if self.min_idle > self.max_pool_size {
            return Err(PgConfigError::MinIdleAbovePoolSize {
                min_idle: self.min_idle,
                max_pool_size: self.max_pool_size,
            });
        }
        if self.connection_timeout.is_zero() || self.health_check_timeout.is_zero() {
            return Err(PgConfigError::ZeroTimeout);
        }
        Ok(())
    }
}

impl fmt::Debug for PgConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgConfig")
            .field("url", &"<redacted>")
            .field("max_pool_size", &self.max_pool_size)
            .field("min_idle", &self.min_idle)
            .field("connection_timeout", &self.connection_timeout)
            .field("health_check_timeout", &self.health_check_timeout)
            .finish()
    }
}

/// A [`PgConfig`] the pool cannot work with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PgConfigError {
    #[error("the database pool size must be at least 1")]
    ZeroPoolSize,
    #[error(
        "the database pool's min_idle ({min_idle}) exceeds its max_pool_size ({max_pool_size})"
    )]
    MinIdleAbovePoolSize { min_idle: u32, max_pool_size: u32 },
    #[error("the database timeouts must be longer than zero")]
    ZeroTimeout,
}

/// Why [`PgDatabase::run_migrations`] failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// PostgreSQL could not be reached within the connection timeout.
    #[error("the database is unavailable")]
    Unavailable(#[source] DriverError),
    /// A migration failed; its transaction was rolled back.
    #[error("running the database migrations failed")]
    Failed(#[source] DriverError),
}

/// The PostgreSQL database: a connection pool and the repositories over it. Cheap to clone.
#[derive(Clone)]
pub struct PgDatabase {
    pub(crate) pool: PgPool,
    health_check_timeout: Duration,
}

impl PgDatabase {
    /// A pool for `config`. Connections open lazily in the background, so this succeeds while
    /// the database is down; queries then fail as unavailable after the connection timeout.
    ///
    /// # Errors
    /// [`PgConfigError`] for a zero pool size or timeout, or `min_idle` above the pool size.
    pub fn new(config: &PgConfig) -> Result<Self, PgConfigError> {
        config.validate()?;
        let pool = Pool::builder()
            .max_size(config.max_pool_size)
            .min_idle(Some(config.min_idle))
            .connection_timeout(config.connection_timeout)
            .error_handler(Box::new(LogConnectionErrors))
            .build_unchecked(ConnectionManager::new(config.url.clone()));
        Ok(Self {
            pool,
            health_check_timeout: config.health_check_timeout,
        })
    }

    /// Applies the pending migrations and returns their versions, oldest first. Holds a
    /// PostgreSQL advisory lock meanwhile, so instances starting together migrate one after the
    /// other: the first applies, the others find nothing left to do.
    ///
    /// # Errors
    /// [`MigrationError::Unavailable`] when no connection can be had within the connection
    /// timeout, [`MigrationError::Failed`] when a migration fails.
    #[tracing::instrument(name = "pg.run_migrations", skip_all)]
    pub async fn run_migrations(&self) -> Result<Vec<String>, MigrationError> {
        let applied = blocking::run(&self.pool, "migrations", |connection| {
            let mut locked = AdvisoryLock::acquire(connection, MIGRATION_LOCK_KEY)?;
            let applied = locked
                .run_pending_migrations(MIGRATIONS)
                .map_err(WorkError::Other)?;
            let applied: Vec<String> = applied.iter().map(ToString::to_string).collect();
            locked.release()?;
            Ok(applied)
        })
        .await
        .map_err(|error| match error {
            RepositoryError::Unavailable(source) => MigrationError::Unavailable(source),
            RepositoryError::Unexpected(source) => MigrationError::Failed(source),
            other => MigrationError::Failed(Box::new(other)),
        })?;
        for version in &applied {
            tracing::info!(version, "applied database migration");
        }
        Ok(applied)
    }

    /// Whether `SELECT 1` answers within the health check timeout.
    #[tracing::instrument(name = "pg.is_healthy", skip_all)]
    pub async fn is_healthy(&self) -> bool {
        let probe = blocking::run(&self.pool, "health check", |connection| {
            diesel::sql_query("SELECT 1").execute(connection)?;
            Ok(())
        });
        match tokio::time::timeout(self.health_check_timeout, probe).await {
            Ok(Ok(())) => true,
            Ok(Err(error)) => {
                tracing::warn!(error = ?error, "database health check failed");
                false
            }
            Err(_) => {
                tracing::warn!(timeout = ?self.health_check_timeout, "database health check timed out");
                false
            }
        }
    }

    pub fn file_repository(&self) -> PgFileRepository {
        PgFileRepository::new(self.pool.clone())
    }

    pub fn token_repository(&self) -> PgTokenRepository {
        PgTokenRepository::new(self.pool.clone())
    }
}

impl fmt::Debug for PgDatabase {
    // The pool's own `Debug` would print the connection URL and its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.pool.state();
        f.debug_struct("PgDatabase")
            .field("connections", &state.connections)
            .field("idle_connections", &state.idle_connections)
            .field("health_check_timeout", &self.health_check_timeout)
            .finish()
    }
}

/// Sends r2d2's background connection failures to `tracing` instead of the `log` crate.
#[derive(Debug)]
struct LogConnectionErrors;

impl HandleError<diesel::r2d2::Error> for LogConnectionErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        tracing::warn!(%error, "opening a database connection failed");
    }
}

/// A session-level `pg_advisory_lock` held on one connection, released on `release` or, for
/// every early return and panic, on drop.
pub(crate) struct AdvisoryLock<'c> {
    connection: &'c mut PgConnection,
    key: i64,
    held: bool,
}

impl<'c> AdvisoryLock<'c> {
    /// Waits until the lock is free, then takes it.
    pub(crate) fn acquire(
        connection: &'c mut PgConnection,
        key: i64,
    ) -> Result<Self, diesel::result::Error> {
        diesel::sql_query("SELECT pg_advisory_lock($1)")
            .bind::<BigInt, _>(key)
            .execute(connection)?;
        Ok(Self {
            connection,
            key,
            held: true,
        })
    }

    pub(crate) fn release(mut self) -> Result<(), diesel::result::Error> {
        self.held = false;
        unlock(self.connection, self.key)
    }
}

fn unlock(connection: &mut PgConnection, key: i64) -> Result<(), diesel::result::Error> {
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(key)
        .execute(connection)
        .map(drop)
}

impl Drop for AdvisoryLock<'_> {
    fn drop(&mut self) {
        // If even this fails the connection is broken, and PostgreSQL drops the lock with the
        // session.
        if self.held && unlock(self.connection, self.key).is_err() {
            tracing::warn!(key = self.key, "releasing a database advisory lock failed");
        }
    }
}

impl Deref for AdvisoryLock<'_> {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        self.connection
    }
}

impl DerefMut for AdvisoryLock<'_> {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.connection
    }
}
