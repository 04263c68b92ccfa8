//! `loadPeerToken` (Connector `POST /Tokens/Peer`): a token by its truncated or url reference,
//! read from the Backbone with its password's hash, decrypted with the reference's key and
//! stored here as a peer's Token unless ephemeral (the Connector's default: stored). A Token
//! already stored is answered as it is, as the transport does.

use domain::{PasswordProtection, Token, TokenContent, TokenContentError, TokenReference};
use tracing::Instrument;

use crate::Dependencies;
use crate::ports::{BackboneError, HashingError, RECORD_NOT_FOUND, RepositoryError};

/// One call of `loadPeerToken`, after the route's schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadPeerTokenRequest {
    /// A token reference, truncated or url.
    pub reference: String,
    /// The token's password or PIN, when the reference says it has one.
    pub password: Option<String>,
    /// `None`: stored (the Connector sets `ephemeral ??= false`).
    pub ephemeral: Option<bool>,
    pub correlation_id: Option<String>,
}

/// A loaded Token, and whether it was kept here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedToken {
    pub token: Token,
    pub is_ephemeral: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadPeerTokenError {
    #[error("The given reference is not valid: {0}")]
    InvalidReference(String),
    #[error("The token is password protected, but no password was given.")]
    NoPasswordProvided,
    #[error("The token is personalized for another identity.")]
    NotIntendedForYou,
    /// The Backbone has no such token, or does not show it (expired, wrong password, or
    /// personalized for someone else); its message is kept.
    #[error("{0}")]
    NotFound(String),
    #[error("The given Token has an invalid content for this route.")]
    InvalidContent,
    #[error(transparent)]
    PasswordHashing(#[from] HashingError),
    /// Every other refusal or failure of the Backbone (a locked token is `Rejected` with
    /// `error.platform.token.tooManyFailedPasswordAttempts`).
    #[error(transparent)]
    Backbone(BackboneError),
    #[error("the Token could not be read from or stored in the local store")]
    Storage(#[source] RepositoryError),
}

/// Loads peers' Tokens.
#[derive(Debug)]
pub struct LoadPeerToken {
    deps: Dependencies,
}

impl LoadPeerToken {
    pub fn new(deps: Dependencies) -> Self {
        Self { deps }
    }

    /// The Token `request.reference` leads to.
    ///
    /// # Errors
    /// See [`LoadPeerTokenError`]; nothing is stored on any error.
    pub async fn execute(
        &self,
        request: LoadPeerTokenRequest,
    ) -> Result<LoadedToken, LoadPeerTokenError> {
        let span = tracing::info_span!("load_peer_token", token_id = tracing::field::Empty);
        self.run(request).instrument(span).await
    }

    async fn run(&self, request: LoadPeerTokenRequest) -> Result<LoadedToken, LoadPeerTokenError> {
        let deps = &self.deps;
        let is_ephemeral = request.ephemeral.unwrap_or(false);
        let reference = TokenReference::parse(&request.reference)
            .map_err(|e| LoadPeerTokenError::InvalidReference(e.to_string()))?;
        tracing::Span::current().record("token_id", reference.id.as_str());
        let password_protection = match &reference.password {
            None => None,
            Some(part) => Some(PasswordProtection {
                password: request
                    .password
                    .clone()
                    .ok_or(LoadPeerTokenError::NoPasswordProvided)?,
                password_type: part.password_type,
                salt: part.salt,
                location_indicator: part.location_indicator,
            }),
        };
        if let Some(stored) = self.find(&reference).await? {
            return Ok(LoadedToken {
                token: stored,
                is_ephemeral,
            });
        }
        if let Some(last_four) = &reference.for_identity_last_four
            && !deps.identity.address.as_str().ends_with(last_four.as_str())
        {
            return Err(LoadPeerTokenError::NotIntendedForYou);
        }
        let password_hash = match &password_protection {
            Some(protection) => Some(deps.password_hasher.hash(protection).await?),
            None => None,
        };
        let on_backbone = deps
            .backbone
            .get_token(&reference.id, password_hash, request.correlation_id.clone())
            .await
            .map_err(|error| match error {
                BackboneError::Rejected { code, message } if code == RECORD_NOT_FOUND => {
                    LoadPeerTokenError::NotFound(message)
                }
                error => LoadPeerTokenError::Backbone(error),
            })?;
        let content = TokenContent::decrypt(&on_backbone.content, &reference.key).map_err(
            |error| match error {
                TokenContentError::Unreadable(_)
                | TokenContentError::NotAFile
                | TokenContentError::NotAnObject => LoadPeerTokenError::InvalidContent,
            },
        )?;
        let token = Token {
            id: reference.id.clone(),
            is_own: false,
            created_by: on_backbone.created_by,
            created_by_device: on_backbone.created_by_device,
            content,
            created_at: on_backbone.created_at,
            expires_at: on_backbone.expires_at,
            for_identity: on_backbone.for_identity,
            password_protection,
            secret_key: reference.key.clone(),
        };
        if is_ephemeral {
            return Ok(LoadedToken {
                token,
                is_ephemeral,
            });
        }
        match deps.tokens.insert_token(&token).await {
            Ok(()) => {
                tracing::info!("peer token loaded");
                Ok(LoadedToken {
                    token,
                    is_ephemeral,
                })
            }
            // Loaded meanwhile by a concurrent request: the stored one is the answer.
            Err(RepositoryError::Duplicate(id)) => match self.find(&reference).await? {
                Some(stored) => Ok(LoadedToken {
                    token: stored,
                    is_ephemeral,
                }),
                None => Err(LoadPeerTokenError::Storage(RepositoryError::Duplicate(id))),
            },
            Err(error) => Err(LoadPeerTokenError::Storage(error)),
        }
    }

    async fn find(&self, reference: &TokenReference) -> Result<Option<Token>, LoadPeerTokenError> {
        self.deps
            .tokens
            .find_token(&reference.id)
            .await
            .map_err(LoadPeerTokenError::Storage)
    }
}
