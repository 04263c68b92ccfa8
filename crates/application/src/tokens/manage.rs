//! `getToken` and `deleteToken` (Connector `GET /Tokens/{id}`, `DELETE /Tokens/{id}`): a stored
//! Token by id; deleting an own Token deletes it on the Backbone first, so that its reference
//! opens nothing, then here (a peer's Token is only forgotten here, as the transport does).

use domain::{Token, TokenId};

use crate::Dependencies;
use crate::ValidationError;
use crate::ports::{BackboneError, FORBIDDEN, RepositoryError};

#[derive(Debug, thiserror::Error)]
pub enum ManageTokenError {
    /// The id does not pass the schema's pattern.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("Token not found. Make sure the ID exists and the record is not expired.")]
    NotFound,
    /// The Backbone refused to delete it (not this identity's).
    #[error("{0}")]
    Forbidden(String),
    /// The Backbone could not delete it; it is still stored here.
    #[error(transparent)]
    Backbone(BackboneError),
    #[error("the Token could not be read from or deleted in the local store")]
    Storage(#[source] RepositoryError),
}

/// The schema pattern of a Token id (unanchored, as the runtime's `TokenIdString`).
pub const TOKEN_ID_PATTERN: &str = "TOK[A-Za-z0-9]{17}";

/// Reads and deletes stored Tokens.
#[derive(Debug)]
pub struct ManageToken {
    deps: Dependencies,
}

impl ManageToken {
    pub fn new(deps: Dependencies) -> Self {
        Self { deps }
    }

    /// The stored Token `id` names. `id` is the path's text: one that is no Token id is
    /// refused by the schema's message, one that passes its unanchored pattern without being
    /// an id cannot be stored, so is not found.
    ///
    /// # Errors
    /// `Validation`, `NotFound`, `Storage`.
    pub async fn get(&self, id: &str) -> Result<Token, ManageTokenError> {
        let id = parse_id(id)?;
        let Some(id) = id else {
            return Err(ManageTokenError::NotFound);
        };
        self.deps
            .tokens
            .find_token(&id)
            .await
            .map_err(ManageTokenError::Storage)?
            .ok_or(ManageTokenError::NotFound)
    }

    /// Deletes the stored Token `id`: on the Backbone first when it is own, then here.
    ///
    /// # Errors
    /// As [`ManageToken::get`]; `Forbidden` or `Backbone` when the Backbone did not delete it
    /// (then it stays stored here, so the call can be repeated).
    #[tracing::instrument(name = "delete_token", skip_all, fields(token_id = id))]
    pub async fn delete(
        &self,
        id: &str,
        correlation_id: Option<String>,
    ) -> Result<(), ManageTokenError> {
        let token = self.get(id).await?;
        if token.is_own {
            self.deps
                .backbone
                .delete_token(&token.id, correlation_id)
                .await
                .map_err(|error| match error {
                    BackboneError::Rejected { code, message } if code == FORBIDDEN => {
                        ManageTokenError::Forbidden(message)
                    }
                    error => ManageTokenError::Backbone(error),
                })?;
        }
        self.deps
            .tokens
            .delete_token(&token.id)
            .await
            .map_err(ManageTokenError::Storage)?;
        tracing::info!(is_own = token.is_own, "token deleted");
        Ok(())
    }
}

/// `tokenId must match pattern …` for text without a Token id in it; `None` for text that
/// contains one but is none.
fn parse_id(text: &str) -> Result<Option<TokenId>, ValidationError> {
    let contains_id = text.as_bytes().windows(20).any(|window| {
        window.starts_with(b"TOK") && window[3..].iter().all(u8::is_ascii_alphanumeric)
    });
    if !contains_id {
        return Err(ValidationError::new(format!(
            "id must match pattern {TOKEN_ID_PATTERN}"
        )));
    }
    Ok(TokenId::parse(text).ok())
}
