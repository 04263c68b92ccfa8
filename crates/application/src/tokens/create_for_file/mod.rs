//! The `createTokenForFile` use case: validate, look the File up locally, encrypt a
//! `TokenContentFile` under a fresh key, create the token on the Backbone, store it unless
//! ephemeral, answer the DTO.

mod dto;
mod error;
mod hashing;
mod use_case;
mod validation;

pub use dto::{PasswordProtectionDto, TokenDto, TokenReferenceDto};
pub use error::{CreateTokenForFileError, ValidationError, Withdrawal};
pub use use_case::{CreateTokenForFile, CreateTokenForFileRequest, ServiceIdentity};
pub use validation::{ADDRESS_PATTERN, FILE_ID_PATTERN, PasswordRequest, ValidRequest, validate};

#[cfg(test)]
mod tests;
