//! `POST /api/v2/Files/{id}/Token` (v6 shape) and `POST /api/core/v1/Files/{id}/Token` (v7).

use actix_web::http::header::{ACCEPT, CONTENT_DISPOSITION, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use application::{CreateTokenForFileError, CreateTokenForFileRequest};

use crate::http::body::read_object;
use crate::http::envelope::Success;
use crate::http::error::ApiError;
use crate::http::negotiation::{Representation, negotiate};
use crate::http::qr::qr_png;
use crate::state::AppState;
use crate::telemetry::error_chain;

const CORRELATION_HEADER: &str = "x-correlation-id";

/// Which Connector generation's contract a route follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V6,
    V7,
}

pub async fn create_token_for_file_v6(
    request: HttpRequest,
    file_id: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    create_token_for_file(
        request,
        file_id.into_inner(),
        payload,
        state,
        ApiVersion::V6,
    )
    .await
}

pub async fn create_token_for_file_v7(
    request: HttpRequest,
    file_id: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    create_token_for_file(
        request,
        file_id.into_inner(),
        payload,
        state,
        ApiVersion::V7,
    )
    .await
}

async fn create_token_for_file(
    request: HttpRequest,
    file_id: String,
    payload: web::Payload,
    state: web::Data<AppState>,
    version: ApiVersion,
) -> Result<HttpResponse, ApiError> {
    let body = read_object(&request, payload, state.max_body_bytes).await?;
    let accept = request
        .headers()
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok());
    let representation = negotiate(accept).ok_or_else(ApiError::not_acceptable)?;
    let new_qr_format = version == ApiVersion::V7
        || body.get("newQRCodeFormat") == Some(&serde_json::Value::Bool(true));
    let correlation_id = request
        .headers()
        .get(CORRELATION_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);

    let use_case_request = CreateTokenForFileRequest {
        file_id: file_id.clone(),
        body,
        force_ephemeral: representation == Representation::Png,
        correlation_id,
    };
    let token = state
        .create_token_for_file
        .execute(use_case_request)
        .await
        .map_err(log_and_convert)?;

    match representation {
        Representation::Json => {
            let token = if version == ApiVersion::V7 {
                token.into_v7()
            } else {
                token
            };
            Ok(HttpResponse::Created()
                .insert_header((LOCATION, "_"))
                .json(Success { result: token }))
        }
        Representation::Png => {
            let text = if new_qr_format {
                token.reference.url.clone()
            } else {
                format!("nmshd://tr#{}", token.reference.truncated)
            };
            let png = qr_png(&text).map_err(|error| {
                tracing::error!(%error, "QR code rendering failed");
                ApiError::unexpected()
            })?;
            Ok(HttpResponse::Created()
                .content_type("image/png")
                .insert_header((
                    CONTENT_DISPOSITION,
                    format!("attachment;filename={file_id}.png"),
                ))
                .body(png))
        }
    }
}

/// Logs the whole error chain once, where the error becomes a response.
fn log_and_convert(error: CreateTokenForFileError) -> ApiError {
    let chain = error_chain(&error);
    let api_error = ApiError::from(error);
    if api_error.status.is_server_error() {
        tracing::error!(status = api_error.status.as_u16(), error = %chain, "create token for file failed");
    } else {
        tracing::info!(status = api_error.status.as_u16(), error = %chain, "create token for file refused");
    }
    api_error
}
