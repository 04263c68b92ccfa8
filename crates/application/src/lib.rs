//! The application layer: the `createTokenForFile` use case and the ports it drives.
//!
//! Ports are `async_trait` traits named after capabilities (`FileRepository`, `BackboneTokens`);
//! adapters implement them with real technology. With the `mocks` feature every port also has a
//! mockall mock (`MockFileRepository`, …) for other crates' tests.

pub mod create_token_for_file;
pub mod ports;

pub use create_token_for_file::{
    CreateTokenForFile, CreateTokenForFileError, CreateTokenForFileRequest, ServiceIdentity,
    TokenDto, Withdrawal,
};
