//! How onboarding fails; each message says what the operator can do.

use domain::IdentityAddress;

use crate::ports::{BackboneError, RepositoryError};

#[derive(Debug, thiserror::Error)]
pub enum OnboardingError {
    /// No identity is stored and creating one is switched off.
    #[error(
        "no identity is stored and transportLibrary.allowIdentityCreation is false: allow it once, or configure a device with the identity.* settings"
    )]
    CreationNotAllowed,
    /// The local store failed; nothing was sent after the failure.
    #[error("the identity could not be read or stored locally")]
    Storage(#[source] RepositoryError),
    /// A Backbone call failed. The stored keys stay; the next start continues from them.
    #[error("the Backbone refused or failed while {step}")]
    Backbone {
        step: &'static str,
        #[source]
        source: BackboneError,
    },
    /// The Backbone derived another address than this service: their address domains differ.
    /// The identity exists on the Backbone but is not used; the next start replaces it.
    #[error(
        "the Backbone created the identity {backbone} but this service derives {local}: set transportLibrary.addressGenerationHostnameOverride to the Backbone's DidDomainName (the domain in {backbone}) and start again"
    )]
    AddressMismatch {
        backbone: IdentityAddress,
        local: IdentityAddress,
    },
}

impl OnboardingError {
    pub(super) fn backbone(step: &'static str, source: BackboneError) -> Self {
        Self::Backbone { step, source }
    }
}
