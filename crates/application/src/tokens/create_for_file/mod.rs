//! `createTokenForFile`: check the rules, look the File up locally, encrypt a
//! `TokenContentFile` under a fresh key, create the token on the Backbone, store it unless
//! ephemeral (deleting it there again if storing fails).

mod error;
mod request;
pub(crate) mod rules;
mod use_case;

pub use error::{CreateTokenForFileError, ValidationError, Withdrawal};
pub use request::{CreateTokenForFileRequest, LocationIndicatorInput, PasswordInput};
pub use rules::{INDICATOR_MESSAGE, PIN_MESSAGE};
pub use use_case::{CreateTokenForFile, CreatedToken};

#[cfg(test)]
mod tests;
