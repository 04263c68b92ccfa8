//! The use case itself: one `execute` per HTTP request.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::date::{format_date, truncate_to_millis};
use domain::{
    DeviceId, File, FileId, IdentityAddress, PasswordProtection, Token, TokenContentFile, TokenId,
};
use serde_json::{Map, Value};
use tracing::{Instrument, info_span};

use super::dto::TokenDto;
use super::error::{CreateTokenForFileError, ValidationError, Withdrawal};
use super::hashing::PasswordHasher;
use super::validation::{PasswordRequest, ValidRequest, validate};
use crate::ports::{
    BackboneTokens, Clock, FileRepository, NewBackboneToken, RandomSource, TokenRepository,
};

/// Who this service is on the Backbone: tokens it creates carry these as creator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceIdentity {
    pub address: IdentityAddress,
    pub device_id: DeviceId,
}

/// One call of the route.
#[derive(Debug, Clone, Default)]
pub struct CreateTokenForFileRequest {
    /// The path's `{id}`, unchecked.
    pub file_id: String,
    /// The JSON body (an empty map when there was none).
    pub body: Map<String, Value>,
    /// A QR code was asked for: the token is never stored.
    pub force_ephemeral: bool,
    pub correlation_id: Option<String>,
}

/// Creates a Token for a locally known File. Cheap to share: hold it in an `Arc`.
pub struct CreateTokenForFile {
    files: Arc<dyn FileRepository>,
    tokens: Arc<dyn TokenRepository>,
    backbone: Arc<dyn BackboneTokens>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn RandomSource>,
    identity: ServiceIdentity,
    backbone_base_url: String,
    hasher: PasswordHasher,
}

impl std::fmt::Debug for CreateTokenForFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateTokenForFile")
            .field("identity", &self.identity)
            .field("backbone_base_url", &self.backbone_base_url)
            .finish_non_exhaustive()
    }
}

impl CreateTokenForFile {
    pub fn new(
        files: Arc<dyn FileRepository>,
        tokens: Arc<dyn TokenRepository>,
        backbone: Arc<dyn BackboneTokens>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn RandomSource>,
        identity: ServiceIdentity,
        backbone_base_url: String,
    ) -> Self {
        Self {
            files,
            tokens,
            backbone,
            clock,
            random,
            identity,
            backbone_base_url,
            hasher: PasswordHasher::per_core(),
        }
    }

    /// Runs the use case.
    ///
    /// # Errors
    /// See [`CreateTokenForFileError`]: validation and lookup failures happen before anything is
    /// created; a Backbone failure stores nothing; `NotStored` means the Backbone has a token
    /// this service could not keep.
    pub async fn execute(
        &self,
        request: CreateTokenForFileRequest,
    ) -> Result<TokenDto, CreateTokenForFileError> {
        let span = info_span!(
            "create_token_for_file",
            file_id = %request.file_id,
            correlation_id = request.correlation_id.as_deref(),
            token_id = tracing::field::Empty,
        );
        self.run(request).instrument(span).await
    }

    async fn run(
        &self,
        request: CreateTokenForFileRequest,
    ) -> Result<TokenDto, CreateTokenForFileError> {
        let now = self.clock.now();
        let valid = validate(&request.file_id, &request.body, now)?;
        let file = self.find_file(&valid.file_id).await?;
        let for_identity = valid
            .for_identity
            .as_deref()
            .map(IdentityAddress::parse)
            .transpose()
            .map_err(|e| ValidationError::new(format!("forIdentity {e}")))?;
        let expires_at = truncate_to_millis(effective_expiry(&valid, &file, now)?);
        let is_ephemeral = request.force_ephemeral || valid.ephemeral.unwrap_or(true);

        let secret_key = self.random.secret_key();
        let content = TokenContentFile {
            file_id: file.id.clone(),
            secret_key: file.secret_key.clone(),
        };
        let encrypted = content
            .encrypt(&secret_key, self.random.nonce())
            .to_backbone_content();
        let password_protection = valid.password.map(|password| self.protect(password));
        let password_hash = match &password_protection {
            Some(protection) => Some(self.hasher.hash(protection.clone()).await),
            None => None,
        };

        let new_token = NewBackboneToken {
            content: encrypted,
            expires_at,
            for_identity: for_identity.clone(),
            password_hash,
        };
        let created = self
            .backbone
            .create_token(&new_token, request.correlation_id.clone())
            .await?;
        tracing::Span::current().record("token_id", tracing::field::display(&created.id));

        let token = Token {
            id: created.id,
            created_by: self.identity.address.clone(),
            created_by_device: self.identity.device_id.clone(),
            content,
            created_at: truncate_to_millis(created.created_at),
            expires_at,
            for_identity,
            password_protection,
            secret_key,
        };
        if !is_ephemeral && let Err(source) = self.tokens.insert_token(&token).await {
            let withdrawal = self.withdraw(&token.id, request.correlation_id).await;
            return Err(CreateTokenForFileError::NotStored {
                token_id: token.id,
                source,
                withdrawal,
            });
        }
        tracing::info!(is_ephemeral, "token created");
        Ok(TokenDto::new(&token, is_ephemeral, &self.backbone_base_url))
    }

    /// Deletes a token that could not be stored, so that no token exists that this service
    /// does not know (the client never got its reference).
    async fn withdraw(&self, id: &TokenId, correlation_id: Option<String>) -> Withdrawal {
        match self.backbone.delete_token(id, correlation_id).await {
            Ok(()) => {
                tracing::warn!("the token could not be stored, so it was deleted on the Backbone");
                Withdrawal::Deleted
            }
            Err(error) => Withdrawal::Failed(error),
        }
    }

    /// Only the local store is asked; an id outside the strict format cannot be stored.
    async fn find_file(&self, file_id: &str) -> Result<File, CreateTokenForFileError> {
        let Ok(file_id) = FileId::parse(file_id) else {
            return Err(CreateTokenForFileError::FileNotFound);
        };
        self.files
            .find_file(&file_id)
            .await
            .map_err(CreateTokenForFileError::FileLookup)?
            .ok_or(CreateTokenForFileError::FileNotFound)
    }

    fn protect(&self, request: PasswordRequest) -> PasswordProtection {
        PasswordProtection {
            password: request.password,
            password_type: request.password_type,
            salt: self.random.salt(),
            location_indicator: request.location_indicator,
        }
    }
}

/// The requested expiry, else the File's; a File whose expiry has passed needs an explicit one
/// (the Backbone would refuse the token, and the reference then answers a bare 500).
fn effective_expiry(
    valid: &ValidRequest,
    file: &File,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, ValidationError> {
    match valid.expires_at {
        Some(requested) => Ok(requested),
        None if file.expires_at > now => Ok(file.expires_at),
        None => Err(ValidationError::new(format!(
            "The File expired at {}, so the token cannot default to the File's expiry: pass an 'expiresAt' in the future",
            format_date(file.expires_at)
        ))),
    }
}
