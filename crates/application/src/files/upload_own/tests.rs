//! Use-case tests: the upload is the official transport's byte for byte (files.md vector B),
//! the runtime's rules, and every failure path, with mockall mocks for every port.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use domain::{DeviceId, File, FileId, IdentityAddress, SecretKey, SigningKeyPair};
use mockall::predicate::always;

use super::*;
use crate::ports::{
    BackboneError, BackboneFile, MockBackboneFiles, MockBackboneTokens, MockClock,
    MockFileRepository, MockPasswordHasher, MockRandomSource, MockTokenRepository, RepositoryError,
};
use crate::{Dependencies, ServiceIdentity, Withdrawal};

/// The spec's fake Backbone's owner has no valid checksum; any valid address will do (the
/// owner is not part of what is encrypted or signed).
const OWNER: &str = "did:e:localhost:dids:0123456789abcdef012357";
const FILE_ID: &str = "FILa1b2c3d4e5f6g7h8i";
/// Vector B's uploaded bytes, cipher hash and owner signature.
const CONTENT_B: &str = r#"{"cph":"oFx2BDR_WPD7sdSgl3JS3VyiNAA","alg":3,"nnc":"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZX","@type":"CryptoCipher"}"#;
const CIPHER_HASH_B: &str =
    "c3cv8yebcLYLR7_ohz_IE1H90Iyhu6SGn2-gNz9hR7ZFcgbntZXcMrfHbewMc_73qHBPTJIR0UlEtT-HXfdp1g";
const SIGNATURE_B: &str = r#"{"sig":"P5uPF0uhza0FlZIO0J-f-sKmk7Nvvj8wDz6MvADnqNbEqn17k4HdprFIeYM29wcizcUeWgL5WAqkiAovm4m6Dg","alg":2,"@type":"CryptoSignature"}"#;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 27, 12, 0, 0).unwrap()
}

fn key(first: u8) -> SecretKey {
    SecretKey::from_bytes(std::array::from_fn(|i| first + i as u8))
}

fn owner() -> IdentityAddress {
    IdentityAddress::parse(OWNER).unwrap()
}

/// What the Backbone answers for the upload (the spec's fake Backbone).
fn uploaded(expires_at: DateTime<Utc>) -> BackboneFile {
    BackboneFile {
        id: FileId::parse(FILE_ID).unwrap(),
        created_at: now(),
        created_by: owner(),
        created_by_device: DeviceId::parse("DVCa1b2c3d4e5f6g7h8i").unwrap(),
        owner: owner(),
        owner_signature: domain::encoding::b64url(SIGNATURE_B),
        ownership_token: Some("AbC!@#$%^&*()_-+=<>?".into()),
        ownership_is_locked: false,
        cipher_size: CONTENT_B.len() as u64,
        cipher_hash: CIPHER_HASH_B.into(),
        expires_at,
        encrypted_properties: None,
    }
}

fn request() -> UploadOwnFileRequest {
    UploadOwnFileRequest {
        content: bytes::Bytes::from_static(b"test"),
        filename: "test.txt".into(),
        mimetype: "text/plain".into(),
        ..UploadOwnFileRequest::default()
    }
}

fn use_case(backbone_files: MockBackboneFiles, files: MockFileRepository) -> UploadOwnFile {
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    let mut random = MockRandomSource::new();
    // The fixed inputs of files.md §6, in the order the transport consumes them.
    let mut keys = vec![key(0x00), key(0x80)].into_iter();
    random
        .expect_secret_key()
        .returning(move || keys.next().expect("two keys per upload"));
    let mut nonces = vec![
        std::array::from_fn(|i| 0x40 + i as u8),
        std::array::from_fn(|i| 0xc0 + i as u8),
    ]
    .into_iter();
    random
        .expect_nonce()
        .returning(move || nonces.next().expect("two nonces per upload"));
    UploadOwnFile::new(Dependencies {
        files: Arc::new(files),
        tokens: Arc::new(MockTokenRepository::new()),
        backbone: Arc::new(MockBackboneTokens::new()),
        backbone_files: Arc::new(backbone_files),
        password_hasher: Arc::new(MockPasswordHasher::new()),
        clock: Arc::new(clock),
        random: Arc::new(random),
        identity: ServiceIdentity {
            address: owner(),
            device_id: DeviceId::parse("DVCa1b2c3d4e5f6g7h8i").unwrap(),
        },
        device_key: Arc::new(SigningKeyPair::from_seed(std::array::from_fn(|i| {
            0x20 + i as u8
        }))),
    })
}

/// A store that keeps what was inserted.
fn storing() -> (MockFileRepository, Arc<Mutex<Vec<File>>>) {
    let stored = Arc::new(Mutex::new(Vec::new()));
    let mut files = MockFileRepository::new();
    let kept = stored.clone();
    files.expect_insert_file().returning(move |file| {
        kept.lock().unwrap().push(file.clone());
        Ok(())
    });
    (files, stored)
}

