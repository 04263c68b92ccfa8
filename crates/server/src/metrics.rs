//! `GET /metrics` in the Prometheus text format: what the service did (requests, Backbone calls)
//! and what it holds now (database pool, password hashes waiting, its identity). One registry per
//! running service, so several in one process (the tests) never mix their numbers.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use adapters_backbone::{CallObserver, ObservedCall};
use adapters_hashing::IdleThreadsHasher;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::storage::DatabaseHealth;

/// Seconds; from a fast cached read to a slow Backbone call or a password hash under load.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// What the gauges read at each scrape.
pub struct Sources {
    pub database: Arc<dyn DatabaseHealth>,
    pub hasher: Arc<IdleThreadsHasher>,
    /// `onboarded` (its own identity) or `configured` (a device the operator brought).
    pub identity_source: &'static str,
    pub address: String,
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sources")
            .field("identity_source", &self.identity_source)
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    backbone_calls: IntCounterVec,
    backbone_duration: HistogramVec,
    pool_connections: IntGaugeVec,
    pool_max: IntGauge,
    pool_checkouts: IntGauge,
    pool_checkout_wait: prometheus::Gauge,
    pool_timeouts: IntGauge,
    hashes_queued: IntGauge,
    identity: IntGaugeVec,
    sources: OnceLock<Sources>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let latency = |name: &str, help: &str, labels: &[&str]| {
            let opts = HistogramOpts::new(name, help).buckets(LATENCY_BUCKETS.to_vec());
            registered(&registry, HistogramVec::new(opts, labels))
        };
        let counter = |name: &str, help: &str, labels: &[&str]| {
            registered(&registry, IntCounterVec::new(Opts::new(name, help), labels))
        };
        let gauge = |name: &str, help: &str| registered(&registry, IntGauge::new(name, help));
        Self {
            http_requests: counter(
                "connector_http_requests_total",
                "Requests answered, by route template, method and status.",
                &["route", "method", "status"],
            ),
            http_duration: latency(
                "connector_http_request_duration_seconds",
                "Time from a request's arrival to its answer, by route template and method.",
                &["route", "method"],
            ),
            backbone_calls: counter(
                "connector_backbone_requests_total",
                "Calls to the Backbone, by route template, method and outcome (status, timeout, connection_failed, answer_too_large).",
                &["route", "method", "outcome"],
            ),
            backbone_duration: latency(
                "connector_backbone_request_duration_seconds",
                "Duration of Backbone calls, by route template and method.",
                &["route", "method"],
            ),
            pool_connections: registered(
                &registry,
                IntGaugeVec::new(
                    Opts::new(
                        "connector_db_pool_connections",
                        "Open database connections, by state (in_use, idle).",
                    ),
                    &["state"],
                ),
            ),
            pool_max: gauge(
                "connector_db_pool_max_connections",
                "The pool's size (database.poolSize); in_use at this size means requests wait.",
            ),
            pool_checkouts: gauge(
                "connector_db_pool_checkouts_total",
                "Connections handed out since the start.",
            ),
            pool_checkout_wait: registered(
                &registry,
                prometheus::Gauge::new(
                    "connector_db_pool_checkout_wait_seconds_total",
                    "Time requests spent waiting for a connection, summed since the start.",
                ),
            ),
            pool_timeouts: gauge(
                "connector_db_pool_checkout_timeouts_total",
                "Requests that waited database.connectTimeoutMs for a connection in vain (503).",
            ),
            hashes_queued: gauge(
                "connector_password_hashes_queued",
                "Token passwords waiting for a hashing thread.",
            ),
            identity: registered(
                &registry,
                IntGaugeVec::new(
                    Opts::new(
                        "connector_identity_info",
                        "1 once the service's identity is settled: its address and whether it was onboarded here or configured.",
                    ),
                    &["address", "source"],
                ),
            ),
            sources: OnceLock::new(),
            registry,
        }
    }

    /// What the gauges read from now on; set once, when start-up has settled them.
    pub fn watch(&self, sources: Sources) {
        self.identity
            .with_label_values(&[sources.address.as_str(), sources.identity_source])
            .set(1);
        // A second call would describe the same service again: keep the first.
        let _ = self.sources.set(sources);
    }

    /// One answered request; `route` is its template (`/api/v2/Files/{id}/Token`).
    pub fn observe_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.http_requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.http_duration
            .with_label_values(&[route, method])
            .observe(elapsed.as_secs_f64());
    }

    /// The text exposition of every metric, the gauges read now.
    pub fn render(&self) -> String {
        if let Some(sources) = self.sources.get() {
            let pool = sources.database.pool_stats();
            self.pool_connections
                .with_label_values(&["in_use"])
                .set(pool.in_use().into());
            self.pool_connections
                .with_label_values(&["idle"])
                .set(pool.idle.into());
            self.pool_max.set(pool.max_size.into());
            self.pool_checkouts.set(saturating_i64(pool.checkouts));
            self.pool_checkout_wait
                .set(Duration::from_micros(pool.checkout_wait_micros).as_secs_f64());
            self.pool_timeouts.set(saturating_i64(pool.timeouts));
            self.hashes_queued
                .set(i64::try_from(sources.hasher.queued()).unwrap_or(i64::MAX));
        }
        let mut text = Vec::new();
        // Encoding into memory fails only for metric families the registry cannot hold.
        if let Err(error) = TextEncoder::new().encode(&self.registry.gather(), &mut text) {
            tracing::error!(%error, "the metrics could not be encoded");
        }
        String::from_utf8(text).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl CallObserver for Metrics {
    fn observe(&self, call: &ObservedCall<'_>) {
        self.backbone_calls
            .with_label_values(&[call.route, call.method, &call.outcome.label()])
            .inc();
        self.backbone_duration
            .with_label_values(&[call.route, call.method])
            .observe(call.elapsed.as_secs_f64());
    }
}

/// Registers `metric`; the names above are valid and distinct, so this cannot fail.
fn registered<M: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    metric: prometheus::Result<M>,
) -> M {
    let metric = metric.unwrap_or_else(|error| unreachable!("a valid metric: {error}"));
    registry
        .register(Box::new(metric.clone()))
        .unwrap_or_else(|error| unreachable!("a metric registered once: {error}"));
    metric
}

