//! `POST /api/v{1,2}/Files`: reads the `multipart/form-data` body (with `actix-multipart`),
//! judges it ([`crate::upload`]), stores the content (its own file first, with a state file)
//! and then the metadata, and answers 201 with the `CreateFileResponse`.
//!
//! Failures come in the Backbone's order: 415 before anything (the `[Consumes]` constraint
//! rejects at routing, before authentication), then 401, then reading the form, binding and
//! the validators.

use std::sync::Mutex;

use actix_multipart::{Multipart, MultipartError};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{Error, HttpRequest, HttpResponse, web};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use super::super::{MAX_BODY_BYTES, location, require_caller, save};
use crate::encoding::b64url;
use crate::envelope::{ApiError, format_date};
use crate::lock;
use crate::state::SimState;
use crate::state::files::FileMetadata;
use crate::upload::{self, FormPart};

type State = web::Data<Mutex<SimState>>;

/// How much of an oversized body is still read (and thrown away) before answering, so the
/// client, still sending, sees the 400 instead of a reset connection. Beyond that the
/// connection is closed after the answer, as Kestrel does.
const DRAIN_LIMIT: usize = 4 * MAX_BODY_BYTES;

/// The `CreateFileResponse`, in its declaration order (no `modifiedByDevice`,
/// `encryptedProperties` or `ownershipIsLocked` here, unlike the metadata).
fn created_dto(file: &FileMetadata) -> Value {
    json!({
        "id": file.id.as_str(),
        "createdAt": format_date(file.created_at),
        "createdBy": file.created_by.as_str(),
        "createdByDevice": file.created_by_device.as_str(),
        "modifiedAt": format_date(file.modified_at),
        "modifiedBy": file.modified_by.as_str(),
        "deletedAt": null,
        "deletedBy": null,
        "owner": file.owner.as_str(),
        "ownerSignature": b64url(&file.owner_signature),
        "ownershipToken": file.ownership_token.as_str(),
        "cipherSize": file.cipher_size,
        "cipherHash": b64url(&file.cipher_hash),
        "expiresAt": format_date(file.expires_at),
    })
}

pub(super) async fn upload(
    request: HttpRequest,
    version: web::Path<String>,
    payload: web::Payload,
    state: State,
) -> Result<HttpResponse, Error> {
    if !is_form_data(&request) {
        // ASP.NET's rejection endpoint: status only, no body.
        return Ok(HttpResponse::UnsupportedMediaType().finish());
    }
    let caller = require_caller(&request, &state)?;
    let parts = read_form(&request, payload).await?;
    let form = upload::bind(&parts)?;
    drop(parts);
    let now = lock(&state).now();
    let new = upload::validate(form, now)?;

    let (id, dir) = {
        let state = lock(&state);
        (state.files.unused_id(), state.content_dir())
    };
    // The content is on disk before any state file can list the file.
    if let Some(dir) = dir.clone() {
        let (id, content) = (id.clone(), new.content.clone());
        match web::block(move || dir.write(&id, &content)).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::error!(%error, "file content not saved");
                return Err(ApiError::unexpected().into());
            }
            Err(error) => {
                tracing::error!(%error, "file content writer failed");
                return Err(ApiError::unexpected().into());
            }
        }
    }
    let (file, pending, forgotten) = {
        let mut state = lock(&state);
        let now = state.now();
        let forgotten = state.files.forget_old(now);
        let file = state.files.create(id, new, &caller, now, dir.is_none());
        (file, state.persist(), forgotten)
    };
    save(pending).await?;
    if let Some(dir) = dir
        && !forgotten.is_empty()
    {
        let _ = web::block(move || dir.remove(&forgotten)).await;
    }
    tracing::info!(file_id = %file.id, cipher_size = file.cipher_size, "file uploaded");
    let location = location(&request, &format!("/api/{version}/Files/{}", file.id));
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(json!({ "result": created_dto(&file) })))
}

/// Whether the request is `multipart/form-data` (the action's `[Consumes]`), ignoring case
/// and parameters.
fn is_form_data(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// What ASP.NET's form reading fails with, wrapped by MVC into a model-state error without a
/// key: `inputCannotBeParsed`, "Failed to read the request form. …".
fn form_error(reason: impl std::fmt::Display) -> ApiError {
    ApiError::cannot_be_parsed(format!("Failed to read the request form. {reason}"))
}

/// The body (at most the Backbone's 20 MiB, Kestrel's `MaxRequestBodySize`) split into its
/// parts.
///
/// # Errors
/// `inputCannotBeParsed` for a larger body or one that is no well-formed multipart body.
async fn read_form(
    request: &HttpRequest,
    payload: web::Payload,
) -> Result<Vec<FormPart>, ApiError> {
    let body = read_capped(payload).await?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, PayloadError>(body) });
    let mut multipart = Multipart::new(request.headers(), stream);
    let mut parts = Vec::new();
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(multipart_error)?;
        let disposition = field.content_disposition();
        let name = disposition
            .and_then(|d| d.get_name())
            .unwrap_or_default()
            .to_owned();
        let file_name = disposition.and_then(|d| {
            d.get_filename().map(str::to_owned).or_else(|| {
                d.get_filename_ext()
                    .map(|ext| String::from_utf8_lossy(&ext.value).into_owned())
            })
        });
        let mut data = BytesMut::new();
        while let Some(chunk) = field.next().await {
            data.extend_from_slice(&chunk.map_err(multipart_error)?);
        }
        parts.push(FormPart {
            name,
            file_name,
            data: data.freeze(),
        });
    }
    Ok(parts)
}

/// Reads the whole body up to the limit; past it keeps reading (up to [`DRAIN_LIMIT`]) without
/// keeping anything, then reports Kestrel's error.
async fn read_capped(mut payload: web::Payload) -> Result<Bytes, ApiError> {
    let mut body = BytesMut::new();
    let mut received = 0usize;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(form_error)?;
        received = received.saturating_add(chunk.len());
        if received > DRAIN_LIMIT {
            break;
        }
        if received <= MAX_BODY_BYTES {
            body.extend_from_slice(&chunk);
        }
    }
    if received > MAX_BODY_BYTES {
        return Err(form_error(format!(
            "Request body too large. The max request body size is {MAX_BODY_BYTES} bytes."
        )));
    }
    Ok(body.freeze())
}

/// ASP.NET's wording where its multipart reader has one for the same fault.
fn multipart_error(error: MultipartError) -> ApiError {
    match error {
        MultipartError::BoundaryMissing => form_error("Missing content-type boundary."),
        MultipartError::Incomplete => form_error(
            "Unexpected end of Stream, the content may have already been read by another \
             component.",
        ),
        other => form_error(other),
    }
}
