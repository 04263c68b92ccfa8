//! The shared repository contract (`repository-contract`), run against SQLite.

use std::sync::Arc;

use adapters_sqlite::test_support::TestDatabase;
use application::ports::IdentityRepository;
use diesel::RunQueryDsl;
use diesel::dsl::sql;
use diesel::sql_types::Binary;
use domain::SecretKey;
use repository_contract::{BackDoor, EngineStore};

/// A fresh, migrated database file; its back doors in SQLite's SQL.
struct SqliteBackDoor(TestDatabase);

impl BackDoor for SqliteBackDoor {
    fn row_count(&self, table: &str) -> i64 {
        self.0.row_count(table)
    }

    fn execute(&self, sql: &str) -> Result<(), String> {
        self.0.try_execute(sql)
    }

    fn binary_column(&self, query: &str) -> Vec<Vec<u8>> {
        sql::<Binary>(query)
            .load(&mut self.0.connect())
            .unwrap_or_else(|e| panic!("`{query}` failed: {e}"))
    }

    /// A new handle (pool) on the same file, as a second process would open it.
    fn open_identities(&self, secrets_key: SecretKey) -> Arc<dyn IdentityRepository> {
        Arc::new(self.0.database().identity_repository(secrets_key))
    }

    fn insert_file_with_invalid_owner(&self, id: &str) -> String {
        format!(
            "INSERT INTO files (id, secret_key, owner, created_at, created_by, \
             created_by_device, expires_at, filename, filesize, mimetype, is_own) \
             VALUES ('{id}', zeroblob(32), 'not-an-address', 0, 'not-an-address', \
             'DVCAAAAAAAAAAAAAAAAA', 0, 'a.txt', 1, 'text/plain', 1)"
        )
    }
}

/// A fresh database file with repositories over it.
fn store() -> EngineStore<SqliteBackDoor> {
    let test_db = TestDatabase::create();
    let database = test_db.database();
    EngineStore::new(
        SqliteBackDoor(test_db),
        database.file_repository(),
        database.token_repository(),
        database.idempotency_repository(),
    )
}

repository_contract::repository_contract_tests!(store());