fn saturating_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use adapters_backbone::CallOutcome;

    use super::*;

    #[test]
    fn requests_and_backbone_calls_show_up_by_their_labels() {
        let metrics = Metrics::new();
        metrics.observe_request("/api/v2/Files", "GET", 200, Duration::from_millis(3));
        metrics.observe_request("/api/v2/Files", "GET", 200, Duration::from_millis(4));
        metrics.observe(&ObservedCall {
            route: "/api/v2/Tokens",
            method: "POST",
            outcome: CallOutcome::Answered(201),
            elapsed: Duration::from_millis(20),
        });
        metrics.observe(&ObservedCall {
            route: "/api/v2/Tokens",
            method: "POST",
            outcome: CallOutcome::TimedOut,
            elapsed: Duration::from_secs(60),
        });
        let text = metrics.render();
        assert!(
            text.contains(
                r#"connector_http_requests_total{method="GET",route="/api/v2/Files",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(text.contains(
            r#"connector_http_request_duration_seconds_bucket{method="GET",route="/api/v2/Files",le="0.005"} 2"#
        ));
        assert!(text.contains(
            r#"connector_backbone_requests_total{method="POST",outcome="201",route="/api/v2/Tokens"} 1"#
        ));
        assert!(text.contains(
            r#"connector_backbone_requests_total{method="POST",outcome="timeout",route="/api/v2/Tokens"} 1"#
        ));
    }

    #[test]
    fn two_services_count_apart() {
        let (a, b) = (Metrics::new(), Metrics::new());
        a.observe_request("/health", "GET", 200, Duration::ZERO);
        assert!(a.render().contains("connector_http_requests_total"));
        assert!(!b.render().contains("route=\"/health\""));
    }
}
