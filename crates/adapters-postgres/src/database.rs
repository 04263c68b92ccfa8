//! Opening PostgreSQL: the connection pool and its configuration, the embedded migrations and
//! the advisory lock they run under; the rest of [`PgDatabase`] is the shared handle's.
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

use adapters_diesel::DieselDatabase;
use adapters_diesel::database;
use adapters_diesel::pool::CheckedConnections;
use diesel::sql_types::BigInt;
use diesel::{PgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, embed_migrations};

/// Why [`DieselDatabase::run_migrations`] failed; shared with the SQLite adapters.
pub use adapters_diesel::MigrationError;
/// A [`PgConfig`] the pool cannot work with; shared with the SQLite adapters.
pub use adapters_diesel::PoolConfigError as PgConfigError;

use crate::blocking::Postgres;

pub const DEFAULT_MAX_POOL_SIZE: u32 = 10;
pub const DEFAULT_MIN_IDLE: u32 = 1;
pub const DEFAULT_CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_HEALTH_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

pub(crate) const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

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
        database::validate_pool_config(
            self.max_pool_size,
            self.min_idle,
            &[self.connection_timeout, self.health_check_timeout],
        )
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

/// The PostgreSQL database: the shared [`DieselDatabase`] (pool, migrations, health probe,
/// repositories) over a PostgreSQL pool. Cheap to clone.
#[derive(Clone)]
pub struct PgDatabase {
    database: DieselDatabase<Postgres>,
}

impl PgDatabase {
    /// A pool for `config`. Connections open lazily in the background, so this succeeds while
    /// the database is down; queries then fail as unavailable after the connection timeout.
    /// Migrations run under an advisory lock (see [`Postgres`]).
    ///
    /// # Errors
    /// [`PgConfigError`] for a zero pool size or timeout, or `min_idle` above the pool size.
    pub fn new(config: &PgConfig) -> Result<Self, PgConfigError> {
        config.validate()?;
        let (builder, activity) = database::pool_builder(
            config.max_pool_size,
            config.min_idle,
            config.connection_timeout,
        );
        let pool = builder.build_unchecked(CheckedConnections::new(config.url.clone()));
        Ok(Self {
            database: DieselDatabase::new(
                pool,
                activity,
                config.url.as_str(),
                config.health_check_timeout,
            ),
        })
    }
}

/// Everything but opening is the shared handle's: `run_migrations`, `is_healthy`,
/// `file_repository`, `token_repository`, `identity_repository`.
impl Deref for PgDatabase {
    type Target = DieselDatabase<Postgres>;

    fn deref(&self) -> &DieselDatabase<Postgres> {
        &self.database
    }
}

impl From<PgDatabase> for DieselDatabase<Postgres> {
    fn from(database: PgDatabase) -> Self {
        database.database
    }
}

impl fmt::Debug for PgDatabase {
    // The pool's own `Debug` would print the connection URL and its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.pool().state();
        f.debug_struct("PgDatabase")
            .field("connections", &state.connections)
            .field("idle_connections", &state.idle_connections)
            .field("health_check_timeout", &self.health_check_timeout())
            .finish()
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
