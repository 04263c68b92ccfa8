//! The enmeshed domain of "create a Token for a File": identifiers, Files, Tokens, the token
//! content and its encryption, password protection, references and the date format.
//!
//! Pure and deterministic: randomness (keys, nonces, salts) and time come in as arguments, so
//! every rule here is reproducible byte for byte (the test vectors of `token-format.md` are unit
//! tests in `crypto`, `token`, `password` and `reference`). No I/O, no async runtime.

pub mod crypto;
pub mod date;
pub mod encoding;
pub mod file;
pub mod ids;
pub mod password;
pub mod reference;
pub mod token;

pub use crypto::{CipherContainer, CryptoError, SecretKey};
pub use file::File;
pub use ids::{DeviceId, DeviceUsername, FileId, IdError, IdentityAddress, TokenId};
pub use password::{PasswordLocationIndicator, PasswordProtection, PasswordType};
pub use reference::{ReferenceError, ReferencePassword, TokenReference};
pub use token::{Token, TokenContentFile};
