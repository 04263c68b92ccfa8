//! [`PgTokenRepository`]: Tokens in the `tokens` table, their password protection in four
//! nullable columns that are set together or not at all.

use std::fmt;

use adapters_diesel::{TokenRecord, corrupt};
use application::ports::{RepositoryError, TokenRepository};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::{Token, TokenId};

use crate::blocking::{self, PgPool};
use crate::schema::tokens;

/// The `tokens` table behind the [`TokenRepository`] port.
#[derive(Clone)]
pub struct PgTokenRepository {
    pool: PgPool,
}

impl PgTokenRepository {
    pub(crate) fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl fmt::Debug for PgTokenRepository {
    // The pool's `Debug` would print the connection URL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgTokenRepository").finish_non_exhaustive()
    }
}

#[async_trait]
impl TokenRepository for PgTokenRepository {
    #[tracing::instrument(name = "pg.insert_token", skip_all, fields(token_id = %token.id))]
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

    #[tracing::instrument(name = "pg.find_token", skip_all, fields(token_id = %id))]
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

/// A `tokens` row; its checked conversion to a [`Token`] is the engine-neutral
/// [`TokenRecord`]'s.
#[derive(Queryable, Selectable, Insertable)]
// `None` is bound as NULL, not written as `DEFAULT`: with `DEFAULT` in the SQL diesel cannot
// cache the prepared INSERT, and preparing it anew costs a round trip and a parse per insert.
// The nullable columns have no default but NULL, so the stored row is the same.
#[diesel(table_name = tokens, check_for_backend(diesel::pg::Pg), treat_none_as_default_value = false)]
struct TokenRow {
    id: String,
    created_by: String,
    created_by_device: String,
    content: serde_json::Value,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    for_identity: Option<String>,
    secret_key: Vec<u8>,
    /// UTF-8 (see the schema).
    password: Option<Vec<u8>>,
    password_type: Option<String>,
    password_salt: Option<Vec<u8>>,
    password_location_indicator: Option<i16>,
}

impl TokenRow {
    fn from_domain(token: &Token) -> Result<Self, RepositoryError> {
        let r = TokenRecord::from_domain(token)?;
        Ok(Self {
            id: r.id,
            created_by: r.created_by,
            created_by_device: r.created_by_device,
            content: r.content,
            created_at: r.created_at,
            expires_at: r.expires_at,
            for_identity: r.for_identity,
            secret_key: r.secret_key,
            password: r.password.map(String::into_bytes),
            password_type: r.password_type,
            password_salt: r.password_salt,
            password_location_indicator: r.password_location_indicator,
        })
    }

    fn into_domain(self) -> Result<Token, RepositoryError> {
        let password = self
            .password
            .map(String::from_utf8)
            .transpose()
            .map_err(|e| corrupt(&self.id, "password", e))?;
        TokenRecord {
            id: self.id,
            created_by: self.created_by,
            created_by_device: self.created_by_device,
            content: self.content,
            created_at: self.created_at,
            expires_at: self.expires_at,
            for_identity: self.for_identity,
            secret_key: self.secret_key,
            password,
            password_type: self.password_type,
            password_salt: self.password_salt,
            password_location_indicator: self.password_location_indicator,
        }
        .into_domain()
    }
}
