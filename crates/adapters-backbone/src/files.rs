//! `POST /api/v2/Files` (multipart, as the runtime sends it), `GET …/metadata`, `GET` content,
//! `DELETE`, `PATCH …/RegenerateOwnershipToken`, as this service's device.

use application::ports::{BackboneError, BackboneFile, BackboneFiles, NewBackboneFile};
use async_trait::async_trait;
use bytes::Bytes;
use chrono::Utc;
use domain::{DeviceId, FileId, IdentityAddress};
use reqwest::multipart::{Form, Part};
use tracing::Instrument as _;

use crate::HttpBackboneClient;
use crate::errors;
use crate::retry::{RetryPolicy, send_with_retries, with_bearer};
use crate::transport::{Answer, Route, with_correlation_id};
use crate::wire::{FileDto, NewOwnershipToken, Success};

/// Reads and deletes are idempotent: sent at most this often.
const IDEMPOTENT_SENDS: u32 = 3;

/// The parts in the runtime's order; the content part is named as the runtime names it.
fn upload_form(file: &NewBackboneFile) -> Form {
    let content = Part::stream_with_length(
        reqwest::Body::from(file.content.clone()),
        file.content.len() as u64,
    )
    .file_name("cipher.bin")
    .mime_str("application/octet-stream")
    .unwrap_or_else(|_| unreachable!("a valid media type"));
    Form::new()
        .part("content", content)
        .text("cipherHash", file.cipher_hash.clone())
        .text("owner", file.owner.to_string())
        .text("ownerSignature", file.owner_signature.clone())
        .text("expiresAt", domain::date::format_date(file.expires_at))
        .text("encryptedProperties", file.encrypted_properties.clone())
}

#[async_trait]
impl BackboneFiles for HttpBackboneClient {
    async fn upload_file(
        &self,
        file: &NewBackboneFile,
        correlation_id: Option<String>,
    ) -> Result<BackboneFile, BackboneError> {
        let correlation_id = correlation_id.as_deref();
        let transport = &self.transport;
        let span = tracing::info_span!(
            "backbone.upload_file",
            correlation_id = correlation_id.unwrap_or_default(),
            cipher_size = file.content.len(),
            file_id = tracing::field::Empty,
        );
        async {
            let answer = send_with_retries(
                transport,
                Route::Files,
                &self.auth,
                RetryPolicy::IfNotProcessed,
                |bearer| {
                    let request = with_bearer(transport.post(Route::Files, &[]), bearer)
                        .multipart(upload_form(file));
                    with_correlation_id(request, correlation_id)
                },
            )
            .await?;
            let uploaded = file_of(&answer, 201)?;
            tracing::Span::current().record("file_id", uploaded.id.as_str());
            Ok(uploaded)
        }
        .instrument(span)
        .await
    }

    async fn file_metadata(
        &self,
        id: &FileId,
        correlation_id: Option<String>,
    ) -> Result<BackboneFile, BackboneError> {
        let span = tracing::info_span!("backbone.file_metadata", file_id = %id);
        async {
            let answer = self
                .read(Route::FileMetadata, id, correlation_id.as_deref())
                .await?;
            file_of(&answer, 200)
        }
        .instrument(span)
        .await
    }

    async fn download_file(
        &self,
        id: &FileId,
        correlation_id: Option<String>,
    ) -> Result<Bytes, BackboneError> {
        let span = tracing::info_span!("backbone.download_file", file_id = %id);
        async {
            let answer = self
                .read(Route::File, id, correlation_id.as_deref())
                .await?;
            if answer.status != 200 {
                return Err(errors::from_status(&answer, Utc::now()));
            }
            Ok(Bytes::from(answer.body))
        }
        .instrument(span)
        .await
    }

