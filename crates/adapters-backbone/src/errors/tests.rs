//! The status → variant table, `Retry-After` and date parsing, one case per row.

use std::time::Duration;

use chrono::TimeZone;
use serde_json::json;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0)
        .single()
        .expect("a real date")
}

fn answer(status: u16, body: &str) -> Answer {
    Answer {
        status,
        retry_after: None,
        body: body.as_bytes().to_vec(),
        elapsed: Duration::from_secs(3),
    }
}

fn envelope(code: &str, message: &str) -> String {
    json!({"error": {"id": "ERR1", "code": code, "message": message, "docs": "", "time": "2030-01-01T12:00:00.000Z"}})
        .to_string()
}

#[test]
fn a_400_envelope_is_a_rejection_with_code_and_message() {
    let body = envelope(
        "error.platform.validation.invalidPropertyValue",
        "'expiresAt' must be in the future.",
    );
    let error = from_status(&answer(400, &body), now());
    assert!(
        matches!(&error, BackboneError::Rejected { code, message }
            if code == "error.platform.validation.invalidPropertyValue" && message == "'expiresAt' must be in the future."),
        "{error:?}"
    );
}

#[test]
fn other_4xx_envelopes_are_rejections_and_bare_4xx_are_unexpected() {
    let error = from_status(
        &answer(403, &envelope("error.platform.forbidden", "no")),
        now(),
    );
    assert!(
        matches!(&error, BackboneError::Rejected { code, .. } if code == "error.platform.forbidden"),
        "{error:?}"
    );
    let error = from_status(&answer(400, "not json"), now());
    assert!(
        matches!(error, BackboneError::UnexpectedResponse { status: 400, .. }),
        "{error:?}"
    );
    let error = from_status(&answer(413, ""), now());
    assert!(
        matches!(error, BackboneError::UnexpectedResponse { status: 413, .. }),
        "{error:?}"
    );
}

#[test]
fn a_401_is_unexpected() {
    let error = from_status(&answer(401, ""), now());
    assert!(
        matches!(error, BackboneError::UnexpectedResponse { status: 401, .. }),
        "{error:?}"
    );
}

#[test]
fn a_429_is_quota_exhausted_with_retry_after_seconds() {
    let mut answer = answer(
        429,
        &envelope("error.platform.quotaExhausted", "quota used up"),
    );
    answer.retry_after = Some("30".to_owned());
    let error = from_status(&answer, now());
    assert!(
        matches!(&error, BackboneError::QuotaExhausted { message, retry_after: Some(d) }
            if message == "quota used up" && *d == Duration::from_secs(30)),
        "{error:?}"
    );
}

