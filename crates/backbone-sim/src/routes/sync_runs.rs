//! `/api/v2/SyncRuns` (authenticated), as far as setting up an identity needs: start a run and
//! finalize a `DatawalletVersionUpgrade`. Without external events an `ExternalEventSync` start
//! always answers `NoNewEvents`; datawallet modifications are not simulated.

use std::sync::Mutex;

use actix_web::http::StatusCode;
use actix_web::{Error, HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use super::{read_body, require_caller, save, unsupported_media_type};
use crate::envelope::{self, ApiError, format_date};
use crate::ids::{SyncRunId, passes_id_validator};
use crate::lock;
use crate::state::SimState;
use crate::state::sync_runs::{Started, SyncError, SyncRun, SyncRunType};

type State = web::Data<Mutex<SimState>>;

const SUPPORTED_VERSION_HEADER: &str = "X-Supported-Datawallet-Version";
const START_BODY_TYPE: &str =
    "Backbone.ConsumerApi.Controllers.Synchronization.StartSyncRunRequestBody";
const FINALIZE_BODY_TYPE: &str =
    "Backbone.ConsumerApi.Controllers.Synchronization.FinalizeDatawalletVersionUpgradeRequest";

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/api/v2/SyncRuns").route(web::post().to(start)))
        .service(
            web::resource("/api/v2/SyncRuns/{id}/FinalizeDatawalletVersionUpgrade")
                .route(web::put().to(finalize_datawallet_version_upgrade)),
        );
}

/// The run as the Backbone's `SyncRunDTO` renders it (enums as their names).
fn sync_run_dto(run: &SyncRun) -> Value {
    json!({
        "id": run.id.as_str(),
        "type": run.kind.as_str(),
        "expiresAt": format_date(run.expires_at),
        "index": run.index,
        "createdAt": format_date(run.created_at),
        "createdBy": run.created_by.as_str(),
        "createdByDevice": run.created_by_device.as_str(),
        "eventCount": 0,
    })
}

async fn start(
    request: HttpRequest,
    payload: web::Payload,
    state: State,
) -> Result<HttpResponse, Error> {
    let caller = require_caller(&request, &state)?;
    if let Some(unsupported) = unsupported_media_type(&request) {
        return Ok(unsupported);
    }
    let body = json_object(&read_body(payload).await?, START_BODY_TYPE)?;
    let kind = run_type(&body)?;
    let duration = optional_u16(&body, "duration")?;
    let supported_version = supported_version(&request)?;
    if supported_version == 0 {
        return Err(ApiError::invalid_property(
            "'SupportedDatawalletVersion' must be greater than 0.",
        )
        .into());
    }
    let Some(kind) = kind else {
        tracing::warn!("sync run of an unknown type: the Backbone throws");
        return Err(ApiError::unexpected().into());
    };
    let (started, pending) = {
        let mut state = lock(&state);
        let now = state.now();
        let started = state
            .sync_runs
            .start(kind, duration, supported_version, &caller, now)
            .map_err(sync_error)?;
        let pending = match started {
            Started::Created(_) => state.persist(),
            Started::NoNewEvents => None,
        };
        (started, pending)
    };
    save(pending).await?;
    Ok(match started {
        Started::Created(run) => {
            tracing::info!(sync_run_id = %run.id, address = %caller.address, "sync run started");
            envelope::result(
                StatusCode::CREATED,
                json!({ "status": "Created", "syncRun": sync_run_dto(&run) }),
            )
        }
        Started::NoNewEvents => envelope::result(
            StatusCode::OK,
            json!({ "status": "NoNewEvents", "syncRun": null }),
        ),
    })
}

async fn finalize_datawallet_version_upgrade(
    request: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
    state: State,
) -> Result<HttpResponse, Error> {
    let caller = require_caller(&request, &state)?;
    if let Some(unsupported) = unsupported_media_type(&request) {
        return Ok(unsupported);
    }
    let body = json_object(&read_body(payload).await?, FINALIZE_BODY_TYPE)?;
    let new_version = optional_u16(&body, "newDatawalletVersion")?.unwrap_or(0);
    let modifications = match property(&body, "datawalletModifications") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Null) => {
            return Err(ApiError::cannot_be_parsed(
                "'DatawalletModifications': The DatawalletModifications field is required.",
            )
            .into());
        }
        Some(_) => return Err(not_convertible("datawalletModifications", "List").into()),
    };
    // The validator, rule by rule.
    if !passes_id_validator(&id, SyncRunId::PREFIX) {
        return Err(ApiError::invalid_id("syncRunId").into());
    }
    if new_version == 0 {
        return Err(ApiError::invalid_property("'newDatawalletVersion' must not be empty.").into());
    }
    if !modifications.is_empty() {
        tracing::warn!("datawallet modifications are not simulated");
        return Err(ApiError::unexpected().into());
    }
    let (run, pending) = {
        let mut state = lock(&state);
        let now = state.now();
        let run = SyncRunId::parse(&id)
            .map_err(|_| SyncError::NotFound)
            .and_then(|id| {
                state
                    .sync_runs
                    .finalize_datawallet_version_upgrade(&id, new_version, &caller, now)
            })
            .map_err(sync_error)?;
        (run, state.persist())
    };
    // Answered once the datawallet version is on disk (with a state file).
    save(pending).await?;
    tracing::info!(sync_run_id = %run.id, address = %caller.address, new_version, "datawallet upgraded");
    Ok(envelope::result(
        StatusCode::OK,
        json!({ "newDatawalletModificationIndex": null, "datawalletModifications": [] }),
    ))
}

