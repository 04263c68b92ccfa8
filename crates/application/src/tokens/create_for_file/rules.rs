//! The runtime's request rules, in its order, with its messages; only the first failure counts.
//!
//! First the JSON-schema checks in property order (`fileId`, `expiresAt`, `ephemeral`,
//! `forIdentity`, `passwordProtection`), then the custom checks (future expiry, PIN digits,
//! location indicator).

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use domain::date::{matches_iso8601, parse_iso8601};
use domain::{PasswordLocationIndicator, PasswordType};
use fancy_regex::Regex;
use serde_json::{Map, Value};

use super::error::ValidationError;

/// The schema pattern of the path `id` (unanchored, as the reference has it).
pub const FILE_ID_PATTERN: &str = "FIL[A-Za-z0-9]{17}";
/// The schema pattern of `forIdentity` (unanchored, as the reference has it).
pub const ADDRESS_PATTERN: &str =
    r"did:e:((([A-Za-z0-9]+(-[A-Za-z0-9]+)*)\.)+[a-z]{2,}|localhost):dids:[0-9a-f]{22}";
const PASSWORD_PROTECTION_KEYS: [&str; 3] =
    ["password", "passwordIsPin", "passwordLocationIndicator"];
const PIN_MESSAGE: &str = "'passwordProtection.passwordIsPin' is true, hence 'passwordProtection.password' must consist of 4 to 16 digits from 0 to 9.";
const INDICATOR_MESSAGE: &str = "must be a number from 50 to 99 or one of the following strings: Self, Letter, RegistrationLetter, Email, SMS, Website";

// Like the reference's JSON schema, these patterns are not anchored.
static FILE_ID: LazyLock<Regex> = LazyLock::new(|| compile(FILE_ID_PATTERN));
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| compile(ADDRESS_PATTERN));

fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("constant pattern {pattern} compiles: {e}"))
}

fn contains(regex: &Regex, text: &str) -> bool {
    regex.is_match(text).unwrap_or(false)
}

/// A request that passed every rule. `file_id` is as given (the pattern is unanchored, so it
/// may still be no valid id: such a File cannot exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    pub file_id: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub ephemeral: Option<bool>,
    pub for_identity: Option<String>,
    pub password: Option<PasswordRequest>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct PasswordRequest {
    pub password: String,
    pub password_type: PasswordType,
    pub location_indicator: Option<PasswordLocationIndicator>,
}

impl std::fmt::Debug for PasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordRequest")
            .field("password_type", &self.password_type)
            .field("location_indicator", &self.location_indicator)
            .finish_non_exhaustive()
    }
}

/// Checks `file_id` and the body's four known fields (other keys are ignored) at `now`.
///
/// # Errors
/// The first rule broken, with the reference's exact message.
pub fn validate(
    file_id: &str,
    body: &Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<ValidRequest, ValidationError> {
    // Schema phase.
    if !contains(&FILE_ID, file_id) {
        return Err(ValidationError::new(format!(
            "fileId must match pattern {FILE_ID_PATTERN}"
        )));
    }
    let expires_at = body.get("expiresAt").map(schema_expires_at).transpose()?;
    let ephemeral = body.get("ephemeral").map(schema_ephemeral).transpose()?;
    let for_identity = body
        .get("forIdentity")
        .map(schema_for_identity)
        .transpose()?;
    let password = body
        .get("passwordProtection")
        .map(schema_password_protection)
        .transpose()?;

    // Custom phase.
    let expires_at = expires_at
        .map(|text| future_expiry(text, now))
        .transpose()?;
    let password = password.map(password_request).transpose()?;

    Ok(ValidRequest {
        file_id: file_id.to_owned(),
        expires_at,
        ephemeral,
        for_identity,
        password,
    })
}

fn schema_expires_at(value: &Value) -> Result<&str, ValidationError> {
    value
        .as_str()
        .filter(|text| matches_iso8601(text))
        .ok_or_else(|| ValidationError::new("expiresAt must match ISO8601 datetime format"))
}

fn schema_ephemeral(value: &Value) -> Result<bool, ValidationError> {
    value
        .as_bool()
        .ok_or_else(|| ValidationError::new("ephemeral must be boolean"))
}

fn schema_for_identity(value: &Value) -> Result<String, ValidationError> {
    let text = value
        .as_str()
        .ok_or_else(|| ValidationError::new("forIdentity must be string"))?;
    if !contains(&ADDRESS, text) {
        return Err(ValidationError::new(format!(
            "forIdentity must match pattern {ADDRESS_PATTERN}"
        )));
    }
    Ok(text.to_owned())
}

/// The parts of `passwordProtection` the schema has checked.
struct SchemaPassword<'a> {
    password: &'a str,
    is_pin: bool,
    location_indicator: Option<&'a Value>,
}

