//! The application layer: the use cases, grouped by capability, and the ports they drive.
//!
//! Ports are `async_trait` traits named after capabilities (`FileRepository`, `BackboneTokens`,
//! `PasswordHasher`); adapters implement them with real technology. Every use case is built from
//! one [`Dependencies`], and [`UseCases`] holds them all for the driving side. With the `mocks` feature every port also has a mockall mock
//! (`MockFileRepository`, …) for other crates' tests.

mod dependencies;
pub mod files;
pub mod idempotency;
pub mod identity;
pub mod ports;
mod rules;
pub mod tokens;
mod use_cases;
mod withdrawal;

pub use dependencies::{Dependencies, ServiceIdentity};
pub use rules::ValidationError;
pub use use_cases::UseCases;
pub use withdrawal::Withdrawal;
