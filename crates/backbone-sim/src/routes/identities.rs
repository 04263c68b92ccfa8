//! `POST /api/v2/Identities` (anonymous): onboarding a new identity and its first device. The
//! rules are in [`crate::onboarding`]; this binds, locks and answers.

use std::sync::Mutex;

use actix_web::http::StatusCode;
use actix_web::{Error, HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{read_body, save, unsupported_media_type};
use crate::envelope::{self, format_date};
use crate::lock;
use crate::onboarding::{self, Onboarded, request};
use crate::state::SimState;

type State = web::Data<Mutex<SimState>>;

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config.service(web::resource("/api/v2/Identities").route(web::post().to(create)));
}

async fn create(
    request: HttpRequest,
    payload: web::Payload,
    state: State,
) -> Result<HttpResponse, Error> {
    if let Some(unsupported) = unsupported_media_type(&request) {
        return Ok(unsupported);
    }
    let body = read_body(payload).await?;
    let input = request::bind(&body)?;
    onboarding::check_client(&lock(&state), &input)?;
    // The signature check is CPU work: done outside the lock, between the steps that need it.
    let verified = onboarding::verify(&input)?;
    let (onboarded, pending) = {
        let mut state = lock(&state);
        let onboarded = onboarding::create(&mut state, &input, &verified).inspect_err(|error| {
            tracing::info!(%error, client_id = %input.client_id, "identity refused");
        })?;
        (onboarded, state.persist())
    };
    // The 201 only once the identity and its login are on disk (with a state file).
    save(pending).await?;
    let Onboarded { identity, device } = onboarded;
    tracing::info!(address = %identity.address, device_id = %device.id, "identity created");
    Ok(envelope::result(
        StatusCode::CREATED,
        json!({
            "address": identity.address.as_str(),
            "createdAt": format_date(identity.created_at),
            "device": {
                "id": device.id.as_str(),
                "username": device.username.as_str(),
                "createdAt": format_date(device.created_at),
            },
        }),
    ))
}
