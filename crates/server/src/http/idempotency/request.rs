//! What the middleware reads of a request: whether it is one to make idempotent, its key, and
//! its fingerprint (which needs the whole body, read here and handed on to the route).

use actix_web::HttpMessage;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::Method;
use actix_web::http::StatusCode;
use actix_web::web::BytesMut;
use domain::{IdempotencyKey, RequestFingerprint};
use futures_util::StreamExt;

use crate::http::error::{ApiError, INVALID_IDEMPOTENCY_KEY, PAYLOAD_TOO_LARGE};

pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// The API's prefixes; what else a POST could reach answers 404 without creating anything.
const API_PREFIXES: [&str; 2] = ["/api/v2/", "/api/core/v1/"];

/// Whether `request` is one that can create something: a POST to the API.
pub fn applies_to(request: &ServiceRequest) -> bool {
    request.method() == Method::POST
        && API_PREFIXES
            .iter()
            .any(|prefix| request.path().starts_with(prefix))
}

/// The request's key; `None` without the header.
///
/// # Errors
/// 400 for an invalid key or more than one header.
pub fn idempotency_key(request: &ServiceRequest) -> Result<Option<IdempotencyKey>, ApiError> {
    let mut values = request.headers().get_all(IDEMPOTENCY_KEY_HEADER);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(invalid_key(
            "Send one Idempotency-Key header, not several.".to_owned(),
        ));
    }
    IdempotencyKey::parse(value.as_bytes())
        .map(Some)
        .map_err(|error| invalid_key(format!("{}.", capitalised(&error.to_string()))))
}

/// The fingerprint of `request`, whose body is read (at most `limit` bytes) and put back for
/// the route.
///
/// # Errors
/// 413 past `limit`, 400 when the body cannot be read.
pub async fn fingerprint(
    request: &mut ServiceRequest,
    limit: usize,
) -> Result<RequestFingerprint, ApiError> {
    let mut payload = request.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                crate::http::error::INVALID_JSON,
                "The request body could not be read.",
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                PAYLOAD_TOO_LARGE,
                format!("The request body is larger than {limit} bytes."),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.path(), |path| path.as_str());
    let fingerprint = RequestFingerprint::of(request.method().as_str(), path_and_query, &body);
    request.set_payload(Payload::from(body));
    Ok(fingerprint)
}

fn invalid_key(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, INVALID_IDEMPOTENCY_KEY, message)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use actix_web::FromRequest;
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn only_posts_to_the_api_are_made_idempotent() {
        let post = |path: &str| TestRequest::post().uri(path).to_srv_request();
        assert!(applies_to(&post("/api/v2/Files/Own")));
        assert!(applies_to(&post("/api/core/v1/Files/FILa/Token")));
        assert!(!applies_to(&post("/api/v3/Files/Own")));
        assert!(!applies_to(&post("/health")));
        assert!(!applies_to(
            &TestRequest::get().uri("/api/v2/Files").to_srv_request()
        ));
    }

    #[test]
    fn the_key_is_optional_single_and_valid() {
        let with = |values: &[&[u8]]| {
            values
                .iter()
                .fold(TestRequest::post(), |request, value| {
                    request.append_header((
                        IDEMPOTENCY_KEY_HEADER,
                        actix_web::http::header::HeaderValue::from_bytes(value).unwrap(),
                    ))
                })
                .to_srv_request()
        };
        assert_eq!(idempotency_key(&with(&[])).unwrap(), None);
        assert_eq!(
            idempotency_key(&with(&[b"k-1"])).unwrap().unwrap().as_str(),
            "k-1"
        );
        let several = idempotency_key(&with(&[b"a", b"b"])).unwrap_err();
        assert_eq!(several.status, StatusCode::BAD_REQUEST);
        assert_eq!(several.code, INVALID_IDEMPOTENCY_KEY);
        let long = vec![b'x'; 256];
        for (bad, says) in [
            (&b""[..], "is empty"),
            (&long[..], "256 bytes long"),
            ("ü".as_bytes(), "printable ASCII"),
        ] {
            let refusal = idempotency_key(&with(&[bad])).unwrap_err();
            assert_eq!(refusal.status, StatusCode::BAD_REQUEST);
            assert!(refusal.message.contains(says), "{}", refusal.message);
            assert!(refusal.message.starts_with("The Idempotency-Key header"));
        }
    }

    #[actix_web::test]
    async fn the_fingerprint_covers_the_query_and_body_and_leaves_the_body_for_the_route() {
        let request = |uri: &str, body: &'static [u8]| {
            TestRequest::post()
                .uri(uri)
                .set_payload(body)
                .to_srv_request()
        };
        let mut first = request("/api/v2/Files/Own?x=1", b"body");
        let fingerprint_of_first = fingerprint(&mut first, 4).await.unwrap();
        assert_eq!(
            fingerprint_of_first,
            RequestFingerprint::of("POST", "/api/v2/Files/Own?x=1", b"body")
        );
        let mut payload = first.take_payload();
        let body = actix_web::web::Bytes::from_request(first.request(), &mut payload)
            .await
            .unwrap();
        assert_eq!(&body[..], b"body");

        let too_large = fingerprint(&mut request("/api/v2/Files/Own", b"bodies"), 4)
            .await
            .unwrap_err();
        assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    }
}
