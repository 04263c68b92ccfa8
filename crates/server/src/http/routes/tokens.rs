//! The Tokens routes, each under `/api/v2` (v6 DTO) and `/api/core/v1` (v7): create an own
//! Token of any content, load a peer's by reference, get a stored one (JSON or a QR code),
//! and (v7 only, as in the Connector) delete one.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::body::read_object;
use crate::http::envelope::Success;
use crate::http::error::ApiError;
use crate::http::negotiation::{Representation, negotiate_request};
use crate::http::openapi::responses::{
    CreateOwnTokenRouteErrors, DeleteTokenRouteErrors, GetTokenRouteErrors,
    LoadPeerTokenRouteErrors,
};
use crate::http::openapi::schemas::{
    CreateOwnTokenRequestBody, LoadPeerTokenRequestBody, QrCodePng, TokenResult, TokenResultV7,
};
use crate::http::qr::reference_qr_code;
use crate::http::request_span::CorrelationId;
use crate::http::routes::ApiVersion;
use crate::http::routes::files::QrCodeFormat;
use crate::http::wire::{TokenDto, parse_create_own_token_request, parse_load_peer_token_request};
use crate::state::AppState;

pub const OWN_V6_PATH: &str = "/api/v2/Tokens/Own";
pub const OWN_V7_PATH: &str = "/api/core/v1/Tokens/Own";
pub const PEER_V6_PATH: &str = "/api/v2/Tokens/Peer";
pub const PEER_V7_PATH: &str = "/api/core/v1/Tokens/Peer";
pub const TOKEN_V6_PATH: &str = "/api/v2/Tokens/{id}";
pub const TOKEN_V7_PATH: &str = "/api/core/v1/Tokens/{id}";

fn dto(
    token: &domain::Token,
    is_ephemeral: bool,
    state: &AppState,
    version: ApiVersion,
) -> TokenDto {
    TokenDto::for_version(token, is_ephemeral, &state.backbone_base_url, version)
}

fn created(dto: TokenDto) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((LOCATION, "_"))
        .json(Success { result: dto })
}

/// Create an own Token (Connector v6).
///
/// Encrypts `content` (any JSON object) under a fresh key as the enmeshed runtime does,
/// creates the Token on the Backbone and stores it here unless `ephemeral`.
#[utoipa::path(
    post,
    path = OWN_V6_PATH,
    operation_id = "createOwnToken",
    tag = "Tokens",
    request_body(content = CreateOwnTokenRequestBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The Token was created.", headers(
            ("Location" = String, description = "`_`."),
        ), body = TokenResult),
        CreateOwnTokenRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn create_own_token_v6(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    create_own_token(request, payload, state, ApiVersion::V6).await
}

/// Create an own Token (Connector v7; the v7 DTO).
#[utoipa::path(
    post,
    path = OWN_V7_PATH,
    operation_id = "createOwnTokenV7",
    tag = "Tokens",
    request_body(content = CreateOwnTokenRequestBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The Token was created.", headers(
            ("Location" = String, description = "`_`."),
        ), body = TokenResultV7),
        CreateOwnTokenRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn create_own_token_v7(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    create_own_token(request, payload, state, ApiVersion::V7).await
}

async fn create_own_token(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    version: ApiVersion,
) -> Result<HttpResponse, ApiError> {
    let body = read_object(&request, payload, state.max_body_bytes).await?;
    let mut use_case_request = parse_create_own_token_request(&body)
        .map_err(|violation| ApiError::validation(violation.0))?;
    use_case_request.correlation_id = CorrelationId::of_request(&request);
    let created_token = state
        .use_cases
        .create_own_token
        .execute(use_case_request)
        .await
        .map_err(ApiError::failed)?;
    Ok(created(dto(
        &created_token.token,
        created_token.is_ephemeral,
        &state,
        version,
    )))
}

/// Load a peer's Token (Connector v6) by its truncated or url reference.
///
/// A Token already stored here is answered as it is; otherwise it is read from the Backbone
/// (with the hash of `password` when the reference says it is protected), decrypted with the
/// reference's key and stored as a peer's unless `ephemeral`.
#[utoipa::path(
    post,
    path = PEER_V6_PATH,
    operation_id = "loadPeerToken",
    tag = "Tokens",
    request_body(content = LoadPeerTokenRequestBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The Token (already stored, or loaded now).", headers(
            ("Location" = String, description = "`_`."),
        ), body = TokenResult),
        LoadPeerTokenRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn load_peer_token_v6(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    load_peer_token(request, payload, state, ApiVersion::V6).await
}

