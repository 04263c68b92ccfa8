//! [`IdempotencyRow`]: an `idempotency_keys` row and its checked conversion to and from the
//! port's claims; the answer in three nullable columns that are set together or not at all.

use application::ports::{ClaimOwner, ExistingClaim, NewClaim, RepositoryError, StoredAnswer};
use diesel::{AsChangeset, Insertable, Queryable, Selectable};
use domain::RequestFingerprint;

use super::{corrupt, fixed_bytes, stored_instant};
use crate::schema::idempotency_keys;
use crate::sql_types::Decoded;
use chrono::{DateTime, Utc};

/// An `idempotency_keys` row; `status`, `headers` and `body` are set together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(
    table_name = idempotency_keys,
    check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite),
    treat_none_as_default_value = false
)]
pub struct IdempotencyRow {
    pub scope: String,
    pub idempotency_key: String,
    pub fingerprint: Vec<u8>,
    pub owner: String,
    pub created_at: Decoded<DateTime<Utc>>,
    pub claimed_at: Decoded<DateTime<Utc>>,
    pub status: Option<i16>,
    pub headers: Option<Decoded<serde_json::Value>>,
    pub body: Option<Vec<u8>>,
}

/// The answer columns of a row, as one value to `SET`.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = idempotency_keys)]
pub struct AnswerColumns {
    pub status: i16,
    pub headers: Decoded<serde_json::Value>,
    pub body: Vec<u8>,
}

impl AnswerColumns {
    /// The columns holding `answer`.
    ///
    /// # Errors
    /// [`RepositoryError::Unexpected`] for a status outside 100..=599, which no HTTP answer has.
    pub fn from_domain(answer: &StoredAnswer) -> Result<Self, RepositoryError> {
        let status = i16::try_from(answer.status)
            .ok()
            .filter(|status| (100..=599).contains(status))
            .ok_or_else(|| {
                RepositoryError::Unexpected(
                    format!("{} is no HTTP status to keep", answer.status).into(),
                )
            })?;
        let headers = serde_json::to_value(&answer.headers)
            .map_err(|error| RepositoryError::Unexpected(Box::new(error)))?;
        Ok(Self {
            status,
            headers: Decoded::new(headers),
            body: answer.body.clone(),
        })
    }
}

/// The columns a takeover changes: who holds the claim, and since when.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = idempotency_keys)]
pub struct OwnerColumns {
    pub owner: String,
    pub claimed_at: Decoded<DateTime<Utc>>,
}

impl OwnerColumns {
    pub fn new(owner: &ClaimOwner, now: DateTime<Utc>) -> Self {
        Self {
            owner: owner.0.clone(),
            claimed_at: stored_instant(now),
        }
    }
}

impl IdempotencyRow {
    /// The row of a fresh, unanswered claim.
    pub fn claimed(claim: &NewClaim) -> Self {
        let now = stored_instant(claim.now);
        Self {
            scope: claim.id.scope.clone(),
            idempotency_key: claim.id.key.as_str().to_owned(),
            fingerprint: claim.fingerprint.as_bytes().to_vec(),
            owner: claim.owner.0.clone(),
            created_at: now.clone(),
            claimed_at: now,
            status: None,
            headers: None,
            body: None,
        }
    }

    /// The claim this row holds.
    ///
    /// # Errors
    /// [`RepositoryError::Corrupt`] naming the first column that is no valid value.
    pub fn into_domain(self) -> Result<ExistingClaim, RepositoryError> {
        // Names the row in errors; the key is the client's own label, no secret.
        let id = format!("{}/{}", self.scope, self.idempotency_key);
        let fingerprint = fixed_bytes::<32>(&id, "fingerprint", self.fingerprint)
            .map(RequestFingerprint::from_bytes)?;
        let answer = match (self.status, self.headers, self.body) {
            (None, None, None) => None,
            (Some(status), Some(headers), Some(body)) => Some(StoredAnswer {
                status: u16::try_from(status)
                    .map_err(|_| corrupt(&id, "status", format_args!("{status} is no status")))?,
                headers: serde_json::from_value(headers.checked(&id, "headers")?)
                    .map_err(|e| corrupt(&id, "headers", e))?,
                body,
            }),
            _ => {
                return Err(corrupt(
                    &id,
                    "status",
                    "the answer columns are only partly set",
                ));
            }
        };
        Ok(ExistingClaim {
            fingerprint,
            owner: ClaimOwner(self.owner),
            claimed_at: self.claimed_at.checked(&id, "claimed_at")?,
            answer,
        })
    }
}
