//! Health probe and behaviour when PostgreSQL cannot be reached.

use std::time::{Duration, Instant};

use adapters_postgres::test_support::TestDatabase;
use adapters_postgres::{MigrationError, PgConfig, PgConfigError, PgDatabase};
use application::ports::{FileRepository, RepositoryError, TokenRepository};

use repository_contract::fixtures::{file_id, plain_token};

const TIMEOUT: Duration = Duration::from_millis(500);
/// Generous scheduling slack on a busy two-core machine; a hang would take far longer.
const SLACK: Duration = Duration::from_secs(2);

/// Nothing listens on port 1, so every connection attempt is refused.
fn unreachable_database() -> PgDatabase {
    let config = PgConfig {
        connection_timeout: TIMEOUT,
        health_check_timeout: Duration::from_secs(30),
        ..PgConfig::new("postgres://postgres@127.0.0.1:1/postgres")
    };
    PgDatabase::new(&config).expect("a valid config")
}

#[tokio::test]
async fn a_reachable_database_is_healthy() {
    let test_db = TestDatabase::create();
    assert!(test_db.database().is_healthy().await);
}

#[tokio::test]
async fn queries_against_an_unreachable_database_fail_as_unavailable_within_the_timeout() {
    let database = unreachable_database();

    let started = Instant::now();
    let find = database
        .file_repository()
        .find_file(&file_id("AAAAAAAAAAAAAAAAA"))
        .await;
    let insert = database
        .token_repository()
        .insert_token(&plain_token("AAAAAAAAAAAAAAAAA"))
        .await;
    let elapsed = started.elapsed();

    assert!(
        matches!(find, Err(RepositoryError::Unavailable(_))),
        "{find:?}"
    );
    assert!(
        matches!(insert, Err(RepositoryError::Unavailable(_))),
        "{insert:?}"
    );
    assert!(
        elapsed >= 2 * TIMEOUT,
        "gave up before the timeout: {elapsed:?}"
    );
    assert!(elapsed < 2 * TIMEOUT + SLACK, "took {elapsed:?}");
}

#[tokio::test]
async fn an_unreachable_database_is_unhealthy_and_cannot_be_migrated() {
    let database = unreachable_database();

    let started = Instant::now();
    assert!(!database.is_healthy().await);
    assert!(
        started.elapsed() < TIMEOUT + SLACK,
        "took {:?}",
        started.elapsed()
    );
    let migrated = database.run_migrations().await;
    assert!(
        matches!(migrated, Err(MigrationError::Unavailable(_))),
        "{migrated:?}"
    );
}

#[test]
fn a_pool_that_cannot_work_is_refused() {
    let config = PgConfig::new("postgres://localhost/x");
    let invalid = [
        (
            PgConfig {
                max_pool_size: 0,
                min_idle: 0,
                ..config.clone()
            },
            PgConfigError::ZeroPoolSize,
        ),
        (
            PgConfig {
                max_pool_size: 2,
                min_idle: 3,
                ..config.clone()
            },
            PgConfigError::MinIdleAbovePoolSize {
                min_idle: 3,
                max_pool_size: 2,
            },
        ),
        (
            PgConfig {
                connection_timeout: Duration::ZERO,
                ..config.clone()
            },
            PgConfigError::ZeroTimeout,
        ),
        (
            PgConfig {
                health_check_timeout: Duration::ZERO,
                ..config
            },
            PgConfigError::ZeroTimeout,
        ),
    ];
    for (config, expected) in invalid {
        assert_eq!(PgDatabase::new(&config).unwrap_err(), expected);
    }
}

#[test]
fn the_config_never_shows_the_url() {
    let config = PgConfig::new("postgres://user:hunter2@db/x");
    assert!(!format!("{config:?}").contains("hunter2"));
    assert!(!format!("{:?}", PgDatabase::new(&config).unwrap()).contains("hunter2"));
}

#[tokio::test]
async fn the_pool_recovers_when_the_server_ends_its_connections() {
    let test_db = TestDatabase::create();
    let database = test_db.database();
    let files = database.file_repository();
    assert_eq!(
        files
            .find_file(&file_id("AAAAAAAAAAAAAAAAA"))
            .await
            .unwrap(),
        None
    );

    // What a server restart or failover does to the pooled connections.
    test_db.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );

    assert_eq!(
        files
            .find_file(&file_id("AAAAAAAAAAAAAAAAA"))
            .await
            .unwrap(),
        None
    );
    assert!(database.is_healthy().await);
}
