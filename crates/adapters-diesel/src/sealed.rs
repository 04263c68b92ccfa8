//! Secrets at rest: sealed with XChaCha20-Poly1305 under the configured secrets key, with a
//! fresh random nonce per sealing and associated data naming what the blob holds and whose it
//! is, so that a blob opens only under that key, as that purpose and for that record: copied
//! to another row or column, or altered in any byte, it does not open at all.
//!
//! A sealed blob is `version (1 byte) ‖ nonce (24 bytes) ‖ ciphertext ‖ tag (16 bytes)`; the
//! associated data is `version ‖ purpose ‖ 0x00 ‖ record id` (purposes hold no NUL, and the
//! record id comes last, so no two pairs give the same bytes). XChaCha20's 192-bit nonces are
//! safe to draw at random for any number of sealings under one key.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use domain::SecretKey;
use rand::RngCore;
use rand::rngs::OsRng;

/// The layout described in the module documentation; the first byte of every blob.
const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// The bytes a sealed blob has besides its ciphertext.
pub const OVERHEAD: usize = 1 + NONCE_LEN + TAG_LEN;

/// What a sealed blob holds; part of its associated data, so a blob sealed for one purpose
/// never opens as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The identity's seeds and device password (`identity.sealed_secrets`).
    IdentitySecrets,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Self::IdentitySecrets => b"identity.sealed_secrets",
        }
    }
}

/// Why sealing failed: the system's random source failed (or, impossibly here, the plaintext
/// exceeded XChaCha20's 256 GiB). Carries nothing of the plaintext.
#[derive(Debug, thiserror::Error)]
#[error("sealing a secret failed: {0}")]
pub struct SealError(&'static str);

/// A blob that does not open: another key, another purpose or record, or altered bytes. Which
/// one cannot be told (that is the point of the tag), and nothing of the blob is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the sealed secret does not open with this key for this record")]
pub struct Unopenable;

/// The key secrets are sealed with. `Debug` shows nothing of it.
pub struct SealingKey(XChaCha20Poly1305);

impl SealingKey {
    pub fn new(key: &SecretKey) -> Self {
        Self(XChaCha20Poly1305::new(key.as_bytes().into()))
    }

    /// `plaintext` sealed for `purpose` and `record`, under a fresh nonce from the operating
    /// system.
    ///
    /// # Errors
    /// [`SealError`] when the operating system gives no random bytes.
    pub fn seal(
        &self,
        purpose: Purpose,
        record: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0; NONCE_LEN];
        OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| SealError("the operating system's random source failed"))?;
        self.seal_with_nonce(purpose, record, plaintext, nonce)
    }

    fn seal_with_nonce(
        &self,
        purpose: Purpose,
        record: &str,
        plaintext: &[u8],
        nonce: [u8; NONCE_LEN],
    ) -> Result<Vec<u8>, SealError> {
        let ciphertext = self
            .0
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &associated_data(purpose, record),
                },
            )
            .map_err(|_| SealError("the plaintext is too long"))?;
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        sealed.push(VERSION);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// The plaintext `sealed` holds, if it was sealed under this key for `purpose` and
    /// `record` and is unchanged. The caller should [`wipe`] it after use.
    ///
    /// # Errors
    /// [`Unopenable`] otherwise (also for a blob too short or of an unknown version).
    pub fn open(
        &self,
        purpose: Purpose,
        record: &str,
        sealed: &[u8],
    ) -> Result<Vec<u8>, Unopenable> {
        let Some((&VERSION, rest)) = sealed.split_first() else {
            return Err(Unopenable);
        };
        if rest.len() < NONCE_LEN + TAG_LEN {
            return Err(Unopenable);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        self.0
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &associated_data(purpose, record),
                },
            )
            .map_err(|_| Unopenable)
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealingKey(<redacted>)")
    }
}

fn associated_data(purpose: Purpose, record: &str) -> Vec<u8> {
    let label = purpose.label();
    let mut data = Vec::with_capacity(2 + label.len() + record.len());
    data.push(VERSION);
    data.extend_from_slice(label);
    data.push(0);
    data.extend_from_slice(record.as_bytes());
    data
}