#[tokio::test]
async fn the_upload_is_the_official_transports_byte_for_byte() {
    let mut backbone = MockBackboneFiles::new();
    backbone
        .expect_upload_file()
        .times(1)
        .withf(|file, correlation_id| {
            file.content.as_ref() == CONTENT_B.as_bytes()
                && file.cipher_hash == CIPHER_HASH_B
                && file.owner_signature == domain::encoding::b64url(SIGNATURE_B)
                && file.owner.as_str() == OWNER
                && domain::date::format_date(file.expires_at) == "9999-12-31T00:00:00.000Z"
                && correlation_id.as_deref() == Some("corr-9")
        })
        .returning(|file, _| Ok(uploaded(file.expires_at)));
    let (files, stored) = storing();
    let request = UploadOwnFileRequest {
        correlation_id: Some("corr-9".into()),
        ..request()
    };
    let file = use_case(backbone, files).execute(request).await.unwrap();

    assert_eq!(file.id.as_str(), FILE_ID);
    assert_eq!(
        file.secret_key,
        key(0x80),
        "references carry the metadata key"
    );
    assert_eq!((file.filename.as_str(), file.filesize), ("test.txt", 4));
    assert_eq!(file.title, None);
    assert!(file.is_own);
    assert_eq!(
        file.ownership_token.as_deref(),
        Some("AbC!@#$%^&*()_-+=<>?")
    );
    let content = file.content.clone().expect("downloadable");
    assert_eq!(content.cipher_key, key(0x00));
    assert_eq!(content.cipher_hash.to_b64url(), CIPHER_HASH_B);
    assert_eq!(stored.lock().unwrap().as_slice(), [file]);
}

#[tokio::test]
async fn the_runtimes_rules_refuse_before_anything_is_uploaded() {
    for (request, message) in [
        (
            UploadOwnFileRequest {
                content: bytes::Bytes::from(vec![0u8; 10 * 1024 * 1024 + 1]),
                ..request()
            },
            "'content' is too large",
        ),
        (
            UploadOwnFileRequest {
                expires_at: Some("2025-10-27T11:59:59.000Z".into()),
                ..request()
            },
            "'expiresAt' must be in the future",
        ),
        (
            UploadOwnFileRequest {
                expires_at: Some("tomorrow".into()),
                ..request()
            },
            "expiresAt must match ISO8601 datetime format",
        ),
    ] {
        // No expectation on the Backbone or the store: any call fails the test.
        let error = use_case(MockBackboneFiles::new(), MockFileRepository::new())
            .execute(request)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, UploadOwnFileError::Validation(v) if v.message == message),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn content_the_backbone_could_not_hold_once_encrypted_is_refused_with_the_limit() {
    let request = UploadOwnFileRequest {
        content: bytes::Bytes::from(vec![0u8; domain::file::MAX_PLAINTEXT_LEN + 1]),
        ..request()
    };
    let error = use_case(MockBackboneFiles::new(), MockFileRepository::new())
        .execute(request)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains(&domain::file::MAX_PLAINTEXT_LEN.to_string()),
        "{error}"
    );
}

#[tokio::test]
async fn a_requested_expiry_and_the_metadata_travel_to_the_backbone() {
    let expires_at = Utc.with_ymd_and_hms(2099, 12, 31, 0, 0, 0).unwrap();
    let mut backbone = MockBackboneFiles::new();
    backbone
        .expect_upload_file()
        .withf(move |file, _| file.expires_at == expires_at)
        .returning(|file, _| Ok(uploaded(file.expires_at)));
    let (files, _) = storing();
    let request = UploadOwnFileRequest {
        expires_at: Some("2099-12-31T00:00:00.000Z".into()),
        title: Some("My Title".into()),
        description: Some("A description".into()),
        tags: vec!["x:tag1".into(), "x:tag2".into()],
        ..request()
    };
    let file = use_case(backbone, files).execute(request).await.unwrap();
    assert_eq!(file.expires_at, expires_at);
    assert_eq!(file.tags, ["x:tag1", "x:tag2"]);
    assert_eq!(file.title.as_deref(), Some("My Title"));
}

#[tokio::test]
async fn a_backbone_refusal_stores_nothing() {
    let mut backbone = MockBackboneFiles::new();
    backbone.expect_upload_file().returning(|_, _| {
        Err(BackboneError::QuotaExhausted {
            message: "quota".into(),
            retry_after: None,
        })
    });
    let error = use_case(backbone, MockFileRepository::new())
        .execute(request())
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        UploadOwnFileError::Backbone(BackboneError::QuotaExhausted { .. })
    ));
}

#[tokio::test]
async fn a_file_that_cannot_be_stored_is_deleted_on_the_backbone_again() {
    let mut backbone = MockBackboneFiles::new();
    backbone
        .expect_upload_file()
        .returning(|file, _| Ok(uploaded(file.expires_at)));
    backbone
        .expect_delete_file()
        .times(1)
        .with(
            mockall::predicate::eq(FileId::parse(FILE_ID).unwrap()),
            always(),
        )
        .returning(|_, _| Ok(()));
    let mut files = MockFileRepository::new();
    files
        .expect_insert_file()
        .returning(|_| Err(RepositoryError::Unavailable("down".into())));
    let error = use_case(backbone, files)
        .execute(request())
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            UploadOwnFileError::NotStored {
                withdrawal: Withdrawal::Deleted,
                ..
            }
        ),
        "{error:?}"
    );
}
