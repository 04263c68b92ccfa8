//! The shared repository contract (`repository-contract`), run against PostgreSQL.

use std::sync::Arc;

use adapters_postgres::test_support::TestDatabase;
use application::ports::{FileRepository, TokenRepository};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use repository_contract::{Store, Tamper};

/// A fresh database from the migrated template, with repositories over it.
struct PgStore {
    test_db: TestDatabase,
    files: Arc<dyn FileRepository>,
    tokens: Arc<dyn TokenRepository>,
}

impl PgStore {
    fn create() -> Self {
        let test_db = TestDatabase::create();
        let database = test_db.database();
        Self {
            files: Arc::new(database.file_repository()),
            tokens: Arc::new(database.token_repository()),
            test_db,
        }
    }
}

impl Store for PgStore {
    fn files(&self) -> Arc<dyn FileRepository> {
        self.files.clone()
    }

    fn tokens(&self) -> Arc<dyn TokenRepository> {
        self.tokens.clone()
    }

    fn row_count(&self, table: &str) -> i64 {
        self.test_db.row_count(table)
    }

    fn tamper(&self, tamper: Tamper<'_>) -> Result<(), String> {
        let sql = match tamper {
            Tamper::InsertFileWithInvalidOwner { id } => format!(
                "INSERT INTO files (id, secret_key, owner, created_at, created_by, \
                 created_by_device, expires_at, filename, filesize, mimetype, is_own) \
                 VALUES ('{id}', decode(repeat('00', 32), 'hex'), 'not-an-address', now(), \
                 'not-an-address', 'DVCAAAAAAAAAAAAAAAAA', now(), 'a.txt', 1, 'text/plain', true)"
            ),
            Tamper::ReplaceTokenContentWithTemplate { id } => format!(
                r#"UPDATE tokens SET content = '{{"@type":"TokenContentRelationshipTemplate"}}' WHERE id = '{id}'"#
            ),
            Tamper::SetOnlyThePassword => "UPDATE tokens SET password = 'secret'".to_owned(),
        };
        let mut connection = PgConnection::establish(self.test_db.url())
            .expect("the test database accepts connections");
        connection.batch_execute(&sql).map_err(|e| e.to_string())
    }
}

repository_contract::repository_contract_tests!(PgStore::create());
