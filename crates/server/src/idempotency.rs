//! The wiring of `Idempotency-Key` handling: the use case over the database's claims with
//! tokio's timer as its pause, and the hourly purge of keys past their retention (claims also
//! treat an expired key as absent, so the purge only bounds the table's size).

use std::sync::Arc;
use std::time::Duration;

use application::idempotency::{Idempotency, IdempotencyDependencies, IdempotencyPolicy};
use application::ports::{IdempotencyRepository, Pause, SystemClock};
use async_trait::async_trait;
use chrono::TimeDelta;

use crate::config::IdempotencyConfig;

/// How often expired keys are purged; the first purge runs at start.
pub const PURGE_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// Tokio's timer as the use case's pause.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioPause;

#[async_trait]
impl Pause for TokioPause {
    async fn pause(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// The use case over `repository`, bounded as configured.
pub fn idempotency(
    repository: Arc<dyn IdempotencyRepository>,
    config: &IdempotencyConfig,
) -> Idempotency {
    let defaults = IdempotencyPolicy::default();
    Idempotency::new(
        IdempotencyDependencies {
            repository,
            clock: Arc::new(SystemClock),
            pause: Arc::new(TokioPause),
        },
        IdempotencyPolicy {
            wait: config.wait,
            claim_timeout: TimeDelta::from_std(config.claim_timeout)
                .unwrap_or(defaults.claim_timeout),
            ..defaults
        },
    )
}

/// Purges expired keys every [`PURGE_INTERVAL`], for as long as it is polled. A failed purge is
/// logged and tried again at the next interval.
pub async fn purge_expired_keys(idempotency: Arc<Idempotency>) {
    let mut interval = tokio::time::interval(PURGE_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match idempotency.purge_expired().await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "purged expired idempotency keys"),
            Err(error) => tracing::warn!(
                error = %crate::telemetry::error_chain(&error),
                "purging expired idempotency keys failed; trying again in an hour"
            ),
        }
    }
}
