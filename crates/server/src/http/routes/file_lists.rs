//! The Files list routes, each under `/api/v2` (v6 DTOs) and `/api/core/v1` (v7): every stored
//! File (`GET …/Files`), own ones (`…/Files/Own`) and peers' (`…/Files/Peer`), filtered with the
//! Connector's query syntax (`http/wire/list_files_query.rs`). Local only: no Backbone call.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use application::files::list::{FileField, ListFilesError, ListFilesRequest, OwnerRestriction};
use application::ports::RepositoryError;
use serde::Serialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::response::Response;
use utoipa::{IntoParams, IntoResponses, ToSchema};

use crate::http::envelope::Success;
use crate::http::error::{ApiError, DATABASE_UNAVAILABLE};
use crate::http::openapi::params::query_parameter;
use crate::http::openapi::responses::{UNAUTHORIZED, responses};
use crate::http::routes::ApiVersion;
use crate::http::routes::files::{OWN_V6_PATH, OWN_V7_PATH, PEER_V6_PATH, PEER_V7_PATH};
use crate::http::wire::list_files_query::TAGS_KEY;
use crate::http::wire::{FileDto, parse_list_files_query};
use crate::state::AppState;

pub const FILES_V6_PATH: &str = "/api/v2/Files";
pub const FILES_V7_PATH: &str = "/api/core/v1/Files";

/// `{"result": [FileDto, …]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileListResult {
    result: Vec<FileDto>,
}

impl From<ListFilesError> for ApiError {
    fn from(error: ListFilesError) -> Self {
        match error {
            ListFilesError::Lookup(RepositoryError::Unavailable(_)) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                DATABASE_UNAVAILABLE,
                "The database is unavailable. Try again later.",
            ),
            ListFilesError::Lookup(_) => ApiError::unexpected(),
        }
    }
}

/// Every status the list routes may fail with, and why.
const LIST_ROUTE_ERRORS: [(u16, &str); 4] = [
    (
        400,
        "The query has a key the schema does not know (`query must NOT have additional \
         properties`) or a repeated `ownershipIsLocked` (`query/ownershipIsLocked must be \
         string`), as `error.runtime.validation.invalidPropertyValue`.",
    ),
    (401, UNAUTHORIZED),
    (500, "An unexpected failure (`error.connector.unexpected`)."),
    (
        503,
        "The database is unavailable (`error.connector.database.unavailable`).",
    ),
];

/// The failures of the list routes.
#[derive(Debug)]
pub struct ListRouteErrors;

impl IntoResponses for ListRouteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&LIST_ROUTE_ERRORS)
    }
}

/// What each query key filters; the syntax is the operation's.
const KEYS: [(&str, &str); 13] = [
    (
        "createdAt",
        "When the Backbone created the File, as its ISO text (`YYYY-MM-DDTHH:mm:ss.SSSZ`): compared as that text.",
    ),
    (
        "createdBy",
        "The address of the identity that uploaded the File.",
    ),
    (
        "createdByDevice",
        "The device (`DVC…`) that uploaded the File.",
    ),
    (
        "description",
        "The File's description; absent when it has none.",
    ),
    ("expiresAt", "When the File expires, as its ISO text."),
    ("filename", "The File's name."),
    (
        "filesize",
        "The content's size in bytes (a number: `4`, `>1000`).",
    ),
    ("mimetype", "The content's media type."),
    (
        "title",
        "The File's title; absent when it has none (also in v6, whose DTO shows `\"\"`).",
    ),
    (
        "isOwn",
        "`true` for Files this service uploaded, `false` for peers' (overridden by `/Own` and `/Peer`).",
    ),
    (
        "tags",
        "Has one of these tags: each value exactly, no operators.",
    ),
    (
        "ownershipToken",
        "The File's ownership token, exactly, no operators (repeated: no File).",
    ),
    (
        "ownershipIsLocked",
        "`true` when the ownership is locked; unlocked is absent (`!`). Once only.",
    ),
];

/// The query keys of the list routes.
#[derive(Debug)]
pub struct ListFilesParams;

impl IntoParams for ListFilesParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        debug_assert!(
            KEYS.iter()
                .all(|(key, _)| *key == TAGS_KEY || FileField::from_name(key).is_some())
        );
        KEYS.iter()
            .map(|(key, description)| {
                query_parameter(key, description, *key != "ownershipIsLocked")
            })
            .collect()
    }
}

