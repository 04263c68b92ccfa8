//! The enmeshed Backbone's Files API: encrypted content and metadata, as this service's device.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{DeviceId, FileId, IdentityAddress};

use super::BackboneError;

/// A File to upload, already encrypted: what `POST /api/v2/Files` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBackboneFile {
    /// The uploaded bytes: the UTF-8 cipher JSON of the content.
    pub content: bytes::Bytes,
    /// base64url SHA-512 of `content`.
    pub cipher_hash: String,
    pub owner: IdentityAddress,
    /// base64url of the device's CryptoSignature JSON over SHA-512(plaintext).
    pub owner_signature: String,
    pub expires_at: DateTime<Utc>,
    /// base64url of the metadata's cipher JSON.
    pub encrypted_properties: String,
}

/// A File as the Backbone describes it (the upload's answer, or `GET …/metadata`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackboneFile {
    pub id: FileId,
    pub created_at: DateTime<Utc>,
    pub created_by: IdentityAddress,
    pub created_by_device: DeviceId,
    pub owner: IdentityAddress,
    /// base64url, as the Backbone writes it.
    pub owner_signature: String,
    /// Only its owner sees it (the upload's answer); `None` in metadata.
    pub ownership_token: Option<String>,
    pub ownership_is_locked: bool,
    pub cipher_size: u64,
    /// base64url SHA-512 of the content.
    pub cipher_hash: String,
    pub expires_at: DateTime<Utc>,
    /// `None` in the upload's answer (the uploader has it), set in metadata.
    pub encrypted_properties: Option<String>,
}

/// Files on the Backbone, as this service's device.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BackboneFiles: Send + Sync {
    /// Uploads a File. Sent at most once when it may have reached the Backbone (two uploads
    /// would be two Files).
    ///
    /// # Errors
    /// `Rejected` with the Backbone's code (e.g. content too large, expiry in the past),
    /// `QuotaExhausted`, `Timeout` and `ConnectionLost` when the File may exist without the
    /// answer arriving, and the other variants as for any call.
    async fn upload_file(
        &self,
        file: &NewBackboneFile,
        correlation_id: Option<String>,
    ) -> Result<BackboneFile, BackboneError>;

    /// The metadata of any File (a peer's too). Retried like any read.
    ///
    /// # Errors
    /// `Rejected` with `error.platform.recordNotFound` for an unknown, expired or deleted File;
    /// the other variants as for any call.
    async fn file_metadata(
        &self,
        id: &FileId,
        correlation_id: Option<String>,
    ) -> Result<BackboneFile, BackboneError>;

    /// The uploaded bytes of any File, unchecked (the caller verifies the cipher hash).
    ///
    /// # Errors
    /// As [`BackboneFiles::file_metadata`].
    async fn download_file(
        &self,
        id: &FileId,
        correlation_id: Option<String>,
    ) -> Result<bytes::Bytes, BackboneError>;

    /// Deletes a File this identity created; one already gone counts as deleted.
    ///
    /// # Errors
    /// `Rejected` (e.g. `error.platform.forbidden`: not ours) at once, the transient variants
    /// once the retries are spent.
    async fn delete_file(
        &self,
        id: &FileId,
        correlation_id: Option<String>,
    ) -> Result<(), BackboneError>;

    /// A new ownership token for a File this identity owns (the old one stops working, a lock
    /// is lifted).
    ///
    /// # Errors
    /// `Rejected` (`error.platform.forbidden` when not the owner, `recordNotFound`), and the
    /// variants of any call. Not retried once it may have been processed.
    async fn regenerate_ownership_token(
        &self,
        id: &FileId,
        correlation_id: Option<String>,
    ) -> Result<String, BackboneError>;
}
