//! What PostgreSQL contributes to the shared diesel adapters ([`Postgres`], an
//! [`adapters_diesel::blocking::Engine`]): which of its errors mean "unavailable", migrating
//! under an advisory lock, and the onboarding lock (`onboarding.rs`).

use application::ports::{OnboardingLock, RepositoryError};
use diesel::PgConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::MigrationHarness;

use adapters_diesel::blocking::WorkError;

use crate::database::{AdvisoryLock, MIGRATIONS};

/// Every instance of the service must agree on this key; the value is ASCII "tok4file".
const MIGRATION_LOCK_KEY: i64 = 0x746f_6b34_6669_6c65;

/// PostgreSQL, as the shared repositories and database handle see it.
#[derive(Debug)]
pub struct Postgres;

impl adapters_diesel::blocking::Engine for Postgres {
    type Connection = PgConnection;

    const NAME: &'static str = "pg";

    fn is_unavailable(error: &DieselError) -> bool {
        // The server went away mid-query (restart, failover, network): worth retrying later.
        matches!(
            error,
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        )
    }

    /// Holds a PostgreSQL advisory lock meanwhile, so instances starting together migrate one
    /// after the other: the first applies, the others find nothing left to do.
    fn migrate(connection: &mut PgConnection) -> Result<Vec<String>, WorkError> {
        let mut locked = AdvisoryLock::acquire(connection, MIGRATION_LOCK_KEY)?;
        let applied = locked
            .run_pending_migrations(MIGRATIONS)
            .map_err(WorkError::Other)?;
        let applied: Vec<String> = applied.iter().map(ToString::to_string).collect();
        locked.release()?;
        Ok(applied)
    }

    /// A session advisory lock on a connection of its own (see `onboarding.rs`).
    fn lock_onboarding(database_url: &str) -> Result<OnboardingLock, RepositoryError> {
        crate::onboarding::lock_onboarding(database_url)
    }
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
        let pool = test_db.database().pool().clone();

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
            adapters_diesel::blocking::run::<Postgres, _, _>(database.pool(), "x", |_| {
                Ok(tracing::Span::current().id())
            })
            .await
            .unwrap()
        };

        assert!(expected.is_some());
        assert_eq!(seen, expected);
    }
}
