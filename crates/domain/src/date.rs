//! Dates as enmeshed writes and reads them.
//!
//! Output is always `YYYY-MM-DDTHH:mm:ss.SSSZ` in UTC. Input is the runtime's
//! `ISO8601DateTimeString`: exactly the strings its regular expression accepts (calendar, week
//! and ordinal dates, optional time, optional offset; no offset means UTC), read from the same
//! expression's capture groups so the accepted language cannot drift from the reference.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, SecondsFormat, Utc, Weekday};
use fancy_regex::{Captures, Regex};

/// The reference's pattern (a JS regex), with `\d` written `[0-9]` because JS `\d` is ASCII-only.
pub const ISO8601_PATTERN: &str = r"^([+-]?[0-9]{4}(?![0-9]{2}\b))((-?)((0[1-9]|1[0-2])(\3([12][0-9]|0[1-9]|3[01]))?|W([0-4][0-9]|5[0-2])(-?[1-7])?|(00[1-9]|0[1-9][0-9]|[12][0-9]{2}|3([0-5][0-9]|6[1-6])))([T\s]((([01][0-9]|2[0-3])((:?)[0-5][0-9])?|24:?00)([.,][0-9]+(?!:))?)?(\17[0-5][0-9]([.,][0-9]+)?)?([zZ]|([+-])([01][0-9]|2[0-3]):?([0-5][0-9])?)?)?)?$";

static ISO8601: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(ISO8601_PATTERN)
        .unwrap_or_else(|e| unreachable!("the ISO 8601 pattern compiles: {e}"))
});

// Capture groups of ISO8601_PATTERN, numbered as in the expression.
const YEAR: usize = 1;
const MONTH: usize = 5;
const DAY: usize = 7;
const WEEK: usize = 8;
const WEEKDAY: usize = 9;
const ORDINAL: usize = 10;
const HOUR_AND_MINUTE: usize = 14;
const HOUR: usize = 15;
const MINUTE: usize = 16;
const HOUR_OR_MINUTE_FRACTION: usize = 18;
const SECOND: usize = 19;
const SECOND_FRACTION: usize = 20;
const OFFSET: usize = 21;
const OFFSET_SIGN: usize = 22;
const OFFSET_HOURS: usize = 23;
const OFFSET_MINUTES: usize = 24;

/// Why a string is not an enmeshed date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("'{0}' is not an ISO 8601 date-time")]
    NotIso8601(String),
    #[error(
        "'{0}' is ISO 8601 but names no real instant (e.g. day 31 of a 30-day month, or a fraction of a minute)"
    )]
    NotARealInstant(String),
}

/// Renders `YYYY-MM-DDTHH:mm:ss.SSSZ`, truncating below milliseconds.
pub fn format_date(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Cuts an instant to the millisecond precision enmeshed stores and compares.
pub fn truncate_to_millis(instant: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(instant.timestamp_millis()).unwrap_or(instant)
}

/// Whether `text` has the runtime's `ISO8601DateTimeString` shape (its schema check).
pub fn matches_iso8601(text: &str) -> bool {
    ISO8601.is_match(text).unwrap_or(false)
}

/// Reads any string the runtime's `ISO8601DateTimeString` pattern accepts. Fractions of a second
/// are truncated to milliseconds.
///
/// # Errors
/// [`DateError::NotIso8601`] when the pattern rejects the string; [`DateError::NotARealInstant`]
/// when it matches but names no instant (February 30th, a fractional hour or minute, which the
/// reference cannot read either).
pub fn parse_iso8601(text: &str) -> Result<DateTime<Utc>, DateError> {
    if let Some(instant) = parse_utc_seconds_form(text) {
        return Ok(instant);
    }
    parse_by_pattern(text)
}

/// The form every enmeshed component writes, `YYYY-MM-DDTHH:mm:ss[.f…]Z`, read without the
/// regular expression (the Backbone's `createdAt` of every token is one: the expression took 5 %
/// of the connector's CPU, this reader takes 0.2 %; docs/benchmarks.md).
/// `None` for any other string and for dates that do not exist, which then take the
/// expression's path. The ranges are the expression's, so every string read here it accepts
/// too, naming the same instant (tested against it).
fn parse_utc_seconds_form(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.strip_suffix('Z')?.as_bytes();
    let (head, fraction) = (bytes.get(..19)?, &bytes[19..]);
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, byte)| head[at] != byte) {
        return None;
    }
    let number = |at: usize, len: usize| {
        head[at..at + len].iter().try_fold(0_u32, |value, &byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u32::from(byte - b'0'))
        })
    };
    let (year, month, day) = (number(0, 4)?, number(5, 2)?, number(8, 2)?);
    let (hour, minute, second) = (number(11, 2)?, number(14, 2)?, number(17, 2)?);
    let in_pattern_ranges = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 59;
    if !in_pattern_ranges {
        return None;
    }
    let millis = match fraction {
        [] => 0,
        [b'.', digits @ ..] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
            fraction_to_millis(std::str::from_utf8(digits).ok()?)
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = NaiveTime::from_hms_milli_opt(hour, minute, second, millis)?;
    Some(date.and_time(time).and_utc())
}

