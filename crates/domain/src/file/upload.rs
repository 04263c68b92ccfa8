//! Sealing content for upload: everything `POST /api/v2/Files` receives that depends on the
//! content, computed as the runtime's `FileController.sendFile` does (files.md §1.3), so peers
//! running the official runtime can load, verify and decrypt what this service uploads.

use std::fmt;

use chrono::{DateTime, Utc};

use super::hash::FileHash;
use super::metadata::FileMetadata;
use super::size::MAX_PLAINTEXT_LEN;
use crate::crypto::{CipherContainer, NONCE_LEN, SecretKey};
use crate::identity::{Signature, SigningKeyPair};

/// What the uploader says about the content; the rest of the metadata is derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMetadataInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub filename: String,
    pub tags: Option<Vec<String>>,
    pub mimetype: String,
    /// The runtime's upload never sets it; kept for metadata written by other tools.
    pub filemodified: Option<DateTime<Utc>>,
}

/// The two fresh random keys of every File (the caller draws them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileKeys {
    /// Encrypts the content; travels only inside the encrypted metadata.
    pub content_key: SecretKey,
    /// Encrypts the metadata; the File's own key, handed out in references and tokens.
    pub metadata_key: SecretKey,
}

/// The two fresh random nonces of an upload (the caller draws them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileNonces {
    pub content: [u8; NONCE_LEN],
    pub metadata: [u8; NONCE_LEN],
}

/// Why content cannot be uploaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the file content is {len} bytes; the Backbone accepts at most {MAX_PLAINTEXT_LEN} bytes of content (10 MiB once encrypted)"
)]
pub struct ContentTooLarge {
    pub len: usize,
}

/// An upload ready for the Backbone. The multipart parts are `content`, `cipherHash`
/// (`cipher_hash.to_b64url()`), `ownerSignature` (`owner_signature.to_b64url()`) and
/// `encryptedProperties`; `owner` and `expiresAt` do not depend on the content.
#[derive(Clone, PartialEq, Eq)]
pub struct EncryptedUpload {
    /// The uploaded bytes: UTF-8 of the content's CryptoCipher JSON, not raw ciphertext.
    pub content: Vec<u8>,
    /// SHA-512 of [`Self::content`]; the Backbone stores it, every download is checked against it.
    pub cipher_hash: FileHash,
    /// SHA-512 of the plaintext, also inside the metadata.
    pub plaintext_hash: FileHash,
    /// b64url of the metadata's CryptoCipher JSON, encrypted with the metadata key.
    pub encrypted_properties: String,
    /// The device key's Ed25519 signature over the 64 raw bytes of the plaintext hash.
    pub owner_signature: Signature,
    /// The metadata as encrypted, for the local record (it carries the content key).
    pub metadata: FileMetadata,
    /// The File's own key: the local record, references and tokens need it.
    pub metadata_key: SecretKey,
}

impl EncryptedUpload {
    /// Seals `plaintext` as the runtime does, in its order: hash, sign with the *device* key,
    /// encrypt the content, hash the container, describe it, encrypt the description.
    /// Deterministic: all randomness is in `keys` and `nonces`, which must be fresh.
    ///
    /// # Errors
    /// [`ContentTooLarge`] above [`MAX_PLAINTEXT_LEN`], which the Backbone would refuse.
    pub fn seal(
        plaintext: &[u8],
        input: FileMetadataInput,
        keys: FileKeys,
        nonces: FileNonces,
        device_key: &SigningKeyPair,
    ) -> Result<Self, ContentTooLarge> {
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(ContentTooLarge {
                len: plaintext.len(),
            });
        }
        let plaintext_hash = FileHash::of(plaintext);
        let owner_signature = device_key.sign(plaintext_hash.as_bytes());
        let content = CipherContainer::encrypt(plaintext, &keys.content_key, nonces.content)
            .to_json()
            .into_bytes();
        let cipher_hash = FileHash::of(&content);
        let metadata = FileMetadata {
            title: input.title,
            description: input.description,
            filename: input.filename,
            tags: input.tags,
            plaintext_hash,
            content_key: keys.content_key,
            filesize: plaintext.len() as u64,
            filemodified: input.filemodified,
            mimetype: input.mimetype,
        };
        let encrypted_properties = metadata
            .encrypt(&keys.metadata_key, nonces.metadata)
            .to_backbone_content();
        Ok(Self {
            content,
            cipher_hash,
            plaintext_hash,
            encrypted_properties,
            owner_signature,
            metadata,
            metadata_key: keys.metadata_key,
        })
    }
}

/// Up to 10 MiB of ciphertext has no place in a log line: only its length is shown.
impl fmt::Debug for EncryptedUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptedUpload")
            .field("content_len", &self.content.len())
            .field("cipher_hash", &self.cipher_hash)
            .field("plaintext_hash", &self.plaintext_hash)
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::size::MAX_UPLOADED_CONTENT_LEN;

    fn input() -> FileMetadataInput {
        FileMetadataInput {
            title: None,
            description: None,
            filename: "big.bin".into(),
            tags: None,
            mimetype: "application/octet-stream".into(),
            filemodified: None,
        }
    }

    fn seal(plaintext: &[u8]) -> Result<EncryptedUpload, ContentTooLarge> {
        let keys = FileKeys {
            content_key: SecretKey::from_bytes([1; 32]),
            metadata_key: SecretKey::from_bytes([2; 32]),
        };
        let nonces = FileNonces {
            content: [3; NONCE_LEN],
            metadata: [4; NONCE_LEN],
        };
        EncryptedUpload::seal(
            plaintext,
            input(),
            keys,
            nonces,
            &SigningKeyPair::from_seed([5; 32]),
        )
    }

    #[test]
    fn the_largest_allowed_content_fills_the_backbone_limit() {
        let upload = seal(&vec![0; MAX_PLAINTEXT_LEN]).unwrap();
        assert_eq!(upload.content.len(), MAX_UPLOADED_CONTENT_LEN);
        assert_eq!(upload.metadata.filesize, MAX_PLAINTEXT_LEN as u64);
        assert_eq!(
            seal(&vec![0; MAX_PLAINTEXT_LEN + 1]),
            Err(ContentTooLarge {
                len: MAX_PLAINTEXT_LEN + 1
            })
        );
    }

    #[test]
    fn debug_shows_neither_content_nor_keys() {
        let upload = seal(b"secret content").unwrap();
        let debug = format!("{upload:?}");
        assert!(debug.contains("content_len: 122"), "{debug}");
        assert!(!debug.contains(&upload.metadata_key.to_b64url()), "{debug}");
        assert!(
            !debug.contains(&upload.metadata.content_key.to_b64url()),
            "{debug}"
        );
    }
}
