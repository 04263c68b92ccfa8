//! The database handle both engines share, [`DieselDatabase`]: the pool, running the migrations
//! with their error mapped to [`MigrationError`], the health probe behind `/health`, and the
//! repositories; around it the pool settings' checks and the pool builder with its
//! connection-error logging.
//!
//! Each engine keeps what differs: its pool settings and connection customizer, and how the
//! pending migrations are applied ([`Engine::migrate`]: PostgreSQL under an advisory lock,
//! SQLite in one immediate transaction).

use std::sync::Arc;
use std::time::Duration;

use application::ports::RepositoryError;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{Builder, HandleError, Pool, R2D2Connection};

use crate::activity::{PoolActivity, PoolEvents, PoolStats};
use crate::blocking::{self, DriverError, Engine, WorkError};
use crate::pool::{CheckedConnections, DieselPool};
use crate::repositories::{
    DieselFileRepository, DieselIdempotencyRepository, DieselIdentityRepository,
    DieselTokenRepository,
};
use domain::SecretKey;

/// One engine's database: a connection pool and the repositories over it. Cheap to clone. The
/// engine crates' `PgDatabase` and `SqliteDatabase` are this, opened their way.
pub struct DieselDatabase<E: Engine> {
    pool: DieselPool<E::Connection>,
    /// What the pool connects to (PostgreSQL URL, SQLite path), for what needs a connection of
    /// its own ([`Engine::lock_onboarding`]). Never shown: it may carry a password.
    database_url: Arc<str>,
    health_check_timeout: Duration,
    activity: Arc<PoolActivity>,
}

impl<E: Engine> DieselDatabase<E> {
    /// The database behind `pool` (whose checkouts `activity` counts, see [`pool_builder`]),
    /// which connects to `database_url`; its `/health` probe waits `health_check_timeout`.
    pub fn new(
        pool: DieselPool<E::Connection>,
        activity: Arc<PoolActivity>,
        database_url: impl Into<Arc<str>>,
        health_check_timeout: Duration,
    ) -> Self {
        Self {
            pool,
            database_url: database_url.into(),
            health_check_timeout,
            activity,
        }
    }

    /// What the pool holds now and has done since it opened, for the metrics.
    pub fn pool_stats(&self) -> PoolStats {
        let state = self.pool.state();
        self.activity.stats(
            self.pool.max_size(),
            state.connections,
            state.idle_connections,
        )
    }

    pub fn pool(&self) -> &DieselPool<E::Connection> {
        &self.pool
    }

    pub fn health_check_timeout(&self) -> Duration {
        self.health_check_timeout
    }

    /// Applies the pending migrations the engine's way ([`Engine::migrate`]) and returns their
    /// versions, oldest first.
    ///
    /// # Errors
    /// [`MigrationError::Unavailable`] when no connection can be had within the connection
    /// timeout (or the engine calls the failure unavailable), [`MigrationError::Failed`] when a
    /// migration fails.
    #[tracing::instrument(name = "run_migrations", skip_all, fields(engine = E::NAME))]
    pub async fn run_migrations(&self) -> Result<Vec<String>, MigrationError> {
        run_migrations::<E, _>(&self.pool, E::migrate).await
    }

    /// Whether `SELECT 1` answers within the health check timeout.
    #[tracing::instrument(name = "is_healthy", skip_all, fields(engine = E::NAME))]
    pub async fn is_healthy(&self) -> bool {
        is_healthy::<E>(&self.pool, self.health_check_timeout).await
    }

    pub fn file_repository(&self) -> DieselFileRepository<E> {
        DieselFileRepository::new(self.pool.clone())
    }

    pub fn token_repository(&self) -> DieselTokenRepository<E> {
        DieselTokenRepository::new(self.pool.clone())
    }

    pub fn idempotency_repository(&self) -> DieselIdempotencyRepository<E> {
        DieselIdempotencyRepository::new(self.pool.clone())
    }

    /// The `identity` table, its secrets sealed under `secrets_key`; its onboarding lock is the
    /// engine's ([`Engine::lock_onboarding`]) on this database.
    pub fn identity_repository(&self, secrets_key: SecretKey) -> DieselIdentityRepository<E> {
        DieselIdentityRepository::new(
            self.pool.clone(),
            Arc::clone(&self.database_url),
            &secrets_key,
        )
    }
}

impl<E: Engine> Clone for DieselDatabase<E> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            database_url: Arc::clone(&self.database_url),
            health_check_timeout: self.health_check_timeout,
            activity: Arc::clone(&self.activity),
        }
    }
}

impl<E: Engine> std::fmt::Debug for DieselDatabase<E> {
    // The pool's own `Debug` would print the connection URL and its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.pool.state();
        f.debug_struct("DieselDatabase")
            .field("engine", &E::NAME)
            .field("connections", &state.connections)
            .field("idle_connections", &state.idle_connections)
            .field("health_check_timeout", &self.health_check_timeout)
            .finish()
    }
}

