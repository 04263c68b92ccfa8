//! [`TokenRow`]: a `tokens` row and its checked conversion to and from a [`Token`], the
//! password protection in four nullable columns that are set together or not at all.

use application::ports::RepositoryError;
use chrono::{DateTime, Utc};
use diesel::{Insertable, Queryable, Selectable};
use domain::password::SALT_LEN;
use domain::{
    DeviceId, IdentityAddress, PasswordLocationIndicator, PasswordProtection, PasswordType, Token,
    TokenContent, TokenId,
};

use super::{corrupt, secret_key, stored_instant};
use crate::schema::tokens;
use crate::sql_types::Decoded;

/// A `tokens` row; the four password columns are set together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(
    table_name = tokens,
    check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite),
    treat_none_as_default_value = false
)]
pub struct TokenRow {
    pub id: String,
    pub created_by: String,
    pub created_by_device: String,
    pub content: Decoded<serde_json::Value>,
    pub created_at: Decoded<DateTime<Utc>>,
    pub expires_at: Decoded<DateTime<Utc>>,
    pub for_identity: Option<String>,
    pub secret_key: Vec<u8>,
    pub password: Option<Decoded<String>>,
    pub password_type: Option<String>,
    pub password_salt: Option<Vec<u8>>,
    pub password_location_indicator: Option<i16>,
    pub is_own: bool,
}

impl TokenRow {
    /// The row for `token`.
    ///
    /// # Errors
    /// None today; kept fallible like every row's conversion.
    pub fn from_domain(token: &Token) -> Result<Self, RepositoryError> {
        let content = token.content.to_json();
        let protection = token.password_protection.as_ref();
        Ok(Self {
            id: token.id.to_string(),
            created_by: token.created_by.to_string(),
            created_by_device: token.created_by_device.to_string(),
            content: Decoded::new(content),
            created_at: stored_instant(token.created_at),
            expires_at: stored_instant(token.expires_at),
            for_identity: token.for_identity.as_ref().map(ToString::to_string),
            secret_key: token.secret_key.as_bytes().to_vec(),
            password: protection.map(|p| Decoded::new(p.password.clone())),
            password_type: protection.map(|p| p.password_type.to_string()),
            password_salt: protection.map(|p| p.salt.to_vec()),
            password_location_indicator: protection
                .and_then(|p| p.location_indicator)
                .map(|indicator| i16::from(indicator.number())),
            is_own: token.is_own,
        })
    }

    /// The Token this row holds.
    ///
    /// # Errors
    /// [`RepositoryError::Corrupt`] naming the first column that is no valid value.
    pub fn into_domain(self) -> Result<Token, RepositoryError> {
        let id = self.id;
        let password_protection = password_protection(
            &id,
            self.password
                .map(|password| password.checked(&id, "password"))
                .transpose()?,
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
            is_own: self.is_own,
            content: TokenContent::from_json(self.content.checked(&id, "content")?)
                .map_err(|e| corrupt(&id, "content", e))?,
            created_at: self.created_at.checked(&id, "created_at")?,
            expires_at: self.expires_at.checked(&id, "expires_at")?,
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
