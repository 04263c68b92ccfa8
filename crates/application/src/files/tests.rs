//! Use-case tests of reading Files: by id or reference, and downloading with both hash checks
//! (files.md vector B's bytes), with mockall mocks for every port.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use domain::file::{FileContent, FileHash};
use domain::{DeviceId, File, FileId, IdentityAddress, SecretKey, SigningKeyPair};

use super::download::{DownloadFile, DownloadFileError};
use super::get::{FILE_ID_MESSAGE, GetFile, GetFileError};
use crate::ports::{
    BackboneError, MockBackboneFiles, MockBackboneTokens, MockClock, MockFileRepository,
    MockPasswordHasher, MockRandomSource, MockTokenRepository,
};
use crate::{Dependencies, ServiceIdentity};

const FILE_ID: &str = "FILa1b2c3d4e5f6g7h8i";
const CONTENT_B: &str = r#"{"cph":"oFx2BDR_WPD7sdSgl3JS3VyiNAA","alg":3,"nnc":"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZX","@type":"CryptoCipher"}"#;
const CIPHER_HASH_B: &str =
    "c3cv8yebcLYLR7_ohz_IE1H90Iyhu6SGn2-gNz9hR7ZFcgbntZXcMrfHbewMc_73qHBPTJIR0UlEtT-HXfdp1g";
const PLAINTEXT_HASH_B: &str =
    "7iaw3Ur350mqGo7jwQrpkj9hiYB3Lkc_iBml1JQODbJ6wYX4oOHV-E-IvIh_1nsUNzLDBMxfqa2Ob1f1ACio_w";
/// Vector A's truncated file reference (its id is `FILE_ID`).
const REFERENCE_A: &str = "RklMYTFiMmMzZDRlNWY2ZzdoOGlAaHR0cHM6Ly9iYWNrYm9uZS5leGFtcGxlLmNvbXwzfGdJR0NnNFNGaG9lSWlZcUxqSTJPajVDUmtwT1VsWmFYbUptYW01eWRucDh8fA";

fn owner() -> IdentityAddress {
    IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap()
}

fn file(with_content: bool) -> File {
    File {
        id: FileId::parse(FILE_ID).unwrap(),
        secret_key: SecretKey::from_bytes(std::array::from_fn(|i| 0x80 + i as u8)),
        owner: owner(),
        created_at: Utc.with_ymd_and_hms(2025, 10, 27, 12, 0, 0).unwrap(),
        created_by: owner(),
        created_by_device: DeviceId::parse("DVCa1b2c3d4e5f6g7h8i").unwrap(),
        expires_at: Utc.with_ymd_and_hms(2099, 12, 31, 0, 0, 0).unwrap(),
        filename: "test.txt".into(),
        filesize: 4,
        mimetype: "text/plain".into(),
        title: None,
        description: None,
        tags: vec![],
        ownership_token: None,
        ownership_is_locked: false,
        is_own: true,
        content: with_content.then(|| FileContent {
            cipher_key: SecretKey::from_bytes(std::array::from_fn(|i| i as u8)),
            cipher_hash: FileHash::from_b64url(CIPHER_HASH_B).unwrap(),
            plaintext_hash: FileHash::from_b64url(PLAINTEXT_HASH_B).unwrap(),
            owner_signature: "c2ln".into(),
        }),
    }
}

fn deps(files: MockFileRepository, backbone_files: MockBackboneFiles) -> Dependencies {
    Dependencies {
        files: Arc::new(files),
        tokens: Arc::new(MockTokenRepository::new()),
        backbone: Arc::new(MockBackboneTokens::new()),
        backbone_files: Arc::new(backbone_files),
        password_hasher: Arc::new(MockPasswordHasher::new()),
        clock: Arc::new(MockClock::new()),
        random: Arc::new(MockRandomSource::new()),
        identity: ServiceIdentity {
            address: owner(),
            device_id: DeviceId::parse("DVCa1b2c3d4e5f6g7h8i").unwrap(),
        },
        device_key: Arc::new(SigningKeyPair::from_seed([9; 32])),
    }
}

fn storing(file: Option<File>) -> MockFileRepository {
    let mut files = MockFileRepository::new();
    files
        .expect_find_file()
        .returning(move |_| Ok(file.clone()));
    files
}

#[tokio::test]
async fn a_file_is_found_by_its_id_or_by_a_reference_and_never_asked_of_the_backbone() {
    // No expectation on the Backbone: any call fails the test.
    let get = GetFile::new(deps(storing(Some(file(true))), MockBackboneFiles::new()));
    for key in [FILE_ID, REFERENCE_A] {
        assert_eq!(
            get.execute(key).await.unwrap().id.as_str(),
            FILE_ID,
            "{key}"
        );
    }
}

