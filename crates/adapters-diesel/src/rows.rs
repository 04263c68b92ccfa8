//! One row struct per table, serving both engines (its column types are the schema's, see
//! [`crate::sql_types`]), and its checked conversion to and from the domain: anything that does
//! not parse when read back is [`RepositoryError::Corrupt`], naming the record and the column.
//! One module per table; here what their conversions share.
//!
//! Every row derives `Insertable` with `treat_none_as_default_value = false`: `None` is bound as
//! NULL, not written as `DEFAULT`. With `DEFAULT` in the SQL diesel cannot cache the prepared
//! INSERT, and preparing it anew costs a round trip and a parse per insert; the nullable columns
//! have no default but NULL, so the stored row is the same.

mod files;
mod idempotency;
mod identity;
mod tokens;

use std::fmt;

use application::ports::RepositoryError;
use chrono::{DateTime, SubsecRound, Utc};
use domain::SecretKey;

pub use files::FileRow;
pub use idempotency::{AnswerColumns, IdempotencyRow, OwnerColumns};
pub use identity::IdentityRow;
pub use tokens::TokenRow;

use crate::sql_types::Decoded;

/// Both engines keep microseconds. Cutting here, before any engine sees the value, makes the
/// rule one and the same everywhere: sub-microsecond digits are dropped (rounded towards the
/// past), whatever each driver would have done with them.
fn stored_instant(instant: DateTime<Utc>) -> Decoded<DateTime<Utc>> {
    Decoded::new(instant.trunc_subsecs(6))
}

/// The error for a stored row that no longer reads back as a domain value.
pub fn corrupt(id: &str, column: &str, reason: impl fmt::Display) -> RepositoryError {
    RepositoryError::Corrupt {
        id: id.to_owned(),
        reason: format!("{column}: {reason}"),
    }
}

/// A stored column of exactly `N` bytes (a key, a digest), read back for record `id`.
fn fixed_bytes<const N: usize>(
    id: &str,
    column: &str,
    bytes: Vec<u8>,
) -> Result<[u8; N], RepositoryError> {
    let length = bytes.len();
    <[u8; N]>::try_from(bytes)
        .map_err(|_| corrupt(id, column, format_args!("{length} bytes instead of {N}")))
}

/// A stored 32-byte key column, read back for record `id`.
fn secret_key(id: &str, bytes: Vec<u8>) -> Result<SecretKey, RepositoryError> {
    fixed_bytes::<{ domain::crypto::SECRET_KEY_LEN }>(id, "secret_key", bytes)
        .map(SecretKey::from_bytes)
}

#[cfg(test)]
mod tests;
