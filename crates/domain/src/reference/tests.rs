//! The reference vectors of `token-format.md`, and the historic and broken forms readers meet.

use super::parts::is_backbone_url;
use super::*;
use crate::crypto::tests::token_key;
use crate::encoding::b64url;

const BASE: &str = "https://backbone.example.com";
const SALT: [u8; SALT_LEN] = *b"a16byteslongsalt";

fn reference(for_identity: Option<&str>, password: Option<ReferencePassword>) -> TokenReference {
    TokenReference {
        id: TokenId::parse("TOKAAAAAAAAAAAAAAAAA").unwrap(),
        backbone_base_url: Some(BASE.to_owned()),
        key: token_key(),
        for_identity_last_four: for_identity.map(str::to_owned),
        password,
    }
}

fn password(password_type: PasswordType, indicator: Option<u8>) -> Option<ReferencePassword> {
    Some(ReferencePassword {
        password_type,
        salt: SALT,
        location_indicator: indicator.and_then(PasswordLocationIndicator::from_number),
    })
}

/// Every reference vector of token-format.md: (reference, truncated, url if given).
fn vectors() -> Vec<(TokenReference, &'static str, Option<&'static str>)> {
    vec![
        (
            reference(None, None),
            "VE9LQUFBQUFBQUFBQUFBQUFBQUFAaHR0cHM6Ly9iYWNrYm9uZS5leGFtcGxlLmNvbXwzfEFBRUNBd1FGQmdjSUNRb0xEQTBPRHhBUkVoTVVGUllYR0JrYUd4d2RIaDh8fA",
            Some(
                "https://backbone.example.com/r/TOKAAAAAAAAAAAAAAAAA#M3xBQUVDQXdRRkJnY0lDUW9MREEwT0R4QVJFaE1VRlJZWEdCa2FHeHdkSGg4fHw",
            ),
        ),
        (
            reference(Some("ab12"), None),
            "VE9LQUFBQUFBQUFBQUFBQUFBQUFAaHR0cHM6Ly9iYWNrYm9uZS5leGFtcGxlLmNvbXwzfEFBRUNBd1FGQmdjSUNRb0xEQTBPRHhBUkVoTVVGUllYR0JrYUd4d2RIaDh8YWIxMnw",
            Some(
                "https://backbone.example.com/r/TOKAAAAAAAAAAAAAAAAA#M3xBQUVDQXdRRkJnY0lDUW9MREEwT0R4QVJFaE1VRlJZWEdCa2FHeHdkSGg4fGFiMTJ8",
            ),
        ),
        (
            reference(None, password(PasswordType::Password, None)),
            "VE9LQUFBQUFBQUFBQUFBQUFBQUFAaHR0cHM6Ly9iYWNrYm9uZS5leGFtcGxlLmNvbXwzfEFBRUNBd1FGQmdjSUNRb0xEQTBPRHhBUkVoTVVGUllYR0JrYUd4d2RIaDh8fHB3JllURTJZbmwwWlhOc2IyNW5jMkZzZEE9PQ",
            None,
        ),
        (
            reference(None, password(PasswordType::Pin { digits: 4 }, Some(50))),
            "VE9LQUFBQUFBQUFBQUFBQUFBQUFAaHR0cHM6Ly9iYWNrYm9uZS5leGFtcGxlLmNvbXwzfEFBRUNBd1FGQmdjSUNRb0xEQTBPRHhBUkVoTVVGUllYR0JrYUd4d2RIaDh8fHBpbjQmWVRFMllubDBaWE5zYjI1bmMyRnNkQT09JjUw",
            None,
        ),
        (
            reference(Some("ab12"), password(PasswordType::Password, Some(2))),
            "VE9LQUFBQUFBQUFBQUFBQUFBQUFAaHR0cHM6Ly9iYWNrYm9uZS5leGFtcGxlLmNvbXwzfEFBRUNBd1FGQmdjSUNRb0xEQTBPRHhBUkVoTVVGUllYR0JrYUd4d2RIaDh8YWIxMnxwdyZZVEUyWW5sMFpYTnNiMjVuYzJGc2RBPT0mMg",
            Some(
                "https://backbone.example.com/r/TOKAAAAAAAAAAAAAAAAA#M3xBQUVDQXdRRkJnY0lDUW9MREEwT0R4QVJFaE1VRlJZWEdCa2FHeHdkSGg4fGFiMTJ8cHcmWVRFMllubDBaWE5zYjI1bmMyRnNkQT09JjI",
            ),
        ),
    ]
}

