//! PostgreSQL's encodings of the shared column types (binary protocol): `timestamptz` as
//! microseconds since 2000-01-01, `text[]` as diesel's arrays, `jsonb` as version 1 and JSON
//! text, and `bytea` holding UTF-8.

use std::io::Write;

use chrono::{DateTime, Utc};
use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Array, BigInt, Text};

use super::{
    Decoded, Instant, JsonObject, PG_EPOCH_IN_UNIX_MICROS, TextList, Utf8Text, instant_from_micros,
    micros,
};

impl ToSql<Instant, Pg> for Decoded<DateTime<Utc>> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        let since_2000 = micros(self.to_bind()?)
            .checked_sub(PG_EPOCH_IN_UNIX_MICROS)
            .ok_or("an instant before PostgreSQL's range")?;
        ToSql::<BigInt, Pg>::to_sql(&since_2000, &mut out.reborrow())
    }
}

impl FromSql<Instant, Pg> for Decoded<DateTime<Utc>> {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let since_2000 = <i64 as FromSql<BigInt, Pg>>::from_sql(value)?;
        Ok(since_2000.checked_add(PG_EPOCH_IN_UNIX_MICROS).map_or_else(
            || Decoded::invalid(format_args!("{since_2000} µs after 2000 is no date")),
            instant_from_micros,
        ))
    }
}

impl ToSql<TextList, Pg> for Decoded<Vec<String>> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        ToSql::<Array<Text>, Pg>::to_sql(self.to_bind()?, out)
    }
}

impl FromSql<TextList, Pg> for Decoded<Vec<String>> {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        <Vec<String> as FromSql<Array<Text>, Pg>>::from_sql(value).map(Decoded::new)
    }
}

impl ToSql<JsonObject, Pg> for Decoded<serde_json::Value> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        serde_json::to_writer(out, self.to_bind()?)?;
        Ok(IsNull::No)
    }
}

impl FromSql<JsonObject, Pg> for Decoded<serde_json::Value> {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        // `json` arrives as its text, exactly as stored.
        Ok(serde_json::from_slice(value.as_bytes()).map_or_else(Decoded::invalid, Decoded::new))
    }
}

impl ToSql<Utf8Text, Pg> for Decoded<String> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(self.to_bind()?.as_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<Utf8Text, Pg> for Decoded<String> {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        Ok(
            String::from_utf8(value.as_bytes().to_vec())
                .map_or_else(Decoded::invalid, Decoded::new),
        )
    }
}
