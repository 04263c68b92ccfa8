//! [`DieselTokenRepository`]: Tokens in the `tokens` table, their password protection in four
//! nullable columns that are set together or not at all.
//!
//! A list selects the owner restriction in SQL (`is_own`, indexed with the creation order)
//! and applies the rest of the [`TokenFilter`] to the rows read, with
//! [`TokenFilter::matches`] itself: a service holds few Tokens per owner kind, and this keeps
//! one implementation of the runtime's custom keys instead of a second one in SQL.

use std::fmt;

use application::ports::{RepositoryError, TokenRepository};
use application::tokens::list::TokenFilter;
use async_trait::async_trait;
use diesel::dsl::{AsSelect, Asc, EqAny, Filter, Find, Limit, Order, Select};
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
/// The Tokens of the given owner kinds, oldest first.
type ListTokens<DB> = Order<
    Select<Filter<tokens::table, EqAny<tokens::is_own, Vec<bool>>>, AsSelect<TokenRow, DB>>,
    (Asc<tokens::created_at>, Asc<tokens::id>),
>;
/// A Token by id deleted.
type DeleteToken = diesel::dsl::delete<Find<tokens::table, String>>;
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
    for<'a> ListTokens<Backend<E>>: LoadQuery<'a, E::Connection, TokenRow>,
    DeleteToken: ExecuteDsl<E::Connection>,
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

    #[tracing::instrument(name = "list_tokens", skip_all, fields(engine = E::NAME))]
    async fn list_tokens(&self, filter: &TokenFilter) -> Result<Vec<Token>, RepositoryError> {
        let kinds = filter
            .is_own()
            .map_or_else(|| vec![true, false], |is_own| vec![is_own]);
        let rows = blocking::run_repeatable::<E, _, _>(&self.pool, "tokens", move |connection| {
            Ok(tokens::table
                .filter(tokens::is_own.eq_any(kinds.clone()))
                .select(TokenRow::as_select())
                .order((tokens::created_at.asc(), tokens::id.asc()))
                .load(connection)?)
        })
        .await?;
        let mut listed = Vec::new();
        for row in rows {
            let token = row.into_domain()?;
            if filter.matches(&token) {
                listed.push(token);
            }
        }
        Ok(listed)
    }

    #[tracing::instrument(name = "delete_token", skip_all, fields(engine = E::NAME, token_id = %id))]
    async fn delete_token(&self, id: &TokenId) -> Result<(), RepositoryError> {
        let key = id.as_str().to_owned();
        blocking::run::<E, _, _>(&self.pool, id.as_str(), move |connection| {
            diesel::delete(tokens::table.find(key)).execute(connection)?;
            Ok(())
        })
        .await
    }
}
