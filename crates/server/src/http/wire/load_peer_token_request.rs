//! `POST …/Tokens/Peer`: the JSON body into the typed request, with the runtime schema's one
//! message for anything it refuses (its `errorMessage` covers the whole object).

use std::sync::LazyLock;

use application::tokens::load_peer::LoadPeerTokenRequest;
use serde_json::{Map, Value};

use super::create_token_request::SchemaViolation;

/// The runtime's message for every way the body fails its schema.
pub const INVALID_TOKEN_REFERENCE_MESSAGE: &str = "token reference invalid";

/// A truncated token reference (unanchored, as the runtime's) and its url form.
static TOKEN_REFERENCE_PATTERNS: LazyLock<[regex::Regex; 2]> = LazyLock::new(|| {
    [
        r"VE9L.{84}",
        r"^https?://.*/r/TOK[a-zA-Z0-9]+(\?app=.+)?#[a-zA-Z0-9-_]+$",
    ]
    .map(|pattern| regex::Regex::new(pattern).unwrap_or_else(|_| unreachable!("a valid pattern")))
});

/// The typed request, or the schema's complaint.
///
/// # Errors
/// A [`SchemaViolation`] with [`INVALID_TOKEN_REFERENCE_MESSAGE`]: a missing or non-string
/// `reference` no pattern matches (a File reference included), a non-string `password`, a
/// non-boolean `ephemeral`, or any other key.
pub fn parse_load_peer_token_request(
    body: &Map<String, Value>,
) -> Result<LoadPeerTokenRequest, SchemaViolation> {
    let refused = || SchemaViolation(INVALID_TOKEN_REFERENCE_MESSAGE.to_owned());
    if body
        .keys()
        .any(|key| !["reference", "password", "ephemeral"].contains(&key.as_str()))
    {
        return Err(refused());
    }
    let reference = match body.get("reference") {
        Some(Value::String(reference))
            if TOKEN_REFERENCE_PATTERNS
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
    let ephemeral = match body.get("ephemeral") {
        None => None,
        Some(Value::Bool(ephemeral)) => Some(*ephemeral),
        Some(_) => return Err(refused()),
    };
    Ok(LoadPeerTokenRequest {
        reference,
        password,
        ephemeral,
        correlation_id: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> Result<LoadPeerTokenRequest, SchemaViolation> {
        parse_load_peer_token_request(value.as_object().unwrap())
    }

    #[test]
    fn token_references_pass_and_everything_else_is_the_one_message() {
        let truncated = format!("VE9L{}", "a".repeat(84));
        let request = parse(json!({"reference": truncated, "ephemeral": true})).unwrap();
        assert_eq!(request.ephemeral, Some(true));
        let url = "https://backbone.example.com/r/TOKabc#M3xrZXk";
        let request = parse(json!({"reference": url, "password": "pw"})).unwrap();
        assert_eq!(request.password.as_deref(), Some("pw"));
        for refused in [
            json!({}),
            json!({"reference": ""}),
            json!({"reference": null}),
            json!({"reference": format!("RklM{}", "a".repeat(84))}),
            json!({"reference": "TOKAAAAAAAAAAAAAAAAA"}),
            json!({"reference": url, "password": 5}),
            json!({"reference": url, "ephemeral": "true"}),
            json!({"reference": url, "other": 1}),
        ] {
            let error = parse(refused.clone()).unwrap_err();
            assert_eq!(error.0, INVALID_TOKEN_REFERENCE_MESSAGE, "{refused}");
        }
    }
}
