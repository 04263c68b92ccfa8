//! Use-case tests of loading a peer's File: by File reference and by (password-protected,
//! personalized) Token reference, the local short cut, and the refusals, with mockall mocks.

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use domain::crypto::NONCE_LEN;
use domain::reference::ReferencePassword;
use domain::{
    DeviceId, EncryptedUpload, File, FileId, FileKeys, FileMetadataInput, FileNonces,
    FileReference, IdentityAddress, PasswordType, SecretKey, SigningKeyPair, TokenContentFile,
    TokenId, TokenReference,
};

use super::load_peer::{LoadPeerFile, LoadPeerFileError, LoadPeerFileRequest};
use crate::ports::{
    BackboneError, BackboneFile, BackboneToken, MockBackboneFiles, MockBackboneTokens, MockClock,
    MockFileRepository, MockPasswordHasher, MockRandomSource, MockTokenRepository,
};
use crate::{Dependencies, ServiceIdentity};

const FILE_ID: &str = "FILpeerFile000000001";
const TOKEN_ID: &str = "TOKpeerToken00000001";
const BASE_URL: &str = "https://backbone.example.com";

fn us() -> IdentityAddress {
    IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap()
}

fn peer() -> IdentityAddress {
    IdentityAddress::from_parts("localhost", "fedcba9876543210fedc").unwrap()
}

fn metadata_key() -> SecretKey {
    SecretKey::from_bytes([0x80; 32])
}

/// The peer's upload, sealed as the runtime seals it.
fn upload() -> EncryptedUpload {
    EncryptedUpload::seal(
        b"a peer's content",
        FileMetadataInput {
            title: Some("Peer title".into()),
            description: None,
            filename: "peer.txt".into(),
            tags: None,
            mimetype: "text/plain".into(),
            filemodified: None,
        },
        FileKeys {
            content_key: SecretKey::from_bytes([0x01; 32]),
            metadata_key: metadata_key(),
        },
        FileNonces {
            content: [0x40; NONCE_LEN],
            metadata: [0xc0; NONCE_LEN],
        },
        &SigningKeyPair::from_seed([0x20; 32]),
    )
    .unwrap()
}

fn metadata_on_backbone() -> BackboneFile {
    let upload = upload();
    BackboneFile {
        id: FileId::parse(FILE_ID).unwrap(),
        created_at: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        created_by: peer(),
        created_by_device: DeviceId::parse("DVCpeerDevice0000001").unwrap(),
        owner: peer(),
        owner_signature: upload.owner_signature.to_b64url(),
        ownership_token: None,
        ownership_is_locked: false,
        cipher_size: upload.content.len() as u64,
        cipher_hash: upload.cipher_hash.to_b64url(),
        expires_at: Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap(),
        encrypted_properties: Some(upload.encrypted_properties),
    }
}

struct Ports {
    files: MockFileRepository,
    backbone: MockBackboneTokens,
    backbone_files: MockBackboneFiles,
    hasher: MockPasswordHasher,
    stored: Arc<Mutex<Vec<File>>>,
}

impl Ports {
    /// Nothing stored yet; the Backbone has the peer's File.
    fn new() -> Self {
        let stored = Arc::new(Mutex::new(Vec::new()));
        let mut files = MockFileRepository::new();
        files.expect_find_file().returning(|_| Ok(None));
        let kept = stored.clone();
        files.expect_insert_file().returning(move |file| {
            kept.lock().unwrap().push(file.clone());
            Ok(())
        });
        let mut backbone_files = MockBackboneFiles::new();
        backbone_files
            .expect_file_metadata()
            .returning(|_, _| Ok(metadata_on_backbone()));
        Self {
            files,
            backbone: MockBackboneTokens::new(),
            backbone_files,
            hasher: MockPasswordHasher::new(),
            stored,
        }
    }

    fn use_case(self) -> LoadPeerFile {
        LoadPeerFile::new(Dependencies {
            files: Arc::new(self.files),
            tokens: Arc::new(MockTokenRepository::new()),
            backbone: Arc::new(self.backbone),
            backbone_files: Arc::new(self.backbone_files),
            password_hasher: Arc::new(self.hasher),
            clock: Arc::new(MockClock::new()),
            random: Arc::new(MockRandomSource::new()),
            identity: ServiceIdentity {
                address: us(),
                device_id: DeviceId::parse("DVCourDevice00000001").unwrap(),
            },
            device_key: Arc::new(SigningKeyPair::from_seed([9; 32])),
        })
    }
}

fn file_reference() -> String {
    FileReference {
        id: FileId::parse(FILE_ID).unwrap(),
        backbone_base_url: Some(BASE_URL.into()),
        key: metadata_key(),
    }
    .truncated()
}

fn token_reference(password: Option<ReferencePassword>, for_last_four: Option<&str>) -> String {
    TokenReference {
        id: TokenId::parse(TOKEN_ID).unwrap(),
        backbone_base_url: Some(BASE_URL.into()),
        key: SecretKey::from_bytes([0x55; 32]),
        for_identity_last_four: for_last_four.map(str::to_owned),
        password,
    }
    .truncated()
}

fn token_content() -> String {
    TokenContentFile {
        file_id: FileId::parse(FILE_ID).unwrap(),
        secret_key: metadata_key(),
    }
    .encrypt(&SecretKey::from_bytes([0x55; 32]), [7; NONCE_LEN])
    .to_backbone_content()
}

