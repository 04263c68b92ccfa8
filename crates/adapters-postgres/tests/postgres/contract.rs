//! The shared repository contract (`repository-contract`), run against PostgreSQL.

use adapters_postgres::test_support::TestDatabase;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use repository_contract::{BackDoor, EngineStore};

/// A fresh database from the migrated template; its back doors in PostgreSQL's SQL.
struct PgBackDoor(TestDatabase);

impl BackDoor for PgBackDoor {
    fn row_count(&self, table: &str) -> i64 {
        self.0.row_count(table)
    }

    fn execute(&self, sql: &str) -> Result<(), String> {
        let mut connection =
            PgConnection::establish(self.0.url()).expect("the test database accepts connections");
        connection.batch_execute(sql).map_err(|e| e.to_string())
    }

    fn insert_file_with_invalid_owner(&self, id: &str) -> String {
        format!(
            "INSERT INTO files (id, secret_key, owner, created_at, created_by, \
             created_by_device, expires_at, filename, filesize, mimetype, is_own) \
             VALUES ('{id}', decode(repeat('00', 32), 'hex'), 'not-an-address', now(), \
             'not-an-address', 'DVCAAAAAAAAAAAAAAAAA', now(), 'a.txt', 1, 'text/plain', true)"
        )
    }
}

/// A fresh database with repositories over it.
fn store() -> EngineStore<PgBackDoor> {
    let test_db = TestDatabase::create();
    let database = test_db.database();
    EngineStore::new(
        PgBackDoor(test_db),
        database.file_repository(),
        database.token_repository(),
    )
}

repository_contract::repository_contract_tests!(store());
