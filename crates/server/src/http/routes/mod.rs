//! Route handlers, one module per resource.

pub mod account;
pub mod docs;
pub mod fallback;
pub mod file_lists;
pub mod file_token;
pub mod files;
pub mod health;
pub mod metrics;
pub mod token_lists;
pub mod tokens;

/// Which Connector generation's contract a route follows: v6 under `/api/v2`, v7 under
/// `/api/core/v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V6,
    V7,
}
