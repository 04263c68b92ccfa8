//! Files: the local record of the Files this service knows (its own uploads, or peers' files
//! it loaded), and the rules for exchanging them with the Backbone byte for byte as the
//! official `@nmshd/transport` does (files.md): sealing content for upload (`upload`), the
//! encrypted metadata (`metadata`), opening a download (`download`), references (`reference`)
//! and the size limit (`size`).
//!
//! A File has two keys: the *content key* encrypts the content and travels only inside the
//! encrypted metadata; the *metadata key* (`File::secret_key`) encrypts the metadata and is
//! the one references and tokens hand out. Pure like the rest of the crate: keys, nonces and
//! the device key come in as arguments. The vectors of files.md §6 are the tests in `vectors`.

mod download;
mod hash;
mod metadata;
mod reference;
mod size;
mod upload;
#[cfg(test)]
mod vectors;

use chrono::{DateTime, Utc};

use crate::crypto::SecretKey;
use crate::ids::{DeviceId, FileId, IdentityAddress};

pub use download::{DownloadError, decrypt_download};
pub use hash::{FILE_HASH_LEN, FileHash, MalformedFileHash};
pub use metadata::{FileMetadata, MetadataError};
pub use reference::{FileReference, PeerFileReference};
pub use size::{
    MAX_PLAINTEXT_LEN, MAX_UPLOADED_CONTENT_LEN, MIN_UPLOADED_CONTENT_LEN, uploaded_content_len,
};
pub use upload::{ContentTooLarge, EncryptedUpload, FileKeys, FileMetadataInput, FileNonces};

/// A File as the Connector stores it: what a File DTO shows plus the key of its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub id: FileId,
    /// The key the File's metadata is encrypted with; a token for the File carries it.
    pub secret_key: SecretKey,
    pub owner: IdentityAddress,
    pub created_at: DateTime<Utc>,
    pub created_by: IdentityAddress,
    pub created_by_device: DeviceId,
    pub expires_at: DateTime<Utc>,
    pub filename: String,
    pub filesize: u64,
    pub mimetype: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// Token that proves ownership of the File (Backbone v7), when the owner shared one.
    pub ownership_token: Option<String>,
    pub ownership_is_locked: bool,
    /// Whether this service's identity uploaded the File.
    pub is_own: bool,
    /// How to check and open the File's content; `None` for Files stored without it (demo
    /// Files of releases before uploads existed), which cannot be downloaded.
    pub content: Option<FileContent>,
}

/// What downloading a File needs, from its (decrypted) metadata and the Backbone's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileContent {
    /// The key the content is encrypted with (`cipherKey`; travels inside the metadata).
    pub cipher_key: SecretKey,
    /// SHA-512 of the uploaded bytes, checked before decrypting a download.
    pub cipher_hash: FileHash,
    /// SHA-512 of the plaintext, checked after.
    pub plaintext_hash: FileHash,
    /// The uploader's device signature, base64url as the Backbone keeps it (nobody verifies it).
    pub owner_signature: String,
}
