//! Use cases about this service's own identity.

pub mod onboard;
