//! Route handlers, one module per resource.

pub mod docs;
pub mod fallback;
pub mod health;
pub mod tokens;
