//! [`PgFileRepository`]: Files in the `files` table.

use std::fmt;

use adapters_diesel::FileRecord;
use application::ports::{FileRepository, RepositoryError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::{File, FileId};

use crate::blocking::{self, PgPool};
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
        let row = blocking::run_repeatable(&self.pool, id.as_str(), move |connection| {
            Ok(files::table
                .find(&key)
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

/// A `files` row; its checked conversion to a [`File`] is the engine-neutral [`FileRecord`]'s.
#[derive(Queryable, Selectable, Insertable)]
// `None` is bound as NULL, not written as `DEFAULT`: with `DEFAULT` in the SQL diesel cannot
// cache the prepared INSERT, and preparing it anew costs a round trip and a parse per insert.
// The nullable columns have no default but NULL, so the stored row is the same.
#[diesel(table_name = files, check_for_backend(diesel::pg::Pg), treat_none_as_default_value = false)]
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

impl FileRow {
    fn from_domain(file: &File) -> Result<Self, RepositoryError> {
        let r = FileRecord::from_domain(file)?;
        Ok(Self {
            id: r.id,
            secret_key: r.secret_key,
            owner: r.owner,
            created_at: r.created_at,
            created_by: r.created_by,
            created_by_device: r.created_by_device,
            expires_at: r.expires_at,
            filename: r.filename,
            filesize: r.filesize,
            mimetype: r.mimetype,
            title: r.title,
            description: r.description,
            tags: r.tags,
            ownership_token: r.ownership_token,
            ownership_is_locked: r.ownership_is_locked,
            is_own: r.is_own,
        })
    }

    fn into_domain(self) -> Result<File, RepositoryError> {
        FileRecord {
            id: self.id,
            secret_key: self.secret_key,
            owner: self.owner,
            created_at: self.created_at,
            created_by: self.created_by,
            created_by_device: self.created_by_device,
            expires_at: self.expires_at,
            filename: self.filename,
            filesize: self.filesize,
            mimetype: self.mimetype,
            title: self.title,
            description: self.description,
            tags: self.tags,
            ownership_token: self.ownership_token,
            ownership_is_locked: self.ownership_is_locked,
            is_own: self.is_own,
        }
        .into_domain()
    }
}
