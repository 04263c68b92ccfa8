//! The `connector` service: configuration, wiring of the ports to their adapters, and the
//! actix-web HTTP surface. The only crate that knows actix-web.

pub mod config;
pub mod demo;
pub mod http;
pub mod idempotency;
pub mod identity;
pub mod local;
pub mod metrics;
pub mod random;
pub mod startup;
pub mod state;
pub mod storage;
pub mod telemetry;
