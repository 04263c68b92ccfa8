//! `/api/v2/Challenges`: create (anonymous allowed, any body) and read (authenticated).

use std::sync::Mutex;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{Error, HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{bearer, location, require_caller, save};
use crate::envelope::{self, ApiError, format_date};
use crate::ids::{ChallengeId, passes_id_validator};
use crate::lock;
use crate::state::SimState;
use crate::state::challenges::Challenge;

type State = web::Data<Mutex<SimState>>;

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/api/v2/Challenges").route(web::post().to(create)))
        .service(web::resource("/api/v2/Challenges/{id}").route(web::get().to(get)));
}

/// The challenge as the Backbone's `ChallengeDTO` renders it, nulls written.
pub(crate) fn challenge_dto(challenge: &Challenge) -> Value {
    json!({
        "id": challenge.id.as_str(),
        "expiresAt": format_date(challenge.expires_at),
        "createdBy": challenge.created_by.as_ref().map(|a| a.as_str()),
        "createdByDevice": challenge.created_by_device.as_ref().map(|d| d.as_str()),
    })
}

/// The action takes no body parameter, so whatever is sent (`{}`, `null`, nothing, any content
/// type) is never read. An invalid or expired bearer makes the caller anonymous.
async fn create(request: HttpRequest, state: State) -> Result<HttpResponse, Error> {
    let (challenge, pending) = {
        let mut state = lock(&state);
        let now = state.now();
        let caller = bearer(&request, &state).caller();
        let challenge = state.challenges.create(caller.as_ref(), now);
        (challenge, state.persist())
    };
    save(pending).await?;
    tracing::info!(challenge_id = %challenge.id, anonymous = challenge.created_by.is_none(), "challenge created");
    let location = location(&request, &format!("/api/v2/Challenges/{}", challenge.id));
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(json!({ "result": challenge_dto(&challenge) })))
}

/// Any authenticated caller reads any challenge until an hour after it expired.
async fn get(
    request: HttpRequest,
    id: web::Path<String>,
    state: State,
) -> Result<HttpResponse, Error> {
    require_caller(&request, &state)?;
    if !passes_id_validator(&id, ChallengeId::PREFIX) {
        return Err(ApiError::invalid_id("id").into());
    }
    let state = lock(&state);
    let challenge = state
        .challenges
        .get(&id)
        .ok_or_else(|| ApiError::not_found("Challenge"))?;
    // The query's own expiry check throws a nameless NotFoundException.
    if !challenge.is_readable(state.now()) {
        return Err(ApiError::not_found("").into());
    }
    Ok(envelope::result(StatusCode::OK, challenge_dto(challenge)))
}
