//! The Backbone's own routes (`/connect/token`, `/api/v2/...`) and what they share: bearer
//! resolution, the protected-route 401, query strings and bodies.

pub(crate) mod challenges;
pub(crate) mod connect;
pub(crate) mod files;
pub(crate) mod identities;
mod pagination;
pub(crate) mod sync_runs;
pub(crate) mod tokens;

use std::fmt;
use std::sync::Mutex;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde_json::json;

use crate::auth::Bearer;
use crate::envelope::{self, ApiError};
use crate::lock;
use crate::persist::PendingWrite;
use crate::state::{Caller, SimState};

/// The Backbone's limit for request bodies (Kestrel's `MaxRequestBodySize`): room for a file
/// part of 10 MiB plus the other parts and the multipart framing.
pub(crate) const MAX_BODY_BYTES: usize = 20 * 1024 * 1024;
const OPENIDDICT_ERRORS: &str = "https://documentation.openiddict.com/errors/";

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config.service(web::resource("/api/v2/Version").route(web::get().to(version)));
    tokens::configure(config);
    files::configure(config);
    challenges::configure(config);
    identities::configure(config);
    sync_runs::configure(config);
    connect::configure(config);
}

async fn version() -> HttpResponse {
    envelope::result(StatusCode::OK, json!({ "majorVersion": "7" }))
}

/// The bearer token of `request`, resolved against the issued access tokens.
pub(crate) fn bearer(request: &HttpRequest, state: &SimState) -> Bearer {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    state.accounts.bearer(authorization, state.now())
}

/// Writes a state change to the state file, if there is one, so that it is on disk before the
/// request that made it is answered. Runs on a blocking thread, outside the state lock.
///
/// # Errors
/// `error.platform.unexpected` (500) if the file cannot be written; the change stays in memory
/// and reaches the file with the next change that is saved.
pub(crate) async fn save(pending: Option<PendingWrite>) -> Result<(), ApiError> {
    let Some(pending) = pending else {
        return Ok(());
    };
    match web::block(move || pending.write()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => {
            tracing::error!(%error, "state change not saved");
            Err(ApiError::unexpected())
        }
        Err(error) => {
            tracing::error!(%error, "state writer failed");
            Err(ApiError::unexpected())
        }
    }
}

/// The caller of a protected route.
///
/// # Errors
/// [`Unauthorized`] unless the request carries a valid access token.
pub(crate) fn require_caller(
    request: &HttpRequest,
    shared: &Mutex<SimState>,
) -> Result<Caller, Unauthorized> {
    match bearer(request, &lock(shared)) {
        Bearer::Valid(caller) => Ok(caller),
        other => Err(Unauthorized(other)),
    }
}

/// A protected route's 401: empty body, the reason only in `WWW-Authenticate` (as OpenIddict's
/// validation handler answers).
#[derive(Debug)]
pub(crate) struct Unauthorized(Bearer);

impl fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unauthorized ({:?})", self.0)
    }
}

impl ResponseError for Unauthorized {
    fn status_code(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }

    fn error_response(&self) -> HttpResponse {
        let challenge = match self.0 {
            Bearer::Invalid => invalid_token_challenge("The specified token is invalid.", "ID2004"),
            Bearer::Expired => {
                invalid_token_challenge("The specified token is no longer valid.", "ID2019")
            }
            Bearer::Missing | Bearer::Valid(_) => "Bearer".to_owned(),
        };
        let mut response = HttpResponse::Unauthorized();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response.insert_header((header::WWW_AUTHENTICATE, value));
        }
        response.finish()
    }
}

fn invalid_token_challenge(description: &str, id: &str) -> String {
    format!(
        r#"Bearer error="invalid_token", error_description="{description}", error_uri="{OPENIDDICT_ERRORS}{id}""#
    )
}

/// The query string as name/value pairs, percent-decoded, in order.
pub(crate) fn query_pairs(request: &HttpRequest) -> Vec<(String, String)> {
    form_pairs(request.query_string())
}

/// Decodes `application/x-www-form-urlencoded` text (a query string or a form body).
pub(crate) fn form_pairs(text: &str) -> Vec<(String, String)> {
    web::Query::<Vec<(String, String)>>::from_query(text)
        .map(web::Query::into_inner)
        .unwrap_or_default()
}

/// The first value of the parameter `name` (ASP.NET matches query names case-insensitively).
pub(crate) fn first_param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Reads the whole body, up to the Backbone's limit.
///
/// # Errors
/// `requestBodyTooLarge` past 20 MiB, `inputCannotBeParsed` if the body cannot be read.
pub(crate) async fn read_body(payload: web::Payload) -> Result<web::Bytes, ApiError> {
    match payload.to_bytes_limited(MAX_BODY_BYTES).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(ApiError::cannot_be_parsed(
            "The request body could not be read.",
        )),
        Err(_) => Err(ApiError::body_too_large()),
    }
}

/// ASP.NET's JSON input formatter takes `application/json`, `text/json` and `*/*+json` only;
/// anything else is a 415 problem document before model binding.
pub(crate) fn unsupported_media_type(request: &HttpRequest) -> Option<HttpResponse> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let supported =
        essence == "application/json" || essence == "text/json" || essence.ends_with("+json");
    if supported {
        return None;
    }
    Some(
        HttpResponse::UnsupportedMediaType()
            .content_type("application/problem+json; charset=utf-8")
            .json(json!({
                "type": "https://tools.ietf.org/html/rfc9110#section-15.5.16",
                "title": "Unsupported Media Type",
                "status": 415,
            })),
    )
}

/// An absolute URL on this server, as ASP.NET's `CreatedAtAction` writes it into `Location`.
pub(crate) fn location(request: &HttpRequest, path: &str) -> String {
    let info = request.connection_info();
    format!("{}://{}{path}", info.scheme(), info.host())
}
