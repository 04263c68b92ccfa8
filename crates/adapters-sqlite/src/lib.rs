//! SQLite adapters: the diesel repositories behind the application's `FileRepository` and
//! `TokenRepository` ports over one database file, the connection pool, embedded migrations
//! (`migrations/sqlite`) and the health probe. SQLite is compiled in (`libsqlite3-sys/bundled`):
//! no system library is needed.
//!
//! The behaviour is PostgreSQL's, checked by the same contract suite (`repository-contract`):
//! both engines share the query runner and the row ↔ domain mapping (`adapters-diesel`); this
//! crate holds what diesel forces per backend (schema, row structs, queries) and what only SQLite
//! needs (connection pragmas, instants stored as integer microseconds, JSON text columns).
//!
//! With the `test-support` feature, [`test_support::TestDatabase`] hands out a fresh database
//! file in a temporary directory per test.

mod blocking;
mod database;
mod files;
mod schema;
mod tokens;

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

pub use database::{
    DEFAULT_BUSY_TIMEOUT, DEFAULT_CONNECTION_TIMEOUT, DEFAULT_HEALTH_CHECK_TIMEOUT,
    DEFAULT_MAX_POOL_SIZE, DEFAULT_MIN_IDLE, MigrationError, SqliteConfig, SqliteConfigError,
    SqliteDatabase, SqliteOpenError,
};
pub use files::SqliteFileRepository;
pub use tokens::SqliteTokenRepository;
