//! The repositories behind the application's ports, written once over the shared rows and
//! generic over the engine: the queries are diesel's query builder, compiled for each engine's
//! connection, and run through [`crate::blocking`] (which maps each engine's driver errors).
//!
//! Each repository's `where` clause names the queries it runs, so an engine whose connection
//! cannot run one fails to compile where the repository is used, not at run time.

mod file_lists;
mod files;
mod idempotency;
mod identity;
mod tokens;

pub use files::DieselFileRepository;
pub use idempotency::{DieselIdempotencyRepository, InsertClaim};
pub use identity::DieselIdentityRepository;
pub use tokens::DieselTokenRepository;

/// The backend of engine `E`'s connection.
type Backend<E> = <<E as crate::blocking::Engine>::Connection as diesel::Connection>::Backend;
