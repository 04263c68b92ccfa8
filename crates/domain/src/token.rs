//! Tokens: encrypted content held by the Backbone that a peer opens by reference: a pointer to
//! a File ([`TokenContentFile`]) or any other JSON object ([`TokenContent::Other`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::crypto::{CipherContainer, NONCE_LEN, SecretKey};
use crate::ids::{DeviceId, FileId, IdentityAddress, TokenId};
use crate::password::PasswordProtection;
use crate::reference::{ReferencePassword, TokenReference};

/// What a token for a file carries: the File's id and the key of its metadata.
/// Serialises as `{"@type":"TokenContentFile","fileId":"…","secretKey":{"key":"…","alg":3}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "@type", rename = "TokenContentFile", rename_all = "camelCase")]
pub struct TokenContentFile {
    pub file_id: FileId,
    pub secret_key: SecretKey,
}

impl TokenContentFile {
    /// The plaintext that gets encrypted: compact JSON, `@type` first, other keys sorted.
    pub fn to_plaintext(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_else(|_| unreachable!("token content always serialises"))
    }

    /// Encrypts the content under the token's `key` with a fresh `nonce`.
    pub fn encrypt(&self, key: &SecretKey, nonce: [u8; NONCE_LEN]) -> CipherContainer {
        CipherContainer::encrypt(&self.to_plaintext(), key, nonce)
    }

    /// Opens a token's `content` as the Backbone holds it (b64url of the cipher JSON) with the
    /// reference's `key`.
    ///
    /// # Errors
    /// [`TokenContentError::Unreadable`] when it does not open with `key`,
    /// [`TokenContentError::NotAFile`] when what it holds is no `TokenContentFile` (another
    /// content type, e.g. a relationship template).
    pub fn decrypt(content: &str, key: &SecretKey) -> Result<Self, TokenContentError> {
        let plaintext = CipherContainer::from_backbone_content(content)
            .and_then(|container| container.decrypt(key))
            .map_err(TokenContentError::Unreadable)?;
        serde_json::from_slice(&plaintext).map_err(|_| TokenContentError::NotAFile)
    }
}

/// Why a token's content is not a File's.
#[derive(Debug, thiserror::Error)]
pub enum TokenContentError {
    #[error("the token's content does not open with the reference's key")]
    Unreadable(#[source] crate::crypto::CryptoError),
    #[error("the token's content is not a TokenContentFile")]
    NotAFile,
    #[error("the token's content is not a JSON object")]
    NotAnObject,
}

/// What a token carries. The transport writes any content as the compact JSON of its
/// serialisation (object keys in their given order) and reads it back by `@type`: a
/// `TokenContentFile` is typed, every other object is kept as it is (the transport's
/// `JSONWrapper`). A content that is no JSON object is refused: the transport would turn it
/// into another value (`"x"` into `{"0":"x"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenContent {
    File(TokenContentFile),
    Other(serde_json::Map<String, serde_json::Value>),
}

impl TokenContent {
    /// The `@type` of a [`TokenContentFile`].
    pub const FILE_TYPE: &'static str = "TokenContentFile";

    /// Reads a JSON value as token content: an object whose `@type` is `TokenContentFile` must
    /// be one.
    ///
    /// # Errors
    /// [`TokenContentError::NotAnObject`], or [`TokenContentError::NotAFile`] for an object
    /// typed `TokenContentFile` that is no valid one.
    pub fn from_json(value: serde_json::Value) -> Result<Self, TokenContentError> {
        let serde_json::Value::Object(object) = value else {
            return Err(TokenContentError::NotAnObject);
        };
        if object.get("@type").and_then(serde_json::Value::as_str) == Some(Self::FILE_TYPE) {
            return serde_json::from_value(serde_json::Value::Object(object))
                .map(Self::File)
                .map_err(|_| TokenContentError::NotAFile);
        }
        Ok(Self::Other(object))
    }

