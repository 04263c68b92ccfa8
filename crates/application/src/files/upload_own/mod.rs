//! `uploadOwnFile`: check the runtime's rules, encrypt the content and its metadata exactly as
//! the official transport does, upload it to the Backbone as this device, store the File (and
//! delete it there again if storing fails).

mod error;
mod request;
mod use_case;

pub use error::UploadOwnFileError;
pub use request::UploadOwnFileRequest;
pub use use_case::{UploadOwnFile, default_expiry};

#[cfg(test)]
mod tests;
