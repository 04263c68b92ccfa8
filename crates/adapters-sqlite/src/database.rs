//! Opening SQLite: the database file, its connection pool and per-connection settings, and the
//! embedded migrations; the rest of [`SqliteDatabase`] is the shared handle's.
//!
//! Settings ([`SqliteConfig`]), each with a named default:
//! - `max_pool_size` ([`DEFAULT_MAX_POOL_SIZE`]): connections open at most (WAL lets readers
//!   run beside the one writer);
//! - `min_idle` ([`DEFAULT_MIN_IDLE`]): connections kept open while idle;
//! - `connection_timeout` ([`DEFAULT_CONNECTION_TIMEOUT`]): how long a query waits for a pooled
//!   connection before failing as unavailable;
//! - `busy_timeout` ([`DEFAULT_BUSY_TIMEOUT`]): how long a write waits for another connection's
//!   write lock (SQLite allows one writer) before failing as unavailable;
//! - `health_check_timeout` ([`DEFAULT_HEALTH_CHECK_TIMEOUT`]): how long `/health` waits.
//!
//! Every connection gets `journal_mode = WAL` (readers never wait for the writer),
//! `busy_timeout`, `foreign_keys = ON` (off by default in SQLite, on in PostgreSQL), and a
//! Unicode `lower()` for the File filters (`adapters_diesel::filter_sql`).

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::Duration;
use std::{fmt, fs, io};

use adapters_diesel::DieselDatabase;
use adapters_diesel::database;
use adapters_diesel::pool::{CheckedConnections, TrackedConnection};
use diesel::SqliteConnection;
use diesel::connection::SimpleConnection;
use diesel::r2d2::CustomizeConnection;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};

/// Why [`DieselDatabase::run_migrations`] failed; shared with the PostgreSQL adapters.
pub use adapters_diesel::MigrationError;
/// A [`SqliteConfig`] the pool cannot work with; shared with the PostgreSQL adapters.
pub use adapters_diesel::PoolConfigError as SqliteConfigError;

use crate::blocking::Sqlite;

pub const DEFAULT_MAX_POOL_SIZE: u32 = 10;
pub const DEFAULT_MIN_IDLE: u32 = 1;
pub const DEFAULT_CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_HEALTH_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

pub(crate) const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// How to use the database file. Holds no secret: a path is all SQLite needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteConfig {
    pub max_pool_size: u32,
    pub min_idle: u32,
    pub connection_timeout: Duration,
    pub busy_timeout: Duration,
    pub health_check_timeout: Duration,
}

impl Default for SqliteConfig {
    fn default() -> Self {
        Self {
            max_pool_size: DEFAULT_MAX_POOL_SIZE,
            min_idle: DEFAULT_MIN_IDLE,
            connection_timeout: DEFAULT_CONNECTION_TIMEOUT,
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            health_check_timeout: DEFAULT_HEALTH_CHECK_TIMEOUT,
        }
    }
}

impl SqliteConfig {
    fn validate(&self) -> Result<(), SqliteConfigError> {
        database::validate_pool_config(
            self.max_pool_size,
            self.min_idle,
            &[
                self.connection_timeout,
                self.busy_timeout,
                self.health_check_timeout,
            ],
        )
    }
}

