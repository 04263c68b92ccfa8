//! The simulator's own HTTP API under `/_sim`, for tests and scripts in other processes:
//! inject faults, create identities, inspect tokens, files and onboarded identities, let time
//! pass.
//! Never subject to faults.
//!
//! | route | body | answer |
//! |---|---|---|
//! | `POST /_sim/faults` | a [`Fault`] as JSON | 201, the queued rule with its `id` |
//! | `GET /_sim/faults` | | the queued rules |
//! | `DELETE /_sim/faults` | | 204, queue emptied |
//! | `POST /_sim/access-tokens/expire` | | 204, every issued access token expired |
//! | `POST /_sim/devices` | optional `{"addressDomain"}` | 201, new identity's credentials |
//! | `GET /_sim/devices` | | every device login |
//! | `POST /_sim/clients` | optional `{"clientId","clientSecret","maxIdentities"}` | 201, the platform client |
//! | `GET /_sim/tokens` | | every token, oldest first, with allocations and counters |
//! | `GET /_sim/tokens/{id}` | | one token, or 404 |
//! | `GET /_sim/files` | | every file's metadata, oldest first, with `ownershipToken`, `lastOwnershipClaimAt`, `contentSha256` |
//! | `GET /_sim/files/{id}` | | one file as above plus its `content` (base64url), or 404 |
//! | `POST /_sim/clock/advance` | `{"seconds": n}` | the simulator's new "now" |
//! | `GET /_sim/identities` | | every identity onboarding created, with devices and datawallet version |
//! | `GET /_sim/identities/{address}` | | one identity, or 404 |
//! | `GET /_sim/datawallets` | | every datawallet as `{"owner","version"}` |
//! | `GET /_sim/challenges` | | every challenge kept, oldest first |
//! | `POST /_sim/challenges` | optional `{"id","expiresAt"}` | 201, the challenge, registered as if issued |

mod files;
mod onboarding;

use std::sync::Mutex;

use crate::encoding::b64url;
use crate::ids::TokenId;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::config::{DEFAULT_ADDRESS_DOMAIN, PlatformClient, SeededDevice};
use crate::envelope::{self, ApiError, format_date};
use crate::faults::{Fault, Faults, PendingFault};
use crate::routes::save;
use crate::routes::tokens::token_dto;
use crate::state::{SimState, Token};
use crate::{ADMIN_PREFIX, lock};

type State = web::Data<Mutex<SimState>>;

pub use files::file_json;
pub use onboarding::identity_json;

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    let scope = web::scope(ADMIN_PREFIX)
        .service(
            web::resource("/faults")
                .route(web::post().to(inject_fault))
                .route(web::get().to(list_faults))
                .route(web::delete().to(clear_faults)),
        )
        .route(
            "/access-tokens/expire",
            web::post().to(expire_access_tokens),
        )
        .service(
            web::resource("/devices")
                .route(web::post().to(create_device))
                .route(web::get().to(list_devices)),
        )
        .route("/clients", web::post().to(create_client))
        .route("/tokens", web::get().to(list_tokens))
        .route("/tokens/{id}", web::get().to(get_token))
        .route("/clock/advance", web::post().to(advance_clock))
        .configure(files::configure)
        .configure(onboarding::configure);
    config.service(scope);
}

/// A device's credentials as the admin API writes them.
pub fn device_json(device: &SeededDevice) -> Value {
    json!({
        "username": device.username.as_str(),
        "password": device.password,
        "address": device.address.as_str(),
        "deviceId": device.device_id.as_str(),
    })
}

/// A platform client as the admin API writes it.
pub fn client_json(client: &PlatformClient) -> Value {
    json!({
        "clientId": client.client_id,
        "clientSecret": client.client_secret,
        "maxIdentities": client.max_identities,
    })
}

/// Everything stored about a token: its Backbone view plus what only the simulator shows.
fn token_json(token: &Token) -> Value {
    let mut value = token_dto(token);
    if let Value::Object(object) = &mut value {
        object.insert(
            "password".to_owned(),
            json!(token.password.as_ref().map(b64url)),
        );
        object.insert(
            "accessFailedCount".to_owned(),
            json!(token.access_failed_count),
        );
        object.insert("isLocked".to_owned(), json!(token.is_locked()));
        let allocations: Vec<Value> = token
            .allocations
            .iter()
            .map(|a| {
                json!({
                    "allocatedBy": a.allocated_by.as_str(),
                    "allocatedByDevice": a.allocated_by_device.as_str(),
                    "allocatedAt": format_date(a.allocated_at),
                })
            })
            .collect();
        object.insert("allocations".to_owned(), Value::from(allocations));
    }
    value
}

