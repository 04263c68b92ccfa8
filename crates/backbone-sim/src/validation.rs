//! Reading and validating a create-token request the way the Backbone does: model binding
//! first (`inputCannotBeParsed`), then the validator's rules in order, first failure wins.

use crate::ids::IdentityAddress;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use crate::envelope::{ApiError, decode_bytes};
use crate::state::{MAX_CONTENT_BYTES, MAX_PASSWORD_BYTES, NewToken};

/// The body of `POST /api/v2/Tokens` after binding, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTokenInput {
    pub content: Option<Vec<u8>>,
    pub expires_at: DateTime<Utc>,
    pub for_identity: Option<String>,
    pub password: Option<Vec<u8>>,
}

/// Binds the JSON body. Property names match case-insensitively and unknown ones are ignored,
/// as with ASP.NET's web defaults.
///
/// # Errors
/// `inputCannotBeParsed` for an empty body, malformed JSON, wrong types, bad base64 or a
/// missing or unparseable `expiresAt`.
pub fn bind_create_body(body: &[u8]) -> Result<CreateTokenInput, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::cannot_be_parsed(
            "A non-empty request body is required.",
        ));
    }
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        ApiError::cannot_be_parsed(format!("'$': The input is not valid JSON: {error}."))
    })?;
    let Value::Object(object) = value else {
        return Err(ApiError::cannot_be_parsed(
            "'$': The JSON value could not be converted to Backbone.Modules.Tokens.Application.Tokens.Commands.CreateToken.CreateTokenCommand. Path: $.",
        ));
    };
    let expires_at = match property(&object, "expiresAt") {
        None => {
            return Err(ApiError::cannot_be_parsed(
                "'$': JSON deserialization for type 'Backbone.Modules.Tokens.Application.Tokens.Commands.CreateToken.CreateTokenCommand' was missing required properties including: 'expiresAt'.",
            ));
        }
        Some(value) => value
            .as_str()
            .and_then(parse_date)
            .ok_or_else(|| not_convertible("expiresAt", "System.DateTime"))?,
    };
    Ok(CreateTokenInput {
        content: bytes_property(&object, "content")?,
        expires_at,
        for_identity: match property(&object, "forIdentity") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => return Err(not_convertible("forIdentity", "System.String")),
        },
        password: bytes_property(&object, "password")?,
    })
}

/// The validator of `CreateTokenCommand`, rule by rule.
///
/// # Errors
/// `invalidPropertyValue` with the message of the first rule that fails.
pub fn validate_create(
    input: CreateTokenInput,
    authenticated: bool,
    now: DateTime<Utc>,
) -> Result<NewToken, ApiError> {
    let for_identity = match &input.for_identity {
        None => None,
        Some(text) => {
            Some(IdentityAddress::parse(text).map_err(|_| ApiError::invalid_id("forIdentity"))?)
        }
    };
    if let Some(password) = &input.password {
        check_byte_count("password", password.len(), 1, MAX_PASSWORD_BYTES)?;
    }
    if input.expires_at <= now {
        return Err(ApiError::invalid_property(
            "'expiresAt' must be in the future.",
        ));
    }
    if authenticated {
        check_byte_count(
            "content",
            input.content.as_ref().map_or(0, Vec::len),
            0,
            MAX_CONTENT_BYTES,
        )?;
    } else {
        if input.content.is_some() {
            return Err(ApiError::invalid_property("'content' must be empty."));
        }
        let limit = now + chrono::Duration::minutes(5);
        if input.expires_at >= limit {
            // FluentValidation renders the comparison value with the invariant culture.
            let limit = limit.format("%m/%d/%Y %H:%M:%S");
            return Err(ApiError::invalid_property(format!(
                "'expiresAt' must be less than '{limit}'."
            )));
        }
    }
    Ok(NewToken {
        content: input.content,
        expires_at: input.expires_at,
        for_identity,
        password: input.password,
    })
}

/// The validator of a byte array's length (`NumberOfBytes`).
///
/// # Errors
/// `invalidPropertyValue` if `actual` is outside `min..=max`.
pub fn check_byte_count(
    property: &str,
    actual: usize,
    min: usize,
    max: usize,
) -> Result<(), ApiError> {
    if (min..=max).contains(&actual) {
        return Ok(());
    }
    Err(ApiError::invalid_property(format!(
        "'{property}' must be between {min} and {max} bytes long. You entered {actual} bytes."
    )))
}

