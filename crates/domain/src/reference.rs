//! Token references: what a peer needs to find a token on a Backbone and decrypt it.
//!
//! Two forms are written: `truncated`, b64url of `<id>@<baseUrl>|3|<key>|<forId4>|<password>`,
//! and `url`, `<baseUrl>/r/<id>#<b64url of "3|<key>|<forId4>|<password>">`. Older truncated
//! forms without `@baseUrl`, or with only `id|3|key`, are still read.

use crate::crypto::{ALGORITHM_XCHACHA20_POLY1305, SecretKey};
use crate::encoding::{b64std, b64url, from_b64std, from_b64url};
use crate::ids::TokenId;
use crate::password::{PasswordLocationIndicator, PasswordProtection, PasswordType, SALT_LEN};

/// How a password-protected token tells its reader what to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferencePassword {
    pub password_type: PasswordType,
    pub salt: [u8; SALT_LEN],
    pub location_indicator: Option<PasswordLocationIndicator>,
}

impl From<&PasswordProtection> for ReferencePassword {
    fn from(protection: &PasswordProtection) -> Self {
        Self {
            password_type: protection.password_type,
            salt: protection.salt,
            location_indicator: protection.location_indicator,
        }
    }
}

/// A reference to a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenReference {
    pub id: TokenId,
    /// The Backbone holding the token; absent in references of older runtimes.
    pub backbone_base_url: Option<String>,
    pub key: SecretKey,
    /// The last four characters of the only identity allowed to read the token.
    pub for_identity_last_four: Option<String>,
    pub password: Option<ReferencePassword>,
}

/// Why a string is not a token reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("the reference is not base64url text")]
    NotBase64,
    #[error("the reference must have 3 or 5 '|'-separated parts, found {0}")]
    WrongPartCount(usize),
    #[error("the reference's token id is invalid")]
    InvalidId,
    #[error("the reference names key algorithm '{0}'; only 3 is supported")]
    UnsupportedAlgorithm(String),
    #[error("the reference's key is not a 32-byte base64url key")]
    InvalidKey,
    #[error("the reference's password part '{0}' is not '<pw|pinN>&<salt>[&<indicator>]'")]
    InvalidPassword(String),
    #[error("the reference url has no '/r/<id>#<fragment>' part")]
    InvalidUrl,
    #[error("the reference's Backbone '{0}' is not an http(s) URL without '|', '#' or '?'")]
    InvalidBackboneUrl(String),
}

const URL_PATH: &str = "/r/";

impl TokenReference {
    /// The truncated form: b64url of `<id>@<baseUrl>|3|<key>|<forId4>|<password>` (the
    /// `@baseUrl` is left out when unknown).
    pub fn truncated(&self) -> String {
        let location = match &self.backbone_base_url {
            Some(base) => format!("{}@{base}", self.id),
            None => self.id.to_string(),
        };
        b64url(format!("{location}|{}", self.secret_parts()))
    }

    /// The url form: `<baseUrl>/r/<id>#<b64url of "3|<key>|<forId4>|<password>">`; `None` when
    /// the Backbone is unknown.
    pub fn url(&self) -> Option<String> {
        let base = self.backbone_base_url.as_ref()?;
        Some(format!(
            "{base}{URL_PATH}{}#{}",
            self.id,
            b64url(self.secret_parts())
        ))
    }

    fn secret_parts(&self) -> String {
        let for_identity = self.for_identity_last_four.as_deref().unwrap_or_default();
        let password = self
            .password
            .as_ref()
            .map(password_part)
            .unwrap_or_default();
        format!(
            "{ALGORITHM_XCHACHA20_POLY1305}|{}|{for_identity}|{password}",
            self.key.to_b64url()
        )
    }

