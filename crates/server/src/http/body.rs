//! Reading the request body as the Connector does: JSON objects; a missing or empty body, or
//! an empty form, is `{}`; a non-empty form becomes string fields. Bodies are bounded.

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;
use serde_json::{Map, Value};

use super::error::{ApiError, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE};

/// Reads at most `limit` bytes and decodes them by `Content-Type`.
///
/// # Errors
/// 413 past the limit, 400 for malformed JSON or non-object JSON, 415 for other media types.
pub async fn read_object(
    request: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Map<String, Value>, ApiError> {
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                super::error::INVALID_JSON,
                "The request body could not be read.",
            )
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    decode(content_type(request).as_deref(), &bytes)
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        PAYLOAD_TOO_LARGE,
        format!("The request body is larger than {limit} bytes."),
    )
}

fn content_type(request: &HttpRequest) -> Option<String> {
    let value = request.headers().get(CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
    )
}

/// Decodes a complete body by its (lower-cased, parameter-free) media type.
///
/// # Errors
/// 400 for malformed JSON or non-object JSON, 415 for other media types.
pub fn decode(content_type: Option<&str>, bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match content_type {
        Some(kind) if kind == "application/json" || kind.ends_with("+json") => {
            match serde_json::from_slice(bytes) {
                Ok(Value::Object(object)) => Ok(object),
                _ => Err(ApiError::invalid_json()),
            }
        }
        Some("application/x-www-form-urlencoded") => {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
                .map(|pairs| {
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect()
                })
                .map_err(|_| ApiError::validation("The form body could not be decoded."))
        }
        other => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Content-Type '{}' is not supported: send application/json.",
                other.unwrap_or("(none)")
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_bodies_are_empty_objects_whatever_their_type() {
        for content_type in [
            None,
            Some("application/json"),
            Some("application/x-www-form-urlencoded"),
            Some("text/plain"),
        ] {
            assert_eq!(decode(content_type, b"").unwrap(), Map::new());
            assert_eq!(decode(content_type, b"  \n").unwrap(), Map::new());
        }
    }

    #[test]
    fn json_must_be_an_object() {
        assert_eq!(
            decode(Some("application/json"), br#"{"ephemeral":false}"#).unwrap()["ephemeral"],
            Value::Bool(false)
        );
        for bad in [&b"{"[..], b"[1]", b"\"text\"", b"null", b"\xff\xfe"] {
            assert_eq!(
                decode(Some("application/json"), bad).unwrap_err().code,
                super::super::error::INVALID_JSON
            );
        }
    }

    #[test]
    fn forms_become_string_fields_and_other_types_are_refused() {
        let form = decode(
            Some("application/x-www-form-urlencoded"),
            b"ephemeral=false",
        )
        .unwrap();
        assert_eq!(form["ephemeral"], Value::String("false".into()));
        assert_eq!(
            decode(Some("text/plain"), b"hello").unwrap_err().status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            decode(None, b"hello").unwrap_err().status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }
}
