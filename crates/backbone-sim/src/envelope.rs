//! The Backbone's wire formats: the `{"result": …}` / `{"error": …}` envelopes, its error codes
//! and messages, its date renderings and its base64 dialects.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use rand::Rng;
use serde::Serialize;
use serde_json::{Value, json};

pub const CODE_RECORD_NOT_FOUND: &str = "error.platform.recordNotFound";
pub const CODE_INVALID_PROPERTY_VALUE: &str = "error.platform.validation.invalidPropertyValue";
pub const CODE_INPUT_CANNOT_BE_PARSED: &str = "error.platform.inputCannotBeParsed";
pub const CODE_TOKEN_LOCKED: &str = "error.platform.token.tooManyFailedPasswordAttempts";
pub const CODE_FORBIDDEN: &str = "error.platform.forbidden";
pub const CODE_UNEXPECTED: &str = "error.platform.unexpected";
pub const CODE_QUOTA_EXHAUSTED: &str = "error.platform.quotaExhausted";
pub const CODE_REQUEST_BODY_TOO_LARGE: &str = "error.platform.requestBodyTooLarge";
pub const CODE_INVALID_PAGE_SIZE: &str = "error.platform.validation.pagination.invalidPageSize";
pub const CODE_UNAUTHORIZED: &str = "error.platform.unauthorized";
pub const CODE_CANNOT_CLAIM_OWN_FILE: &str =
    "error.platform.validation.file.cannotClaimOwnershipOfOwnFile";

pub const MESSAGE_TOKEN_NOT_FOUND: &str = "Token not found. Make sure the ID exists and the record is not expired. If a password is required to fetch the record, make sure you passed the correct one.";
pub const MESSAGE_INVALID_ID: &str =
    "The ID or Address is not valid. Check length, prefix and the used characters.";

/// How the Backbone renders the `time` of an error. Two serializers write its errors: the
/// exception filter uses .NET's default (up to 7 fraction digits, trailing zeros trimmed), the
/// model-binding error factory goes through the API's own converter (always milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeStyle {
    DotNetDefault,
    Milliseconds,
}

/// An error the Backbone answers with its error envelope.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Boxed to keep `Result<_, ApiError>` small.
    pub data: Option<Box<Value>>,
    /// Sent as `Retry-After` (seconds) when set; only the injected 429 uses it.
    pub retry_after_secs: Option<u64>,
    time_style: TimeStyle,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            data: None,
            retry_after_secs: None,
            time_style: TimeStyle::DotNetDefault,
        }
    }

    pub fn token_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            CODE_RECORD_NOT_FOUND,
            MESSAGE_TOKEN_NOT_FOUND,
        )
    }

    /// The Backbone's `NotFoundException(recordName)`: 404 `recordNotFound`, naming the record
    /// (`"Record"` when no name is given).
    pub fn not_found(record: &str) -> Self {
        let record = if record.is_empty() { "Record" } else { record };
        Self::new(
            StatusCode::NOT_FOUND,
            CODE_RECORD_NOT_FOUND,
            format!(
                "{record} not found. Make sure the ID exists and the record is not expired. If a \
                 password is required to fetch the record, make sure you passed the correct one."
            ),
        )
    }

    /// `NotFoundException(nameof(File))`: unknown, expired and deleted files alike.
    pub fn file_not_found() -> Self {
        Self::not_found("File")
    }

    /// The Files module's `CannotClaimOwnershipOfOwnFile`.
    pub fn cannot_claim_own_file() -> Self {
        Self::bad_request(
            CODE_CANNOT_CLAIM_OWN_FILE,
            "You cannot claim the ownership of a file you already own.",
        )
    }

    /// An application error the Backbone answers with 400 (`OperationFailedException`,
    /// `ValidationException` and domain errors alike).
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// `error.platform.unauthorized` as a 400, which is how `POST /api/v2/Identities` refuses
    /// wrong client credentials (an `OperationFailedException`, not an authentication failure).
    pub fn unauthorized_client() -> Self {
        Self::bad_request(
            CODE_UNAUTHORIZED,
            "You have to authenticate in order to execute this action. Further make sure that \
             the auth token has not expired.",
        )
    }

    /// A FluentValidation failure: always `invalidPropertyValue`, message as written by the rule.
    pub fn invalid_property(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CODE_INVALID_PROPERTY_VALUE,
            message,
        )
    }

    /// The message `ValidId` writes for a malformed id or address in `property`.
    pub fn invalid_id(property: &str) -> Self {
        Self::invalid_property(format!("'{property}': {MESSAGE_INVALID_ID}"))
    }

    /// Model binding failed (malformed JSON, base64, date, number).
    pub fn cannot_be_parsed(message: impl Into<String>) -> Self {
        Self {
            time_style: TimeStyle::Milliseconds,
            ..Self::new(
                StatusCode::BAD_REQUEST,
                CODE_INPUT_CANNOT_BE_PARSED,
                message,
            )
        }
    }

    pub fn token_locked() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CODE_TOKEN_LOCKED,
            "Too many wrong password attempts, the token is locked.",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            CODE_FORBIDDEN,
            "You are not allowed to perform this action due to insufficient privileges.",
        )
    }

    pub fn unexpected() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            CODE_UNEXPECTED,
            "An unexpected error occurred.",
        )
    }

    pub fn body_too_large() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CODE_REQUEST_BODY_TOO_LARGE,
            "The request body is too large.",
        )
    }

    pub fn invalid_page_size(max: usize) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CODE_INVALID_PAGE_SIZE,
            format!("The given page size is too high. The maximum page size is {max}."),
        )
    }

    /// The 429 of the Backbone's quota enforcer: `data` lists the exhausted metrics.
    pub fn quota_exhausted(
        metric_key: &str,
        exhausted_until: DateTime<Utc>,
        retry_after_secs: Option<u64>,
    ) -> Self {
        Self {
            data: Some(Box::new(json!([{
                "metricKey": metric_key,
                "isExhaustedUntil": dotnet_time(exhausted_until),
            }]))),
            retry_after_secs,
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                CODE_QUOTA_EXHAUSTED,
                "You cannot to perform this action because one or more quotas are exhausted.",
            )
        }
    }

    /// The envelope body, with a fresh error id and the current wall-clock time.
    pub fn body(&self) -> Value {
        let now = Utc::now();
        let time = match self.time_style {
            TimeStyle::DotNetDefault => dotnet_time(now),
            TimeStyle::Milliseconds => format_date(now),
        };
        json!({
            "error": {
                "id": new_error_id(),
                "code": self.code,
                "message": self.message,
                "docs": "",
                "time": time,
                "data": self.data,
            }
        })
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(seconds) = self.retry_after_secs {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(seconds)));
        }
        response.json(self.body())
    }
}

