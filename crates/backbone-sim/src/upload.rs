//! Judging a `POST /api/v2/Files` form the way the Backbone does, once its parts are read:
//! ASP.NET's form binding of `CreateFileDTO` (`inputCannotBeParsed`), the controller's
//! `CreateFileDTOValidator`, `Base64Helper.Decode`, then the `CreateFileCommand` validator,
//! each stage's first failure deciding (spec files.md §2.1).
//!
//! Binding follows ASP.NET's rules: part names match ignoring case, the first part of a name
//! wins, `content` must be a file part (one with a non-empty `filename`), the text fields are
//! non-nullable strings (so missing, empty or blank ones are "required"), `expiresAt` is a
//! `DateTime` (missing means `default`, which only the command validator refuses) and `owner`
//! is not bound at all: the owner is always the caller. Model-state errors are reported in
//! the order ASP.NET keeps them, by key length and then alphabetically, which makes the order
//! `Content`, `ExpiresAt`, `CipherHash`, `OwnerSignature`, `EncryptedProperties`.

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::encoding::from_b64_backbone;
use crate::envelope::ApiError;
use crate::state::files::{MAX_FILE_CONTENT_BYTES, NewFile};
use crate::validation::{check_byte_count, parse_date};

/// The command validator's own bounds (the DTO validator's 10 MiB for content comes first).
const MAX_CIPHER_HASH_BYTES: usize = 128;
const MAX_OWNER_SIGNATURE_BYTES: usize = 512;
const MAX_ENCRYPTED_PROPERTIES_BYTES: usize = 1024 * 1024;

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPart {
    pub name: String,
    /// The `filename` of its `Content-Disposition`, if any.
    pub file_name: Option<String>,
    pub data: Bytes,
}

impl FormPart {
    /// ASP.NET files a part under `Form.Files` only with a non-empty file name; others are
    /// form values.
    fn is_file(&self) -> bool {
        self.file_name
            .as_deref()
            .is_some_and(|name| !name.is_empty())
    }
}

/// `expiresAt` after binding: `DateTime` is a value type, so a missing field is no binding
/// error but `default(DateTime)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiresAt {
    Default,
    Given(DateTime<Utc>),
}

/// `CreateFileDTO` after binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadForm {
    pub content: Bytes,
    pub cipher_hash: String,
    pub owner_signature: String,
    pub encrypted_properties: String,
    pub expires_at: ExpiresAt,
}

/// Binds the parts to `CreateFileDTO`.
///
/// # Errors
/// `inputCannotBeParsed` naming the first field ASP.NET would complain about: a missing file
/// part, a missing or blank text field, an `expiresAt` that is no date.
pub fn bind(parts: &[FormPart]) -> Result<UploadForm, ApiError> {
    let value = |name: &str| -> Option<Vec<&FormPart>> {
        let values: Vec<&FormPart> = parts
            .iter()
            .filter(|part| !part.is_file() && part.name.eq_ignore_ascii_case(name))
            .collect();
        (!values.is_empty()).then_some(values)
    };
    let text = |part: &FormPart| String::from_utf8_lossy(&part.data).into_owned();
    let required = |name: &str| -> Result<String, ApiError> {
        value(name)
            .map(|values| text(values[0]))
            .filter(|value| !value.trim().is_empty())
            .ok_or_else(|| {
                ApiError::cannot_be_parsed(format!("'{name}': The {name} field is required."))
            })
    };
    let content = parts
        .iter()
        .find(|part| part.is_file() && part.name.eq_ignore_ascii_case("content"))
        .map(|part| part.data.clone())
        .ok_or_else(|| ApiError::cannot_be_parsed("'Content': The Content field is required."))?;
    let expires_at = match value("expiresAt") {
        None => ExpiresAt::Default,
        Some(values) => {
            // The attempted value in the message is every value, comma-separated.
            let attempted: Vec<String> = values.iter().map(|part| text(part)).collect();
            let attempted = attempted.join(",");
            let first = text(values[0]);
            if first.trim().is_empty() {
                return Err(ApiError::cannot_be_parsed(format!(
                    "'ExpiresAt': The value '{attempted}' is invalid."
                )));
            }
            ExpiresAt::Given(parse_date(&first).ok_or_else(|| {
                ApiError::cannot_be_parsed(format!(
                    "'ExpiresAt': The value '{attempted}' is not valid for ExpiresAt."
                ))
            })?)
        }
    };
    Ok(UploadForm {
        cipher_hash: required("CipherHash")?,
        owner_signature: required("OwnerSignature")?,
        encrypted_properties: required("EncryptedProperties")?,
        content,
        expires_at,
    })
}

