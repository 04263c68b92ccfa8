//! The Tokens list routes, each under `/api/v2` (v6 DTOs) and `/api/core/v1` (v7): own Tokens
//! (`GET …/Tokens/Own`) and peers' (`…/Tokens/Peer`), filtered with the Connector's query
//! syntax (`http/wire/list_tokens_query.rs`). There is no list of all, as in the Connector.
//! Local only: no Backbone call.

use actix_web::{HttpRequest, HttpResponse, web};
use application::files::list::OwnerRestriction;
use application::tokens::list::ListTokensRequest;
use utoipa::IntoParams;
use utoipa::openapi::path::{Parameter, ParameterIn};

use crate::http::envelope::Success;
use crate::http::error::ApiError;
use crate::http::openapi::params::query_parameter;
use crate::http::openapi::responses::TokenListRouteErrors;
use crate::http::openapi::schemas::{TokenListResult, TokenListResultV7};
use crate::http::routes::ApiVersion;
use crate::http::routes::tokens::{OWN_V6_PATH, OWN_V7_PATH, PEER_V6_PATH, PEER_V7_PATH};
use crate::http::wire::list_tokens_query::{
    LOCATION_INDICATOR_KEY, PASSWORD_IS_PIN_KEY, PASSWORD_KEY, PASSWORD_PROTECTION_KEY,
};
use crate::http::wire::{TokenDto, parse_list_tokens_query};
use crate::state::AppState;

/// What each query key filters, and whether it may repeat.
const KEYS: [(&str, &str, bool); 9] = [
    (
        "createdAt",
        "When the Backbone created the Token, as its ISO text (`YYYY-MM-DDTHH:mm:ss.SSSZ`): compared as that text.",
        true,
    ),
    (
        "createdBy",
        "The address of the identity that created the Token.",
        true,
    ),
    (
        "createdByDevice",
        "The device (`DVC…`) that created the Token.",
        true,
    ),
    (
        "expiresAt",
        "When the Token expires, as its ISO text.",
        true,
    ),
    (
        "forIdentity",
        "The one identity the Token is for; absent when it is for anyone.",
        true,
    ),
    (
        PASSWORD_PROTECTION_KEY,
        "Empty: the Token is password protected; `!`: it is not.",
        false,
    ),
    (
        PASSWORD_KEY,
        "The Token's password, exactly, no operators (repeated: no Token).",
        true,
    ),
    (
        PASSWORD_IS_PIN_KEY,
        "`true`: protected by a PIN; `!`: protected by a password that is no PIN.",
        false,
    ),
    (
        LOCATION_INDICATOR_KEY,
        "Where the password is found: a number (`50`) or a name (`Email`), exactly (repeated: no Token).",
        true,
    ),
];

/// The query keys of the Token list routes.
#[derive(Debug)]
pub struct ListTokensParams;

impl IntoParams for ListTokensParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        KEYS.iter()
            .map(|(key, description, repeats)| query_parameter(key, description, *repeats))
            .collect()
    }
}

/// The Tokens this service created and keeps (Connector v6).
///
/// Only this service's store is asked, in creation order. The plain keys take the syntax of
/// `GET /api/v2/Files`: `key=` exists, `key=!` does not, `key=!x` not `x`, `key=>x` `>=x`
/// `<x` `<=x` compared, `key=^x` `$x` `~x` starts with, ends with, contains, otherwise equals.
#[utoipa::path(
    get,
    path = OWN_V6_PATH,
    operation_id = "getOwnTokens",
    tag = "Tokens",
    params(ListTokensParams),
    responses(
        (status = 200, description = "The own Tokens, oldest first.", body = TokenListResult),
        TokenListRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn list_own_tokens_v6(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list(&request, &state, OwnerRestriction::Own, ApiVersion::V6).await
}

/// The Tokens this service created and keeps (Connector v7).
#[utoipa::path(
    get,
    path = OWN_V7_PATH,
    operation_id = "getOwnTokensV7",
    tag = "Tokens",
    params(ListTokensParams),
    responses(
        (status = 200, description = "The own Tokens, oldest first.", body = TokenListResultV7),
        TokenListRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn list_own_tokens_v7(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list(&request, &state, OwnerRestriction::Own, ApiVersion::V7).await
}

/// The peers' Tokens this service loaded and keeps (Connector v6), filtered as the own ones.
#[utoipa::path(
    get,
    path = PEER_V6_PATH,
    operation_id = "getPeerTokens",
    tag = "Tokens",
    params(ListTokensParams),
    responses(
        (status = 200, description = "The peers' Tokens, oldest first.", body = TokenListResult),
        TokenListRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn list_peer_tokens_v6(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list(&request, &state, OwnerRestriction::Peer, ApiVersion::V6).await
}

/// The peers' Tokens this service loaded and keeps (Connector v7).
#[utoipa::path(
    get,
    path = PEER_V7_PATH,
    operation_id = "getPeerTokensV7",
    tag = "Tokens",
    params(ListTokensParams),
    responses(
        (status = 200, description = "The peers' Tokens, oldest first.", body = TokenListResultV7),
        TokenListRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
pub async fn list_peer_tokens_v7(
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
    let filter = parse_list_tokens_query(request.query_string()).map_err(ApiError::validation)?;
    let tokens = state
        .use_cases
        .list_tokens
        .execute(ListTokensRequest { filter, owner })
        .await
        .map_err(ApiError::failed)?;
    // Stored Tokens are never ephemeral.
    let result: Vec<TokenDto> = tokens
        .iter()
        .map(|token| TokenDto::for_version(token, false, &state.backbone_base_url, version))
        .collect();
    Ok(HttpResponse::Ok().json(Success { result }))
}
