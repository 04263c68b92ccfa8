//! Use cases about Tokens.

pub mod create_for_file;
pub mod create_own;
pub mod list;
pub mod load_peer;
pub mod manage;

#[cfg(test)]
mod tests;
