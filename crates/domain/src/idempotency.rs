//! Idempotent requests: the key a client sends to make a retry safe, and the fingerprint that
//! tells whether a retry is the same request as the first.

use std::fmt;

use sha2::{Digest, Sha256};

/// The longest key accepted; long enough for a UUID with a prefix, short enough to index.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// A client's `Idempotency-Key`: 1 to [`MAX_IDEMPOTENCY_KEY_LEN`] printable ASCII characters
/// (space to `~`), so it fits any header, log line and index unchanged.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// Why a presented key is refused; the message tells the client what a valid key looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdempotencyKeyError {
    #[error(
        "the Idempotency-Key header is empty: send 1 to {MAX_IDEMPOTENCY_KEY_LEN} printable ASCII characters, e.g. a UUID"
    )]
    Empty,
    #[error(
        "the Idempotency-Key header is {0} bytes long: send at most {MAX_IDEMPOTENCY_KEY_LEN} printable ASCII characters, e.g. a UUID"
    )]
    TooLong(usize),
    #[error(
        "the Idempotency-Key header may only hold printable ASCII characters (space to '~'), e.g. a UUID"
    )]
    NotPrintable,
}

impl IdempotencyKey {
    /// The key in a header's raw bytes.
    ///
    /// # Errors
    /// [`IdempotencyKeyError`] for an empty, too long or not printable key.
    pub fn parse(raw: &[u8]) -> Result<Self, IdempotencyKeyError> {
        if raw.is_empty() {
            return Err(IdempotencyKeyError::Empty);
        }
        if raw.len() > MAX_IDEMPOTENCY_KEY_LEN {
            return Err(IdempotencyKeyError::TooLong(raw.len()));
        }
        if !raw.iter().all(|byte| (b' '..=b'~').contains(byte)) {
            return Err(IdempotencyKeyError::NotPrintable);
        }
        // Printable ASCII is UTF-8.
        String::from_utf8(raw.to_vec())
            .map(Self)
            .map_err(|_| IdempotencyKeyError::NotPrintable)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({:?})", self.0)
    }
}

/// What makes two requests the same: method, path with query, and the SHA-256 of the body,
/// hashed together (SHA-256 again), so a stored claim keeps 32 bytes and no request data.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestFingerprint([u8; 32]);

impl RequestFingerprint {
    /// The fingerprint of a request. Each part is length-prefixed, so no two different
    /// requests run together into the same bytes.
    pub fn of(method: &str, path_and_query: &str, body: &[u8]) -> Self {
        let body_digest = Sha256::digest(body);
        let mut hasher = Sha256::new();
        for part in [method.as_bytes(), path_and_query.as_bytes(), &body_digest] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        Self(hasher.finalize().into())
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for RequestFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestFingerprint(")?;
        for byte in &self.0[..4] {
            write!(f, "{byte:02x}")?;
        }
        write!(f, "…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_one_to_255_printable_ascii_characters() {
        for good in [
            &b"a"[..],
            b"2f1c7e1a-9b7e-4c1e-8a55-0c2f3b8d9e10",
            b" ~!",
            &[b'x'; 255],
        ] {
            assert_eq!(
                IdempotencyKey::parse(good).unwrap().as_str().as_bytes(),
                good
            );
        }
        assert_eq!(IdempotencyKey::parse(b""), Err(IdempotencyKeyError::Empty));
        assert_eq!(
            IdempotencyKey::parse(&[b'x'; 256]),
            Err(IdempotencyKeyError::TooLong(256))
        );
        for bad in [
            &b"tab\there"[..],
            b"new\nline",
            b"\x7f",
            "ümlaut".as_bytes(),
            b"\0",
        ] {
            assert_eq!(
                IdempotencyKey::parse(bad),
                Err(IdempotencyKeyError::NotPrintable),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn fingerprints_differ_in_every_part_and_not_by_splitting() {
        let base = RequestFingerprint::of("POST", "/api/v2/Files/x/Token", b"{}");
        assert_eq!(
            base,
            RequestFingerprint::of("POST", "/api/v2/Files/x/Token", b"{}")
        );
        assert_ne!(
            base,
            RequestFingerprint::of("PUT", "/api/v2/Files/x/Token", b"{}")
        );
        assert_ne!(
            base,
            RequestFingerprint::of("POST", "/api/v2/Files/y/Token", b"{}")
        );
        assert_ne!(
            base,
            RequestFingerprint::of("POST", "/api/v2/Files/x/Token?a=1", b"{}")
        );
        assert_ne!(
            base,
            RequestFingerprint::of("POST", "/api/v2/Files/x/Token", b"{ }")
        );
        assert_ne!(
            RequestFingerprint::of("POST", "/ab", b""),
            RequestFingerprint::of("POST", "/a", b"b")
        );
    }
}
