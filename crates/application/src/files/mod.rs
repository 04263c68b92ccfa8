//! Use cases about Files.

pub mod download;
pub mod get;
pub mod list;
pub mod load_peer;
pub mod manage;
pub mod upload_own;

#[cfg(test)]
mod load_peer_tests;
#[cfg(test)]
mod tests;
