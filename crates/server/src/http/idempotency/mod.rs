//! `Idempotency-Key` on every POST of the API (`/api/v2`, `/api/core/v1`): the first request
//! with a key runs and its answer is kept for 24 hours; a retry with the same key and the same
//! request (method, path with query, body) gets that answer again, marked
//! `Idempotency-Replayed: true`, without running; the same key with another request is a 422;
//! a retry while the first still runs waits for its answer, and is told to retry (409) if it
//! takes too long. Keys are scoped by the API key the client authenticated with, and kept in the
//! database, so this holds across instances. A 5xx or 429 is not kept: a retry runs anew. The
//! use case (`application::idempotency`) decides all that; this middleware reads the request
//! and carries the answers.
//!
//! Requests without the header pass through untouched. It runs inside the API key check, which
//! puts the key's id into the request's extensions.

mod answer;
mod request;

use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use application::idempotency::{Begun, Execution, Idempotency, IdempotentRequest};
use application::ports::ClaimOwner;

use super::auth::AuthenticatedKey;
use super::error::ApiError;

pub use answer::REPLAYED_HEADER;
pub use request::IDEMPOTENCY_KEY_HEADER;

/// What the middleware needs, shared by every worker.
#[derive(Debug)]
pub struct IdempotencyLayer {
    pub idempotency: Arc<Idempotency>,
    /// The largest body any route accepts: what it reads to fingerprint a request. A larger
    /// one would be refused by the route anyway.
    pub body_limit: usize,
}

pub async fn idempotent_posts(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some((layer, scope)) = applicable(&request) else {
        return pass_through(request, next).await;
    };
    let key = match request::idempotency_key(&request) {
        Ok(Some(key)) => key,
        Ok(None) => return pass_through(request, next).await,
        Err(refusal) => return Ok(refuse(request, refusal)),
    };
    let fingerprint = match request::fingerprint(&mut request, layer.body_limit).await {
        Ok(fingerprint) => fingerprint,
        Err(refusal) => return Ok(refuse(request, refusal)),
    };
    let begun = layer
        .idempotency
        .begin(IdempotentRequest {
            scope: scope.0.to_string(),
            key,
            fingerprint,
            owner: ClaimOwner(uuid::Uuid::new_v4().to_string()),
        })
        .await;
    match begun {
        Ok(Begun::Run(execution)) => run_and_keep(&layer, execution, request, next).await,
        Ok(Begun::Replay(stored)) => {
            tracing::debug!(
                status = stored.status,
                "replaying the kept answer of an idempotency key"
            );
            let (request, _) = request.into_parts();
            Ok(ServiceResponse::new(request, answer::replay(&stored)).map_into_right_body())
        }
        Err(error) => Ok(refuse(request, ApiError::failed(error))),
    }
}

/// The layer and the key's scope when `request` is one to make idempotent: a POST to the API
/// with an authenticated key.
fn applicable(
    request: &ServiceRequest,
) -> Option<(web::Data<Arc<IdempotencyLayer>>, AuthenticatedKey)> {
    if !request::applies_to(request) {
        return None;
    }
    let layer = request
        .app_data::<web::Data<Arc<IdempotencyLayer>>>()?
        .clone();
    let scope = request.extensions().get::<AuthenticatedKey>()?.clone();
    Some((layer, scope))
}

/// Runs the claimed request and keeps its answer (or releases the key) before it leaves.
async fn run_and_keep<B: MessageBody + 'static>(
    layer: &IdempotencyLayer,
    execution: Execution,
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    let (response, stored) = match next.call(request).await {
        Ok(response) => answer::capture(response).await,
        Err(error) => {
            // An error that is no response (none of our routes make one): nothing to keep.
            if let Err(release) = layer.idempotency.abandon(execution).await {
                tracing::warn!(error = %crate::telemetry::error_chain(&release), "releasing an idempotency key failed");
            }
            return Err(error);
        }
    };
    let kept = match &stored {
        Some(stored) => layer.idempotency.finish(execution, stored).await,
        None => layer.idempotency.abandon(execution).await,
    };
    if let Err(error) = kept {
        // The client gets its answer all the same; the key stays claimed until the claim
        // timeout, so a retry is told to wait rather than run twice.
        tracing::warn!(error = %crate::telemetry::error_chain(&error), "keeping the answer of an idempotent request failed");
    }
    Ok(response.map_into_right_body())
}

async fn pass_through<B: MessageBody + 'static>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    next.call(request)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// As an error response, so the request's log line names its id.
fn refuse<B>(request: ServiceRequest, refusal: ApiError) -> ServiceResponse<EitherBody<B>> {
    let (request, _) = request.into_parts();
    ServiceResponse::from_err(refusal, request).map_into_right_body()
}
