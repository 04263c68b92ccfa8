//! Answers as they are kept and replayed: the status, the headers the route set and the body.

use actix_web::HttpResponse;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use application::ports::StoredAnswer;

use crate::http::error::ApiError;

/// Marks an answer given again from the store rather than by running the request.
pub const REPLAYED_HEADER: &str = "idempotency-replayed";

/// The answer of the first request again, marked as a replay.
pub fn replay(stored: &StoredAnswer) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    for (name, value) in &stored.headers {
        // Kept from a response, so they parse; one that no longer would is left out.
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            response.append_header((name, value));
        }
    }
    response.insert_header((REPLAYED_HEADER, "true"));
    response.body(stored.body.clone())
}

/// The route's answer, its body read so it can be kept, with what to keep of it; `None` when
/// the body could not be read (the client then gets a 500 and nothing is kept).
pub async fn capture<B>(
    response: ServiceResponse<B>,
) -> (ServiceResponse<BoxBody>, Option<StoredAnswer>)
where
    B: MessageBody + 'static,
{
    let (request, response) = response.into_parts();
    let status = response.status();
    let headers = response
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            value
                .to_str()
                .ok()
                .map(|value| (name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    // Keeps the response's error, which the request's log line names.
    let (response, body) = response.into_parts();
    match actix_web::body::to_bytes(body).await {
        Ok(body) => {
            let stored = StoredAnswer {
                status: status.as_u16(),
                headers,
                body: body.to_vec(),
            };
            let response = response.set_body(body).map_into_boxed_body();
            (ServiceResponse::new(request, response), Some(stored))
        }
        Err(_) => {
            let failure = ApiError::unexpected()
                .with_cause("the route's answer could not be read".to_owned());
            (ServiceResponse::from_err(failure, request), None)
        }
    }
}