fn sync_error(error: SyncError) -> ApiError {
    match error {
        SyncError::DatawalletNotFound => ApiError::not_found("Datawallet"),
        SyncError::NotFound => ApiError::not_found("SyncRun"),
        SyncError::InsufficientSupportedDatawalletVersion => ApiError::bad_request(
            "error.platform.validation.datawallet.insufficientSupportedDatawalletVersion",
            "The supported datawallet version sent with the request is lower than the actual \
             version of the datawallet.",
        ),
        SyncError::AnotherRunIsActive(id) => ApiError::bad_request(
            "error.platform.validation.syncRun.cannotStartSyncRunWhenAnotherSyncRunIsRunning",
            format!(
                "Another sync run is currently active (ID: {id}). There can only be one active \
                 sync run at a time. Try again in a few seconds."
            ),
        ),
        SyncError::UnexpectedType(expected) => ApiError::bad_request(
            "error.platform.validation.syncRun.unexpectedSyncRunType",
            format!(
                "The current operation only supports sync runs of type '{}'.",
                expected.as_str()
            ),
        ),
        SyncError::StartedByAnotherDevice => ApiError::bad_request(
            "error.platform.validation.syncRun.cannotFinalizeSyncRunStartedByAnotherDevice",
            "This sync was started by another device. You can only finalize a sync run with the \
             device it was started from.",
        ),
        SyncError::AlreadyFinalized => ApiError::bad_request(
            "error.platform.validation.syncRun.syncRunAlreadyFinalized",
            "This sync run is already finalized.",
        ),
        SyncError::CannotDowngrade { current, target } => ApiError::bad_request(
            "error.platform.datawallet.cannotDowngrade",
            format!(
                "You cannot upgrade from version '{current}' to '{target}', because it is not \
                 possible to upgrade to lower versions."
            ),
        ),
    }
}

/// The body as a JSON object (a body is required even where every member is optional).
fn json_object(body: &[u8], type_name: &str) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::cannot_be_parsed(
            "A non-empty request body is required.",
        ));
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ApiError::cannot_be_parsed(format!(
            "'$': The JSON value could not be converted to {type_name}. Path: $."
        ))),
        Err(error) => Err(ApiError::cannot_be_parsed(format!(
            "'$': The input is not valid JSON: {error}."
        ))),
    }
}

/// `type`: a `SyncRunType` name in any case, or its number; absent or `null` is an external
/// event sync. `Ok(None)` for a number that names no type (the handler then throws).
fn run_type(body: &Map<String, Value>) -> Result<Option<SyncRunType>, ApiError> {
    match property(body, "type") {
        None | Some(Value::Null) => Ok(Some(SyncRunType::ExternalEventSync)),
        Some(Value::String(name)) if name.eq_ignore_ascii_case("ExternalEventSync") => {
            Ok(Some(SyncRunType::ExternalEventSync))
        }
        Some(Value::String(name)) if name.eq_ignore_ascii_case("DatawalletVersionUpgrade") => {
            Ok(Some(SyncRunType::DatawalletVersionUpgrade))
        }
        Some(Value::Number(number)) if number.is_i64() => Ok(match number.as_i64() {
            Some(0) => Some(SyncRunType::ExternalEventSync),
            Some(1) => Some(SyncRunType::DatawalletVersionUpgrade),
            _ => None,
        }),
        Some(_) => Err(not_convertible("type", "SyncRunType")),
    }
}

/// A `ushort?` member; web defaults also read numbers written as strings.
fn optional_u16(body: &Map<String, Value>, name: &str) -> Result<Option<u16>, ApiError> {
    let parsed = match property(body, name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(number)) => number.as_u64(),
        Some(Value::String(text)) => text.parse::<u64>().ok(),
        Some(_) => None,
    };
    parsed
        .and_then(|n| u16::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| not_convertible(name, "System.UInt16"))
}

/// `X-Supported-Datawallet-Version`, bound to a `ushort`: absent is 0 (which the validator then
/// refuses), anything but a number is a binding error.
fn supported_version(request: &HttpRequest) -> Result<u16, ApiError> {
    let Some(value) = request.headers().get(SUPPORTED_VERSION_HEADER) else {
        return Ok(0);
    };
    let text = String::from_utf8_lossy(value.as_bytes());
    text.trim().parse().map_err(|_| {
        ApiError::cannot_be_parsed(format!(
            "'{SUPPORTED_VERSION_HEADER}': The value '{text}' is not valid for \
             supportedDatawalletVersion."
        ))
    })
}

/// The last member named `name`, ignoring case.
fn property<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
        .next_back()
}

fn not_convertible(name: &str, type_name: &str) -> ApiError {
    ApiError::cannot_be_parsed(format!(
        "'$.{name}': The JSON value could not be converted to {type_name}. Path: $.{name}."
    ))
}
