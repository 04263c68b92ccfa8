//! `PgTokenRepository`.

use adapters_postgres::test_support::TestDatabase;
use application::ports::{RepositoryError, TokenRepository};
use diesel::{Connection, PgConnection, RunQueryDsl};
use domain::{PasswordLocationIndicator, PasswordProtection, PasswordType, Token};

use crate::fixtures::{address, plain_token, token_id};

async fn round_trip(token: Token) {
    let test_db = TestDatabase::create();
    let tokens = test_db.database().token_repository();

    tokens.insert_token(&token).await.expect("stored");

    assert_eq!(
        tokens.find_token(&token.id).await.expect("read back"),
        Some(token)
    );
}

#[tokio::test]
async fn a_token_without_password_reads_back_unchanged() {
    round_trip(plain_token("PLAINAAAAAAAAAAAA")).await;
}

#[tokio::test]
async fn a_token_for_one_identity_reads_back_unchanged() {
    let token = Token {
        for_identity: Some(address("fedcba9876543210fedc")),
        ..plain_token("PERSONALAAAAAAAAA")
    };
    round_trip(token).await;
}

#[tokio::test]
async fn a_password_protected_token_reads_back_unchanged() {
    let protection = PasswordProtection {
        password: "correct horse battery staple".to_owned(),
        password_type: PasswordType::Password,
        salt: *b"a16byteslongsalt",
        location_indicator: None,
    };
    round_trip(Token {
        password_protection: Some(protection),
        ..plain_token("PASSWORDAAAAAAAAA")
    })
    .await;
}

#[tokio::test]
async fn a_pin_protected_token_keeps_its_named_location_indicator() {
    let protection = PasswordProtection {
        password: "0042".to_owned(),
        password_type: PasswordType::Pin { digits: 4 },
        salt: [7; 16],
        location_indicator: PasswordLocationIndicator::from_name("Letter"),
    };
    let token = Token {
        password_protection: Some(protection),
        for_identity: Some(address("fedcba9876543210fedc")),
        ..plain_token("PINAAAAAAAAAAAAAA")
    };
    round_trip(token).await;
}

#[tokio::test]
async fn a_pin_protected_token_keeps_its_free_location_indicator() {
    let protection = PasswordProtection {
        password: "1234567890123456".to_owned(),
        password_type: PasswordType::Pin { digits: 16 },
        salt: [0xff; 16],
        location_indicator: PasswordLocationIndicator::from_free_number(99),
    };
    round_trip(Token {
        password_protection: Some(protection),
        ..plain_token("PIN16AAAAAAAAAAAA")
    })
    .await;
}

#[tokio::test]
async fn a_second_token_with_the_same_id_is_a_duplicate() {
    let test_db = TestDatabase::create();
    let tokens = test_db.database().token_repository();
    let token = plain_token("DUPLAAAAAAAAAAAAA");
    tokens.insert_token(&token).await.unwrap();

    let error = tokens.insert_token(&token).await.unwrap_err();

    assert!(
        matches!(&error, RepositoryError::Duplicate(id) if id == "TOKDUPLAAAAAAAAAAAAA"),
        "{error:?}"
    );
    assert_eq!(test_db.row_count("tokens"), 1);
}

#[tokio::test]
async fn a_missing_token_is_none() {
    let test_db = TestDatabase::create();
    let tokens = test_db.database().token_repository();
    tokens
        .insert_token(&plain_token("OTHERAAAAAAAAAAAA"))
        .await
        .unwrap();

    assert_eq!(
        tokens
            .find_token(&token_id("MISSINGAAAAAAAAAA"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_row_whose_content_is_no_file_pointer_is_corrupt() {
    let test_db = TestDatabase::create();
    let tokens = test_db.database().token_repository();
    tokens
        .insert_token(&plain_token("CORRUPTAAAAAAAAAA"))
        .await
        .unwrap();
    test_db.execute(
        r#"UPDATE tokens SET content = '{"@type":"TokenContentRelationshipTemplate"}' WHERE id = 'TOKCORRUPTAAAAAAAAAA'"#,
    );

    let error = tokens
        .find_token(&token_id("CORRUPTAAAAAAAAAA"))
        .await
        .unwrap_err();

    match error {
        RepositoryError::Corrupt { id, reason } => {
            assert_eq!(id, "TOKCORRUPTAAAAAAAAAA");
            assert!(reason.starts_with("content:"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[tokio::test]
async fn the_database_refuses_a_partly_set_password_protection() {
    let test_db = TestDatabase::create();
    let tokens = test_db.database().token_repository();
    tokens
        .insert_token(&plain_token("PARTLYAAAAAAAAAAA"))
        .await
        .unwrap();
    let mut connection = PgConnection::establish(test_db.url()).unwrap();

    let result =
        diesel::sql_query("UPDATE tokens SET password = 'secret'").execute(&mut connection);

    let message = result.unwrap_err().to_string();
    assert!(message.contains("tokens_password_all_or_none"), "{message}");
}
