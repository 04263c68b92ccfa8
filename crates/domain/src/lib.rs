//! The enmeshed domain of Files and the Tokens for them: identifiers, Files (upload sealing,
//! encrypted metadata, download checks, file references), Tokens, the token content and its
//! encryption, password protection, references and the date format.
//! `identity` holds the onboarding rules: the service's Ed25519 keys and their wire forms, the
//! signed challenge, address derivation and the device password.
//!
//! Pure and deterministic: randomness (keys, nonces, salts) and time come in as arguments, so
//! every rule here is reproducible byte for byte (the test vectors of `token-format.md` are unit
//! tests in `crypto`, `token`, `password` and `reference`; those of `identity-onboarding.md` are
//! in `identity`, those of `files.md` in `file`). No I/O, no async runtime.

pub mod crypto;
pub mod date;
pub mod encoding;
pub mod file;
pub mod idempotency;
pub mod identity;
pub mod ids;
pub mod password;
pub mod reference;
pub mod token;

pub use crypto::{CipherContainer, CryptoError, SecretKey};
pub use file::{
    EncryptedUpload, File, FileContent, FileHash, FileKeys, FileMetadata, FileMetadataInput,
    FileNonces, FileReference, PeerFileReference,
};
pub use idempotency::{IdempotencyKey, IdempotencyKeyError, RequestFingerprint};
pub use identity::{
    AddressDomain, AddressDomainError, Challenge, DevicePassword, Signature, SignaturePublicKey,
    SigningKeyPair,
};
pub use ids::{ChallengeId, DeviceId, DeviceUsername, FileId, IdError, IdentityAddress, TokenId};
pub use password::{PasswordLocationIndicator, PasswordProtection, PasswordType};
pub use reference::{ReferenceError, ReferencePassword, TokenReference};
pub use token::{Token, TokenContent, TokenContentError, TokenContentFile};
