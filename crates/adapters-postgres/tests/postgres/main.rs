//! The PostgreSQL adapters against a real PostgreSQL (`DATABASE_URL`, default the local server):
//! every test gets a fresh database of its own. One binary, so it links once.

mod availability;
mod files;
mod fixtures;
mod migrations;
mod tokens;
