//! The one road to the database: runs a unit of work with a pooled connection on tokio's
//! blocking pool and translates pool, join and diesel errors into [`RepositoryError`].
//!
//! Generic over the engine ([`Engine`]): what differs between engines is named there once, and
//! everything over the database is written against it.

use application::ports::{OnboardingLock, RepositoryError};
use diesel::r2d2::{PoolError, R2D2Connection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::pool::{DieselPool, is_connection_lost};

/// A boxed driver error kept as the `source()` of the errors the adapters return.
pub type DriverError = Box<dyn std::error::Error + Send + Sync>;

/// What differs between engines below the repositories: the connection, which driver errors
/// mean "unavailable", how the pending migrations are applied, and how processes sharing the
/// database take turns onboarding. Implemented by a marker type
/// in each engine crate (`Postgres`, `Sqlite`).
pub trait Engine: Send + Sync + 'static {
    type Connection: R2D2Connection + Send + 'static;

    /// Short engine name for logs and `Debug` (`pg`, `sqlite`); span names must be literals, so
    /// the engine is a field of the shared spans.
    const NAME: &'static str;

    /// Whether a query error means the database cannot serve now (server gone, file locked past
    /// the busy timeout) rather than a bug or bad data.
    fn is_unavailable(error: &DieselError) -> bool;

    /// Applies the pending migrations on `connection` the engine's way, so that instances
    /// starting together migrate one after the other; returns the applied versions, oldest first.
    ///
    /// # Errors
    /// A query error (e.g. the lock), or [`WorkError::Other`] for a failing migration.
    fn migrate(connection: &mut Self::Connection) -> Result<Vec<String>, WorkError>;

    /// Waits until no other holder (in any process) of the onboarding lock of the database at
    /// `database_url` is left, then takes it; held until the returned lock is dropped, and
    /// released by the server or the operating system when the process dies. Blocks without a
    /// time limit (only the other holder bounds the wait): run it on the blocking pool.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the database cannot be reached, otherwise
    /// [`RepositoryError::Unexpected`].
    fn lock_onboarding(database_url: &str) -> Result<OnboardingLock, RepositoryError>;
}

/// Why a unit of work failed, before it becomes a port error.
#[derive(Debug)]
pub enum WorkError {
    Query(DieselError),
    /// Not a query error (e.g. a migration failing); always [`RepositoryError::Unexpected`].
    Other(DriverError),
}

impl From<DieselError> for WorkError {
    fn from(error: DieselError) -> Self {
        Self::Query(error)
    }
}

/// Checks out a connection and runs `work` on it, both on the blocking pool: diesel and r2d2
/// block, and an async worker must never wait on the database. The caller's tracing span is
/// kept, so the query's logs stay attached to the request.
///
/// `subject` names what the work is about (the record id for finds and inserts); it becomes the
/// id of a [`RepositoryError::Duplicate`].
///
/// A pool checkout that times out (database down, pool exhausted, file not openable) is
/// [`RepositoryError::Unavailable`] after the pool's connection timeout, never a hang. Work
/// whose connection was lost is not repeated (a write may have been applied before the loss):
/// it fails as the engine maps the error, and the connection is discarded ([`crate::pool`]).
///
/// # Errors
/// As [`map_diesel_error`] for query errors; a panicking `work` is
/// [`RepositoryError::Unexpected`] and leaves the pool usable.
pub async fn run<E, T, F>(
    pool: &DieselPool<E::Connection>,
    subject: &str,
    work: F,
) -> Result<T, RepositoryError>
where
    E: Engine,
    F: FnOnce(&mut E::Connection) -> Result<T, WorkError> + Send + 'static,
    T: Send + 'static,
{
    on_blocking_pool::<E, T>(pool, subject, move |pool| attempt(pool, work)).await
}

/// As [`run`], for work that is safe to repeat (reads): when its connection turns out lost (the
/// server ended it: restart, failover), it runs once more on another connection, which the pool
/// tests first.
///
/// # Errors
/// As [`run`].
pub async fn run_repeatable<E, T, F>(
    pool: &DieselPool<E::Connection>,
    subject: &str,
    work: F,
) -> Result<T, RepositoryError>
where
    E: Engine,
    F: Fn(&mut E::Connection) -> Result<T, WorkError> + Send + 'static,
    T: Send + 'static,
{
    on_blocking_pool::<E, T>(pool, subject, move |pool| match attempt(pool, &work) {
        Err(Failure::Work(WorkError::Query(error))) if is_connection_lost(&error) => {
            tracing::debug!(%error, "database connection lost; repeating on another one");
            attempt(pool, &work)
        }
        outcome => outcome,
    })
    .await
}

/// One checkout and one run of `work`; the connection goes back to the pool (or is discarded
/// when lost) before this returns.
fn attempt<C, T>(
    pool: &DieselPool<C>,
    work: impl FnOnce(&mut C) -> Result<T, WorkError>,
) -> Result<T, Failure>
where
    C: R2D2Connection + Send + 'static,
{
    let mut connection = pool.get().map_err(Failure::Checkout)?;
    connection.run(work).map_err(Failure::Work)
}

/// Runs `attempts` on the blocking pool in the caller's span and maps its failure.
async fn on_blocking_pool<E, T>(
    pool: &DieselPool<E::Connection>,
    subject: &str,
    attempts: impl FnOnce(&DieselPool<E::Connection>) -> Result<T, Failure> + Send + 'static,
) -> Result<T, RepositoryError>
where
    E: Engine,
    T: Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    let outcome = tokio::task::spawn_blocking(move || span.in_scope(|| attempts(&pool))).await;
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(Failure::Checkout(error))) => Err(RepositoryError::Unavailable(Box::new(error))),
        Ok(Err(Failure::Work(WorkError::Query(error)))) => {
            Err(map_diesel_error::<E>(error, subject))
        }
        Ok(Err(Failure::Work(WorkError::Other(error)))) => Err(RepositoryError::Unexpected(error)),
        // A panicking or cancelled task: nothing a retry is known to fix.
        Err(join_error) => Err(RepositoryError::Unexpected(Box::new(join_error))),
    }
}

enum Failure {
    Checkout(PoolError),
    Work(WorkError),
}

/// A unique violation is [`RepositoryError::Duplicate`] of `subject`, what the engine calls
/// unavailable is [`RepositoryError::Unavailable`], anything else
/// [`RepositoryError::Unexpected`].
pub fn map_diesel_error<E: Engine>(error: DieselError, subject: &str) -> RepositoryError {
    if matches!(
        error,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    ) {
        RepositoryError::Duplicate(subject.to_owned())
    } else if E::is_unavailable(&error) {
        RepositoryError::Unavailable(Box::new(error))
    } else {
        RepositoryError::Unexpected(Box::new(error))
    }
}
