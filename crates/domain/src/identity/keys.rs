//! Ed25519 key pairs and the public key's wire form (`CryptoSignaturePublicKey`).

use std::fmt;

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::{CryptoRng, RngCore};

use super::signature::Signature;
use crate::encoding::b64url;

/// `CryptoSignatureAlgorithm.ECDSA_ED25519` of `@nmshd/crypto`, the `alg` of every key here.
const ALGORITHM_ED25519: u8 = 3;

/// An Ed25519 key pair, as libsodium's `crypto_sign_seed_keypair` builds it from a 32-byte seed.
///
/// The secret is zeroed on drop, and `Debug` shows only the public key, so a key pair can sit
/// in structs that get logged.
#[derive(Clone)]
pub struct SigningKeyPair(SigningKey);

impl SigningKeyPair {
    /// The key pair of `seed` (RFC 8032's private key; libsodium's secret key is seed ‖ public
    /// key, so the seed alone restores it).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(SigningKey::from_bytes(&seed))
    }

    /// A fresh key pair from the caller's cryptographic random source.
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        Self(SigningKey::generate(rng))
    }

    /// The 32-byte seed, the whole secret. Only for writing the key to encrypted storage and
    /// reading it back with [`Self::from_seed`]; never log or transmit it.
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    pub fn public_key(&self) -> SignaturePublicKey {
        SignaturePublicKey(self.0.verifying_key().to_bytes())
    }

    /// Pure Ed25519 (RFC 8032, no pre-hash) over `message`: the bytes libsodium's
    /// `crypto_sign_detached` gives, which the Backbone verifies. Deterministic.
    pub fn sign(&self, message: &[u8]) -> Signature {
        use ed25519_dalek::Signer as _;
        Signature::from_bytes(self.0.sign(message).to_bytes())
    }
}

impl fmt::Debug for SigningKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyPair")
            .field("public_key", &b64url(self.public_key().0))
            .finish_non_exhaustive()
    }
}

/// A raw 32-byte Ed25519 public key. Any 32 bytes are accepted here: the Backbone checks only
/// the length, and [`Self::verify`] refuses keys that are not valid points.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SignaturePublicKey([u8; 32]);

impl SignaturePublicKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The runtime's `CryptoSignaturePublicKey` JSON:
    /// `{"pub":"<b64url-nopad>","alg":3,"@type":"CryptoSignaturePublicKey"}` when `verbose`,
    /// without `@type` otherwise. The key order is the runtime's own `toJSON` order (not
    /// sorted); it matters because the Backbone stores these bytes verbatim.
    pub fn to_json(&self, verbose: bool) -> String {
        let typed = if verbose {
            r#","@type":"CryptoSignaturePublicKey""#
        } else {
            ""
        };
        format!(
            r#"{{"pub":"{}","alg":{ALGORITHM_ED25519}{typed}}}"#,
            b64url(self.0)
        )
    }

    /// base64url-nopad of [`Self::to_json`]: verbose is `identityPublicKey` of
    /// `POST /api/v2/Identities`, non-verbose is the Connector's `GetIdentityInfo.publicKey`.
    pub fn to_b64url(&self, verbose: bool) -> String {
        b64url(self.to_json(verbose))
    }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    ///
    /// Strict verification (no small-order keys or `R`, canonical `S`), close to libsodium's
    /// `crypto_sign_verify_detached` that the Backbone's NSec uses; signatures from a real key
    /// pass either way. A key that is not a curve point verifies nothing.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(&self.0) else {
            return false;
        };
        let signature = ed25519_dalek::Signature::from_bytes(signature.as_bytes());
        key.verify_strict(message, &signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn a_seed_restores_the_same_key_pair() {
        let generated = SigningKeyPair::generate(&mut StdRng::seed_from_u64(7));
        let restored = SigningKeyPair::from_seed(generated.seed());
        assert_eq!(restored.public_key(), generated.public_key());
        assert_eq!(restored.sign(b"m"), generated.sign(b"m"));
    }

    #[test]
    fn debug_shows_the_public_key_but_not_the_seed() {
        let pair = SigningKeyPair::from_seed([0x42; 32]);
        let debug = format!("{pair:?}");
        assert!(
            debug.contains(&b64url(pair.public_key().as_bytes())),
            "{debug}"
        );
        assert!(!debug.contains(&b64url(pair.seed())), "{debug}");
        assert!(!debug.contains("66, 66"), "{debug}");
    }

    #[test]
    fn signatures_verify_only_for_their_key_and_message() {
        let pair = SigningKeyPair::from_seed([1; 32]);
        let other = SigningKeyPair::from_seed([2; 32]);
        let signature = pair.sign(b"message");
        assert!(pair.public_key().verify(b"message", &signature));
        assert!(!pair.public_key().verify(b"messagE", &signature));
        assert!(!other.public_key().verify(b"message", &signature));
        assert!(
            !pair
                .public_key()
                .verify(b"message", &Signature::from_bytes([0; 64]))
        );
    }
}