/// Overwrites a buffer that held a secret before it is freed. `black_box` keeps the compiler
/// from dropping the writes to memory that is never read again.
pub fn wipe(buffer: &mut [u8]) {
    buffer.fill(0);
    std::hint::black_box(buffer);
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = "did:e:localhost:dids:0123456789abcdef0123";

    fn key(byte: u8) -> SealingKey {
        SealingKey::new(&SecretKey::from_bytes([byte; 32]))
    }

    fn sealed(plaintext: &[u8]) -> Vec<u8> {
        key(1)
            .seal(Purpose::IdentitySecrets, RECORD, plaintext)
            .unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_with_its_key_purpose_and_record() {
        let blob = sealed(b"seed and password");

        assert_eq!(blob.len(), OVERHEAD + b"seed and password".len());
        assert_eq!(blob[0], VERSION);
        assert_eq!(
            key(1)
                .open(Purpose::IdentitySecrets, RECORD, &blob)
                .unwrap(),
            b"seed and password"
        );
        assert_eq!(
            key(1).open(Purpose::IdentitySecrets, RECORD, &sealed(b"")),
            Ok(Vec::new())
        );
    }

    #[test]
    fn the_blob_holds_no_plaintext_and_every_sealing_draws_a_new_nonce() {
        let plaintext = b"correct horse battery staple, a long enough secret";
        let (first, second) = (sealed(plaintext), sealed(plaintext));

        assert_ne!(first[1..=NONCE_LEN], second[1..=NONCE_LEN]);
        assert_ne!(first, second);
        for blob in [&first, &second] {
            assert!(
                !blob
                    .windows(8)
                    .any(|w| plaintext.windows(8).any(|p| p == w))
            );
        }
    }

    #[test]
    fn another_key_does_not_open_it() {
        let blob = sealed(b"secret");

        assert_eq!(
            key(2).open(Purpose::IdentitySecrets, RECORD, &blob),
            Err(Unopenable)
        );
    }

    #[test]
    fn a_blob_moved_to_another_record_does_not_open() {
        let blob = sealed(b"secret");

        for other in [
            "did:e:localhost:dids:0123456789abcdef0124",
            "",
            &RECORD[..RECORD.len() - 1],
        ] {
            assert_eq!(
                key(1).open(Purpose::IdentitySecrets, other, &blob),
                Err(Unopenable),
                "{other}"
            );
        }
    }

    #[test]
    fn any_altered_byte_or_length_makes_it_unopenable() {
        let blob = sealed(b"secret");

        for index in 0..blob.len() {
            let mut altered = blob.clone();
            altered[index] ^= 0x01;
            assert_eq!(
                key(1).open(Purpose::IdentitySecrets, RECORD, &altered),
                Err(Unopenable),
                "byte {index}"
            );
        }
        for length in 0..blob.len() {
            assert_eq!(
                key(1).open(Purpose::IdentitySecrets, RECORD, &blob[..length]),
                Err(Unopenable),
                "length {length}"
            );
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert_eq!(
            key(1).open(Purpose::IdentitySecrets, RECORD, &longer),
            Err(Unopenable)
        );
    }

    #[test]
    fn the_layout_is_version_nonce_and_the_ciphertext_under_the_documented_associated_data() {
        // Written out by hand: a change to the layout or the associated data fails here, not
        // on the data of a running service.
        let blob = key(7)
            .seal_with_nonce(Purpose::IdentitySecrets, RECORD, b"abc", [9; NONCE_LEN])
            .unwrap();

        let aad = [
            b"\x01identity.sealed_secrets\x00".as_slice(),
            RECORD.as_bytes(),
        ]
        .concat();
        let ciphertext = XChaCha20Poly1305::new(&[7; 32].into())
            .encrypt(
                XNonce::from_slice(&[9; NONCE_LEN]),
                Payload {
                    msg: b"abc",
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(blob, [&[1], &[9; NONCE_LEN][..], &ciphertext].concat());
    }

    #[test]
    fn debug_and_errors_show_nothing_secret() {
        let sealing_key = key(0xAB);

        assert_eq!(format!("{sealing_key:?}"), "SealingKey(<redacted>)");
        assert_eq!(
            Unopenable.to_string(),
            "the sealed secret does not open with this key for this record"
        );
    }
}
