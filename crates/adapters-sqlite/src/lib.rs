//! SQLite adapters: the diesel repositories behind the application's `FileRepository`,
//! `TokenRepository` and `IdentityRepository` ports over one database file, the connection
//! pool, embedded migrations (`migrations/sqlite`) and the health probe. SQLite is compiled in
//! (`libsqlite3-sys/bundled`): no system library is needed.
//!
//! The behaviour is PostgreSQL's, checked by the same contract suite (`repository-contract`):
//! the repositories, the schema, the rows and their column encodings are written once in
//! `adapters-diesel`; this crate holds only what only SQLite has: the file and its connection
//! pragmas, its migrations and how they are applied, which driver errors mean "unavailable"
//! ([`Sqlite`]), and the onboarding lock (a file lock next to the database file,
//! [`ONBOARDING_LOCK_FILE_SUFFIX`]).
//!
//! With the `test-support` feature, [`test_support::TestDatabase`] hands out a fresh database
//! file in a temporary directory per test.

mod blocking;
mod database;
mod onboarding;

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

pub use blocking::Sqlite;
pub use database::{
    DEFAULT_BUSY_TIMEOUT, DEFAULT_CONNECTION_TIMEOUT, DEFAULT_HEALTH_CHECK_TIMEOUT,
    DEFAULT_MAX_POOL_SIZE, DEFAULT_MIN_IDLE, MigrationError, SqliteConfig, SqliteConfigError,
    SqliteDatabase, SqliteOpenError,
};
pub use onboarding::LOCK_FILE_SUFFIX as ONBOARDING_LOCK_FILE_SUFFIX;

/// The `files` table behind the `FileRepository` port, on SQLite.
pub type SqliteFileRepository = adapters_diesel::repositories::DieselFileRepository<Sqlite>;
/// The `tokens` table behind the `TokenRepository` port, on SQLite.
pub type SqliteTokenRepository = adapters_diesel::repositories::DieselTokenRepository<Sqlite>;
/// The `identity` table behind the `IdentityRepository` port, on SQLite.
pub type SqliteIdentityRepository = adapters_diesel::repositories::DieselIdentityRepository<Sqlite>;
