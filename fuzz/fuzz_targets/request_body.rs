//! Any bytes as a request body under each media type: decoding and validation never panic, and
//! every refusal is a 4xx.
#![no_main]

use libfuzzer_sys::fuzz_target;

const MEDIA_TYPES: [Option<&str>; 4] =
    [Some("application/json"), Some("application/x-www-form-urlencoded"), Some("text/plain"), None];

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = data.split_first() else { return };
    let media_type = MEDIA_TYPES[usize::from(*selector) % MEDIA_TYPES.len()];
    match server::http::body::decode(media_type, body) {
        Ok(object) => {
            let now = chrono::Utc::now();
            let _ = application::create_token_for_file::validate("FILAAAAAAAAAAAAAAAAA", &object, now);
        }
        Err(error) => assert!(error.status.is_client_error(), "{error}"),
    }
});