/// ajv's keyword order for objects: type, required, additionalProperties, then each property.
fn schema_password_protection(value: &Value) -> Result<SchemaPassword<'_>, ValidationError> {
    let object = value
        .as_object()
        .ok_or_else(|| ValidationError::new("passwordProtection must be object"))?;
    let password = object.get("password").ok_or_else(|| {
        ValidationError::new("passwordProtection must have required property 'password'")
    })?;
    if object
        .keys()
        .any(|key| !PASSWORD_PROTECTION_KEYS.contains(&key.as_str()))
    {
        return Err(ValidationError::new(
            "passwordProtection must NOT have additional properties",
        ));
    }
    let password = password
        .as_str()
        .ok_or_else(|| ValidationError::new("passwordProtection/password must be string"))?;
    // JSON schema counts characters as UTF-16 code units; only the empty string has fewer than 1.
    if password.is_empty() {
        return Err(ValidationError::new(
            "passwordProtection/password must NOT have fewer than 1 characters",
        ));
    }
    let is_pin = match object.get("passwordIsPin") {
        None => false,
        Some(Value::Bool(true)) => true,
        Some(Value::Bool(false)) => {
            return Err(ValidationError::new(
                "passwordProtection/passwordIsPin must be equal to constant",
            ));
        }
        Some(_) => {
            return Err(ValidationError::new(
                "passwordProtection/passwordIsPin must be boolean",
            ));
        }
    };
    Ok(SchemaPassword {
        password,
        is_pin,
        location_indicator: object.get("passwordLocationIndicator"),
    })
}

fn future_expiry(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, ValidationError> {
    let instant = parse_iso8601(text)
        .map_err(|_| ValidationError::new("expiresAt must match ISO8601 datetime format"))?;
    if instant <= now {
        return Err(ValidationError::new("'expiresAt' must be in the future"));
    }
    Ok(instant)
}

fn password_request(schema: SchemaPassword<'_>) -> Result<PasswordRequest, ValidationError> {
    let password_type = PasswordType::of(schema.password, schema.is_pin)
        .map_err(|_| ValidationError::new(PIN_MESSAGE))?;
    let location_indicator = schema
        .location_indicator
        .map(location_indicator)
        .transpose()?;
    Ok(PasswordRequest {
        password: schema.password.to_owned(),
        password_type,
        location_indicator,
    })
}

/// A free number 50–99 (an integral JSON number) or one of the six names.
fn location_indicator(value: &Value) -> Result<PasswordLocationIndicator, ValidationError> {
    let indicator = match value {
        Value::String(name) => PasswordLocationIndicator::from_name(name),
        Value::Number(number) => number
            .as_u64()
            .or_else(|| {
                number
                    .as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
            .and_then(|n| u8::try_from(n).ok())
            .and_then(PasswordLocationIndicator::from_free_number),
        _ => None,
    };
    indicator.ok_or_else(|| ValidationError::new(INDICATOR_MESSAGE))
}
