//! The use case itself: run once at start-up.

use std::sync::Arc;

use domain::{AddressDomain, IdentityAddress, SignaturePublicKey, SigningKeyPair};
use tracing::Instrument;

use super::error::OnboardingError;
use crate::ports::{
    ADDRESS_ALREADY_EXISTS, BackboneError, BackboneIdentities, DeviceLogin, IdentityRepository,
    IdentitySecrets, NewIdentity, OnboardedDevice, RandomSource, StoredIdentity,
};

/// The ports onboarding drives (it runs before the token use cases can be built).
#[derive(Clone)]
pub struct OnboardingDependencies {
    pub identities: Arc<dyn IdentityRepository>,
    pub backbone: Arc<dyn BackboneIdentities>,
    pub random: Arc<dyn RandomSource>,
}

impl std::fmt::Debug for OnboardingDependencies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnboardingDependencies")
            .finish_non_exhaustive()
    }
}

/// The Connector's settings for the first start.
#[derive(Debug, Clone)]
pub struct OnboardingSettings {
    /// The Backbone's `DidDomainName`, from which addresses are derived.
    pub address_domain: AddressDomain,
    /// `transportLibrary.allowIdentityCreation`.
    pub allow_identity_creation: bool,
}

/// The identity this service acts as, ready to use.
#[derive(Debug)]
pub struct OnboardedIdentity {
    pub address: IdentityAddress,
    pub public_key: SignaturePublicKey,
    pub device: OnboardedDevice,
    pub secrets: IdentitySecrets,
}

impl OnboardedIdentity {
    /// The device's login on the Backbone.
    pub fn login(&self) -> DeviceLogin {
        DeviceLogin {
            username: self.device.username.clone(),
            password: self.secrets.device_password.clone(),
        }
    }
}

/// Makes sure this service has an identity on the Backbone.
#[derive(Debug)]
pub struct OnboardIdentity {
    deps: OnboardingDependencies,
    settings: OnboardingSettings,
}

impl OnboardIdentity {
    pub fn new(deps: OnboardingDependencies, settings: OnboardingSettings) -> Self {
        Self { deps, settings }
    }

    /// Returns the stored identity, creating it on the Backbone first when there is none.
    ///
    /// An identity already stored (the usual restart) costs one read and no Backbone call.
    /// Otherwise this waits for the onboarding lock, so that of several instances starting
    /// together one creates the identity and the others then read it.
    ///
    /// # Errors
    /// See [`OnboardingError`]. Whatever fails, the stored keys are kept, so the next start
    /// resumes: with the answer lost, it finds the key taken and starts over with fresh keys.
    pub async fn execute(&self) -> Result<OnboardedIdentity, OnboardingError> {
        let span = tracing::info_span!("onboard_identity", address = tracing::field::Empty);
        async {
            if let Some(stored) = self.find().await?
                && stored.datawallet_initialized
                && let Some(ready) = usable(stored)
            {
                return Ok(ready);
            }
            let _lock = self
                .deps
                .identities
                .lock_onboarding()
                .await
                .map_err(OnboardingError::storage)?;
            // Another instance may have finished while this one waited.
            let identity = match self.find().await? {
                Some(stored) => stored,
                None if self.settings.allow_identity_creation => self.generate().await?,
                None => return Err(OnboardingError::CreationNotAllowed),
            };
            let identity = match identity.device {
                Some(_) => identity,
                None => self.create_on_backbone(identity).await?,
            };
            let identity = self.initialize_datawallet(identity).await?;
            tracing::Span::current().record("address", identity.address.as_str());
            Ok(usable(identity).unwrap_or_else(|| unreachable!("created on the Backbone by now")))
        }
        .instrument(span)
        .await
    }

    async fn find(&self) -> Result<Option<StoredIdentity>, OnboardingError> {
        self.deps
            .identities
            .find_identity()
            .await
            .map_err(OnboardingError::storage)
    }

    async fn save(&self, identity: &StoredIdentity) -> Result<(), OnboardingError> {
        self.deps
            .identities
            .save_identity(identity)
            .await
            .map_err(OnboardingError::storage)
    }

