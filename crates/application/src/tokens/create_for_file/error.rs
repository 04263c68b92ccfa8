//! How creating a token for a File fails, one variant per outcome a caller must tell apart.

use domain::TokenId;

use crate::ports::{BackboneError, HashingError, RepositoryError};

/// A request the runtime's rules refuse; `message` is exactly the reference's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    pub message: String,
}

impl ValidationError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CreateTokenForFileError {
    /// The request is invalid; nothing was looked up or created.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// No File with this id is stored locally.
    #[error("File not found. Make sure the ID exists and the record is not expired.")]
    FileNotFound,
    /// The local File could not be read; nothing was created.
    #[error("the File could not be read from the local store")]
    FileLookup(#[source] RepositoryError),
    /// The password could not be hashed; nothing was created.
    #[error(transparent)]
    PasswordHashing(#[from] HashingError),
    /// The Backbone did not create the token; nothing was stored.
    #[error(transparent)]
    Backbone(#[from] BackboneError),
    /// The Backbone created the token but storing it locally failed, so the use case deleted it
    /// on the Backbone again; `withdrawal` says whether that worked.
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

/// What became of a token the Backbone created but this service could not store.
#[derive(Debug, thiserror::Error)]
pub enum Withdrawal {
    /// Deleted on the Backbone: its reference opens nothing, as if it had never been created.
    #[error("it was deleted on the Backbone again")]
    Deleted,
    /// Still on the Backbone until it expires; its reference was never handed out.
    #[error("deleting it on the Backbone failed too: {0}")]
    Failed(BackboneError),
}
