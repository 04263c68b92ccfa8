//! What a caller hands the use case: the upload's parts after the route's schema let them
//! through (types, required fields, tags an array without duplicates).

use bytes::Bytes;

/// One call of `uploadOwnFile`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UploadOwnFileRequest {
    /// The plaintext.
    pub content: Bytes,
    /// The name the File is shared under (the upload part's filename, UTF-8).
    pub filename: String,
    /// The upload part's media type.
    pub mimetype: String,
    /// `expiresAt`: text of the runtime's ISO 8601 shape, not yet read as an instant.
    pub expires_at: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub correlation_id: Option<String>,
}

impl std::fmt::Debug for UploadOwnFileRequest {
    // The content may be large and is the user's data: only its length.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadOwnFileRequest")
            .field("content_len", &self.content.len())
            .field("filename", &self.filename)
            .field("mimetype", &self.mimetype)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}