#[tokio::test]
async fn what_names_no_file_is_refused_and_an_unknown_file_is_not_found() {
    let get = GetFile::new(deps(storing(None), MockBackboneFiles::new()));
    for refused in ["FILshort", "TOKa1b2c3d4e5f6g7h8i", "not a reference"] {
        assert!(
            matches!(get.execute(refused).await, Err(GetFileError::Validation(v)) if v.message == FILE_ID_MESSAGE),
            "{refused}"
        );
    }
    assert!(matches!(
        get.execute(FILE_ID).await,
        Err(GetFileError::NotFound)
    ));
}

#[tokio::test]
async fn a_download_is_checked_and_opened_as_the_runtime_does() {
    let mut backbone = MockBackboneFiles::new();
    backbone
        .expect_download_file()
        .times(1)
        .returning(|_, _| Ok(bytes::Bytes::from_static(CONTENT_B.as_bytes())));
    let downloaded = DownloadFile::new(deps(storing(Some(file(true))), backbone))
        .execute(FILE_ID, None)
        .await
        .unwrap();
    assert_eq!(downloaded.content.as_ref(), b"test");
    assert_eq!(
        (downloaded.filename.as_str(), downloaded.mimetype.as_str()),
        ("test.txt", "text/plain")
    );
}

#[tokio::test]
async fn bytes_that_are_not_the_uploaded_ones_are_refused() {
    let mut backbone = MockBackboneFiles::new();
    backbone
        .expect_download_file()
        .returning(|_, _| Ok(bytes::Bytes::from_static(b"{\"error\":{}}")));
    let error = DownloadFile::new(deps(storing(Some(file(true))), backbone))
        .execute(FILE_ID, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, DownloadFileError::Corrupt { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_file_gone_from_the_backbone_or_stored_without_content_says_so() {
    let mut backbone = MockBackboneFiles::new();
    backbone.expect_download_file().returning(|_, _| {
        Err(BackboneError::Rejected {
            code: "error.platform.recordNotFound".into(),
            message: "File not found.".into(),
        })
    });
    let error = DownloadFile::new(deps(storing(Some(file(true))), backbone))
        .execute(FILE_ID, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, DownloadFileError::GoneFromBackbone(_)),
        "{error:?}"
    );

    let error = DownloadFile::new(deps(storing(Some(file(false))), MockBackboneFiles::new()))
        .execute(FILE_ID, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, DownloadFileError::ContentNotStored(_)),
        "{error:?}"
    );
    let error = DownloadFile::new(deps(storing(None), MockBackboneFiles::new()))
        .execute(FILE_ID, None)
        .await
        .unwrap_err();
    assert!(matches!(error, DownloadFileError::NotFound), "{error:?}");
}

mod manage {
    use super::*;
    use crate::files::manage::{ManageFile, ManageFileError};

    #[tokio::test]
    async fn an_own_file_is_deleted_on_the_backbone_then_here_a_peers_only_here() {
        for is_own in [true, false] {
            let mut files = storing(Some(File {
                is_own,
                ..file(true)
            }));
            files.expect_delete_file().times(1).returning(|_| Ok(()));
            let mut backbone = MockBackboneFiles::new();
            backbone
                .expect_delete_file()
                .times(usize::from(is_own))
                .returning(|_, _| Ok(()));
            ManageFile::new(deps(files, backbone))
                .delete(FILE_ID, None)
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn a_refused_delete_forgets_nothing_and_says_why() {
        // No expectation of a local delete: a call fails the test.
        let files = storing(Some(file(true)));
        let mut backbone = MockBackboneFiles::new();
        backbone.expect_delete_file().returning(|_, _| {
            Err(BackboneError::Rejected {
                code: "error.platform.forbidden".into(),
                message: "You are not allowed to perform this action.".into(),
            })
        });
        let error = ManageFile::new(deps(files, backbone))
            .delete(FILE_ID, None)
            .await
            .unwrap_err();
        assert!(matches!(error, ManageFileError::Forbidden(_)), "{error:?}");
    }

    #[tokio::test]
    async fn a_new_ownership_token_is_kept_and_answered_unlocked() {
        let mut files = storing(Some(File {
            ownership_token: Some("old".into()),
            ownership_is_locked: true,
            ..file(true)
        }));
        files
            .expect_set_ownership_token()
            .times(1)
            .withf(|_, token| token == "new-token")
            .returning(|_, _| Ok(()));
        let mut backbone = MockBackboneFiles::new();
        backbone
            .expect_regenerate_ownership_token()
            .returning(|_, _| Ok("new-token".into()));
        let file = ManageFile::new(deps(files, backbone))
            .regenerate_ownership_token(FILE_ID, None)
            .await
            .unwrap();
        assert_eq!(file.ownership_token.as_deref(), Some("new-token"));
        assert!(!file.ownership_is_locked);
    }

    #[tokio::test]
    async fn unknown_files_are_not_found_without_a_backbone_call() {
        let error = ManageFile::new(deps(storing(None), MockBackboneFiles::new()))
            .delete(FILE_ID, None)
            .await
            .unwrap_err();
        assert!(matches!(error, ManageFileError::NotFound));
    }
}
