//! What SQLite contributes to the shared diesel adapters ([`Sqlite`], an
//! [`adapters_diesel::blocking::Engine`]): which of its errors mean "unavailable", migrating
//! in one immediate transaction, and the onboarding lock (`onboarding.rs`).

use adapters_diesel::blocking::WorkError;
use application::ports::{OnboardingLock, RepositoryError};
use diesel::SqliteConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::MigrationHarness;

use crate::database::MIGRATIONS;

/// SQLite, as the shared repositories and database handle see it.
#[derive(Debug)]
pub struct Sqlite;

impl adapters_diesel::blocking::Engine for Sqlite {
    type Connection = SqliteConnection;

    const NAME: &'static str = "sqlite";

    /// SQLITE_BUSY ("database is locked": another connection held the write lock past
    /// `busy_timeout`) and SQLITE_LOCKED ("database table/schema is locked"). Diesel reports
    /// both as an unknown database error and keeps only SQLite's message, so the message is
    /// what can be matched (it is fixed text in SQLite's `sqlite3ErrStr`).
    fn is_unavailable(error: &DieselError) -> bool {
        matches!(
            error,
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
                if is_locked_message(info.message())
        )
    }

    /// All in one `BEGIN IMMEDIATE` transaction: it takes SQLite's write lock before diesel reads
    /// which migrations are applied, so processes starting together migrate one after the other
    /// (the others wait up to `busy_timeout`, then find nothing left to do), and a failing
    /// migration leaves the file as it was.
    fn migrate(connection: &mut SqliteConnection) -> Result<Vec<String>, WorkError> {
        connection.immediate_transaction(|connection| {
            let applied = connection
                .run_pending_migrations(MIGRATIONS)
                .map_err(WorkError::Other)?;
            Ok(applied.iter().map(ToString::to_string).collect())
        })
    }

    /// An exclusive lock on the file next to the database's (see `onboarding.rs`).
    fn lock_onboarding(database_url: &str) -> Result<OnboardingLock, RepositoryError> {
        crate::onboarding::lock_onboarding(database_url)
    }
}

fn is_locked_message(message: &str) -> bool {
    matches!(
        message,
        "database is locked" | "database table is locked" | "database schema is locked"
    )
}

#[cfg(test)]
mod tests {
    use adapters_diesel::checks;

    use super::*;
    use crate::test_support::TestDatabase;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned()))
    }

    fn map(error: DieselError) -> RepositoryError {
        adapters_diesel::blocking::map_diesel_error::<Sqlite>(error, "TOKAAAAAAAAAAAAAAAAA")
    }

    #[test]
    fn driver_errors_map_to_the_port_contract() {
        assert!(matches!(
            map(database_error(DatabaseErrorKind::UniqueViolation, "UNIQUE constraint failed")),
            RepositoryError::Duplicate(id) if id == "TOKAAAAAAAAAAAAAAAAA"
        ));
        for locked in ["database is locked", "database table is locked"] {
            assert!(matches!(
                map(database_error(DatabaseErrorKind::Unknown, locked)),
                RepositoryError::Unavailable(_)
            ));
        }
        assert!(matches!(
            map(database_error(
                DatabaseErrorKind::CheckViolation,
                "CHECK constraint failed"
            )),
            RepositoryError::Unexpected(_)
        ));
        assert!(matches!(
            map(database_error(DatabaseErrorKind::Unknown, "disk I/O error")),
            RepositoryError::Unexpected(_)
        ));
        assert!(matches!(
            map(DieselError::NotFound),
            RepositoryError::Unexpected(_)
        ));
    }

    #[tokio::test]
    async fn a_panicking_unit_of_work_is_unexpected_and_the_pool_survives() {
        let test_db = TestDatabase::create();
        let pool = test_db.database().pool().clone();

        checks::a_panicking_unit_of_work_is_unexpected_and_the_pool_survives::<Sqlite>(
            &pool,
            test_db.config().health_check_timeout,
        )
        .await;
    }
}
