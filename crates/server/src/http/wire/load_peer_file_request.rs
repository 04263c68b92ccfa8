//! `POST …/Files/Peer`: the JSON body into the typed request, with the runtime schema's one
//! message for anything it refuses.

use std::sync::LazyLock;

use application::files::load_peer::LoadPeerFileRequest;
use serde_json::{Map, Value};

use super::create_token_request::SchemaViolation;

/// The runtime's message for every way the body fails its schema.
pub const INVALID_REFERENCE_MESSAGE: &str = "token / file reference invalid";

/// The schema's patterns: truncated token and File references (unanchored, as the runtime's)
/// and their url forms.
static REFERENCE_PATTERNS: LazyLock<[regex::Regex; 4]> = LazyLock::new(|| {
    [
        r"VE9L.{84}",
        r"RklM.{84}",
        r"^https?://.*/r/TOK[a-zA-Z0-9]+(\?app=.+)?#[a-zA-Z0-9-_]+$",
        r"^https?://.*/r/FIL[a-zA-Z0-9]+(\?app=.+)?#[a-zA-Z0-9-_]+$",
    ]
    .map(|pattern| regex::Regex::new(pattern).unwrap_or_else(|_| unreachable!("a valid pattern")))
});

/// The typed request, or the schema's complaint.
///
/// # Errors
/// A [`SchemaViolation`] with [`INVALID_REFERENCE_MESSAGE`]: a missing, empty or non-string
/// `reference`, one no pattern matches, a non-string `password`, or any other key.
pub fn parse_load_peer_file_request(
    body: &Map<String, Value>,
) -> Result<LoadPeerFileRequest, SchemaViolation> {
    let refused = || SchemaViolation(INVALID_REFERENCE_MESSAGE.to_owned());
    if body
        .keys()
        .any(|key| key != "reference" && key != "password")
    {
        return Err(refused());
    }
    let reference = match body.get("reference") {
        Some(Value::String(reference))
            if REFERENCE_PATTERNS
                .iter()
                .any(|pattern| pattern.is_match(reference)) =>
        {
            reference.clone()
        }
        _ => return Err(refused()),
    };
    let password = match body.get("password") {
        None => None,
        Some(Value::String(password)) => Some(password.clone()),
        Some(_) => return Err(refused()),
    };
    Ok(LoadPeerFileRequest {
        reference,
        password,
        correlation_id: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn only_references_the_schema_knows_pass() {
        let truncated = format!("RklM{}", "a".repeat(84));
        assert!(parse_load_peer_file_request(&body(json!({"reference": truncated}))).is_ok());
        let url = "https://backbone.example.com/r/TOKabc#M3xrZXk";
        let request =
            parse_load_peer_file_request(&body(json!({"reference": url, "password": "pw"})))
                .unwrap();
        assert_eq!(request.password.as_deref(), Some("pw"));
        for refused in [
            json!({}),
            json!({"reference": ""}),
            json!({"reference": null}),
            json!({"reference": "FILAAAAAAAAAAAAAAAAA"}),
            json!({"reference": url, "password": 5}),
            json!({"reference": url, "other": 1}),
        ] {
            let error = parse_load_peer_file_request(&body(refused.clone())).unwrap_err();
            assert_eq!(error.0, INVALID_REFERENCE_MESSAGE, "{refused}");
        }
    }
}
