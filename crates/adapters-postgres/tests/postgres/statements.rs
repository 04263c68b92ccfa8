//! Prepared statements: each repository's INSERT is prepared once per connection and then
//! reused from diesel's cache, with or without its optional values (see
//! `treat_none_as_default_value` on the shared rows).

use std::sync::atomic::{AtomicUsize, Ordering};

use adapters_postgres::test_support::TestDatabase;
use adapters_postgres::{PgConfig, PgDatabase};
use application::ports::{FileRepository, TokenRepository};
use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};
use repository_contract::fixtures::{bare_file, full_file, plain_token};

/// INSERT statements diesel put into a connection's statement cache, in this test process.
static CACHED_INSERTS: AtomicUsize = AtomicUsize::new(0);

fn count_cached_inserts() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(|event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::CacheQuery { sql, .. } = event
            && sql.starts_with("INSERT")
        {
            CACHED_INSERTS.fetch_add(1, Ordering::SeqCst);
        }
    }))
}

#[tokio::test]
async fn each_insert_is_prepared_once_and_then_reused() {
    set_default_instrumentation(count_cached_inserts).expect("instrumentation is set");
    let test_db = TestDatabase::create();
    // One connection, so every insert meets the same statement cache.
    let database = PgDatabase::new(&PgConfig {
        max_pool_size: 1,
        ..test_db.config()
    })
    .expect("a valid config");
    let (files, tokens) = (database.file_repository(), database.token_repository());

    for (file, token) in [
        (
            full_file("CACHEDAAAAAAAAAAA"),
            plain_token("CACHEDAAAAAAAAAAA"),
        ),
        (
            bare_file("CACHEDBBBBBBBBBBB"),
            plain_token("CACHEDBBBBBBBBBBB"),
        ),
        (
            full_file("CACHEDCCCCCCCCCCC"),
            plain_token("CACHEDCCCCCCCCCCC"),
        ),
    ] {
        files.insert_file(&file).await.expect("stored");
        tokens.insert_token(&token).await.expect("stored");
    }

    // One per table: prepared on the first insert, found in the cache by the others.
    assert_eq!(CACHED_INSERTS.load(Ordering::SeqCst), 2);
}
