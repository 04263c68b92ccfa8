//! The ownership-token routes (spec files.md §2.2): `PATCH …/RegenerateOwnershipToken`,
//! `PATCH …/ClaimOwnership` and `POST …/ValidateOwnershipToken`. Their commands validate the
//! id as `fileId`, then the token ("Invalid ownership token."), before the file is looked up.
//!
//! The Backbone also tells the previous owner about a claim or a lock by an external event;
//! the simulator has no external events, so those are not sent.

use actix_web::http::StatusCode;
use actix_web::{Error, HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use super::{State, check_id, file_error};
use crate::envelope::{self, ApiError};
use crate::lock;
use crate::routes::{read_body, require_caller, save, unsupported_media_type};
use crate::state::files::{Claim, OwnershipToken};

const CLAIM_REQUEST: &str = "Backbone.ConsumerApi.Controllers.Files.DTOs.ClaimFileRequest";
const VALIDATE_REQUEST: &str =
    "Backbone.ConsumerApi.Controllers.Files.DTOs.ValidateFileOwnershipTokenRequest";

/// Only the owner; the new token also unlocks the file.
pub(super) async fn regenerate(
    request: &HttpRequest,
    id: &str,
    state: &State,
) -> Result<HttpResponse, Error> {
    let caller = require_caller(request, state)?;
    check_id(id, "fileId")?;
    let (regenerated, pending) = {
        let mut state = lock(state);
        let now = state.now();
        let regenerated = state.files.regenerate_ownership_token(id, &caller, now);
        let pending = if regenerated.is_ok() {
            state.persist()
        } else {
            None
        };
        (regenerated, pending)
    };
    let token = regenerated.map_err(file_error)?;
    save(pending).await?;
    tracing::info!(file_id = id, "ownership token regenerated");
    Ok(envelope::result(
        StatusCode::OK,
        json!({ "newOwnershipToken": token.as_str() }),
    ))
}

/// The right token makes the caller the owner; a wrong one locks the file (403 either way
/// once locked).
pub(super) async fn claim(
    request: &HttpRequest,
    id: &str,
    payload: web::Payload,
    state: &State,
) -> Result<HttpResponse, Error> {
    let caller = require_caller(request, state)?;
    if let Some(unsupported) = unsupported_media_type(request) {
        return Ok(unsupported);
    }
    let token = bind_token(&read_body(payload).await?, CLAIM_REQUEST)?;
    check_id(id, "fileId")?;
    check_token(&token)?;
    let (claim, pending) = {
        let mut state = lock(state);
        let now = state.now();
        let claim =
            state
                .files
                .claim_ownership(id, &OwnershipToken::from_text(&token), &caller, now);
        let changed = claim.as_ref().is_ok_and(Claim::changed_the_file);
        let pending = if changed { state.persist() } else { None };
        (claim, pending)
    };
    let claim = claim.map_err(file_error)?;
    save(pending).await?;
    tracing::info!(file_id = id, outcome = ?claim_outcome(&claim), "ownership claim");
    match claim {
        Claim::Claimed(token) => Ok(envelope::result(
            StatusCode::OK,
            json!({ "newOwnershipToken": token.as_str() }),
        )),
        Claim::OwnFile => Err(ApiError::cannot_claim_own_file().into()),
        Claim::Locked | Claim::IncorrectToken => Err(ApiError::forbidden().into()),
    }
}

/// `isValid`; a wrong token from anyone but the owner locks the file.
pub(super) async fn validate(
    request: &HttpRequest,
    id: &str,
    payload: web::Payload,
    state: &State,
) -> Result<HttpResponse, Error> {
    let caller = require_caller(request, state)?;
    if let Some(unsupported) = unsupported_media_type(request) {
        return Ok(unsupported);
    }
    let token = bind_token(&read_body(payload).await?, VALIDATE_REQUEST)?;
    check_id(id, "fileId")?;
    check_token(&token)?;
    let (validated, pending) = {
        let mut state = lock(state);
        let now = state.now();
        let validated = state.files.validate_ownership_token(
            id,
            &OwnershipToken::from_text(&token),
            &caller,
            now,
        );
        let locked_now = validated.is_ok_and(|(_, locked_now)| locked_now);
        let pending = if locked_now { state.persist() } else { None };
        (validated, pending)
    };
    let (is_valid, _) = validated.map_err(file_error)?;
    save(pending).await?;
    Ok(envelope::result(
        StatusCode::OK,
        json!({ "isValid": is_valid }),
    ))
}

/// The JSON body `{"ownershipToken": "…"}`, bound as ASP.NET binds a `required string`
/// (names in any case, unknown members ignored; `null` or `""` fail the implicit
/// `[Required]`).
fn bind_token(body: &[u8], type_name: &str) -> Result<String, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::cannot_be_parsed(
            "A non-empty request body is required.",
        ));
    }
    let object: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => object,
        Ok(_) => {
            return Err(ApiError::cannot_be_parsed(format!(
                "'$': The JSON value could not be converted to {type_name}. Path: $."
            )));
        }
        Err(error) => {
            return Err(ApiError::cannot_be_parsed(format!(
                "'$': The input is not valid JSON: {error}."
            )));
        }
    };
    let Some((key, value)) = object
        .iter()
        .rfind(|(key, _)| key.eq_ignore_ascii_case("ownershipToken"))
    else {
        return Err(ApiError::cannot_be_parsed(format!(
            "'$': JSON deserialization for type '{type_name}' was missing required properties \
             including: 'ownershipToken'."
        )));
    };
    match value {
        Value::String(token) if !token.is_empty() => Ok(token.clone()),
        Value::String(_) | Value::Null => Err(ApiError::cannot_be_parsed(
            "'OwnershipToken': The OwnershipToken field is required.",
        )),
        _ => Err(ApiError::cannot_be_parsed(format!(
            "'$.{key}': The JSON value could not be converted to System.String. Path: $.{key}."
        ))),
    }
}

fn check_token(token: &str) -> Result<(), ApiError> {
    if OwnershipToken::is_valid(token) {
        Ok(())
    } else {
        Err(ApiError::invalid_property("Invalid ownership token."))
    }
}

/// For the log line: the outcome without the token.
fn claim_outcome(claim: &Claim) -> &'static str {
    match claim {
        Claim::Claimed(_) => "claimed",
        Claim::OwnFile => "own file",
        Claim::Locked => "locked",
        Claim::IncorrectToken => "incorrect token, now locked",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_binds_as_a_required_string() {
        assert_eq!(
            bind_token(br#"{"OWNERSHIPTOKEN":"abc","other":1}"#, CLAIM_REQUEST).ok(),
            Some("abc".to_owned())
        );
        let cases: [(&[u8], &str); 6] = [
            (b"", "A non-empty request body is required."),
            (b"[]", "'$': The JSON value could not be converted to"),
            (b"{", "'$': The input is not valid JSON"),
            (
                b"{}",
                "was missing required properties including: 'ownershipToken'.",
            ),
            (
                br#"{"ownershipToken":null}"#,
                "'OwnershipToken': The OwnershipToken field is required.",
            ),
            (
                br#"{"ownershipToken":5}"#,
                "'$.ownershipToken': The JSON value could not be converted to System.String.",
            ),
        ];
        for (body, expected) in cases {
            let error = bind_token(body, CLAIM_REQUEST).expect_err("refused");
            assert_eq!(error.code, crate::envelope::CODE_INPUT_CANNOT_BE_PARSED);
            assert!(error.message.contains(expected), "{}", error.message);
        }
    }
}