/// Load a peer's Token (Connector v7; the v7 DTO).
#[utoipa::path(
    post,
    path = PEER_V7_PATH,
    operation_id = "loadPeerTokenV7",
    tag = "Tokens",
    request_body(content = LoadPeerTokenRequestBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The Token (already stored, or loaded now).", headers(
            ("Location" = String, description = "`_`."),
        ), body = TokenResultV7),
        LoadPeerTokenRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn load_peer_token_v7(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    load_peer_token(request, payload, state, ApiVersion::V7).await
}

async fn load_peer_token(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    version: ApiVersion,
) -> Result<HttpResponse, ApiError> {
    let body = read_object(&request, payload, state.max_body_bytes).await?;
    let mut use_case_request = parse_load_peer_token_request(&body)
        .map_err(|violation| ApiError::validation(violation.0))?;
    use_case_request.correlation_id = CorrelationId::of_request(&request);
    let loaded = state
        .use_cases
        .load_peer_token
        .execute(use_case_request)
        .await
        .map_err(ApiError::failed)?;
    Ok(created(dto(
        &loaded.token,
        loaded.is_ephemeral,
        &state,
        version,
    )))
}

/// A stored Token (Connector v6), own or a peer's.
///
/// Only this service's store is asked; `isEphemeral` is always `false`. With
/// `Accept: image/png` the answer is a QR code of the Token's reference.
#[utoipa::path(
    get,
    path = TOKEN_V6_PATH,
    operation_id = "getToken",
    tag = "Tokens",
    params(("id" = String, Path, description = "`TOK…`"), QrCodeFormat),
    responses(
        (status = 200, description = "The Token.", content(
            (TokenResult = "application/json"),
            (QrCodePng = "image/png"),
        )),
        GetTokenRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn get_token_v6(
    request: HttpRequest,
    id: web::Path<String>,
    query: web::Query<QrCodeFormat>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let url_in_qr_code = query.selects_the_url();
    get_token(request, &id, state, ApiVersion::V6, url_in_qr_code).await
}

/// A stored Token (Connector v7); a QR code always encodes the reference's url.
#[utoipa::path(
    get,
    path = TOKEN_V7_PATH,
    operation_id = "getTokenV7",
    tag = "Tokens",
    params(("id" = String, Path, description = "`TOK…`")),
    responses(
        (status = 200, description = "The Token.", content(
            (TokenResultV7 = "application/json"),
            (QrCodePng = "image/png"),
        )),
        GetTokenRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn get_token_v7(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    get_token(request, &id, state, ApiVersion::V7, true).await
}

async fn get_token(
    request: HttpRequest,
    id: &str,
    state: web::Data<AppState>,
    version: ApiVersion,
    url_in_qr_code: bool,
) -> Result<HttpResponse, ApiError> {
    let representation = negotiate_request(&request)?;
    let token = state
        .use_cases
        .manage_token
        .get(id)
        .await
        .map_err(ApiError::failed)?;
    let dto = dto(&token, false, &state, version);
    match representation {
        Representation::Json => Ok(HttpResponse::Ok().json(Success { result: dto })),
        Representation::Png => reference_qr_code(
            StatusCode::OK,
            &dto.reference,
            url_in_qr_code,
            token.id.as_str(),
        ),
    }
}

/// Delete a stored Token (Connector v7 only): on the Backbone first when it is own, so that
/// its reference opens nothing any more; a peer's is only forgotten here.
#[utoipa::path(
    delete,
    path = TOKEN_V7_PATH,
    operation_id = "deleteTokenV7",
    tag = "Tokens",
    params(("id" = String, Path, description = "`TOK…`")),
    responses(
        (status = 204, description = "The Token is deleted."),
        DeleteTokenRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn delete_token_v7(
    request: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    state
        .use_cases
        .manage_token
        .delete(&id, CorrelationId::of_request(&request))
        .await
        .map_err(ApiError::failed)?;
    Ok(HttpResponse::NoContent().finish())
}
