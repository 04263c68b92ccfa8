//! [`SqliteFileRepository`]: Files in the `files` table.

use std::fmt;

use adapters_diesel::FileRecord;
use application::ports::{FileRepository, RepositoryError};
use async_trait::async_trait;
use diesel::prelude::*;
use domain::{File, FileId};

use crate::blocking::{self, SqlitePool, from_json_text, from_micros, to_json_text, to_micros};
use crate::schema::files;

/// The `files` table behind the [`FileRepository`] port.
#[derive(Clone)]
pub struct SqliteFileRepository {
    pool: SqlitePool,
}

impl SqliteFileRepository {
    pub(crate) fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl fmt::Debug for SqliteFileRepository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteFileRepository")
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl FileRepository for SqliteFileRepository {
    #[tracing::instrument(name = "sqlite.find_file", skip_all, fields(file_id = %id))]
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

    #[tracing::instrument(name = "sqlite.insert_file", skip_all, fields(file_id = %file.id))]
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

/// A `files` row in SQLite's types; its checked conversion to a [`File`] is the engine-neutral
/// [`FileRecord`]'s.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = files, check_for_backend(diesel::sqlite::Sqlite))]
struct FileRow {
    id: String,
    secret_key: Vec<u8>,
    owner: String,
    created_at: i64,
    created_by: String,
    created_by_device: String,
    expires_at: i64,
    filename: String,
    filesize: i64,
    mimetype: String,
    title: Option<String>,
    description: Option<String>,
    tags: String,
    ownership_token: Option<String>,
    ownership_is_locked: bool,
    is_own: bool,
}

impl FileRow {
    fn from_domain(file: &File) -> Result<Self, RepositoryError> {
        let r = FileRecord::from_domain(file)?;
        Ok(Self {
            tags: to_json_text(&r.tags)?,
            id: r.id,
            secret_key: r.secret_key,
            owner: r.owner,
            created_at: to_micros(r.created_at),
            created_by: r.created_by,
            created_by_device: r.created_by_device,
            expires_at: to_micros(r.expires_at),
            filename: r.filename,
            filesize: r.filesize,
            mimetype: r.mimetype,
            title: r.title,
            description: r.description,
            ownership_token: r.ownership_token,
            ownership_is_locked: r.ownership_is_locked,
            is_own: r.is_own,
        })
    }

    fn into_domain(self) -> Result<File, RepositoryError> {
        let id = self.id;
        FileRecord {
            secret_key: self.secret_key,
            owner: self.owner,
            created_at: from_micros(&id, "created_at", self.created_at)?,
            created_by: self.created_by,
            created_by_device: self.created_by_device,
            expires_at: from_micros(&id, "expires_at", self.expires_at)?,
            filename: self.filename,
            filesize: self.filesize,
            mimetype: self.mimetype,
            title: self.title,
            description: self.description,
            tags: from_json_text(&id, "tags", &self.tags)?,
            ownership_token: self.ownership_token,
            ownership_is_locked: self.ownership_is_locked,
            is_own: self.is_own,
            id,
        }
        .into_domain()
    }
}