fn request(reference: String, password: Option<&str>) -> LoadPeerFileRequest {
    LoadPeerFileRequest {
        reference,
        password: password.map(str::to_owned),
        correlation_id: None,
    }
}

#[tokio::test]
async fn a_file_reference_loads_the_metadata_and_stores_a_peer_file_that_can_be_downloaded() {
    let ports = Ports::new();
    let stored = ports.stored.clone();
    let file = ports
        .use_case()
        .execute(request(file_reference(), None))
        .await
        .unwrap();
    assert_eq!(file.id.as_str(), FILE_ID);
    assert!(!file.is_own);
    assert_eq!(file.owner, peer());
    assert_eq!((file.filename.as_str(), file.filesize), ("peer.txt", 16));
    assert_eq!(file.title.as_deref(), Some("Peer title"));
    assert_eq!(file.secret_key, metadata_key());
    let content = file.content.clone().expect("downloadable");
    assert_eq!(content.cipher_key, SecretKey::from_bytes([0x01; 32]));
    assert_eq!(content.cipher_hash, upload().cipher_hash);
    assert_eq!(stored.lock().unwrap().as_slice(), [file]);
}

#[tokio::test]
async fn a_file_already_stored_is_answered_without_asking_the_backbone() {
    let mut ports = Ports::new();
    ports.files = MockFileRepository::new();
    let mut known = Ports::new()
        .use_case()
        .execute(request(file_reference(), None))
        .await
        .unwrap();
    known.is_own = true;
    let answer = known.clone();
    ports
        .files
        .expect_find_file()
        .returning(move |_| Ok(Some(answer.clone())));
    ports.backbone_files = MockBackboneFiles::new();
    let file = ports
        .use_case()
        .execute(request(file_reference(), None))
        .await
        .unwrap();
    assert_eq!(file, known, "an own File stays own");
}

#[tokio::test]
async fn a_password_protected_token_is_read_with_the_hash_of_its_password() {
    let salt = [0x33; 16];
    let mut ports = Ports::new();
    ports
        .hasher
        .expect_hash()
        .times(1)
        .withf(move |protection| protection.password == "1234" && protection.salt == salt)
        .returning(|_| Ok([0xab; 32]));
    ports
        .backbone
        .expect_get_token()
        .times(1)
        .withf(|id, hash, _| id.as_str() == TOKEN_ID && *hash == Some([0xab; 32]))
        .returning(|_, _, _| {
            Ok(BackboneToken {
                id: TokenId::parse(TOKEN_ID).unwrap(),
                content: token_content(),
                created_by: peer(),
                created_by_device: domain::DeviceId::parse("DVCPEERAAAAAAAAAAAAA").unwrap(),
                created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
                expires_at: Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap(),
                for_identity: None,
            })
        });
    let password = ReferencePassword {
        password_type: PasswordType::Pin { digits: 4 },
        salt,
        location_indicator: None,
    };
    let file = ports
        .use_case()
        .execute(request(token_reference(Some(password), None), Some("1234")))
        .await
        .unwrap();
    assert_eq!(file.id.as_str(), FILE_ID);
}

#[tokio::test]
async fn tokens_refused_before_the_backbone_say_why() {
    let password = ReferencePassword {
        password_type: PasswordType::Password,
        salt: [1; 16],
        location_indicator: None,
    };
    // No expectation on the Backbone or the hasher: any call fails the test.
    let error = Ports::new()
        .use_case()
        .execute(request(token_reference(Some(password), None), None))
        .await
        .unwrap_err();
    assert!(
        matches!(error, LoadPeerFileError::NoPasswordProvided),
        "{error:?}"
    );
    let error = Ports::new()
        .use_case()
        .execute(request(token_reference(None, Some("zzzz")), None))
        .await
        .unwrap_err();
    assert!(
        matches!(error, LoadPeerFileError::NotIntendedForYou),
        "{error:?}"
    );
    let error = Ports::new()
        .use_case()
        .execute(request("not a reference".into(), None))
        .await
        .unwrap_err();
    assert!(
        matches!(error, LoadPeerFileError::InvalidReference(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn what_the_backbone_does_not_have_is_not_found() {
    let mut ports = Ports::new();
    ports.backbone_files = MockBackboneFiles::new();
    ports
        .backbone_files
        .expect_file_metadata()
        .returning(|_, _| {
            Err(BackboneError::Rejected {
                code: "error.platform.recordNotFound".into(),
                message: "File not found.".into(),
            })
        });
    let error = ports
        .use_case()
        .execute(request(file_reference(), None))
        .await
        .unwrap_err();
    assert!(matches!(error, LoadPeerFileError::NotFound(_)), "{error:?}");
}

#[tokio::test]
async fn a_wrong_key_in_the_reference_is_invalid_metadata() {
    let wrong = FileReference {
        id: FileId::parse(FILE_ID).unwrap(),
        backbone_base_url: Some(BASE_URL.into()),
        key: SecretKey::from_bytes([0x99; 32]),
    }
    .truncated();
    let error = Ports::new()
        .use_case()
        .execute(request(wrong, None))
        .await
        .unwrap_err();
    assert!(
        matches!(error, LoadPeerFileError::InvalidMetadata(_)),
        "{error:?}"
    );
}
