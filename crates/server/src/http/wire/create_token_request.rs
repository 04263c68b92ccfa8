//! The schema of `POST …/Files/{id}/Token` as the runtime's JSON schema checks it, in its order
//! and with its messages (only the first failure counts): the path `id`, then `expiresAt`,
//! `ephemeral`, `forIdentity`, `passwordProtection`. What passes becomes a typed
//! [`CreateTokenForFileRequest`]; the rules after the schema are the use case's.

use std::sync::LazyLock;

use application::tokens::create_for_file::{
    CreateTokenForFileRequest, LocationIndicatorInput, PasswordInput,
};
use domain::FileId;
use domain::date::matches_iso8601;
use fancy_regex::Regex;
use serde_json::{Map, Value};

/// The schema pattern of the path `id` (unanchored, as the reference has it).
pub const FILE_ID_PATTERN: &str = "FIL[A-Za-z0-9]{17}";
/// The schema pattern of `forIdentity` (unanchored, as the reference has it).
pub const ADDRESS_PATTERN: &str =
    r"did:e:((([A-Za-z0-9]+(-[A-Za-z0-9]+)*)\.)+[a-z]{2,}|localhost):dids:[0-9a-f]{22}";
const PASSWORD_PROTECTION_KEYS: [&str; 3] =
    ["password", "passwordIsPin", "passwordLocationIndicator"];

// Like the reference's JSON schema, these patterns are not anchored.
static FILE_ID: LazyLock<Regex> = LazyLock::new(|| compile(FILE_ID_PATTERN));
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| compile(ADDRESS_PATTERN));

fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("constant pattern {pattern} compiles: {e}"))
}

fn contains(regex: &Regex, text: &str) -> bool {
    regex.is_match(text).unwrap_or(false)
}

/// The schema message of the first property that breaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation(pub String);

pub(super) fn violation(message: impl Into<String>) -> SchemaViolation {
    SchemaViolation(message.into())
}

/// Checks the path's `file_id` and the body's four known fields (other keys are ignored) and
/// types them; `force_ephemeral` and `correlation_id` are passed through.
///
/// # Errors
/// The first schema rule broken, with the reference's exact message.
pub fn parse_create_token_request(
    file_id: &str,
    body: &Map<String, Value>,
) -> Result<CreateTokenForFileRequest, SchemaViolation> {
    if !contains(&FILE_ID, file_id) {
        return Err(violation(format!(
            "fileId must match pattern {FILE_ID_PATTERN}"
        )));
    }
    Ok(CreateTokenForFileRequest {
        // Parsed once, here; an id the unanchored pattern lets through may still be none.
        file_id: FileId::parse(file_id).ok(),
        expires_at: body.get("expiresAt").map(expires_at).transpose()?,
        ephemeral: body.get("ephemeral").map(ephemeral).transpose()?,
        for_identity: body.get("forIdentity").map(for_identity).transpose()?,
        password_protection: body
            .get("passwordProtection")
            .map(password_protection)
            .transpose()?,
        ..CreateTokenForFileRequest::default()
    })
}

pub(super) fn expires_at(value: &Value) -> Result<String, SchemaViolation> {
    value
        .as_str()
        .filter(|text| matches_iso8601(text))
        .map(str::to_owned)
        .ok_or_else(|| violation("expiresAt must match ISO8601 datetime format"))
}

pub(super) fn ephemeral(value: &Value) -> Result<bool, SchemaViolation> {
    value
        .as_bool()
        .ok_or_else(|| violation("ephemeral must be boolean"))
}

pub(super) fn for_identity(value: &Value) -> Result<String, SchemaViolation> {
    let text = value
        .as_str()
        .ok_or_else(|| violation("forIdentity must be string"))?;
    if !contains(&ADDRESS, text) {
        return Err(violation(format!(
            "forIdentity must match pattern {ADDRESS_PATTERN}"
        )));
    }
    Ok(text.to_owned())
}

/// ajv's keyword order for objects: type, required, additionalProperties, then each property.
pub(super) fn password_protection(value: &Value) -> Result<PasswordInput, SchemaViolation> {
    let object = value
        .as_object()
        .ok_or_else(|| violation("passwordProtection must be object"))?;
    let password = object
        .get("password")
        .ok_or_else(|| violation("passwordProtection must have required property 'password'"))?;
    if object
        .keys()
        .any(|key| !PASSWORD_PROTECTION_KEYS.contains(&key.as_str()))
    {
        return Err(violation(
            "passwordProtection must NOT have additional properties",
        ));
    }
    let password = password
        .as_str()
        .ok_or_else(|| violation("passwordProtection/password must be string"))?;
    // JSON schema counts characters as UTF-16 code units; only the empty string has fewer than 1.
    if password.is_empty() {
        return Err(violation(
            "passwordProtection/password must NOT have fewer than 1 characters",
        ));
    }
    let is_pin = match object.get("passwordIsPin") {
        None => false,
        Some(Value::Bool(true)) => true,
        Some(Value::Bool(false)) => {
            return Err(violation(
                "passwordProtection/passwordIsPin must be equal to constant",
            ));
        }
        Some(_) => {
            return Err(violation(
                "passwordProtection/passwordIsPin must be boolean",
            ));
        }
    };
    Ok(PasswordInput {
        password: password.to_owned(),
        is_pin,
        location_indicator: object.get("passwordLocationIndicator").map(indicator),
    })
}

/// The schema leaves the indicator open (the rules decide): a string, or a whole number ≥ 0.
fn indicator(value: &Value) -> LocationIndicatorInput {
    match value {
        Value::String(name) => LocationIndicatorInput::Name(name.clone()),
        Value::Number(number) => number
            .as_u64()
            .or_else(|| {
                number
                    .as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64)
                    .map(|f| f as u64)
            })
            .map_or(LocationIndicatorInput::Other, LocationIndicatorInput::Whole),
        _ => LocationIndicatorInput::Other,
    }
}