/// Why [`SqliteDatabase::open`] failed.
#[derive(Debug, thiserror::Error)]
pub enum SqliteOpenError {
    #[error(transparent)]
    Config(#[from] SqliteConfigError),
    #[error("cannot create the database directory {}", path.display())]
    CreateDirectory {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot resolve the database path {}", path.display())]
    ResolvePath {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// SQLite's API takes UTF-8 file names.
    #[error("the database path {} is not valid UTF-8", path.display())]
    NotUtf8 { path: PathBuf },
}

/// The SQLite database: one file, and the shared [`DieselDatabase`] (pool, migrations, health
/// probe, repositories) over a pool of connections to it. Cheap to clone.
#[derive(Clone)]
pub struct SqliteDatabase {
    database: DieselDatabase<Sqlite>,
    path: PathBuf,
}

impl SqliteDatabase {
    /// The database in the file at `path` (made absolute), creating its parent directories.
    /// The file itself is created by the first connection; connections open lazily, so a file
    /// that cannot be opened shows as unavailable queries (and migrations). Migrations run in
    /// one immediate transaction (see [`Sqlite`]).
    ///
    /// # Errors
    /// [`SqliteOpenError`] for an unusable configuration, a directory that cannot be created,
    /// or a path that is not UTF-8.
    pub fn open(path: impl AsRef<Path>, config: &SqliteConfig) -> Result<Self, SqliteOpenError> {
        config.validate()?;
        let given = path.as_ref();
        // Absolute, so SQLite never reads the name as a URI (`file:…`) or `:memory:`.
        let path = std::path::absolute(given).map_err(|source| SqliteOpenError::ResolvePath {
            path: given.to_owned(),
            source,
        })?;
        if let Some(directory) = path.parent() {
            fs::create_dir_all(directory).map_err(|source| SqliteOpenError::CreateDirectory {
                path: directory.to_owned(),
                source,
            })?;
        }
        let url = path
            .to_str()
            .ok_or_else(|| SqliteOpenError::NotUtf8 { path: path.clone() })?
            .to_owned();
        let (builder, activity) = database::pool_builder(
            config.max_pool_size,
            config.min_idle,
            config.connection_timeout,
        );
        let pool = builder
            .connection_customizer(Box::new(ConnectionSettings {
                busy_timeout: config.busy_timeout,
            }))
            .build_unchecked(CheckedConnections::new(url.as_str()));
        Ok(Self {
            database: DieselDatabase::new(pool, activity, url, config.health_check_timeout),
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Everything but opening is the shared handle's: `run_migrations`, `is_healthy`,
/// `file_repository`, `token_repository`, `identity_repository`.
impl Deref for SqliteDatabase {
    type Target = DieselDatabase<Sqlite>;

    fn deref(&self) -> &DieselDatabase<Sqlite> {
        &self.database
    }
}

impl From<SqliteDatabase> for DieselDatabase<Sqlite> {
    fn from(database: SqliteDatabase) -> Self {
        database.database
    }
}

impl fmt::Debug for SqliteDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.pool().state();
        f.debug_struct("SqliteDatabase")
            .field("path", &self.path)
            .field("connections", &state.connections)
            .field("idle_connections", &state.idle_connections)
            .field("health_check_timeout", &self.health_check_timeout())
            .finish()
    }
}

/// The pragmas every pooled connection gets before its first use.
#[derive(Debug)]
struct ConnectionSettings {
    busy_timeout: Duration,
}

impl ConnectionSettings {
    fn pragmas(&self) -> String {
        let busy_ms = u32::try_from(self.busy_timeout.as_millis()).unwrap_or(u32::MAX);
        // busy_timeout first: switching to WAL itself waits for other connections' locks.
        format!(
            "PRAGMA busy_timeout = {busy_ms}; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
        )
    }
}

impl CustomizeConnection<TrackedConnection<SqliteConnection>, diesel::r2d2::Error>
    for ConnectionSettings
{
    fn on_acquire(
        &self,
        connection: &mut TrackedConnection<SqliteConnection>,
    ) -> Result<(), diesel::r2d2::Error> {
        connection
            .batch_execute(&self.pragmas())
            .map_err(diesel::r2d2::Error::QueryError)?;
        adapters_diesel::filter_sql::register_sqlite_functions(connection)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl;
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Text};

    use super::*;
    use crate::test_support::TestDatabase;

    #[test]
    fn every_pooled_connection_uses_wal_foreign_keys_and_the_busy_timeout() {
        let test_db = TestDatabase::create();
        let database = SqliteDatabase::open(
            test_db.path(),
            &SqliteConfig {
                busy_timeout: Duration::from_millis(1234),
                ..test_db.config()
            },
        )
        .unwrap();
        let mut connections = [
            database.pool().get().unwrap(),
            database.pool().get().unwrap(),
        ];

        for connection in &mut connections {
            let journal_mode: String = sql::<Text>("PRAGMA journal_mode")
                .get_result(&mut ***connection)
                .unwrap();
            let foreign_keys: i64 = sql::<BigInt>("PRAGMA foreign_keys")
                .get_result(&mut ***connection)
                .unwrap();
            let busy_timeout: i64 = sql::<BigInt>("PRAGMA busy_timeout")
                .get_result(&mut ***connection)
                .unwrap();
            assert_eq!(
                (journal_mode.as_str(), foreign_keys, busy_timeout),
                ("wal", 1, 1234)
            );
        }
    }

    #[test]
    fn busy_timeout_is_set_before_the_journal_mode() {
        let settings = ConnectionSettings {
            busy_timeout: Duration::from_millis(1500),
        };
        assert_eq!(
            settings.pragmas(),
            "PRAGMA busy_timeout = 1500; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
        );
    }
}