    async fn delete_file(
        &self,
        id: &FileId,
        correlation_id: Option<String>,
    ) -> Result<(), BackboneError> {
        let correlation_id = correlation_id.as_deref();
        let transport = &self.transport;
        let span = tracing::info_span!("backbone.delete_file", file_id = %id);
        async {
            let answer = send_with_retries(
                transport,
                Route::File,
                &self.auth,
                RetryPolicy::Idempotent {
                    sends: IDEMPOTENT_SENDS,
                },
                |bearer| {
                    let request =
                        with_bearer(transport.delete(Route::File, &[id.as_str()]), bearer);
                    with_correlation_id(request, correlation_id)
                },
            )
            .await?;
            match answer.status {
                // 404: already gone (an earlier send whose answer was lost, or expired).
                200 | 204 | 404 => Ok(()),
                _ => Err(errors::from_status(&answer, Utc::now())),
            }
        }
        .instrument(span)
        .await
    }

    async fn regenerate_ownership_token(
        &self,
        id: &FileId,
        correlation_id: Option<String>,
    ) -> Result<String, BackboneError> {
        let correlation_id = correlation_id.as_deref();
        let transport = &self.transport;
        let route = Route::RegenerateOwnershipToken;
        let span = tracing::info_span!("backbone.regenerate_ownership_token", file_id = %id);
        async {
            let answer = send_with_retries(
                transport,
                route,
                &self.auth,
                RetryPolicy::IfNotProcessed,
                |bearer| {
                    let request = with_bearer(transport.patch(route, &[id.as_str()]), bearer);
                    with_correlation_id(request, correlation_id)
                },
            )
            .await?;
            if answer.status != 200 {
                return Err(errors::from_status(&answer, Utc::now()));
            }
            serde_json::from_slice::<Success<NewOwnershipToken>>(&answer.body)
                .map(|success| success.result.new_ownership_token)
                .map_err(|e| unexpected(answer.status, format!("no newOwnershipToken: {e}")))
        }
        .instrument(span)
        .await
    }
}

impl HttpBackboneClient {
    /// A `GET` of `route` for File `id`, sent again after failures that may pass.
    async fn read(
        &self,
        route: Route,
        id: &FileId,
        correlation_id: Option<&str>,
    ) -> Result<Answer, BackboneError> {
        let transport = &self.transport;
        send_with_retries(
            transport,
            route,
            &self.auth,
            RetryPolicy::Idempotent {
                sends: IDEMPOTENT_SENDS,
            },
            |bearer| {
                let request = with_bearer(transport.get(route, &[id.as_str()]), bearer);
                with_correlation_id(request, correlation_id)
            },
        )
        .await
    }
}

/// The File in an answer with status `expected`; any other status is its error.
fn file_of(answer: &Answer, expected: u16) -> Result<BackboneFile, BackboneError> {
    if answer.status != expected {
        return Err(errors::from_status(answer, Utc::now()));
    }
    let status = answer.status;
    let file: Success<FileDto> = serde_json::from_slice(&answer.body)
        .map_err(|e| unexpected(status, format!("the body is not a File: {e}")))?;
    let file = file.result;
    let field =
        |name: &str, error: &dyn std::fmt::Display| unexpected(status, format!("{name}: {error}"));
    Ok(BackboneFile {
        id: FileId::parse(&file.id).map_err(|e| field("id", &e))?,
        created_at: errors::parse_date(&file.created_at).map_err(|e| field("createdAt", &e))?,
        created_by: IdentityAddress::parse(&file.created_by).map_err(|e| field("createdBy", &e))?,
        created_by_device: DeviceId::parse(&file.created_by_device)
            .map_err(|e| field("createdByDevice", &e))?,
        owner: IdentityAddress::parse(&file.owner).map_err(|e| field("owner", &e))?,
        owner_signature: file.owner_signature,
        ownership_token: file.ownership_token,
        ownership_is_locked: file.ownership_is_locked.unwrap_or(false),
        cipher_size: file.cipher_size,
        cipher_hash: file.cipher_hash,
        expires_at: errors::parse_date(&file.expires_at).map_err(|e| field("expiresAt", &e))?,
        encrypted_properties: file.encrypted_properties,
    })
}

fn unexpected(status: u16, detail: String) -> BackboneError {
    BackboneError::UnexpectedResponse {
        status,
        detail: errors::short(&detail),
    }
}
