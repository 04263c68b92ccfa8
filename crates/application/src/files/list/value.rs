//! The values a filter compares with, made from query text as the Connector's query translator
//! makes them (`@js-soft/docdb-querytranslator` 1.4.3, `parseStringVal`): `true`/`false` in any
//! case are booleans, text JavaScript reads as a whole finite number is a number, everything
//! else stays text.

use std::fmt;

/// A value of a filter condition. Mongo compares values of one type only (a number never equals
/// or exceeds a text), and so does every filter here.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    Boolean(bool),
    Number(f64),
    Text(String),
}

impl FilterValue {
    /// `parseStringVal(text)`: `"true"`/`"false"` (any case) are booleans; text that
    /// `parseInt(text, 10)` reads *and* `Number(text)` reads as a finite number is
    /// `parseFloat(text)` (so `"4"` is 4, `"1e3"` 1000, `"0x1A"` 0 and `" 7 "` 7, but `".5"`,
    /// `"1_000"` and `"1e999"` stay text); anything else is the text itself. ISO dates and
    /// addresses stay text.
    pub fn from_query_text(text: &str) -> Self {
        if text.eq_ignore_ascii_case("true") {
            return Self::Boolean(true);
        }
        if text.eq_ignore_ascii_case("false") {
            return Self::Boolean(false);
        }
        if parse_int_reads(text)
            && js_number(text).is_some_and(f64::is_finite)
            && let Some(number) = js_parse_float(text)
        {
            return Self::Number(number);
        }
        Self::Text(text.to_owned())
    }
}

/// JavaScript's `String(value)`: what the translator puts into a pattern (`^${value}`), so
/// `~1.50` looks for `1.5` and `^TRUE` for `true`.
impl fmt::Display for FilterValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Boolean(value) => write!(f, "{value}"),
            Self::Number(value) => f.write_str(&js_number_to_string(*value)),
            Self::Text(text) => f.write_str(text),
        }
    }
}

/// ECMAScript's `WhiteSpace` and `LineTerminator`, which `parseInt`, `parseFloat` and `Number`
/// trim (not Rust's `char::is_whitespace`: U+0085 is none, U+FEFF is one).
fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{d}'
            | ' '
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
            | '\u{feff}'
    )
}

fn strip_sign(text: &str) -> &str {
    text.strip_prefix(['+', '-']).unwrap_or(text)
}

/// Whether `parseInt(text, 10)` is a number: after leading white space and a sign, a digit.
fn parse_int_reads(text: &str) -> bool {
    strip_sign(text.trim_start_matches(is_js_whitespace)).starts_with(|c: char| c.is_ascii_digit())
}

/// The length of the longest prefix of `text` that is a decimal literal without sign
/// (`digits [. digits] [e [sign] digits]` or `. digits [e …]`); 0 if none.
fn decimal_prefix_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let digits_from = |start: usize| {
        bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let integer = digits_from(0);
    let mut end = integer;
    let mut fraction = 0;
    if bytes.get(end) == Some(&b'.') {
        fraction = digits_from(end + 1);
        if integer > 0 || fraction > 0 {
            end += 1 + fraction;
        }
    }
    if integer == 0 && fraction == 0 {
        return 0;
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        let exponent = digits_from(end + 1 + sign);
        if exponent > 0 {
            end += 1 + sign + exponent;
        }
    }
    end
}

/// `Number(text)` (ECMAScript `StringToNumber`), `None` for NaN.
fn js_number(text: &str) -> Option<f64> {
    let trimmed = text.trim_matches(is_js_whitespace);
    if trimmed.is_empty() {
        return Some(0.0);
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        let lower = trimmed.get(..2).map(str::to_ascii_lowercase);
        if lower.as_deref() == Some(prefix) {
            let digits = &trimmed[2..];
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return None;
            }
            // Only finiteness matters to the caller: a long literal overflows to infinity.
            let value = digits.chars().fold(0.0_f64, |value, c| {
                value * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
            });
            return Some(value);
        }
    }
    let unsigned = strip_sign(trimmed);
    if unsigned == "Infinity" {
        return Some(f64::INFINITY);
    }
    if decimal_prefix_len(unsigned) != unsigned.len() {
        return None;
    }
    trimmed.parse().ok()
}

