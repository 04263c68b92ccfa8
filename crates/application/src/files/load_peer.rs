//! `getOrLoadFile` (Connector `POST /Files/Peer`): a File by a File or Token reference, from
//! the local store when it is there, else loaded from the Backbone (a token is read, never
//! stored; the File's metadata is fetched, decrypted and stored as a peer's File).

use domain::file::{FileContent, FileHash};
use domain::{
    File, FileId, FileMetadata, PasswordProtection, PeerFileReference, SecretKey,
    TokenContentError, TokenContentFile, TokenReference,
};
use tracing::Instrument;

use super::get::GetFileError;
use crate::Dependencies;
use crate::ports::{BackboneError, HashingError, RECORD_NOT_FOUND, RepositoryError};

/// One call of `getOrLoadFile`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadPeerFileRequest {
    /// A File or Token reference, truncated or url (the route's schema let it through).
    pub reference: String,
    /// The token's password or PIN, when the reference says it has one.
    pub password: Option<String>,
    pub correlation_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadPeerFileError {
    #[error("The given reference is not valid: {0}")]
    InvalidReference(String),
    #[error("The token is password protected, but no password was given.")]
    NoPasswordProvided,
    #[error("The token is personalized for another identity.")]
    NotIntendedForYou,
    /// The Backbone has no such token or File (or the password is wrong).
    #[error("{0}")]
    NotFound(String),
    #[error("The given Token has an invalid content for this route.")]
    InvalidTokenContent,
    #[error("The File's metadata does not open with the reference's key: {0}")]
    InvalidMetadata(String),
    #[error(transparent)]
    PasswordHashing(#[from] HashingError),
    #[error(transparent)]
    Backbone(BackboneError),
    #[error("the File could not be read from or stored in the local store")]
    Storage(#[source] RepositoryError),
}

/// Loads peers' Files.
#[derive(Debug)]
pub struct LoadPeerFile {
    deps: Dependencies,
}

impl LoadPeerFile {
    pub fn new(deps: Dependencies) -> Self {
        Self { deps }
    }

    /// The File `request.reference` leads to, stored here afterwards.
    ///
    /// # Errors
    /// See [`LoadPeerFileError`]. A File already stored costs no Backbone call (an own File
    /// stays own); a token is read from the Backbone every time.
    pub async fn execute(&self, request: LoadPeerFileRequest) -> Result<File, LoadPeerFileError> {
        let span = tracing::info_span!("load_peer_file", file_id = tracing::field::Empty);
        async {
            let reference = PeerFileReference::parse(&request.reference)
                .map_err(|e| LoadPeerFileError::InvalidReference(e.to_string()))?;
            let (id, key) = match reference {
                PeerFileReference::File(reference) => (reference.id, reference.key),
                PeerFileReference::Token(reference) => {
                    let content = self.open_token(&reference, &request).await?;
                    (content.file_id, content.secret_key)
                }
            };
            tracing::Span::current().record("file_id", id.as_str());
            self.get_or_load(&id, key, request.correlation_id).await
        }
        .instrument(span)
        .await
    }

    /// The `TokenContentFile` of a peer's token, read with the password when it needs one.
    async fn open_token(
        &self,
        reference: &TokenReference,
        request: &LoadPeerFileRequest,
    ) -> Result<TokenContentFile, LoadPeerFileError> {
        let deps = &self.deps;
        if let Some(last_four) = &reference.for_identity_last_four
            && !deps.identity.address.as_str().ends_with(last_four.as_str())
        {
            return Err(LoadPeerFileError::NotIntendedForYou);
        }
        let password_hash = match &reference.password {
            None => None,
            Some(protection) => {
                let password = request
                    .password
                    .clone()
                    .ok_or(LoadPeerFileError::NoPasswordProvided)?;
                let protection = PasswordProtection {
                    password,
                    password_type: protection.password_type,
                    salt: protection.salt,
                    location_indicator: protection.location_indicator,
                };
                Some(deps.password_hasher.hash(&protection).await?)
            }
        };
        let token = deps
            .backbone
            .get_token(&reference.id, password_hash, request.correlation_id.clone())
            .await
            .map_err(not_found_or_backbone)?;
        TokenContentFile::decrypt(&token.content, &reference.key).map_err(|error| match error {
            TokenContentError::NotAFile
            | TokenContentError::NotAnObject
            | TokenContentError::Unreadable(_) => LoadPeerFileError::InvalidTokenContent,
        })
    }

    async fn get_or_load(
        &self,
        id: &FileId,
        key: SecretKey,
        correlation_id: Option<String>,
    ) -> Result<File, LoadPeerFileError> {
        let deps = &self.deps;
        match super::get::find(deps, id).await {
            Ok(file) => return Ok(file),
            Err(GetFileError::NotFound) => {}
            Err(GetFileError::Lookup(error)) => return Err(LoadPeerFileError::Storage(error)),
            Err(GetFileError::Validation(error)) => {
                return Err(LoadPeerFileError::InvalidReference(error.message));
            }
        }
        let on_backbone = deps
            .backbone_files
            .file_metadata(id, correlation_id)
            .await
            .map_err(not_found_or_backbone)?;
        let invalid = |reason: String| LoadPeerFileError::InvalidMetadata(reason);
        let encrypted = on_backbone
            .encrypted_properties
            .as_deref()
            .ok_or_else(|| invalid("the Backbone sent no encryptedProperties".to_owned()))?;
        let metadata =
            FileMetadata::decrypt(encrypted, &key).map_err(|e| invalid(e.to_string()))?;
        let cipher_hash =
            FileHash::from_b64url(&on_backbone.cipher_hash).map_err(|e| invalid(e.to_string()))?;
        let file = File {
            id: on_backbone.id,
            secret_key: key,
            owner: on_backbone.owner,
            created_at: on_backbone.created_at,
            created_by: on_backbone.created_by,
            created_by_device: on_backbone.created_by_device,
            expires_at: on_backbone.expires_at,
            filename: metadata.filename,
            filesize: metadata.filesize,
            mimetype: metadata.mimetype,
            title: metadata.title,
            description: metadata.description,
            tags: metadata.tags.unwrap_or_default(),
            ownership_token: None,
            ownership_is_locked: on_backbone.ownership_is_locked,
            is_own: false,
            content: Some(FileContent {
                cipher_key: metadata.content_key,
                cipher_hash,
                plaintext_hash: metadata.plaintext_hash,
                owner_signature: on_backbone.owner_signature,
            }),
        };
        match deps.files.insert_file(&file).await {
            Ok(()) => {
                tracing::info!("peer file loaded");
                Ok(file)
            }
            // Loaded meanwhile by a concurrent request: the stored one is the answer.
            Err(RepositoryError::Duplicate(_)) => super::get::find(deps, id).await.map_err(|_| {
                LoadPeerFileError::Storage(RepositoryError::Duplicate(id.to_string()))
            }),
            Err(error) => Err(LoadPeerFileError::Storage(error)),
        }
    }
}

fn not_found_or_backbone(error: BackboneError) -> LoadPeerFileError {
    match error {
        BackboneError::Rejected { code, message } if code == RECORD_NOT_FOUND => {
            LoadPeerFileError::NotFound(message)
        }
        error => LoadPeerFileError::Backbone(error),
    }
}
