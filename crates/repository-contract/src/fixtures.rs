//! Domain values for the checks: every field set, or every optional one empty.

use application::ports::{IdentitySecrets, OnboardedDevice, StoredIdentity};
use chrono::{DateTime, Utc};
use domain::{
    DeviceId, DevicePassword, DeviceUsername, File, FileContent, FileHash, FileId, IdentityAddress,
    SecretKey, SignaturePublicKey, Token, TokenContentFile, TokenId,
};

pub fn address(body: &str) -> IdentityAddress {
    IdentityAddress::from_parts("localhost", body).expect("a valid fixture")
}

pub fn time(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("a valid fixture")
        .with_timezone(&Utc)
}

pub fn key(first_byte: u8) -> SecretKey {
    SecretKey::from_bytes(std::array::from_fn(|i| first_byte.wrapping_add(i as u8)))
}

pub fn file_id(random_part: &str) -> FileId {
    FileId::from_random_part(random_part).expect("a valid fixture")
}

pub fn token_id(random_part: &str) -> TokenId {
    TokenId::from_random_part(random_part).expect("a valid fixture")
}

/// Content whose key and two digests all differ from each other and from every other key of the
/// fixtures, so a column read back into the wrong field shows.
pub fn file_content() -> FileContent {
    FileContent {
        cipher_key: key(0x40),
        cipher_hash: FileHash::from_bytes(std::array::from_fn(|i| 0x80 ^ i as u8)),
        plaintext_hash: FileHash::from_bytes(std::array::from_fn(|i| 0xFF - i as u8)),
        owner_signature: "eyJzaWciOiJvd25lci1zaWduYXR1cmUiLCJhbGciOjF9".to_owned(),
    }
}

/// A File with every optional field set, its content too; timestamps keep microseconds, as
/// every engine does.
pub fn full_file(id: &str) -> File {
    File {
        id: file_id(id),
        secret_key: key(0x20),
        owner: address("0123456789abcdef0123"),
        created_at: time("2025-01-02T03:04:05.123456Z"),
        created_by: address("00000000000000000001"),
        created_by_device: DeviceId::from_random_part("AAAAAAAAAAAAAAAAA")
            .expect("a valid fixture"),
        expires_at: time("2026-01-02T03:04:05.678Z"),
        filename: "Report 2025 – ünïcødé.pdf".to_owned(),
        filesize: 5_000_000_000,
        mimetype: "application/pdf".to_owned(),
        title: Some("Quarterly report".to_owned()),
        description: Some("with \"quotes\" and 'apostrophes'".to_owned()),
        tags: vec!["finance".to_owned(), "x:y".to_owned(), String::new()],
        ownership_token: Some("OWNERSHIPTOKEN123".to_owned()),
        ownership_is_locked: true,
        is_own: true,
        content: Some(file_content()),
    }
}

/// A peer's File with every optional field empty.
pub fn bare_file(id: &str) -> File {
    File {
        title: None,
        description: None,
        tags: Vec::new(),
        ownership_token: None,
        ownership_is_locked: false,
        is_own: false,
        content: None,
        filesize: 0,
        ..full_file(id)
    }
}

/// A token for `full_file("FILEFORTOKEN00001")` without password or recipient.
pub fn plain_token(id: &str) -> Token {
    Token {
        id: token_id(id),
        is_own: true,
        created_by: address("0123456789abcdef0123"),
        created_by_device: DeviceId::from_random_part("BBBBBBBBBBBBBBBBB")
            .expect("a valid fixture"),
        content: TokenContentFile {
            file_id: file_id("FILEFORTOKEN00001"),
            secret_key: key(0x20),
        }
        .into(),
        created_at: time("2025-03-04T05:06:07.890Z"),
        expires_at: time("2025-04-04T05:06:07.890Z"),
        for_identity: None,
        password_protection: None,
        secret_key: key(0),
    }
}

/// The secrets key the store's identity repository is built with.
pub fn secrets_key() -> SecretKey {
    key(0x5E)
}

/// Seeds and a password no other fixture holds, so their bytes can be looked for.
pub const IDENTITY_SEED: [u8; 32] = *b"identity seed: 32 bytes, secret!";
pub const DEVICE_SEED: [u8; 32] = *b"device seed: 32 more secret byte";
pub const DEVICE_PASSWORD: &str = "Pw!of-the_device:45+characters,seen;by#nobody";

/// An identity whose Backbone answer is not stored yet (no device), at the address of `body`.
pub fn pending_identity(body: &str) -> StoredIdentity {
    StoredIdentity {
        address: address(body),
        public_key: SignaturePublicKey::from_bytes(std::array::from_fn(|i| 0xA0 ^ i as u8)),
        secrets: IdentitySecrets {
            identity_seed: IDENTITY_SEED,
            device_seed: DEVICE_SEED,
            device_password: DevicePassword::new(DEVICE_PASSWORD.to_owned()),
        },
        device: None,
        datawallet_initialized: false,
    }
}

/// The device the Backbone created; `created_at` keeps microseconds, as every engine does.
pub fn onboarded_device() -> OnboardedDevice {
    OnboardedDevice {
        id: DeviceId::from_random_part("ONBOARDEDDEVICE01").expect("a valid fixture"),
        username: DeviceUsername::from_random_part("ONBOARDEDUSER0001").expect("a valid fixture"),
        created_at: time("2026-12-03T10:11:12.345678Z"),
    }
}

/// [`pending_identity`] with its device stored and the datawallet initialised.
pub fn onboarded_identity(body: &str) -> StoredIdentity {
    StoredIdentity {
        device: Some(onboarded_device()),
        datawallet_initialized: true,
        ..pending_identity(body)
    }
}
