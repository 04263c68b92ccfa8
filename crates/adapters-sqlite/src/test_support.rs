//! Fresh SQLite databases for tests: each [`TestDatabase`] is a new file in a temporary
//! directory of its own, removed (with its WAL files) when the guard drops. Migrating a new file
//! takes milliseconds, so there is no template to clone.

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::dsl::sql;
use diesel::sql_types::BigInt;
use diesel::{Connection, RunQueryDsl, SqliteConnection};
use diesel_migrations::MigrationHarness;
use tempfile::TempDir;

use adapters_diesel::blocking::Engine;

use crate::Sqlite;
use crate::database::MIGRATIONS;
use crate::{SqliteConfig, SqliteDatabase};

const FILE_NAME: &str = "connector.sqlite";
const TEST_POOL_SIZE: u32 = 4;
const TEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A database file of its own for one test, deleted with its directory when this guard drops.
#[derive(Debug)]
pub struct TestDatabase {
    directory: TempDir,
    path: PathBuf,
}

impl TestDatabase {
    /// A fresh database with every migration applied.
    ///
    /// # Panics
    /// If the temporary directory cannot be created or a migration fails.
    pub fn create() -> Self {
        let test_db = Self::create_empty();
        Sqlite::migrate(&mut test_db.connect())
            .unwrap_or_else(|e| panic!("migrating the test database failed: {e:?}"));
        test_db
    }

    /// A path for a database file that does not exist yet, for testing the migrations
    /// themselves.
    ///
    /// # Panics
    /// If the temporary directory cannot be created.
    pub fn create_empty() -> Self {
        let directory = tempfile::Builder::new()
            .prefix("adapters-sqlite-test-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
        let path = directory.path().join(FILE_NAME);
        Self { directory, path }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary directory holding the file.
    pub fn directory(&self) -> &Path {
        self.directory.path()
    }

    /// A configuration with a small pool and no idle connections.
    pub fn config(&self) -> SqliteConfig {
        SqliteConfig {
            max_pool_size: TEST_POOL_SIZE,
            min_idle: 0,
            connection_timeout: TEST_TIMEOUT,
            busy_timeout: TEST_TIMEOUT,
            ..SqliteConfig::default()
        }
    }

    /// A [`SqliteDatabase`] over this file with [`TestDatabase::config`].
    ///
    /// # Panics
    /// Never for this configuration and directory.
    pub fn database(&self) -> SqliteDatabase {
        SqliteDatabase::open(&self.path, &self.config())
            .unwrap_or_else(|e| panic!("cannot open the test database: {e}"))
    }

    /// A connection of its own, outside any pool, that waits for locks as the pool's do.
    ///
    /// # Panics
    /// If the file cannot be opened.
    pub fn connect(&self) -> SqliteConnection {
        let url = self.path.to_str().expect("temporary paths are UTF-8");
        let mut connection = SqliteConnection::establish(url)
            .unwrap_or_else(|e| panic!("cannot open the test database: {e}"));
        connection
            .batch_execute(&format!(
                "PRAGMA busy_timeout = {};",
                TEST_TIMEOUT.as_millis()
            ))
            .unwrap_or_else(|e| panic!("cannot configure the test connection: {e}"));
        connection
    }

    /// Runs raw SQL (one or more statements), e.g. to plant a row that the repositories would
    /// never write.
    ///
    /// # Errors
    /// SQLite's message if the SQL fails.
    pub fn try_execute(&self, sql: &str) -> Result<(), String> {
        self.connect().batch_execute(sql).map_err(|e| e.to_string())
    }

    /// As [`TestDatabase::try_execute`].
    ///
    /// # Panics
    /// If the SQL fails.
    pub fn execute(&self, sql: &str) {
        self.try_execute(sql)
            .unwrap_or_else(|e| panic!("`{sql}` failed: {e}"));
    }

    /// How many rows `table` holds.
    ///
    /// # Panics
    /// If the table does not exist.
    pub fn row_count(&self, table: &str) -> i64 {
        sql::<BigInt>(&format!("SELECT count(*) FROM \"{table}\""))
            .get_result(&mut self.connect())
            .unwrap_or_else(|e| panic!("cannot count the rows of {table}: {e}"))
    }

    /// Reverts the newest applied migration, running its `down.sql`; returns its version.
    ///
    /// # Panics
    /// If no migration is applied or the `down.sql` fails.
    pub fn revert_last_migration(&self) -> String {
        self.connect()
            .revert_last_migration(MIGRATIONS)
            .unwrap_or_else(|e| panic!("reverting the last migration failed: {e}"))
            .to_string()
    }

    /// Reverts every applied migration, newest first, running each `down.sql`; returns the
    /// reverted versions.
    ///
    /// # Panics
    /// If a `down.sql` fails.
    pub fn revert_all_migrations(&self) -> Vec<String> {
        self.connect()
            .revert_all_migrations(MIGRATIONS)
            .unwrap_or_else(|e| panic!("reverting the migrations failed: {e}"))
            .iter()
            .map(ToString::to_string)
            .collect()
    }
}
