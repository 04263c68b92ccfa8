//! Translation of every Backbone answer and transport failure into a [`BackboneError`] variant.
//!
//! | answer                                                          | variant                                  |
//! |-----------------------------------------------------------------|------------------------------------------|
//! | connection not opened (refused, DNS, TLS, connect timeout)      | `Unavailable`                            |
//! | no complete answer within the request timeout                   | `Timeout(request timeout)`               |
//! | connection broke after sending, or while reading the answer     | `ConnectionLost`                         |
//! | `/connect/token` 400 or 401 (OAuth `error`)                     | `AuthenticationFailed`                   |
//! | 401 from any other route (after the one re-login)               | `UnexpectedResponse{401}`                |
//! | 429, any body                                                   | `QuotaExhausted{message, retry_after}`   |
//! | 400 (or other 4xx) with the error envelope                      | `Rejected{code, message}`                |
//! | 503, any body                                                   | `Unavailable`                            |
//! | 504, any body                                                   | `Timeout(elapsed)`                       |
//! | other 5xx                                                       | `ServerError{status, code if enveloped}` |
//! | 4xx without envelope, 201 with an unreadable body, other status | `UnexpectedResponse{status, detail}`     |
//!
//! 503 means the request was not handled (RFC 9110), so nothing was created: `Unavailable`,
//! whether a proxy or the Backbone wrote it. A 504 means a proxy stopped waiting for a Backbone
//! that did receive the request, so the token may exist: that is the contract of `Timeout`. A 502
//! stays a `ServerError`, although a proxy whose upstream connection broke mid-request could hide
//! a created token; proxies mostly answer 502 when they cannot reach the Backbone at all.
//!
//! Details never quote request bodies, credentials or tokens; strings the Backbone sent are cut
//! to [`MAX_DETAIL_CHARS`].

use std::time::Duration;

use application::ports::{BackboneError, CreatedBackboneToken};
use chrono::{DateTime, Utc};
use domain::TokenId;
use serde::Deserialize;

use crate::transport::Answer;
use crate::wire::{CreatedToken, ErrorEnvelope, ExhaustedMetric, OAuthError, Success};

/// Longest piece of server-provided text kept in an error.
pub(crate) const MAX_DETAIL_CHARS: usize = 300;

/// A request that got no HTTP answer. `timeout` is the limit that was applied.
pub(crate) fn from_transport(error: &reqwest::Error, timeout: Duration) -> BackboneError {
    let detail = short(&root_cause(error));
    if error.is_connect() || error.is_builder() {
        // Nothing left this process (a builder error is caught before any connection).
        BackboneError::Unavailable { detail }
    } else if error.is_timeout() {
        BackboneError::Timeout(timeout)
    } else {
        BackboneError::ConnectionLost { detail }
    }
}

/// A non-success answer of any Backbone route except `/connect/token`.
pub(crate) fn from_status(answer: &Answer, now: DateTime<Utc>) -> BackboneError {
    let envelope = serde_json::from_slice::<ErrorEnvelope>(&answer.body)
        .ok()
        .map(|e| e.error);
    match (answer.status, envelope) {
        (429, error) => {
            let retry_after = retry_after(answer.retry_after.as_deref(), error.as_ref().and_then(|e| e.data.as_ref()), now);
            let message = error.map_or_else(|| "HTTP 429 without a Backbone error".to_owned(), |e| short(&e.message));
            BackboneError::QuotaExhausted { message, retry_after }
        }
        (401, _) => BackboneError::UnexpectedResponse {
            status: 401,
            detail: "the Backbone refused the request's authorization".to_owned(),
        },
        (400..=499, Some(error)) => BackboneError::Rejected { code: short(&error.code), message: short(&error.message) },
        (503, error) => BackboneError::Unavailable {
            detail: match error {
                Some(error) => format!("HTTP 503 ({})", short(&error.code)),
                None => "HTTP 503 without a Backbone error: the Backbone or a proxy in front of it is not serving".to_owned(),
            },
        },
        (504, _) => BackboneError::Timeout(answer.elapsed),
        (status @ 500..=599, error) => BackboneError::ServerError { status, code: error.map(|e| short(&e.code)) },
        (status, error) => BackboneError::UnexpectedResponse {
            status,
            detail: match error {
                Some(error) => format!("unexpected status with Backbone error {}", short(&error.code)),
                None => "unexpected status without a Backbone error".to_owned(),
            },
        },
    }
}

