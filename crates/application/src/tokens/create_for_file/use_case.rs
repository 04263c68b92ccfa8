//! The use case itself: one `execute` per HTTP request.

use chrono::{DateTime, Utc};
use domain::date::{format_date, truncate_to_millis};
use domain::{File, FileId, PasswordProtection, Token, TokenContentFile, TokenId};
use tracing::{Instrument, info_span};

use super::error::{CreateTokenForFileError, ValidationError, Withdrawal};
use super::request::CreateTokenForFileRequest;
use super::rules::{ValidPassword, future_expiry, recipient, valid_password};
use crate::Dependencies;
use crate::ports::NewBackboneToken;

/// What the use case made: the token, and whether it was kept here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedToken {
    pub token: Token,
    /// Not stored here (asked for, or a QR code).
    pub is_ephemeral: bool,
}

/// Creates a Token for a locally known File. Cheap to share: hold it in an `Arc`.
#[derive(Debug)]
pub struct CreateTokenForFile {
    deps: Dependencies,
}

impl CreateTokenForFile {
    pub fn new(deps: Dependencies) -> Self {
        Self { deps }
    }

    /// Runs the use case.
    ///
    /// # Errors
    /// See [`CreateTokenForFileError`]: rule and lookup failures happen before anything is
    /// created; a Backbone failure stores nothing; `NotStored` means the Backbone accepted a
    /// token this service could not keep (and tried to delete again).
    pub async fn execute(
        &self,
        request: CreateTokenForFileRequest,
    ) -> Result<CreatedToken, CreateTokenForFileError> {
        let span = info_span!(
            "create_token_for_file",
            file_id = request.file_id.as_ref().map(FileId::as_str),
            correlation_id = request.correlation_id.as_deref(),
            token_id = tracing::field::Empty,
        );
        self.run(request).instrument(span).await
    }

    async fn run(
        &self,
        request: CreateTokenForFileRequest,
    ) -> Result<CreatedToken, CreateTokenForFileError> {
        let deps = &self.deps;
        let now = deps.clock.now();
        // The runtime's rules, in its order; then the lookup; then what the Backbone would refuse.
        let requested_expiry = request
            .expires_at
            .as_deref()
            .map(|text| future_expiry(text, now))
            .transpose()?;
        let password = request
            .password_protection
            .map(valid_password)
            .transpose()?;
        let file = self.find_file(request.file_id.as_ref()).await?;
        let for_identity = request.for_identity.as_deref().map(recipient).transpose()?;
        let expires_at = truncate_to_millis(effective_expiry(requested_expiry, &file, now)?);
        let is_ephemeral = request.force_ephemeral || request.ephemeral.unwrap_or(true);

        let secret_key = deps.random.secret_key();
        let content = TokenContentFile {
            file_id: file.id.clone(),
            secret_key: file.secret_key.clone(),
        };
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
        tracing::Span::current().record("token_id", tracing::field::display(&created.id));

        let token = Token {
            id: created.id,
            is_own: true,
            created_by: deps.identity.address.clone(),
            created_by_device: deps.identity.device_id.clone(),
            content: content.into(),
            created_at: truncate_to_millis(created.created_at),
            expires_at,
            for_identity,
            password_protection,
            secret_key,
        };
        if !is_ephemeral && let Err(source) = deps.tokens.insert_token(&token).await {
            let withdrawal = self.withdraw(&token.id, request.correlation_id).await;
            return Err(CreateTokenForFileError::NotStored {
                token_id: token.id,
                source,
                withdrawal,
            });
        }
        tracing::info!(is_ephemeral, "token created");
        Ok(CreatedToken {
            token,
            is_ephemeral,
        })
    }

    /// Only the local store is asked; an id outside the strict format cannot be stored.
    async fn find_file(&self, file_id: Option<&FileId>) -> Result<File, CreateTokenForFileError> {
        let Some(file_id) = file_id else {
            return Err(CreateTokenForFileError::FileNotFound);
        };
        self.deps
            .files
            .find_file(file_id)
            .await
            .map_err(CreateTokenForFileError::FileLookup)?
            .ok_or(CreateTokenForFileError::FileNotFound)
    }

    fn protect(&self, password: ValidPassword) -> PasswordProtection {
        PasswordProtection {
            password: password.password,
            password_type: password.password_type,
            salt: self.deps.random.salt(),
            location_indicator: password.location_indicator,
        }
    }

    /// Deletes a token that could not be stored, so that no token exists that this service
    /// does not know (the client never got its reference).
    async fn withdraw(&self, id: &TokenId, correlation_id: Option<String>) -> Withdrawal {
        match self.deps.backbone.delete_token(id, correlation_id).await {
            Ok(()) => {
                tracing::warn!("the token could not be stored, so it was deleted on the Backbone");
                Withdrawal::Deleted
            }
            Err(error) => Withdrawal::Failed(error),
        }
    }
}

/// The requested expiry, else the File's; a File whose expiry has passed needs an explicit one
/// (the Backbone would refuse the token, and the reference then answers a bare 500).
fn effective_expiry(
    requested: Option<DateTime<Utc>>,
    file: &File,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, ValidationError> {
    match requested {
        Some(requested) => Ok(requested),
        None if file.expires_at > now => Ok(file.expires_at),
        None => Err(ValidationError::new(format!(
            "The File expired at {}, so the token cannot default to the File's expiry: pass an 'expiresAt' in the future",
            format_date(file.expires_at)
        ))),
    }
}
