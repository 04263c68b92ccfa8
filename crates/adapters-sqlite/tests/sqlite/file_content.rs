//! The `files` rebuild of migration 2026-12-03-110000_file_content on the database a release
//! left behind (`tests/fixtures/local-mode-fb80814`, read only: copied into a fresh directory):
//! every row and index is kept and the demo File reads back without content; reverting restores
//! the table the release had, keeping every row.

use adapters_sqlite::test_support::TestDatabase;
use application::ports::FileRepository;
use diesel::RunQueryDsl;
use diesel::dsl::sql;
use diesel::sql_types::Text;
use domain::{File, FileId};
use repository_contract::fixtures::full_file;

const RELEASE_DATABASE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/local-mode-fb80814/data/connector.sqlite"
);
const DEMO_FILE: &str = "FILPqfi2HIzgvQddu7fU";
const FILE_CONTENT: &str = "20261203110000";

/// A copy of the release's database in a directory of its own.
fn release_database() -> TestDatabase {
    let test_db = TestDatabase::create_empty();
    std::fs::copy(RELEASE_DATABASE, test_db.path()).expect("the fixture is readable");
    test_db
}

fn texts(test_db: &TestDatabase, query: &str) -> Vec<String> {
    sql::<Text>(query)
        .load(&mut test_db.connect())
        .unwrap_or_else(|e| panic!("`{query}` failed: {e}"))
}

/// Every value of the release's columns, one JSON array per row, by id.
fn release_columns(test_db: &TestDatabase) -> Vec<String> {
    texts(
        test_db,
        "SELECT json_array(id, hex(secret_key), owner, created_at, created_by, \
         created_by_device, expires_at, filename, filesize, mimetype, title, description, tags, \
         ownership_token, ownership_is_locked, is_own) FROM files ORDER BY id",
    )
}

/// The definitions of the table and its indexes. Renaming the rebuilt table makes SQLite quote
/// its name, which is all that may differ.
fn definitions(test_db: &TestDatabase) -> Vec<String> {
    texts(
        test_db,
        "SELECT type || ' ' || name || ': ' || \
         replace(sql, 'CREATE TABLE \"files\"', 'CREATE TABLE files') \
         FROM sqlite_schema WHERE tbl_name = 'files' ORDER BY type, name",
    )
}

fn index_names(test_db: &TestDatabase) -> Vec<String> {
    texts(
        test_db,
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'files' \
         ORDER BY name",
    )
}

fn assert_intact(test_db: &TestDatabase) {
    assert_eq!(texts(test_db, "PRAGMA integrity_check"), ["ok"]);
}

#[tokio::test]
async fn the_release_keeps_its_files_and_indexes_and_its_demo_file_has_no_content() {
    let test_db = release_database();
    let (rows, indexes) = (release_columns(&test_db), index_names(&test_db));
    assert_eq!(rows.len(), 1, "the demo File: {rows:?}");
    let database = test_db.database();

    let applied = database
        .run_migrations()
        .await
        .expect("the migrations apply");

    assert!(
        applied.iter().any(|version| version == FILE_CONTENT),
        "{applied:?}"
    );
    assert_eq!(release_columns(&test_db), rows);
    assert_eq!(index_names(&test_db), indexes);
    assert_eq!(
        indexes,
        ["files_expires_at_idx", "files_owner_created_at_idx"]
    );
    assert_intact(&test_db);
    let demo = database
        .file_repository()
        .find_file(&FileId::parse(DEMO_FILE).unwrap())
        .await
        .expect("read back")
        .expect("the demo File is still stored");
    assert_eq!(demo.content, None);
}

#[tokio::test]
async fn reverting_restores_the_releases_table_and_keeps_every_file() {
    let test_db = release_database();
    let before = definitions(&test_db);
    let database = test_db.database();
    database
        .run_migrations()
        .await
        .expect("the migrations apply");
    let uploaded = full_file("UPLOADEDAAAAAAAAA");
    database
        .file_repository()
        .insert_file(&uploaded)
        .await
        .expect("stored");
    let rows = release_columns(&test_db);

    // The later migrations first, newest first, then this one.
    while test_db.revert_last_migration() != FILE_CONTENT {}

    assert_eq!(definitions(&test_db), before);
    assert_eq!(release_columns(&test_db), rows);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_intact(&test_db);

    // Applied again, the Files are there; what the revert dropped is gone.
    let applied = database.run_migrations().await.expect("applies again");
    assert_eq!(applied.first().map(String::as_str), Some(FILE_CONTENT));
    assert_eq!(
        database
            .file_repository()
            .find_file(&uploaded.id)
            .await
            .expect("read back"),
        Some(File {
            content: None,
            ..uploaded
        })
    );
}
