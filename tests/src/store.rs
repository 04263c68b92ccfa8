//! The database of one [`TestApp`](crate::TestApp): a fresh one of either engine, with the
//! repositories over it and the back doors tests need.

use std::sync::Arc;

use adapters_postgres::test_support::TestDatabase as PgTestDatabase;
use adapters_sqlite::test_support::TestDatabase as SqliteTestDatabase;
use application::ports::{FileRepository, TokenRepository};

/// The storage engines the service runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    Sqlite,
}

/// A fresh, migrated database, dropped (or deleted) with this value.
#[derive(Debug)]
pub enum TestStore {
    Postgres(PgTestDatabase),
    Sqlite(SqliteTestDatabase),
}

impl TestStore {
    pub fn create(engine: Engine) -> Self {
        match engine {
            Engine::Postgres => Self::Postgres(PgTestDatabase::create()),
            Engine::Sqlite => Self::Sqlite(SqliteTestDatabase::create()),
        }
    }

    /// `database.connectionString` for this database.
    pub fn connection_string(&self) -> String {
        match self {
            Self::Postgres(database) => database.url().to_owned(),
            Self::Sqlite(database) => format!("sqlite://{}", database.path().display()),
        }
    }

    pub fn files(&self) -> Arc<dyn FileRepository> {
        match self {
            Self::Postgres(database) => Arc::new(database.database().file_repository()),
            Self::Sqlite(database) => Arc::new(database.database().file_repository()),
        }
    }

    pub fn tokens(&self) -> Arc<dyn TokenRepository> {
        match self {
            Self::Postgres(database) => Arc::new(database.database().token_repository()),
            Self::Sqlite(database) => Arc::new(database.database().token_repository()),
        }
    }

    /// How many rows `table` holds.
    pub fn row_count(&self, table: &str) -> i64 {
        match self {
            Self::Postgres(database) => database.row_count(table),
            Self::Sqlite(database) => database.row_count(table),
        }
    }

    /// Runs `sql` behind the service's back; panics if the database refuses it.
    pub fn execute(&self, sql: &str) {
        match self {
            Self::Postgres(database) => database.execute(sql),
            Self::Sqlite(database) => database.execute(sql),
        }
    }

    /// The PostgreSQL test database; panics on SQLite.
    pub fn postgres(&self) -> &PgTestDatabase {
        match self {
            Self::Postgres(database) => database,
            Self::Sqlite(_) => panic!("this test runs on PostgreSQL"),
        }
    }
}
