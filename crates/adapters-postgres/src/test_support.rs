//! Fresh PostgreSQL databases for tests: each [`TestDatabase`] is a clone of a template that is
//! migrated once per set of migrations, and is dropped again with the guard.
//!
//! The server comes from `DATABASE_URL` (default [`DEFAULT_DATABASE_URL`]); its user must be
//! allowed to create databases. Cloning a template takes milliseconds where migrating a new
//! database would take much longer, and no test ever sees another test's rows.

use std::process;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use diesel::connection::SimpleConnection;
use diesel::dsl::sql;
use diesel::sql_types::{BigInt, Bool};
use diesel::{Connection, PgConnection, RunQueryDsl};
use diesel_migrations::MigrationHarness;

use crate::database::{AdvisoryLock, MIGRATIONS};
use crate::{PgConfig, PgDatabase};

pub const DATABASE_URL_ENV: &str = "DATABASE_URL";
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Named after the migrations' fingerprint: a changed migration gets a new template instead of
/// cloning a stale one.
const TEMPLATE_NAME: &str = concat!(
    "adapters_postgres_template_",
    env!("MIGRATIONS_FINGERPRINT")
);
const DATABASE_PREFIX: &str = "adapters_postgres_test";
/// Serialises template creation across test processes (nextest runs one process per test).
/// ASCII "tok4tmpl".
const TEMPLATE_LOCK_KEY: i64 = 0x746f_6b34_746d_706c;
/// Small: many tests run at once and the server allows only ~100 connections.
const TEST_POOL_SIZE: u32 = 4;
const TEST_CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// A database of its own for one test, dropped (connections and all) when this guard drops.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// A fresh database with every migration applied. Blocks for a few milliseconds (the first
    /// call of a process waits for the template).
    ///
    /// # Panics
    /// If PostgreSQL cannot be reached or refuses to create the database.
    pub fn create() -> Self {
        let template = template();
        Self::create_from(&format!("TEMPLATE \"{template}\""))
    }

    /// A fresh database without any table, for testing the migrations themselves.
    ///
    /// # Panics
    /// As [`TestDatabase::create`].
    pub fn create_empty() -> Self {
        Self::create_from("TEMPLATE template0")
    }

    fn create_from(template_clause: &str) -> Self {
        let name = unique_name();
        execute(
            &mut admin_connection(),
            &format!("CREATE DATABASE \"{name}\" {template_clause}"),
        );
        let url = with_database(&base_url(), &name);
        Self { name, url }
    }

    /// The connection URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A configuration for this database with a small pool and no idle connections.
    pub fn config(&self) -> PgConfig {
        PgConfig {
            max_pool_size: TEST_POOL_SIZE,
            min_idle: 0,
            connection_timeout: TEST_CONNECTION_TIMEOUT,
            ..PgConfig::new(self.url.clone())
        }
    }

    /// A [`PgDatabase`] over this database with [`TestDatabase::config`].
    ///
    /// # Panics
    /// Never for this configuration.
    pub fn database(&self) -> PgDatabase {
        PgDatabase::new(&self.config())
            .unwrap_or_else(|e| panic!("invalid test database config: {e}"))
    }

    /// Runs raw SQL (one or more statements) against this database, e.g. to plant a row that
    /// the repositories would never write.
    ///
    /// # Panics
    /// If the SQL fails.
    pub fn execute(&self, sql: &str) {
        execute(&mut connect(&self.url), sql);
    }

    /// How many rows `table` holds.
    ///
    /// # Panics
    /// If the table does not exist.
    pub fn row_count(&self, table: &str) -> i64 {
        sql::<BigInt>(&format!("SELECT count(*) FROM \"{table}\""))
            .get_result(&mut connect(&self.url))
            .unwrap_or_else(|e| panic!("cannot count the rows of {table}: {e}"))
    }

    /// Reverts every applied migration, newest first, running each `down.sql`; returns the
    /// reverted versions.
    ///
    /// # Panics
    /// If a `down.sql` fails.
    pub fn revert_all_migrations(&self) -> Vec<String> {
        connect(&self.url)
            .revert_all_migrations(MIGRATIONS)
            .unwrap_or_else(|e| panic!("reverting the migrations failed: {e}"))
            .iter()
            .map(ToString::to_string)
            .collect()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // FORCE ends the connections the test's pool still holds. No panic: this may run while
        // a failing test unwinds.
        let statement = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        let dropped = PgConnection::establish(&base_url())
            .map_err(|e| e.to_string())
            .and_then(|mut admin| {
                diesel::sql_query(statement)
                    .execute(&mut admin)
                    .map_err(|e| e.to_string())
            });
        if let Err(error) = dropped {
            eprintln!("could not drop test database {}: {error}", self.name);
        }
    }
}

