//! The checks, one `pub async fn` each, taking the [`Store`](crate::Store) of one test. Every
//! one must also be listed in `__contract!` (a unit test enforces it).

mod file_lists;
mod files;
mod idempotency;
mod identity;
mod tokens;

pub use file_lists::*;
pub use files::*;
pub use idempotency::*;
pub use identity::*;
pub use tokens::*;
