//! Health probe and behaviour when PostgreSQL cannot be reached.

use std::time::{Duration, Instant};

use adapters_postgres::test_support::TestDatabase;
use adapters_postgres::{MigrationError, PgConfig, PgConfigError, PgDatabase};
use application::ports::{FileRepository, IdentityRepository, RepositoryError, TokenRepository};
use domain::File;

use repository_contract::fixtures::{file_id, onboarded_identity, plain_token, secrets_key};

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
async fn the_identity_and_its_lock_are_unavailable_while_the_database_is_unreachable() {
    let identities = unreachable_database().identity_repository(secrets_key());

    let found = identities.find_identity().await;
    let saved = identities
        .save_identity(&onboarded_identity("0000000000000000dead"))
        .await;
    let started = Instant::now();
    let locked = identities.lock_onboarding().await;

    assert!(
        matches!(found, Err(RepositoryError::Unavailable(_))),
        "{found:?}"
    );
    assert!(
        matches!(saved, Err(RepositoryError::Unavailable(_))),
        "{saved:?}"
    );
    // Its own connection, not the pool's: refused at once, not after the pool's timeout.
    assert!(
        matches!(locked, Err(RepositoryError::Unavailable(_))),
        "{locked:?}"
    );
    assert!(started.elapsed() < SLACK, "took {:?}", started.elapsed());
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

/// What a server restart or failover does to the pooled connections.
const END_EVERY_OTHER_CONNECTION: &str = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
     WHERE datname = current_database() AND pid <> pg_backend_pid()";

/// The pool hands out connections that answered recently without testing them (no `SELECT 1`
/// per query), so these check what makes that safe: reads are repeated on a tested connection,
/// and a lost connection is never handed out again.
/// Four finds at once: four pooled connections, all used just now, so none would be tested on
/// checkout.
async fn use_four_connections(
    files: &impl FileRepository,
) -> [Result<Option<File>, RepositoryError>; 4] {
    let id = file_id("AAAAAAAAAAAAAAAAA");
    let (a, b, c, d) = tokio::join!(
        files.find_file(&id),
        files.find_file(&id),
        files.find_file(&id),
        files.find_file(&id)
    );
    [a, b, c, d]
}

#[tokio::test]
async fn reads_do_not_fail_when_the_server_ends_the_pools_connections() {
    let test_db = TestDatabase::create();
    let database = test_db.database();
    let files = database.file_repository();
    assert!(
        use_four_connections(&files)
            .await
            .iter()
            .all(|found| matches!(found, Ok(None)))
    );

    test_db.execute(END_EVERY_OTHER_CONNECTION);

    for found in use_four_connections(&files).await {
        assert!(matches!(found, Ok(None)), "{found:?}");
    }
    assert!(database.is_healthy().await);
}

#[tokio::test]
async fn after_the_server_ends_the_pools_connections_at_most_one_write_fails() {
    let test_db = TestDatabase::create();
    let database = test_db.database();
    let tokens = database.token_repository();
    for found in use_four_connections(&database.file_repository()).await {
        assert!(matches!(found, Ok(None)), "{found:?}");
    }

    test_db.execute(END_EVERY_OTHER_CONNECTION);

    // A write is not repeated (it might have been applied before the connection was lost), so
    // the first one, on a connection the pool did not test, may fail as unavailable, writing
    // nothing; that loss makes the pool test the other connections, so no later write fails.
    let mut failed = Vec::new();
    for id in [
        "BBBBBBBBBBBBBBBBB",
        "CCCCCCCCCCCCCCCCC",
        "DDDDDDDDDDDDDDDDD",
        "EEEEEEEEEEEEEEEEE",
    ] {
        let token = plain_token(id);
        match tokens.insert_token(&token).await {
            Ok(()) => {}
            Err(RepositoryError::Unavailable(_)) => failed.push(token.id),
            Err(other) => panic!("{other:?}"),
        }
    }
    assert!(failed.len() <= 1, "{failed:?}");
    for id in failed {
        assert_eq!(tokens.find_token(&id).await.unwrap(), None);
    }
}