#[test]
fn references_are_written_byte_for_byte_as_the_vectors() {
    for (reference, truncated, url) in vectors() {
        assert_eq!(reference.truncated(), truncated);
        if let Some(url) = url {
            assert_eq!(reference.url().as_deref(), Some(url));
        }
    }
}

#[test]
fn both_written_forms_parse_back() {
    for (reference, truncated, _) in vectors() {
        assert_eq!(TokenReference::parse(truncated), Ok(reference.clone()));
        assert_eq!(
            TokenReference::parse(&reference.url().unwrap()),
            Ok(reference)
        );
    }
}

#[test]
fn historic_forms_parse() {
    let key = token_key().to_b64url();
    let three_parts = b64url(format!("TOKAAAAAAAAAAAAAAAAA|3|{key}"));
    let parsed = TokenReference::parse(&three_parts).unwrap();
    assert_eq!(parsed.backbone_base_url, None);
    assert_eq!(parsed.key, token_key());

    let five_parts = b64url(format!(
        "TOKAAAAAAAAAAAAAAAAA|3|{key}|ab12|pw&YTE2Ynl0ZXNsb25nc2FsdA=="
    ));
    let parsed = TokenReference::parse(&five_parts).unwrap();
    assert_eq!(parsed.for_identity_last_four.as_deref(), Some("ab12"));
    assert_eq!(parsed.password.unwrap().salt, SALT);

    let with_app = "https://backbone.example.com/r/TOKAAAAAAAAAAAAAAAAA?app=x#M3xBQUVDQXdRRkJnY0lDUW9MREEwT0R4QVJFaE1VRlJZWEdCa2FHeHdkSGg4fHw";
    assert_eq!(TokenReference::parse(with_app), Ok(reference(None, None)));
}

/// Found by `scripts/fuzz` (reference_parse): a url whose base held a `|` parsed, but its
/// truncated form then had six parts and could not be read back.
#[test]
fn a_backbone_url_that_cannot_be_written_back_is_refused() {
    let crash = "%ht|p://s://backbone.example.comWEdCa2FHeHd/r/TOKAAAAAAAAAAAAAAAAA#M3xBQUVDQXdRRkFnY0lDUW9MREEwT0R4QVJFaE1VRlJZWEdCa2FHeHdkSGg4fGFiMTJ8cHcmWVRFMllubDBaWE5zYjI1bmMyRnNkQT09JjI";
    assert_eq!(
        TokenReference::parse(crash),
        Err(ReferenceError::InvalidBackboneUrl(
            "%ht|p://s://backbone.example.comWEdCa2FHeHd".into()
        ))
    );
    for base in [
        "https://b.example.com/r/x",
        "https://a@b.example.com",
        "https://b.example.com?x",
        "mailto:x",
        "https://",
    ] {
        assert!(!is_backbone_url(base), "{base}");
    }
    assert!(is_backbone_url("http://127.0.0.1:8090/prefix"));
}

#[test]
fn broken_references_say_what_is_wrong() {
    let key = token_key().to_b64url();
    let cases = [
        ("!!!", ReferenceError::NotBase64),
        (
            &*b64url("TOKAAAAAAAAAAAAAAAAA|3"),
            ReferenceError::WrongPartCount(2),
        ),
        (
            &*b64url(format!("FILAAAAAAAAAAAAAAAAA|3|{key}")),
            ReferenceError::InvalidId,
        ),
        (
            &*b64url(format!("TOKAAAAAAAAAAAAAAAAA|1|{key}")),
            ReferenceError::UnsupportedAlgorithm("1".into()),
        ),
        (
            &*b64url("TOKAAAAAAAAAAAAAAAAA|3|short"),
            ReferenceError::InvalidKey,
        ),
        (
            &*b64url(format!("TOKAAAAAAAAAAAAAAAAA|3|{key}||pw")),
            ReferenceError::InvalidPassword("pw".into()),
        ),
        (
            "https://backbone.example.com/r/TOKAAAAAAAAAAAAAAAAA",
            ReferenceError::InvalidUrl,
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(TokenReference::parse(text), Err(expected), "{text}");
    }
}
