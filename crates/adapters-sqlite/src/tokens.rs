//! [`SqliteTokenRepository`]: Tokens in the `tokens` table, their password protection in four
//! nullable columns that are set together or not at all.

use std::fmt;

use adapters_diesel::TokenRecord;
use application::ports::{RepositoryError, TokenRepository};
use async_trait::async_trait;
use diesel::prelude::*;
use domain::{Token, TokenId};

use crate::blocking::{self, SqlitePool, from_json_text, from_micros, to_json_text, to_micros};
use crate::schema::tokens;

/// The `tokens` table behind the [`TokenRepository`] port.
#[derive(Clone)]
pub struct SqliteTokenRepository {
    pool: SqlitePool,
}

impl SqliteTokenRepository {
    pub(crate) fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl fmt::Debug for SqliteTokenRepository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteTokenRepository")
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl TokenRepository for SqliteTokenRepository {
    #[tracing::instrument(name = "sqlite.insert_token", skip_all, fields(token_id = %token.id))]
    async fn insert_token(&self, token: &Token) -> Result<(), RepositoryError> {
        let row = TokenRow::from_domain(token)?;
        // One INSERT: the token and its protection are stored together or not at all.
        blocking::run(&self.pool, token.id.as_str(), move |connection| {
            diesel::insert_into(tokens::table)
                .values(&row)
                .execute(connection)?;
            Ok(())
        })
        .await
    }

    #[tracing::instrument(name = "sqlite.find_token", skip_all, fields(token_id = %id))]
    async fn find_token(&self, id: &TokenId) -> Result<Option<Token>, RepositoryError> {
        let key = id.as_str().to_owned();
        let row = blocking::run_repeatable(&self.pool, id.as_str(), move |connection| {
            Ok(tokens::table
                .find(&key)
                .select(TokenRow::as_select())
                .first(connection)
                .optional()?)
        })
        .await?;
        row.map(TokenRow::into_domain).transpose()
    }
}

/// A `tokens` row in SQLite's types; its checked conversion to a [`Token`] is the
/// engine-neutral [`TokenRecord`]'s.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = tokens, check_for_backend(diesel::sqlite::Sqlite))]
struct TokenRow {
    id: String,
    created_by: String,
    created_by_device: String,
    content: String,
    created_at: i64,
    expires_at: i64,
    for_identity: Option<String>,
    secret_key: Vec<u8>,
    password: Option<String>,
    password_type: Option<String>,
    password_salt: Option<Vec<u8>>,
    password_location_indicator: Option<i16>,
}

impl TokenRow {
    fn from_domain(token: &Token) -> Result<Self, RepositoryError> {
        let r = TokenRecord::from_domain(token)?;
        Ok(Self {
            content: to_json_text(&r.content)?,
            id: r.id,
            created_by: r.created_by,
            created_by_device: r.created_by_device,
            created_at: to_micros(r.created_at),
            expires_at: to_micros(r.expires_at),
            for_identity: r.for_identity,
            secret_key: r.secret_key,
            password: r.password,
            password_type: r.password_type,
            password_salt: r.password_salt,
            password_location_indicator: r.password_location_indicator,
        })
    }

    fn into_domain(self) -> Result<Token, RepositoryError> {
        let id = self.id;
        TokenRecord {
            created_by: self.created_by,
            created_by_device: self.created_by_device,
            content: from_json_text(&id, "content", &self.content)?,
            created_at: from_micros(&id, "created_at", self.created_at)?,
            expires_at: from_micros(&id, "expires_at", self.expires_at)?,
            for_identity: self.for_identity,
            secret_key: self.secret_key,
            password: self.password,
            password_type: self.password_type,
            password_salt: self.password_salt,
            password_location_indicator: self.password_location_indicator,
            id,
        }
        .into_domain()
    }
}
