//! Route handlers, one module per resource.

pub mod fallback;
pub mod health;
pub mod tokens;
