//! What a pool has been doing, for the service's metrics: r2d2 reports every checkout (with how
//! long it waited for a connection) and every checkout that timed out; [`PoolStats`] adds what
//! the pool holds now.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::r2d2::HandleEvent;
use diesel::r2d2::event::{CheckoutEvent, TimeoutEvent};

/// Counters r2d2 feeds through [`PoolEvents`].
#[derive(Debug, Default)]
pub struct PoolActivity {
    checkouts: AtomicU64,
    checkout_wait_micros: AtomicU64,
    timeouts: AtomicU64,
}

/// A pool's state at one moment, and its totals since it opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub max_size: u32,
    /// Connections open, in use or idle.
    pub connections: u32,
    pub idle: u32,
    pub checkouts: u64,
    /// Summed over all checkouts: how long requests waited for a connection.
    pub checkout_wait_micros: u64,
    /// Checkouts that waited the whole connection timeout and failed (answered 503).
    pub timeouts: u64,
}

impl PoolStats {
    pub fn in_use(&self) -> u32 {
        self.connections.saturating_sub(self.idle)
    }
}

impl PoolActivity {
    pub(crate) fn stats(&self, max_size: u32, connections: u32, idle: u32) -> PoolStats {
        PoolStats {
            max_size,
            connections,
            idle,
            checkouts: self.checkouts.load(Ordering::Relaxed),
            checkout_wait_micros: self.checkout_wait_micros.load(Ordering::Relaxed),
            timeouts: self.timeouts.load(Ordering::Relaxed),
        }
    }
}

/// The r2d2 event handler feeding a [`PoolActivity`].
#[derive(Debug)]
pub(crate) struct PoolEvents(pub Arc<PoolActivity>);

impl HandleEvent for PoolEvents {
    fn handle_checkout(&self, event: CheckoutEvent) {
        let waited = u64::try_from(event.duration().as_micros()).unwrap_or(u64::MAX);
        self.0.checkouts.fetch_add(1, Ordering::Relaxed);
        self.0
            .checkout_wait_micros
            .fetch_add(waited, Ordering::Relaxed);
    }

    fn handle_timeout(&self, _event: TimeoutEvent) {
        self.0.timeouts.fetch_add(1, Ordering::Relaxed);
    }
}
