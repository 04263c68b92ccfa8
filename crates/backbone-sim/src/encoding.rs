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

/// Decodes base64 the lenient way the Backbone reads an identity's key and signature (both
/// alphabets, padding optional; spec identity-onboarding.md §1.5 and §1.10), so that the
/// runtime's URL-safe text and the .NET SDK's standard text are both accepted.
///
/// # Errors
/// Fails on characters outside both alphabets or an impossible length.
pub fn from_b64_lenient(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::alphabet;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    let standard: String = text
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    LENIENT.decode(standard)
}

/// Decodes base64 as the Backbone's `Base64Helper.Decode` does for uploaded files' byte
/// fields: .NET's `Base64Url` first (URL-safe alphabet, padding optional), then
/// `Convert.FromBase64String` (standard alphabet, padding required). Both skip whitespace and
/// ignore unused trailing bits.
///
/// # Errors
/// Fails when neither reading works.
pub fn from_b64_backbone(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::alphabet;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    const STANDARD_PADDED: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
            .with_decode_allow_trailing_bits(true),
    );
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    URL_SAFE
        .decode(&compact)
        .or_else(|_| STANDARD_PADDED.decode(&compact))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_decoding_takes_both_alphabets_with_or_without_padding() {
        let bytes = vec![0xfb, 0xff, 0xfe, 0x01];
        for text in ["-__-AQ", "-__-AQ==", "+//+AQ==", "+//+AQ"] {
            assert_eq!(from_b64_lenient(text).ok(), Some(bytes.clone()), "{text}");
        }
        assert!(from_b64_lenient("not base64!").is_err());
        assert!(from_b64_lenient("A").is_err());
        assert_eq!(from_b64_lenient("").ok(), Some(Vec::new()));
    }

    #[test]
    fn file_fields_decode_url_safe_first_then_padded_standard() {
        let bytes = vec![0xfb, 0xff, 0xfe, 0x01];
        for text in ["-__-AQ", "-__-AQ==", "+//+AQ==", " -__-\nAQ "] {
            assert_eq!(from_b64_backbone(text).ok(), Some(bytes.clone()), "{text}");
        }
        assert_eq!(from_b64_backbone("AAAA").ok(), Some(vec![0, 0, 0]));
        for bad in ["+//+AQ", "-_+/", "not base64!", "A"] {
            assert!(from_b64_backbone(bad).is_err(), "{bad}");
        }
    }
}