/// An optional JSON body: empty means all defaults.
pub(super) fn optional_body<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|error| ApiError::cannot_be_parsed(format!("'$': {error}")))
}

async fn inject_fault(
    body: web::Bytes,
    faults: web::Data<Faults>,
) -> Result<HttpResponse, ApiError> {
    let fault: Fault = serde_json::from_slice(&body)
        .map_err(|error| ApiError::cannot_be_parsed(format!("'$': {error}")))?;
    tracing::info!(?fault, "fault injected");
    let id = faults.inject(fault.clone());
    Ok(envelope::result(
        StatusCode::CREATED,
        PendingFault { id, fault },
    ))
}

async fn list_faults(faults: web::Data<Faults>) -> HttpResponse {
    envelope::result(StatusCode::OK, faults.pending())
}

async fn clear_faults(faults: web::Data<Faults>) -> HttpResponse {
    faults.clear();
    HttpResponse::NoContent().finish()
}

async fn expire_access_tokens(faults: web::Data<Faults>) -> HttpResponse {
    faults.expire_access_tokens();
    HttpResponse::NoContent().finish()
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NewDevice {
    address_domain: Option<String>,
}

async fn create_device(body: web::Bytes, state: State) -> Result<HttpResponse, ApiError> {
    let request: NewDevice = optional_body(&body)?;
    let domain = request
        .address_domain
        .as_deref()
        .unwrap_or(DEFAULT_ADDRESS_DOMAIN);
    let device = SeededDevice::try_random(domain).map_err(|_| {
        ApiError::invalid_property(format!(
            "'addressDomain': '{domain}' is not a valid domain."
        ))
    })?;
    let pending = {
        let mut state = lock(&state);
        state.accounts.add_device(device.clone());
        state.persist()
    };
    save(pending).await?;
    tracing::info!(address = %device.address, "device identity created");
    Ok(envelope::result(StatusCode::CREATED, device_json(&device)))
}

async fn list_devices(state: State) -> HttpResponse {
    let devices: Vec<Value> = lock(&state)
        .accounts
        .devices()
        .iter()
        .map(device_json)
        .collect();
    envelope::result(StatusCode::OK, devices)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct NewClient {
    client_id: Option<String>,
    client_secret: Option<String>,
    /// Unlimited when absent.
    max_identities: Option<u32>,
}

async fn create_client(body: web::Bytes, state: State) -> Result<HttpResponse, ApiError> {
    let request: NewClient = optional_body(&body)?;
    let random = PlatformClient::random();
    let mut client = PlatformClient::new(
        request.client_id.unwrap_or(random.client_id),
        request.client_secret.unwrap_or(random.client_secret),
    );
    client.max_identities = request.max_identities;
    let pending = {
        let mut state = lock(&state);
        state.accounts.add_client(client.clone());
        state.persist()
    };
    save(pending).await?;
    Ok(envelope::result(StatusCode::CREATED, client_json(&client)))
}

async fn list_tokens(state: State) -> HttpResponse {
    let tokens: Vec<Value> = lock(&state).tokens.all().iter().map(token_json).collect();
    envelope::result(StatusCode::OK, tokens)
}

async fn get_token(id: web::Path<String>, state: State) -> Result<HttpResponse, ApiError> {
    let id = TokenId::parse(&id).map_err(|_| ApiError::invalid_id("id"))?;
    let token = lock(&state)
        .tokens
        .get(&id)
        .cloned()
        .ok_or_else(ApiError::token_not_found)?;
    Ok(envelope::result(StatusCode::OK, token_json(&token)))
}

#[derive(Debug, Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance_clock(body: web::Bytes, state: State) -> Result<HttpResponse, ApiError> {
    let advance: Advance = serde_json::from_slice(&body)
        .map_err(|error| ApiError::cannot_be_parsed(format!("'$': {error}")))?;
    let by = chrono::Duration::try_seconds(advance.seconds)
        .ok_or_else(|| ApiError::invalid_property("'seconds' is out of range."))?;
    let (now, pending) = {
        let mut state = lock(&state);
        state.advance_clock(by);
        (state.now(), state.persist())
    };
    save(pending).await?;
    Ok(envelope::result(
        StatusCode::OK,
        json!({ "now": format_date(now) }),
    ))
}
