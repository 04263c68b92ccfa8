//! [`FileRow`]: a `files` row and its checked conversion to and from a [`File`], its content
//! in four nullable columns that are set together or not at all.

use application::ports::RepositoryError;
use chrono::{DateTime, Utc};
use diesel::{Insertable, Queryable, Selectable};
use domain::crypto::SECRET_KEY_LEN;
use domain::file::FILE_HASH_LEN;
use domain::{DeviceId, File, FileContent, FileHash, FileId, IdentityAddress, SecretKey};

use super::{corrupt, fixed_bytes, secret_key, stored_instant};
use crate::schema::files;
use crate::sql_types::Decoded;

/// A `files` row; the four content columns are set together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(
    table_name = files,
    check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite),
    treat_none_as_default_value = false
)]
pub struct FileRow {
    pub id: String,
    pub secret_key: Vec<u8>,
    pub owner: String,
    pub created_at: Decoded<DateTime<Utc>>,
    pub created_by: String,
    pub created_by_device: String,
    pub expires_at: Decoded<DateTime<Utc>>,
    pub filename: String,
    pub filesize: i64,
    pub mimetype: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub tags: Decoded<Vec<String>>,
    pub ownership_token: Option<String>,
    pub ownership_is_locked: bool,
    pub is_own: bool,
    pub cipher_key: Option<Vec<u8>>,
    pub cipher_hash: Option<Vec<u8>>,
    pub plaintext_hash: Option<Vec<u8>>,
    pub owner_signature: Option<String>,
}

/// A size beyond `bigint`: 8 EiB, not a real File, but not silently wrapped either.
#[derive(Debug, thiserror::Error)]
#[error("file size {0} does not fit a 64-bit signed integer column")]
struct FileSizeOutOfRange(u64);

impl FileRow {
    /// The row for `file`.
    ///
    /// # Errors
    /// [`RepositoryError::Unexpected`] for a size above `i64::MAX`.
    pub fn from_domain(file: &File) -> Result<Self, RepositoryError> {
        let filesize = i64::try_from(file.filesize).map_err(|_| {
            RepositoryError::Unexpected(Box::new(FileSizeOutOfRange(file.filesize)))
        })?;
        let content = file.content.as_ref();
        Ok(Self {
            id: file.id.to_string(),
            secret_key: file.secret_key.as_bytes().to_vec(),
            owner: file.owner.to_string(),
            created_at: stored_instant(file.created_at),
            created_by: file.created_by.to_string(),
            created_by_device: file.created_by_device.to_string(),
            expires_at: stored_instant(file.expires_at),
            filename: file.filename.clone(),
            filesize,
            mimetype: file.mimetype.clone(),
            title: file.title.clone(),
            description: file.description.clone(),
            tags: Decoded::new(file.tags.clone()),
            ownership_token: file.ownership_token.clone(),
            ownership_is_locked: file.ownership_is_locked,
            is_own: file.is_own,
            cipher_key: content.map(|c| c.cipher_key.as_bytes().to_vec()),
            cipher_hash: content.map(|c| c.cipher_hash.as_bytes().to_vec()),
            plaintext_hash: content.map(|c| c.plaintext_hash.as_bytes().to_vec()),
            owner_signature: content.map(|c| c.owner_signature.clone()),
        })
    }

    /// The File this row holds.
    ///
    /// # Errors
    /// [`RepositoryError::Corrupt`] naming the first column that is no valid value.
    pub fn into_domain(self) -> Result<File, RepositoryError> {
        let id = self.id;
        Ok(File {
            id: FileId::parse(&id).map_err(|e| corrupt(&id, "id", e))?,
            secret_key: secret_key(&id, self.secret_key)?,
            owner: IdentityAddress::parse(&self.owner).map_err(|e| corrupt(&id, "owner", e))?,
            created_at: self.created_at.checked(&id, "created_at")?,
            created_by: IdentityAddress::parse(&self.created_by)
                .map_err(|e| corrupt(&id, "created_by", e))?,
            created_by_device: DeviceId::parse(&self.created_by_device)
                .map_err(|e| corrupt(&id, "created_by_device", e))?,
            expires_at: self.expires_at.checked(&id, "expires_at")?,
            filename: self.filename,
            filesize: u64::try_from(self.filesize).map_err(|e| corrupt(&id, "filesize", e))?,
            mimetype: self.mimetype,
            title: self.title,
            description: self.description,
            tags: self.tags.checked(&id, "tags")?,
            ownership_token: self.ownership_token,
            ownership_is_locked: self.ownership_is_locked,
            is_own: self.is_own,
            content: content(
                &id,
                self.cipher_key,
                self.cipher_hash,
                self.plaintext_hash,
                self.owner_signature,
            )?,
        })
    }
}

/// The content columns of record `id`: all NULL is a File stored without content (as every File
/// before uploads existed), all set its [`FileContent`], anything else corrupt, naming the first
/// NULL column.
fn content(
    id: &str,
    cipher_key: Option<Vec<u8>>,
    cipher_hash: Option<Vec<u8>>,
    plaintext_hash: Option<Vec<u8>>,
    owner_signature: Option<String>,
) -> Result<Option<FileContent>, RepositoryError> {
    match (cipher_key, cipher_hash, plaintext_hash, owner_signature) {
        (None, None, None, None) => Ok(None),
        (Some(cipher_key), Some(cipher_hash), Some(plaintext_hash), Some(owner_signature)) => {
            Ok(Some(FileContent {
                cipher_key: SecretKey::from_bytes(fixed_bytes::<SECRET_KEY_LEN>(
                    id,
                    "cipher_key",
                    cipher_key,
                )?),
                cipher_hash: file_hash(id, "cipher_hash", cipher_hash)?,
                plaintext_hash: file_hash(id, "plaintext_hash", plaintext_hash)?,
                owner_signature,
            }))
        }
        (cipher_key, cipher_hash, plaintext_hash, owner_signature) => {
            let null = [
                (cipher_key.is_none(), "cipher_key"),
                (cipher_hash.is_none(), "cipher_hash"),
                (plaintext_hash.is_none(), "plaintext_hash"),
                (owner_signature.is_none(), "owner_signature"),
            ];
            let first_null = null
                .into_iter()
                .find_map(|(is_null, column)| is_null.then_some(column))
                .unwrap_or("cipher_key");
            Err(corrupt(
                id,
                first_null,
                "NULL while other content columns are set",
            ))
        }
    }
}

fn file_hash(id: &str, column: &str, bytes: Vec<u8>) -> Result<FileHash, RepositoryError> {
    fixed_bytes::<FILE_HASH_LEN>(id, column, bytes).map(FileHash::from_bytes)
}
