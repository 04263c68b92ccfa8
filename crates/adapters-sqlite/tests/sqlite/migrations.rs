//! The embedded migrations: concurrent start-up, reversibility, the shared schema matching them,
//! and a schema as strict as PostgreSQL's.

use adapters_diesel::checks;
use adapters_diesel::schema_check::Dialect;
use adapters_sqlite::test_support::TestDatabase;
use diesel::RunQueryDsl;
use diesel::dsl::sql;
use diesel::sql_types::Text;

/// The tables other than diesel's and SQLite's bookkeeping, sorted.
fn tables(test_db: &TestDatabase) -> Vec<String> {
    sql::<Text>(
        "SELECT name FROM sqlite_schema WHERE type = 'table' \
         AND name <> '__diesel_schema_migrations' AND name NOT LIKE 'sqlite_%' ORDER BY 1",
    )
    .load(&mut test_db.connect())
    .expect("listing the tables")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_apply_each_migration_once() {
    // Several rounds: a race lost only now and then must still show.
    for _ in 0..5 {
        let test_db = TestDatabase::create_empty();
        let (first, second, third) = (test_db.database(), test_db.database(), test_db.database());

        let (first, second, third) = tokio::join!(
            first.run_migrations(),
            second.run_migrations(),
            third.run_migrations()
        );

        let runs = [first.unwrap(), second.unwrap(), third.unwrap()];
        // The write lock lets one apply everything; the others then find nothing to do.
        assert_eq!(
            runs.iter().filter(|applied| !applied.is_empty()).count(),
            1,
            "{runs:?}"
        );
        assert_eq!(
            tables(&test_db),
            ["files", "idempotency_keys", "identity", "tokens"]
        );
    }
}

#[tokio::test]
async fn every_migration_reverts_cleanly_and_applies_again() {
    let test_db = TestDatabase::create_empty();
    let database = test_db.database();

    let applied = checks::every_migration_reverts_cleanly_and_applies_again(
        || database.run_migrations(),
        || test_db.revert_all_migrations(),
        || tables(&test_db),
    )
    .await;

    assert_eq!(applied.len(), 6);
}

#[test]
fn the_migrations_carry_the_versions_of_the_postgresql_ones() {
    let test_db = TestDatabase::create();
    let versions: Vec<String> =
        sql::<Text>("SELECT version FROM __diesel_schema_migrations ORDER BY 1")
            .load(&mut test_db.connect())
            .unwrap();
    assert_eq!(
        versions,
        [
            "20251127100000",
            "20251127100100",
            "20261203100000",
            "20261203110000",
            "20261204100000",
            "20261204200000"
        ]
    );
}

#[test]
fn values_of_the_wrong_type_or_shape_are_refused() {
    let test_db = TestDatabase::create();
    test_db.execute(
        "INSERT INTO files (id, secret_key, owner, created_at, created_by, created_by_device, \
         expires_at, filename, filesize, mimetype, is_own) VALUES ('FILAAAAAAAAAAAAAAAAA', \
         zeroblob(32), 'o', 0, 'c', 'd', 0, 'a.txt', 1, 'text/plain', 1)",
    );
    let refused = [
        (
            "UPDATE files SET created_at = '2025-01-01T00:00:00Z'",
            "cannot store TEXT value in INTEGER column",
        ),
        (
            "UPDATE files SET secret_key = zeroblob(31)",
            "CHECK constraint failed",
        ),
        (
            "UPDATE files SET secret_key = 'thirty-two characters, no blob!'",
            "cannot store TEXT value in BLOB column",
        ),
        ("UPDATE files SET filesize = -1", "CHECK constraint failed"),
        (
            "UPDATE files SET tags = '{\"a\":1}'",
            "CHECK constraint failed",
        ),
        (
            "UPDATE files SET tags = 'not json'",
            "CHECK constraint failed",
        ),
        ("UPDATE files SET is_own = 2", "CHECK constraint failed"),
        (
            "UPDATE files SET owner = NULL",
            "NOT NULL constraint failed",
        ),
        (
            "UPDATE files SET cipher_key = 'thirty-two characters, no blob!', \
             cipher_hash = zeroblob(64), plaintext_hash = zeroblob(64), owner_signature = 's'",
            "cannot store TEXT value in BLOB column",
        ),
        (
            "UPDATE files SET cipher_key = zeroblob(32), cipher_hash = zeroblob(64), \
             plaintext_hash = zeroblob(64), owner_signature = zeroblob(1)",
            "cannot store BLOB value in TEXT column",
        ),
    ];
    for (statement, expected) in refused {
        let message = test_db.try_execute(statement).unwrap_err();
        assert!(message.contains(expected), "{statement}: {message}");
    }
}

#[test]
fn the_schema_matches_the_migrated_database() {
    let test_db = TestDatabase::create();

    let columns = diesel::sql_query(
        "SELECT t.name AS table_name, c.name AS column_name, c.type AS sql_type, \
         c.\"notnull\" = 0 AS nullable \
         FROM sqlite_schema AS t JOIN pragma_table_info(t.name) AS c \
         WHERE t.type = 'table' AND t.name <> '__diesel_schema_migrations' \
         AND t.name NOT LIKE 'sqlite_%'",
    )
    .load(&mut test_db.connect())
    .expect("listing the columns");

    checks::the_schema_matches_the_migrated_database(Dialect::Sqlite, columns);
}
