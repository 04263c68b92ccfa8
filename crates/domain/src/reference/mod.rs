//! References: what a peer needs to find a token or a file on a Backbone and decrypt it.
//!
//! Two forms are written: `truncated`, b64url of `<id>@<baseUrl>|3|<key>|<forId4>|<password>`,
//! and `url`, `<baseUrl>/r/<id>#<b64url of "3|<key>|<forId4>|<password>">`. Older truncated
//! forms without `@baseUrl`, or with only `id|3|key`, are still read. The layout is shared by
//! every kind (`parts`); this module holds token references, `crate::file` file references.

pub(crate) mod parts;
#[cfg(test)]
mod tests;

use self::parts::{ReferenceParts, secret_parts, write_truncated, write_url};
use crate::crypto::SecretKey;
use crate::encoding::{b64std, from_b64std};
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

/// Why a string is not a token or file reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("the reference is not base64url text")]
    NotBase64,
    #[error("the reference must have 3 or 5 '|'-separated parts, found {0}")]
    WrongPartCount(usize),
    #[error("the reference's token id is invalid")]
    InvalidId,
    #[error(
        "the reference's id '{0}' is not a file id: expected 'FIL' followed by 17 letters or digits"
    )]
    InvalidFileId(String),
    #[error(
        "the reference's id '{0}' is neither a file id ('FIL…') nor a token id ('TOK…'), each followed by 17 letters or digits"
    )]
    NeitherFileNorToken(String),
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

impl TokenReference {
    /// The truncated form: b64url of `<id>@<baseUrl>|3|<key>|<forId4>|<password>` (the
    /// `@baseUrl` is left out when unknown).
    pub fn truncated(&self) -> String {
        write_truncated(
            self.id.as_str(),
            self.backbone_base_url.as_deref(),
            &self.secret_parts(),
        )
    }

    /// The url form: `<baseUrl>/r/<id>#<b64url of "3|<key>|<forId4>|<password>">`; `None` when
    /// the Backbone is unknown.
    pub fn url(&self) -> Option<String> {
        let base = self.backbone_base_url.as_ref()?;
        Some(write_url(self.id.as_str(), base, &self.secret_parts()))
    }

    fn secret_parts(&self) -> String {
        let for_identity = self.for_identity_last_four.as_deref().unwrap_or_default();
        let password = self
            .password
            .as_ref()
            .map(password_part)
            .unwrap_or_default();
        secret_parts(&self.key, for_identity, &password)
    }

    /// Reads a truncated reference (any historic form) or a url reference.
    ///
    /// # Errors
    /// A [`ReferenceError`] naming the first part that is wrong.
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        let parts = ReferenceParts::parse(text, |id| {
            TokenId::parse(id).map_err(|_| ReferenceError::InvalidId)
        })?;
        Self::from_parts(parts)
    }

    /// Completes parts whose id is already known to be a token's: reads the password part.
    pub(crate) fn from_parts(parts: ReferenceParts<TokenId>) -> Result<Self, ReferenceError> {
        let password = parts
            .password
            .as_deref()
            .map(parse_password_part)
            .transpose()?;
        Ok(Self {
            id: parts.id,
            backbone_base_url: parts.backbone_base_url,
            key: parts.key,
            for_identity_last_four: parts.for_identity_last_four,
            password,
        })
    }
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
