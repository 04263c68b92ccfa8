//! Secret keys and the `CryptoCipher` container: XChaCha20-Poly1305 exactly as `@nmshd/crypto`
//! (libsodium's `crypto_aead_xchacha20poly1305_ietf_encrypt`, empty associated data).

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use crate::encoding::{b64url, from_b64url, push_b64url};

/// The only algorithm enmeshed uses for symmetric keys: XChaCha20-Poly1305.
pub const ALGORITHM_XCHACHA20_POLY1305: u8 = 3;
pub const SECRET_KEY_LEN: usize = 32;
pub const NONCE_LEN: usize = 24;

/// Why a secret key or cipher container could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("a secret key must be 32 bytes written as 43 characters of unpadded base64url")]
    MalformedKey,
    #[error("unsupported encryption algorithm {0}; only 3 (XChaCha20-Poly1305) is supported")]
    UnsupportedAlgorithm(u8),
    #[error("the cipher container is not valid JSON of the CryptoCipher shape")]
    MalformedContainer,
    #[error("decryption failed: wrong key or tampered ciphertext")]
    Decryption,
}

/// A 32-byte XChaCha20-Poly1305 key. `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; SECRET_KEY_LEN]);

impl SecretKey {
    pub fn from_bytes(bytes: [u8; SECRET_KEY_LEN]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; SECRET_KEY_LEN] {
        &self.0
    }

    /// The key as 43 characters of unpadded base64url.
    pub fn to_b64url(&self) -> String {
        b64url(self.0)
    }

    /// Reads the 43-character unpadded base64url form (receivers reject a padded key too).
    ///
    /// # Errors
    /// [`CryptoError::MalformedKey`] for any other text.
    pub fn from_b64url(text: &str) -> Result<Self, CryptoError> {
        let bytes = from_b64url(text).map_err(|_| CryptoError::MalformedKey)?;
        bytes
            .try_into()
            .map(Self)
            .map_err(|_| CryptoError::MalformedKey)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// The non-verbose JSON form nested in token content: `{"key":"…","alg":3}`, in that order.
#[derive(Serialize, Deserialize)]
struct SecretKeyJson {
    key: String,
    alg: u8,
}

impl Serialize for SecretKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SecretKeyJson {
            key: self.to_b64url(),
            alg: ALGORITHM_XCHACHA20_POLY1305,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SecretKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = SecretKeyJson::deserialize(deserializer)?;
        if json.alg != ALGORITHM_XCHACHA20_POLY1305 {
            return Err(serde::de::Error::custom(CryptoError::UnsupportedAlgorithm(
                json.alg,
            )));
        }
        Self::from_b64url(&json.key).map_err(serde::de::Error::custom)
    }
}

/// An encrypted payload as enmeshed serialises it:
/// `{"cph":"…","alg":3,"nnc":"…","@type":"CryptoCipher"}` (keys in exactly this order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherContainer {
    /// Ciphertext followed by the 16-byte Poly1305 tag.
    pub ciphertext: Vec<u8>,
    pub nonce: [u8; NONCE_LEN],
}

#[derive(Serialize, Deserialize)]
struct CipherContainerJson {
    cph: String,
    alg: u8,
    nnc: String,
    #[serde(rename = "@type")]
    kind: String,
}

const CIPHER_TYPE: &str = "CryptoCipher";

impl CipherContainer {
    /// Encrypts `plaintext` under `key` with the caller's fresh random `nonce`.
    pub fn encrypt(plaintext: &[u8], key: &SecretKey, nonce: [u8; NONCE_LEN]) -> Self {
        let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
        // Encryption with a valid key and an in-memory buffer cannot fail.
        let ciphertext = cipher
            .encrypt(XNonce::from_slice(&nonce), plaintext)
            .unwrap_or_else(|_| unreachable!("XChaCha20-Poly1305 encryption is infallible"));
        Self { ciphertext, nonce }
    }

    /// Decrypts with `key`, verifying the tag.
    ///
    /// # Errors
    /// [`CryptoError::Decryption`] for a wrong key or tampered data.
    pub fn decrypt(&self, key: &SecretKey) -> Result<Vec<u8>, CryptoError> {
        let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
        cipher
            .decrypt(XNonce::from_slice(&self.nonce), self.ciphertext.as_slice())
            .map_err(|_| CryptoError::Decryption)
    }

