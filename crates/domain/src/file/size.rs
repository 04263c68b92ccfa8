//! How much content a File may hold. The Backbone limits the *uploaded* bytes (files.md §2.1),
//! which are the content's cipher JSON, a third larger than the content, so the largest
//! content is derived here from the exact encoding overhead rather than guessed.

use crate::crypto::NONCE_LEN;

/// The Backbone refuses uploaded content outside 1 … 10 MiB. Every upload meets the lower
/// bound: even empty content encrypts to a 104-byte container.
pub const MIN_UPLOADED_CONTENT_LEN: usize = 1;
pub const MAX_UPLOADED_CONTENT_LEN: usize = 10 * 1024 * 1024;

/// The largest content whose cipher JSON the Backbone still accepts: 7 864 242 bytes. The
/// runtime only checks its own 10 MiB of plaintext, so official uploads between the two
/// fail at the Backbone; checking this bound first spares that round trip.
pub const MAX_PLAINTEXT_LEN: usize = max_plaintext_len(MAX_UPLOADED_CONTENT_LEN);

/// The Poly1305 tag appended to every ciphertext.
const TAG_LEN: usize = 16;

/// Everything of `{"cph":"…","alg":3,"nnc":"…","@type":"CryptoCipher"}` but the ciphertext.
const CIPHER_JSON_OVERHEAD: usize = r#"{"cph":""#.len()
    + r#"","alg":3,"nnc":""#.len()
    + b64url_len(NONCE_LEN)
    + r#"","@type":"CryptoCipher"}"#.len();

/// How many bytes are uploaded for `plaintext_len` bytes of content.
pub const fn uploaded_content_len(plaintext_len: usize) -> usize {
    CIPHER_JSON_OVERHEAD + b64url_len(plaintext_len + TAG_LEN)
}

/// Unpadded base64 writes `ceil(4n / 3)` characters.
const fn b64url_len(bytes: usize) -> usize {
    (4 * bytes).div_ceil(3)
}

/// The inverse of [`uploaded_content_len`]: `ceil(4m / 3) <= l` exactly when `m <= 3l / 4`.
const fn max_plaintext_len(max_uploaded: usize) -> usize {
    (max_uploaded - CIPHER_JSON_OVERHEAD) * 3 / 4 - TAG_LEN
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::CipherContainer;
    use crate::crypto::tests::{nonce, token_key};

    fn real_len(plaintext_len: usize) -> usize {
        let plaintext = vec![0x5a; plaintext_len];
        CipherContainer::encrypt(&plaintext, &token_key(), nonce())
            .to_json()
            .len()
    }

    #[test]
    fn the_formula_is_the_real_container_length() {
        assert_eq!(CIPHER_JSON_OVERHEAD, 82);
        for plaintext_len in 0..64 {
            assert_eq!(
                uploaded_content_len(plaintext_len),
                real_len(plaintext_len),
                "{plaintext_len}"
            );
        }
        assert_eq!(uploaded_content_len(0), 104);
        assert_eq!(uploaded_content_len(4), 109);
    }

    /// The real container at the limit is built once, in `upload`'s test of `seal`; here the
    /// formula, checked above for every remainder of the base64 grouping, is enough.
    #[test]
    fn the_largest_plaintext_fills_the_backbone_limit_exactly() {
        assert_eq!(MAX_PLAINTEXT_LEN, 7_864_242);
        assert_eq!(
            uploaded_content_len(MAX_PLAINTEXT_LEN),
            MAX_UPLOADED_CONTENT_LEN
        );
        assert!(uploaded_content_len(MAX_PLAINTEXT_LEN + 1) > MAX_UPLOADED_CONTENT_LEN);
        assert!(uploaded_content_len(0) >= MIN_UPLOADED_CONTENT_LEN);
    }
}