    /// The content as JSON (what the DTO shows and the store keeps).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::File(file) => serde_json::to_value(file)
                .unwrap_or_else(|_| unreachable!("token content always serialises")),
            Self::Other(object) => serde_json::Value::Object(object.clone()),
        }
    }

    /// The plaintext that gets encrypted: compact JSON.
    pub fn to_plaintext(&self) -> Vec<u8> {
        match self {
            Self::File(file) => file.to_plaintext(),
            Self::Other(object) => serde_json::to_vec(object)
                .unwrap_or_else(|_| unreachable!("JSON always serialises")),
        }
    }

    /// Encrypts the content under the token's `key` with a fresh `nonce`.
    pub fn encrypt(&self, key: &SecretKey, nonce: [u8; NONCE_LEN]) -> CipherContainer {
        CipherContainer::encrypt(&self.to_plaintext(), key, nonce)
    }

    /// Opens a token's `content` as the Backbone holds it with the reference's `key`.
    ///
    /// # Errors
    /// [`TokenContentError::Unreadable`] when it does not open with `key` or is no JSON, else
    /// as [`TokenContent::from_json`].
    pub fn decrypt(content: &str, key: &SecretKey) -> Result<Self, TokenContentError> {
        let plaintext = CipherContainer::from_backbone_content(content)
            .and_then(|container| container.decrypt(key))
            .map_err(TokenContentError::Unreadable)?;
        let value: serde_json::Value =
            serde_json::from_slice(&plaintext).map_err(|_| TokenContentError::NotAnObject)?;
        Self::from_json(value)
    }

    /// The File pointer, when this is one.
    pub fn as_file(&self) -> Option<&TokenContentFile> {
        match self {
            Self::File(file) => Some(file),
            Self::Other(_) => None,
        }
    }
}

impl From<TokenContentFile> for TokenContent {
    fn from(file: TokenContentFile) -> Self {
        Self::File(file)
    }
}

/// A token this service created on the Backbone (own) or loaded from a peer's reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub id: TokenId,
    /// Created by this service; `false` for a peer's token loaded by reference.
    pub is_own: bool,
    pub created_by: IdentityAddress,
    pub created_by_device: DeviceId,
    pub content: TokenContent,
    /// When the Backbone created it, to the millisecond.
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub for_identity: Option<IdentityAddress>,
    pub password_protection: Option<PasswordProtection>,
    /// The key the content is encrypted with; a reference hands it to the peer.
    pub secret_key: SecretKey,
}