/// Parses a date like .NET's `DateTime.Parse(...).ToUniversalTime()` does for the ISO forms
/// clients send; a date without offset is taken as UTC (the Backbone's servers run in UTC).
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(date) = NaiveDateTime::parse_from_str(text, format) {
            return Some(date.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// The last property named `name`, ignoring case.
fn property<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
        .next_back()
}

fn bytes_property(object: &Map<String, Value>, name: &str) -> Result<Option<Vec<u8>>, ApiError> {
    match property(object, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => decode_bytes(text)
            .map(Some)
            .ok_or_else(|| not_convertible(name, "System.Byte[]")),
        Some(_) => Err(not_convertible(name, "System.Byte[]")),
    }
}

fn not_convertible(name: &str, type_name: &str) -> ApiError {
    ApiError::cannot_be_parsed(format!(
        "'$.{name}': The JSON value could not be converted to {type_name}. Path: $.{name}."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{CODE_INPUT_CANNOT_BE_PARSED, CODE_INVALID_PROPERTY_VALUE};

    fn input(json: &str) -> CreateTokenInput {
        bind_create_body(json.as_bytes()).expect("body binds")
    }

    fn message(result: Result<NewToken, ApiError>) -> String {
        let error = result.expect_err("validation fails");
        assert_eq!(error.code, CODE_INVALID_PROPERTY_VALUE);
        error.message
    }

    #[test]
    fn binding_rejects_malformed_input_as_unparseable() {
        for body in [
            "",
            "{",
            "[]",
            r#"{"content":"AAAA"}"#,
            r#"{"expiresAt":null}"#,
            r#"{"expiresAt":"tomorrow"}"#,
            r#"{"expiresAt":"2030-01-01T00:00:00Z","content":"not base64!"}"#,
            r#"{"expiresAt":"2030-01-01T00:00:00Z","content":42}"#,
            r#"{"expiresAt":"2030-01-01T00:00:00Z","forIdentity":7}"#,
        ] {
            let error = bind_create_body(body.as_bytes()).expect_err(body);
            assert_eq!(error.code, CODE_INPUT_CANNOT_BE_PARSED, "{body}");
        }
    }

    #[test]
    fn binding_ignores_case_and_unknown_properties() {
        let bound = input(
            r#"{"ExpiresAt":"2030-01-02T03:04:05+02:00","CONTENT":"AQI","foo":1,"password":"AQI="}"#,
        );
        assert_eq!(bound.content, Some(vec![1, 2]));
        assert_eq!(bound.password, Some(vec![1, 2]));
        assert_eq!(
            bound.expires_at,
            parse_date("2030-01-02T01:04:05Z").expect("valid date")
        );
    }

    #[test]
    fn rules_apply_in_the_backbones_order() {
        let now = Utc::now();
        let past = r#""expiresAt":"2001-01-01T00:00:00Z""#;
        let cases = [
            (
                format!(r#"{{{past},"forIdentity":"some-address","password":""}}"#),
                true,
                "'forIdentity': The ID or Address is not valid. Check length, prefix and the used characters.",
            ),
            (
                format!(r#"{{{past},"password":""}}"#),
                true,
                "'password' must be between 1 and 200 bytes long. You entered 0 bytes.",
            ),
            (
                format!(r#"{{{past},"content":"AAAA"}}"#),
                false,
                "'expiresAt' must be in the future.",
            ),
        ];
        for (body, authenticated, expected) in cases {
            assert_eq!(
                message(validate_create(input(&body), authenticated, now)),
                expected,
                "{body}"
            );
        }
    }

    #[test]
    fn anonymous_tokens_must_be_empty_and_short_lived() {
        let now = Utc::now();
        let soon = now + chrono::Duration::minutes(1);
        let tomorrow = now + chrono::Duration::days(1);
        let make = |content: Option<Vec<u8>>, expires_at| CreateTokenInput {
            content,
            expires_at,
            for_identity: None,
            password: None,
        };
        assert_eq!(
            message(validate_create(make(Some(vec![]), soon), false, now)),
            "'content' must be empty."
        );
        assert!(
            message(validate_create(make(None, tomorrow), false, now))
                .starts_with("'expiresAt' must be less than '")
        );
        assert!(validate_create(make(None, soon), false, now).is_ok());
        assert!(validate_create(make(None, tomorrow), true, now).is_ok());
        assert!(validate_create(make(Some(vec![]), tomorrow), true, now).is_ok());
    }

    #[test]
    fn content_is_limited_to_ten_mebibytes() {
        let now = Utc::now();
        let tomorrow = now + chrono::Duration::days(1);
        let make = |len| CreateTokenInput {
            content: Some(vec![0; len]),
            expires_at: tomorrow,
            for_identity: None,
            password: None,
        };
        assert!(validate_create(make(MAX_CONTENT_BYTES), true, now).is_ok());
        assert_eq!(
            message(validate_create(make(MAX_CONTENT_BYTES + 1), true, now)),
            "'content' must be between 0 and 10485760 bytes long. You entered 10485761 bytes."
        );
    }

    #[test]
    fn dates_parse_in_the_forms_clients_send() {
        let expected = parse_date("2030-01-02T03:04:05Z").expect("valid date");
        for text in [
            "2030-01-02T03:04:05.000Z",
            "2030-01-02T05:04:05+02:00",
            "2030-01-02T03:04:05",
            "2030-01-02 03:04:05",
        ] {
            assert_eq!(parse_date(text), Some(expected), "{text}");
        }
        assert!(parse_date("2030-01-02").is_some());
        assert_eq!(parse_date("invalid date"), None);
    }
}