/// Reads `text` through the reference's regular expression and its capture groups.
fn parse_by_pattern(text: &str) -> Result<DateTime<Utc>, DateError> {
    let captures = ISO8601
        .captures(text)
        .ok()
        .flatten()
        .ok_or_else(|| DateError::NotIso8601(text.to_owned()))?;
    instant_from(&captures).ok_or_else(|| DateError::NotARealInstant(text.to_owned()))
}

fn instant_from(c: &Captures<'_>) -> Option<DateTime<Utc>> {
    if c.get(HOUR_OR_MINUTE_FRACTION).is_some() {
        return None;
    }
    let date = date_from(c)?;
    let (time, next_day) = time_from(c)?;
    let local = date.and_time(time) + Duration::days(i64::from(next_day));
    let offset = offset_seconds(c)?;
    Some(local.and_utc() - Duration::seconds(offset))
}

fn number<T: std::str::FromStr>(c: &Captures<'_>, group: usize) -> Option<T> {
    c.get(group)
        .and_then(|m| m.as_str().trim_start_matches(['-', ':', '+']).parse().ok())
}

fn date_from(c: &Captures<'_>) -> Option<NaiveDate> {
    let year: i32 = c.get(YEAR)?.as_str().parse().ok()?;
    if let Some(week) = number::<u32>(c, WEEK) {
        let weekday = number::<u8>(c, WEEKDAY).unwrap_or(1);
        let weekday = Weekday::try_from(weekday.checked_sub(1)?).ok()?;
        return NaiveDate::from_isoywd_opt(year, week, weekday);
    }
    if let Some(ordinal) = number::<u32>(c, ORDINAL) {
        return NaiveDate::from_yo_opt(year, ordinal);
    }
    let month = number(c, MONTH).unwrap_or(1);
    let day = number(c, DAY).unwrap_or(1);
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The time of day, and whether it was `24:00` (the end of the day, i.e. the next midnight).
fn time_from(c: &Captures<'_>) -> Option<(NaiveTime, bool)> {
    let Some(hour_and_minute) = c.get(HOUR_AND_MINUTE) else {
        return Some((NaiveTime::MIN, false));
    };
    if c.get(HOUR).is_none() {
        // `24:00`, optionally with `:00` seconds.
        let seconds = c
            .get(SECOND)
            .map_or("00", |s| s.as_str().trim_start_matches(':'));
        let zero = seconds.bytes().all(|b| matches!(b, b'0' | b'.' | b','))
            && !hour_and_minute.as_str().is_empty();
        return zero.then_some((NaiveTime::MIN, true));
    }
    let hour = number(c, HOUR)?;
    let minute = number(c, MINUTE).unwrap_or(0);
    let second = c.get(SECOND).map_or(Some(0), |s| {
        s.as_str().trim_start_matches(':').get(..2)?.parse().ok()
    })?;
    let millis = c
        .get(SECOND_FRACTION)
        .map_or(0, |f| fraction_to_millis(&f.as_str()[1..]));
    Some((
        NaiveTime::from_hms_milli_opt(hour, minute, second, millis)?,
        false,
    ))
}

/// `123456` → 123: digits beyond milliseconds are cut, not rounded.
fn fraction_to_millis(digits: &str) -> u32 {
    let mut padded: String = digits.chars().take(3).collect();
    while padded.len() < 3 {
        padded.push('0');
    }
    padded.parse().unwrap_or(0)
}

fn offset_seconds(c: &Captures<'_>) -> Option<i64> {
    if c.get(OFFSET_SIGN).is_none() {
        return Some(0); // `Z` or no offset at all: UTC.
    }
    let sign = if c.get(OFFSET_SIGN)?.as_str() == "-" {
        -1
    } else {
        1
    };
    let hours: i64 = number(c, OFFSET_HOURS)?;
    let minutes: i64 = number(c, OFFSET_MINUTES).unwrap_or(0);
    debug_assert!(c.get(OFFSET).is_some());
    Some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(text: &str) -> String {
        format_date(parse_iso8601(text).unwrap_or_else(|e| panic!("{text}: {e}")))
    }

    #[test]
    fn the_documented_examples_normalise_exactly() {
        assert_eq!(
            normalised("2030-01-02T03:04:05+02:00"),
            "2030-01-02T01:04:05.000Z"
        );
        assert_eq!(normalised("2030-01-02"), "2030-01-02T00:00:00.000Z");
        assert_eq!(
            normalised("2030-01-02T03:04:05.123456Z"),
            "2030-01-02T03:04:05.123Z"
        );
        assert_eq!(normalised("2030-W01-1"), "2029-12-31T00:00:00.000Z");
    }

    #[test]
    fn other_forms_of_the_pattern_are_read() {
        assert_eq!(normalised("1970"), "1970-01-01T00:00:00.000Z");
        assert_eq!(normalised("2030-05"), "2030-05-01T00:00:00.000Z");
        assert_eq!(normalised("20300102T030405Z"), "2030-01-02T03:04:05.000Z");
        assert_eq!(normalised("2030-032"), "2030-02-01T00:00:00.000Z");
        assert_eq!(normalised("2030W017"), "2030-01-06T00:00:00.000Z");
        assert_eq!(
            normalised("2030-01-02T03:04:05,9Z"),
            "2030-01-02T03:04:05.900Z"
        );
        assert_eq!(
            normalised("2030-01-02T03:04:05.9999"),
            "2030-01-02T03:04:05.999Z"
        );
        assert_eq!(
            normalised("2030-01-02T03:04-0130"),
            "2030-01-02T04:34:00.000Z"
        );
        assert_eq!(normalised("2030-01-02T03+05"), "2030-01-01T22:00:00.000Z");
        assert_eq!(
            normalised("2030-01-02 03:04:05Z"),
            "2030-01-02T03:04:05.000Z"
        );
        assert_eq!(normalised("2030-01-02T24:00"), "2030-01-03T00:00:00.000Z");
        assert_eq!(
            normalised("2030-12-31T23:59:59.999Z"),
            "2030-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn strings_outside_the_pattern_are_refused() {
        for bad in [
            "",
            "invalid date",
            "203001",
            "2030-13-01",
            "2030-01-32",
            "2030-01-02T25:00",
            "30-01-02",
            "2030-01-02T03:04:05+24:00",
            " 2030",
        ] {
            assert_eq!(
                parse_iso8601(bad),
                Err(DateError::NotIso8601(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn matching_strings_that_name_no_instant_are_refused() {
        for bad in [
            "2030-02-30",
            "2031-366",
            "2030-01-02T03:04.5Z",
            "2030-01-02T24:00:01",
        ] {
            assert!(parse_iso8601(bad).is_err(), "{bad}");
        }
    }

    /// Variations of every field around the pattern's limits, separators and fractions.
    fn utc_seconds_form_candidates() -> Vec<String> {
        let mut candidates = Vec::new();
        for date in [
            "2030-01-02",
            "0000-01-01",
            "9999-12-31",
            "2024-02-29",
            "2030-02-29",
            "2030-02-30",
            "2030-04-31",
            "2030-00-10",
            "2030-13-10",
            "2030-01-00",
            "2030-01-32",
            "203A-01-02",
            "2030/01/02",
            "+2030-01-02",
        ] {
            for time in [
                "T00:00:00",
                "T23:59:59",
                "T24:00:00",
                "T12:60:00",
                "T12:00:60",
                "T1:00:000",
                " 12:00:00",
                "T12-00-00",
                "T12:0a:00",
            ] {
                for fraction in ["", ".", ".1", ".12", ".123", ".1239999", ",5", ".5a", ".-1"] {
                    for zone in ["Z", "z", "", "+01:00", "ZZ"] {
                        candidates.push(format!("{date}{time}{fraction}{zone}"));
                    }
                }
            }
        }
        candidates
    }

    #[test]
    fn the_utc_seconds_form_reads_as_the_pattern_does() {
        let mut read_fast = 0;
        for text in utc_seconds_form_candidates() {
            let by_pattern = parse_by_pattern(&text);
            match parse_utc_seconds_form(&text) {
                Some(instant) => {
                    read_fast += 1;
                    assert_eq!(by_pattern, Ok(instant), "{text}");
                }
                None => assert_eq!(parse_iso8601(&text), by_pattern, "{text}"),
            }
        }
        assert_eq!(
            read_fast, 40,
            "4 real dates × 2 times × 5 fractions, with `Z`"
        );
    }

    #[test]
    fn output_truncates_to_milliseconds() {
        let instant = DateTime::from_timestamp(1_893_456_000, 123_999_999).unwrap();
        assert_eq!(format_date(instant), "2030-01-01T00:00:00.123Z");
        assert_eq!(
            format_date(truncate_to_millis(instant)),
            "2030-01-01T00:00:00.123Z"
        );
    }
}
