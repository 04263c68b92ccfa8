//! Any text given as a token reference: parsing never panics, and whatever parses writes back
//! to forms that parse to the same reference.
#![no_main]

use domain::TokenReference;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(reference) = TokenReference::parse(text) else { return };
    let truncated = reference.truncated();
    assert_eq!(TokenReference::parse(&truncated).as_ref(), Ok(&reference), "{truncated}");
    // A url only reads back unambiguously when its base is a plain http(s) origin.
    let plain_base = reference
        .backbone_base_url
        .as_deref()
        .is_some_and(|base| base.contains("://") && !base.contains("/r/") && !base.contains(['#', '?', '|']));
    if let (true, Some(url)) = (plain_base, reference.url()) {
        assert_eq!(TokenReference::parse(&url).as_ref(), Ok(&reference), "{url}");
    }
});
