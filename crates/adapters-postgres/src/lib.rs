//! PostgreSQL adapters: the diesel repositories behind the application's `FileRepository` and
//! `TokenRepository` ports, the connection pool, embedded migrations and the health probe.
//!
//! Diesel is synchronous: every query runs on tokio's blocking pool through one helper
//! (`blocking::run`), which also translates pool, join and driver errors into
//! [`application::ports::RepositoryError`]. No diesel type leaves this crate.
//!
//! The repository behaviour is shared with the SQLite adapters and checked by the same contract
//! suite (`repository-contract`): both use `adapters-diesel` for that helper and for the row ↔
//! domain mapping, and keep here only what diesel forces per backend (schema, row structs,
//! queries) and what only PostgreSQL has (the advisory lock, the test template).
//!
//! libpq is built from source and linked statically (`pq-sys/bundled`, with a vendored
//! OpenSSL for TLS): building needs no PostgreSQL installation and no `pg_config`.
//!
//! With the `test-support` feature, [`test_support::TestDatabase`] hands out fresh databases
//! cloned from a migrated template, for this crate's tests and other crates' system tests.

mod blocking;
mod database;
mod files;
pub mod schema;
mod tokens;

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

pub use database::{
    DEFAULT_CONNECTION_TIMEOUT, DEFAULT_HEALTH_CHECK_TIMEOUT, DEFAULT_MAX_POOL_SIZE,
    DEFAULT_MIN_IDLE, MigrationError, PgConfig, PgConfigError, PgDatabase,
};
pub use files::PgFileRepository;
pub use tokens::PgTokenRepository;
