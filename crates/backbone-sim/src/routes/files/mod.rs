//! `/api/v1/Files` and `/api/v2/Files` (one controller, both versions; every route needs a
//! login): upload ([`upload`]), metadata and content for any identity, the uploader's list,
//! delete by the uploader, and the ownership-token routes ([`ownership`]). Spec files.md §2.
//!
//! The action segments (`metadata`, `ClaimOwnership`, …) match ignoring case, as ASP.NET's
//! routing does: the runtime asks for `/metadata`, the controller declares `/Metadata`.

mod ownership;
mod upload;

use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::{Error, HttpRequest, HttpResponse, web};
use bytes::Bytes;
use serde_json::{Value, json};

use super::pagination::Page;
use super::{query_pairs, require_caller, save};
use crate::encoding::b64url;
use crate::envelope::{self, ApiError, format_date};
use crate::ids::{FileId, passes_id_validator};
use crate::lock;
use crate::persist::content::ContentDir;
use crate::state::SimState;
use crate::state::files::{FileError, FileMetadata};

type State = web::Data<Mutex<SimState>>;

/// Both API versions the runtime uses: 6.x calls v1, 7.x v2.
const FILES: &str = "/api/{version:v[12]}/Files";

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource(FILES)
                .route(web::post().to(upload::upload))
                .route(web::get().to(list)),
        )
        .service(
            web::resource(format!("{FILES}/{{id}}"))
                .route(web::get().to(download))
                .route(web::delete().to(delete)),
        )
        .service(web::resource(format!("{FILES}/{{id}}/{{action}}")).to(action));
}

/// The file as the Backbone's `FileMetadataDTO` renders it: nulls written, byte arrays as
/// base64url without padding. Deleted files are gone, so the `deleted*` members are null.
pub(crate) fn metadata_dto(file: &FileMetadata) -> Value {
    json!({
        "id": file.id.as_str(),
        "createdAt": format_date(file.created_at),
        "createdBy": file.created_by.as_str(),
        "createdByDevice": file.created_by_device.as_str(),
        "modifiedAt": format_date(file.modified_at),
        "modifiedBy": file.modified_by.as_str(),
        "modifiedByDevice": file.modified_by_device.as_str(),
        "deletedAt": null,
        "deletedBy": null,
        "deletedByDevice": null,
        "owner": file.owner.as_str(),
        "ownerSignature": b64url(&file.owner_signature),
        "ownershipIsLocked": file.ownership_is_locked,
        "cipherSize": file.cipher_size,
        "cipherHash": b64url(&file.cipher_hash),
        "expiresAt": format_date(file.expires_at),
        "encryptedProperties": b64url(&file.encrypted_properties),
    })
}

/// Which request an `{id}/{action}` path is, by method and action ignoring case.
async fn action(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    payload: web::Payload,
    state: State,
) -> Result<HttpResponse, Error> {
    let (_, id, action) = path.into_inner();
    let method = request.method().as_str().to_owned();
    let known = [
        "metadata",
        "RegenerateOwnershipToken",
        "ClaimOwnership",
        "ValidateOwnershipToken",
    ];
    let Some(action) = known
        .iter()
        .find(|known| known.eq_ignore_ascii_case(&action))
    else {
        return Ok(HttpResponse::NotFound().finish());
    };
    match (method.as_str(), *action) {
        ("GET", "metadata") => metadata(&request, &id, &state).await,
        ("PATCH", "RegenerateOwnershipToken") => ownership::regenerate(&request, &id, &state).await,
        ("PATCH", "ClaimOwnership") => ownership::claim(&request, &id, payload, &state).await,
        ("POST", "ValidateOwnershipToken") => {
            ownership::validate(&request, &id, payload, &state).await
        }
        // The path exists, the method does not (ASP.NET's endpoint routing answers 405 too).
        _ => Ok(HttpResponse::MethodNotAllowed().finish()),
    }
}

