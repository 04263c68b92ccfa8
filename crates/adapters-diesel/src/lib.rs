//! What the diesel adapters (`adapters-postgres`, `adapters-sqlite`) share, so their behaviour
//! cannot drift apart: the one [`schema`] and one row per table ([`FileRow`], [`TokenRow`],
//! [`IdentityRow`], [`IdempotencyRow`]) for both engines, with their checked conversion to and from the domain; the
//! column types whose SQL differs per engine ([`sql_types`]); secrets sealed at rest
//! ([`sealed`]); the repositories written once over them ([`repositories`]); the one road to the
//! database ([`blocking::run`], pool checkout and query on tokio's blocking pool, driver errors
//! turned into [`application::ports::RepositoryError`]); the database handle
//! ([`DieselDatabase`]: migrations, health probe, repositories) and the pool itself ([`pool`]:
//! r2d2 testing on checkout only connections not known to be alive).
//!
//! Each engine crate keeps only what truly differs, behind [`blocking::Engine`]: the connection
//! and its settings, its migrations and how they are applied, which driver errors mean
//! "unavailable", and the lock processes sharing the database onboard under.
//!
//! With the `test-support` feature, `checks` holds checks of these shared parts that every
//! engine's tests run against a real database, the schema's among them.

pub mod activity;
pub mod blocking;
#[cfg(feature = "test-support")]
pub mod checks;
pub mod database;
pub mod filter_sql;
pub mod pool;
pub mod repositories;
mod rows;
pub mod schema;
#[cfg(feature = "test-support")]
pub mod schema_check;
pub mod sealed;
pub mod sql_types;

pub use database::{DieselDatabase, MigrationError, PoolConfigError};
pub use rows::{FileRow, IdempotencyRow, IdentityRow, TokenRow, corrupt};
