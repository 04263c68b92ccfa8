//! The two base64 dialects enmeshed uses, named once so no call site picks the wrong one.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// URL-safe alphabet without padding: keys, nonces, ciphertexts, containers, references.
pub fn b64url(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Appends [`b64url`] of `bytes` to `text`, for a caller writing a larger text around it
/// without a second copy of the encoding.
pub fn push_b64url(bytes: impl AsRef<[u8]>, text: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, text);
}

/// Decodes [`b64url`] text.
///
/// # Errors
/// Fails on padding or characters outside the URL-safe alphabet.
pub fn from_b64url(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(text)
}

/// Standard alphabet with padding: the password hash sent to the Backbone and reference salts.
pub fn b64std(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

/// Decodes [`b64std`] text.
///
/// # Errors
/// Fails on missing padding or characters outside the standard alphabet.
pub fn from_b64std(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    STANDARD.decode(text)
}
