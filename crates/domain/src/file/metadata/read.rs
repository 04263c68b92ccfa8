//! Reading a peer's metadata JSON with the runtime's leniency (files.md §1.4): `@type` may be
//! missing or wrong, unknown keys are ignored; what is read must have the runtime's types.
//! `null` is taken as absent, one step more lenient than the runtime, harmless for a reader.
//!
//! Read field by field from a JSON value (not with a serde derive) so that an error names
//! the field and never echoes its value, which could be the content key.

use serde::Deserialize as _;
use serde_json::{Map, Value};

use super::{FileMetadata, MetadataError};
use crate::crypto::SecretKey;
use crate::date::parse_iso8601;
use crate::file::hash::FileHash;

const A_STRING: &str = "a string";

pub(super) fn from_json(json: &[u8]) -> Result<FileMetadata, MetadataError> {
    let Ok(Value::Object(fields)) = serde_json::from_slice(json) else {
        return Err(MetadataError::NotAnObject);
    };
    let fields = Fields(&fields);
    Ok(FileMetadata {
        title: fields.optional("title", A_STRING, string)?,
        description: fields.optional("description", A_STRING, string)?,
        filename: fields.required("filename", A_STRING, string)?,
        tags: fields.optional("tags", "an array of strings", tags)?,
        plaintext_hash: fields.required(
            "plaintextHash",
            "86 characters of unpadded base64url (a SHA-512 hash)",
            |value| FileHash::from_b64url(value.as_str()?).ok(),
        )?,
        content_key: fields.required(
            "secretKey",
            r#"a key {"key":"<43 characters of unpadded base64url>","alg":3}"#,
            |value| SecretKey::deserialize(value).ok(),
        )?,
        filesize: fields.required("filesize", "a whole number of bytes", Value::as_u64)?,
        filemodified: fields.optional("filemodified", "an ISO 8601 date-time", |value| {
            parse_iso8601(value.as_str()?).ok()
        })?,
        mimetype: fields.required("mimetype", A_STRING, string)?,
    })
}

fn string(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

fn tags(value: &Value) -> Option<Vec<String>> {
    value.as_array()?.iter().map(string).collect()
}

struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    fn optional<T>(
        &self,
        field: &'static str,
        expected: &'static str,
        read: impl FnOnce(&Value) -> Option<T>,
    ) -> Result<Option<T>, MetadataError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => read(value)
                .map(Some)
                .ok_or(MetadataError::InvalidField { field, expected }),
        }
    }

    fn required<T>(
        &self,
        field: &'static str,
        expected: &'static str,
        read: impl FnOnce(&Value) -> Option<T>,
    ) -> Result<T, MetadataError> {
        self.optional(field, expected, read)?
            .ok_or(MetadataError::MissingField(field))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::minimal;
    use super::*;

    fn with(edit: impl FnOnce(&mut Map<String, Value>)) -> Result<FileMetadata, MetadataError> {
        let Ok(Value::Object(mut fields)) = serde_json::from_str(&minimal().to_json()) else {
            unreachable!("metadata JSON is an object")
        };
        edit(&mut fields);
        from_json(&serde_json::to_vec(&fields).unwrap())
    }

    #[test]
    fn type_and_unknown_keys_are_ignored_and_null_is_absent() {
        let read = with(|fields| {
            fields.remove("@type");
            fields.insert("extra".into(), Value::Bool(true));
            fields.insert("title".into(), Value::Null);
        });
        assert_eq!(read, Ok(minimal()));
        let read = with(|fields| {
            fields.insert("@type".into(), "Something".into());
        });
        assert_eq!(read, Ok(minimal()));
    }

    #[test]
    fn wrong_types_name_the_field_but_not_the_value() {
        let key = minimal().content_key.to_b64url();
        let cases: Vec<(&str, Value, MetadataError)> = vec![
            (
                "filesize",
                "1".into(),
                invalid("filesize", "a whole number of bytes"),
            ),
            (
                "filesize",
                1.5.into(),
                invalid("filesize", "a whole number of bytes"),
            ),
            (
                "filename",
                Value::Null,
                MetadataError::MissingField("filename"),
            ),
            (
                "tags",
                "x:one".into(),
                invalid("tags", "an array of strings"),
            ),
            ("secretKey", key.clone().into(), key_error()),
            (
                "secretKey",
                serde_json::json!({"key": format!("{key}="), "alg": 3}),
                key_error(),
            ),
            (
                "secretKey",
                serde_json::json!({"key": key, "alg": 1}),
                key_error(),
            ),
            (
                "filemodified",
                "yesterday".into(),
                invalid("filemodified", "an ISO 8601 date-time"),
            ),
        ];
        for (field, value, expected) in cases {
            let error = with(|fields| {
                fields.insert(field.into(), value.clone());
            })
            .unwrap_err();
            assert_eq!(error, expected, "{field}: {value}");
            assert!(!error.to_string().contains(&key), "{error}");
        }
        assert_eq!(
            with(|fields| {
                fields.remove("mimetype");
            }),
            Err(MetadataError::MissingField("mimetype"))
        );
    }

    fn invalid(field: &'static str, expected: &'static str) -> MetadataError {
        MetadataError::InvalidField { field, expected }
    }

    fn key_error() -> MetadataError {
        invalid(
            "secretKey",
            r#"a key {"key":"<43 characters of unpadded base64url>","alg":3}"#,
        )
    }

    #[test]
    fn a_key_with_extra_members_is_read() {
        let read = with(|fields| {
            let key = minimal().content_key.to_b64url();
            let json = serde_json::json!({"key": key, "alg": 3, "@type": "CryptoSecretKey"});
            fields.insert("secretKey".into(), json);
        });
        assert_eq!(read, Ok(minimal()));
    }
}
