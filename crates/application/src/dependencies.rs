//! What every use case is built from: the ports, and who this service is on the Backbone. One
//! struct, so a new use case (or port) does not grow every constructor.

use std::sync::Arc;

use domain::{DeviceId, IdentityAddress, SigningKeyPair};

use crate::ports::{
    BackboneFiles, BackboneTokens, Clock, FileRepository, PasswordHasher, RandomSource,
    TokenRepository,
};

/// Who this service is on the Backbone: what it creates carries these as creator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceIdentity {
    pub address: IdentityAddress,
    pub device_id: DeviceId,
}

/// The adapters behind every port; cheap to clone (each is shared).
#[derive(Clone)]
pub struct Dependencies {
    pub files: Arc<dyn FileRepository>,
    pub tokens: Arc<dyn TokenRepository>,
    pub backbone: Arc<dyn BackboneTokens>,
    pub backbone_files: Arc<dyn BackboneFiles>,
    pub password_hasher: Arc<dyn PasswordHasher>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn RandomSource>,
    pub identity: ServiceIdentity,
    /// The device's signing key: uploads carry its signature (which no one verifies, but which
    /// must be well-formed for peers to load the File).
    pub device_key: Arc<SigningKeyPair>,
}

impl std::fmt::Debug for Dependencies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dependencies")
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}
