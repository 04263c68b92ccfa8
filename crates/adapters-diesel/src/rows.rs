//! One row struct per table, serving both engines (its column types are the schema's, see
//! [`crate::sql_types`]), and its checked conversion to and from the domain: anything that does
//! not parse when read back is [`RepositoryError::Corrupt`], naming the record and the column.

use std::fmt;

use application::ports::RepositoryError;
use chrono::{DateTime, SubsecRound, Utc};
use diesel::{Insertable, Queryable, Selectable};
use domain::password::SALT_LEN;
use domain::{
    DeviceId, File, FileId, IdentityAddress, PasswordLocationIndicator, PasswordProtection,
    PasswordType, SecretKey, Token, TokenContentFile, TokenId,
};

use crate::schema::{files, tokens};
use crate::sql_types::Decoded;

/// A `files` row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
// `None` is bound as NULL, not written as `DEFAULT`: with `DEFAULT` in the SQL diesel cannot
// cache the prepared INSERT, and preparing it anew costs a round trip and a parse per insert.
// The nullable columns have no default but NULL, so the stored row is the same.
#[diesel(
    table_name = files,
    check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite),
    treat_none_as_default_value = false
)]
pub struct FileRow {
    pub id: String,
    pub secret_key: Vec<u8>,
    pub owner: String,
    pub created_at: Decoded<DateTime<Utc>>,
    pub created_by: String,
    pub created_by_device: String,
    pub expires_at: Decoded<DateTime<Utc>>,
    pub filename: String,
    pub filesize: i64,
    pub mimetype: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub tags: Decoded<Vec<String>>,
    pub ownership_token: Option<String>,
    pub ownership_is_locked: bool,
    pub is_own: bool,
}

/// A `tokens` row; the four password columns are set together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
// `None` is bound as NULL, not written as `DEFAULT`: with `DEFAULT` in the SQL diesel cannot
// cache the prepared INSERT, and preparing it anew costs a round trip and a parse per insert.
// The nullable columns have no default but NULL, so the stored row is the same.
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
}

/// A size beyond `bigint`: 8 EiB, not a real File, but not silently wrapped either.
#[derive(Debug, thiserror::Error)]
#[error("file size {0} does not fit a 64-bit signed integer column")]
struct FileSizeOutOfRange(u64);

/// Both engines keep microseconds. Cutting here, before any engine sees the value, makes the
/// rule one and the same everywhere: sub-microsecond digits are dropped (rounded towards the
/// past), whatever each driver would have done with them.
fn stored_instant(instant: DateTime<Utc>) -> Decoded<DateTime<Utc>> {
    Decoded::new(instant.trunc_subsecs(6))
}

impl FileRow {
    /// The row for `file`.
    ///
    /// # Errors
    /// [`RepositoryError::Unexpected`] for a size above `i64::MAX`.
    pub fn from_domain(file: &File) -> Result<Self, RepositoryError> {
        let filesize = i64::try_from(file.filesize).map_err(|_| {
            RepositoryError::Unexpected(Box::new(FileSizeOutOfRange(file.filesize)))
        })?;
        Ok(Self {
            id: file.id.to_string(),
            secret_key: file.secret_key.as_bytes().to_vec(),
            owner: file.owner.to_string(),
            created_at: stored_instant(file.created_at),
            created_by: file.created_by.to_string(),
            created_by_device: file.created_by_device.to_string(),
            expires_at: stored_instant(file.expires_at),
            filename: file.filename.clone(),
            filesize,
            mimetype: file.mimetype.clone(),
            title: file.title.clone(),
            description: file.description.clone(),
            tags: Decoded::new(file.tags.clone()),
            ownership_token: file.ownership_token.clone(),
            ownership_is_locked: file.ownership_is_locked,
            is_own: file.is_own,
        })
    }

    /// The File this row holds.
    ///
    /// # Errors
    /// [`RepositoryError::Corrupt`] naming the first column that is no valid value.
    pub fn into_domain(self) -> Result<File, RepositoryError> {
        let id = self.id;
        Ok(File {
            id: FileId::parse(&id).map_err(|e| corrupt(&id, "id", e))?,
            secret_key: secret_key(&id, self.secret_key)?,
            owner: IdentityAddress::parse(&self.owner).map_err(|e| corrupt(&id, "owner", e))?,
            created_at: self.created_at.checked(&id, "created_at")?,
            created_by: IdentityAddress::parse(&self.created_by)
                .map_err(|e| corrupt(&id, "created_by", e))?,
            created_by_device: DeviceId::parse(&self.created_by_device)
                .map_err(|e| corrupt(&id, "created_by_device", e))?,
            expires_at: self.expires_at.checked(&id, "expires_at")?,
            filename: self.filename,
            filesize: u64::try_from(self.filesize).map_err(|e| corrupt(&id, "filesize", e))?,
            mimetype: self.mimetype,
            title: self.title,
            description: self.description,
            tags: self.tags.checked(&id, "tags")?,
            ownership_token: self.ownership_token,
            ownership_is_locked: self.ownership_is_locked,
            is_own: self.is_own,
        })
    }
}

impl TokenRow {
    /// The row for `token`.
    ///
    /// # Errors
    /// [`RepositoryError::Unexpected`] if the content does not serialise (it always does).
    pub fn from_domain(token: &Token) -> Result<Self, RepositoryError> {
        let content = serde_json::to_value(&token.content)
            .map_err(|error| RepositoryError::Unexpected(Box::new(error)))?;
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
            content: serde_json::from_value::<TokenContentFile>(
                self.content.checked(&id, "content")?,
            )
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

/// The error for a stored row that no longer reads back as a domain value.
pub fn corrupt(id: &str, column: &str, reason: impl fmt::Display) -> RepositoryError {
    RepositoryError::Corrupt {
        id: id.to_owned(),
        reason: format!("{column}: {reason}"),
    }
}

/// A stored 32-byte key column, read back for record `id`.
fn secret_key(id: &str, bytes: Vec<u8>) -> Result<SecretKey, RepositoryError> {
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

#[cfg(test)]
mod tests;
