//! System tests: the real `connector` on port 0 with a fresh PostgreSQL database and the
//! Backbone simulator, exercised over HTTP as clients use it.

// Test helpers fail loudly on purpose: a panic is the test failing.
#![allow(clippy::unwrap_used)]

mod api_keys;
mod backbone_failures;
mod cors;
mod create_token;
mod http_surface;
mod idempotency;
mod list_files;
mod load_peer_file;
mod manage_file;
mod metrics;
mod no_lost_tokens;
mod onboarding;
mod openapi;
mod qr_codes;
mod upload_file;
mod validation;