/// `201`/`200` with `{"result": …}`.
pub fn result(status: StatusCode, result: impl Serialize) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "result": result }))
}

/// The Backbone's date format for results: `yyyy-MM-ddTHH:mm:ss.fffZ` (UTC, truncated to ms).
pub fn format_date(date: DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// .NET's default `DateTime` rendering: 100 ns precision with trailing zeros trimmed.
fn dotnet_time(date: DateTime<Utc>) -> String {
    let ticks = date.nanosecond() % 1_000_000_000 / 100;
    let base = date.format("%Y-%m-%dT%H:%M:%S");
    if ticks == 0 {
        return format!("{base}Z");
    }
    let fraction = format!("{ticks:07}");
    format!("{base}.{}Z", fraction.trim_end_matches('0'))
}

/// `ERR` + 17 characters of the Backbone's error-id alphabet (no I, O or 0).
fn new_error_id() -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ123456789";
    let mut rng = rand::thread_rng();
    let random: String = (0..17)
        .map(|_| char::from(CHARS[rng.gen_range(0..CHARS.len())]))
        .collect();
    format!("ERR{random}")
}

/// Decodes a byte array the way the Backbone's JSON converter does: URL-safe base64 (padding
/// optional) first, then standard base64 with padding.
pub fn decode_bytes(text: &str) -> Option<Vec<u8>> {
    crate::encoding::from_b64url(text.trim_end_matches('='))
        .ok()
        .or_else(|| crate::encoding::from_b64std(text).ok())
}

/// Decodes the `password` query parameter: the Backbone's binder takes standard base64; URL-safe
/// base64 is accepted as well so callers that send the JSON dialect are not turned away.
pub fn decode_query_bytes(text: &str) -> Option<Vec<u8>> {
    crate::encoding::from_b64std(text)
        .ok()
        .or_else(|| decode_bytes(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_are_rendered_in_the_backbone_formats() {
        let date = Utc
            .with_ymd_and_hms(2030, 1, 2, 3, 4, 5)
            .single()
            .expect("valid date")
            + chrono::Duration::nanoseconds(123_456_789);
        assert_eq!(format_date(date), "2030-01-02T03:04:05.123Z");
        assert_eq!(dotnet_time(date), "2030-01-02T03:04:05.1234567Z");
        let round = Utc
            .with_ymd_and_hms(2030, 1, 2, 3, 4, 5)
            .single()
            .expect("valid date");
        assert_eq!(format_date(round), "2030-01-02T03:04:05.000Z");
        assert_eq!(dotnet_time(round), "2030-01-02T03:04:05Z");
        assert_eq!(
            dotnet_time(round + chrono::Duration::milliseconds(500)),
            "2030-01-02T03:04:05.5Z"
        );
    }

    #[test]
    fn not_found_names_the_record_as_the_token_message_does() {
        assert_eq!(
            ApiError::not_found("Token").message,
            MESSAGE_TOKEN_NOT_FOUND
        );
        assert!(
            ApiError::not_found("")
                .message
                .starts_with("Record not found. Make sure")
        );
    }

    #[test]
    fn error_ids_use_the_backbone_alphabet() {
        let id = new_error_id();
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("ERR"));
        assert!(
            id[3..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'1'..=b'9').contains(&b))
        );
        assert!(!id[3..].contains(['I', 'O']));
    }

    #[test]
    fn byte_arrays_accept_both_base64_dialects() {
        let bytes = vec![0xfb, 0xff, 0xfe, 0x01];
        assert_eq!(decode_bytes("-__-AQ"), Some(bytes.clone()));
        assert_eq!(decode_bytes("-__-AQ=="), Some(bytes.clone()));
        assert_eq!(decode_bytes("+//+AQ=="), Some(bytes.clone()));
        assert_eq!(decode_bytes("not base64!"), None);
        assert_eq!(decode_query_bytes("+//+AQ=="), Some(bytes.clone()));
        assert_eq!(decode_query_bytes("-__-AQ"), Some(bytes));
    }
}