    /// Reads a truncated reference (any historic form) or a url reference.
    ///
    /// # Errors
    /// A [`ReferenceError`] naming the first part that is wrong.
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        if let Some((base, rest)) = text.split_once(URL_PATH).filter(|_| text.contains("://")) {
            return Self::parse_url(base, rest);
        }
        let decoded = decode_lenient(text)?;
        let mut parts: Vec<&str> = decoded.split('|').collect();
        if parts.len() != 3 && parts.len() != 5 {
            return Err(ReferenceError::WrongPartCount(parts.len()));
        }
        let location = parts.remove(0);
        let (id, base) = match location.split_once('@') {
            Some((id, base)) => (id, Some(base.to_owned())),
            None => (location, None),
        };
        Self::from_parts(id, base, &parts)
    }

    fn parse_url(base: &str, rest: &str) -> Result<Self, ReferenceError> {
        let (path, fragment) = rest.split_once('#').ok_or(ReferenceError::InvalidUrl)?;
        // Apps may add `?app=…` between the id and the fragment.
        let id = path.split_once('?').map_or(path, |(id, _)| id);
        let decoded = decode_lenient(fragment)?;
        let parts: Vec<&str> = decoded.split('|').collect();
        if parts.len() != 4 {
            return Err(ReferenceError::WrongPartCount(parts.len() + 1));
        }
        Self::from_parts(id, Some(base.to_owned()), &parts)
    }

    /// `parts` = `[alg, key]` or `[alg, key, forId4, password]`.
    fn from_parts(
        id: &str,
        backbone_base_url: Option<String>,
        parts: &[&str],
    ) -> Result<Self, ReferenceError> {
        if let Some(base) = backbone_base_url
            .as_deref()
            .filter(|base| !is_backbone_url(base))
        {
            return Err(ReferenceError::InvalidBackboneUrl(base.to_owned()));
        }
        let id = TokenId::parse(id).map_err(|_| ReferenceError::InvalidId)?;
        if parts[0] != ALGORITHM_XCHACHA20_POLY1305.to_string() {
            return Err(ReferenceError::UnsupportedAlgorithm(parts[0].to_owned()));
        }
        let key = SecretKey::from_b64url(parts[1]).map_err(|_| ReferenceError::InvalidKey)?;
        let non_empty = |i: usize| parts.get(i).copied().filter(|s| !s.is_empty());
        let password = non_empty(3).map(parse_password_part).transpose()?;
        Ok(Self {
            id,
            backbone_base_url,
            key,
            for_identity_last_four: non_empty(2).map(str::to_owned),
            password,
        })
    }
}

/// A Backbone base URL that the written forms can carry and read back: `http(s)://…` without
/// the characters that delimit reference parts.
fn is_backbone_url(base: &str) -> bool {
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        !rest.is_empty() && !rest.contains(['|', '#', '?', '@', ' ']) && !rest.contains("/r/")
    })
}

fn password_part(password: &ReferencePassword) -> String {
    let mut part = format!("{}&{}", password.password_type, b64std(password.salt));
    if let Some(indicator) = password.location_indicator {
        part.push_str(&format!("&{}", indicator.number()));
    }
    part
}

fn parse_password_part(part: &str) -> Result<ReferencePassword, ReferenceError> {
    let invalid = || ReferenceError::InvalidPassword(part.to_owned());
    let mut fields = part.split('&');
    let password_type =
        PasswordType::parse(fields.next().ok_or_else(invalid)?).map_err(|_| invalid())?;
    let salt = fields
        .next()
        .and_then(|salt| from_b64std(salt).ok())
        .and_then(|salt| salt.try_into().ok())
        .ok_or_else(invalid)?;
    let location_indicator = fields
        .next()
        .map(|number| {
            number
                .parse()
                .ok()
                .and_then(PasswordLocationIndicator::from_number)
                .ok_or_else(invalid)
        })
        .transpose()?;
    if fields.next().is_some() {
        return Err(invalid());
    }
    Ok(ReferencePassword {
        password_type,
        salt,
        location_indicator,
    })
}

/// Decodes b64url text, also accepting the standard alphabet and padding of older writers.
fn decode_lenient(text: &str) -> Result<String, ReferenceError> {
    let normalised: String = text
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    let bytes = from_b64url(&normalised).map_err(|_| ReferenceError::NotBase64)?;
    String::from_utf8(bytes).map_err(|_| ReferenceError::NotBase64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::tests::token_key;

    const BASE: &str = "https://backbone.example.com";
    const SALT: [u8; SALT_LEN] = *b"a16byteslongsalt";

    fn reference(
        for_identity: Option<&str>,
        password: Option<ReferencePassword>,
    ) -> TokenReference {
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
}
