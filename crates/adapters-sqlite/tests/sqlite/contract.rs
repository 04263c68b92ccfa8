//! The shared repository contract (`repository-contract`), run against SQLite.

use std::sync::Arc;

use adapters_sqlite::test_support::TestDatabase;
use application::ports::{FileRepository, TokenRepository};
use repository_contract::{Store, Tamper};

/// A fresh, migrated database file, with repositories over it.
struct SqliteStore {
    test_db: TestDatabase,
    files: Arc<dyn FileRepository>,
    tokens: Arc<dyn TokenRepository>,
}

impl SqliteStore {
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

impl Store for SqliteStore {
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
                 VALUES ('{id}', zeroblob(32), 'not-an-address', 0, 'not-an-address', \
                 'DVCAAAAAAAAAAAAAAAAA', 0, 'a.txt', 1, 'text/plain', 1)"
            ),
            Tamper::ReplaceTokenContentWithTemplate { id } => format!(
                r#"UPDATE tokens SET content = '{{"@type":"TokenContentRelationshipTemplate"}}' WHERE id = '{id}'"#
            ),
            Tamper::SetOnlyThePassword => "UPDATE tokens SET password = 'secret'".to_owned(),
        };
        self.test_db.try_execute(&sql)
    }
}

repository_contract::repository_contract_tests!(SqliteStore::create());
