//! [`DieselFileRepository`]: Files in the `files` table.

use std::fmt;

use application::files::list::FileFilter;
use application::ports::{FileRepository, RepositoryError};
use async_trait::async_trait;
use diesel::dsl::{AsSelect, Find, Limit, Select};
use diesel::prelude::*;
use diesel::query_builder::InsertStatement;
use diesel::query_dsl::LoadQuery;
use diesel::query_dsl::methods::ExecuteDsl;
use domain::{File, FileId};

use super::Backend;
use super::file_lists::ListFilesSql;
use crate::blocking::{self, Engine};
use crate::pool::DieselPool;
use crate::rows::FileRow;
use crate::schema::files;

// The queries by type, for the `where` clause: keys and rows are owned, as a bound over every
// lifetime of a borrowed one does not resolve through diesel's associated types.
/// A File by id.
type FindFile<DB> = Limit<Select<Find<files::table, String>, AsSelect<FileRow, DB>>>;
/// One `files` row inserted.
type InsertFile = InsertStatement<files::table, <FileRow as Insertable<files::table>>::Values>;
/// A File by id deleted.
type DeleteFile = diesel::dsl::delete<Find<files::table, String>>;
/// A File's ownership token replaced and its lock lifted.
type SetOwnershipToken = diesel::dsl::Set<
    diesel::dsl::update<Find<files::table, String>>,
    (
        diesel::dsl::Eq<files::ownership_token, Option<String>>,
        diesel::dsl::Eq<files::ownership_is_locked, bool>,
    ),
>;

/// The `files` table behind the [`FileRepository`] port.
pub struct DieselFileRepository<E: Engine> {
    pool: DieselPool<E::Connection>,
}

impl<E: Engine> DieselFileRepository<E> {
    pub(crate) fn new(pool: DieselPool<E::Connection>) -> Self {
        Self { pool }
    }
}

impl<E: Engine> Clone for DieselFileRepository<E> {
    fn clone(&self) -> Self {
        Self::new(self.pool.clone())
    }
}

impl<E: Engine> fmt::Debug for DieselFileRepository<E> {
    // The pool's `Debug` would print the connection URL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DieselFileRepository")
            .field("engine", &E::NAME)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl<E> FileRepository for DieselFileRepository<E>
where
    E: Engine,
    for<'a> FindFile<Backend<E>>: LoadQuery<'a, E::Connection, FileRow>,
    InsertFile: ExecuteDsl<E::Connection>,
    DeleteFile: ExecuteDsl<E::Connection>,
    SetOwnershipToken: ExecuteDsl<E::Connection>,
    Backend<E>: ListFilesSql,
    for<'a> <Backend<E> as ListFilesSql>::Query: LoadQuery<'a, E::Connection, FileRow>,
{
    #[tracing::instrument(name = "find_file", skip_all, fields(engine = E::NAME, file_id = %id))]
    async fn find_file(&self, id: &FileId) -> Result<Option<File>, RepositoryError> {
        let key = id.as_str().to_owned();
        let row = blocking::run_repeatable::<E, _, _>(&self.pool, id.as_str(), move |connection| {
            Ok(files::table
                .find(key.clone())
                .select(FileRow::as_select())
                .first(connection)
                .optional()?)
        })
        .await?;
        row.map(FileRow::into_domain).transpose()
    }

    #[tracing::instrument(name = "list_files", skip_all, fields(engine = E::NAME))]
    async fn list_files(&self, filter: &FileFilter) -> Result<Vec<File>, RepositoryError> {
        let filter = filter.clone();
        let rows = blocking::run_repeatable::<E, _, _>(&self.pool, "files", move |connection| {
            match Backend::<E>::list_files_query(&filter) {
                Some(query) => Ok(query.load(connection)?),
                None => Ok(Vec::new()),
            }
        })
        .await?;
        rows.into_iter().map(FileRow::into_domain).collect()
    }

    #[tracing::instrument(name = "insert_file", skip_all, fields(engine = E::NAME, file_id = %file.id))]
    async fn insert_file(&self, file: &File) -> Result<(), RepositoryError> {
        let row = FileRow::from_domain(file)?;
        blocking::run::<E, _, _>(&self.pool, file.id.as_str(), move |connection| {
            diesel::insert_into(files::table)
                .values(row)
                .execute(connection)?;
            Ok(())
        })
        .await
    }

    #[tracing::instrument(name = "delete_file", skip_all, fields(engine = E::NAME, file_id = %id))]
    async fn delete_file(&self, id: &FileId) -> Result<(), RepositoryError> {
        let key = id.as_str().to_owned();
        blocking::run::<E, _, _>(&self.pool, id.as_str(), move |connection| {
            diesel::delete(files::table.find(key)).execute(connection)?;
            Ok(())
        })
        .await
    }

    #[tracing::instrument(name = "set_ownership_token", skip_all, fields(engine = E::NAME, file_id = %id))]
    async fn set_ownership_token(&self, id: &FileId, token: &str) -> Result<(), RepositoryError> {
        let (key, token) = (id.as_str().to_owned(), token.to_owned());
        blocking::run::<E, _, _>(&self.pool, id.as_str(), move |connection| {
            diesel::update(files::table.find(key))
                .set((
                    files::ownership_token.eq(Some(token)),
                    files::ownership_is_locked.eq(false),
                ))
                .execute(connection)?;
            Ok(())
        })
        .await
    }
}
