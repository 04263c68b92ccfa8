//! Who this service is on the Backbone, settled before it serves: its own identity (onboarded
//! at the first start, read from the database afterwards) or the device the operator configured.

use std::sync::Arc;
use std::time::Duration;

use adapters_backbone::{BackboneConfigError, HttpBackboneIdentities};
use application::ServiceIdentity;
use application::identity::onboard::{
    OnboardIdentity, OnboardingDependencies, OnboardingError, OnboardingSettings,
};
use application::ports::DeviceLogin;
use domain::{DevicePassword, SignaturePublicKey, SigningKeyPair};
use secrecy::ExposeSecret;

use crate::config::{BackboneConfig, IdentitySource, RemoteBackbone};
use crate::random::OsRandom;
use crate::storage::Storage;

/// The identity the use cases act as, and how its device logs in.
#[derive(Debug)]
pub struct ResolvedIdentity {
    pub service: ServiceIdentity,
    pub login: DeviceLogin,
    /// Known for an onboarded identity; a configured device brings only its login.
    pub public_key: Option<SignaturePublicKey>,
    /// Signs what this device uploads. A configured device's own key never reached this
    /// service, so it gets a fresh one each start: the Backbone never learns device keys and
    /// nobody verifies the signature, which only has to be well-formed.
    pub device_key: SigningKeyPair,
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("invalid Backbone settings")]
    BackboneConfig(#[from] BackboneConfigError),
    #[error("could not set up this service's identity on the Backbone at {base_url}")]
    Onboarding {
        base_url: String,
        #[source]
        source: OnboardingError,
    },
}

/// The Backbone client settings shared by every client this service builds.
pub fn backbone_client_config(
    backbone: &BackboneConfig,
    request_timeout: Duration,
) -> adapters_backbone::BackboneConfig {
    adapters_backbone::BackboneConfig {
        request_timeout,
        ..adapters_backbone::BackboneConfig::new(
            backbone.base_url.clone(),
            backbone.platform_client_id.clone(),
            backbone.platform_client_secret.clone(),
        )
    }
}

/// Settles the identity; onboarding (see `application::identity::onboard`) runs here and makes
/// Backbone calls only when no identity is stored yet.
///
/// # Errors
/// An [`IdentityError`] saying what failed and what to do.
pub async fn resolve(
    remote: &RemoteBackbone,
    request_timeout: Duration,
    storage: &Storage,
) -> Result<ResolvedIdentity, IdentityError> {
    match &remote.identity {
        IdentitySource::Configured(configured) => Ok(ResolvedIdentity {
            service: ServiceIdentity {
                address: configured.address.clone(),
                device_id: configured.device_id.clone(),
            },
            login: DeviceLogin {
                username: configured.device_username.clone(),
                password: DevicePassword::new(
                    configured.device_password.expose_secret().to_owned(),
                ),
            },
            public_key: None,
            device_key: SigningKeyPair::generate(&mut rand::rngs::OsRng),
        }),
        IdentitySource::Onboarded(onboarding) => {
            let backbone = HttpBackboneIdentities::new(&backbone_client_config(
                &remote.backbone,
                request_timeout,
            ))?;
            let onboarded = OnboardIdentity::new(
                OnboardingDependencies {
                    identities: storage.identity_repository(onboarding.secrets_key.0.clone()),
                    backbone: Arc::new(backbone),
                    random: Arc::new(OsRandom),
                },
                OnboardingSettings {
                    address_domain: onboarding.address_domain.clone(),
                    allow_identity_creation: onboarding.allow_identity_creation,
                },
            )
            .execute()
            .await
            .map_err(|source| IdentityError::Onboarding {
                base_url: remote.backbone.base_url.clone(),
                source,
            })?;
            Ok(ResolvedIdentity {
                login: onboarded.login(),
                service: ServiceIdentity {
                    address: onboarded.address,
                    device_id: onboarded.device.id,
                },
                public_key: Some(onboarded.public_key),
                device_key: SigningKeyPair::from_seed(onboarded.secrets.device_seed),
            })
        }
    }
}
