//! `createOwnToken` (Connector `POST /Tokens/Own`): a token with any JSON object as content,
//! encrypted under a fresh key as the transport does, created on the Backbone and stored here
//! unless ephemeral (the Connector's default: stored), deleted there again if storing fails.

use domain::date::truncate_to_millis;
use domain::{PasswordProtection, Token, TokenContent, TokenId};
use tracing::Instrument;

use super::create_for_file::rules::{ValidPassword, future_expiry, recipient, valid_password};
use super::create_for_file::{CreatedToken, PasswordInput};
use crate::Dependencies;
use crate::ports::{BackboneError, HashingError, NewBackboneToken, RepositoryError};
use crate::{ValidationError, Withdrawal};

/// A `content` that is no token content (no JSON object, or a broken `TokenContentFile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenContentRefused;

/// One call of `createOwnToken`, after the route's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOwnTokenRequest {
    /// `content` as read at the edge ([`TokenContent::from_json`]); a content that is none is
    /// refused after the other rules, where the runtime refuses it.
    pub content: Result<TokenContent, TokenContentRefused>,
    /// `expiresAt`: text of the runtime's ISO 8601 shape, not yet read as an instant.
    pub expires_at: String,
    /// `None`: stored (the Connector sets `ephemeral ??= false`).
    pub ephemeral: Option<bool>,
    /// `forIdentity`: text matching the schema's address pattern, checksum not yet checked.
    pub for_identity: Option<String>,
    pub password_protection: Option<PasswordInput>,
    pub correlation_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateOwnTokenError {
    /// The request is invalid; nothing was created.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The content is no JSON object, or a broken `TokenContentFile`.
    #[error("The given Token has an invalid content for this route.")]
    InvalidContent,
    #[error(transparent)]
    PasswordHashing(#[from] HashingError),
    /// The Backbone did not create the token; nothing was stored.
    #[error(transparent)]
    Backbone(#[from] BackboneError),
    /// Created on the Backbone, not stored here, and deleted there again (see `withdrawal`).
    #[error(
        "token {token_id} was created on the Backbone but could not be stored locally; {withdrawal}"
    )]
    NotStored {
        token_id: TokenId,
        #[source]
        source: RepositoryError,
        withdrawal: Withdrawal,
    },
}

/// Creates own Tokens of any content.
#[derive(Debug)]
pub struct CreateOwnToken {
    deps: Dependencies,
}

impl CreateOwnToken {
    pub fn new(deps: Dependencies) -> Self {
        Self { deps }
    }

    /// Runs the use case.
    ///
    /// # Errors
    /// See [`CreateOwnTokenError`]: the rules fail before anything is created, a Backbone
    /// failure stores nothing.
    pub async fn execute(
        &self,
        request: CreateOwnTokenRequest,
    ) -> Result<CreatedToken, CreateOwnTokenError> {
        let span = tracing::info_span!("create_own_token", token_id = tracing::field::Empty);
        self.run(request).instrument(span).await
    }

    async fn run(
        &self,
        request: CreateOwnTokenRequest,
    ) -> Result<CreatedToken, CreateOwnTokenError> {
        let deps = &self.deps;
        // The runtime's order: schema (done), future expiry, PIN, indicator, then the content.
        let expires_at = truncate_to_millis(future_expiry(&request.expires_at, deps.clock.now())?);
        let password = request
            .password_protection
            .map(valid_password)
            .transpose()?;
        let content = request
            .content
            .map_err(|TokenContentRefused| CreateOwnTokenError::InvalidContent)?;
        let for_identity = request.for_identity.as_deref().map(recipient).transpose()?;
        let is_ephemeral = request.ephemeral.unwrap_or(false);

        let secret_key = deps.random.secret_key();
        let encrypted = content
            .encrypt(&secret_key, deps.random.nonce())
            .to_backbone_content();
        let password_protection = password.map(|password| self.protect(password));
        let password_hash = match &password_protection {
            Some(protection) => Some(deps.password_hasher.hash(protection).await?),
            None => None,
        };
        let new_token = NewBackboneToken {
            content: encrypted,
            expires_at,
            for_identity: for_identity.clone(),
            password_hash,
        };
        let created = deps
            .backbone
            .create_token(&new_token, request.correlation_id.clone())
            .await?;
        tracing::Span::current().record("token_id", created.id.as_str());
        let token = Token {
            id: created.id,
            is_own: true,
            created_by: deps.identity.address.clone(),
            created_by_device: deps.identity.device_id.clone(),
            content,
            created_at: truncate_to_millis(created.created_at),
            expires_at,
            for_identity,
            password_protection,
            secret_key,
        };
        if !is_ephemeral && let Err(source) = deps.tokens.insert_token(&token).await {
            let withdrawal = match deps
                .backbone
                .delete_token(&token.id, request.correlation_id)
                .await
            {
                Ok(()) => Withdrawal::Deleted,
                Err(error) => Withdrawal::Failed(error),
            };
            return Err(CreateOwnTokenError::NotStored {
                token_id: token.id,
                source,
                withdrawal,
            });
        }
        tracing::info!(is_ephemeral, "own token created");
        Ok(CreatedToken {
            token,
            is_ephemeral,
        })
    }

    fn protect(&self, password: ValidPassword) -> PasswordProtection {
        PasswordProtection {
            password: password.password,
            password_type: password.password_type,
            salt: self.deps.random.salt(),
            location_indicator: password.location_indicator,
        }
    }
}
