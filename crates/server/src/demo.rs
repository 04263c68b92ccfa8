//! Local mode's demo File: a short text uploaded through `uploadOwnFile` at the first start, so
//! a newcomer has a real File (on the built-in Backbone, downloadable, its tokens opening to
//! this content) to create a token for before uploading anything.

use application::files::upload_own::UploadOwnFileRequest;
use bytes::Bytes;

/// The demo File's name, as a download saves it.
pub const DEMO_FILENAME: &str = "welcome.txt";
/// Its media type.
pub const DEMO_MIMETYPE: &str = "text/plain";
/// Its title.
pub const DEMO_TITLE: &str = "Demo File";
/// Its content, UTF-8.
pub const DEMO_CONTENT: &str = "\
Welcome to the connector's local mode.

This File was uploaded to the built-in Backbone simulator when local mode first started,
encrypted exactly as the enmeshed runtime encrypts Files. Create a token for it, open the
token's reference with an enmeshed client on this machine, and this text is what it downloads.
";

/// The upload of the demo File. No expiry (the runtime's default, 9999-12-31): a demo File that
/// expired would leave the banner's token curl failing.
pub fn demo_upload() -> UploadOwnFileRequest {
    UploadOwnFileRequest {
        content: Bytes::from_static(DEMO_CONTENT.as_bytes()),
        filename: DEMO_FILENAME.into(),
        mimetype: DEMO_MIMETYPE.into(),
        title: Some(DEMO_TITLE.into()),
        description: Some("A File to try tokens and downloads with".into()),
        ..UploadOwnFileRequest::default()
    }
}
