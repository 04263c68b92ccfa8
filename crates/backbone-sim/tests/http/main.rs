//! HTTP tests of the Backbone simulator: a real server on a free port per test, a real client.

mod admin;
mod binary;
mod create_token;
mod faults;
mod login;
mod persistence;
mod support;
mod token_access;