#[test]
fn a_bare_429_is_quota_exhausted_without_retry_after() {
    let error = from_status(&answer(429, ""), now());
    assert!(
        matches!(
            error,
            BackboneError::QuotaExhausted {
                retry_after: None,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn retry_after_reads_an_http_date() {
    assert_eq!(
        retry_after(Some("Tue, 01 Jan 2030 12:01:30 GMT"), None, now()),
        Some(Duration::from_secs(90))
    );
    assert_eq!(
        retry_after(Some("Tue, 01 Jan 2030 11:00:00 GMT"), None, now()),
        Some(Duration::ZERO)
    );
    assert_eq!(
        retry_after(Some(" 7 "), None, now()),
        Some(Duration::from_secs(7))
    );
    assert_eq!(retry_after(Some("soon"), None, now()), None);
    assert_eq!(retry_after(None, None, now()), None);
}

#[test]
fn retry_after_falls_back_to_the_latest_exhausted_metric() {
    let data = json!([
        {"metricKey": "NumberOfTokens", "isExhaustedUntil": "2030-01-01T12:00:10.1234567Z"},
        {"metricKey": "NumberOfFiles", "isExhaustedUntil": "2030-01-01T12:01:00Z"},
    ]);
    assert_eq!(
        retry_after(None, Some(&data), now()),
        Some(Duration::from_secs(60))
    );
    assert_eq!(
        retry_after(Some("5"), Some(&data), now()),
        Some(Duration::from_secs(5)),
        "the header wins"
    );
    assert_eq!(
        retry_after(None, Some(&json!({"unrelated": true})), now()),
        None
    );

    let body =
        json!({"error": {"code": "error.platform.quotaExhausted", "message": "m", "data": data}})
            .to_string();
    let error = from_status(&answer(429, &body), now());
    assert!(
        matches!(error, BackboneError::QuotaExhausted { retry_after: Some(d), .. } if d == Duration::from_secs(60))
    );
}

#[test]
fn a_500_envelope_keeps_its_code() {
    let error = from_status(
        &answer(
            500,
            &envelope("error.platform.unexpected", "An unexpected error occurred."),
        ),
        now(),
    );
    assert!(
        matches!(&error, BackboneError::ServerError { status: 500, code: Some(code) } if code == "error.platform.unexpected"),
        "{error:?}"
    );
    let error = from_status(&answer(500, "<html>oops</html>"), now());
    assert!(
        matches!(
            error,
            BackboneError::ServerError {
                status: 500,
                code: None
            }
        ),
        "{error:?}"
    );
}

#[test]
fn gateway_answers_follow_what_they_say_about_the_request() {
    let error = from_status(&answer(503, ""), now());
    assert!(
        matches!(error, BackboneError::Unavailable { .. }),
        "{error:?}"
    );
    let error = from_status(
        &answer(503, &envelope("error.platform.unavailable", "down")),
        now(),
    );
    assert!(
        matches!(error, BackboneError::Unavailable { .. }),
        "{error:?}"
    );
    let error = from_status(&answer(502, ""), now());
    assert!(
        matches!(
            error,
            BackboneError::ServerError {
                status: 502,
                code: None
            }
        ),
        "{error:?}"
    );
    let error = from_status(&answer(504, ""), now());
    assert!(
        matches!(error, BackboneError::Timeout(d) if d == Duration::from_secs(3)),
        "{error:?}"
    );
}

#[test]
fn unexpected_statuses_are_unexpected() {
    for status in [200, 204, 302] {
        let error = from_status(&answer(status, ""), now());
        assert!(
            matches!(error, BackboneError::UnexpectedResponse { status: s, .. } if s == status),
            "{error:?}"
        );
    }
}

#[test]
fn login_refusals_are_authentication_failures_with_the_oauth_error() {
    let body = r#"{"error":"invalid_grant","error_description":"invalid_username_or_password"}"#;
    let error = from_login_status(&answer(400, body), now());
    assert!(
        matches!(&error, BackboneError::AuthenticationFailed { detail } if detail == "invalid_grant: invalid_username_or_password"),
        "{error:?}"
    );
    let error = from_login_status(&answer(401, r#"{"error":"invalid_client"}"#), now());
    assert!(
        matches!(&error, BackboneError::AuthenticationFailed { detail } if detail == "invalid_client"),
        "{error:?}"
    );
    let error = from_login_status(&answer(401, ""), now());
    assert!(
        matches!(error, BackboneError::AuthenticationFailed { .. }),
        "{error:?}"
    );
    let error = from_login_status(&answer(503, ""), now());
    assert!(
        matches!(error, BackboneError::Unavailable { .. }),
        "{error:?}"
    );
}

#[test]
fn created_tokens_are_read_whatever_the_fraction_digits() {
    for (created_at, expected) in [
        ("2030-01-01T12:00:00.123Z", "2030-01-01T12:00:00.123Z"),
        ("2030-01-01T12:00:00.1234567Z", "2030-01-01T12:00:00.123Z"),
        ("2030-01-01T12:00:00Z", "2030-01-01T12:00:00.000Z"),
        ("2030-01-01T12:00:00.5", "2030-01-01T12:00:00.500Z"),
        ("2030-01-01T14:00:00.1+02:00", "2030-01-01T12:00:00.100Z"),
    ] {
        let body = json!({"result": {"id": "TOKAAAAAAAAAAAAAAAAA", "createdAt": created_at, "createdBy": null}});
        let created = created_token(201, body.to_string().as_bytes()).expect(created_at);
        assert_eq!(created.id.as_str(), "TOKAAAAAAAAAAAAAAAAA");
        assert_eq!(
            domain::date::format_date(created.created_at),
            expected,
            "{created_at}"
        );
    }
}

#[test]
fn unreadable_created_answers_are_unexpected() {
    for body in [
        "".to_owned(),
        "{}".to_owned(),
        json!({"result": {"id": "NOTATOKEN", "createdAt": "2030-01-01T12:00:00Z"}}).to_string(),
        json!({"result": {"id": "TOKAAAAAAAAAAAAAAAAA", "createdAt": "yesterday"}}).to_string(),
    ] {
        let error = created_token(201, body.as_bytes()).expect_err(&body);
        assert!(
            matches!(error, BackboneError::UnexpectedResponse { status: 201, .. }),
            "{body}: {error:?}"
        );
    }
}

#[test]
fn server_text_is_cut_short() {
    let long = "x".repeat(5000);
    let error = from_status(&answer(400, &envelope("code", &long)), now());
    let BackboneError::Rejected { message, .. } = error else {
        panic!("{error:?}")
    };
    assert!(message.chars().count() <= MAX_DETAIL_CHARS + 1);
}

#[test]
fn duplicates_are_equal_in_kind_and_content() {
    let original = BackboneError::AuthenticationFailed {
        detail: "invalid_grant".to_owned(),
    };
    assert_eq!(duplicate(&original).to_string(), original.to_string());
    let original = BackboneError::QuotaExhausted {
        message: "m".to_owned(),
        retry_after: Some(Duration::from_secs(1)),
    };
    assert!(matches!(
        duplicate(&original),
        BackboneError::QuotaExhausted {
            retry_after: Some(_),
            ..
        }
    ));
}
