//! Checks of what this crate shares that must hold for every engine, each run by every engine's
//! tests against a real database (feature `test-support`), as `repository-contract` does for
//! the repositories.

use std::future::Future;
use std::time::Duration;

use application::ports::RepositoryError;

use crate::blocking::{self, Engine, WorkError};
use crate::database::{self, MigrationError};
use crate::pool::DieselPool;
use crate::schema_check::{ColumnShape, Dialect, expected_columns};

/// A unit of work that panics is [`RepositoryError::Unexpected`], and `pool` stays healthy
/// (probed as the engine's `is_healthy` does, with its `health_check_timeout`).
///
/// # Panics
/// When either does not hold.
pub async fn a_panicking_unit_of_work_is_unexpected_and_the_pool_survives<E: Engine>(
    pool: &DieselPool<E::Connection>,
    health_check_timeout: Duration,
) {
    let panicked = blocking::run::<E, _, _>(pool, "x", |_| -> Result<(), WorkError> {
        panic!("bug in a query")
    })
    .await;

    assert!(
        matches!(panicked, Err(RepositoryError::Unexpected(_))),
        "{panicked:?}"
    );
    assert!(database::is_healthy::<E>(pool, health_check_timeout).await);
}

/// On an empty database: the migrations apply, a second run has nothing left to do, reverting
/// them all (newest first) leaves no table behind, and they apply again. Returns the versions
/// applied, oldest first.
///
/// `run_migrations` is the engine's `run_migrations`, `revert_all_migrations` its test
/// database's, and `tables` lists the tables other than the engine's bookkeeping, sorted.
///
/// # Panics
/// When any of that does not hold.
pub async fn every_migration_reverts_cleanly_and_applies_again<R>(
    run_migrations: impl Fn() -> R,
    revert_all_migrations: impl FnOnce() -> Vec<String>,
    tables: impl Fn() -> Vec<String>,
) -> Vec<String>
where
    R: Future<Output = Result<Vec<String>, MigrationError>>,
{
    let applied = run_migrations().await.expect("the migrations apply");
    assert!(
        run_migrations().await.expect("a second run").is_empty(),
        "a second run has nothing left to do"
    );

    let mut reverted = revert_all_migrations();

    reverted.reverse();
    assert_eq!(reverted, applied);
    assert!(tables().is_empty(), "left behind: {:?}", tables());
    assert_eq!(
        run_migrations().await.expect("the migrations apply again"),
        applied
    );
    assert_eq!(
        tables(),
        ["files", "idempotency_keys", "identity", "tokens"]
    );
    applied
}

/// The migrated database's columns (`actual`: every table but the migrations' bookkeeping, as
/// the engine's catalogue has them) are exactly the schema's: same tables, names, types and
/// nullability. A migration without its schema change, or the reverse, fails here.
///
/// # Panics
/// When they differ; the message lists what only one side has.
pub fn the_schema_matches_the_migrated_database(dialect: Dialect, mut actual: Vec<ColumnShape>) {
    actual.sort();
    let expected = expected_columns(dialect);
    let only_in_database: Vec<_> = actual.iter().filter(|c| !expected.contains(c)).collect();
    let only_in_schema: Vec<_> = expected.iter().filter(|c| !actual.contains(c)).collect();
    assert!(
        only_in_database.is_empty() && only_in_schema.is_empty(),
        "schema.rs and the {dialect:?} migrations differ\n only in the database: \
         {only_in_database:#?}\n only in schema.rs: {only_in_schema:#?}"
    );
}
