//! Diesel's view of the tables, written by hand to match `migrations/sqlite` (the contract's
//! round-trip checks select every column, so a mismatch fails them).

diesel::table! {
    files (id) {
        id -> Text,
        secret_key -> Binary,
        owner -> Text,
        /// Microseconds since the Unix epoch.
        created_at -> BigInt,
        created_by -> Text,
        created_by_device -> Text,
        /// Microseconds since the Unix epoch.
        expires_at -> BigInt,
        filename -> Text,
        filesize -> BigInt,
        mimetype -> Text,
        title -> Nullable<Text>,
        description -> Nullable<Text>,
        /// A JSON array of strings.
        tags -> Text,
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
        /// A JSON object.
        content -> Text,
        /// Microseconds since the Unix epoch.
        created_at -> BigInt,
        /// Microseconds since the Unix epoch.
        expires_at -> BigInt,
        for_identity -> Nullable<Text>,
        secret_key -> Binary,
        password -> Nullable<Text>,
        password_type -> Nullable<Text>,
        password_salt -> Nullable<Binary>,
        password_location_indicator -> Nullable<SmallInt>,
    }
}
