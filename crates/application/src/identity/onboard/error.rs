//! How onboarding fails; each message says what the operator can do.

use domain::IdentityAddress;

use crate::ports::{BackboneError, RepositoryError};

/// The Backbone's code for a platform client it does not accept (a 400 on `POST /Identities`).
const PLATFORM_CLIENT_INVALID: &str = "error.platform.unauthorized";

#[derive(Debug, thiserror::Error)]
pub enum OnboardingError {
    /// No identity is stored and creating one is switched off.
    #[error(
        "no identity is stored and transportLibrary.allowIdentityCreation is false: allow it once, or configure a device with the identity.* settings"
    )]
    CreationNotAllowed,
    /// The stored secrets do not open with the configured secrets key.
    #[error(
        "the stored identity {address} cannot be opened with the configured secrets key: configure the key it was stored with (secrets.key or secrets.keyFile); if that key is lost, so is the identity (README: \"Keep the secrets key\")"
    )]
    WrongSecretsKey { address: String },
    /// The Backbone does not know the platform client (or its secret).
    #[error(
        "the Backbone refused the platform client: check transportLibrary.platformClientId and transportLibrary.platformClientSecret"
    )]
    PlatformClientInvalid,
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
    pub(super) fn storage(source: RepositoryError) -> Self {
        match source {
            RepositoryError::Undecryptable { id } => Self::WrongSecretsKey { address: id },
            source => Self::Storage(source),
        }
    }

    pub(super) fn backbone(step: &'static str, source: BackboneError) -> Self {
        match source {
            // As the runtime, which answers `platformClientInvalid` for this code.
            BackboneError::Rejected { code, .. } if code == PLATFORM_CLIENT_INVALID => {
                Self::PlatformClientInvalid
            }
            source => Self::Backbone { step, source },
        }
    }
}