    /// The container's JSON text.
    ///
    /// Written directly rather than through serde_json: base64url needs no escaping, and a
    /// serialiser would first build the base64 text and then copy it into the JSON, for a
    /// File's content two buffers of up to 10 MiB where one suffices.
    pub fn to_json(&self) -> String {
        const BEFORE_CIPHERTEXT: &str = r#"{"cph":""#;
        const BEFORE_NONCE: &str = r#"","alg":3,"nnc":""#;
        const AFTER_NONCE: &str = r#"","@type":"CryptoCipher"}"#;
        let mut json = String::with_capacity(
            BEFORE_CIPHERTEXT.len()
                + (4 * self.ciphertext.len()).div_ceil(3)
                + BEFORE_NONCE.len()
                + (4 * NONCE_LEN).div_ceil(3)
                + AFTER_NONCE.len(),
        );
        json.push_str(BEFORE_CIPHERTEXT);
        push_b64url(&self.ciphertext, &mut json);
        json.push_str(BEFORE_NONCE);
        push_b64url(self.nonce, &mut json);
        json.push_str(AFTER_NONCE);
        json
    }

    /// The Backbone's `content` field: base64url of the container JSON.
    pub fn to_backbone_content(&self) -> String {
        b64url(self.to_json())
    }

    /// Reads the container JSON.
    ///
    /// # Errors
    /// [`CryptoError::MalformedContainer`] or [`CryptoError::UnsupportedAlgorithm`].
    pub fn from_json(text: &[u8]) -> Result<Self, CryptoError> {
        let json: CipherContainerJson =
            serde_json::from_slice(text).map_err(|_| CryptoError::MalformedContainer)?;
        if json.alg != ALGORITHM_XCHACHA20_POLY1305 {
            return Err(CryptoError::UnsupportedAlgorithm(json.alg));
        }
        if json.kind != CIPHER_TYPE {
            return Err(CryptoError::MalformedContainer);
        }
        let ciphertext = from_b64url(&json.cph).map_err(|_| CryptoError::MalformedContainer)?;
        let nonce = from_b64url(&json.nnc)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or(CryptoError::MalformedContainer)?;
        Ok(Self { ciphertext, nonce })
    }

    /// Reads the Backbone's `content` field (base64url of the container JSON).
    ///
    /// # Errors
    /// As [`CipherContainer::from_json`].
    pub fn from_backbone_content(content: &str) -> Result<Self, CryptoError> {
        let json = from_b64url(content).map_err(|_| CryptoError::MalformedContainer)?;
        Self::from_json(&json)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The test vector inputs of `token-format.md`.
    pub fn token_key() -> SecretKey {
        SecretKey::from_bytes(std::array::from_fn(|i| i as u8))
    }
    pub fn file_key() -> SecretKey {
        SecretKey::from_bytes(std::array::from_fn(|i| 0x20 + i as u8))
    }
    pub fn nonce() -> [u8; NONCE_LEN] {
        std::array::from_fn(|i| 100 + i as u8)
    }

    #[test]
    fn the_written_json_is_what_serde_writes_and_reads_back() {
        for len in 0..8 {
            let container = CipherContainer::encrypt(&vec![7; len], &file_key(), nonce());
            let serde = serde_json::to_string(&CipherContainerJson {
                cph: b64url(&container.ciphertext),
                alg: ALGORITHM_XCHACHA20_POLY1305,
                nnc: b64url(container.nonce),
                kind: CIPHER_TYPE.to_owned(),
            })
            .unwrap();
            let json = container.to_json();
            assert_eq!(json, serde);
            assert_eq!(json.capacity(), json.len(), "sized exactly");
            assert_eq!(CipherContainer::from_json(json.as_bytes()), Ok(container));
        }
    }

    #[test]
    fn secret_key_json_matches_the_vector() {
        assert_eq!(
            serde_json::to_string(&token_key()).unwrap(),
            r#"{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8","alg":3}"#
        );
    }

    #[test]
    fn secret_keys_must_be_unpadded_and_32_bytes() {
        let text = token_key().to_b64url();
        assert_eq!(SecretKey::from_b64url(&text), Ok(token_key()));
        assert_eq!(
            SecretKey::from_b64url(&format!("{text}=")),
            Err(CryptoError::MalformedKey)
        );
        assert_eq!(
            SecretKey::from_b64url("AAEC"),
            Err(CryptoError::MalformedKey)
        );
        assert!(
            serde_json::from_str::<SecretKey>(
                r#"{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8","alg":1}"#
            )
            .is_err()
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        assert_eq!(format!("{:?}", token_key()), "SecretKey(<redacted>)");
    }

    #[test]
    fn containers_round_trip_and_detect_tampering() {
        let container = CipherContainer::encrypt(b"hello", &token_key(), nonce());
        let parsed =
            CipherContainer::from_backbone_content(&container.to_backbone_content()).unwrap();
        assert_eq!(parsed.decrypt(&token_key()).unwrap(), b"hello");
        assert_eq!(parsed.decrypt(&file_key()), Err(CryptoError::Decryption));
    }
}
