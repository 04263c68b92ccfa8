//! Local storage of Files and Tokens.

use async_trait::async_trait;
use domain::{File, FileId, Token, TokenId};

use crate::files::list::FileFilter;
use crate::tokens::list::TokenFilter;

/// The longest text (in UTF-8 bytes) every repository stores and reads back unchanged. The
/// server refuses a request body limit above it, so no text a client sends can be longer.
pub const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;

/// A boxed driver error kept as the `source()` of a [`RepositoryError`] for logs.
pub type DriverError = Box<dyn std::error::Error + Send + Sync>;

/// What can go wrong in a repository, independent of the storage technology.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// The store cannot be reached now (down, pool exhausted, timed out); retrying later may work.
    #[error("the database is unavailable")]
    Unavailable(#[source] DriverError),
    /// A record with this id is already stored.
    #[error("a record with id {0} already exists")]
    Duplicate(String),
    /// Stored secrets do not open with the configured secrets key (another key, or tampered).
    #[error("stored secrets of {id} cannot be decrypted with the configured secrets key")]
    Undecryptable { id: String },
    /// A stored record cannot be turned back into a domain value (corrupt or foreign data).
    #[error("stored record {id} is corrupt: {reason}")]
    Corrupt { id: String, reason: String },
    /// Anything else the store reported.
    #[error("the database failed")]
    Unexpected(#[source] DriverError),
}

/// Files this service knows.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait FileRepository: Send + Sync {
    /// The File with this id, or `None` if none is stored (expired Files are still returned).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Corrupt`] when the row cannot be read back, otherwise
    /// [`RepositoryError::Unexpected`].
    async fn find_file(&self, id: &FileId) -> Result<Option<File>, RepositoryError>;

    /// Every stored File `filter` matches (exactly those [`FileFilter::matches`] accepts,
    /// expired ones too), by creation time and then id.
    ///
    /// # Errors
    /// As [`FileRepository::find_file`]; one corrupt row fails the whole list.
    async fn list_files(&self, filter: &FileFilter) -> Result<Vec<File>, RepositoryError>;

    /// Stores a new File.
    ///
    /// # Errors
    /// [`RepositoryError::Duplicate`] if the id is taken; nothing is written on any error.
    async fn insert_file(&self, file: &File) -> Result<(), RepositoryError>;

    /// Forgets the File; one not stored counts as forgotten.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached, otherwise
    /// [`RepositoryError::Unexpected`].
    async fn delete_file(&self, id: &FileId) -> Result<(), RepositoryError>;

    /// Keeps the File's new ownership token, which also lifts a lock.
    ///
    /// # Errors
    /// As [`FileRepository::delete_file`]; a File not stored is left so.
    async fn set_ownership_token(&self, id: &FileId, token: &str) -> Result<(), RepositoryError>;
}

/// Tokens this service keeps (non-ephemeral ones): its own, and peers' it loaded.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TokenRepository: Send + Sync {
    /// Stores a token atomically: afterwards it is either fully stored or not at all. Every
    /// value the API can accept is stored losslessly: a password of any Unicode scalar values
    /// (U+0000 included) up to [`MAX_TEXT_BYTES`], any instant from year 1 to 10000.
    ///
    /// # Errors
    /// [`RepositoryError::Duplicate`] if the id is taken, [`RepositoryError::Unavailable`] when
    /// the store cannot be reached, otherwise [`RepositoryError::Unexpected`].
    async fn insert_token(&self, token: &Token) -> Result<(), RepositoryError>;

    /// The stored token with this id, or `None`.
    ///
    /// # Errors
    /// As [`FileRepository::find_file`].
    async fn find_token(&self, id: &TokenId) -> Result<Option<Token>, RepositoryError>;

    /// Every stored Token `filter` matches (exactly those [`TokenFilter::matches`] accepts,
    /// expired ones too), by creation time and then id.
    ///
    /// # Errors
    /// As [`FileRepository::find_file`]; one corrupt row fails the whole list.
    async fn list_tokens(&self, filter: &TokenFilter) -> Result<Vec<Token>, RepositoryError>;

    /// Forgets the Token; one not stored counts as forgotten.
    ///
    /// # Errors
    /// As [`FileRepository::delete_file`].
    async fn delete_token(&self, id: &TokenId) -> Result<(), RepositoryError>;
}
