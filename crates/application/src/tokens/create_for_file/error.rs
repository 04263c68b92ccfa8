//! How creating a token for a File fails, one variant per outcome a caller must tell apart.

use domain::TokenId;

use crate::ports::{BackboneError, HashingError, RepositoryError};

pub use crate::rules::ValidationError;
pub use crate::withdrawal::Withdrawal;

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
