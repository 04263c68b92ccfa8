//! Ed25519 signatures and their wire form (`CryptoSignature`).

use crate::encoding::b64url;

/// `CryptoHashAlgorithm.SHA512` of `@nmshd/crypto`: the runtime's `CoreCrypto.sign` labels every
/// signature with it. A label only; it does not change the bytes, and the Backbone ignores it.
const HASH_ALGORITHM_SHA512: u8 = 2;

/// A 64-byte Ed25519 signature.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Signature([u8; 64]);

impl Signature {
    pub fn from_bytes(bytes: [u8; 64]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }

    /// The runtime's verbose `CryptoSignature` JSON,
    /// `{"sig":"<b64url-nopad>","alg":2,"@type":"CryptoSignature"}`, in its `toJSON` key order.
    pub fn to_json(&self) -> String {
        format!(
            r#"{{"sig":"{}","alg":{HASH_ALGORITHM_SHA512},"@type":"CryptoSignature"}}"#,
            b64url(self.0)
        )
    }

    /// base64url-nopad of [`Self::to_json`]: `signedChallenge.signature` of
    /// `POST /api/v2/Identities` (and the runtime's `CryptoSignature.toBase64()` everywhere).
    pub fn to_b64url(&self) -> String {
        b64url(self.to_json())
    }
}
