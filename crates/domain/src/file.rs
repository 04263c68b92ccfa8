//! Files this service knows locally (its own uploads, or peers' files it loaded).

use chrono::{DateTime, Utc};

use crate::crypto::SecretKey;
use crate::ids::{DeviceId, FileId, IdentityAddress};

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
}
