//! Route handlers, one module per resource.

pub mod account;
pub mod docs;
pub mod fallback;
pub mod file_lists;
pub mod files;
pub mod health;
pub mod metrics;
pub mod tokens;
