//! The Token filter's semantics, as the Connector's queries behave on its store (spec §7.3).

use chrono::{TimeZone, Utc};
use domain::{
    DeviceId, IdentityAddress, PasswordLocationIndicator, PasswordProtection, PasswordType,
    SecretKey, Token, TokenContent, TokenId,
};

use super::*;
use crate::files::list::{Condition, FilterValue};

fn token(protection: Option<PasswordProtection>) -> Token {
    Token {
        id: TokenId::parse("TOKAAAAAAAAAAAAAAAAA").unwrap(),
        is_own: true,
        created_by: IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap(),
        created_by_device: DeviceId::parse("DVCAAAAAAAAAAAAAAAAA").unwrap(),
        content: TokenContent::from_json(serde_json::json!({"a": 1})).unwrap(),
        created_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        expires_at: Utc.with_ymd_and_hms(2027, 1, 2, 3, 4, 5).unwrap(),
        for_identity: None,
        password_protection: protection,
        secret_key: SecretKey::from_bytes([1; 32]),
    }
}

fn protected(password: &str, password_type: PasswordType, indicator: Option<&str>) -> Token {
    token(Some(PasswordProtection {
        password: password.into(),
        password_type,
        salt: [0; 16],
        location_indicator: indicator.map(|name| {
            PasswordLocationIndicator::from_name(name)
                .or_else(|| PasswordLocationIndicator::from_free_number(name.parse().unwrap()))
                .unwrap()
        }),
    }))
}

fn matches(condition: TokenCondition, token: &Token) -> bool {
    TokenFilter::new().with(condition).matches(token)
}

fn field(field: TokenField, condition: Condition) -> TokenCondition {
    TokenCondition::Field { field, condition }
}

#[test]
fn password_protection_exists_only_on_protected_tokens() {
    let plain = token(None);
    let password = protected("password", PasswordType::Password, Some("50"));
    let exists = || field(TokenField::PasswordProtection, Condition::Exists);
    let absent = || field(TokenField::PasswordProtection, Condition::NotExists);
    assert!(matches(exists(), &password) && !matches(absent(), &password));
    assert!(!matches(exists(), &plain) && matches(absent(), &plain));
    // An object equals no query value.
    let equals = field(
        TokenField::PasswordProtection,
        Condition::Equals(FilterValue::Text("x".into())),
    );
    assert!(!matches(equals, &password));
}

#[test]
fn the_runtimes_custom_password_keys() {
    let password = protected("password", PasswordType::Password, Some("50"));
    let pin = protected("1234", PasswordType::Pin { digits: 4 }, Some("Email"));
    let plain = token(None);

    assert!(matches(
        TokenCondition::PasswordIs(Some("password".into())),
        &password
    ));
    assert!(!matches(
        TokenCondition::PasswordIs(Some("passwor".into())),
        &password
    ));
    assert!(!matches(TokenCondition::PasswordIs(None), &password));

    assert!(!matches(TokenCondition::PasswordIsPin(true), &password));
    assert!(matches(TokenCondition::PasswordIsPin(false), &password));
    assert!(matches(TokenCondition::PasswordIsPin(true), &pin));
    assert!(!matches(TokenCondition::PasswordIsPin(false), &pin));
    // `!` is "protected by a password", so an unprotected token passes neither.
    assert!(!matches(TokenCondition::PasswordIsPin(true), &plain));
    assert!(!matches(TokenCondition::PasswordIsPin(false), &plain));

    assert!(matches(TokenCondition::location_indicator("50"), &password));
    assert!(!matches(
        TokenCondition::location_indicator("Self"),
        &password
    ));
    assert!(matches(TokenCondition::location_indicator("Email"), &pin));
    assert!(matches(TokenCondition::location_indicator("4"), &pin));
    assert!(!matches(TokenCondition::location_indicator("SMS"), &pin));
    assert!(!matches(
        TokenCondition::location_indicator("nonsense"),
        &pin
    ));
    assert!(!matches(
        TokenCondition::location_indicator("nonsense"),
        &plain
    ));
}

#[test]
fn plain_fields_follow_the_files_semantics() {
    let token = token(None);
    let text = |t: &str| FilterValue::Text(t.into());
    assert!(matches(
        field(
            TokenField::CreatedAt,
            Condition::Equals(text("2026-01-02T03:04:05.000Z"))
        ),
        &token
    ));
    assert!(matches(
        field(
            TokenField::ExpiresAt,
            Condition::GreaterThan(text("2026-12-31"))
        ),
        &token
    ));
    assert!(!matches(
        field(TokenField::ForIdentity, Condition::Exists),
        &token
    ));
    assert!(matches(
        field(TokenField::ForIdentity, Condition::NotEquals(text("x"))),
        &token
    ));
    assert!(matches(
        field(
            TokenField::CreatedByDevice,
            Condition::Equals(text("DVCAAAAAAAAAAAAAAAAA"))
        ),
        &token
    ));
    assert!(matches(TokenCondition::IsOwn(true), &token));
    assert!(!matches(TokenCondition::IsOwn(false), &token));
}