/// `ValidId<…, FileId>` on the route's id, reported under the command's property name.
fn check_id(id: &str, property: &str) -> Result<(), ApiError> {
    if passes_id_validator(id, FileId::PREFIX) {
        Ok(())
    } else {
        Err(ApiError::invalid_id(property))
    }
}

fn file_error(error: FileError) -> ApiError {
    match error {
        FileError::NotFound => ApiError::file_not_found(),
        FileError::Forbidden => ApiError::forbidden(),
    }
}

async fn metadata(request: &HttpRequest, id: &str, state: &State) -> Result<HttpResponse, Error> {
    require_caller(request, state)?;
    check_id(id, "id")?;
    let state = lock(state);
    let file = state
        .files
        .live(id, state.now())
        .ok_or_else(ApiError::file_not_found)?;
    Ok(envelope::result(StatusCode::OK, metadata_dto(file)))
}

/// Where a live file's content is to be read from.
enum Source {
    Memory(Bytes),
    Disk(Arc<ContentDir>, FileId),
}

/// The uploaded bytes exactly, `application/octet-stream`, for any authenticated identity.
async fn download(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    state: State,
) -> Result<HttpResponse, Error> {
    let (_, id) = path.into_inner();
    require_caller(&request, &state)?;
    check_id(&id, "id")?;
    let source = {
        let state = lock(&state);
        let file = state
            .files
            .live(&id, state.now())
            .ok_or_else(ApiError::file_not_found)?;
        match (state.files.content_in_memory(&file.id), state.content_dir()) {
            (Some(bytes), _) => Source::Memory(bytes),
            (None, Some(dir)) => Source::Disk(dir, file.id.clone()),
            (None, None) => {
                tracing::error!(file_id = %file.id, "file content missing from memory");
                return Err(ApiError::unexpected().into());
            }
        }
    };
    let content = match source {
        Source::Memory(bytes) => bytes,
        Source::Disk(dir, id) => match web::block(move || dir.read(&id)).await {
            Ok(Ok(Some(bytes))) => bytes,
            // Deleted since it was looked up: as gone as if it had been before.
            Ok(Ok(None)) => return Err(ApiError::file_not_found().into()),
            Ok(Err(error)) => {
                tracing::error!(%error, "file content unreadable");
                return Err(ApiError::unexpected().into());
            }
            Err(error) => {
                tracing::error!(%error, "file content reader failed");
                return Err(ApiError::unexpected().into());
            }
        },
    };
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .body(content))
}

/// The caller's own uploads (`ids` narrows them down), oldest first, paged.
async fn list(request: HttpRequest, state: State) -> Result<HttpResponse, Error> {
    let caller = require_caller(&request, &state)?;
    let pairs = query_pairs(&request);
    let page = Page::of(&pairs)?;
    let ids: Vec<String> = pairs
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case("ids"))
        .map(|(_, value)| value.clone())
        .collect();
    for (index, id) in ids.iter().enumerate() {
        check_id(id, &format!("ids[{index}]"))?;
    }
    let files: Vec<Value> = {
        let state = lock(&state);
        state
            .files
            .created_by(&caller, &ids, state.now())
            .iter()
            .map(metadata_dto)
            .collect()
    };
    Ok(page.respond(&files))
}

/// Only the uploader deletes (not a later owner); metadata and content go.
async fn delete(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    state: State,
) -> Result<HttpResponse, Error> {
    let (_, id) = path.into_inner();
    let caller = require_caller(&request, &state)?;
    check_id(&id, "id")?;
    let (deleted, pending, dir) = {
        let mut state = lock(&state);
        let now = state.now();
        let deleted = state.files.delete(&id, &caller, now);
        let pending = if deleted.is_ok() {
            state.persist()
        } else {
            None
        };
        (deleted, pending, state.content_dir())
    };
    let file = deleted.map_err(file_error)?;
    save(pending).await?;
    // Only now that no state file on disk lists it.
    if let Some(dir) = dir {
        let ids = [file.id.clone()];
        let _ = web::block(move || dir.remove(&ids)).await;
    }
    tracing::info!(file_id = %file.id, "file deleted");
    Ok(HttpResponse::NoContent().finish())
}
