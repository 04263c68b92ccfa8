//! Answers for requests no route takes: unknown paths (404) and wrong methods (405).

use actix_web::HttpResponse;

use crate::http::error::ApiError;

pub async fn route_does_not_exist() -> Result<HttpResponse, ApiError> {
    Err(ApiError::route_does_not_exist())
}

/// A handler answering 405 with `Allow: <allow>`.
pub fn method_not_allowed(
    allow: &'static str,
) -> impl Fn() -> std::future::Ready<Result<HttpResponse, ApiError>> + Clone {
    move || std::future::ready(Err(ApiError::method_not_allowed(allow)))
}