/// The template's name, creating it first if no process has yet.
fn template() -> &'static str {
    static TEMPLATE: OnceLock<()> = OnceLock::new();
    TEMPLATE.get_or_init(create_template_once);
    TEMPLATE_NAME
}

/// Builds the template under another name and renames it when complete, all under an advisory
/// lock: a process that finds the final name can clone it, and a build that died half-way is
/// simply redone.
fn create_template_once() {
    let mut admin = admin_connection();
    let mut locked = AdvisoryLock::acquire(&mut admin, TEMPLATE_LOCK_KEY)
        .unwrap_or_else(|e| panic!("cannot lock the test template: {e}"));
    let exists: bool = sql::<Bool>(&format!(
        "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{TEMPLATE_NAME}')"
    ))
    .get_result(&mut *locked)
    .unwrap_or_else(|e| panic!("cannot look for the test template: {e}"));
    if !exists {
        let building = format!("{TEMPLATE_NAME}_building");
        execute(
            &mut locked,
            &format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"),
        );
        execute(
            &mut locked,
            &format!("CREATE DATABASE \"{building}\" TEMPLATE template0"),
        );
        {
            let mut connection = connect(&with_database(&base_url(), &building));
            connection
                .run_pending_migrations(MIGRATIONS)
                .unwrap_or_else(|e| panic!("migrating the test template failed: {e}"));
        }
        // No connections allowed: cloning needs a template nobody is connected to.
        execute(
            &mut locked,
            &format!("ALTER DATABASE \"{building}\" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true"),
        );
        execute(
            &mut locked,
            &format!("ALTER DATABASE \"{building}\" RENAME TO \"{TEMPLATE_NAME}\""),
        );
    }
    locked
        .release()
        .unwrap_or_else(|e| panic!("cannot unlock the test template: {e}"));
}

/// Unique across the test processes running now: process id, clock and a counter.
fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{DATABASE_PREFIX}_{}_{nanos}_{count}", process::id())
}

/// `DATABASE_URL` without TLS unless it asks for it: a test process ends while the pools of the
/// services it started still run (their threads outlive the test's runtime), and OpenSSL's exit
/// handler freeing its state under a pool thread's TLS connection can crash such a process
/// after its test passed (seen once in CI as a SIGSEGV after `ok`). Test servers are local.
fn base_url() -> String {
    let url = std::env::var(DATABASE_URL_ENV).unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
    without_tls(url)
}

fn without_tls(url: String) -> String {
    if url.contains("sslmode=") {
        url
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

fn admin_connection() -> PgConnection {
    connect(&base_url())
}

fn connect(url: &str) -> PgConnection {
    PgConnection::establish(url)
        .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL: {e}"))
}

fn execute(connection: &mut PgConnection, statement: &str) {
    connection
        .batch_execute(statement)
        .unwrap_or_else(|e| panic!("`{statement}` failed: {e}"));
}

/// `url` with its database path replaced by `database` (query options are kept).
fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url
        .split_once("://")
        .unwrap_or_else(|| panic!("{DATABASE_URL_ENV} must be a postgres:// URL"));
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(authority_end);
    let query = path_and_query
        .find('?')
        .map_or("", |start| &path_and_query[start..]);
    format!("{scheme}://{authority}/{database}{query}")
}

#[cfg(test)]
mod tests {
    use super::{with_database, without_tls};

    #[test]
    fn test_connections_go_without_tls_unless_the_url_asks_for_it() {
        assert_eq!(
            without_tls("postgres://postgres@127.0.0.1:5432/postgres".into()),
            "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
        );
        assert_eq!(
            without_tls("postgres://h/db?application_name=t".into()),
            "postgres://h/db?application_name=t&sslmode=disable"
        );
        assert_eq!(
            without_tls("postgres://h/db?sslmode=require".into()),
            "postgres://h/db?sslmode=require"
        );
    }

    #[test]
    fn the_database_of_a_url_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "x"),
            "postgresql://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
        assert_eq!(
            with_database("postgres://h?connect_timeout=2", "x"),
            "postgres://h/x?connect_timeout=2"
        );
    }
}
