//! The layout every enmeshed reference shares, whatever it points at (token or file): one
//! reader and one writer, so token and file references cannot drift apart.
//!
//! Truncated: b64url of `<id>[@<baseUrl>]|<alg>|<key>[|<forId4>|<password>]`; url:
//! `<baseUrl>/r/<id>[?app=…]#<b64url of "<alg>|<key>|<forId4>|<password>">`.

use super::ReferenceError;
use crate::crypto::{ALGORITHM_XCHACHA20_POLY1305, SecretKey};
use crate::encoding::{b64url, from_b64url};

const URL_PATH: &str = "/r/";

/// A reference read apart, its id already checked by the caller's rule for its kind.
#[derive(Debug)]
pub(crate) struct ReferenceParts<Id> {
    pub id: Id,
    pub backbone_base_url: Option<String>,
    pub key: SecretKey,
    pub for_identity_last_four: Option<String>,
    /// The raw `<type>&<salt>[&<indicator>]` text; only token references give it a meaning.
    pub password: Option<String>,
}

impl<Id> ReferenceParts<Id> {
    /// Reads a truncated reference (any historic form) or a url reference. `parse_id` judges
    /// the id, so the first wrong part is reported in the same order for every kind: Backbone
    /// URL, id, algorithm, key.
    pub fn parse(
        text: &str,
        parse_id: impl FnOnce(&str) -> Result<Id, ReferenceError>,
    ) -> Result<Self, ReferenceError> {
        if let Some((base, rest)) = text.split_once(URL_PATH).filter(|_| text.contains("://")) {
            return Self::parse_url(base, rest, parse_id);
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
        Self::from_parts(id, base, &parts, parse_id)
    }

    fn parse_url(
        base: &str,
        rest: &str,
        parse_id: impl FnOnce(&str) -> Result<Id, ReferenceError>,
    ) -> Result<Self, ReferenceError> {
        let (path, fragment) = rest.split_once('#').ok_or(ReferenceError::InvalidUrl)?;
        // Apps may add `?app=…` between the id and the fragment.
        let id = path.split_once('?').map_or(path, |(id, _)| id);
        let decoded = decode_lenient(fragment)?;
        let parts: Vec<&str> = decoded.split('|').collect();
        if parts.len() != 4 {
            return Err(ReferenceError::WrongPartCount(parts.len() + 1));
        }
        Self::from_parts(id, Some(base.to_owned()), &parts, parse_id)
    }

    /// `parts` = `[alg, key]` or `[alg, key, forId4, password]`.
    fn from_parts(
        id: &str,
        backbone_base_url: Option<String>,
        parts: &[&str],
        parse_id: impl FnOnce(&str) -> Result<Id, ReferenceError>,
    ) -> Result<Self, ReferenceError> {
        if let Some(base) = backbone_base_url
            .as_deref()
            .filter(|base| !is_backbone_url(base))
        {
            return Err(ReferenceError::InvalidBackboneUrl(base.to_owned()));
        }
        let id = parse_id(id)?;
        if parts[0] != ALGORITHM_XCHACHA20_POLY1305.to_string() {
            return Err(ReferenceError::UnsupportedAlgorithm(parts[0].to_owned()));
        }
        let key = SecretKey::from_b64url(parts[1]).map_err(|_| ReferenceError::InvalidKey)?;
        let non_empty = |i: usize| parts.get(i).copied().filter(|s| !s.is_empty());
        Ok(Self {
            id,
            backbone_base_url,
            key,
            for_identity_last_four: non_empty(2).map(str::to_owned),
            password: non_empty(3).map(str::to_owned),
        })
    }

    /// Splits off the id, so a reader that accepts several kinds can dispatch on it after
    /// parsing once, then put the typed id back with [`ReferenceParts::with_id`].
    pub fn take_id(self) -> (Id, ReferenceParts<()>) {
        let rest = ReferenceParts {
            id: (),
            backbone_base_url: self.backbone_base_url,
            key: self.key,
            for_identity_last_four: self.for_identity_last_four,
            password: self.password,
        };
        (self.id, rest)
    }
}

impl ReferenceParts<()> {
    pub fn with_id<Id>(self, id: Id) -> ReferenceParts<Id> {
        ReferenceParts {
            id,
            backbone_base_url: self.backbone_base_url,
            key: self.key,
            for_identity_last_four: self.for_identity_last_four,
            password: self.password,
        }
    }
}

/// `3|<key>|<forId4>|<password>`: what both written forms carry after the location.
pub(crate) fn secret_parts(key: &SecretKey, for_identity: &str, password: &str) -> String {
    format!(
        "{ALGORITHM_XCHACHA20_POLY1305}|{}|{for_identity}|{password}",
        key.to_b64url()
    )
}

/// The truncated form; the `@baseUrl` is left out when the Backbone is unknown.
pub(crate) fn write_truncated(id: &str, backbone_base_url: Option<&str>, secret: &str) -> String {
    let location = match backbone_base_url {
        Some(base) => format!("{id}@{base}"),
        None => id.to_owned(),
    };
    b64url(format!("{location}|{secret}"))
}

/// The url form, `<baseUrl>/r/<id>#<b64url of the secret parts>`.
pub(crate) fn write_url(id: &str, backbone_base_url: &str, secret: &str) -> String {
    format!("{backbone_base_url}{URL_PATH}{id}#{}", b64url(secret))
}

/// A Backbone base URL that the written forms can carry and read back: `http(s)://…` without
/// the characters that delimit reference parts.
pub(crate) fn is_backbone_url(base: &str) -> bool {
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        !rest.is_empty() && !rest.contains(['|', '#', '?', '@', ' ']) && !rest.contains("/r/")
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
