//! [`ListTokens`]: the filter, restricted to own or peers' Tokens, asked of the local store.

use domain::Token;

use super::filter::{TokenCondition, TokenFilter};
use crate::Dependencies;
use crate::files::list::OwnerRestriction;
use crate::ports::RepositoryError;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListTokensRequest {
    pub filter: TokenFilter,
    /// `Own` (`GET …/Tokens/Own`) or `Peer` (`…/Tokens/Peer`); there is no list of all.
    pub owner: OwnerRestriction,
}

#[derive(Debug, thiserror::Error)]
pub enum ListTokensError {
    #[error("the Tokens could not be read from the local store")]
    Lookup(#[source] RepositoryError),
}

/// Lists Tokens of the local store.
#[derive(Debug)]
pub struct ListTokens {
    deps: Dependencies,
}

impl ListTokens {
    pub fn new(deps: Dependencies) -> Self {
        Self { deps }
    }

    /// The stored Tokens the request selects, by creation.
    ///
    /// # Errors
    /// `Lookup` when the store fails.
    #[tracing::instrument(name = "list_tokens", skip_all, fields(owner = ?request.owner))]
    pub async fn execute(&self, request: ListTokensRequest) -> Result<Vec<Token>, ListTokensError> {
        let filter = match request.owner {
            OwnerRestriction::Any => request.filter,
            OwnerRestriction::Own => request.filter.with(TokenCondition::IsOwn(true)),
            OwnerRestriction::Peer => request.filter.with(TokenCondition::IsOwn(false)),
        };
        self.deps
            .tokens
            .list_tokens(&filter)
            .await
            .map_err(ListTokensError::Lookup)
    }
}
