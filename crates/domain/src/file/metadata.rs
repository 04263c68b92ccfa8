//! A File's metadata: what the Backbone holds encrypted as `encryptedProperties`, and the
//! only place the content key travels.
//!
//! Written byte for byte as ts-serval serialises the runtime's `FileMetadata` (files.md §1.4),
//! because peers decrypt and parse exactly these bytes; read as leniently as the runtime
//! reads a peer's (`read`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::hash::FileHash;
use crate::crypto::{CipherContainer, CryptoError, NONCE_LEN, SecretKey};
use crate::date::format_date;
use crate::encoding::from_b64url;

mod read;

const METADATA_TYPE: &str = "FileMetadata";

/// What the uploader tells every reader of a File. `Debug` hides the content key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMetadata {
    pub title: Option<String>,
    pub description: Option<String>,
    pub filename: String,
    /// Absent and empty are different JSON, so both are kept.
    pub tags: Option<Vec<String>>,
    /// SHA-512 of the content; a download is checked against it after decryption.
    pub plaintext_hash: FileHash,
    /// The key the content is encrypted with (`secretKey` in the JSON, the runtime's
    /// `cipherKey`). Not the File's own key, which encrypts this metadata.
    pub content_key: SecretKey,
    /// Content length in bytes.
    pub filesize: u64,
    /// When the content was last modified; the runtime's upload never sets it.
    pub filemodified: Option<DateTime<Utc>>,
    pub mimetype: String,
}

/// Why `encryptedProperties` do not yield a File's metadata.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    #[error("the file's encryptedProperties are not unpadded base64url text")]
    NotBase64,
    #[error("the file's encryptedProperties do not hold a CryptoCipher container")]
    Container(#[source] CryptoError),
    #[error(
        "the file's metadata cannot be decrypted with this key: the reference or token carries another key, or the metadata was altered"
    )]
    WrongKey,
    #[error("the decrypted file metadata is not a JSON object")]
    NotAnObject,
    #[error("the file metadata has no '{0}'")]
    MissingField(&'static str),
    #[error("the file metadata's '{field}' is not {expected}")]
    InvalidField {
        field: &'static str,
        expected: &'static str,
    },
}

impl FileMetadata {
    /// The ts-serval JSON: `@type` first, the other keys sorted, absent optionals omitted
    /// (never `null`), the key nested as `{"key","alg"}`, non-ASCII written raw.
    pub fn to_json(&self) -> String {
        let mut fields: BTreeMap<&str, Value> = BTreeMap::new();
        fields.insert("@type", METADATA_TYPE.into());
        fields.insert("filename", self.filename.as_str().into());
        fields.insert("filesize", self.filesize.into());
        fields.insert("mimetype", self.mimetype.as_str().into());
        fields.insert("plaintextHash", self.plaintext_hash.to_b64url().into());
        fields.insert("secretKey", key_json(&self.content_key));
        let optional = [
            ("title", self.title.as_deref().map(Value::from)),
            ("description", self.description.as_deref().map(Value::from)),
            ("tags", self.tags.as_deref().map(Value::from)),
            (
                "filemodified",
                self.filemodified.map(|d| format_date(d).into()),
            ),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                fields.insert(name, value);
            }
        }
        // ASCII keys: byte order is JavaScript's UTF-16 sort order, and '@' sorts first.
        serde_json::to_string(&fields)
            .unwrap_or_else(|_| unreachable!("strings and numbers always serialise"))
    }

    /// Reads metadata JSON as the runtime reads a peer's: `@type` and unknown keys are
    /// ignored, `null` counts as absent.
    ///
    /// # Errors
    /// [`MetadataError::NotAnObject`], [`MetadataError::MissingField`] or
    /// [`MetadataError::InvalidField`], naming the field but never its value (it may be a key).
    pub fn from_json(json: &[u8]) -> Result<Self, MetadataError> {
        read::from_json(json)
    }

    /// Encrypts the JSON under the File's metadata key with a fresh `nonce`; the Backbone's
    /// `encryptedProperties` is the container's `to_backbone_content()`.
    pub fn encrypt(&self, metadata_key: &SecretKey, nonce: [u8; NONCE_LEN]) -> CipherContainer {
        CipherContainer::encrypt(self.to_json().as_bytes(), metadata_key, nonce)
    }

    /// Decrypts and reads the Backbone's `encryptedProperties` with the File's metadata key
    /// (the key of its reference or token).
    ///
    /// # Errors
    /// [`MetadataError::WrongKey`] when the key does not open it, other variants when the text,
    /// container or JSON is malformed.
    pub fn decrypt(
        encrypted_properties: &str,
        metadata_key: &SecretKey,
    ) -> Result<Self, MetadataError> {
        let container_json =
            from_b64url(encrypted_properties).map_err(|_| MetadataError::NotBase64)?;
        let container =
            CipherContainer::from_json(&container_json).map_err(MetadataError::Container)?;
        let json = container
            .decrypt(metadata_key)
            .map_err(|_| MetadataError::WrongKey)?;
        Self::from_json(&json)
    }
}

