//! The Files routes, each under `/api/v2` (v6 shape) and `/api/core/v1` (v7): upload a File,
//! get one (JSON or a QR code), download its content.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::body::read_object;
use crate::http::envelope::Success;
use crate::http::error::ApiError;
use crate::http::multipart::read_form;
use crate::http::negotiation::{Representation, negotiate_request};
use crate::http::openapi::responses::{
    DownloadRouteErrors, GetFileRouteErrors, LoadPeerRouteErrors, ManageFileRouteErrors,
    UploadRouteErrors,
};
use crate::http::openapi::schemas::QrCodePng;
use crate::http::qr::reference_qr_code;
use crate::http::request_span::CorrelationId;
use crate::http::routes::ApiVersion;
use crate::http::wire::{
    FILE_FIELD, FileDto, parse_load_peer_file_request, parse_upload_own_file_request,
};
use crate::state::AppState;

pub const OWN_V6_PATH: &str = "/api/v2/Files/Own";
pub const OWN_V7_PATH: &str = "/api/core/v1/Files/Own";
pub const PEER_V6_PATH: &str = "/api/v2/Files/Peer";
pub const PEER_V7_PATH: &str = "/api/core/v1/Files/Peer";
pub const FILE_V6_PATH: &str = "/api/v2/Files/{idOrReference}";
pub const FILE_V7_PATH: &str = "/api/core/v1/Files/{idOrReference}";
pub const REGENERATE_V6_PATH: &str = "/api/v2/Files/{id}/RegenerateOwnershipToken";
pub const REGENERATE_V7_PATH: &str = "/api/core/v1/Files/{id}/RegenerateOwnershipToken";
pub const DOWNLOAD_V6_PATH: &str = "/api/v2/Files/{id}/Download";
pub const DOWNLOAD_V7_PATH: &str = "/api/core/v1/Files/{id}/Download";

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
    use_case_request.correlation_id = CorrelationId::of_request(&request);
    let file = state
        .use_cases
        .upload_own_file
        .execute(use_case_request)
        .await
        .map_err(ApiError::failed)?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, "_"))
        .json(Success {
            result: FileDto::new(&file, &state.backbone_base_url, version),
        }))
}

/// The body of `POST …/Files/Peer`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct LoadPeerFileBody {
    /// A Token reference (to a `TokenContentFile`) or a File reference, truncated or url.
    reference: String,
    /// The token's password or PIN, when the reference says it has one.
    password: Option<String>,
}

/// Load a peer's File (Connector v6) by a Token or File reference.
///
/// A File already stored here is answered as it is; otherwise the token is read from the
/// Backbone (never stored), the File's metadata fetched and decrypted, and the File stored as
/// a peer's. The content is fetched only on download.
#[utoipa::path(
    post,
    path = PEER_V6_PATH,
    operation_id = "loadPeerFile",
    tag = "Files",
    request_body(content = LoadPeerFileBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The File (already stored, or loaded now).", headers(
            ("Location" = String, description = "`_`."),
        ), body = FileResult),
        LoadPeerRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn load_peer_file_v6(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    load_peer_file(request, payload, state, ApiVersion::V6).await
}

/// Load a peer's File (Connector v7; the v7 DTO).
#[utoipa::path(
    post,
    path = PEER_V7_PATH,
    operation_id = "loadPeerFileV7",
    tag = "Files",
    request_body(content = LoadPeerFileBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The File (already stored, or loaded now).", headers(
            ("Location" = String, description = "`_`."),
        ), body = FileResult),
        LoadPeerRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn load_peer_file_v7(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    load_peer_file(request, payload, state, ApiVersion::V7).await
}

async fn load_peer_file(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    version: ApiVersion,
) -> Result<HttpResponse, ApiError> {
    let body = read_object(&request, payload, state.max_body_bytes).await?;
    let mut use_case_request = parse_load_peer_file_request(&body)
        .map_err(|violation| ApiError::validation(violation.0))?;
    use_case_request.correlation_id = CorrelationId::of_request(&request);
    let file = state
        .use_cases
        .load_peer_file
        .execute(use_case_request)
        .await
        .map_err(ApiError::failed)?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, "_"))
        .json(Success {
            result: FileDto::new(&file, &state.backbone_base_url, version),
        }))
}

