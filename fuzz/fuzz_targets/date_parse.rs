//! Any text as an ISO 8601 date: parsing never panics, and a parsed instant renders to a string
//! that parses back to the same instant.
#![no_main]

use domain::date::{format_date, matches_iso8601, parse_iso8601};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let matches = matches_iso8601(text);
    if let Ok(instant) = parse_iso8601(text) {
        assert!(matches, "parsed without matching the pattern: {text}");
        let rendered = format_date(instant);
        assert_eq!(parse_iso8601(&rendered), Ok(instant), "{text} → {rendered}");
    }
});
