//! The SQLite adapters against real database files: every test gets a fresh file in a temporary
//! directory of its own. One binary, so it links once.
//!
//! The repository behaviour itself is the shared contract suite (`contract`), the same that runs
//! against PostgreSQL; the other modules test what only SQLite has.

mod availability;
mod contract;
mod file_content;
mod migrations;
mod peer_tokens;