/// `parseFloat(text)`: the longest decimal prefix after white space, `None` for NaN.
fn js_parse_float(text: &str) -> Option<f64> {
    let trimmed = text.trim_start_matches(is_js_whitespace);
    let sign_len = trimmed.len() - strip_sign(trimmed).len();
    let len = decimal_prefix_len(&trimmed[sign_len..]);
    if len == 0 {
        return None;
    }
    trimmed[..sign_len + len].parse().ok()
}

/// ECMAScript `Number::toString(value)`, built from the shortest round-trip digits, which
/// Rust's `{:e}` writes as JavaScript chooses them.
fn js_number_to_string(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value == 0.0 {
        return "0".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if value < 0.0 {
        return format!("-{}", js_number_to_string(-value));
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .unwrap_or((scientific.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let k = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let n = exponent + 1;
    let zeros = |count: i64| "0".repeat(usize::try_from(count).unwrap_or(0));
    if k <= n && n <= 21 {
        format!("{digits}{}", zeros(n - k))
    } else if 0 < n && n <= 21 {
        let (whole, fraction) = digits.split_at(usize::try_from(n).unwrap_or(0));
        format!("{whole}.{fraction}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", zeros(-n))
    } else {
        let sign = if n > 0 { '+' } else { '-' };
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{first}{dot}{rest}e{sign}{}", (n - 1).abs())
    }
}

#[cfg(test)]
mod tests {
    use super::FilterValue::{self, Boolean, Number, Text};
    use super::js_number_to_string;

    fn value(text: &str) -> FilterValue {
        FilterValue::from_query_text(text)
    }

    #[test]
    fn booleans_in_any_case() {
        assert_eq!(value("true"), Boolean(true));
        assert_eq!(value("TRUE"), Boolean(true));
        assert_eq!(value("fAlSe"), Boolean(false));
        assert_eq!(value("truex"), Text("truex".into()));
    }

    #[test]
    fn whole_numbers_as_javascript_reads_them() {
        for (text, number) in [
            ("4", 4.0),
            ("-5", -5.0),
            ("+5", 5.0),
            ("007", 7.0),
            ("1.50", 1.5),
            ("1.", 1.0),
            ("1e3", 1000.0),
            ("2E-2", 0.02),
            (" 12\u{a0}", 12.0),
            ("\u{feff}3", 3.0),
            // parseInt reads the 0, Number the hex literal, parseFloat the 0 again.
            ("0x1A", 0.0),
            ("0b11", 0.0),
        ] {
            assert_eq!(value(text), Number(number), "{text}");
        }
    }

    #[test]
    fn everything_else_stays_text() {
        for text in [
            "",
            ".5",
            "1_000",
            "12abc",
            "1e999",
            "Infinity",
            "-0x10",
            "1e",
            "2025-01-01T00:00:00.000Z",
            "did:e:localhost:dids:0123456789abcdef012345",
            "\u{85}1",
            "1 2",
        ] {
            assert_eq!(value(text), Text(text.into()), "{text}");
        }
    }

    #[test]
    fn numbers_are_written_as_javascript_writes_them() {
        for (number, text) in [
            (4.0, "4"),
            (1.5, "1.5"),
            (-0.0, "0"),
            (-2.25, "-2.25"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (123_456_789_012_345_680_000.0, "123456789012345680000"),
            (0.000_001, "0.000001"),
            (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"),
            (0.1, "0.1"),
        ] {
            assert_eq!(js_number_to_string(number), text, "{number}");
        }
        assert_eq!(value("1.50").to_string(), "1.5");
        assert_eq!(value("TRUE").to_string(), "true");
        assert_eq!(value("x:1.50").to_string(), "x:1.50");
    }
}