/// A non-200 answer of `/connect/token`: 400 and 401 carry an OAuth error about our credentials.
/// The token route accepts anonymous callers, so a bearer the Backbone no longer honours
/// (expired or revoked before our cached expiry) is not a 401 but a request treated as
/// anonymous, which the Backbone refuses because anonymous tokens carry no content. Nothing was
/// created, so logging in again and retrying is safe.
pub(crate) fn bearer_was_ignored(answer: &Answer) -> bool {
    serde_json::from_slice::<ErrorEnvelope>(&answer.body).is_ok_and(|envelope| {
        envelope.error.code == ANONYMOUS_CONTENT_CODE
            && envelope.error.message == ANONYMOUS_CONTENT_MESSAGE
    })
}

const ANONYMOUS_CONTENT_CODE: &str = "error.platform.validation.invalidPropertyValue";
const ANONYMOUS_CONTENT_MESSAGE: &str = "'content' must be empty.";

pub(crate) fn from_login_status(answer: &Answer, now: DateTime<Utc>) -> BackboneError {
    if !matches!(answer.status, 400 | 401) {
        return from_status(answer, now);
    }
    let detail = match serde_json::from_slice::<OAuthError>(&answer.body) {
        Ok(OAuthError {
            error,
            error_description: Some(description),
        }) if !description.is_empty() => {
            format!("{error}: {description}")
        }
        Ok(OAuthError { error, .. }) => error,
        Err(_) => format!("HTTP {} without an OAuth error", answer.status),
    };
    BackboneError::AuthenticationFailed {
        detail: short(&detail),
    }
}

/// The 201 body of `POST /api/v2/Tokens`.
pub(crate) fn created_token(
    status: u16,
    body: &[u8],
) -> Result<CreatedBackboneToken, BackboneError> {
    let unexpected = |detail: String| BackboneError::UnexpectedResponse {
        status,
        detail: short(&detail),
    };
    let created: Success<CreatedToken> = serde_json::from_slice(body)
        .map_err(|e| unexpected(format!("the body is not a created token: {e}")))?;
    let id = TokenId::parse(&created.result.id).map_err(|e| unexpected(e.to_string()))?;
    let created_at = parse_date(&created.result.created_at)
        .map_err(|e| unexpected(format!("createdAt: {e}")))?;
    Ok(CreatedBackboneToken { id, created_at })
}

/// Reads a Backbone date leniently: any number of fraction digits, `Z`, an offset, or none (UTC).
pub(crate) fn parse_date(text: &str) -> Result<DateTime<Utc>, domain::date::DateError> {
    domain::date::parse_iso8601(text)
}

/// How long to wait before asking again: the `Retry-After` header (delay-seconds or HTTP date),
/// else the latest `isExhaustedUntil` of the 429's `error.data`.
pub(crate) fn retry_after(
    header: Option<&str>,
    data: Option<&serde_json::Value>,
    now: DateTime<Utc>,
) -> Option<Duration> {
    header
        .and_then(|value| retry_after_header(value, now))
        .or_else(|| data.and_then(|data| exhausted_until(data, now)))
}

fn retry_after_header(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    // IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) is a valid RFC 2822 date.
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    Some(until(date.with_timezone(&Utc), now))
}

fn exhausted_until(data: &serde_json::Value, now: DateTime<Utc>) -> Option<Duration> {
    let metrics = Vec::<ExhaustedMetric>::deserialize(data).ok()?;
    metrics
        .iter()
        .filter_map(|metric| metric.is_exhausted_until.as_deref())
        .filter_map(|text| parse_date(text).ok())
        .max()
        .map(|latest| until(latest, now))
}

fn until(instant: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (instant - now).to_std().unwrap_or(Duration::ZERO)
}

/// A copy of `error`, so that callers who waited for one shared login all receive its failure.
pub(crate) fn duplicate(error: &BackboneError) -> BackboneError {
    use BackboneError as E;
    match error {
        E::Rejected { code, message } => E::Rejected {
            code: code.clone(),
            message: message.clone(),
        },
        E::QuotaExhausted {
            message,
            retry_after,
        } => E::QuotaExhausted {
            message: message.clone(),
            retry_after: *retry_after,
        },
        E::ServerError { status, code } => E::ServerError {
            status: *status,
            code: code.clone(),
        },
        E::Unavailable { detail } => E::Unavailable {
            detail: detail.clone(),
        },
        E::Timeout(limit) => E::Timeout(*limit),
        E::ConnectionLost { detail } => E::ConnectionLost {
            detail: detail.clone(),
        },
        E::AuthenticationFailed { detail } => E::AuthenticationFailed {
            detail: detail.clone(),
        },
        E::UnexpectedResponse { status, detail } => E::UnexpectedResponse {
            status: *status,
            detail: detail.clone(),
        },
    }
}

/// The innermost cause ("Connection refused (os error 111)") says more than reqwest's wrapper.
fn root_cause(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

pub(crate) fn short(text: &str) -> String {
    match text.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests;