/// Parameters of `GET …/Files/{idOrReference}`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct QrCodeFormat {
    /// v6 only: a QR code encodes the reference's url instead of `nmshd://tr#<truncated>`.
    new_qr_code_format: Option<String>,
}

impl QrCodeFormat {
    /// Any non-empty value selects the url, as the Connector reads the parameter.
    pub fn selects_the_url(&self) -> bool {
        self.new_qr_code_format
            .as_deref()
            .is_some_and(|value| !value.is_empty())
    }
}

/// A stored File (Connector v6), by id or by any reference to it.
///
/// Only this service's store is asked. With `Accept: image/png` the answer is a QR code of the
/// File's reference.
#[utoipa::path(
    get,
    path = FILE_V6_PATH,
    operation_id = "getFile",
    tag = "Files",
    params(("idOrReference" = String, Path, description = "`FIL…`, or a File or Token reference (truncated, or a url percent-encoded)."), QrCodeFormat),
    responses(
        (status = 200, description = "The File.", content(
            (FileResult = "application/json"),
            (QrCodePng = "image/png"),
        )),
        GetFileRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn get_file_v6(
    request: HttpRequest,
    id_or_reference: web::Path<String>,
    query: web::Query<QrCodeFormat>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let url_in_qr_code = query.selects_the_url();
    get_file(
        request,
        &id_or_reference,
        state,
        ApiVersion::V6,
        url_in_qr_code,
    )
    .await
}

/// A stored File (Connector v7); a QR code always encodes the reference's url.
#[utoipa::path(
    get,
    path = FILE_V7_PATH,
    operation_id = "getFileV7",
    tag = "Files",
    params(("idOrReference" = String, Path, description = "`FIL…`, or a File or Token reference (truncated, or a url percent-encoded).")),
    responses(
        (status = 200, description = "The File.", content(
            (FileResult = "application/json"),
            (QrCodePng = "image/png"),
        )),
        GetFileRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn get_file_v7(
    request: HttpRequest,
    id_or_reference: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    get_file(request, &id_or_reference, state, ApiVersion::V7, true).await
}

async fn get_file(
    request: HttpRequest,
    id_or_reference: &str,
    state: web::Data<AppState>,
    version: ApiVersion,
    url_in_qr_code: bool,
) -> Result<HttpResponse, ApiError> {
    let representation = negotiate_request(&request)?;
    let file = state
        .use_cases
        .get_file
        .execute(id_or_reference)
        .await
        .map_err(ApiError::failed)?;
    let dto = FileDto::new(&file, &state.backbone_base_url, version);
    match representation {
        Representation::Json => Ok(HttpResponse::Ok().json(Success { result: dto })),
        Representation::Png => reference_qr_code(
            StatusCode::OK,
            &dto.reference,
            url_in_qr_code,
            file.id.as_str(),
        ),
    }
}

/// The plaintext of a stored File (Connector v6).
///
/// Fetched from the Backbone, checked against the File's hashes and decrypted; answered with
/// the File's media type and its name in `Content-Disposition`.
#[utoipa::path(
    get,
    path = DOWNLOAD_V6_PATH,
    operation_id = "downloadFile",
    tag = "Files",
    params(("id" = String, Path, description = "`FIL…`")),
    responses(
        (status = 200, description = "The File's content, as its media type.", headers(
            ("Content-Disposition" = String, description = "`attachment;filename=<the File's name, percent-encoded>`."),
        ), content_type = "*/*", body = Vec<u8>),
        DownloadRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn download_file_v6(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    download_file(request, &id, state).await
}

/// The plaintext of a stored File (Connector v7; the same answer).
#[utoipa::path(
    get,
    path = DOWNLOAD_V7_PATH,
    operation_id = "downloadFileV7",
    tag = "Files",
    params(("id" = String, Path, description = "`FIL…`")),
    responses(
        (status = 200, description = "The File's content, as its media type.", headers(
            ("Content-Disposition" = String, description = "`attachment;filename=<the File's name, percent-encoded>`."),
        ), content_type = "*/*", body = Vec<u8>),
        DownloadRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn download_file_v7(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    download_file(request, &id, state).await
}

async fn download_file(
    request: HttpRequest,
    id: &str,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let downloaded = state
        .use_cases
        .download_file
        .execute(id, CorrelationId::of_request(&request))
        .await
        .map_err(ApiError::failed)?;
    Ok(HttpResponse::Ok()
        // The media type as uploaded, unchanged (the Connector adds no charset).
        .insert_header((CONTENT_TYPE, downloaded.mimetype.as_str()))
        .insert_header((
            CONTENT_DISPOSITION,
            format!(
                "attachment;filename={}",
                encode_uri_component(&downloaded.filename)
            ),
        ))
        .body(downloaded.content))
}

/// Delete a File (Connector v6): on the Backbone too when it is this service's own.
#[utoipa::path(
    delete,
    path = FILE_V6_PATH,
    operation_id = "deleteFile",
    tag = "Files",
    params(("idOrReference" = String, Path, description = "`FIL…`")),
    responses(
        (status = 204, description = "The File is deleted."),
        ManageFileRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn delete_file_v6(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    delete_file(request, &id, state).await
}

/// Delete a File (Connector v7).
#[utoipa::path(
    delete,
    path = FILE_V7_PATH,
    operation_id = "deleteFileV7",
    tag = "Files",
    params(("idOrReference" = String, Path, description = "`FIL…`")),
    responses(
        (status = 204, description = "The File is deleted."),
        ManageFileRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn delete_file_v7(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    delete_file(request, &id, state).await
}

async fn delete_file(
    request: HttpRequest,
    id: &str,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    state
        .use_cases
        .manage_file
        .delete(id, CorrelationId::of_request(&request))
        .await
        .map_err(ApiError::failed)?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new ownership token for an own File (Connector v6); the old one stops working.
#[utoipa::path(
    patch,
    path = REGENERATE_V6_PATH,
    operation_id = "regenerateFileOwnershipToken",
    tag = "Files",
    params(("id" = String, Path, description = "`FIL…`")),
    responses(
        (status = 200, description = "The File with its new ownership token.", body = FileResult),
        ManageFileRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn regenerate_ownership_token_v6(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    regenerate_ownership_token(request, &id, state, ApiVersion::V6).await
}

/// A new ownership token for an own File (Connector v7).
#[utoipa::path(
    patch,
    path = REGENERATE_V7_PATH,
    operation_id = "regenerateFileOwnershipTokenV7",
    tag = "Files",
    params(("id" = String, Path, description = "`FIL…`")),
    responses(
        (status = 200, description = "The File with its new ownership token.", body = FileResult),
        ManageFileRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn regenerate_ownership_token_v7(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    regenerate_ownership_token(request, &id, state, ApiVersion::V7).await
}

async fn regenerate_ownership_token(
    request: HttpRequest,
    id: &str,
    state: web::Data<AppState>,
    version: ApiVersion,
) -> Result<HttpResponse, ApiError> {
    let file = state
        .use_cases
        .manage_file
        .regenerate_ownership_token(id, CorrelationId::of_request(&request))
        .await
        .map_err(ApiError::failed)?;
    Ok(HttpResponse::Ok().json(Success {
        result: FileDto::new(&file, &state.backbone_base_url, version),
    }))
}

/// What JavaScript's `encodeURIComponent` escapes: all but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
const URI_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// `encodeURIComponent(text)`, as the Connector writes the download's filename.
fn encode_uri_component(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, URI_COMPONENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::encode_uri_component;

    #[test]
    fn filenames_are_encoded_as_encode_uri_component_does() {
        assert_eq!(encode_uri_component("a file.txt"), "a%20file.txt");
        assert_eq!(encode_uri_component("ÄÖÜ.txt"), "%C3%84%C3%96%C3%9C.txt");
        assert_eq!(encode_uri_component("x-_.!~*'()y"), "x-_.!~*'()y");
        assert_eq!(encode_uri_component("a;b=c\"d"), "a%3Bb%3Dc%22d");
    }
}
