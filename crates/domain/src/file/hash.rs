//! The SHA-512 digests that bind a File's bytes: `cipherHash` (of the uploaded bytes) and
//! `plaintextHash` (of the content), both the runtime's `CoreHash`.

use std::fmt;

use sha2::{Digest, Sha512};

use crate::encoding::{b64url, from_b64url};

pub const FILE_HASH_LEN: usize = 64;

/// Why a text is not a [`FileHash`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a file hash must be a SHA-512 digest (64 bytes) written as 86 characters of unpadded base64url"
)]
pub struct MalformedFileHash;

/// A SHA-512 digest. Written, compared and sent as 86 characters of unpadded base64url, the
/// only form the runtime decodes (it rejects `+`, `/` and `=`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileHash([u8; FILE_HASH_LEN]);

impl FileHash {
    /// SHA-512 of `bytes` (libsodium's `crypto_hash_sha512`).
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha512::digest(bytes).into())
    }

    pub fn from_bytes(bytes: [u8; FILE_HASH_LEN]) -> Self {
        Self(bytes)
    }

    /// The raw digest: what the owner signature signs.
    pub fn as_bytes(&self) -> &[u8; FILE_HASH_LEN] {
        &self.0
    }

    pub fn to_b64url(&self) -> String {
        b64url(self.0)
    }

    /// Reads the 86-character unpadded base64url form.
    ///
    /// # Errors
    /// [`MalformedFileHash`] for any other text.
    pub fn from_b64url(text: &str) -> Result<Self, MalformedFileHash> {
        from_b64url(text)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .map(Self)
            .ok_or(MalformedFileHash)
    }
}

impl fmt::Display for FileHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_b64url())
    }
}

impl fmt::Debug for FileHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileHash({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str =
        "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg_SpIdNs6c5H0NE8XYXysP-DGNKHfuwvY7kxvUdBeoGlODJ6-SfaPg";

    #[test]
    fn hashes_are_sha512_in_unpadded_base64url() {
        let hash = FileHash::of(b"");
        assert_eq!(hash.to_b64url(), EMPTY);
        assert_eq!(hash.to_string().len(), 86);
        assert_eq!(FileHash::from_b64url(EMPTY), Ok(hash));
    }

    #[test]
    fn only_the_runtime_form_is_read() {
        let standard = EMPTY.replace('_', "/").replace('-', "+");
        for text in [standard.as_str(), &format!("{EMPTY}=="), &EMPTY[..43], ""] {
            assert_eq!(
                FileHash::from_b64url(text),
                Err(MalformedFileHash),
                "{text}"
            );
        }
    }
}
