//! Middleware around every route: the request's log line (with the error id of a failed one)
//! and timing headers, and the API key check that runs before routing (so an unknown route
//! without a valid key is 401, not 404).

use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use chrono::Utc;
use domain::date::format_date;
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::request_span::{CORRELATION_ID_HEADER, CorrelationId};
use super::routes::{docs, health};

const API_KEY_HEADER: &str = "x-api-key";
/// Routes open without a key: load balancers probe `/health`, and the documentation is open as
/// the reference Connector's is. The OpenAPI document names no security on exactly these.
pub const PUBLIC_PATHS: [&str; 3] = [health::HEALTH_PATH, docs::JSON_PATH, docs::HTML_PATH];

/// The configured key, kept only as its SHA-256 so comparisons take the same time whatever
/// the length or content of the guess.
#[derive(Clone)]
pub struct ApiKeyGuard {
    key_digest: [u8; 32],
    failure_delay: RangeInclusive<Duration>,
}

impl std::fmt::Debug for ApiKeyGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyGuard")
            .field("failure_delay", &self.failure_delay)
            .finish_non_exhaustive()
    }
}

impl ApiKeyGuard {
    pub fn new(api_key: &[u8], failure_delay: RangeInclusive<Duration>) -> Self {
        Self {
            key_digest: Sha256::digest(api_key).into(),
            failure_delay,
        }
    }

    fn accepts(&self, presented: Option<&[u8]>) -> bool {
        let Some(presented) = presented else {
            return false;
        };
        let digest: [u8; 32] = Sha256::digest(presented).into();
        digest.ct_eq(&self.key_digest).into()
    }

    /// A random delay in the configured range, to slow down guessing.
    fn failure_delay(&self) -> Duration {
        let (min, max) = (*self.failure_delay.start(), *self.failure_delay.end());
        if min >= max {
            min
        } else {
            rand::thread_rng().gen_range(min..=max)
        }
    }
}

pub async fn require_api_key(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::EitherBody<impl MessageBody>>, Error> {
    let guard = request.app_data::<web::Data<Arc<ApiKeyGuard>>>().cloned();
    let is_public = PUBLIC_PATHS.contains(&request.path());
    let presented = request
        .headers()
        .get(API_KEY_HEADER)
        .map(HeaderValue::as_bytes);
    let authorized = is_public || guard.as_ref().is_some_and(|guard| guard.accepts(presented));
    if authorized {
        return next
            .call(request)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    if let Some(guard) = guard {
        tokio::time::sleep(guard.failure_delay()).await;
    }
    // As an error response, so the request's log line names its id.
    let (request, _) = request.into_parts();
    Ok(ServiceResponse::from_err(ApiError::unauthorized(), request).map_into_right_body())
}

/// One log line per request (method, route, status, duration, and for a failure its envelope's
/// id, code and cause; never headers or bodies), and `X-Response-Duration-ms`,
/// `X-Response-Time` and `X-Correlation-ID` on every answer, errors included.
pub async fn log_and_time(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let mut response = next.call(request).await?;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    log_request(&response, millis);
    let correlation_id = response
        .request()
        .extensions()
        .get::<CorrelationId>()
        .and_then(CorrelationId::header_value);
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!("{millis:.3}")) {
        headers.insert(HeaderName::from_static("x-response-duration-ms"), value);
    }
    if let Ok(value) = HeaderValue::from_str(&format_date(Utc::now())) {
        headers.insert(HeaderName::from_static("x-response-time"), value);
    }
    if let Some(value) = correlation_id {
        headers.insert(HeaderName::from_static(CORRELATION_ID_HEADER), value);
    }
    Ok(response)
}

/// Where an error becomes an answer: logged once, 5xx at `error`, the rest at `info`. Read
/// from the response's request, so nothing is copied unless the line is written.
fn log_request<B>(response: &ServiceResponse<B>, duration_ms: f64) {
    let answered = response.request();
    let (method, path) = (answered.method().as_str(), answered.path());
    let status = response.status().as_u16();
    let failure = response
        .response()
        .error()
        .and_then(|error| error.as_error::<ApiError>());
    match failure {
        None => tracing::info!(method, path, status, duration_ms, "request"),
        Some(error) => {
            let (error_id, code) = (&*error.id, error.envelope_code());
            let cause = error.cause.as_deref().unwrap_or(&error.message);
            if response.status().is_server_error() {
                tracing::error!(
                    method,
                    path,
                    status,
                    duration_ms,
                    error_id,
                    code,
                    cause,
                    "request failed"
                );
            } else {
                tracing::info!(
                    method,
                    path,
                    status,
                    duration_ms,
                    error_id,
                    code,
                    cause,
                    "request refused"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_key_is_accepted() {
        let guard = ApiKeyGuard::new(b"the-key", Duration::ZERO..=Duration::ZERO);
        assert!(guard.accepts(Some(b"the-key")));
        for wrong in [&b"the-ke"[..], b"the-key ", b"THE-KEY", b""] {
            assert!(!guard.accepts(Some(wrong)));
        }
        assert!(!guard.accepts(None));
    }

    #[test]
    fn the_failure_delay_stays_in_range() {
        let guard = ApiKeyGuard::new(b"k", Duration::from_millis(10)..=Duration::from_millis(20));
        for _ in 0..100 {
            let delay = guard.failure_delay();
            assert!((Duration::from_millis(10)..=Duration::from_millis(20)).contains(&delay));
        }
    }
}
