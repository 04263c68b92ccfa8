//! `FileRepository`: round trips (with content and without), duplicates, missing and corrupt
//! rows, content the database refuses.

use application::ports::RepositoryError;
use domain::File;

use crate::fixtures::{bare_file, file_id, full_file, time};
use crate::{FileContentColumn, Store, Tamper};

async fn assert_round_trip(store: &dyn Store, file: File) {
    let files = store.files();

    files.insert_file(&file).await.expect("stored");

    assert_eq!(
        files.find_file(&file.id).await.expect("read back"),
        Some(file)
    );
}

/// Its content too: the content key, both digests and the owner signature.
pub async fn a_file_with_every_field_set_reads_back_unchanged(store: &dyn Store) {
    assert_round_trip(store, full_file("FULLAAAAAAAAAAAAA")).await;
}

/// As Files stored before uploads existed (the demo Files): every other field set.
pub async fn a_file_without_content_reads_back_without_content(store: &dyn Store) {
    let file = File {
        content: None,
        ..full_file("NOCONTENTAAAAAAAA")
    };
    assert_round_trip(store, file).await;
}

pub async fn a_file_with_its_optional_fields_empty_reads_back_unchanged(store: &dyn Store) {
    assert_round_trip(store, bare_file("BAREAAAAAAAAAAAAA")).await;
}

pub async fn file_instants_keep_microseconds_and_drop_finer_digits(store: &dyn Store) {
    let files = store.files();
    let file = File {
        created_at: time("2025-01-02T03:04:05.123456789Z"),
        // Before 1970 (and 2000): the earlier microsecond, as after it.
        expires_at: time("1969-12-31T23:59:59.999999999Z"),
        ..full_file("NANOSAAAAAAAAAAAA")
    };

    files.insert_file(&file).await.expect("stored");

    let stored = files.find_file(&file.id).await.expect("read back");
    assert_eq!(
        stored,
        Some(File {
            created_at: time("2025-01-02T03:04:05.123456Z"),
            expires_at: time("1969-12-31T23:59:59.999999Z"),
            ..file
        })
    );
}

pub async fn file_instants_far_from_now_read_back_unchanged(store: &dyn Store) {
    let file = File {
        created_at: time("0001-01-01T00:00:00Z"),
        expires_at: time("9999-12-31T23:59:59.999999Z"),
        ..full_file("FARAAAAAAAAAAAAAA")
    };
    assert_round_trip(store, file).await;
}

pub async fn a_second_file_with_the_same_id_is_a_duplicate_and_changes_nothing(store: &dyn Store) {
    let files = store.files();
    let first = full_file("DUPLAAAAAAAAAAAAA");
    files.insert_file(&first).await.expect("stored");

    let second = bare_file("DUPLAAAAAAAAAAAAA");
    let error = files
        .insert_file(&second)
        .await
        .expect_err("a second File with the same id was stored");

    assert!(
        matches!(&error, RepositoryError::Duplicate(id) if id == "FILDUPLAAAAAAAAAAAAA"),
        "{error:?}"
    );
    assert_eq!(
        files.find_file(&first.id).await.expect("read back"),
        Some(first)
    );
    assert_eq!(store.row_count("files"), 1);
}

pub async fn a_missing_file_is_none(store: &dyn Store) {
    let files = store.files();
    files
        .insert_file(&full_file("OTHERAAAAAAAAAAAA"))
        .await
        .expect("stored");

    assert_eq!(
        files
            .find_file(&file_id("MISSINGAAAAAAAAAA"))
            .await
            .expect("looked up"),
        None
    );
}

pub async fn a_row_that_is_no_valid_file_is_corrupt(store: &dyn Store) {
    let files = store.files();
    store
        .tamper(Tamper::InsertFileWithInvalidOwner {
            id: "FILCORRUPTAAAAAAAAAA",
        })
        .expect("planted");

    let error = files
        .find_file(&file_id("CORRUPTAAAAAAAAAA"))
        .await
        .expect_err("a corrupt row read back as a File");

    match error {
        RepositoryError::Corrupt { id, reason } => {
            assert_eq!(id, "FILCORRUPTAAAAAAAAAA");
            assert!(reason.starts_with("owner:"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

/// A File's content is complete or absent, its key 32 bytes and its digests 64, whoever writes.
pub async fn the_database_refuses_partly_set_or_misshapen_file_content(store: &dyn Store) {
    let files = store.files();
    let with = full_file("CONTENTAAAAAAAAAA");
    let without = File {
        content: None,
        ..full_file("NOCONTENTAAAAAAAA")
    };
    files.insert_file(&with).await.expect("stored");
    files.insert_file(&without).await.expect("stored");
    let (with_id, without_id) = (with.id.as_str(), without.id.as_str());

    for column in FileContentColumn::ALL {
        let refused = store.tamper(Tamper::ClearFileContentColumn {
            id: with_id,
            column,
        });
        let message = refused.expect_err("content without one of its columns was stored");
        assert!(message.contains("files_content_all_or_none"), "{message}");
    }
    let refused = store.tamper(Tamper::SetOnlyTheOwnerSignature { id: without_id });
    let message = refused.expect_err("an owner signature without key and digests was stored");
    assert!(message.contains("files_content_all_or_none"), "{message}");
    for column in [
        FileContentColumn::CipherKey,
        FileContentColumn::CipherHash,
        FileContentColumn::PlaintextHash,
    ] {
        let refused = store.tamper(Tamper::ShortenFileContentColumn {
            id: with_id,
            column,
        });
        let message = refused.expect_err("a key or digest one byte short was stored");
        assert!(
            message.contains(column.name()) && message.to_lowercase().contains("check"),
            "{column:?}: {message}"
        );
    }

    assert_eq!(
        files.find_file(&with.id).await.expect("read back"),
        Some(with)
    );
    assert_eq!(
        files.find_file(&without.id).await.expect("read back"),
        Some(without)
    );
    assert_eq!(store.row_count("files"), 2);
}

/// Deleting forgets the File (and deleting it again, or one never stored, is no error).
pub async fn a_deleted_file_is_gone_and_deleting_again_is_no_error(store: &dyn Store) {
    let files = store.files();
    let file = full_file("DELETEDAAAAAAAAAA");
    files.insert_file(&file).await.expect("stored");
    let other = bare_file("KEPTAAAAAAAAAAAAA");
    files.insert_file(&other).await.expect("stored");

    files.delete_file(&file.id).await.expect("deleted");
    files
        .delete_file(&file.id)
        .await
        .expect("deleting again is no error");

    assert_eq!(files.find_file(&file.id).await.expect("read"), None);
    assert_eq!(files.find_file(&other.id).await.expect("read"), Some(other));
}

/// A new ownership token replaces the old one and lifts a lock; nothing else changes.
pub async fn a_new_ownership_token_replaces_the_old_and_unlocks(store: &dyn Store) {
    let files = store.files();
    let file = File {
        ownership_token: Some("old-token".into()),
        ownership_is_locked: true,
        ..full_file("REGENERATEAAAAAAA")
    };
    files.insert_file(&file).await.expect("stored");

    files
        .set_ownership_token(&file.id, "n3w!T0k3n@{}[]|~<>")
        .await
        .expect("updated");

    assert_eq!(
        files.find_file(&file.id).await.expect("read"),
        Some(File {
            ownership_token: Some("n3w!T0k3n@{}[]|~<>".into()),
            ownership_is_locked: false,
            ..file
        })
    );
}
