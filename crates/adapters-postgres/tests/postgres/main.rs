//! The PostgreSQL adapters against a real PostgreSQL (`DATABASE_URL`, default the local server):
//! every test gets a fresh database of its own. One binary, so it links once.
//!
//! The repository behaviour itself is the shared contract suite (`contract`); the other modules
//! test what only PostgreSQL has.

mod availability;
mod contract;
mod migrations;
mod statements;
