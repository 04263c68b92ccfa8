//! `POST …/Files/Own`: the form's parts into the typed request, with the runtime schema's
//! messages in its order (content, filename, mimetype; then the optional fields).

use application::files::upload_own::UploadOwnFileRequest;
use domain::date::matches_iso8601;

use super::create_token_request::SchemaViolation;
use crate::http::multipart::Form;

/// The field the Connector's controller reads the file from.
pub const FILE_FIELD: &str = "file";

/// The typed request, or the schema's first complaint.
///
/// # Errors
/// A [`SchemaViolation`] with the runtime's message.
pub fn parse_upload_own_file_request(form: Form) -> Result<UploadOwnFileRequest, SchemaViolation> {
    let violation = |message: &str| SchemaViolation(message.to_owned());
    let single = |name: &str| -> Result<Option<String>, SchemaViolation> {
        match form.values(name).as_slice() {
            [] => Ok(None),
            [value] => Ok(Some((*value).to_owned())),
            // A repeated field arrives as an array, which a string field refuses.
            _ => Err(SchemaViolation(format!("{name} must be string"))),
        }
    };
    let expires_at = single("expiresAt")?;
    let title = single("title")?;
    let description = single("description")?;
    let tags: Vec<String> = form.values("tags").into_iter().map(str::to_owned).collect();
    let Some(file) = form.file else {
        return Err(violation("must have required property 'content'"));
    };
    let filename = file
        .filename
        .ok_or_else(|| violation("must have required property 'filename'"))?;
    let mimetype = file
        .media_type
        .ok_or_else(|| violation("must have required property 'mimetype'"))?;
    if let Some(text) = &expires_at
        && !matches_iso8601(text)
    {
        return Err(violation("expiresAt must match ISO8601 datetime format"));
    }
    // One `tags` field reaches the runtime as a string, not an array (the Connector's quirk).
    if tags.len() == 1 {
        return Err(violation("tags must be array"));
    }
    for (later, tag) in tags.iter().enumerate() {
        if let Some(earlier) = tags[..later].iter().position(|other| other == tag) {
            return Err(SchemaViolation(format!(
                "tags must NOT have duplicate items (items ## {later} and {earlier} are identical)"
            )));
        }
    }
    Ok(UploadOwnFileRequest {
        content: file.content,
        filename,
        mimetype,
        expires_at,
        title,
        description,
        tags,
        correlation_id: None,
    })
}
