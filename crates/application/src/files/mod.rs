//! Use cases about Files.

pub mod download;
pub mod get;
pub mod upload_own;

#[cfg(test)]
mod tests;
