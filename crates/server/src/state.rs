//! What every request handler shares.

use std::sync::Arc;

use application::UseCases;
use async_trait::async_trait;
use domain::{IdentityAddress, SignaturePublicKey};

/// Reachability of the service's dependencies, for `/health`.
#[async_trait]
pub trait HealthProbes: Send + Sync {
    async fn database(&self) -> bool;
    async fn backbone_connection(&self) -> bool;
    async fn backbone_authentication(&self) -> bool;
}

pub struct AppState {
    pub use_cases: Arc<UseCases>,
    pub health: Arc<dyn HealthProbes>,
    pub max_body_bytes: usize,
    /// Where the tokens live; references point there.
    pub backbone_base_url: String,
    pub identity: IdentityInfo,
}

/// What `GET /Account/IdentityInfo` shows.
#[derive(Debug, Clone)]
pub struct IdentityInfo {
    pub address: IdentityAddress,
    /// `None` for a configured device, whose identity key this service never saw.
    pub public_key: Option<SignaturePublicKey>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("backbone_base_url", &self.backbone_base_url)
            .finish_non_exhaustive()
    }
}
