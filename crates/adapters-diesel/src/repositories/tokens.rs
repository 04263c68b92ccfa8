//! [`DieselTokenRepository`]: Tokens in the `tokens` table, their password protection in four
//! nullable columns that are set together or not at all.

use std::fmt;

use application::ports::{RepositoryError, TokenRepository};
use async_trait::async_trait;
use diesel::dsl::{AsSelect, Find, Limit, Select};
use diesel::prelude::*;
use diesel::query_builder::InsertStatement;
use diesel::query_dsl::LoadQuery;
use diesel::query_dsl::methods::ExecuteDsl;
use domain::{Token, TokenId};

use super::Backend;
use crate::blocking::{self, Engine};
use crate::pool::DieselPool;
use crate::rows::TokenRow;
use crate::schema::tokens;

// The queries by type, for the `where` clause: keys and rows are owned, as a bound over every
// lifetime of a borrowed one does not resolve through diesel's associated types.
/// A Token by id.
type FindToken<DB> = Limit<Select<Find<tokens::table, String>, AsSelect<TokenRow, DB>>>;
/// One `tokens` row inserted.
type InsertToken = InsertStatement<tokens::table, <TokenRow as Insertable<tokens::table>>::Values>;

/// The `tokens` table behind the [`TokenRepository`] port.
pub struct DieselTokenRepository<E: Engine> {
    pool: DieselPool<E::Connection>,
}

impl<E: Engine> DieselTokenRepository<E> {
    pub(crate) fn new(pool: DieselPool<E::Connection>) -> Self {
        Self { pool }
    }
}

impl<E: Engine> Clone for DieselTokenRepository<E> {
    fn clone(&self) -> Self {
        Self::new(self.pool.clone())
    }
}

impl<E: Engine> fmt::Debug for DieselTokenRepository<E> {
    // The pool's `Debug` would print the connection URL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DieselTokenRepository")
            .field("engine", &E::NAME)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl<E> TokenRepository for DieselTokenRepository<E>
where
    E: Engine,
    for<'a> FindToken<Backend<E>>: LoadQuery<'a, E::Connection, TokenRow>,
    InsertToken: ExecuteDsl<E::Connection>,
{
    #[tracing::instrument(name = "insert_token", skip_all, fields(engine = E::NAME, token_id = %token.id))]
    async fn insert_token(&self, token: &Token) -> Result<(), RepositoryError> {
        let row = TokenRow::from_domain(token)?;
        // One INSERT: the token and its protection are stored together or not at all.
        blocking::run::<E, _, _>(&self.pool, token.id.as_str(), move |connection| {
            diesel::insert_into(tokens::table)
                .values(row)
                .execute(connection)?;
            Ok(())
        })
        .await
    }

    #[tracing::instrument(name = "find_token", skip_all, fields(engine = E::NAME, token_id = %id))]
    async fn find_token(&self, id: &TokenId) -> Result<Option<Token>, RepositoryError> {
        let key = id.as_str().to_owned();
        let row = blocking::run_repeatable::<E, _, _>(&self.pool, id.as_str(), move |connection| {
            Ok(tokens::table
                .find(key.clone())
                .select(TokenRow::as_select())
                .first(connection)
                .optional()?)
        })
        .await?;
        row.map(TokenRow::into_domain).transpose()
    }
}
