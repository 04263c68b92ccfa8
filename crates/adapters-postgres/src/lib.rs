//! PostgreSQL adapters: the diesel repositories behind the application's `FileRepository` and
//! `TokenRepository` ports, the connection pool, embedded migrations and the health probe.
//!
//! Diesel is synchronous: every query runs on tokio's blocking pool through one helper
//! (`blocking::run`), which also translates pool, join and driver errors into
//! [`application::ports::RepositoryError`]. No diesel type leaves this crate.
//!
//! With the `test-support` feature, [`test_support::TestDatabase`] hands out fresh databases
//! cloned from a migrated template, for this crate's tests and other crates' system tests.

mod blocking;
mod database;
mod files;
mod schema;
mod tokens;

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

pub use database::{
    DEFAULT_CONNECTION_TIMEOUT, DEFAULT_HEALTH_CHECK_TIMEOUT, DEFAULT_MAX_POOL_SIZE,
    DEFAULT_MIN_IDLE, MigrationError, PgConfig, PgConfigError, PgDatabase,
};
pub use files::PgFileRepository;
pub use tokens::PgTokenRepository;
