//! SQLite's encodings of the shared column types: instants as INTEGER microseconds since the
//! Unix epoch, lists and JSON as JSON text, any text as TEXT.

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::Sqlite;

use super::{Decoded, Instant, JsonObject, TextList, Utf8Text, instant_from_micros, micros};

type RawValue<'a> = <Sqlite as Backend>::RawValue<'a>;

impl ToSql<Instant, Sqlite> for Decoded<DateTime<Utc>> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(micros(self.to_bind()?));
        Ok(IsNull::No)
    }
}

impl FromSql<Instant, Sqlite> for Decoded<DateTime<Utc>> {
    fn from_sql(value: RawValue<'_>) -> deserialize::Result<Self> {
        <i64 as FromSql<BigInt, Sqlite>>::from_sql(value).map(instant_from_micros)
    }
}

/// A value as JSON text; serialising plain strings and JSON values cannot fail.
fn to_json_text<T: serde::Serialize>(
    value: &Decoded<T>,
    out: &mut Output<'_, '_, Sqlite>,
) -> serialize::Result {
    out.set_value(serde_json::to_string(value.to_bind()?)?);
    Ok(IsNull::No)
}

fn from_json_text<T: serde::de::DeserializeOwned>(
    value: RawValue<'_>,
) -> deserialize::Result<Decoded<T>> {
    let text = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
    Ok(serde_json::from_str(&text).map_or_else(Decoded::invalid, Decoded::new))
}

impl ToSql<TextList, Sqlite> for Decoded<Vec<String>> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        to_json_text(self, out)
    }
}

impl FromSql<TextList, Sqlite> for Decoded<Vec<String>> {
    fn from_sql(value: RawValue<'_>) -> deserialize::Result<Self> {
        from_json_text(value)
    }
}

impl ToSql<JsonObject, Sqlite> for Decoded<serde_json::Value> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        to_json_text(self, out)
    }
}

impl FromSql<JsonObject, Sqlite> for Decoded<serde_json::Value> {
    fn from_sql(value: RawValue<'_>) -> deserialize::Result<Self> {
        from_json_text(value)
    }
}

impl ToSql<Utf8Text, Sqlite> for Decoded<String> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.to_bind()?.as_str());
        Ok(IsNull::No)
    }
}

impl FromSql<Utf8Text, Sqlite> for Decoded<String> {
    fn from_sql(value: RawValue<'_>) -> deserialize::Result<Self> {
        <String as FromSql<Text, Sqlite>>::from_sql(value).map(Decoded::new)
    }
}
