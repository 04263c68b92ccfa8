//! Opening downloaded content (files.md §3.1): the bytes must be the ones that were uploaded
//! (cipherHash) *before* anything is decrypted, and the plaintext the one the uploader
//! described (plaintextHash) after.

use super::hash::FileHash;
use crate::crypto::{CipherContainer, CryptoError, SecretKey};

/// Why downloaded bytes do not yield the File's content. The first and last variant are the
/// runtime's `error.transport.files.cipherMismatch` and `…plaintextHashMismatch`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    #[error(
        "the downloaded bytes do not match the file's cipherHash: the Backbone sent other bytes than were uploaded (an expired or deleted file answers with an error body)"
    )]
    CipherMismatch,
    #[error(
        "the downloaded bytes match the file's cipherHash but are not a CryptoCipher container: the uploader uploaded something else"
    )]
    MalformedCipher(#[source] CryptoError),
    #[error(
        "the downloaded content cannot be decrypted with the content key of the file's metadata: the uploader's metadata names another key"
    )]
    WrongContentKey,
    #[error(
        "the decrypted content does not match the file's plaintextHash: the uploader's metadata describes other content"
    )]
    PlaintextHashMismatch,
}

/// The plaintext of `downloaded` (the raw bytes of `GET /api/v2/Files/{id}`), given the
/// `cipherHash` the Backbone reported and the content key and plaintextHash of the metadata.
///
/// # Errors
/// A [`DownloadError`] for the first check that fails, in the order above.
pub fn decrypt_download(
    downloaded: &[u8],
    expected_cipher_hash: &FileHash,
    content_key: &SecretKey,
    expected_plaintext_hash: &FileHash,
) -> Result<Vec<u8>, DownloadError> {
    if FileHash::of(downloaded) != *expected_cipher_hash {
        return Err(DownloadError::CipherMismatch);
    }
    let container =
        CipherContainer::from_json(downloaded).map_err(DownloadError::MalformedCipher)?;
    let plaintext = container
        .decrypt(content_key)
        .map_err(|_| DownloadError::WrongContentKey)?;
    if FileHash::of(&plaintext) != *expected_plaintext_hash {
        return Err(DownloadError::PlaintextHashMismatch);
    }
    Ok(plaintext)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::tests::{file_key, nonce, token_key};

    fn uploaded(plaintext: &[u8]) -> (Vec<u8>, FileHash, FileHash) {
        let content = CipherContainer::encrypt(plaintext, &file_key(), nonce())
            .to_json()
            .into_bytes();
        let cipher_hash = FileHash::of(&content);
        (content, cipher_hash, FileHash::of(plaintext))
    }

    #[test]
    fn matching_bytes_decrypt_to_the_content() {
        let (content, cipher_hash, plaintext_hash) = uploaded(b"test");
        let plaintext = decrypt_download(&content, &cipher_hash, &file_key(), &plaintext_hash);
        assert_eq!(plaintext.as_deref(), Ok(&b"test"[..]));
    }

    #[test]
    fn other_bytes_are_refused_before_decryption() {
        let (mut content, cipher_hash, plaintext_hash) = uploaded(b"test");
        let error_body = br#"{"error":{"code":"error.platform.recordNotFound"}}"#;
        assert_eq!(
            decrypt_download(error_body, &cipher_hash, &file_key(), &plaintext_hash),
            Err(DownloadError::CipherMismatch)
        );
        content[10] ^= 1;
        // Even with a wrong key the hash check comes first.
        assert_eq!(
            decrypt_download(&content, &cipher_hash, &token_key(), &plaintext_hash),
            Err(DownloadError::CipherMismatch)
        );
    }

    #[test]
    fn an_uploaders_wrong_metadata_is_told_apart() {
        let (content, cipher_hash, plaintext_hash) = uploaded(b"test");
        assert_eq!(
            decrypt_download(&content, &cipher_hash, &token_key(), &plaintext_hash),
            Err(DownloadError::WrongContentKey)
        );
        assert_eq!(
            decrypt_download(&content, &cipher_hash, &file_key(), &FileHash::of(b"other")),
            Err(DownloadError::PlaintextHashMismatch)
        );
        let garbage = b"not a container";
        assert_eq!(
            decrypt_download(
                garbage,
                &FileHash::of(garbage),
                &file_key(),
                &plaintext_hash
            ),
            Err(DownloadError::MalformedCipher(
                CryptoError::MalformedContainer
            ))
        );
    }
}
