//! PostgreSQL stopped during load and started again: requests fail fast with 503 meanwhile,
//! `/health` says so, the service recovers by itself, every stored 201 has its row, and no token
//! is left on the Backbone that is not stored.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use adapters_postgres::{PgConfig, PgDatabase};
use application::ports::{FileRepository, TokenRepository};
use domain::TokenId;
use serde_json::json;
use system_tests::process::ConnectorProcess;

use crate::cluster::Cluster;
use crate::{Fixture, create_token};

const LOAD_WORKERS: usize = 4;
const CONNECT_TIMEOUT_MS: &str = "1000";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_503_fast_and_heals_by_itself() {
    let cluster = tokio::task::spawn_blocking(Cluster::start_new)
        .await
        .unwrap();
    let fixture = Fixture::new().await;
    let mut vars = fixture.vars(&cluster.url());
    vars.push((
        "database__connectTimeoutMs".into(),
        CONNECT_TIMEOUT_MS.into(),
    ));
    let connector = ConnectorProcess::start(&vars, "info");
    let database = PgDatabase::new(&PgConfig::new(cluster.url())).unwrap();
    database
        .file_repository()
        .insert_file(&fixture.file)
        .await
        .unwrap();

    let running = Arc::new(AtomicBool::new(true));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let load: Vec<_> = (0..LOAD_WORKERS)
        .map(|_| {
            let (client, address, file_id, running) = (
                client.clone(),
                connector.address(),
                fixture.file.id.to_string(),
                running.clone(),
            );
            tokio::spawn(async move {
                let mut answers = Vec::new();
                while running.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let answer =
                        create_token(&client, &address, &file_id, &json!({"ephemeral": false}))
                            .await;
                    answers.push((answer.expect("always answered"), started.elapsed()));
                }
                answers
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let cluster = tokio::task::spawn_blocking(move || {
        cluster.stop();
        cluster
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let (status, health) = system_tests::status_and_json(
        client
            .get(format!("{}/health", connector.address()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 500, "{health}");
    assert_eq!(health["services"]["database"], "unhealthy");
    tokio::time::sleep(Duration::from_millis(2500)).await;

    let cluster = tokio::task::spawn_blocking(move || {
        cluster.start();
        cluster
    })
    .await
    .unwrap();
    let recovered_by = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _) = create_token(
            &client,
            &connector.address(),
            fixture.file.id.as_str(),
            // Stored like the load's, so every token left on the Backbone must be stored.
            &json!({"ephemeral": false}),
        )
        .await
        .unwrap();
        if status == 201 {
            break;
        }
        assert!(
            Instant::now() < recovered_by,
            "the service did not recover within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    running.store(false, Ordering::Relaxed);

    let mut created = Vec::new();
    let mut unavailable = 0;
    for worker in load {
        for ((status, body), elapsed) in worker.await.unwrap() {
            match status {
                201 => created.push(body["result"]["id"].as_str().unwrap().to_owned()),
                503 => {
                    unavailable += 1;
                    let code = body["error"]["code"].as_str().unwrap();
                    assert!(
                        matches!(
                            code,
                            "error.connector.database.unavailable"
                                | "error.connector.tokenNotStored"
                        ),
                        "{body}"
                    );
                    assert!(
                        elapsed < Duration::from_millis(3000),
                        "a 503 took {elapsed:?}: the pool must not hang"
                    );
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
    }
    eprintln!(
        "database outage: {} tokens created and stored, {unavailable} requests answered 503 during the outage, 0 lost",
        created.len()
    );
    assert!(unavailable > 0, "the outage was observed");
    assert!(
        created.len() > LOAD_WORKERS,
        "tokens were created before and after the outage"
    );
    let tokens = database.token_repository();
    for id in &created {
        assert!(
            tokens
                .find_token(&TokenId::parse(id).unwrap())
                .await
                .unwrap()
                .is_some(),
            "201 for {id} but no row"
        );
    }
    // A token the Backbone accepted while the database was down was deleted there again.
    for token in fixture.simulator.tokens() {
        let stored = tokens
            .find_token(&system_tests::oracle::domain_token_id(&token.id))
            .await
            .unwrap()
            .is_some();
        let told: Vec<String> = connector
            .log()
            .into_iter()
            .filter(|line| line.contains(token.id.as_str()))
            .collect();
        assert!(
            stored,
            "{} is on the Backbone but not stored here: orphaned; the connector logged {told:#?}",
            token.id
        );
    }
    let (status, _) = system_tests::status_and_json(
        client
            .get(format!("{}/health", connector.address()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "healthy again");
    drop(cluster);
}
