//! The shared repository contract (`repository-contract`), run against PostgreSQL.

use std::sync::Arc;

use adapters_postgres::PgDatabase;
use adapters_postgres::test_support::TestDatabase;
use application::ports::IdentityRepository;
use diesel::connection::SimpleConnection;
use diesel::dsl::sql;
use diesel::sql_types::Binary;
use diesel::{Connection, PgConnection, RunQueryDsl};
use domain::SecretKey;
use repository_contract::{BackDoor, EngineStore};

/// A fresh database from the migrated template; its back doors in PostgreSQL's SQL.
struct PgBackDoor(TestDatabase);

impl PgBackDoor {
    fn connect(&self) -> PgConnection {
        PgConnection::establish(self.0.url()).expect("the test database accepts connections")
    }
}

impl BackDoor for PgBackDoor {
    fn row_count(&self, table: &str) -> i64 {
        self.0.row_count(table)
    }

    fn execute(&self, sql: &str) -> Result<(), String> {
        self.connect().batch_execute(sql).map_err(|e| e.to_string())
    }

    fn binary_column(&self, query: &str) -> Vec<Vec<u8>> {
        sql::<Binary>(query)
            .load(&mut self.connect())
            .unwrap_or_else(|e| panic!("`{query}` failed: {e}"))
    }

    fn open_identities(&self, secrets_key: SecretKey) -> Arc<dyn IdentityRepository> {
        let database = PgDatabase::new(&self.0.config()).expect("a valid test configuration");
        Arc::new(database.identity_repository(secrets_key))
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
        database.idempotency_repository(),
    )
}

repository_contract::repository_contract_tests!(store());
