//! The enmeshed domain of "create a Token for a File": identifiers, Files, Tokens, the token
//! content and its encryption, password protection, references and the date format.
//!
//! Pure and deterministic: randomness (keys, nonces, salts) and time come in as arguments, so
//! every rule here is reproducible byte for byte (see the test vectors in `crypto` and
//! `reference`). No I/O, no async runtime.

pub mod encoding;
pub mod ids;

pub use ids::{DeviceId, DeviceUsername, FileId, IdError, IdentityAddress, TokenId};
