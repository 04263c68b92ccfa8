//! [`PgTokenRepository`]: Tokens in the `tokens` table, their password protection in four
//! nullable columns that are set together or not at all.

use std::fmt;

use application::ports::{RepositoryError, TokenRepository};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::password::SALT_LEN;
use domain::{
    DeviceId, IdentityAddress, PasswordLocationIndicator, PasswordProtection, PasswordType, Token,
    TokenContentFile, TokenId,
};

use crate::blocking::{self, PgPool, corrupt};
use crate::files::secret_key;
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
        let row = blocking::run(&self.pool, id.as_str(), move |connection| {
            Ok(tokens::table
                .find(key)
                .select(TokenRow::as_select())
                .first(connection)
                .optional()?)
        })
        .await?;
        row.map(TokenRow::into_domain).transpose()
    }
}

/// A `tokens` row: plain column types, validated into a [`Token`] when read back.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = tokens, check_for_backend(diesel::pg::Pg))]
struct TokenRow {
    id: String,
    created_by: String,
    created_by_device: String,
    content: serde_json::Value,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    for_identity: Option<String>,
    secret_key: Vec<u8>,
    password: Option<String>,
    password_type: Option<String>,
    password_salt: Option<Vec<u8>>,
    password_location_indicator: Option<i16>,
}

impl TokenRow {
    fn from_domain(token: &Token) -> Result<Self, RepositoryError> {
        let content = serde_json::to_value(&token.content)
            .map_err(|error| RepositoryError::Unexpected(Box::new(error)))?;
        let protection = token.password_protection.as_ref();
        Ok(Self {
            id: token.id.to_string(),
            created_by: token.created_by.to_string(),
            created_by_device: token.created_by_device.to_string(),
            content,
            created_at: token.created_at,
            expires_at: token.expires_at,
            for_identity: token.for_identity.as_ref().map(ToString::to_string),
            secret_key: token.secret_key.as_bytes().to_vec(),
            password: protection.map(|p| p.password.clone()),
            password_type: protection.map(|p| p.password_type.to_string()),
            password_salt: protection.map(|p| p.salt.to_vec()),
            password_location_indicator: protection
                .and_then(|p| p.location_indicator)
                .map(|indicator| i16::from(indicator.number())),
        })
    }

    fn into_domain(self) -> Result<Token, RepositoryError> {
        let id = self.id;
        let password_protection = password_protection(
            &id,
            self.password,
            self.password_type,
            self.password_salt,
            self.password_location_indicator,
        )?;
        Ok(Token {
            id: TokenId::parse(&id).map_err(|e| corrupt(&id, "id", e))?,
            created_by: IdentityAddress::parse(&self.created_by)
                .map_err(|e| corrupt(&id, "created_by", e))?,
            created_by_device: DeviceId::parse(&self.created_by_device)
                .map_err(|e| corrupt(&id, "created_by_device", e))?,
            content: serde_json::from_value::<TokenContentFile>(self.content)
                .map_err(|e| corrupt(&id, "content", e))?,
            created_at: self.created_at,
            expires_at: self.expires_at,
            for_identity: self
                .for_identity
                .map(|address| IdentityAddress::parse(&address))
                .transpose()
                .map_err(|e| corrupt(&id, "for_identity", e))?,
            password_protection,
            secret_key: secret_key(&id, self.secret_key)?,
        })
    }
}

fn password_protection(
    id: &str,
    password: Option<String>,
    password_type: Option<String>,
    salt: Option<Vec<u8>>,
    location_indicator: Option<i16>,
) -> Result<Option<PasswordProtection>, RepositoryError> {
    let (password, password_type, salt) = match (password, password_type, salt) {
        (Some(password), Some(password_type), Some(salt)) => (password, password_type, salt),
        (None, None, None) if location_indicator.is_none() => return Ok(None),
        _ => {
            return Err(corrupt(
                id,
                "password",
                "the password columns are only partly set",
            ));
        }
    };
    let password_type =
        PasswordType::parse(&password_type).map_err(|e| corrupt(id, "password_type", e))?;
    let salt_length = salt.len();
    let salt = <[u8; SALT_LEN]>::try_from(salt).map_err(|_| {
        corrupt(
            id,
            "password_salt",
            format_args!("{salt_length} bytes instead of {SALT_LEN}"),
        )
    })?;
    let location_indicator = location_indicator
        .map(|number| {
            u8::try_from(number)
                .ok()
                .and_then(PasswordLocationIndicator::from_number)
                .ok_or_else(|| {
                    corrupt(
                        id,
                        "password_location_indicator",
                        format_args!("{number} is no indicator"),
                    )
                })
        })
        .transpose()?;
    Ok(Some(PasswordProtection {
        password,
        password_type,
        salt,
        location_indicator,
    }))
}
