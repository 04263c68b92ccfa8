//! The DID domain of identity addresses, and deriving an identity's address from its key.
//!
//! The Backbone derives the address from its configured `DidDomainName` and the runtime from its
//! own idea of the domain; it compares the two only after the identity exists remotely, so a
//! wrong domain orphans the identity. Hence the strict checks here, before anything is sent.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256, Sha512};

use super::keys::SignaturePublicKey;
use crate::ids::{IdentityAddress, is_valid_domain};

/// Bounds of the Backbone's `DidDomainName` setting (its configuration refuses anything else).
pub const ADDRESS_DOMAIN_MIN_LEN: usize = 3;
/// See [`ADDRESS_DOMAIN_MIN_LEN`]; 45 also keeps every address within the 80-character limit.
pub const ADDRESS_DOMAIN_MAX_LEN: usize = 45;

/// The setting that names the domain when the Backbone's URL host cannot.
const OVERRIDE_SETTING: &str = "transportLibrary.addressGenerationHostnameOverride";

/// Why a string cannot be the DID domain of identity addresses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressDomainError {
    #[error(
        "'{0}' is an IP address, but a DID domain must end in a label of letters; set \
         {OVERRIDE_SETTING} to the Backbone's DidDomainName (e.g. 'localhost')"
    )]
    IpAddress(String),
    #[error(
        "the DID domain '{0}' contains upper case, but the Backbone's DidDomainName is lower \
         case; write it in lower case"
    )]
    UpperCase(String),
    #[error(
        "the DID domain '{domain}' has {length} characters; the Backbone's DidDomainName has \
         {ADDRESS_DOMAIN_MIN_LEN} to {ADDRESS_DOMAIN_MAX_LEN}"
    )]
    Length { domain: String, length: usize },
    #[error(
        "'{0}' is not a DID domain: expected dot-separated labels of a-z, 0-9 and '-', the last \
         of two or more letters (e.g. 'localhost', 'prod.enmeshed.eu'); use the Backbone's \
         DidDomainName"
    )]
    Malformed(String),
    #[error("'{0}' is not an http(s) URL with a host, e.g. 'https://backbone.example.com'")]
    NotAUrl(String),
    #[error(
        "the host of the Backbone URL '{base_url}' cannot be the DID domain ({reason}); set \
         {OVERRIDE_SETTING} to the Backbone's DidDomainName"
    )]
    UnusableHost {
        base_url: String,
        reason: Box<AddressDomainError>,
    },
}

/// A DID domain the Backbone accepts as `DidDomainName`: 3–45 characters matching
/// `((?:[a-z0-9-]+\.)*[a-z]{2,})`, e.g. `localhost` or `bkb-nmshd-preprod.nbpdev.de`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddressDomain(String);

impl AddressDomain {
    /// Takes a configured domain as given. Upper case is refused rather than lowered: the
    /// runtime uses an override verbatim, so lowering here would silently produce addresses an
    /// official client with the same setting would not.
    ///
    /// # Errors
    /// [`AddressDomainError::IpAddress`], [`AddressDomainError::UpperCase`],
    /// [`AddressDomainError::Length`] or [`AddressDomainError::Malformed`].
    pub fn parse(value: &str) -> Result<Self, AddressDomainError> {
        if looks_like_ip(value) {
            return Err(AddressDomainError::IpAddress(value.to_owned()));
        }
        if value.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(AddressDomainError::UpperCase(value.to_owned()));
        }
        let length = value.chars().count();
        if !(ADDRESS_DOMAIN_MIN_LEN..=ADDRESS_DOMAIN_MAX_LEN).contains(&length) {
            return Err(AddressDomainError::Length {
                domain: value.to_owned(),
                length,
            });
        }
        if !is_valid_domain(value) {
            return Err(AddressDomainError::Malformed(value.to_owned()));
        }
        Ok(Self(value.to_owned()))
    }

    /// The host of a Backbone base URL, without scheme, credentials or port and lower-cased, as
    /// the runtime's `new URL(baseUrl).hostname` gives it when no override is set.
    ///
    /// # Errors
    /// [`AddressDomainError::NotAUrl`] without an `http://` or `https://` host,
    /// [`AddressDomainError::IpAddress`] for an IP host, [`AddressDomainError::UnusableHost`]
    /// for any other host the Backbone would not accept.
    pub fn from_base_url(base_url: &str) -> Result<Self, AddressDomainError> {
        let not_a_url = || AddressDomainError::NotAUrl(base_url.to_owned());
        let (scheme, rest) = base_url.split_once("://").ok_or_else(not_a_url)?;
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(not_a_url());
        }
        let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
        let host_and_port = authority.rsplit('@').next().unwrap_or_default();
        if host_and_port.starts_with('[') {
            let literal = host_and_port
                .split_inclusive(']')
                .next()
                .unwrap_or_default();
            return Err(AddressDomainError::IpAddress(literal.to_owned()));
        }
        let host = host_and_port
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if host.is_empty() {
            return Err(not_a_url());
        }
        Self::parse(&host).map_err(|reason| match reason {
            AddressDomainError::IpAddress(_) => reason,
            reason => AddressDomainError::UnusableHost {
                base_url: base_url.to_owned(),
                reason: Box::new(reason),
            },
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a URL parser would read as an IP: an IPv6 literal, or a last label that is a number
/// (decimal or `0x` hex), which makes the WHATWG parser take the host as IPv4.
fn looks_like_ip(host: &str) -> bool {
    let last = host
        .trim_end_matches('.')
        .rsplit('.')
        .next()
        .unwrap_or_default();
    let hex = last.strip_prefix("0x").or_else(|| last.strip_prefix("0X"));
    host.starts_with('[')
        || (!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()))
        || hex.is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl fmt::Display for AddressDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AddressDomain {
    type Err = AddressDomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Bytes of `SHA-256(SHA-512(pk))` that name the identity (20 hex digits).
const IDENTITY_PART_LEN: usize = 10;

impl IdentityAddress {
    /// The address the Backbone creates for `public_key` under `domain` (§2):
    /// `did:e:<domain>:dids:` + hex of the first 10 bytes of SHA-256(SHA-512(raw key)) + the
    /// checksum. The raw 32 bytes are hashed, not the JSON wrapper.
    pub fn derive(public_key: &SignaturePublicKey, domain: &AddressDomain) -> Self {
        let digest = Sha256::digest(Sha512::digest(public_key.as_bytes()));
        let body: String = digest[..IDENTITY_PART_LEN]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self::from_parts(domain.as_str(), &body).unwrap_or_else(|e| {
            unreachable!("a DID domain and 20 hex digits always form an address: {e}")
        })
    }
}

#[cfg(test)]
mod tests;
