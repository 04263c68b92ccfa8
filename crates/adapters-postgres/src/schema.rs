//! Diesel's view of the tables, written by hand to match `migrations/postgres` (the round-trip
//! tests select every column, so a mismatch fails them). Public for the benchmark's floor, which
//! must query exactly these tables.

diesel::table! {
    files (id) {
        id -> Text,
        secret_key -> Bytea,
        owner -> Text,
        created_at -> Timestamptz,
        created_by -> Text,
        created_by_device -> Text,
        expires_at -> Timestamptz,
        filename -> Text,
        filesize -> Int8,
        mimetype -> Text,
        title -> Nullable<Text>,
        description -> Nullable<Text>,
        // NOT NULL elements are guaranteed by a CHECK, so no `Array<Nullable<Text>>`.
        tags -> Array<Text>,
        ownership_token -> Nullable<Text>,
        ownership_is_locked -> Bool,
        is_own -> Bool,
    }
}

diesel::table! {
    tokens (id) {
        id -> Text,
        created_by -> Text,
        created_by_device -> Text,
        content -> Jsonb,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        for_identity -> Nullable<Text>,
        secret_key -> Bytea,
        // UTF-8 bytes: `text` cannot hold U+0000, which a password may contain.
        password -> Nullable<Bytea>,
        password_type -> Nullable<Text>,
        password_salt -> Nullable<Bytea>,
        password_location_indicator -> Nullable<Int2>,
    }
}
