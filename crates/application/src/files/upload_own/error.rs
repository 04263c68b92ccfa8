//! How uploading a File fails, one variant per outcome a caller must tell apart.

use domain::FileId;

use crate::ports::{BackboneError, RepositoryError};
use crate::{ValidationError, Withdrawal};

#[derive(Debug, thiserror::Error)]
pub enum UploadOwnFileError {
    /// The request is invalid; nothing was uploaded.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The Backbone did not take the File; nothing was stored.
    #[error(transparent)]
    Backbone(#[from] BackboneError),
    /// The Backbone took the File but storing it locally failed, so the use case deleted it on
    /// the Backbone again; `withdrawal` says whether that worked.
    #[error(
        "File {file_id} was uploaded to the Backbone but could not be stored locally; {withdrawal}"
    )]
    NotStored {
        file_id: FileId,
        #[source]
        source: RepositoryError,
        withdrawal: Withdrawal,
    },
}
