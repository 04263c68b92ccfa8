//! [`Idempotency`]: claim, wait, take over, replay, and keep or release an answer.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use domain::{IdempotencyKey, RequestFingerprint};

use crate::ports::{
    ClaimId, ClaimOutcome, ClaimOwner, Clock, ExistingClaim, IdempotencyRepository, NewClaim,
    Pause, RepositoryError, StoredAnswer,
};

/// The bounds of idempotency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyPolicy {
    /// How long a key and its answer are kept.
    pub retention: TimeDelta,
    /// How long a retry waits for the first request to answer before it is told to come back.
    pub wait: Duration,
    /// An unanswered claim older than this is taken to be left by a crashed instance and is
    /// taken over. Must exceed the longest a request can run, or a slow first request and its
    /// retry both run.
    pub claim_timeout: TimeDelta,
    /// The first pause between looks at a running request; doubled after each, up to
    /// `max_poll`.
    pub first_poll: Duration,
    pub max_poll: Duration,
}

impl Default for IdempotencyPolicy {
    fn default() -> Self {
        Self {
            retention: TimeDelta::hours(24),
            wait: Duration::from_secs(10),
            claim_timeout: TimeDelta::minutes(5),
            first_poll: Duration::from_millis(25),
            max_poll: Duration::from_millis(500),
        }
    }
}

/// What [`Idempotency`] is built from.
#[derive(Clone)]
pub struct IdempotencyDependencies {
    pub repository: Arc<dyn IdempotencyRepository>,
    pub clock: Arc<dyn Clock>,
    pub pause: Arc<dyn Pause>,
}

impl std::fmt::Debug for IdempotencyDependencies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdempotencyDependencies")
            .finish_non_exhaustive()
    }
}

/// A request that carries an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentRequest {
    pub scope: String,
    pub key: IdempotencyKey,
    pub fingerprint: RequestFingerprint,
    /// Fresh for this request (see [`ClaimOwner`]).
    pub owner: ClaimOwner,
}

/// What to do with the request.
#[derive(Debug, PartialEq, Eq)]
pub enum Begun {
    /// Run it, then hand its answer to [`Idempotency::finish`].
    Run(Execution),
    /// Answer this, the first request's answer, without running it.
    Replay(StoredAnswer),
}

/// A claimed key whose request runs now.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "an execution holds its key until it is finished"]
pub struct Execution {
    id: ClaimId,
    owner: ClaimOwner,
}

/// Why a request with a key is not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdempotencyError {
    /// The key was used for another request (method, path or body).
    #[error("idempotency key {0} was used for another request")]
    KeyReused(IdempotencyKey),
    /// The first request with the key has not answered within the wait.
    #[error("the first request with idempotency key {key} is still running after {waited:?}")]
    StillRunning {
        key: IdempotencyKey,
        waited: Duration,
    },
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

/// Idempotent execution (see the module documentation).
#[derive(Debug)]
pub struct Idempotency {
    deps: IdempotencyDependencies,
    policy: IdempotencyPolicy,
}

impl Idempotency {
    pub fn new(deps: IdempotencyDependencies, policy: IdempotencyPolicy) -> Self {
        Self { deps, policy }
    }

