//! `PgFileRepository`.

use adapters_postgres::test_support::TestDatabase;
use application::ports::{FileRepository, RepositoryError};

use crate::fixtures::{bare_file, file_id, full_file};

#[tokio::test]
async fn a_file_with_every_field_set_reads_back_unchanged() {
    let test_db = TestDatabase::create();
    let files = test_db.database().file_repository();
    let file = full_file("FULLAAAAAAAAAAAAA");

    files.insert_file(&file).await.unwrap();

    assert_eq!(files.find_file(&file.id).await.unwrap(), Some(file));
}

#[tokio::test]
async fn a_file_with_its_optional_fields_empty_reads_back_unchanged() {
    let test_db = TestDatabase::create();
    let files = test_db.database().file_repository();
    let file = bare_file("BAREAAAAAAAAAAAAA");

    files.insert_file(&file).await.unwrap();

    assert_eq!(files.find_file(&file.id).await.unwrap(), Some(file));
}

#[tokio::test]
async fn a_second_file_with_the_same_id_is_a_duplicate_and_changes_nothing() {
    let test_db = TestDatabase::create();
    let files = test_db.database().file_repository();
    let first = full_file("DUPLAAAAAAAAAAAAA");
    files.insert_file(&first).await.unwrap();

    let second = bare_file("DUPLAAAAAAAAAAAAA");
    let error = files.insert_file(&second).await.unwrap_err();

    assert!(
        matches!(&error, RepositoryError::Duplicate(id) if id == "FILDUPLAAAAAAAAAAAAA"),
        "{error:?}"
    );
    assert_eq!(files.find_file(&first.id).await.unwrap(), Some(first));
    assert_eq!(test_db.row_count("files"), 1);
}

#[tokio::test]
async fn a_missing_file_is_none() {
    let test_db = TestDatabase::create();
    let files = test_db.database().file_repository();
    files
        .insert_file(&full_file("OTHERAAAAAAAAAAAA"))
        .await
        .unwrap();

    assert_eq!(
        files
            .find_file(&file_id("MISSINGAAAAAAAAAA"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_row_that_is_no_valid_file_is_corrupt() {
    let test_db = TestDatabase::create();
    let files = test_db.database().file_repository();
    test_db.execute(
        "INSERT INTO files (id, secret_key, owner, created_at, created_by, created_by_device, expires_at, \
         filename, filesize, mimetype, is_own) \
         VALUES ('FILCORRUPTAAAAAAAAAA', decode(repeat('00', 32), 'hex'), 'not-an-address', now(), \
         'not-an-address', 'DVCAAAAAAAAAAAAAAAAA', now(), 'a.txt', 1, 'text/plain', true)",
    );

    let error = files
        .find_file(&file_id("CORRUPTAAAAAAAAAA"))
        .await
        .unwrap_err();

    match error {
        RepositoryError::Corrupt { id, reason } => {
            assert_eq!(id, "FILCORRUPTAAAAAAAAAA");
            assert!(reason.starts_with("owner:"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}
