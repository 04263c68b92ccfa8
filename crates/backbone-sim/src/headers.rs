//! Headers on every answer: the echoed `X-Correlation-ID`, the response duration the official
//! client logs, and permissive CORS so browser-based clients are never in the way.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

use crate::config::random_alphanumeric;

const CORRELATION_ID: HeaderName = HeaderName::from_static("x-correlation-id");
const RESPONSE_DURATION: HeaderName = HeaderName::from_static("x-response-duration-ms");
/// The Backbone truncates incoming correlation ids to this many characters.
const MAX_CORRELATION_ID_LEN: usize = 100;
const EXPOSED_HEADERS: &str =
    "X-Correlation-ID, X-Response-Duration-ms, Retry-After, WWW-Authenticate";

/// Middleware: answers CORS preflights and adds the common headers to every response.
pub(crate) async fn apply(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let correlation_id = correlation_id(request.headers());
    let origin = request.headers().get(header::ORIGIN).cloned();

    let is_preflight = request.method() == Method::OPTIONS
        && origin.is_some()
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if is_preflight {
        let allowed_headers = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned()
            .unwrap_or_else(|| HeaderValue::from_static("*"));
        let preflight = HttpResponse::build(StatusCode::NO_CONTENT)
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_METHODS,
                "GET, POST, PUT, DELETE, OPTIONS",
            ))
            .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, allowed_headers))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
            .finish();
        request.into_response(preflight)
    } else {
        next.call(request).await?.map_into_boxed_body()
    };

    let headers = response.headers_mut();
    headers.insert(CORRELATION_ID, correlation_id);
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    headers.insert(RESPONSE_DURATION, HeaderValue::from(elapsed_ms));
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    Ok(response)
}

/// The caller's correlation id (trimmed, without line breaks, at most 100 characters), or a
/// new one, as the Backbone's middleware does.
fn correlation_id(headers: &HeaderMap) -> HeaderValue {
    let given = headers
        .get(&CORRELATION_ID)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().replace(['\r', '\n'], ""))
        .filter(|value| !value.is_empty())
        .map(|value| {
            value
                .chars()
                .take(MAX_CORRELATION_ID_LEN)
                .collect::<String>()
        });
    given
        .and_then(|value| HeaderValue::from_str(&value).ok())
        .unwrap_or_else(|| {
            HeaderValue::from_str(&random_alphanumeric(20))
                .unwrap_or_else(|_| HeaderValue::from_static("sim"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_ids_are_echoed_trimmed_and_truncated() {
        let mut headers = HeaderMap::new();
        headers.insert(CORRELATION_ID, HeaderValue::from_static("  abc-123  "));
        assert_eq!(correlation_id(&headers), "abc-123");
        let long = "x".repeat(150);
        headers.insert(
            CORRELATION_ID,
            HeaderValue::from_str(&long).expect("valid header"),
        );
        assert_eq!(correlation_id(&headers).len(), 100);
        assert_eq!(
            correlation_id(&HeaderMap::new()).len(),
            20,
            "a fresh one when none is given"
        );
    }
}