    /// Fresh keys and password, stored before the Backbone hears of them.
    async fn generate(&self) -> Result<StoredIdentity, OnboardingError> {
        let random = &self.deps.random;
        let identity_key = random.signing_key_pair();
        let public_key = identity_key.public_key();
        let identity = StoredIdentity {
            address: IdentityAddress::derive(&public_key, &self.settings.address_domain),
            public_key,
            secrets: IdentitySecrets {
                identity_seed: identity_key.seed(),
                device_seed: random.signing_key_pair().seed(),
                device_password: random.device_password(),
            },
            device: None,
            datawallet_initialized: false,
        };
        self.save(&identity).await?;
        tracing::info!(address = %identity.address, "new identity keys stored");
        Ok(identity)
    }

    /// Creates the stored, not yet created identity. A key the Backbone already knows was
    /// created by an earlier attempt whose answer never arrived: that identity has a device
    /// nobody knows the login of, so it is abandoned and fresh keys take its place.
    async fn create_on_backbone(
        &self,
        mut identity: StoredIdentity,
    ) -> Result<StoredIdentity, OnboardingError> {
        // The address domain may have been corrected since the keys were stored.
        identity.address =
            IdentityAddress::derive(&identity.public_key, &self.settings.address_domain);
        let address = identity.address.clone();
        match self.create(identity).await {
            Err(OnboardingError::Backbone {
                source: BackboneError::Rejected { code, .. },
                ..
            }) if code == ADDRESS_ALREADY_EXISTS => {
                tracing::warn!(
                    abandoned = %address,
                    "the Backbone already has this identity: an earlier start created it but its answer was lost; creating a new one with fresh keys"
                );
                let fresh = self.generate().await?;
                self.create(fresh).await
            }
            created => created,
        }
    }

    /// One attempt: challenge, signature, creation; the answer is stored at once.
    async fn create(
        &self,
        mut identity: StoredIdentity,
    ) -> Result<StoredIdentity, OnboardingError> {
        let backbone = &self.deps.backbone;
        let challenge = backbone
            .create_challenge()
            .await
            .map_err(|source| OnboardingError::backbone("asking for a challenge", source))?;
        let signed_challenge = challenge.signing_string();
        let identity_key = SigningKeyPair::from_seed(identity.secrets.identity_seed);
        let request = NewIdentity {
            public_key: identity.public_key,
            signature: identity_key.sign(signed_challenge.as_bytes()),
            signed_challenge,
            device_password: identity.secrets.device_password.clone(),
        };
        let created = backbone
            .create_identity(&request)
            .await
            .map_err(|source| OnboardingError::backbone("creating the identity", source))?;
        if created.address != identity.address {
            return Err(OnboardingError::AddressMismatch {
                backbone: created.address,
                local: identity.address,
            });
        }
        identity.device = Some(OnboardedDevice {
            id: created.device_id,
            username: created.device_username,
            created_at: created.created_at,
        });
        self.save(&identity).await?;
        tracing::info!(address = %identity.address, "identity created on the Backbone");
        Ok(identity)
    }

    /// The runtime's first sync run. Not needed for tokens or files, so a failure only warns;
    /// the next start tries again.
    async fn initialize_datawallet(
        &self,
        mut identity: StoredIdentity,
    ) -> Result<StoredIdentity, OnboardingError> {
        if identity.datawallet_initialized {
            return Ok(identity);
        }
        let Some(device) = &identity.device else {
            return Ok(identity);
        };
        let login = DeviceLogin {
            username: device.username.clone(),
            password: identity.secrets.device_password.clone(),
        };
        match self.deps.backbone.initialize_datawallet(&login).await {
            Ok(()) => {
                identity.datawallet_initialized = true;
                self.save(&identity).await?;
            }
            Err(error) => tracing::warn!(
                error = %error,
                "could not initialise the datawallet version on the Backbone; the next start tries again"
            ),
        }
        Ok(identity)
    }
}

/// The identity, if it was created on the Backbone.
fn usable(identity: StoredIdentity) -> Option<OnboardedIdentity> {
    let device = identity.device?;
    Some(OnboardedIdentity {
        address: identity.address,
        public_key: identity.public_key,
        device,
        secrets: identity.secrets,
    })
}
