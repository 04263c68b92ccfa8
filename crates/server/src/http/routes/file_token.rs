//! `POST /api/v2/Files/{id}/Token` (v6 shape) and `POST /api/core/v1/Files/{id}/Token` (v7).

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::body::read_object;
use crate::http::envelope::Success;
use crate::http::error::ApiError;
use crate::http::negotiation::{Representation, negotiate_request};
use crate::http::openapi::params::TokenRouteParams;
use crate::http::openapi::responses::TokenRouteErrors;
use crate::http::openapi::schemas::{
    CreateTokenForFileRequestBody, QrCodePng, TokenResult, TokenResultV7,
};
use crate::http::qr::reference_qr_code;
use crate::http::request_span::CorrelationId;
use crate::http::routes::ApiVersion;
use crate::http::wire::{TokenDto, parse_create_token_request};
use crate::state::AppState;

pub const V6_PATH: &str = "/api/v2/Files/{id}/Token";
pub const V7_PATH: &str = "/api/core/v1/Files/{id}/Token";

/// Create a Token for a File (Connector v6).
///
/// Creates an enmeshed Token on the Backbone whose content is the File's id and key, stores it
/// here unless ephemeral, and answers it as JSON or, with `Accept: image/png` (which forces
/// `ephemeral`), as a QR code. `Accept` is negotiated by Express's `req.accepts` rules.
#[utoipa::path(
    post,
    path = V6_PATH,
    operation_id = "createTokenForFile",
    tag = "Files",
    params(TokenRouteParams),
    request_body(content = Option<CreateTokenForFileRequestBody>, content_type = "application/json"),
    responses(
        (status = 201, description = "The token was created.", headers(
            ("Location" = String, description = "`_` (JSON answers only)."),
            ("Content-Disposition" = String, description = "`attachment;filename=<id>.png` (PNG answers only)."),
        ), content(
            (TokenResult = "application/json"),
            (QrCodePng = "image/png"),
        )),
        TokenRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
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

/// Create a Token for a File (Connector v7).
///
/// As on `/api/v2`, but the Token has no `truncatedReference` and a QR code always encodes
/// `reference.url`.
#[utoipa::path(
    post,
    path = V7_PATH,
    operation_id = "createTokenForFileV7",
    tag = "Files",
    params(TokenRouteParams),
    request_body(content = Option<CreateTokenForFileRequestBody>, content_type = "application/json"),
    responses(
        (status = 201, description = "The token was created.", headers(
            ("Location" = String, description = "`_` (JSON answers only)."),
            ("Content-Disposition" = String, description = "`attachment;filename=<id>.png` (PNG answers only)."),
        ), content(
            (TokenResultV7 = "application/json"),
            (QrCodePng = "image/png"),
        )),
        TokenRouteErrors,
    ),
    security(("ApiKey" = [])),
)]
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
    let representation = negotiate_request(&request)?;
    let new_qr_format =
        version == ApiVersion::V7 || body.get("newQRCodeFormat").is_some_and(is_truthy);
    let correlation_id = CorrelationId::of_request(&request);

    let mut use_case_request = parse_create_token_request(&file_id, &body)
        .map_err(|violation| ApiError::validation(violation.0))?;
    use_case_request.force_ephemeral = representation == Representation::Png;
    use_case_request.correlation_id = correlation_id;
    let created = state
        .use_cases
        .create_token_for_file
        .execute(use_case_request)
        .await
        .map_err(ApiError::failed)?;
    let token = TokenDto::for_version(
        &created.token,
        created.is_ephemeral,
        &state.backbone_base_url,
        version,
    );

    match representation {
        Representation::Json => Ok(HttpResponse::Created()
            .insert_header((LOCATION, "_"))
            .json(Success { result: token })),
        // Named after the File, as the Connector names it.
        Representation::Png => reference_qr_code(
            StatusCode::CREATED,
            &token.reference,
            new_qr_format,
            &file_id,
        ),
    }
}

/// JavaScript truthiness, as the reference reads `newQRCodeFormat` (unvalidated): a form's
/// `"true"` selects the url as much as JSON `true` does.
fn is_truthy(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Null => false,
        Value::Bool(flag) => *flag,
        Value::Number(number) => number.as_f64().is_some_and(|n| n != 0.0 && !n.is_nan()),
        Value::String(text) => !text.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::is_truthy;

    #[test]
    fn new_qr_code_format_follows_javascript_truthiness() {
        for truthy in [
            json!(true),
            json!(1),
            json!("true"),
            json!("false"),
            json!([]),
            json!({}),
        ] {
            assert!(is_truthy(&truthy), "{truthy}");
        }
        for falsy in [json!(false), json!(0), json!(""), json!(null), json!(0.0)] {
            assert!(!is_truthy(&falsy), "{falsy}");
        }
    }
}
