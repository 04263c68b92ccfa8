//! `POST …/Tokens/Own`: the body checked against the runtime's `CreateOwnTokenRequest` schema
//! in ajv's order (type, required, additional properties, then each property; only the first
//! failure counts) with its messages, into the typed [`CreateOwnTokenRequest`]. The properties
//! share their rules with `POST …/Files/{id}/Token`.

use application::tokens::create_own::{CreateOwnTokenRequest, TokenContentRefused};
use domain::TokenContent;
use serde_json::{Map, Value};

use super::create_token_request::{
    SchemaViolation, ephemeral, expires_at, for_identity, password_protection, violation,
};

/// The schema's properties, in its order.
const PROPERTIES: [&str; 5] = [
    "content",
    "expiresAt",
    "ephemeral",
    "forIdentity",
    "passwordProtection",
];

/// The typed request, or the schema's first complaint. `content` is read here but refused
/// (when it is no JSON object) only after the use case's rules, where the runtime refuses it.
///
/// # Errors
/// `must have required property 'content'` (or `'expiresAt'`), `must NOT have additional
/// properties`, and each property's message.
pub fn parse_create_own_token_request(
    body: &Map<String, Value>,
) -> Result<CreateOwnTokenRequest, SchemaViolation> {
    let required = |key: &str| {
        body.get(key)
            .ok_or_else(|| violation(format!("must have required property '{key}'")))
    };
    let (content, expiry) = (required("content")?, required("expiresAt")?);
    if body.keys().any(|key| !PROPERTIES.contains(&key.as_str())) {
        return Err(violation("must NOT have additional properties"));
    }
    Ok(CreateOwnTokenRequest {
        content: TokenContent::from_json(content.clone()).map_err(|_| TokenContentRefused),
        expires_at: expires_at(expiry)?,
        ephemeral: body.get("ephemeral").map(ephemeral).transpose()?,
        for_identity: body.get("forIdentity").map(for_identity).transpose()?,
        password_protection: body
            .get("passwordProtection")
            .map(password_protection)
            .transpose()?,
        correlation_id: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> Result<CreateOwnTokenRequest, String> {
        parse_create_own_token_request(value.as_object().unwrap()).map_err(|v| v.0)
    }

    #[test]
    fn a_complete_body_is_typed_and_its_content_kept() {
        let request = parse(json!({
            "content": {"aKey": "aValue"},
            "expiresAt": "2030-01-01T00:00:00.000Z",
            "ephemeral": true,
            "passwordProtection": {"password": "1234", "passwordIsPin": true}
        }))
        .unwrap();
        assert_eq!(
            request.content.unwrap().to_json(),
            json!({"aKey": "aValue"})
        );
        assert_eq!(request.expires_at, "2030-01-01T00:00:00.000Z");
        assert_eq!(request.ephemeral, Some(true));
        assert!(request.password_protection.unwrap().is_pin);
    }

    #[test]
    fn the_first_broken_rule_is_named_in_ajvs_order() {
        let expires_at = "2030-01-01T00:00:00.000Z";
        for (body, message) in [
            (json!({}), "must have required property 'content'"),
            (
                json!({"content": {}}),
                "must have required property 'expiresAt'",
            ),
            (
                json!({"content": {}, "expiresAt": expires_at, "other": 1}),
                "must NOT have additional properties",
            ),
            (
                json!({"content": {}, "expiresAt": "tomorrow"}),
                "expiresAt must match ISO8601 datetime format",
            ),
            (
                json!({"content": {}, "expiresAt": expires_at, "ephemeral": "yes"}),
                "ephemeral must be boolean",
            ),
            (
                json!({"content": {}, "expiresAt": expires_at, "forIdentity": "someone"}),
                "forIdentity must match pattern",
            ),
        ] {
            let error = parse(body.clone()).unwrap_err();
            assert!(error.starts_with(message), "{body}: {error}");
        }
    }

    #[test]
    fn content_that_is_no_object_passes_the_schema_and_is_refused_later() {
        let request =
            parse(json!({"content": "text", "expiresAt": "2030-01-01T00:00:00.000Z"})).unwrap();
        assert_eq!(request.content, Err(TokenContentRefused));
    }
}
