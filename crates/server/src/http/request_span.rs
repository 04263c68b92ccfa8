//! One span per request, carrying its route and `X-Correlation-ID`: the client's, or one made
//! here when it sent none (a UUID), so every log line of a request, the Backbone call it makes
//! and the answer (which echoes it) can be matched up.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderValue;
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

pub const CORRELATION_ID_HEADER: &str = "x-correlation-id";
/// Longer ids are replaced: they would bloat every log line.
const MAX_CORRELATION_ID_LEN: usize = 128;

/// The request's correlation id, in its extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrelationId(pub String);

impl CorrelationId {
    /// The correlation id of a request that went through the span middleware.
    pub fn of_request(request: &actix_web::HttpRequest) -> Option<String> {
        actix_web::HttpMessage::extensions(request)
            .get::<Self>()
            .map(|id| id.0.clone())
    }

    /// The header's value if it is short printable ASCII, else a fresh UUID.
    fn of(request: &ServiceRequest) -> Self {
        let sent = request
            .headers()
            .get(CORRELATION_ID_HEADER)
            .and_then(|value| value.to_str().ok())
            .filter(|id| !id.is_empty() && id.len() <= MAX_CORRELATION_ID_LEN);
        Self(sent.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned))
    }

    pub fn header_value(&self) -> Option<HeaderValue> {
        HeaderValue::from_str(&self.0).ok()
    }
}

/// The root span of every request: `method`, `route` (the matched pattern, so ids stay out of
/// it), `correlation_id`; `status` once answered.
#[derive(Debug)]
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let correlation_id = CorrelationId::of(request);
        let span = tracing::info_span!(
            "request",
            method = %request.method(),
            route = request.match_pattern().as_deref().unwrap_or("unknown"),
            correlation_id = correlation_id.0.as_str(),
            status = tracing::field::Empty,
        );
        request.extensions_mut().insert(correlation_id);
        span
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        let status = match outcome {
            Ok(response) => response.status(),
            Err(error) => error.as_response_error().status_code(),
        };
        span.record("status", status.as_u16());
    }
}
