//! `/api/v2/Tokens`: create and read (anonymous allowed), list and delete (authenticated).

use std::sync::Mutex;

use crate::encoding::b64url;
use crate::ids::TokenId;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{Error, HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::pagination::Page;
use super::{
    bearer, first_param, query_pairs, read_body, require_caller, save, unsupported_media_type,
};
use crate::envelope::{self, ApiError, decode_query_bytes, format_date};
use crate::lock;
use crate::state::{Access, DeleteError, MAX_PASSWORD_BYTES, SimState, Token};
use crate::validation::{bind_create_body, check_byte_count, validate_create};

type State = web::Data<Mutex<SimState>>;

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/api/v2/Tokens")
                .route(web::post().to(create))
                .route(web::get().to(list)),
        )
        .service(
            web::resource("/api/v2/Tokens/{id}")
                .route(web::get().to(get))
                .route(web::delete().to(delete)),
        );
}

/// The token as the Backbone's `TokenDTO` renders it.
pub(crate) fn token_dto(token: &Token) -> Value {
    json!({
        "id": token.id.as_str(),
        "createdBy": token.created_by.as_ref().map(|a| a.as_str()),
        "createdByDevice": token.created_by_device.as_ref().map(|d| d.as_str()),
        "forIdentity": token.for_identity.as_ref().map(|a| a.as_str()),
        "createdAt": format_date(token.created_at),
        "expiresAt": format_date(token.expires_at),
        "content": token.content.as_ref().map(b64url),
        "isPasswordProtected": token.is_password_protected(),
    })
}

async fn create(
    request: HttpRequest,
    payload: web::Payload,
    state: State,
) -> Result<HttpResponse, Error> {
    if let Some(unsupported) = unsupported_media_type(&request) {
        return Ok(unsupported);
    }
    let body = read_body(payload).await?;
    let input = bind_create_body(&body)?;
    let (token, pending) = {
        let mut state = lock(&state);
        let now = state.now();
        let caller = bearer(&request, &state).caller();
        let new = validate_create(input, caller.is_some(), now)?;
        let token = state.tokens.create(new, caller.as_ref(), now);
        (token, state.persist())
    };
    // The 201 only once the token is on disk (with a state file).
    save(pending).await?;
    tracing::info!(token_id = %token.id, anonymous = token.created_by.is_none(), "token created");
    let info = request.connection_info();
    let location = format!(
        "{}://{}/api/v2/Tokens/{}",
        info.scheme(),
        info.host(),
        token.id
    );
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(json!({
            "result": { "id": token.id.as_str(), "createdAt": format_date(token.created_at) }
        })))
}

async fn get(
    request: HttpRequest,
    id: web::Path<String>,
    state: State,
) -> Result<HttpResponse, Error> {
    let pairs = query_pairs(&request);
    // Model binding (the password) comes before the validator (id, then password length).
    let password = match first_param(&pairs, "password").filter(|text| !text.is_empty()) {
        None => None,
        Some(text) => Some(decode_query_bytes(text).ok_or_else(|| {
            ApiError::cannot_be_parsed(format!(
                "'password': The value '{text}' is not valid for password."
            ))
        })?),
    };
    let id = TokenId::parse(&id).map_err(|_| ApiError::invalid_id("id"))?;
    if let Some(password) = &password {
        check_byte_count("password", password.len(), 1, MAX_PASSWORD_BYTES)?;
    }
    let (access, token, pending) = {
        let mut state = lock(&state);
        let now = state.now();
        let caller = bearer(&request, &state).caller();
        let failed_before = state.tokens.get(&id).map(|t| t.access_failed_count);
        let (access, token) = state
            .tokens
            .access(&id, caller.as_ref(), password.as_deref(), now)
            .ok_or_else(ApiError::token_not_found)?;
        let changed =
            access == Access::AllocationAdded || failed_before != Some(token.access_failed_count);
        let pending = if changed { state.persist() } else { None };
        (access, token, pending)
    };
    save(pending).await?;
    tracing::debug!(token_id = %id, ?access, "token read");
    match access {
        Access::Ok | Access::AllocationAdded => {
            Ok(envelope::result(StatusCode::OK, token_dto(&token)))
        }
        Access::Locked => Err(ApiError::token_locked().into()),
        Access::WrongPassword | Access::ForIdentityDoesNotMatch | Access::Expired => {
            Err(ApiError::token_not_found().into())
        }
    }
}

async fn list(request: HttpRequest, state: State) -> Result<HttpResponse, Error> {
    let caller = require_caller(&request, &state)?;
    let pairs = query_pairs(&request);
    let page = Page::of(&pairs)?;
    let texts: Vec<&str> = pairs
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case("ids"))
        .map(|(_, value)| value.as_str())
        .collect();
    if texts.is_empty() {
        return Err(ApiError::invalid_property("'ids' must not be empty.").into());
    }
    let mut ids = Vec::with_capacity(texts.len());
    for (index, text) in texts.iter().enumerate() {
        ids.push(TokenId::parse(text).map_err(|_| ApiError::invalid_id(&format!("ids[{index}]")))?);
    }
    let tokens: Vec<Value> = lock(&state)
        .tokens
        .list_for(&ids, &caller)
        .iter()
        .map(token_dto)
        .collect();
    Ok(page.respond(&tokens))
}

async fn delete(
    request: HttpRequest,
    id: web::Path<String>,
    state: State,
) -> Result<HttpResponse, Error> {
    let caller = require_caller(&request, &state)?;
    let id = TokenId::parse(&id).map_err(|_| ApiError::invalid_id("id"))?;
    let (deleted, pending) = {
        let mut state = lock(&state);
        let deleted = state.tokens.delete(&id, &caller);
        let pending = if deleted.is_ok() {
            state.persist()
        } else {
            None
        };
        (deleted, pending)
    };
    save(pending).await?;
    match deleted {
        Ok(_) => {
            tracing::info!(token_id = %id, "token deleted");
            Ok(HttpResponse::NoContent().finish())
        }
        Err(DeleteError::NotFound) => Err(ApiError::token_not_found().into()),
        Err(DeleteError::Forbidden) => Err(ApiError::forbidden().into()),
    }
}
