//! Claims on idempotency keys, shared by every instance on one database: the first request with
//! a key claims it, its answer is kept for the retries, and a claim whose holder vanished can be
//! taken over.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{IdempotencyKey, RequestFingerprint};

use super::RepositoryError;

/// One key of one client: keys are scoped by the API key id, so two clients picking the same
/// key never see each other's answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimId {
    /// The id of the API key the request was authenticated with.
    pub scope: String,
    pub key: IdempotencyKey,
}

/// Who holds a claim: fresh for every execution, so a holder whose claim was taken over can no
/// longer complete or release it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimOwner(pub String);

/// A claim to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClaim {
    pub id: ClaimId,
    pub fingerprint: RequestFingerprint,
    pub owner: ClaimOwner,
    pub now: DateTime<Utc>,
}

/// The answer of a completed request, as it is replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    /// Name and value of each header the route set (a header set twice appears twice).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A claim someone else made first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingClaim {
    pub fingerprint: RequestFingerprint,
    pub owner: ClaimOwner,
    /// When it was claimed or last taken over.
    pub claimed_at: DateTime<Utc>,
    /// `None` while its request still runs.
    pub answer: Option<StoredAnswer>,
}

/// How a claim went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The key is ours now.
    Claimed,
    /// The key is held (or answered) already.
    Held(ExistingClaim),
}

/// Idempotency keys and the answers kept for them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdempotencyRepository: Send + Sync {
    /// Claims `claim.id` for `claim.owner` unless it is held; a claim created before
    /// `expired_before` counts as absent (it is removed). Atomic across instances: of
    /// concurrent claims of one key exactly one gets [`ClaimOutcome::Claimed`].
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Corrupt`] when the held claim cannot be read back, otherwise
    /// [`RepositoryError::Unexpected`].
    async fn claim(
        &self,
        claim: &NewClaim,
        expired_before: DateTime<Utc>,
    ) -> Result<ClaimOutcome, RepositoryError>;

    /// Hands the unanswered claim `id` from `from` to `to`, claimed anew at `now`; `false` when
    /// `from` no longer holds it unanswered (answered, released or taken over by another).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached, otherwise
    /// [`RepositoryError::Unexpected`].
    async fn take_over(
        &self,
        id: &ClaimId,
        from: &ClaimOwner,
        to: &ClaimOwner,
        now: DateTime<Utc>,
    ) -> Result<bool, RepositoryError>;

    /// Keeps `answer` for claim `id`; `false` (and nothing kept) when `owner` no longer holds
    /// it unanswered.
    ///
    /// # Errors
    /// As [`IdempotencyRepository::take_over`].
    async fn complete(
        &self,
        id: &ClaimId,
        owner: &ClaimOwner,
        answer: &StoredAnswer,
    ) -> Result<bool, RepositoryError>;

    /// Forgets the unanswered claim `id` if `owner` holds it, so that a retry runs anew.
    ///
    /// # Errors
    /// As [`IdempotencyRepository::take_over`].
    async fn release(&self, id: &ClaimId, owner: &ClaimOwner) -> Result<(), RepositoryError>;

    /// Forgets every claim created before `created_before`, answered or not; returns how many.
    ///
    /// # Errors
    /// As [`IdempotencyRepository::take_over`].
    async fn purge(&self, created_before: DateTime<Utc>) -> Result<u64, RepositoryError>;
}
