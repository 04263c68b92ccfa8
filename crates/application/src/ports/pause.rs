//! Waiting, injected so use cases that poll are tested without real time passing.

use std::time::Duration;

use async_trait::async_trait;

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Pause: Send + Sync {
    /// Returns after `duration`, without blocking a thread.
    async fn pause(&self, duration: Duration);
}
