//! `POST /api/v2/Files/Own` (v6 shape) and `POST /api/core/v1/Files/Own` (v7): upload a File.

use actix_web::http::header::LOCATION;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::envelope::Success;
use crate::http::error::ApiError;
use crate::http::multipart::read_form;
use crate::http::openapi::responses::UploadRouteErrors;
use crate::http::request_span::CorrelationId;
use crate::http::routes::tokens::ApiVersion;
use crate::http::wire::{FILE_FIELD, FileDto, parse_upload_own_file_request};
use crate::state::AppState;
use crate::telemetry::error_chain;

pub const OWN_V6_PATH: &str = "/api/v2/Files/Own";
pub const OWN_V7_PATH: &str = "/api/core/v1/Files/Own";

/// The largest form read: the runtime's 10 MiB of content and room for the other fields.
pub const MAX_UPLOAD_FORM_BYTES: usize = 10 * 1024 * 1024 + 64 * 1024;

/// The form `POST …/Files/Own` takes.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadOwnFileForm {
    /// The content; the part's filename and `Content-Type` become the File's name and media
    /// type. At most 10 MiB (and what fits into the Backbone's 10 MiB once encrypted).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// ISO 8601, in the future; default 9999-12-31T00:00:00.000Z.
    #[schema(value_type = Option<String>)]
    expires_at: Option<String>,
    title: Option<String>,
    description: Option<String>,
    /// Repeat the field for each tag (one `tags` field alone is refused, as by the Connector).
    tags: Option<Vec<String>>,
}

/// `{"result": FileDto}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileResult {
    result: FileDto,
}

/// Upload a File (Connector v6).
///
/// Encrypts the content and its metadata under fresh keys exactly as the enmeshed runtime does,
/// uploads them to the Backbone as this service's device, and stores the File here.
#[utoipa::path(
    post,
    path = OWN_V6_PATH,
    operation_id = "uploadOwnFile",
    tag = "Files",
    request_body(content = UploadOwnFileForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The File was uploaded.", headers(
            ("Location" = String, description = "`_`."),
        ), body = FileResult),
        UploadRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn upload_own_file_v6(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    upload_own_file(request, payload, state, ApiVersion::V6).await
}

/// Upload a File (Connector v7).
///
/// As on `/api/v2`, answering the v7 DTO (no `truncatedReference`, `title` only when given).
#[utoipa::path(
    post,
    path = OWN_V7_PATH,
    operation_id = "uploadOwnFileV7",
    tag = "Files",
    request_body(content = UploadOwnFileForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The File was uploaded.", headers(
            ("Location" = String, description = "`_`."),
        ), body = FileResult),
        UploadRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn upload_own_file_v7(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    upload_own_file(request, payload, state, ApiVersion::V7).await
}

async fn upload_own_file(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    version: ApiVersion,
) -> Result<HttpResponse, ApiError> {
    let form = read_form(&request, payload, FILE_FIELD, MAX_UPLOAD_FORM_BYTES).await?;
    let mut use_case_request = parse_upload_own_file_request(form)
        .map_err(|violation| ApiError::validation(violation.0))?;
    use_case_request.correlation_id = request
        .extensions()
        .get::<CorrelationId>()
        .map(|id| id.0.clone());
    let file = state
        .use_cases
        .upload_own_file
        .execute(use_case_request)
        .await
        .map_err(|error| {
            let cause = error_chain(&error);
            ApiError::from(error).with_cause(cause)
        })?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, "_"))
        .json(Success {
            result: FileDto::new(&file, &state.backbone_base_url, version),
        }))
}
