//! [`PgFileRepository`]: Files in the `files` table.

use std::fmt;

use application::ports::{FileRepository, RepositoryError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::{DeviceId, File, FileId, IdentityAddress, SecretKey};

use crate::blocking::{self, PgPool, corrupt};
use crate::schema::files;

/// The `files` table behind the [`FileRepository`] port.
#[derive(Clone)]
pub struct PgFileRepository {
    pool: PgPool,
}

impl PgFileRepository {
    pub(crate) fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl fmt::Debug for PgFileRepository {
    // The pool's `Debug` would print the connection URL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgFileRepository").finish_non_exhaustive()
    }
}

#[async_trait]
impl FileRepository for PgFileRepository {
    #[tracing::instrument(name = "pg.find_file", skip_all, fields(file_id = %id))]
    async fn find_file(&self, id: &FileId) -> Result<Option<File>, RepositoryError> {
        let key = id.as_str().to_owned();
        let row = blocking::run(&self.pool, id.as_str(), move |connection| {
            Ok(files::table
                .find(key)
                .select(FileRow::as_select())
                .first(connection)
                .optional()?)
        })
        .await?;
        row.map(FileRow::into_domain).transpose()
    }

    #[tracing::instrument(name = "pg.insert_file", skip_all, fields(file_id = %file.id))]
    async fn insert_file(&self, file: &File) -> Result<(), RepositoryError> {
        let row = FileRow::from_domain(file)?;
        blocking::run(&self.pool, file.id.as_str(), move |connection| {
            diesel::insert_into(files::table)
                .values(&row)
                .execute(connection)?;
            Ok(())
        })
        .await
    }
}

/// A `files` row: plain column types, validated into a [`File`] when read back.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = files, check_for_backend(diesel::pg::Pg))]
struct FileRow {
    id: String,
    secret_key: Vec<u8>,
    owner: String,
    created_at: DateTime<Utc>,
    created_by: String,
    created_by_device: String,
    expires_at: DateTime<Utc>,
    filename: String,
    filesize: i64,
    mimetype: String,
    title: Option<String>,
    description: Option<String>,
    tags: Vec<String>,
    ownership_token: Option<String>,
    ownership_is_locked: bool,
    is_own: bool,
}

/// A size beyond `bigint`: 8 EiB, not a real File, but not silently wrapped either.
#[derive(Debug, thiserror::Error)]
#[error("file size {0} does not fit a PostgreSQL bigint")]
struct FileSizeOutOfRange(u64);

impl FileRow {
    fn from_domain(file: &File) -> Result<Self, RepositoryError> {
        let filesize = i64::try_from(file.filesize).map_err(|_| {
            RepositoryError::Unexpected(Box::new(FileSizeOutOfRange(file.filesize)))
        })?;
        Ok(Self {
            id: file.id.to_string(),
            secret_key: file.secret_key.as_bytes().to_vec(),
            owner: file.owner.to_string(),
            created_at: file.created_at,
            created_by: file.created_by.to_string(),
            created_by_device: file.created_by_device.to_string(),
            expires_at: file.expires_at,
            filename: file.filename.clone(),
            filesize,
            mimetype: file.mimetype.clone(),
            title: file.title.clone(),
            description: file.description.clone(),
            tags: file.tags.clone(),
            ownership_token: file.ownership_token.clone(),
            ownership_is_locked: file.ownership_is_locked,
            is_own: file.is_own,
        })
    }

    fn into_domain(self) -> Result<File, RepositoryError> {
        let id = self.id;
        Ok(File {
            id: FileId::parse(&id).map_err(|e| corrupt(&id, "id", e))?,
            secret_key: secret_key(&id, self.secret_key)?,
            owner: IdentityAddress::parse(&self.owner).map_err(|e| corrupt(&id, "owner", e))?,
            created_at: self.created_at,
            created_by: IdentityAddress::parse(&self.created_by)
                .map_err(|e| corrupt(&id, "created_by", e))?,
            created_by_device: DeviceId::parse(&self.created_by_device)
                .map_err(|e| corrupt(&id, "created_by_device", e))?,
            expires_at: self.expires_at,
            filename: self.filename,
            filesize: u64::try_from(self.filesize).map_err(|e| corrupt(&id, "filesize", e))?,
            mimetype: self.mimetype,
            title: self.title,
            description: self.description,
            tags: self.tags,
            ownership_token: self.ownership_token,
            ownership_is_locked: self.ownership_is_locked,
            is_own: self.is_own,
        })
    }
}

/// A stored 32-byte key column, read back for record `id`.
pub(crate) fn secret_key(id: &str, bytes: Vec<u8>) -> Result<SecretKey, RepositoryError> {
    let length = bytes.len();
    <[u8; domain::crypto::SECRET_KEY_LEN]>::try_from(bytes)
        .map(SecretKey::from_bytes)
        .map_err(|_| {
            corrupt(
                id,
                "secret_key",
                format_args!("{length} bytes instead of 32"),
            )
        })
}
