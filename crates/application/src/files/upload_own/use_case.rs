//! The use case itself: one `execute` per upload.

use chrono::{DateTime, TimeZone, Utc};
use domain::file::{FileContent, MAX_PLAINTEXT_LEN};
use domain::{EncryptedUpload, File, FileId, FileKeys, FileMetadataInput, FileNonces};
use tracing::Instrument;

use super::error::UploadOwnFileError;
use super::request::UploadOwnFileRequest;
use crate::ports::NewBackboneFile;
use crate::rules::future_expiry;
use crate::{Dependencies, ValidationError, Withdrawal};

/// The runtime's `platformMaxUnencryptedFileSize`.
const RUNTIME_MAX_FILE_SIZE: usize = 10 * 1024 * 1024;

/// The expiry of a File uploaded without one, as the runtime sets it: 9999-12-31T00:00:00.000Z.
pub fn default_expiry() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0)
        .single()
        .unwrap_or_else(|| unreachable!("a valid date"))
}

/// Uploads a File of this service's identity. Cheap to share: hold it in an `Arc`.
#[derive(Debug)]
pub struct UploadOwnFile {
    deps: Dependencies,
}

impl UploadOwnFile {
    pub fn new(deps: Dependencies) -> Self {
        Self { deps }
    }

    /// Runs the use case.
    ///
    /// # Errors
    /// See [`UploadOwnFileError`]: rule failures happen before anything is uploaded; a Backbone
    /// failure stores nothing; `NotStored` means the Backbone has a File this service could not
    /// keep (and tried to delete again).
    pub async fn execute(&self, request: UploadOwnFileRequest) -> Result<File, UploadOwnFileError> {
        let span = tracing::info_span!(
            "upload_own_file",
            correlation_id = request.correlation_id.as_deref(),
            filesize = request.content.len(),
            file_id = tracing::field::Empty,
        );
        self.run(request).instrument(span).await
    }

    async fn run(&self, mut request: UploadOwnFileRequest) -> Result<File, UploadOwnFileError> {
        let deps = &self.deps;
        let now = deps.clock.now();
        // The runtime's rules after the schema, in its order; then the Backbone's size limit.
        if request.content.len() > RUNTIME_MAX_FILE_SIZE {
            return Err(ValidationError::new("'content' is too large").into());
        }
        let expires_at = match request.expires_at.as_deref() {
            Some(text) => future_expiry(text, now)?,
            None => default_expiry(),
        };
        // Up to 7.5 MiB each, the plaintext and the sealed content are held only as long as
        // needed: the plaintext until it is sealed, the sealed content until it is sent (moved
        // into the request, not copied), so concurrent uploads do not hold three copies each.
        let plaintext = std::mem::take(&mut request.content);
        let upload = EncryptedUpload::seal(
            &plaintext,
            FileMetadataInput {
                title: request.title.clone(),
                description: request.description.clone(),
                filename: request.filename.clone(),
                tags: (!request.tags.is_empty()).then(|| request.tags.clone()),
                mimetype: request.mimetype.clone(),
                filemodified: None,
            },
            FileKeys {
                content_key: deps.random.secret_key(),
                metadata_key: deps.random.secret_key(),
            },
            FileNonces {
                content: deps.random.nonce(),
                metadata: deps.random.nonce(),
            },
            &deps.device_key,
        )
        .map_err(|_| {
            ValidationError::new(format!(
                "'content' is too large: encrypted, at most {MAX_PLAINTEXT_LEN} bytes fit into the Backbone's 10 MiB limit"
            ))
        })?;
        drop(plaintext);

        let new_file = NewBackboneFile {
            content: upload.content.into(),
            cipher_hash: upload.cipher_hash.to_b64url(),
            owner: deps.identity.address.clone(),
            owner_signature: upload.owner_signature.to_b64url(),
            expires_at,
            encrypted_properties: upload.encrypted_properties,
        };
        let uploaded = deps
            .backbone_files
            .upload_file(&new_file, request.correlation_id.clone())
            .await;
        drop(new_file);
        let uploaded = uploaded?;
        tracing::Span::current().record("file_id", uploaded.id.as_str());

        let metadata = upload.metadata;
        let file = File {
            id: uploaded.id,
            secret_key: upload.metadata_key,
            owner: uploaded.owner,
            created_at: uploaded.created_at,
            created_by: uploaded.created_by,
            created_by_device: uploaded.created_by_device,
            expires_at: uploaded.expires_at,
            filename: metadata.filename,
            filesize: metadata.filesize,
            mimetype: metadata.mimetype,
            title: metadata.title,
            description: metadata.description,
            tags: metadata.tags.unwrap_or_default(),
            ownership_token: uploaded.ownership_token,
            ownership_is_locked: uploaded.ownership_is_locked,
            is_own: true,
            content: Some(FileContent {
                cipher_key: metadata.content_key,
                cipher_hash: upload.cipher_hash,
                plaintext_hash: upload.plaintext_hash,
                owner_signature: uploaded.owner_signature,
            }),
        };
        if let Err(source) = deps.files.insert_file(&file).await {
            let withdrawal = self.withdraw(&file.id, request.correlation_id).await;
            return Err(UploadOwnFileError::NotStored {
                file_id: file.id,
                source,
                withdrawal,
            });
        }
        tracing::info!("file uploaded");
        Ok(file)
    }

    /// Deletes a File that could not be stored, so that no File exists that this service does
    /// not know (the client never got its id).
    async fn withdraw(&self, id: &FileId, correlation_id: Option<String>) -> Withdrawal {
        match self
            .deps
            .backbone_files
            .delete_file(id, correlation_id)
            .await
        {
            Ok(()) => {
                tracing::warn!("the file could not be stored, so it was deleted on the Backbone");
                Withdrawal::Deleted
            }
            Err(error) => Withdrawal::Failed(error),
        }
    }
}
