//! Reading a `multipart/form-data` body (actix-multipart) into its parts, bounded as a whole:
//! the one file part with its filename and media type, and the text fields by name in order.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

use super::error::{ApiError, PAYLOAD_TOO_LARGE, VALIDATION};

/// A part that carried a filename.
#[derive(Debug, Default)]
pub struct FilePart {
    /// As sent (UTF-8; the Connector re-reads multer's latin1 as UTF-8, which is the same).
    pub filename: Option<String>,
    /// The part's own `Content-Type`.
    pub media_type: Option<String>,
    pub content: Bytes,
}

/// The parts of one form.
#[derive(Debug, Default)]
pub struct Form {
    /// The part named `file_field` (the first, as multer's `@FileParam` takes it).
    pub file: Option<FilePart>,
    /// Every other part as text, in order (a repeated name is repeated here).
    pub fields: Vec<(String, String)>,
}

impl Form {
    /// Every value of field `name`.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }
}

/// Reads at most `limit` bytes of form parts; the part named `file_field` is kept as bytes. A
/// body of another media type is a form without parts.
///
/// # Errors
/// 413 past the limit; 400 for a body that is no well-formed multipart form or a text field
/// that is not UTF-8.
pub async fn read_form(
    request: &HttpRequest,
    payload: web::Payload,
    file_field: &str,
    limit: usize,
) -> Result<Form, ApiError> {
    let mut form = Form::default();
    let is_form = request
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if !is_form {
        // The Connector reads a JSON (or any other) body as a form without parts; the schema
        // then names what is missing.
        return Ok(form);
    }
    // The declared length of the whole form (at most `limit`): the file part's buffer starts
    // that large, so up to 10 MiB of content is never copied while its buffer grows (doubling
    // would also hold both the old and the new buffer at once).
    let declared = request
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<usize>().ok())
        .unwrap_or_default()
        .min(limit);
    let mut multipart = actix_multipart::Multipart::new(request.headers(), payload);
    let mut read = 0usize;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(malformed)?;
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .content_disposition()
            .and_then(|disposition| disposition.get_filename())
            .map(str::to_owned);
        let media_type = field.content_type().map(ToString::to_string);
        let is_file = name == file_field && form.file.is_none();
        let mut content = BytesMut::with_capacity(if is_file {
            declared.saturating_sub(read)
        } else {
            0
        });
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(malformed)?;
            read += chunk.len();
            if read > limit {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    PAYLOAD_TOO_LARGE,
                    format!("The upload is larger than {limit} bytes."),
                ));
            }
            content.extend_from_slice(&chunk);
        }
        if is_file {
            form.file = Some(FilePart {
                filename,
                media_type,
                content: content.freeze(),
            });
        } else if name != file_field {
            let text = String::from_utf8(content.to_vec())
                .map_err(|_| ApiError::validation(format!("{name} must be string")))?;
            form.fields.push((name, text));
        }
    }
    Ok(form)
}

fn malformed(error: actix_multipart::MultipartError) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        VALIDATION,
        "The request body is not a readable multipart/form-data form.",
    )
    .with_cause(error.to_string())
}
