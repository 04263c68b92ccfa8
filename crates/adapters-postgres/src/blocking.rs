//! The one road to the database, [`adapters_diesel::blocking::run`], for PostgreSQL: which of
//! its errors mean "unavailable".

use application::ports::RepositoryError;
use diesel::PgConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub(crate) use adapters_diesel::blocking::WorkError;

pub(crate) type PgPool = adapters_diesel::pool::DieselPool<PgConnection>;

pub(crate) struct Postgres;

impl adapters_diesel::blocking::Engine for Postgres {
    type Connection = PgConnection;

    fn is_unavailable(error: &DieselError) -> bool {
        // The server went away mid-query (restart, failover, network): worth retrying later.
        matches!(
            error,
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        )
    }
}

/// Runs `work` with a pooled connection on the blocking pool; see
/// [`adapters_diesel::blocking::run`].
pub(crate) async fn run<T, F>(pool: &PgPool, subject: &str, work: F) -> Result<T, RepositoryError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, WorkError> + Send + 'static,
    T: Send + 'static,
{
    adapters_diesel::blocking::run::<Postgres, _, _>(pool, subject, work).await
}

/// Runs `work`, a read safe to repeat, as [`run`] does; see
/// [`adapters_diesel::blocking::run_repeatable`].
pub(crate) async fn run_repeatable<T, F>(
    pool: &PgPool,
    subject: &str,
    work: F,
) -> Result<T, RepositoryError>
where
    F: Fn(&mut PgConnection) -> Result<T, WorkError> + Send + 'static,
    T: Send + 'static,
{
    adapters_diesel::blocking::run_repeatable::<Postgres, _, _>(pool, subject, work).await
}

#[cfg(test)]
fn map_diesel_error(error: DieselError, subject: &str) -> RepositoryError {
    adapters_diesel::blocking::map_diesel_error::<Postgres>(error, subject)
}

#[cfg(test)]
mod tests {
    use adapters_diesel::checks;

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
        let pool = test_db.database().pool;

        checks::a_panicking_unit_of_work_is_unexpected_and_the_pool_survives::<Postgres>(
            &pool,
            test_db.config().health_check_timeout,
        )
        .await;
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
