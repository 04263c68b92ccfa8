//! The route's shapes on the wire, converted at this edge: request bodies into the typed
//! requests of `application`, domain results into the Connector's v6/v7 answers.

pub mod create_token_request;
pub mod token_dto;

pub use create_token_request::{ADDRESS_PATTERN, FILE_ID_PATTERN, parse_create_token_request};
pub use token_dto::{PasswordProtectionDto, TokenDto, TokenReferenceDto};

#[cfg(test)]
pub(crate) mod tests;
