//! Use cases about Files.

pub mod upload_own;
