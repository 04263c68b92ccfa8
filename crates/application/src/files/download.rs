//! `downloadFile`: the plaintext of a stored File, fetched from the Backbone and checked as the
//! runtime checks it (the cipher hash before decrypting, the plaintext hash after).

use bytes::Bytes;
use domain::file::{DownloadError, decrypt_download};
use domain::{File, FileId};
use tracing::Instrument;

use super::get::{GetFileError, find};
use crate::ports::{BackboneError, RECORD_NOT_FOUND, RepositoryError};
use crate::{Dependencies, ValidationError};

/// A downloaded File: its plaintext, name and media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadedFile {
    pub content: Bytes,
    pub filename: String,
    pub mimetype: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadFileError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("File not found. Make sure the ID exists and the record is not expired.")]
    NotFound,
    #[error("the File could not be read from the local store")]
    Lookup(#[source] RepositoryError),
    /// Stored by a release before uploads existed (the demo Files): nothing to open it with.
    #[error(
        "File {0} was stored without its content (a demo File of an earlier release), so it cannot be downloaded"
    )]
    ContentNotStored(FileId),
    /// The Backbone no longer has it (expired or deleted there).
    #[error(
        "File {0} is no longer on the Backbone (it expired or was deleted there), so it cannot be downloaded"
    )]
    GoneFromBackbone(FileId),
    #[error(transparent)]
    Backbone(BackboneError),
    /// What the Backbone served is not what was uploaded, or does not open.
    #[error("the content the Backbone served for File {file_id} is not the File's: {reason}")]
    Corrupt {
        file_id: FileId,
        #[source]
        reason: DownloadError,
    },
}

impl From<GetFileError> for DownloadFileError {
    fn from(error: GetFileError) -> Self {
        match error {
            GetFileError::Validation(error) => Self::Validation(error),
            GetFileError::NotFound => Self::NotFound,
            GetFileError::Lookup(error) => Self::Lookup(error),
        }
    }
}

/// Downloads stored Files' content.
#[derive(Debug)]
pub struct DownloadFile {
    deps: Dependencies,
}

impl DownloadFile {
    pub fn new(deps: Dependencies) -> Self {
        Self { deps }
    }

    /// The plaintext of the stored File `id`.
    ///
    /// # Errors
    /// See [`DownloadFileError`]; the local checks come first, so an unknown File costs no
    /// Backbone call.
    pub async fn execute(
        &self,
        id: &str,
        correlation_id: Option<String>,
    ) -> Result<DownloadedFile, DownloadFileError> {
        let id =
            FileId::parse(id).map_err(|_| ValidationError::new(super::get::FILE_ID_MESSAGE))?;
        let span = tracing::info_span!("download_file", file_id = %id);
        async {
            let file = find(&self.deps, &id).await?;
            let content = self.open(&file, correlation_id).await?;
            Ok(DownloadedFile {
                content,
                filename: file.filename,
                mimetype: file.mimetype,
            })
        }
        .instrument(span)
        .await
    }

    async fn open(
        &self,
        file: &File,
        correlation_id: Option<String>,
    ) -> Result<Bytes, DownloadFileError> {
        let Some(content) = &file.content else {
            return Err(DownloadFileError::ContentNotStored(file.id.clone()));
        };
        let downloaded = self
            .deps
            .backbone_files
            .download_file(&file.id, correlation_id)
            .await
            .map_err(|error| match error {
                BackboneError::Rejected { code, .. } if code == RECORD_NOT_FOUND => {
                    DownloadFileError::GoneFromBackbone(file.id.clone())
                }
                error => DownloadFileError::Backbone(error),
            })?;
        decrypt_download(
            &downloaded,
            &content.cipher_hash,
            &content.cipher_key,
            &content.plaintext_hash,
        )
        .map(Bytes::from)
        .map_err(|reason| DownloadFileError::Corrupt {
            file_id: file.id.clone(),
            reason,
        })
    }
}
