//! Diesel's view of the tables, one `table!` per table for both engines. Where the engines'
//! column types differ the column has a shared type of [`crate::sql_types`]; every column is
//! checked against each engine's migrated database (names, types, nullability) by
//! `checks::the_schema_matches_the_migrated_database`, so a migration and this file cannot
//! drift apart. Public for the benchmark's floor, which must query exactly these tables.

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::{Instant, TextList};

    files (id) {
        id -> Text,
        secret_key -> Binary,
        owner -> Text,
        created_at -> Instant,
        created_by -> Text,
        created_by_device -> Text,
        expires_at -> Instant,
        filename -> Text,
        filesize -> BigInt,
        mimetype -> Text,
        title -> Nullable<Text>,
        description -> Nullable<Text>,
        // NOT NULL elements are guaranteed by a CHECK (PostgreSQL) or read back as corrupt
        // (SQLite), so no list of nullable strings.
        tags -> TextList,
        ownership_token -> Nullable<Text>,
        ownership_is_locked -> Bool,
        is_own -> Bool,
        // `FileContent`: all four set or all NULL (a CHECK on both engines).
        cipher_key -> Nullable<Binary>,
        cipher_hash -> Nullable<Binary>,
        plaintext_hash -> Nullable<Binary>,
        owner_signature -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::{Instant, JsonObject, Utf8Text};

    tokens (id) {
        id -> Text,
        created_by -> Text,
        created_by_device -> Text,
        content -> JsonObject,
        created_at -> Instant,
        expires_at -> Instant,
        for_identity -> Nullable<Text>,
        secret_key -> Binary,
        password -> Nullable<Utf8Text>,
        password_type -> Nullable<Text>,
        password_salt -> Nullable<Binary>,
        password_location_indicator -> Nullable<SmallInt>,
        is_own -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::Instant;

    /// This service's own identity: at most one row (a unique index on a constant).
    identity (address) {
        address -> Text,
        public_key -> Binary,
        sealed_secrets -> Binary,
        device_id -> Nullable<Text>,
        device_username -> Nullable<Text>,
        device_created_at -> Nullable<Instant>,
        datawallet_initialized -> Bool,
        updated_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::sql_types::{Instant, JsonObject};

    /// Idempotency keys and the answers kept for them; `status`, `headers` and `body` are set
    /// together or not at all (a CHECK on both engines).
    idempotency_keys (scope, idempotency_key) {
        scope -> Text,
        idempotency_key -> Text,
        fingerprint -> Binary,
        owner -> Text,
        created_at -> Instant,
        claimed_at -> Instant,
        status -> Nullable<SmallInt>,
        headers -> Nullable<JsonObject>,
        body -> Nullable<Binary>,
    }
}
