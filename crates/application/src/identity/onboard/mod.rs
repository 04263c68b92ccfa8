//! `onboard`: at start-up, make sure this service has an identity and a device on the
//! Backbone, creating them as the runtime's first start does when none is stored
//! (challenge → sign → `POST /api/v2/Identities` → datawallet version upgrade).
//!
//! Safe against lost answers and concurrent starts: the keys and device password are stored
//! before the Backbone hears of them, the answer right after; every step runs under one lock
//! shared by every instance on the database, so they make exactly one identity.

mod error;
mod use_case;

pub use error::OnboardingError;
pub use use_case::{
    OnboardIdentity, OnboardedIdentity, OnboardingDependencies, OnboardingSettings,
};

#[cfg(test)]
mod tests;
