//! The signed challenge of `POST /api/v2/Identities`, steps 3 to 6 of spec
//! identity-onboarding.md §1.8: the key and signature JSON inside the decoded bytes, the Ed25519
//! check over the challenge text as received, and the challenge id inside that text.
//!
//! The Backbone reads the inner JSON with unchecked dynamic casts, so malformed content there is
//! an unhandled exception: these functions return [`Unexpected`] for it and the route answers
//! the 500 envelope (inferred from the source, not observed).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value};

use crate::encoding::from_b64_lenient;

/// Why the Backbone would fail with an unhandled exception; logged, never sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unexpected(pub String);

/// Step 3: the `pub` bytes of an `identityPublicKey` (`{"pub": "<base64>", "alg": n, …}`).
/// `alg` must be a number but its value is not checked; `@type` and anything else is ignored.
///
/// # Errors
/// [`Unexpected`] unless the bytes are a JSON object with a base64 string `pub` and a number
/// `alg`.
pub fn public_key_of(bytes: &[u8]) -> Result<Vec<u8>, Unexpected> {
    wrapped_bytes(bytes, "pub", "public key")
}

/// Step 4: the `sig` bytes of a `signature` (`{"sig": "<base64>", "alg": n, …}`).
///
/// # Errors
/// [`Unexpected`] as for [`public_key_of`].
pub fn signature_of(bytes: &[u8]) -> Result<Vec<u8>, Unexpected> {
    wrapped_bytes(bytes, "sig", "signature")
}

/// Step 5: pure Ed25519 (RFC 8032) over the UTF-8 bytes of `challenge`, with libsodium's strict
/// checks as NSec applies them. A signature of the wrong length or a key that is no curve
/// point only fails the check.
///
/// # Errors
/// [`Unexpected`] if the key is not 32 bytes (NSec refuses to import it).
pub fn verify(public_key: &[u8], challenge: &str, signature: &[u8]) -> Result<bool, Unexpected> {
    let key: &[u8; 32] = public_key.try_into().map_err(|_| {
        Unexpected(format!(
            "the public key has {} bytes, an Ed25519 key 32",
            public_key.len()
        ))
    })?;
    let Ok(signature) = Signature::from_slice(signature) else {
        return Ok(false);
    };
    let Ok(key) = VerifyingKey::from_bytes(key) else {
        return Ok(false);
    };
    Ok(key.verify_strict(challenge.as_bytes(), &signature).is_ok())
}

/// Step 6: the challenge id in the signed text, read as the Backbone deserializes its
/// `ChallengeDTO` (names ignore case; `id` and `expiresAt` required; `expiresAt` must be a date
/// but its value is not used). `Ok(None)` when the text is `null` or the id is, which the
/// Backbone then fails to find (404).
///
/// # Errors
/// [`Unexpected`] for anything else that is not such an object.
pub fn challenge_id_of(challenge: &str) -> Result<Option<String>, Unexpected> {
    let value: Value = serde_json::from_str(challenge)
        .map_err(|error| Unexpected(format!("the challenge is not JSON: {error}")))?;
    let object = match value {
        Value::Null => return Ok(None),
        Value::Object(object) => object,
        _ => return Err(Unexpected("the challenge is not a JSON object".to_owned())),
    };
    let id = last_ignoring_case(&object, "id")
        .ok_or_else(|| Unexpected("the challenge has no id".to_owned()))?;
    let expires_at = last_ignoring_case(&object, "expiresAt")
        .ok_or_else(|| Unexpected("the challenge has no expiresAt".to_owned()))?;
    if expires_at.as_str().and_then(parse_json_date).is_none() {
        return Err(Unexpected(format!(
            "the challenge's expiresAt {expires_at} is no date"
        )));
    }
    match id {
        Value::Null => Ok(None),
        Value::String(id) => Ok(Some(id.clone())),
        other => Err(Unexpected(format!(
            "the challenge's id {other} is no string"
        ))),
    }
}

fn wrapped_bytes(bytes: &[u8], member: &str, what: &str) -> Result<Vec<u8>, Unexpected> {
    let text = String::from_utf8_lossy(bytes);
    let value: Value = serde_json::from_str(&text)
        .map_err(|error| Unexpected(format!("the {what} is not JSON: {error}")))?;
    let Value::Object(object) = value else {
        return Err(Unexpected(format!("the {what} is not a JSON object")));
    };
    // The dynamic member access is case-sensitive.
    let Some(Value::String(encoded)) = object.get(member) else {
        return Err(Unexpected(format!("the {what} has no string '{member}'")));
    };
    if !object.get("alg").is_some_and(Value::is_number) {
        return Err(Unexpected(format!("the {what} has no numeric 'alg'")));
    }
    from_b64_lenient(encoded)
        .map_err(|error| Unexpected(format!("the {what}'s '{member}' is not base64: {error}")))
}

