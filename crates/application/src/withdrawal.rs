//! Undoing on the Backbone what could not be kept here.

use crate::ports::BackboneError;

/// What became of something (a token, a File) the Backbone created but this service could not
/// store.
#[derive(Debug, thiserror::Error)]
pub enum Withdrawal {
    /// Deleted on the Backbone: its reference opens nothing, as if it had never been created.
    #[error("it was deleted on the Backbone again")]
    Deleted,
    /// Still on the Backbone until it expires; its reference was never handed out.
    #[error("deleting it on the Backbone failed too: {0}")]
    Failed(BackboneError),
}
