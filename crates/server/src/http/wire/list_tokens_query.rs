//! The query string of `GET …/Tokens/Own` and `…/Tokens/Peer`, read as the Connector reads it
//! (the parser and operator syntax of `list_files_query`), against the runtime's
//! `GetTokensRequest` schema and `GetTokensUseCase`'s keys, into a typed [`TokenFilter`].
//!
//! The plain keys (`createdAt`, `createdBy`, `createdByDevice`, `expiresAt`, `forIdentity`)
//! take the Files' syntax. `passwordProtection` is `""` (protected) or `!` (not);
//! `passwordProtection.passwordIsPin` is `true` (a PIN) or `!` (a password); both refuse other
//! values, as the schema's enums do. `passwordProtection.password` is the exact password and
//! `passwordProtection.passwordLocationIndicator` a number or a name, no operators; repeated,
//! they match no Token (the runtime compares the stored value with the list).

use application::files::list::Condition;
use application::tokens::list::{TokenCondition, TokenField, TokenFilter};

use super::list_files_query::{
    NUL_MESSAGE, QueryValue, UNKNOWN_KEY_MESSAGE, has_nul, parse_simple_query, repeated, single,
};

pub const PASSWORD_PROTECTION_KEY: &str = "passwordProtection";
pub const PASSWORD_KEY: &str = "passwordProtection.password";
pub const PASSWORD_IS_PIN_KEY: &str = "passwordProtection.passwordIsPin";
pub const LOCATION_INDICATOR_KEY: &str = "passwordProtection.passwordLocationIndicator";

/// The keys beyond the plain [`TokenField`]s.
const PASSWORD_KEYS: [&str; 3] = [PASSWORD_KEY, PASSWORD_IS_PIN_KEY, LOCATION_INDICATOR_KEY];

/// The schema's message for a value outside an enum.
fn not_allowed(key: &str) -> String {
    format!("query/{key} must be equal to one of the allowed values")
}

/// The filter `raw` (the request's query string, undecoded) asks for.
///
/// # Errors
/// The schema's first message: [`UNKNOWN_KEY_MESSAGE`] for any key it does not know (before
/// anything else, as ajv checks), [`NUL_MESSAGE`], or a value outside an enum.
pub fn parse_list_tokens_query(raw: &str) -> Result<TokenFilter, String> {
    let pairs = parse_simple_query(raw);
    let known = |key: &str| PASSWORD_KEYS.contains(&key) || TokenField::from_name(key).is_some();
    if pairs.iter().any(|(key, _)| !known(key)) {
        return Err(UNKNOWN_KEY_MESSAGE.to_owned());
    }
    if has_nul(&pairs) {
        return Err(NUL_MESSAGE.to_owned());
    }
    let mut filter = TokenFilter::new();
    for (key, value) in pairs {
        let condition = match (key.as_str(), value) {
            (PASSWORD_PROTECTION_KEY, QueryValue::One(value)) if value.is_empty() => {
                field(TokenField::PasswordProtection, Condition::Exists)
            }
            (PASSWORD_PROTECTION_KEY, QueryValue::One(value)) if value == "!" => {
                field(TokenField::PasswordProtection, Condition::NotExists)
            }
            (PASSWORD_PROTECTION_KEY, _) => return Err(not_allowed(&key)),
            (PASSWORD_IS_PIN_KEY, QueryValue::One(value)) if value == "true" => {
                TokenCondition::PasswordIsPin(true)
            }
            (PASSWORD_IS_PIN_KEY, QueryValue::One(value)) if value == "!" => {
                TokenCondition::PasswordIsPin(false)
            }
            (PASSWORD_IS_PIN_KEY, _) => return Err(not_allowed(&key)),
            (PASSWORD_KEY, QueryValue::One(password)) => TokenCondition::PasswordIs(Some(password)),
            (PASSWORD_KEY, QueryValue::Many(_)) => TokenCondition::PasswordIs(None),
            (LOCATION_INDICATOR_KEY, QueryValue::One(text)) => {
                TokenCondition::location_indicator(&text)
            }
            (LOCATION_INDICATOR_KEY, QueryValue::Many(_)) => {
                TokenCondition::LocationIndicatorIs(None)
            }
            (name, value) => {
                let Some(token_field) = TokenField::from_name(name) else {
                    unreachable!("only known keys are left")
                };
                filter = match value {
                    QueryValue::One(value) => filter.with_field(token_field, single(&value)),
                    QueryValue::Many(values) => repeated(&values)
                        .into_iter()
                        .fold(filter, |filter, condition| {
                            filter.with_field(token_field, condition)
                        }),
                };
                continue;
            }
        };
        filter = filter.with(condition);
    }
    Ok(filter)
}

fn field(field: TokenField, condition: Condition) -> TokenCondition {
    TokenCondition::Field { field, condition }
}

#[cfg(test)]
mod tests {
    use application::files::list::FilterValue;

    use super::*;

    fn conditions(raw: &str) -> Vec<TokenCondition> {
        parse_list_tokens_query(raw).unwrap().conditions().to_vec()
    }

    #[test]
    fn the_password_keys_become_the_runtimes_conditions() {
        assert_eq!(
            conditions("passwordProtection=&passwordProtection.passwordIsPin=!"),
            [
                field(TokenField::PasswordProtection, Condition::Exists),
                TokenCondition::PasswordIsPin(false)
            ]
        );
        assert_eq!(
            conditions("passwordProtection=!&passwordProtection.passwordIsPin=true"),
            [
                field(TokenField::PasswordProtection, Condition::NotExists),
                TokenCondition::PasswordIsPin(true)
            ]
        );
        assert_eq!(
            conditions(
                "passwordProtection.password=a%20b&passwordProtection.passwordLocationIndicator=Email"
            ),
            [
                TokenCondition::PasswordIs(Some("a b".to_owned())),
                TokenCondition::location_indicator("Email")
            ]
        );
        assert_eq!(
            conditions("passwordProtection.password=a&passwordProtection.password=b"),
            [TokenCondition::PasswordIs(None)]
        );
    }

    #[test]
    fn plain_keys_take_the_files_syntax() {
        assert_eq!(
            conditions("createdAt=>2025-01-01&forIdentity=!"),
            [
                field(
                    TokenField::CreatedAt,
                    Condition::GreaterThan(FilterValue::Text("2025-01-01".to_owned()))
                ),
                field(TokenField::ForIdentity, Condition::NotExists)
            ]
        );
    }

    #[test]
    fn unknown_keys_and_values_outside_the_enums_are_refused() {
        for (raw, message) in [
            ("isOwn=true", UNKNOWN_KEY_MESSAGE.to_owned()),
            ("passwordProtection.salt=x", UNKNOWN_KEY_MESSAGE.to_owned()),
            (
                "passwordProtection=yes",
                not_allowed(PASSWORD_PROTECTION_KEY),
            ),
            (
                "passwordProtection.passwordIsPin=false",
                not_allowed(PASSWORD_IS_PIN_KEY),
            ),
            (
                "passwordProtection=&passwordProtection=",
                not_allowed(PASSWORD_PROTECTION_KEY),
            ),
            ("createdBy=%00", NUL_MESSAGE.to_owned()),
        ] {
            assert_eq!(parse_list_tokens_query(raw).unwrap_err(), message, "{raw}");
        }
    }
}
