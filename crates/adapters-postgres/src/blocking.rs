//! The one road to the database: runs a unit of work with a pooled connection on tokio's
//! blocking pool and translates pool, join and diesel errors into [`RepositoryError`].

use std::fmt;

use application::ports::RepositoryError;
use diesel::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub(crate) type PgPool = Pool<ConnectionManager<PgConnection>>;

/// A boxed error kept as the `source()` of the errors this crate returns.
pub(crate) type DriverError = Box<dyn std::error::Error + Send + Sync>;

/// Why a unit of work failed, before it becomes a port error.
#[derive(Debug)]
pub(crate) enum WorkError {
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
/// A pool checkout that times out (database down, pool exhausted) is
/// [`RepositoryError::Unavailable`] after the pool's connection timeout, never a hang.
pub(crate) async fn run<T, F>(pool: &PgPool, subject: &str, work: F) -> Result<T, RepositoryError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, WorkError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    let outcome = tokio::task::spawn_blocking(move || {
        span.in_scope(|| {
            let mut connection = pool.get().map_err(Failure::Checkout)?;
            work(&mut connection).map_err(Failure::Work)
        })
    })
    .await;
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(Failure::Checkout(error))) => Err(RepositoryError::Unavailable(Box::new(error))),
        Ok(Err(Failure::Work(WorkError::Query(error)))) => Err(map_diesel_error(error, subject)),
        Ok(Err(Failure::Work(WorkError::Other(error)))) => Err(RepositoryError::Unexpected(error)),
        // A panicking or cancelled task: nothing a retry is known to fix.
        Err(join_error) => Err(RepositoryError::Unexpected(Box::new(join_error))),
    }
}

enum Failure {
    Checkout(diesel::r2d2::PoolError),
    Work(WorkError),
}

fn map_diesel_error(error: DieselError, subject: &str) -> RepositoryError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            RepositoryError::Duplicate(subject.to_owned())
        }
        // The server went away mid-query (restart, failover, network): worth retrying later.
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
            RepositoryError::Unavailable(Box::new(error))
        }
        _ => RepositoryError::Unexpected(Box::new(error)),
    }
}

/// The error for a stored row that no longer reads back as a domain value.
pub(crate) fn corrupt(id: &str, column: &str, reason: impl fmt::Display) -> RepositoryError {
    RepositoryError::Corrupt {
        id: id.to_owned(),
        reason: format!("{column}: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::TestDatabase;

    fn database_error(kind: DatabaseErrorKind) -> DieselError {
        DieselError::DatabaseError(kind, Box::new("message".to_owned()))
    }

    #[test]
    fn driver_errors_map_to_the_port_contract() {
        let duplicate = map_diesel_error(
            database_error(DatabaseErrorKind::UniqueViolation),
            "FILAAAAAAAAAAAAAAAAA",
        );
        assert!(
            matches!(duplicate, RepositoryError::Duplicate(id) if id == "FILAAAAAAAAAAAAAAAAA")
        );
        let closed = map_diesel_error(database_error(DatabaseErrorKind::ClosedConnection), "x");
        assert!(matches!(closed, RepositoryError::Unavailable(_)));
        let check = map_diesel_error(database_error(DatabaseErrorKind::CheckViolation), "x");
        assert!(matches!(check, RepositoryError::Unexpected(_)));
        assert!(matches!(
            map_diesel_error(DieselError::NotFound, "x"),
            RepositoryError::Unexpected(_)
        ));
    }

    #[tokio::test]
    async fn a_panicking_unit_of_work_is_unexpected_and_the_pool_survives() {
        let test_db = TestDatabase::create();
        let database = test_db.database();

        let panicked = run(&database.pool, "x", |_| -> Result<(), WorkError> {
            panic!("bug in a query")
        })
        .await;

        assert!(
            matches!(panicked, Err(RepositoryError::Unexpected(_))),
            "{panicked:?}"
        );
        assert!(database.is_healthy().await);
    }

    #[tokio::test]
    async fn the_callers_span_is_kept_on_the_blocking_thread() {
        let test_db = TestDatabase::create();
        let database = test_db.database();
        // Global: the blocking thread must see the same subscriber to resolve the span. A
        // registry assigns span ids and prints nothing.
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
        let span = tracing::info_span!("request");
        let expected = span.id();

        let seen = {
            let _entered = span.enter();
            run(&database.pool, "x", |_| Ok(tracing::Span::current().id()))
                .await
                .unwrap()
        };

        assert!(expected.is_some());
        assert_eq!(seen, expected);
    }
}
