//! Rules several use cases share, with the runtime's messages.

use chrono::{DateTime, Utc};
use domain::date::parse_iso8601;

/// A request the runtime's rules refuse; `message` is exactly the reference's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    pub message: String,
}

impl ValidationError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// `expiresAt` read and in the future.
pub(crate) fn future_expiry(
    text: &str,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, ValidationError> {
    let instant = parse_iso8601(text)
        .map_err(|_| ValidationError::new("expiresAt must match ISO8601 datetime format"))?;
    if instant <= now {
        return Err(ValidationError::new("'expiresAt' must be in the future"));
    }
    Ok(instant)
}
