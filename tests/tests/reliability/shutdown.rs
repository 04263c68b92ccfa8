//! SIGTERM during load: in-flight requests finish, new connections are refused, exit code 0.

use std::time::{Duration, Instant};

use adapters_postgres::test_support::TestDatabase;
use backbone_sim::Fault;
use serde_json::json;
use system_tests::process::ConnectorProcess;

use crate::{Fixture, create_token};

const IN_FLIGHT: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_requests_finish_and_exits_zero() {
    let fixture = Fixture::new().await;
    let database = TestDatabase::create();
    fixture.store_file(&database).await;
    let mut connector = ConnectorProcess::start(&fixture.vars(database.url()), "info");
    // Every create is held 1.5 s by the Backbone, so they are all in flight at SIGTERM.
    fixture.simulator.faults().inject(
        Fault::delay(Duration::from_millis(1500))
            .on("POST", "/api/v2/Tokens")
            .until_cleared(),
    );

    let client = reqwest::Client::new();
    let address = connector.address();
    let file_id = fixture.file.id.to_string();
    let requests: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let (client, address, file_id) = (client.clone(), address.clone(), file_id.clone());
            tokio::spawn(async move {
                create_token(&client, &address, &file_id, &json!({"ephemeral": false})).await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let terminated_at = Instant::now();
    connector.terminate();

    for request in requests {
        let (status, body) = request
            .await
            .unwrap()
            .expect("an in-flight request is answered");
        assert_eq!(status, 201, "{body}");
    }
    let exit = tokio::task::spawn_blocking(move || {
        let status = connector.wait_for_exit(Duration::from_secs(10));
        (status, connector)
    })
    .await
    .unwrap();
    assert!(exit.0.expect("exits within 10 s").success(), "exit code 0");
    assert!(terminated_at.elapsed() < Duration::from_secs(10));
    assert_eq!(
        database.row_count("tokens"),
        IN_FLIGHT as i64,
        "every answered token is stored"
    );
    assert!(
        create_token(&client, &address, &file_id, &json!({}))
            .await
            .is_none(),
        "no new connections after exit"
    );
}
