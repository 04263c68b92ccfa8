//! The admin API's view of files: each file's metadata as the Backbone renders it, plus what
//! only the simulator shows (the ownership token, the last claim, the content's SHA-256), and
//! for one file its content.

use std::sync::Mutex;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use crate::encoding::b64url;
use crate::envelope::{self, ApiError, format_date};
use crate::ids::FileId;
use crate::lock;
use crate::routes::files::metadata_dto;
use crate::state::SimState;
use crate::state::files::FileMetadata;

type State = web::Data<Mutex<SimState>>;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/files", web::get().to(list_files))
        .route("/files/{id}", web::get().to(get_file));
}

/// A file as the admin API writes it (without content).
pub fn file_json(file: &FileMetadata) -> Value {
    let mut value = metadata_dto(file);
    if let Value::Object(object) = &mut value {
        object.insert(
            "ownershipToken".to_owned(),
            json!(file.ownership_token.as_str()),
        );
        object.insert(
            "lastOwnershipClaimAt".to_owned(),
            json!(file.last_ownership_claim_at.map(format_date)),
        );
        let sha256: String = file
            .content_sha256
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        object.insert("contentSha256".to_owned(), json!(sha256));
    }
    value
}

async fn list_files(state: State) -> HttpResponse {
    let files: Vec<Value> = lock(&state).files.all().iter().map(file_json).collect();
    envelope::result(StatusCode::OK, files)
}

/// One file with `content` (base64url), expired or not; its content is read outside the lock.
async fn get_file(id: web::Path<String>, state: State) -> Result<HttpResponse, ApiError> {
    let id = FileId::parse(&id).map_err(|_| ApiError::invalid_id("id"))?;
    let (file, in_memory, dir) = {
        let state = lock(&state);
        let file = state
            .files
            .get(&id)
            .cloned()
            .ok_or_else(ApiError::file_not_found)?;
        (
            file,
            state.files.content_in_memory(&id),
            state.content_dir(),
        )
    };
    let content = match (in_memory, dir) {
        (Some(bytes), _) => Some(bytes),
        (None, Some(dir)) => web::block(move || dir.read(&id))
            .await
            .map_err(|_| ApiError::unexpected())?
            .map_err(|error| {
                tracing::error!(%error, "file content unreadable");
                ApiError::unexpected()
            })?,
        (None, None) => None,
    };
    let mut value = file_json(&file);
    if let Value::Object(object) = &mut value {
        object.insert("content".to_owned(), json!(content.map(b64url)));
    }
    Ok(envelope::result(StatusCode::OK, value))
}