/// Every stored File a filter selects (Connector v6).
///
/// Only this service's store is asked, in creation order. Each key filters the field of its
/// name: `key=` the field exists, `key=!` it does not, `key=!x` it is not `x`, `key=>x`
/// `>=x` `<x` `<=x` it compares so with `x`, `key=^x` `$x` `~x` it starts with, ends with,
/// contains `x` (case-insensitive, literally: `.` or `*` are themselves), otherwise it equals
/// `x`. `true`/`false` are booleans and whole numbers numbers, which match only fields of
/// their type (`title=123` matches no title). A repeated key matches one of its plain values
/// and none of its `!` values. Dates compare as their ISO text.
#[utoipa::path(
    get,
    path = FILES_V6_PATH,
    operation_id = "getFiles",
    tag = "Files",
    params(ListFilesParams),
    responses(
        (status = 200, description = "The Files, oldest first.", body = FileListResult),
        ListRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn list_files_v6(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list(&request, &state, OwnerRestriction::Any, ApiVersion::V6).await
}

/// Every stored File a filter selects (Connector v7), filtered as on `/api/v2/Files`.
#[utoipa::path(
    get,
    path = FILES_V7_PATH,
    operation_id = "getFilesV7",
    tag = "Files",
    params(ListFilesParams),
    responses(
        (status = 200, description = "The Files, oldest first.", body = FileListResult),
        ListRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn list_files_v7(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list(&request, &state, OwnerRestriction::Any, ApiVersion::V7).await
}

/// The Files this service uploaded (Connector v6), filtered as on `/api/v2/Files`; `isOwn`
/// is `true` whatever the query says.
#[utoipa::path(
    get,
    path = OWN_V6_PATH,
    operation_id = "getOwnFiles",
    tag = "Files",
    params(ListFilesParams),
    responses(
        (status = 200, description = "The own Files, oldest first.", body = FileListResult),
        ListRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn list_own_files_v6(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list(&request, &state, OwnerRestriction::Own, ApiVersion::V6).await
}

/// The Files this service uploaded (Connector v7).
#[utoipa::path(
    get,
    path = OWN_V7_PATH,
    operation_id = "getOwnFilesV7",
    tag = "Files",
    params(ListFilesParams),
    responses(
        (status = 200, description = "The own Files, oldest first.", body = FileListResult),
        ListRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn list_own_files_v7(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list(&request, &state, OwnerRestriction::Own, ApiVersion::V7).await
}

/// The peers' Files this service loaded (Connector v6), filtered as on `/api/v2/Files`;
/// `isOwn` is `false` whatever the query says.
#[utoipa::path(
    get,
    path = PEER_V6_PATH,
    operation_id = "getPeerFiles",
    tag = "Files",
    params(ListFilesParams),
    responses(
        (status = 200, description = "The peers' Files, oldest first.", body = FileListResult),
        ListRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn list_peer_files_v6(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list(&request, &state, OwnerRestriction::Peer, ApiVersion::V6).await
}

/// The peers' Files this service loaded (Connector v7).
#[utoipa::path(
    get,
    path = PEER_V7_PATH,
    operation_id = "getPeerFilesV7",
    tag = "Files",
    params(ListFilesParams),
    responses(
        (status = 200, description = "The peers' Files, oldest first.", body = FileListResult),
        ListRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn list_peer_files_v7(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list(&request, &state, OwnerRestriction::Peer, ApiVersion::V7).await
}

async fn list(
    request: &HttpRequest,
    state: &AppState,
    owner: OwnerRestriction,
    version: ApiVersion,
) -> Result<HttpResponse, ApiError> {
    let filter = parse_list_files_query(request.query_string()).map_err(ApiError::validation)?;
    let files = state
        .use_cases
        .list_files
        .execute(ListFilesRequest { filter, owner })
        .await
        .map_err(ApiError::failed)?;
    let result: Vec<FileDto> = files
        .iter()
        .map(|file| FileDto::new(file, &state.backbone_base_url, version))
        .collect();
    Ok(HttpResponse::Ok().json(Success { result }))
}
