//! Binding the body of `POST /api/v2/Identities` as ASP.NET Core does before the controller
//! runs (step 0 of spec identity-onboarding.md §1.8): System.Text.Json with web defaults
//! (property names ignore case, unknown ones are ignored, numbers may come as strings), the
//! Backbone's lenient byte-array converter, then MVC's implicit `[Required]` on non-nullable
//! references, which refuses `null` but lets `""` through to the validator.
//!
//! Every failure is `inputCannotBeParsed`, its message naming the model key as the Backbone's
//! `InvalidModelStateResponseFactory` does. The wording imitates .NET's (inferred).

use serde_json::{Map, Value};

use crate::encoding::from_b64_lenient;
use crate::envelope::ApiError;

const REQUEST_TYPE: &str = "Backbone.ConsumerApi.Controllers.Devices.CreateIdentityRequest";
const SIGNED_CHALLENGE_TYPE: &str =
    "Backbone.ConsumerApi.Controllers.Devices.CreateIdentityRequestSignedChallenge";

/// The bound request, before any validation rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateIdentityRequest {
    pub client_id: String,
    pub client_secret: String,
    /// The decoded bytes of `identityPublicKey` (the key's JSON, as the client serialized it).
    pub identity_public_key: Vec<u8>,
    pub device_password: String,
    pub device_communication_language: Option<String>,
    pub identity_version: u8,
    pub signed_challenge: SignedChallenge,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedChallenge {
    /// The signed text, exactly as received.
    pub challenge: String,
    /// The decoded bytes of `signature` (the signature's JSON).
    pub signature: Vec<u8>,
}

/// A property that may be absent (`None`), `null` (`Some(None)`) or set.
type Field<T> = Option<Option<T>>;

/// Binds the JSON body.
///
/// # Errors
/// `inputCannotBeParsed` for an empty body, malformed JSON, a value of the wrong type, bad
/// base64, an `identityVersion` outside 0..=255, a missing required property or a `null` one.
pub fn bind(body: &[u8]) -> Result<CreateIdentityRequest, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::cannot_be_parsed(
            "A non-empty request body is required.",
        ));
    }
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        ApiError::cannot_be_parsed(format!("'$': The input is not valid JSON: {error}."))
    })?;
    let Value::Object(object) = value else {
        return Err(ApiError::cannot_be_parsed(format!(
            "'$': The JSON value could not be converted to {REQUEST_TYPE}. Path: $."
        )));
    };
    let mut client_id: Field<String> = None;
    let mut client_secret: Field<String> = None;
    let mut identity_public_key: Field<Vec<u8>> = None;
    let mut device_password: Field<String> = None;
    let mut language: Field<String> = None;
    let mut identity_version: Option<u8> = None;
    let mut signed_challenge: Field<(Field<String>, Field<Vec<u8>>)> = None;
    // In document order, as the reader meets them: the first bad value is the one reported.
    for (key, value) in &object {
        let is = |name: &str| key.eq_ignore_ascii_case(name);
        if is("clientId") {
            client_id = Some(string(value, "clientId")?);
        } else if is("clientSecret") {
            client_secret = Some(string(value, "clientSecret")?);
        } else if is("identityPublicKey") {
            identity_public_key = Some(bytes(value, "identityPublicKey")?);
        } else if is("devicePassword") {
            device_password = Some(string(value, "devicePassword")?);
        } else if is("deviceCommunicationLanguage") {
            language = Some(string(value, "deviceCommunicationLanguage")?);
        } else if is("identityVersion") {
            identity_version = Some(byte(value, "identityVersion")?);
        } else if is("signedChallenge") {
            signed_challenge = Some(match value {
                Value::Null => None,
                Value::Object(inner) => Some(bind_signed_challenge(inner)?),
                _ => return Err(not_convertible("signedChallenge", SIGNED_CHALLENGE_TYPE)),
            });
        }
    }
    let missing: Vec<&str> = [
        ("clientId", client_id.is_none()),
        ("clientSecret", client_secret.is_none()),
        ("identityPublicKey", identity_public_key.is_none()),
        ("devicePassword", device_password.is_none()),
        ("identityVersion", identity_version.is_none()),
        ("signedChallenge", signed_challenge.is_none()),
    ]
    .into_iter()
    .filter_map(|(name, absent)| absent.then_some(name))
    .collect();
    if !missing.is_empty() {
        return Err(missing_required("$", REQUEST_TYPE, &missing));
    }
    // MVC's implicit [Required], property by property in declaration order.
    let client_id = required(client_id, "ClientId")?;
    let client_secret = required(client_secret, "ClientSecret")?;
    let identity_public_key = required(identity_public_key, "IdentityPublicKey")?;
    let device_password = required(device_password, "DevicePassword")?;
    let (challenge, signature) = required(signed_challenge, "SignedChallenge")?;
    let signed_challenge = SignedChallenge {
        challenge: required(challenge, "SignedChallenge.Challenge")?,
        signature: required(signature, "SignedChallenge.Signature")?,
    };
    Ok(CreateIdentityRequest {
        client_id,
        client_secret,
        identity_public_key,
        device_password,
        device_communication_language: language.flatten(),
        identity_version: identity_version.unwrap_or_default(),
        signed_challenge,
    })
}

