//! Two instances start together on one empty database (migrations serialised by the advisory
//! lock) and share a concurrent load: every stored token exists exactly once.

use std::collections::HashSet;

use adapters_postgres::test_support::TestDatabase;
use futures_util::StreamExt;
use serde_json::json;
use system_tests::process::ConnectorProcess;

use crate::{Fixture, create_token};

const REQUESTS: usize = 200;
const CONCURRENCY: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_migrate_together_and_share_the_load() {
    let fixture = Fixture::new().await;
    let database = TestDatabase::create_empty();
    let vars = fixture.vars(database.url());
    let (first, second) = {
        let (a, b) = (vars.clone(), vars.clone());
        let first = std::thread::spawn(move || ConnectorProcess::start(&a, "info"));
        let second = std::thread::spawn(move || ConnectorProcess::start(&b, "info"));
        (first.join().unwrap(), second.join().unwrap())
    };
    fixture.store_file(&database).await;

    let client = reqwest::Client::new();
    let addresses = [first.address(), second.address()];
    let file_id = fixture.file.id.to_string();
    let answers: Vec<_> =
        futures_util::stream::iter(0..REQUESTS)
            .map(|i| {
                let (client, address, file_id) =
                    (client.clone(), addresses[i % 2].clone(), file_id.clone());
                async move {
                    create_token(&client, &address, &file_id, &json!({"ephemeral": false})).await
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;

    let mut ids = HashSet::new();
    for answer in answers {
        let (status, body) = answer.expect("answered");
        assert_eq!(status, 201, "{body}");
        assert!(
            ids.insert(body["result"]["id"].as_str().unwrap().to_owned()),
            "token ids are unique"
        );
    }
    assert_eq!(
        database.row_count("tokens"),
        REQUESTS as i64,
        "every token stored exactly once"
    );
    eprintln!(
        "two instances: {REQUESTS} requests at concurrency {CONCURRENCY}, {} distinct tokens stored once each",
        ids.len()
    );
    assert_eq!(
        fixture.simulator.token_count(),
        REQUESTS,
        "and created exactly once on the Backbone"
    );
    let applied = first
        .log()
        .iter()
        .chain(second.log().iter())
        .filter(|line| line.contains("applied database migration"))
        .count();
    let migrations = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/postgres"
    ))
    .unwrap()
    .count();
    assert_eq!(
        applied, migrations,
        "each of the {migrations} migrations was applied by exactly one instance"
    );
}