    /// Claims the request's key: run it when the key is new (or expired, or its claim was left
    /// behind); replay the first answer for the same request; wait while the first runs.
    ///
    /// # Errors
    /// [`IdempotencyError::KeyReused`] for another request under the key,
    /// [`IdempotencyError::StillRunning`] when the first has not answered within the wait,
    /// [`IdempotencyError::Repository`] when the claims cannot be read or written.
    #[tracing::instrument(name = "idempotency_begin", skip_all, fields(key = %request.key))]
    pub async fn begin(&self, request: IdempotentRequest) -> Result<Begun, IdempotencyError> {
        let claim = NewClaim {
            id: ClaimId {
                scope: request.scope,
                key: request.key,
            },
            fingerprint: request.fingerprint,
            owner: request.owner,
            now: self.deps.clock.now(),
        };
        let mut waited = Duration::ZERO;
        let mut poll = self.policy.first_poll;
        loop {
            let now = self.deps.clock.now();
            let claim = NewClaim {
                now,
                ..claim.clone()
            };
            let held = match self
                .deps
                .repository
                .claim(&claim, self.expired_before(now))
                .await?
            {
                ClaimOutcome::Claimed => return Ok(Begun::Run(execution(claim))),
                ClaimOutcome::Held(held) => held,
            };
            if held.fingerprint != claim.fingerprint {
                return Err(IdempotencyError::KeyReused(claim.id.key));
            }
            if let Some(answer) = held.answer {
                return Ok(Begun::Replay(answer));
            }
            if self.is_abandoned(&held, now) && self.take_over(&claim, &held).await? {
                tracing::warn!(claimed_at = %held.claimed_at, "took over an idempotency claim left unanswered");
                return Ok(Begun::Run(execution(claim)));
            }
            if waited >= self.policy.wait {
                return Err(IdempotencyError::StillRunning {
                    key: claim.id.key,
                    waited,
                });
            }
            let pause = poll.min(self.policy.wait - waited);
            self.deps.pause.pause(pause).await;
            waited += pause;
            poll = (poll * 2).min(self.policy.max_poll);
        }
    }

    /// Ends `execution` with its answer: kept for the retries, unless it says the request may
    /// succeed when repeated (5xx, 429), in which case the key is released and a retry runs
    /// anew.
    ///
    /// # Errors
    /// [`RepositoryError`] when the answer cannot be kept or the key released; the key then
    /// stays claimed until the claim timeout, so a retry waits or is told to come back rather
    /// than running twice.
    #[tracing::instrument(name = "idempotency_finish", skip_all, fields(key = %execution.id.key, status = answer.status))]
    pub async fn finish(
        &self,
        execution: Execution,
        answer: &StoredAnswer,
    ) -> Result<(), RepositoryError> {
        let repository = &self.deps.repository;
        if is_final(answer.status) {
            if !repository
                .complete(&execution.id, &execution.owner, answer)
                .await?
            {
                tracing::warn!(
                    "the idempotency claim was taken over before its answer; the answer is not kept"
                );
            }
            Ok(())
        } else {
            repository.release(&execution.id, &execution.owner).await
        }
    }

    /// Releases the key of an execution that ended without an answer.
    ///
    /// # Errors
    /// As [`Idempotency::finish`].
    pub async fn abandon(&self, execution: Execution) -> Result<(), RepositoryError> {
        self.deps
            .repository
            .release(&execution.id, &execution.owner)
            .await
    }

    /// Forgets the keys past their retention; returns how many.
    ///
    /// # Errors
    /// As [`IdempotencyRepository::purge`].
    pub async fn purge_expired(&self) -> Result<u64, RepositoryError> {
        let now = self.deps.clock.now();
        self.deps.repository.purge(self.expired_before(now)).await
    }

    fn expired_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.policy.retention
    }

    fn is_abandoned(&self, held: &ExistingClaim, now: DateTime<Utc>) -> bool {
        held.claimed_at + self.policy.claim_timeout <= now
    }

    async fn take_over(
        &self,
        claim: &NewClaim,
        held: &ExistingClaim,
    ) -> Result<bool, RepositoryError> {
        self.deps
            .repository
            .take_over(&claim.id, &held.owner, &claim.owner, claim.now)
            .await
    }
}

fn execution(claim: NewClaim) -> Execution {
    Execution {
        id: claim.id,
        owner: claim.owner,
    }
}

/// Whether an answer is what every retry must see. A 5xx may be a passing failure and a 429
/// says "later", so a retry of either runs anew; everything else (success, the client's own
/// errors) is final.
fn is_final(status: u16) -> bool {
    status < 500 && status != 429
}
