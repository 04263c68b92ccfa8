//! Middleware around every route: the request's log line (with the error id of a failed one)
//! and timing headers, and its count in the metrics. The API key check is `super::auth`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use chrono::Utc;
use domain::date::format_date;

use super::error::ApiError;
use super::request_span::{CORRELATION_ID_HEADER, CorrelationId};
use crate::metrics::Metrics;

/// One log line per request (method, route, status, duration, and for a failure its envelope's
/// id, code and cause; never headers or bodies), and `X-Response-Duration-ms`,
/// `X-Response-Time` and `X-Correlation-ID` on every answer, errors included.
pub async fn log_and_time(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let mut response = next.call(request).await?;
    let elapsed = started.elapsed();
    let millis = elapsed.as_secs_f64() * 1000.0;
    log_request(&response, millis);
    count_request(&response, elapsed);
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

/// The request in the metrics, under its route's template (`unmatched` for unknown paths, so
/// probing clients cannot mint labels).
fn count_request<B>(response: &ServiceResponse<B>, elapsed: Duration) {
    let request = response.request();
    if let Some(metrics) = request.app_data::<web::Data<Arc<Metrics>>>() {
        let route = request.match_pattern();
        metrics.observe_request(
            route.as_deref().unwrap_or("unmatched"),
            request.method().as_str(),
            response.status().as_u16(),
            elapsed,
        );
    }
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