impl Token {
    /// The reference a peer opens this token with, pointing at `backbone_base_url`.
    pub fn reference(&self, backbone_base_url: &str) -> TokenReference {
        TokenReference {
            id: self.id.clone(),
            backbone_base_url: Some(backbone_base_url.to_owned()),
            key: self.secret_key.clone(),
            for_identity_last_four: self.for_identity.as_ref().map(|a| a.last_four().to_owned()),
            password: self
                .password_protection
                .as_ref()
                .map(ReferencePassword::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::tests::{file_key, nonce, token_key};

    fn content() -> TokenContentFile {
        TokenContentFile {
            file_id: FileId::parse("FILAAAAAAAAAAAAAAAAA").unwrap(),
            secret_key: file_key(),
        }
    }

    #[test]
    fn a_content_opens_back_into_the_file_it_names_and_nothing_else_does() {
        let content = TokenContentFile {
            file_id: FileId::parse("FILAAAAAAAAAAAAAAAAA").unwrap(),
            secret_key: SecretKey::from_bytes([7; 32]),
        };
        let key = SecretKey::from_bytes([1; 32]);
        let sealed = content.encrypt(&key, [2; NONCE_LEN]).to_backbone_content();
        assert_eq!(TokenContentFile::decrypt(&sealed, &key).unwrap(), content);
        assert!(matches!(
            TokenContentFile::decrypt(&sealed, &SecretKey::from_bytes([3; 32])),
            Err(TokenContentError::Unreadable(_))
        ));
        let other =
            CipherContainer::encrypt(br#"{"@type":"RelationshipTemplate"}"#, &key, [2; NONCE_LEN])
                .to_backbone_content();
        assert!(matches!(
            TokenContentFile::decrypt(&other, &key),
            Err(TokenContentError::NotAFile)
        ));
    }

    #[test]
    fn other_content_is_kept_as_given_and_file_content_is_typed() {
        let key = SecretKey::from_bytes([1; 32]);
        let text = r#"{"z":1,"aKey":"aValue","nested":{"b":[1,"x",null],"a":true}}"#;
        let content = TokenContent::from_json(serde_json::from_str(text).unwrap()).unwrap();
        assert!(content.as_file().is_none());
        // The transport's JSON.stringify: compact, keys in their given order.
        assert_eq!(String::from_utf8(content.to_plaintext()).unwrap(), text);
        let sealed = content.encrypt(&key, [2; NONCE_LEN]).to_backbone_content();
        assert_eq!(TokenContent::decrypt(&sealed, &key).unwrap(), content);

        let file = TokenContent::from_json(TokenContent::File(self::content()).to_json()).unwrap();
        assert_eq!(file.as_file(), Some(&self::content()));
        assert_eq!(file.to_plaintext(), self::content().to_plaintext());
    }

    #[test]
    fn content_that_is_no_object_or_a_broken_file_pointer_is_refused() {
        for value in [
            serde_json::json!("x"),
            serde_json::json!(5),
            serde_json::json!([1]),
            serde_json::json!(null),
        ] {
            assert!(matches!(
                TokenContent::from_json(value),
                Err(TokenContentError::NotAnObject)
            ));
        }
        assert!(matches!(
            TokenContent::from_json(serde_json::json!({"@type": "TokenContentFile", "fileId": 1})),
            Err(TokenContentError::NotAFile)
        ));
        let key = SecretKey::from_bytes([1; 32]);
        let sealed =
            CipherContainer::encrypt(b"\"text\"", &key, [2; NONCE_LEN]).to_backbone_content();
        assert!(matches!(
            TokenContent::decrypt(&sealed, &key),
            Err(TokenContentError::NotAnObject)
        ));
    }

    #[test]
    fn plaintext_matches_the_vector() {
        let plaintext = content().to_plaintext();
        assert_eq!(
            String::from_utf8(plaintext.clone()).unwrap(),
            r#"{"@type":"TokenContentFile","fileId":"FILAAAAAAAAAAAAAAAAA","secretKey":{"key":"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8","alg":3}}"#
        );
        assert_eq!(plaintext.len(), 134);
    }

    #[test]
    fn container_and_backbone_content_match_the_vectors() {
        let container = content().encrypt(&token_key(), nonce());
        assert_eq!(
            container.to_json(),
            r#"{"cph":"B1G5xIZe7KC9EslQzQrTijTVJhSKWIzZ4DBGiwk4EXzOTydcFpSxjqZHJF0VF0kQL6SRXt7zdeeOTilk2fvbDyS2sK61F4YXlS_X8bTYtGm6rsRMx5qSl9s0yv6tw5PHAD6tAr1bmWtN5k8P32EAofckQETe2t1l_lUrxnkjQabuU4fwFLWETjXO-J_BfCYAJwp1xYye","alg":3,"nnc":"ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7","@type":"CryptoCipher"}"#
        );
        assert_eq!(
            container.to_backbone_content(),
            "eyJjcGgiOiJCMUc1eElaZTdLQzlFc2xRelFyVGlqVFZKaFNLV0l6WjREQkdpd2s0RVh6T1R5ZGNGcFN4anFaSEpGMFZGMGtRTDZTUlh0N3pkZWVPVGlsazJmdmJEeVMyc0s2MUY0WVhsU19YOGJUWXRHbTZyc1JNeDVxU2w5czB5djZ0dzVQSEFENnRBcjFibVd0TjVrOFAzMkVBb2Zja1FFVGUydDFsX2xVcnhua2pRYWJ1VTRmd0ZMV0VUalhPLUpfQmZDWUFKd3AxeFl5ZSIsImFsZyI6Mywibm5jIjoiWkdWbVoyaHBhbXRzYlc1dmNIRnljM1IxZG5kNGVYcDciLCJAdHlwZSI6IkNyeXB0b0NpcGhlciJ9"
        );
    }

    #[test]
    fn content_decrypts_back_to_the_file_pointer() {
        let container = content().encrypt(&token_key(), nonce());
        let plaintext = container.decrypt(&token_key()).unwrap();
        let decoded: TokenContentFile = serde_json::from_slice(&plaintext).unwrap();
        assert_eq!(decoded, content());
    }
}