fn last_ignoring_case<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
        .next_back()
}

/// The ISO 8601 forms System.Text.Json reads as a `DateTime`.
fn parse_json_date(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(date) = NaiveDateTime::parse_from_str(text, format) {
            return Some(date.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::from_b64url;

    /// Vector A of spec identity-onboarding.md §6.
    const PUBLIC_KEY_HEX: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    const IDENTITY_PUBLIC_KEY: &str = "eyJwdWIiOiIxMXFZQVlLeENyZlZTXzdUeVdRSE9nN2hjdlBhcGlNbHJ3SWFhUGNIVVJvIiwiYWxnIjozLCJAdHlwZSI6IkNyeXB0b1NpZ25hdHVyZVB1YmxpY0tleSJ9";
    const SIGNATURE: &str = "eyJzaWciOiJjNzdMZ1NsUTBMdkJWdW40TXZHa1JKZHRBS3d6NGg3WkhrZms2X0drb0ktbmhKQUlCWnBjQ2I1RmMyVGplbjd3NWZ1bFpsX1ZGV3kwalEwLVVxT1FEdyIsImFsZyI6MiwiQHR5cGUiOiJDcnlwdG9TaWduYXR1cmUifQ";
    const CHALLENGE: &str =
        r#"{"expiresAt":"2025-01-01T12:10:00.123Z","id":"CHLtestChallenge0001","type":"Identity"}"#;

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    #[test]
    fn vector_a_verifies_and_names_its_challenge() {
        let key = public_key_of(&from_b64url(IDENTITY_PUBLIC_KEY).expect("b64")).expect("key");
        assert_eq!(key, hex(PUBLIC_KEY_HEX));
        let signature = signature_of(&from_b64url(SIGNATURE).expect("b64")).expect("sig");
        assert_eq!(verify(&key, CHALLENGE, &signature), Ok(true));
        assert_eq!(
            verify(&key, &CHALLENGE.replace("0001", "0002"), &signature),
            Ok(false)
        );
        assert_eq!(verify(&key, CHALLENGE, &signature[..63]), Ok(false));
        assert!(verify(&key[..31], CHALLENGE, &signature).is_err());
        assert_eq!(
            challenge_id_of(CHALLENGE),
            Ok(Some("CHLtestChallenge0001".to_owned()))
        );
    }

    #[test]
    fn the_dotnet_sdks_standard_base64_and_pascal_case_are_read() {
        let key =
            public_key_of(br#"{"alg":3,"pub":"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}"#)
                .expect("key");
        assert_eq!(key, hex(PUBLIC_KEY_HEX));
        let challenge = r#"{"Id":"CHLtestChallenge0001","ExpiresAt":"2025-01-01T12:10:00.123Z","CreatedBy":null,"CreatedByDevice":null}"#;
        assert_eq!(
            challenge_id_of(challenge),
            Ok(Some("CHLtestChallenge0001".to_owned()))
        );
    }

    #[test]
    fn malformed_inner_json_is_unexpected() {
        for bytes in [
            &b"not json"[..],
            br#"[]"#,
            br#"{"alg":3}"#,
            br#"{"Pub":"AAAA","alg":3}"#,
            br#"{"pub":"AAAA"}"#,
            br#"{"pub":"AAAA","alg":"3"}"#,
            br#"{"pub":7,"alg":3}"#,
            br#"{"pub":"not base64!","alg":3}"#,
        ] {
            assert!(
                public_key_of(bytes).is_err(),
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
        for challenge in [
            "",
            "[]",
            r#"{"id":"CHLx"}"#,
            r#"{"expiresAt":"2025-01-01T00:00:00Z"}"#,
            r#"{"id":"CHLx","expiresAt":null}"#,
            r#"{"id":"CHLx","expiresAt":"tomorrow"}"#,
            r#"{"id":7,"expiresAt":"2025-01-01"}"#,
            r#"{"id":"CHLx","expiresAt":"2025-01-01"} trailing"#,
        ] {
            assert!(challenge_id_of(challenge).is_err(), "{challenge}");
        }
        assert_eq!(challenge_id_of("null"), Ok(None));
        assert_eq!(
            challenge_id_of(r#"{"id":null,"expiresAt":"2025-01-01"}"#),
            Ok(None)
        );
    }
}
