//! `getFile`: a File this service stores, by id or by any reference to it. Local only: never
//! asks the Backbone.

use domain::{File, FileId, PeerFileReference};

use crate::ports::RepositoryError;
use crate::{Dependencies, ValidationError};

/// The schema's pattern for File ids (unanchored, as the runtime's).
pub const FILE_ID_MESSAGE: &str = "id must match pattern FIL[A-Za-z0-9]{17}";

#[derive(Debug, thiserror::Error)]
pub enum GetFileError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("File not found. Make sure the ID exists and the record is not expired.")]
    NotFound,
    #[error("the File could not be read from the local store")]
    Lookup(#[source] RepositoryError),
}

/// Looks Files up in the local store.
#[derive(Debug)]
pub struct GetFile {
    deps: Dependencies,
}

impl GetFile {
    pub fn new(deps: Dependencies) -> Self {
        Self { deps }
    }

    /// The stored File `id_or_reference` names: a `FIL…` id, or a File or Token reference
    /// (truncated or url) whose id is taken, as the Connector does.
    ///
    /// # Errors
    /// `Validation` when it names no File id, `NotFound` when none is stored, `Lookup` when the
    /// store fails.
    pub async fn execute(&self, id_or_reference: &str) -> Result<File, GetFileError> {
        let id = file_id_of(id_or_reference)?;
        find(&self.deps, &id).await
    }
}

/// The File id a path names: itself when it starts with `FIL`, else the id inside a reference.
pub(crate) fn file_id_of(id_or_reference: &str) -> Result<FileId, ValidationError> {
    let refused = || ValidationError::new(FILE_ID_MESSAGE);
    if id_or_reference.starts_with(FileId::PREFIX) {
        return FileId::parse(id_or_reference).map_err(|_| refused());
    }
    match PeerFileReference::parse(id_or_reference) {
        Ok(PeerFileReference::File(reference)) => Ok(reference.id),
        // A token's id is no File id: the schema refuses it as the runtime's does.
        Ok(PeerFileReference::Token(_)) | Err(_) => Err(refused()),
    }
}

/// The stored File `id`.
pub(crate) async fn find(deps: &Dependencies, id: &FileId) -> Result<File, GetFileError> {
    deps.files
        .find_file(id)
        .await
        .map_err(GetFileError::Lookup)?
        .ok_or(GetFileError::NotFound)
}
