//! PostgreSQL adapters: the diesel repositories behind the application's `FileRepository`,
//! `TokenRepository` and `IdentityRepository` ports, the connection pool, embedded migrations
//! and the health probe.
//!
//! Diesel is synchronous: every query runs on tokio's blocking pool through one helper
//! (`blocking::run`), which also translates pool, join and driver errors into
//! [`application::ports::RepositoryError`]. No diesel type leaves this crate.
//!
//! The repositories, the schema and the rows are written once in `adapters-diesel` for both
//! engines and checked by the same contract suite (`repository-contract`); this crate keeps
//! only what only PostgreSQL has: the pool's configuration, its migrations and the advisory
//! lock they run under, the onboarding lock (an advisory lock on a connection of its own),
//! which driver errors mean "unavailable" ([`Postgres`]), and the test template.
//!
//! libpq is built from source and linked statically (`pq-sys/bundled`, with a vendored
//! OpenSSL for TLS): building needs no PostgreSQL installation and no `pg_config`.
//!
//! With the `test-support` feature, [`test_support::TestDatabase`] hands out fresh databases
//! cloned from a migrated template, for this crate's tests and other crates' system tests.

mod blocking;
mod database;
mod onboarding;

/// The shared schema and its column types, which are PostgreSQL's too; public for the
/// benchmark's floor.
pub use adapters_diesel::{schema, sql_types};

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

pub use blocking::Postgres;
pub use database::{
    DEFAULT_CONNECTION_TIMEOUT, DEFAULT_HEALTH_CHECK_TIMEOUT, DEFAULT_MAX_POOL_SIZE,
    DEFAULT_MIN_IDLE, MigrationError, PgConfig, PgConfigError, PgDatabase,
};

/// The `files` table behind the `FileRepository` port, on PostgreSQL.
pub type PgFileRepository = adapters_diesel::repositories::DieselFileRepository<Postgres>;
/// The `tokens` table behind the `TokenRepository` port, on PostgreSQL.
pub type PgTokenRepository = adapters_diesel::repositories::DieselTokenRepository<Postgres>;
/// The `identity` table behind the `IdentityRepository` port, on PostgreSQL.
pub type PgIdentityRepository = adapters_diesel::repositories::DieselIdentityRepository<Postgres>;