fn bind_signed_challenge(
    object: &Map<String, Value>,
) -> Result<(Field<String>, Field<Vec<u8>>), ApiError> {
    let mut challenge = None;
    let mut signature = None;
    for (key, value) in object {
        if key.eq_ignore_ascii_case("challenge") {
            challenge = Some(string(value, "signedChallenge.challenge")?);
        } else if key.eq_ignore_ascii_case("signature") {
            signature = Some(bytes(value, "signedChallenge.signature")?);
        }
    }
    let missing: Vec<&str> = [
        ("challenge", challenge.is_none()),
        ("signature", signature.is_none()),
    ]
    .into_iter()
    .filter_map(|(name, absent)| absent.then_some(name))
    .collect();
    if !missing.is_empty() {
        return Err(missing_required(
            "$.signedChallenge",
            SIGNED_CHALLENGE_TYPE,
            &missing,
        ));
    }
    Ok((challenge.flatten().map(Some), signature.flatten().map(Some)))
}

fn string(value: &Value, path: &str) -> Result<Option<String>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        _ => Err(not_convertible(path, "System.String")),
    }
}

/// The Backbone's byte-array converter: base64url first, then standard base64.
fn bytes(value: &Value, path: &str) -> Result<Option<Vec<u8>>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => from_b64_lenient(text)
            .map(Some)
            .map_err(|_| not_convertible(path, "System.Byte[]")),
        _ => Err(not_convertible(path, "System.Byte[]")),
    }
}

/// A `byte`; web defaults also read numbers written as strings.
fn byte(value: &Value, path: &str) -> Result<u8, ApiError> {
    let parsed = match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.parse::<u64>().ok(),
        _ => None,
    };
    parsed
        .and_then(|n| u8::try_from(n).ok())
        .ok_or_else(|| not_convertible(path, "System.Byte"))
}

fn required<T>(field: Field<T>, model_key: &str) -> Result<T, ApiError> {
    field.flatten().ok_or_else(|| {
        let name = model_key.rsplit('.').next().unwrap_or(model_key);
        ApiError::cannot_be_parsed(format!("'{model_key}': The {name} field is required."))
    })
}

fn not_convertible(path: &str, type_name: &str) -> ApiError {
    ApiError::cannot_be_parsed(format!(
        "'$.{path}': The JSON value could not be converted to {type_name}. Path: $.{path}."
    ))
}

fn missing_required(key: &str, type_name: &str, names: &[&str]) -> ApiError {
    let names: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
    ApiError::cannot_be_parsed(format!(
        "'{key}': JSON deserialization for type '{type_name}' was missing required properties \
         including: {}.",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::CODE_INPUT_CANNOT_BE_PARSED;

    fn message(body: &str) -> String {
        let error = bind(body.as_bytes()).expect_err(body);
        assert_eq!(error.code, CODE_INPUT_CANNOT_BE_PARSED, "{body}");
        error.message
    }

    const FULL: &str = r#"{"clientId":"c","clientSecret":"s","identityPublicKey":"AQI","devicePassword":"p","identityVersion":1,"signedChallenge":{"challenge":"x","signature":"AwQ="}}"#;

    #[test]
    fn names_ignore_case_unknown_properties_are_ignored_and_both_base64_dialects_read() {
        let pascal = r#"{"ClientId":"c","CLIENTSECRET":"s","IdentityPublicKey":"AQI=","DevicePassword":"p","IdentityVersion":"1","CommunicationLanguage":"en","SignedChallenge":{"Challenge":"x","Signature":"AwQ"}}"#;
        for body in [FULL, pascal] {
            let bound = bind(body.as_bytes()).expect(body);
            assert_eq!(bound.client_id, "c");
            assert_eq!(bound.identity_public_key, [1, 2]);
            assert_eq!(bound.identity_version, 1);
            assert_eq!(bound.signed_challenge.signature, [3, 4]);
            assert_eq!(bound.device_communication_language, None);
        }
    }

    #[test]
    fn empty_strings_bind_so_that_the_validator_judges_them() {
        let body = FULL.replace(r#""p""#, r#""""#).replace(r#""AQI""#, r#""""#);
        let bound = bind(body.as_bytes()).expect("binds");
        assert_eq!(bound.device_password, "");
        assert!(bound.identity_public_key.is_empty());
    }

    #[test]
    fn malformed_missing_and_null_values_cannot_be_parsed() {
        assert_eq!(message(""), "A non-empty request body is required.");
        assert!(message("{").starts_with("'$': The input is not valid JSON"));
        assert!(message("[]").contains("could not be converted to Backbone.ConsumerApi"));
        assert_eq!(
            message(r#"{"clientSecret":"s"}"#),
            "'$': JSON deserialization for type 'Backbone.ConsumerApi.Controllers.Devices.CreateIdentityRequest' was missing required properties including: 'clientId', 'identityPublicKey', 'devicePassword', 'identityVersion', 'signedChallenge'."
        );
        assert_eq!(
            message(&FULL.replace("\"identityVersion\":1", "\"identityVersion\":256")),
            "'$.identityVersion': The JSON value could not be converted to System.Byte. Path: $.identityVersion."
        );
        assert!(
            message(&FULL.replace("\"AQI\"", "\"not base64!\""))
                .starts_with("'$.identityPublicKey'")
        );
        assert!(message(&FULL.replace("\"c\"", "7")).starts_with("'$.clientId'"));
        assert_eq!(
            message(&FULL.replace("\"p\"", "null")),
            "'DevicePassword': The DevicePassword field is required."
        );
        assert_eq!(
            message(&FULL.replace("\"x\"", "null")),
            "'SignedChallenge.Challenge': The Challenge field is required."
        );
        assert!(
            message(&FULL.replace(",\"signature\":\"AwQ=\"", ""))
                .starts_with("'$.signedChallenge': JSON deserialization for type 'Backbone.ConsumerApi.Controllers.Devices.CreateIdentityRequestSignedChallenge' was missing required properties including: 'signature'.")
        );
        // A bad value is found before the missing properties are counted.
        assert!(message(r#"{"clientId":1}"#).starts_with("'$.clientId'"));
    }
}