/// Pool settings an engine cannot work with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolConfigError {
    #[error("the database pool size must be at least 1")]
    ZeroPoolSize,
    #[error(
        "the database pool's min_idle ({min_idle}) exceeds its max_pool_size ({max_pool_size})"
    )]
    MinIdleAbovePoolSize { min_idle: u32, max_pool_size: u32 },
    #[error("the database timeouts must be longer than zero")]
    ZeroTimeout,
}

/// Checks the settings every engine's pool has; `timeouts` are all of the engine's timeouts.
///
/// # Errors
/// [`PoolConfigError`] for a zero pool size, `min_idle` above the pool size, or a zero
/// timeout, checked in that order.
pub fn validate_pool_config(
    max_pool_size: u32,
    min_idle: u32,
    timeouts: &[Duration],
) -> Result<(), PoolConfigError> {
    if max_pool_size == 0 {
        return Err(PoolConfigError::ZeroPoolSize);
    }
    if min_idle > max_pool_size {
        return Err(PoolConfigError::MinIdleAbovePoolSize {
            min_idle,
            max_pool_size,
        });
    }
    if timeouts.iter().any(Duration::is_zero) {
        return Err(PoolConfigError::ZeroTimeout);
    }
    Ok(())
}

/// Why running an engine's migrations failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database could not be reached within the connection timeout (PostgreSQL down; the
    /// SQLite file not openable, or locked past the timeouts).
    #[error("the database is unavailable")]
    Unavailable(#[source] DriverError),
    /// A migration failed; what this run applied was rolled back.
    #[error("running the database migrations failed")]
    Failed(#[source] DriverError),
}

impl MigrationError {
    fn from_repository(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Unavailable(source) => Self::Unavailable(source),
            RepositoryError::Unexpected(source) => Self::Failed(source),
            other => Self::Failed(Box::new(other)),
        }
    }
}

/// A pool builder with the settings every engine has, whose background connection failures go
/// to `tracing` (not the `log` crate) and whose checkouts are counted in the returned
/// [`PoolActivity`] (hand both to [`DieselDatabase::new`]). Build it with [`CheckedConnections`].
pub fn pool_builder<C: R2D2Connection + Send + 'static>(
    max_size: u32,
    min_idle: u32,
    connection_timeout: Duration,
) -> (Builder<CheckedConnections<C>>, Arc<PoolActivity>) {
    let activity = Arc::new(PoolActivity::default());
    let builder = Pool::builder()
        .max_size(max_size)
        .min_idle(Some(min_idle))
        .connection_timeout(connection_timeout)
        .error_handler(Box::new(LogConnectionErrors))
        .event_handler(Box::new(PoolEvents(Arc::clone(&activity))));
    (builder, activity)
}

/// Applies the pending migrations with `migrate` (the engine's way, returning the applied
/// versions oldest first) through [`blocking::run`], and logs each applied version.
///
/// # Errors
/// [`MigrationError::Unavailable`] when no connection can be had within the connection
/// timeout (or the engine calls the failure unavailable), [`MigrationError::Failed`] otherwise.
pub async fn run_migrations<E, F>(
    pool: &DieselPool<E::Connection>,
    migrate: F,
) -> Result<Vec<String>, MigrationError>
where
    E: Engine,
    F: FnOnce(&mut E::Connection) -> Result<Vec<String>, WorkError> + Send + 'static,
{
    let applied = blocking::run::<E, _, _>(pool, "migrations", migrate)
        .await
        .map_err(MigrationError::from_repository)?;
    for version in &applied {
        tracing::info!(version, "applied database migration");
    }
    Ok(applied)
}

/// Whether `SELECT 1` answers within `timeout`; a failure or a timeout is logged as a warning.
pub async fn is_healthy<E: Engine>(pool: &DieselPool<E::Connection>, timeout: Duration) -> bool {
    let probe = blocking::run_repeatable::<E, _, _>(pool, "health check", |connection| {
        // The simple-query path: a generic `sql_query(…).execute` would need diesel's private
        // backend bounds, and `SELECT 1` binds nothing.
        connection.batch_execute("SELECT 1")?;
        Ok(())
    });
    match tokio::time::timeout(timeout, probe).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(error = ?error, "database health check failed");
            false
        }
        Err(_) => {
            tracing::warn!(timeout = ?timeout, "database health check timed out");
            false
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("boom")]
    struct Boom;

    #[test]
    fn repository_errors_map_to_migration_errors() {
        assert!(matches!(
            MigrationError::from_repository(RepositoryError::Unavailable(Box::new(Boom))),
            MigrationError::Unavailable(_)
        ));
        assert!(matches!(
            MigrationError::from_repository(RepositoryError::Unexpected(Box::new(Boom))),
            MigrationError::Failed(_)
        ));
        assert!(matches!(
            MigrationError::from_repository(RepositoryError::Duplicate("x".to_owned())),
            MigrationError::Failed(_)
        ));
    }
}
