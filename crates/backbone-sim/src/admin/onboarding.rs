//! The admin API's view of onboarding: the identities created, their devices and datawallet
//! versions, and the challenges, plus a hook to register a challenge with a fixed id and expiry
//! (to replay signed requests such as the spec's vectors).

use std::sync::Mutex;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::optional_body;
use crate::encoding::b64url;
use crate::envelope::{self, ApiError, format_date};
use crate::ids::ChallengeId;
use crate::lock;
use crate::routes::challenges::challenge_dto;
use crate::routes::save;
use crate::state::SimState;
use crate::state::challenges::{CHALLENGE_LIFETIME, Challenge};
use crate::state::identities::Identity;

type State = web::Data<Mutex<SimState>>;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/identities", web::get().to(list_identities))
        .route("/identities/{address}", web::get().to(get_identity))
        .route("/datawallets", web::get().to(list_datawallets))
        .service(
            web::resource("/challenges")
                .route(web::get().to(list_challenges))
                .route(web::post().to(add_challenge)),
        );
}

/// An identity as the admin API writes it: bytes as base64url, the device logins without
/// their passwords (the client chose them; the simulator does not hand them out).
pub fn identity_json(identity: &Identity, datawallet_version: Option<u16>) -> Value {
    let devices: Vec<Value> = identity
        .devices
        .iter()
        .map(|device| {
            json!({
                "id": device.id.as_str(),
                "username": device.username.as_str(),
                "createdAt": format_date(device.created_at),
                "communicationLanguage": device.communication_language,
            })
        })
        .collect();
    json!({
        "address": identity.address.as_str(),
        "publicKey": b64url(identity.public_key),
        "identityPublicKey": b64url(&identity.identity_public_key),
        "clientId": identity.client_id,
        "identityVersion": identity.identity_version,
        "createdAt": format_date(identity.created_at),
        "datawalletVersion": datawallet_version,
        "devices": devices,
    })
}

async fn list_identities(state: State) -> HttpResponse {
    let state = lock(&state);
    let identities: Vec<Value> = state
        .identities
        .all()
        .iter()
        .map(|identity| {
            identity_json(
                identity,
                state.sync_runs.datawallet_version(&identity.address),
            )
        })
        .collect();
    envelope::result(StatusCode::OK, identities)
}

async fn get_identity(address: web::Path<String>, state: State) -> Result<HttpResponse, ApiError> {
    let state = lock(&state);
    let identity = state
        .identities
        .all()
        .into_iter()
        .find(|identity| identity.address.as_str() == address.as_str())
        .ok_or_else(|| ApiError::not_found("Identity"))?;
    let version = state.sync_runs.datawallet_version(&identity.address);
    Ok(envelope::result(
        StatusCode::OK,
        identity_json(&identity, version),
    ))
}

async fn list_datawallets(state: State) -> HttpResponse {
    let datawallets: Vec<Value> = lock(&state)
        .sync_runs
        .datawallets()
        .into_iter()
        .map(|(owner, version)| json!({ "owner": owner.as_str(), "version": version }))
        .collect();
    envelope::result(StatusCode::OK, datawallets)
}

async fn list_challenges(state: State) -> HttpResponse {
    let challenges: Vec<Value> = lock(&state)
        .challenges
        .all()
        .iter()
        .map(challenge_dto)
        .collect();
    envelope::result(StatusCode::OK, challenges)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct NewChallenge {
    id: Option<String>,
    expires_at: Option<DateTime<Utc>>,
}

/// Registers an anonymous challenge; without `id` a random one, without `expiresAt` ten minutes
/// from the simulator's now.
async fn add_challenge(body: web::Bytes, state: State) -> Result<HttpResponse, ApiError> {
    let request: NewChallenge = optional_body(&body)?;
    let id = match request.id {
        Some(id) => ChallengeId::parse(&id).map_err(|_| ApiError::invalid_id("id"))?,
        None => ChallengeId::random(),
    };
    let (challenge, pending) = {
        let mut state = lock(&state);
        let challenge = Challenge {
            id,
            expires_at: request
                .expires_at
                .unwrap_or_else(|| state.now() + CHALLENGE_LIFETIME),
            created_by: None,
            created_by_device: None,
        };
        state.challenges.insert(challenge.clone());
        (challenge, state.persist())
    };
    save(pending).await?;
    Ok(envelope::result(
        StatusCode::CREATED,
        challenge_dto(&challenge),
    ))
}
