//! `deleteFile` and `regenerateFileOwnershipToken`: what an owner does with a stored File.

use domain::{File, FileId};
use tracing::Instrument;

use super::get::{FILE_ID_MESSAGE, GetFileError, find};
use crate::ports::{BackboneError, FORBIDDEN, RepositoryError};
use crate::{Dependencies, ValidationError};

#[derive(Debug, thiserror::Error)]
pub enum ManageFileError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("File not found. Make sure the ID exists and the record is not expired.")]
    NotFound,
    /// Only the File's owner may do this (on the Backbone: its creator deletes, its owner
    /// regenerates).
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Backbone(BackboneError),
    #[error("the File could not be read from or changed in the local store")]
    Storage(#[source] RepositoryError),
}

impl From<GetFileError> for ManageFileError {
    fn from(error: GetFileError) -> Self {
        match error {
            GetFileError::Validation(error) => Self::Validation(error),
            GetFileError::NotFound => Self::NotFound,
            GetFileError::Lookup(error) => Self::Storage(error),
        }
    }
}

/// Deletes and regenerates ownership tokens of stored Files.
#[derive(Debug)]
pub struct ManageFile {
    deps: Dependencies,
}

impl ManageFile {
    pub fn new(deps: Dependencies) -> Self {
        Self { deps }
    }

    /// Deletes File `id`: on the Backbone too when it is this service's own (as the runtime),
    /// then here.
    ///
    /// # Errors
    /// See [`ManageFileError`]; nothing is forgotten here when the Backbone refuses.
    pub async fn delete(
        &self,
        id: &str,
        correlation_id: Option<String>,
    ) -> Result<(), ManageFileError> {
        let file = self.stored(id).await?;
        let span = tracing::info_span!("delete_file", file_id = %file.id, is_own = file.is_own);
        async {
            if file.is_own {
                self.deps
                    .backbone_files
                    .delete_file(&file.id, correlation_id)
                    .await
                    .map_err(forbidden_or_backbone)?;
            }
            self.deps
                .files
                .delete_file(&file.id)
                .await
                .map_err(ManageFileError::Storage)?;
            tracing::info!("file deleted");
            Ok(())
        }
        .instrument(span)
        .await
    }

    /// A new ownership token for File `id`, which this identity must own; a lock is lifted.
    ///
    /// # Errors
    /// See [`ManageFileError`].
    pub async fn regenerate_ownership_token(
        &self,
        id: &str,
        correlation_id: Option<String>,
    ) -> Result<File, ManageFileError> {
        let file = self.stored(id).await?;
        let token = self
            .deps
            .backbone_files
            .regenerate_ownership_token(&file.id, correlation_id)
            .await
            .map_err(forbidden_or_backbone)?;
        self.deps
            .files
            .set_ownership_token(&file.id, &token)
            .await
            .map_err(ManageFileError::Storage)?;
        Ok(File {
            ownership_token: Some(token),
            ownership_is_locked: false,
            ..file
        })
    }

    async fn stored(&self, id: &str) -> Result<File, ManageFileError> {
        let id = FileId::parse(id).map_err(|_| ValidationError::new(FILE_ID_MESSAGE))?;
        Ok(find(&self.deps, &id).await?)
    }
}

fn forbidden_or_backbone(error: BackboneError) -> ManageFileError {
    match error {
        BackboneError::Rejected { code, message } if code == FORBIDDEN => {
            ManageFileError::Forbidden(message)
        }
        error => ManageFileError::Backbone(error),
    }
}
