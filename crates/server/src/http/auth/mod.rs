//! The API key check, run before routing (so an unknown route without a valid key is 401, not
//! 404): several keys as Connector v7 configures them, each with its scopes, an optional expiry
//! and an enabled flag.

mod keys;
pub mod scopes;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderValue;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use chrono::Utc;

pub use keys::{Access, ApiKeyGuard, AuthenticatedKey};

use super::error::ApiError;
use super::routes::{docs, health};

const API_KEY_HEADER: &str = "x-api-key";
/// Routes open without a key: load balancers probe `/health`, and the documentation is open as
/// the reference Connector's is. The OpenAPI document names no security on exactly these.
pub const PUBLIC_PATHS: [&str; 3] = [health::HEALTH_PATH, docs::JSON_PATH, docs::HTML_PATH];

pub async fn require_api_key(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::EitherBody<impl MessageBody>>, Error> {
    let guard = request.app_data::<web::Data<Arc<ApiKeyGuard>>>().cloned();
    if PUBLIC_PATHS.contains(&request.path()) {
        return next
            .call(request)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let access = {
        let presented = request
            .headers()
            .get(API_KEY_HEADER)
            .map(HeaderValue::as_bytes);
        guard.as_ref().map_or(Access::Unauthorized, |guard| {
            guard.judge(presented, request.path(), Utc::now())
        })
    };
    let refusal = match access {
        Access::Granted(key) => {
            request.extensions_mut().insert(key);
            return next
                .call(request)
                .await
                .map(ServiceResponse::map_into_left_body);
        }
        Access::Forbidden => ApiError::forbidden(),
        Access::Unauthorized => {
            if let Some(guard) = guard {
                tokio::time::sleep(guard.failure_delay()).await;
            }
            ApiError::unauthorized()
        }
    };
    // As an error response, so the request's log line names its id.
    let (request, _) = request.into_parts();
    Ok(ServiceResponse::from_err(refusal, request).map_into_right_body())
}