fn key_json(key: &SecretKey) -> Value {
    serde_json::to_value(key).unwrap_or_else(|_| unreachable!("a key always serialises"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::tests::{file_key, nonce, token_key};

    pub(super) fn minimal() -> FileMetadata {
        FileMetadata {
            title: None,
            description: None,
            filename: "a.txt".into(),
            tags: None,
            plaintext_hash: FileHash::of(b"a"),
            content_key: token_key(),
            filesize: 1,
            filemodified: None,
            mimetype: "text/plain".into(),
        }
    }

    #[test]
    fn control_characters_and_quotes_are_escaped_as_json_stringify_does() {
        let metadata = FileMetadata {
            title: Some("a\"b\\c\n\u{1}\u{7f}\u{2028}é".into()),
            ..minimal()
        };
        let expected = concat!(r#""title":"a\"b\\c\n\u0001"#, "\u{7f}\u{2028}é\"}");
        let json = metadata.to_json();
        assert!(json.ends_with(expected), "{json}");
    }

    #[test]
    fn empty_tags_and_empty_strings_are_written_not_dropped() {
        let metadata = FileMetadata {
            description: Some(String::new()),
            tags: Some(Vec::new()),
            ..minimal()
        };
        let json = metadata.to_json();
        assert!(json.contains(r#""description":"","#), "{json}");
        assert!(json.ends_with(r#","tags":[]}"#), "{json}");
        assert_eq!(FileMetadata::from_json(json.as_bytes()), Ok(metadata));
    }

    #[test]
    fn decryption_tells_a_wrong_key_from_malformed_properties() {
        let properties = minimal()
            .encrypt(&file_key(), nonce())
            .to_backbone_content();
        assert_eq!(
            FileMetadata::decrypt(&properties, &file_key()),
            Ok(minimal())
        );
        assert_eq!(
            FileMetadata::decrypt(&properties, &token_key()),
            Err(MetadataError::WrongKey)
        );
        assert_eq!(
            FileMetadata::decrypt(&format!("{properties}="), &file_key()),
            Err(MetadataError::NotBase64)
        );
        assert_eq!(
            FileMetadata::decrypt("eyJhIjoxfQ", &file_key()),
            Err(MetadataError::Container(CryptoError::MalformedContainer))
        );
        let not_metadata = CipherContainer::encrypt(b"[1]", &file_key(), nonce());
        assert_eq!(
            FileMetadata::decrypt(&not_metadata.to_backbone_content(), &file_key()),
            Err(MetadataError::NotAnObject)
        );
    }

    #[test]
    fn debug_never_shows_the_content_key() {
        let debug = format!("{:?}", minimal());
        assert!(!debug.contains(&token_key().to_b64url()), "{debug}");
    }
}
