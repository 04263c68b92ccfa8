//! The database file: opening, health, locking, and behaviour when it cannot be used.

use std::time::{Duration, Instant};

use adapters_sqlite::test_support::TestDatabase;
use adapters_sqlite::{
    MigrationError, SqliteConfig, SqliteConfigError, SqliteDatabase, SqliteOpenError,
};
use application::ports::{FileRepository, RepositoryError, TokenRepository};
use diesel::connection::SimpleConnection;
use repository_contract::fixtures::{file_id, full_file, plain_token};

const TIMEOUT: Duration = Duration::from_millis(500);
/// Generous scheduling slack on a busy two-core machine; a hang would take far longer.
const SLACK: Duration = Duration::from_secs(2);

fn short_timeouts(test_db: &TestDatabase) -> SqliteConfig {
    SqliteConfig {
        connection_timeout: TIMEOUT,
        busy_timeout: TIMEOUT,
        ..test_db.config()
    }
}

#[tokio::test]
async fn a_migrated_database_is_healthy() {
    let test_db = TestDatabase::create();
    assert!(test_db.database().is_healthy().await);
}

#[tokio::test]
async fn missing_parent_directories_are_created() {
    let test_db = TestDatabase::create_empty();
    let path = test_db.directory().join("data/nested/connector.sqlite");

    let database = SqliteDatabase::open(&path, &test_db.config()).unwrap();
    database.run_migrations().await.unwrap();

    assert!(path.is_file());
    assert_eq!(database.path(), path);
}

#[tokio::test]
async fn a_relative_path_is_taken_from_the_working_directory() {
    let test_db = TestDatabase::create_empty();

    let database = SqliteDatabase::open("connector.sqlite", &test_db.config()).unwrap();

    assert_eq!(
        database.path(),
        std::env::current_dir().unwrap().join("connector.sqlite")
    );
}

#[test]
fn a_parent_that_cannot_be_a_directory_is_refused() {
    let test_db = TestDatabase::create_empty();
    let file = test_db.directory().join("a-file");
    std::fs::write(&file, b"").unwrap();

    let refused = SqliteDatabase::open(file.join("connector.sqlite"), &test_db.config());

    assert!(
        matches!(refused, Err(SqliteOpenError::CreateDirectory { ref path, .. }) if *path == file),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_file_that_cannot_be_opened_is_unavailable_within_the_timeout() {
    let test_db = TestDatabase::create_empty();
    // A directory where the file should be: SQLite cannot open it.
    std::fs::create_dir(test_db.path()).unwrap();
    let database = SqliteDatabase::open(test_db.path(), &short_timeouts(&test_db)).unwrap();

    let started = Instant::now();
    let find = database
        .file_repository()
        .find_file(&file_id("AAAAAAAAAAAAAAAAA"))
        .await;
    let elapsed = started.elapsed();
    let migrated = database.run_migrations().await;

    assert!(
        matches!(find, Err(RepositoryError::Unavailable(_))),
        "{find:?}"
    );
    assert!(
        elapsed >= TIMEOUT,
        "gave up before the timeout: {elapsed:?}"
    );
    assert!(elapsed < TIMEOUT + SLACK, "took {elapsed:?}");
    assert!(
        matches!(migrated, Err(MigrationError::Unavailable(_))),
        "{migrated:?}"
    );
    assert!(!database.is_healthy().await);
}

#[tokio::test]
async fn a_write_locked_past_the_busy_timeout_is_unavailable_and_works_once_the_lock_is_gone() {
    let test_db = TestDatabase::create();
    let database = SqliteDatabase::open(test_db.path(), &short_timeouts(&test_db)).unwrap();
    let tokens = database.token_repository();
    let token = plain_token("LOCKEDAAAAAAAAAAA");
    // Another process holding SQLite's single write lock.
    let mut writer = test_db.connect();
    writer.batch_execute("BEGIN IMMEDIATE").unwrap();

    let started = Instant::now();
    let locked = tokens.insert_token(&token).await;
    let elapsed = started.elapsed();

    assert!(
        matches!(locked, Err(RepositoryError::Unavailable(_))),
        "{locked:?}"
    );
    assert!(
        elapsed >= TIMEOUT,
        "gave up before the timeout: {elapsed:?}"
    );
    assert!(elapsed < TIMEOUT + SLACK, "took {elapsed:?}");

    writer.batch_execute("COMMIT").unwrap();
    tokens.insert_token(&token).await.unwrap();
    assert_eq!(tokens.find_token(&token.id).await.unwrap(), Some(token));
}

#[tokio::test]
async fn reads_do_not_wait_for_a_writer() {
    let test_db = TestDatabase::create();
    let database = SqliteDatabase::open(test_db.path(), &short_timeouts(&test_db)).unwrap();
    let files = database.file_repository();
    let stored = full_file("STOREDAAAAAAAAAAA");
    files.insert_file(&stored).await.unwrap();
    let mut writer = test_db.connect();
    writer
        .batch_execute("BEGIN IMMEDIATE; DELETE FROM files;")
        .unwrap();

    let started = Instant::now();
    let found = files.find_file(&stored.id).await.unwrap();

    // WAL: the reader sees the last committed state at once.
    assert_eq!(found, Some(stored));
    assert!(started.elapsed() < TIMEOUT, "took {:?}", started.elapsed());
    writer.batch_execute("ROLLBACK").unwrap();
}

#[test]
fn a_pool_that_cannot_work_is_refused() {
    let test_db = TestDatabase::create_empty();
    let config = test_db.config();
    let invalid = [
        (
            SqliteConfig {
                max_pool_size: 0,
                min_idle: 0,
                ..config.clone()
            },
            SqliteConfigError::ZeroPoolSize,
        ),
        (
            SqliteConfig {
                max_pool_size: 2,
                min_idle: 3,
                ..config.clone()
            },
            SqliteConfigError::MinIdleAbovePoolSize {
                min_idle: 3,
                max_pool_size: 2,
            },
        ),
        (
            SqliteConfig {
                connection_timeout: Duration::ZERO,
                ..config.clone()
            },
            SqliteConfigError::ZeroTimeout,
        ),
        (
            SqliteConfig {
                busy_timeout: Duration::ZERO,
                ..config.clone()
            },
            SqliteConfigError::ZeroTimeout,
        ),
        (
            SqliteConfig {
                health_check_timeout: Duration::ZERO,
                ..config
            },
            SqliteConfigError::ZeroTimeout,
        ),
    ];
    for (config, expected) in invalid {
        let refused = SqliteDatabase::open(test_db.path(), &config);
        assert!(
            matches!(refused, Err(SqliteOpenError::Config(ref e)) if *e == expected),
            "{refused:?}"
        );
    }
}