/// The controller's validator, the decoding of the three byte fields, and the command's
/// validator, in that order.
///
/// # Errors
/// 400 `InclusiveBetweenValidator` for content outside 1 byte … 10 MiB; 500
/// `error.platform.unexpected` for a byte field that is base64 in neither alphabet (the
/// Backbone's `Convert.FromBase64String` throws, uncaught); 400 `invalidPropertyValue` with the
/// message of the first command rule that fails.
pub fn validate(form: UploadForm, now: DateTime<Utc>) -> Result<NewFile, ApiError> {
    let length = form.content.len();
    if !(1..=MAX_FILE_CONTENT_BYTES).contains(&length) {
        return Err(ApiError::bad_request(
            "InclusiveBetweenValidator",
            format!(
                "'Content Length' must be between 1 and {MAX_FILE_CONTENT_BYTES}. You entered \
                 {length}."
            ),
        ));
    }
    let decode = |text: &str| from_b64_backbone(text).map_err(|_| ApiError::unexpected());
    let cipher_hash = decode(&form.cipher_hash)?;
    let owner_signature = decode(&form.owner_signature)?;
    let encrypted_properties = decode(&form.encrypted_properties)?;

    check_byte_count("cipherHash", cipher_hash.len(), 1, MAX_CIPHER_HASH_BYTES)?;
    let expires_at = match form.expires_at {
        ExpiresAt::Default => {
            return Err(ApiError::invalid_property("'expiresAt' must not be empty."));
        }
        ExpiresAt::Given(date) if date <= now => {
            return Err(ApiError::invalid_property(
                "'expiresAt' must be in the future.",
            ));
        }
        ExpiresAt::Given(date) => date,
    };
    check_byte_count(
        "ownerSignature",
        owner_signature.len(),
        1,
        MAX_OWNER_SIGNATURE_BYTES,
    )?;
    check_byte_count(
        "encryptedProperties",
        encrypted_properties.len(),
        0,
        MAX_ENCRYPTED_PROPERTIES_BYTES,
    )?;
    Ok(NewFile {
        content: form.content,
        cipher_hash,
        owner_signature,
        encrypted_properties,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::envelope::{
        CODE_INPUT_CANNOT_BE_PARSED, CODE_INVALID_PROPERTY_VALUE, CODE_UNEXPECTED,
    };

    fn text(name: &str, value: &str) -> FormPart {
        FormPart {
            name: name.to_owned(),
            file_name: None,
            data: Bytes::copy_from_slice(value.as_bytes()),
        }
    }

    fn file(name: &str, data: &[u8]) -> FormPart {
        FormPart {
            name: name.to_owned(),
            file_name: Some("cipher.bin".to_owned()),
            data: Bytes::copy_from_slice(data),
        }
    }

    /// What the Backbone's own integration tests upload.
    fn valid_parts() -> Vec<FormPart> {
        vec![
            file("content", b"content"),
            text("owner", "did:e:localhost:dids:0123456789abcdef012345"),
            text("ownerSignature", "AAAA"),
            text("cipherHash", "AAAA"),
            text("expiresAt", "2099-12-31T00:00:00.000Z"),
            text("encryptedProperties", "AAAA"),
        ]
    }

    fn without(name: &str) -> Vec<FormPart> {
        valid_parts()
            .into_iter()
            .filter(|part| part.name != name)
            .collect()
    }

    fn replaced(name: &str, part: FormPart) -> Vec<FormPart> {
        let mut parts = without(name);
        parts.push(part);
        parts
    }

    fn binding_message(parts: &[FormPart]) -> String {
        let error = bind(parts).expect_err("binding fails");
        assert_eq!(error.code, CODE_INPUT_CANNOT_BE_PARSED);
        error.message
    }

    fn judged(parts: &[FormPart]) -> Result<NewFile, ApiError> {
        validate(bind(parts).expect("binds"), Utc::now())
    }

    #[test]
    fn the_backbones_own_test_upload_is_accepted() {
        let new = judged(&valid_parts()).expect("valid");
        assert_eq!(new.content, Bytes::from_static(b"content"));
        assert_eq!(new.cipher_hash, vec![0, 0, 0]);
        assert_eq!(new.expires_at.to_rfc3339(), "2099-12-31T00:00:00+00:00");
    }

    #[test]
    fn names_match_ignoring_case_and_the_owner_part_is_not_needed() {
        let parts: Vec<FormPart> = without("owner")
            .into_iter()
            .map(|mut part| {
                part.name = part.name.to_uppercase();
                part
            })
            .collect();
        assert!(judged(&parts).is_ok());
    }

    #[test]
    fn missing_fields_are_reported_in_model_state_order() {
        assert_eq!(
            binding_message(&[text("expiresAt", "x")]),
            "'Content': The Content field is required."
        );
        assert_eq!(
            binding_message(&replaced("content", text("content", "not a file"))),
            "'Content': The Content field is required.",
            "a part without a file name is a form value, not a file"
        );
        assert_eq!(
            binding_message(&[file("content", b"x"), text("expiresAt", "soon")]),
            "'ExpiresAt': The value 'soon' is not valid for ExpiresAt."
        );
        assert_eq!(
            binding_message(&replaced("expiresAt", text("expiresAt", ""))),
            "'ExpiresAt': The value '' is invalid."
        );
        assert_eq!(
            binding_message(&[file("content", b"x")]),
            "'CipherHash': The CipherHash field is required."
        );
        assert_eq!(
            binding_message(&replaced("ownerSignature", text("ownerSignature", "  "))),
            "'OwnerSignature': The OwnerSignature field is required."
        );
        assert_eq!(
            binding_message(&without("encryptedProperties")),
            "'EncryptedProperties': The EncryptedProperties field is required."
        );
        assert_eq!(
            binding_message(&replaced("cipherHash", file("cipherHash", b"AAAA"))),
            "'CipherHash': The CipherHash field is required.",
            "a file part is no form value"
        );
    }

    #[test]
    fn content_must_hold_one_byte_to_ten_mebibytes() {
        let error = judged(&replaced("content", file("content", b""))).expect_err("empty");
        assert_eq!(
            (error.code, error.message.as_str()),
            (
                "InclusiveBetweenValidator",
                "'Content Length' must be between 1 and 10485760. You entered 0."
            )
        );
        let largest = vec![b'x'; MAX_FILE_CONTENT_BYTES];
        assert!(judged(&replaced("content", file("content", &largest))).is_ok());
        let too_large = vec![b'x'; MAX_FILE_CONTENT_BYTES + 1];
        let error = judged(&replaced("content", file("content", &too_large))).expect_err("large");
        assert_eq!(
            error.message,
            "'Content Length' must be between 1 and 10485760. You entered 10485761."
        );
    }

    #[test]
    fn byte_fields_take_both_base64_alphabets_and_fail_with_a_500_otherwise() {
        let lenient = replaced("cipherHash", text("cipherHash", "-__-AQ"));
        assert_eq!(
            judged(&lenient).expect("url-safe").cipher_hash,
            [0xfb, 0xff, 0xfe, 1]
        );
        let standard = replaced("cipherHash", text("cipherHash", "+//+AQ=="));
        assert_eq!(
            judged(&standard).expect("standard").cipher_hash,
            [0xfb, 0xff, 0xfe, 1]
        );
        let error = judged(&replaced(
            "ownerSignature",
            text("ownerSignature", "not base64!"),
        ))
        .expect_err("refused");
        assert_eq!(error.code, CODE_UNEXPECTED);
        assert_eq!(error.status.as_u16(), 500);
    }

    #[test]
    fn command_rules_apply_in_order() {
        let message = |parts: Vec<FormPart>| {
            let error = judged(&parts).expect_err("refused");
            assert_eq!(error.code, CODE_INVALID_PROPERTY_VALUE);
            error.message
        };
        let long = crate::encoding::b64url([7; 129]);
        let mut parts = replaced("cipherHash", text("cipherHash", &long));
        parts.retain(|part| part.name != "expiresAt");
        assert_eq!(
            message(parts),
            "'cipherHash' must be between 1 and 128 bytes long. You entered 129 bytes."
        );
        assert_eq!(
            message(without("expiresAt")),
            "'expiresAt' must not be empty."
        );
        let past = (Utc::now() - Duration::seconds(1)).to_rfc3339();
        let mut parts = replaced("expiresAt", text("expiresAt", &past));
        parts.retain(|part| part.name != "ownerSignature");
        parts.push(text("ownerSignature", &crate::encoding::b64url([0; 513])));
        assert_eq!(message(parts), "'expiresAt' must be in the future.");
        assert_eq!(
            message(replaced(
                "ownerSignature",
                text("ownerSignature", &crate::encoding::b64url([0; 513]))
            )),
            "'ownerSignature' must be between 1 and 512 bytes long. You entered 513 bytes."
        );
        assert_eq!(
            message(replaced(
                "encryptedProperties",
                text(
                    "encryptedProperties",
                    &crate::encoding::b64url(vec![0; MAX_ENCRYPTED_PROPERTIES_BYTES + 1])
                )
            )),
            "'encryptedProperties' must be between 0 and 1048576 bytes long. You entered 1048577 bytes."
        );
    }

    #[test]
    fn the_first_part_of_a_name_wins() {
        let mut parts = valid_parts();
        parts.push(text("cipherHash", "AQID"));
        parts.push(file("content", b"second"));
        let new = judged(&parts).expect("valid");
        assert_eq!(new.cipher_hash, vec![0, 0, 0]);
        assert_eq!(new.content, Bytes::from_static(b"content"));
    }
}
