//! The one road to the database, [`adapters_diesel::blocking::run`], for SQLite: which of its
//! errors mean "unavailable", and the column conversions only SQLite needs.

use application::ports::RepositoryError;
use chrono::{DateTime, Utc};
use diesel::SqliteConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub(crate) use adapters_diesel::blocking::WorkError;
use adapters_diesel::corrupt;

pub(crate) type SqlitePool = adapters_diesel::pool::DieselPool<SqliteConnection>;

pub(crate) struct Sqlite;

impl adapters_diesel::blocking::Engine for Sqlite {
    type Connection = SqliteConnection;

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
}

fn is_locked_message(message: &str) -> bool {
    matches!(
        message,
        "database is locked" | "database table is locked" | "database schema is locked"
    )
}

/// Runs `work` with a pooled connection on the blocking pool; see
/// [`adapters_diesel::blocking::run`].
pub(crate) async fn run<T, F>(
    pool: &SqlitePool,
    subject: &str,
    work: F,
) -> Result<T, RepositoryError>
where
    F: FnOnce(&mut SqliteConnection) -> Result<T, WorkError> + Send + 'static,
    T: Send + 'static,
{
    adapters_diesel::blocking::run::<Sqlite, _, _>(pool, subject, work).await
}

/// Runs `work`, a read safe to repeat, as [`run`] does; see
/// [`adapters_diesel::blocking::run_repeatable`].
pub(crate) async fn run_repeatable<T, F>(
    pool: &SqlitePool,
    subject: &str,
    work: F,
) -> Result<T, RepositoryError>
where
    F: Fn(&mut SqliteConnection) -> Result<T, WorkError> + Send + 'static,
    T: Send + 'static,
{
    adapters_diesel::blocking::run_repeatable::<Sqlite, _, _>(pool, subject, work).await
}

/// An instant as stored: microseconds since the Unix epoch. The records already hold whole
/// microseconds, so this is exact.
pub(crate) fn to_micros(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_micros()
}

/// A stored instant column of record `id`.
pub(crate) fn from_micros(
    id: &str,
    column: &str,
    micros: i64,
) -> Result<DateTime<Utc>, RepositoryError> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| corrupt(id, column, format_args!("{micros} µs is no date")))
}

/// A value as JSON text for a column; serialising plain strings and values cannot fail.
pub(crate) fn to_json_text<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<String, RepositoryError> {
    serde_json::to_string(value).map_err(|error| RepositoryError::Unexpected(Box::new(error)))
}

/// A JSON text column of record `id`.
pub(crate) fn from_json_text<T: serde::de::DeserializeOwned>(
    id: &str,
    column: &str,
    text: &str,
) -> Result<T, RepositoryError> {
    serde_json::from_str(text).map_err(|e| corrupt(id, column, e))
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

    #[test]
    fn instants_are_exact_whole_microseconds() {
        let instant = DateTime::parse_from_rfc3339("1969-07-20T20:17:40.000001Z")
            .unwrap()
            .with_timezone(&Utc);
        let micros = to_micros(instant);
        assert_eq!(micros, -14_182_939_999_999);
        assert_eq!(from_micros("x", "created_at", micros).unwrap(), instant);
        assert!(matches!(
            from_micros("x", "created_at", i64::MAX),
            Err(RepositoryError::Corrupt { .. })
        ));
    }

    #[tokio::test]
    async fn a_panicking_unit_of_work_is_unexpected_and_the_pool_survives() {
        let test_db = TestDatabase::create();
        let pool = test_db.database().pool;

        checks::a_panicking_unit_of_work_is_unexpected_and_the_pool_survives::<Sqlite>(
            &pool,
            test_db.config().health_check_timeout,
        )
        .await;
    }
}
