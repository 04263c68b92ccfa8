//! The embedded migrations: concurrent start-up, reversibility, and the shared schema matching
//! them.

use adapters_diesel::checks;
use adapters_diesel::schema_check::Dialect;
use adapters_postgres::test_support::TestDatabase;
use diesel::dsl::sql;
use diesel::sql_types::BigInt;
use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, RunQueryDsl};

/// The tables in the `public` schema other than diesel's bookkeeping, sorted.
fn tables(test_db: &TestDatabase) -> Vec<String> {
    let mut connection =
        PgConnection::establish(test_db.url()).expect("the test database accepts connections");
    sql::<Text>(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' ORDER BY 1",
    )
    .load(&mut connection)
    .expect("listing the tables")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_starting_together_apply_each_migration_once() {
    let test_db = TestDatabase::create_empty();
    let (first, second) = (test_db.database(), test_db.database());

    let (first, second) = tokio::join!(first.run_migrations(), second.run_migrations());

    let (first, second) = (first.unwrap(), second.unwrap());
    // The advisory lock lets one apply everything; the other then finds nothing to do.
    assert!(
        first.is_empty() || second.is_empty(),
        "{first:?} / {second:?}"
    );
    assert!(!first.is_empty() || !second.is_empty());
    assert_eq!(
        tables(&test_db),
        ["files", "idempotency_keys", "identity", "tokens"]
    );
}

#[tokio::test]
async fn every_migration_reverts_cleanly_and_applies_again() {
    let test_db = TestDatabase::create_empty();
    let database = test_db.database();

    checks::every_migration_reverts_cleanly_and_applies_again(
        || database.run_migrations(),
        || test_db.revert_all_migrations(),
        || tables(&test_db),
    )
    .await;
}

#[test]
fn test_databases_are_cloned_fully_migrated_and_dropped_afterwards() {
    let test_db = TestDatabase::create();
    let name = test_db.name().to_owned();
    assert_eq!(
        tables(&test_db),
        ["files", "idempotency_keys", "identity", "tokens"]
    );

    drop(test_db);

    let other = TestDatabase::create_empty();
    let mut connection = PgConnection::establish(other.url()).unwrap();
    let remaining: i64 = sql::<BigInt>(&format!(
        "SELECT count(*) FROM pg_database WHERE datname = '{name}'"
    ))
    .get_result(&mut connection)
    .unwrap();
    assert_eq!(remaining, 0);
}

#[test]
fn the_schema_matches_the_migrated_database() {
    let test_db = TestDatabase::create();
    let mut connection =
        PgConnection::establish(test_db.url()).expect("the test database accepts connections");

    let columns = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
         udt_name::text AS sql_type, is_nullable = 'YES' AS nullable \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut connection)
    .expect("listing the columns");

    checks::the_schema_matches_the_migrated_database(Dialect::Postgres, columns);
}
