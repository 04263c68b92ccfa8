//! Use cases about Tokens.

pub mod create_for_file;
