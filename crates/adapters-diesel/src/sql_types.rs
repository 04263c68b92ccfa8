//! The column types whose SQL differs between the engines, each one diesel SQL type with a
//! `ToSql`/`FromSql` per backend, so that one `table!` schema and one row struct per table serve
//! both (see `migrations/{postgres,sqlite}` for the columns):
//!
//! | SQL type | PostgreSQL | SQLite | Rust value |
//! |---|---|---|---|
//! | [`Instant`] | `timestamptz` | `INTEGER` µs since the Unix epoch | `Decoded<DateTime<Utc>>` |
//! | [`TextList`] | `text[]` | `TEXT`, a JSON array of strings | `Decoded<Vec<String>>` |
//! | [`JsonObject`] | `jsonb` | `TEXT`, JSON | `Decoded<serde_json::Value>` |
//! | [`Utf8Text`] | `bytea` holding UTF-8 (`text` cannot hold U+0000) | `TEXT` | `Decoded<String>` |
//!
//! Reading such a column never fails on its content: what does not parse is kept in the
//! [`Decoded`] value, and the row's checked conversion reports it as
//! [`RepositoryError::Corrupt`] naming the record and the column, as every other column's.

mod postgres;
mod sqlite;

use std::fmt;

use application::ports::RepositoryError;
use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::query_builder::QueryId;
use diesel::sql_types::SqlType;

use crate::rows::corrupt;

/// An instant at microsecond precision.
#[derive(Debug, Clone, Copy, Default, QueryId, SqlType)]
#[diesel(postgres_type(oid = 1184, array_oid = 1185))]
#[diesel(sqlite_type(name = "Long"))]
pub struct Instant;

/// A list of strings.
#[derive(Debug, Clone, Copy, Default, QueryId, SqlType)]
#[diesel(postgres_type(oid = 1009, array_oid = 1009))]
#[diesel(sqlite_type(name = "Text"))]
pub struct TextList;

/// A JSON value, kept as its text (PostgreSQL `json`, not `jsonb`, which would sort the keys).
#[derive(Debug, Clone, Copy, Default, QueryId, SqlType)]
#[diesel(postgres_type(oid = 114, array_oid = 199))]
#[diesel(sqlite_type(name = "Text"))]
pub struct JsonObject;

/// Any Unicode text, U+0000 included.
#[derive(Debug, Clone, Copy, Default, QueryId, SqlType)]
#[diesel(postgres_type(oid = 17, array_oid = 1001))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Utf8Text;

/// A column value as the driver read it: the value, or why the stored bytes are none (kept for
/// the row's checked conversion, which knows the record and the column). Written values are
/// always [`Decoded::new`].
#[derive(Clone, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Instant, sql_type = TextList, sql_type = JsonObject, sql_type = Utf8Text)]
pub struct Decoded<T>(Result<T, String>);

impl<T> Decoded<T> {
    pub fn new(value: T) -> Self {
        Self(Ok(value))
    }

    /// A stored value that is no `T`, for the reason given.
    pub fn invalid(reason: impl fmt::Display) -> Self {
        Self(Err(reason.to_string()))
    }

    /// The value, or [`RepositoryError::Corrupt`] naming record `id` and `column`.
    ///
    /// # Errors
    /// When the stored value was no `T`.
    pub fn checked(self, id: &str, column: &str) -> Result<T, RepositoryError> {
        self.0.map_err(|reason| corrupt(id, column, reason))
    }

    /// The value to bind; an invalid one is never built for writing, and is refused.
    fn to_bind(&self) -> Result<&T, NotWritable> {
        self.0
            .as_ref()
            .map_err(|reason| NotWritable(reason.clone()))
    }
}

impl<T: fmt::Debug> fmt::Debug for Decoded<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Ok(value) => value.fmt(f),
            Err(reason) => write!(f, "invalid ({reason})"),
        }
    }
}

/// Binding a [`Decoded`] that holds no value.
#[derive(Debug, thiserror::Error)]
#[error("a column value that did not decode cannot be written: {0}")]
struct NotWritable(String);

/// The Unix epoch in PostgreSQL's timestamp encoding, which counts from 2000-01-01.
const PG_EPOCH_IN_UNIX_MICROS: i64 = 946_684_800_000_000;

/// An instant from microseconds since the Unix epoch, or why there is none.
fn instant_from_micros(micros: i64) -> Decoded<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp_micros(micros).map_or_else(
        || Decoded::invalid(format_args!("{micros} µs is no date")),
        Decoded::new,
    )
}

/// Microseconds since the Unix epoch. The rows hold whole microseconds, so this is exact.
fn micros(instant: &chrono::DateTime<chrono::Utc>) -> i64 {
    instant.timestamp_micros()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;

    #[test]
    fn instants_are_exact_whole_microseconds() {
        let instant = DateTime::parse_from_rfc3339("1969-07-20T20:17:40.000001Z")
            .unwrap()
            .with_timezone(&Utc);
        let micros = micros(&instant);
        assert_eq!(micros, -14_182_939_999_999);
        assert_eq!(
            instant_from_micros(micros)
                .checked("x", "created_at")
                .unwrap(),
            instant
        );
        assert!(matches!(
            instant_from_micros(i64::MAX).checked("x", "created_at"),
            Err(RepositoryError::Corrupt { .. })
        ));
    }
}
