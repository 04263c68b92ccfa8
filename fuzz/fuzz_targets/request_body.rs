//! Any bytes as a request body under each media type: decoding and the route's schema never
//! panic, and every refusal is a 4xx.
#![no_main]

use libfuzzer_sys::fuzz_target;

const MEDIA_TYPES: [Option<&str>; 4] =
    [Some("application/json"), Some("application/x-www-form-urlencoded"), Some("text/plain"), None];

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = data.split_first() else { return };
    let media_type = MEDIA_TYPES[usize::from(*selector) % MEDIA_TYPES.len()];
    match server::http::body::decode(media_type, body) {
        Ok(object) => {
            let _ = server::http::wire::parse_create_token_request("FILAAAAAAAAAAAAAAAAA", &object);
        }
        Err(error) => assert!(error.status.is_client_error(), "{error}"),
    }
});
