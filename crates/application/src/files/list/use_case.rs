//! [`ListFiles`]: the filter, restricted to own or peers' Files, asked of the local store.

use domain::File;

use super::filter::FileFilter;
use crate::Dependencies;
use crate::ports::RepositoryError;

/// Whose Files a list shows: the runtime's `OwnerRestriction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OwnerRestriction {
    /// Every File (`GET …/Files`).
    #[default]
    Any,
    /// Files this service uploaded (`…/Files/Own`): `isOwn = true`, whatever the filter says
    /// about `isOwn`.
    Own,
    /// Files of peers it loaded (`…/Files/Peer`): `isOwn = false`, likewise.
    Peer,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListFilesRequest {
    pub filter: FileFilter,
    pub owner: OwnerRestriction,
}

#[derive(Debug, thiserror::Error)]
pub enum ListFilesError {
    #[error("the Files could not be read from the local store")]
    Lookup(#[source] RepositoryError),
}

/// Lists Files of the local store.
#[derive(Debug)]
pub struct ListFiles {
    deps: Dependencies,
}

impl ListFiles {
    pub fn new(deps: Dependencies) -> Self {
        Self { deps }
    }

    /// The stored Files the request's filter and owner restriction select, in the store's
    /// order (by creation).
    ///
    /// # Errors
    /// `Lookup` when the store fails.
    #[tracing::instrument(
        name = "list_files",
        skip_all,
        fields(owner = ?request.owner, conditions = request.filter.conditions().len())
    )]
    pub async fn execute(&self, request: ListFilesRequest) -> Result<Vec<File>, ListFilesError> {
        let filter = match request.owner {
            OwnerRestriction::Any => request.filter,
            OwnerRestriction::Own => request.filter.restricted_to(true),
            OwnerRestriction::Peer => request.filter.restricted_to(false),
        };
        self.deps
            .files
            .list_files(&filter)
            .await
            .map_err(ListFilesError::Lookup)
    }
}
