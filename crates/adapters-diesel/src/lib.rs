//! What the diesel adapters (`adapters-postgres`, `adapters-sqlite`) share, so their behaviour
//! cannot drift apart: the one road to the database ([`blocking::run`], pool checkout and query
//! on tokio's blocking pool, driver errors turned into [`application::ports::RepositoryError`])
//! and the engine-neutral rows ([`FileRecord`], [`TokenRecord`]) with their checked conversion to
//! and from the domain; around it, what the engines' database handles share ([`database`]: the
//! pool settings and builder, running migrations into one [`MigrationError`], the health probe)
//! and the pool itself ([`pool`]: r2d2 testing on checkout only connections not known to be
//! alive).
//!
//! Each engine keeps only what diesel forces to be per backend: its `table!` schema, its row
//! structs (which convert field by field to and from these records), and its queries.
//!
//! With the `test-support` feature, `checks` holds checks of these shared parts that every
//! engine's tests run against a real database.

pub mod blocking;
#[cfg(feature = "test-support")]
pub mod checks;
pub mod database;
pub mod pool;
mod records;

pub use database::{MigrationError, PoolConfigError};
pub use records::{FileRecord, TokenRecord, corrupt};
