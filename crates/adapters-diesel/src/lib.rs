//! What the diesel adapters (`adapters-postgres`, `adapters-sqlite`) share, so their behaviour
//! cannot drift apart: the one road to the database ([`blocking::run`], pool checkout and query
//! on tokio's blocking pool, driver errors turned into [`application::ports::RepositoryError`])
//! and the engine-neutral rows ([`FileRecord`], [`TokenRecord`]) with their checked conversion to
//! and from the domain.
//!
//! Each engine keeps only what diesel forces to be per backend: its `table!` schema, its row
//! structs (which convert field by field to and from these records), and its queries.

pub mod blocking;
mod records;

pub use records::{FileRecord, TokenRecord, corrupt};
