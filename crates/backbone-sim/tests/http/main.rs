//! HTTP tests of the Backbone simulator: a real server on a free port per test, a real client.

mod admin;
mod binary;
mod challenges;
mod create_token;
mod faults;
mod file_faults;
mod file_persistence;
mod file_refusals;
mod file_scenarios;
mod file_support;
mod files;
mod identities;
mod login;
mod onboard;
mod onboarding_faults;
mod persistence;
mod sdk_scenarios;
mod support;
mod sync_runs;
mod token_access;
