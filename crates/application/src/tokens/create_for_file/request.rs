//! What a caller hands the use case: the route's input after its schema (JSON types and
//! patterns) let it through, before the rules the runtime checks afterwards.

use domain::FileId;

/// One call of `createTokenForFile`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateTokenForFileRequest {
    /// The File, or `None` when the path's id passes the schema's unanchored pattern without
    /// being a File id: no such File can exist, which is answered after the other rules.
    pub file_id: Option<FileId>,
    /// `expiresAt`: text of the runtime's ISO 8601 shape, not yet read as an instant (a date
    /// such as February 30th fails later, among the rules).
    pub expires_at: Option<String>,
    pub ephemeral: Option<bool>,
    /// `forIdentity`: text matching the schema's address pattern; its checksum is checked after
    /// the File lookup, where the reference fails on it.
    pub for_identity: Option<String>,
    pub password_protection: Option<PasswordInput>,
    /// A QR code was asked for: the token is never stored.
    pub force_ephemeral: bool,
    pub correlation_id: Option<String>,
}

/// `passwordProtection` as the schema let it through.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PasswordInput {
    /// At least one character.
    pub password: String,
    pub is_pin: bool,
    pub location_indicator: Option<LocationIndicatorInput>,
}

impl std::fmt::Debug for PasswordInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordInput")
            .field("is_pin", &self.is_pin)
            .field("location_indicator", &self.location_indicator)
            .finish_non_exhaustive()
    }
}

/// `passwordLocationIndicator` as sent; the schema leaves it open, the rules decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocationIndicatorInput {
    /// A JSON string.
    Name(String),
    /// A JSON number without fraction, at least 0 (`50` and `50.0` alike).
    Whole(u64),
    /// Anything else: a negative or fractional number, a boolean, an object …
    Other,
}
