//! The two base64 dialects of the Backbone's wire format (spec: byte arrays are written as
//! b64url without padding; on input b64url and b64std are both accepted), kept here rather
//! than borrowed from the connector, whose encoding the simulator is there to judge.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// URL-safe alphabet without padding: how the Backbone writes byte arrays.
pub fn b64url(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes [`b64url`] text (no padding).
///
/// # Errors
/// Fails on padding or characters outside the URL-safe alphabet.
pub fn from_b64url(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(text)
}

/// Standard alphabet with padding: the state file's byte arrays.
pub fn b64std(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

/// Decodes [`b64std`] text (padding required).
///
/// # Errors
/// Fails on missing padding or characters outside the standard alphabet.
pub fn from_b64std(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    STANDARD.decode(text)
}
