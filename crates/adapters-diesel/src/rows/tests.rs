use application::ports::RepositoryError;
use chrono::{TimeZone, Utc};
use domain::password::SALT_LEN;
use domain::{
    DeviceId, File, FileContent, FileHash, FileId, IdentityAddress, PasswordLocationIndicator,
    PasswordProtection, PasswordType, SecretKey, Token, TokenContentFile, TokenId,
};

use super::{FileRow, TokenRow};
use crate::sql_types::Decoded;

fn address(body: &str) -> IdentityAddress {
    IdentityAddress::from_parts("localhost", body).expect("a valid fixture")
}

fn file() -> File {
    File {
        id: FileId::from_random_part("AAAAAAAAAAAAAAAAA").expect("a valid fixture"),
        secret_key: SecretKey::from_bytes([1; 32]),
        owner: address("0123456789abcdef0123"),
        created_at: Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap(),
        created_by: address("0123456789abcdef0123"),
        created_by_device: DeviceId::from_random_part("AAAAAAAAAAAAAAAAA")
            .expect("a valid fixture"),
        expires_at: Utc.timestamp_opt(-1, 999_999_999).unwrap(),
        filename: "a.txt".to_owned(),
        filesize: 1,
        mimetype: "text/plain".to_owned(),
        title: None,
        description: None,
        tags: vec!["a".to_owned()],
        ownership_token: None,
        ownership_is_locked: false,
        is_own: true,
        content: None,
    }
}

fn file_with_content() -> File {
    File {
        content: Some(FileContent {
            cipher_key: SecretKey::from_bytes([5; 32]),
            cipher_hash: FileHash::from_bytes([6; 64]),
            plaintext_hash: FileHash::from_bytes([7; 64]),
            owner_signature: "c2lnbmF0dXJl".to_owned(),
        }),
        created_at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
        expires_at: Utc.timestamp_opt(1_800_000_000, 0).unwrap(),
        ..file()
    }
}

fn token_row() -> TokenRow {
    let token = Token {
        id: TokenId::from_random_part("AAAAAAAAAAAAAAAAA").expect("a valid fixture"),
        is_own: true,
        created_by: address("0123456789abcdef0123"),
        created_by_device: DeviceId::from_random_part("AAAAAAAAAAAAAAAAA")
            .expect("a valid fixture"),
        content: TokenContentFile {
            file_id: file().id,
            secret_key: SecretKey::from_bytes([2; 32]),
        }
        .into(),
        created_at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
        expires_at: Utc.timestamp_opt(1_800_000_000, 0).unwrap(),
        for_identity: None,
        password_protection: Some(PasswordProtection {
            password: "1234".to_owned(),
            password_type: PasswordType::Pin { digits: 4 },
            salt: [3; SALT_LEN],
            location_indicator: PasswordLocationIndicator::from_name("Letter"),
        }),
        secret_key: SecretKey::from_bytes([4; 32]),
    };
    TokenRow::from_domain(&token).expect("a storable token")
}

fn corrupt_column(error: RepositoryError) -> String {
    match error {
        RepositoryError::Corrupt { reason, .. } => {
            reason.split(':').next().unwrap_or_default().to_owned()
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn instants_keep_whole_microseconds_and_drop_the_rest_towards_the_past() {
    let record = FileRow::from_domain(&file()).unwrap();

    assert_eq!(
        record.created_at,
        Decoded::new(Utc.timestamp_opt(1_700_000_000, 123_456_000).unwrap())
    );
    // Before 1970 too: the earlier microsecond, not the one nearer to zero.
    assert_eq!(
        record.expires_at,
        Decoded::new(Utc.timestamp_opt(-1, 999_999_000).unwrap())
    );
}

#[test]
fn a_file_larger_than_a_signed_64_bit_integer_cannot_be_stored() {
    let file = File {
        filesize: u64::MAX,
        ..file()
    };
    assert!(matches!(
        FileRow::from_domain(&file),
        Err(RepositoryError::Unexpected(_))
    ));
}

#[test]
fn file_columns_that_are_no_valid_values_are_corrupt() {
    let record = FileRow::from_domain(&file()).unwrap();
    let cases = [
        (
            FileRow {
                secret_key: vec![0; 31],
                ..record.clone()
            },
            "secret_key",
        ),
        (
            FileRow {
                filesize: -1,
                ..record.clone()
            },
            "filesize",
        ),
        (
            FileRow {
                created_by_device: "device".to_owned(),
                ..record
            },
            "created_by_device",
        ),
    ];
    for (record, column) in cases {
        assert_eq!(corrupt_column(record.into_domain().unwrap_err()), column);
    }
}

#[test]
fn a_file_with_content_and_one_without_read_back_unchanged() {
    for file in [
        file_with_content(),
        File {
            content: None,
            ..file_with_content()
        },
    ] {
        let record = FileRow::from_domain(&file).unwrap();
        assert_eq!(record.into_domain().unwrap(), file);
    }
}

#[test]
fn content_columns_that_are_no_valid_content_are_corrupt() {
    let record = FileRow::from_domain(&file_with_content()).unwrap();
    let cases = [
        (
            FileRow {
                cipher_key: None,
                ..record.clone()
            },
            "cipher_key",
        ),
        (
            FileRow {
                plaintext_hash: None,
                owner_signature: None,
                ..record.clone()
            },
            "plaintext_hash",
        ),
        (
            FileRow {
                cipher_key: None,
                cipher_hash: None,
                plaintext_hash: None,
                ..record.clone()
            },
            "cipher_key",
        ),
        (
            FileRow {
                cipher_key: Some(vec![0; 33]),
                ..record.clone()
            },
            "cipher_key",
        ),
        (
            FileRow {
                cipher_hash: Some(vec![0; 63]),
                ..record.clone()
            },
            "cipher_hash",
        ),
        (
            FileRow {
                plaintext_hash: Some(Vec::new()),
                ..record
            },
            "plaintext_hash",
        ),
    ];
    for (record, column) in cases {
        assert_eq!(corrupt_column(record.into_domain().unwrap_err()), column);
    }
}

#[test]
fn a_token_row_reads_back_as_its_token() {
    let record = token_row();
    let token = record.clone().into_domain().unwrap();
    assert_eq!(TokenRow::from_domain(&token).unwrap(), record);
}

#[test]
fn password_columns_that_are_no_valid_protection_are_corrupt() {
    let record = token_row();
    let cases = [
        (
            TokenRow {
                password_salt: None,
                ..record.clone()
            },
            "password",
        ),
        (
            TokenRow {
                password: None,
                password_type: None,
                password_salt: None,
                ..record.clone()
            },
            "password",
        ),
        (
            TokenRow {
                password_type: Some("pin0".to_owned()),
                ..record.clone()
            },
            "password_type",
        ),
        (
            TokenRow {
                password_salt: Some(vec![0; 15]),
                ..record.clone()
            },
            "password_salt",
        ),
        (
            TokenRow {
                password_location_indicator: Some(-1),
                ..record
            },
            "password_location_indicator",
        ),
    ];
    for (record, column) in cases {
        assert_eq!(corrupt_column(record.into_domain().unwrap_err()), column);
    }
}
