//! An operator can trace a client's error: the envelope's `id` is in the log line of that
//! request (at the default level) with its route, status and cause, and every request carries
//! an `X-Correlation-ID` (the client's, or one made for it) in its log lines and its answer.

use adapters_postgres::test_support::TestDatabase;
use backbone_sim::Fault;
use serde_json::{Value, json};
use system_tests::API_KEY;
use system_tests::process::ConnectorProcess;

use crate::Fixture;

const ROUTE: &str = "/api/v2/Files/{id}/Token";

/// The connector's JSON log line that names `error_id`. The line is written as the answer
/// leaves and read from the child's stderr by another thread, so it may arrive a moment after
/// the answer: wait for it (a bounded while) instead of racing it.
fn line_naming(connector: &ConnectorProcess, error_id: &str) -> Value {
    let naming = || -> Vec<Value> {
        connector
            .log()
            .iter()
            .filter(|line| line.contains(error_id))
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut lines = naming();
    while lines.is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
        lines = naming();
    }
    assert_eq!(lines.len(), 1, "one line names {error_id}: {lines:#?}");
    lines.into_iter().next().unwrap()
}

async fn post(
    connector: &ConnectorProcess,
    file_id: &str,
    headers: &[(&str, &str)],
) -> (u16, Option<String>, Value) {
    let mut request = reqwest::Client::new()
        .post(format!(
            "{}/api/v2/Files/{file_id}/Token",
            connector.address()
        ))
        .json(&json!({"ephemeral": "yes"}));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let correlation_id = response
        .headers()
        .get("x-correlation-id")
        .map(|value| value.to_str().unwrap().to_owned());
    let status = response.status().as_u16();
    (status, correlation_id, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_answers_id_is_in_its_requests_log_line_with_route_status_and_cause() {
    let fixture = Fixture::new().await;
    let database = TestDatabase::create();
    fixture.store_file(&database).await;
    let connector = ConnectorProcess::start(&fixture.vars(database.url()), "info");
    let file_id = fixture.file.id.to_string();

    // Refused by the schema, with the client's correlation id.
    let (status, echoed, body) = post(
        &connector,
        &file_id,
        &[
            ("X-API-KEY", API_KEY),
            ("X-Correlation-ID", "client-corr-1"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(echoed.as_deref(), Some("client-corr-1"));
    let line = line_naming(&connector, body["error"]["id"].as_str().unwrap());
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["status"], 400);
    assert_eq!(
        line["code"],
        "error.runtime.validation.invalidPropertyValue"
    );
    assert_eq!(line["cause"], "ephemeral must be boolean");
    assert_eq!(line["span"]["route"], ROUTE);
    assert_eq!(line["span"]["correlation_id"], "client-corr-1");

    // Refused before routing: no key.
    let (status, echoed, body) = post(&connector, &file_id, &[]).await;
    assert_eq!(status, 401);
    let generated = echoed.expect("a correlation id is made when none is sent");
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let line = line_naming(&connector, body["error"]["id"].as_str().unwrap());
    assert_eq!(line["status"], 401);
    assert_eq!(line["code"], "error.connector.unauthorized");
    assert_eq!(line["span"]["correlation_id"], generated.as_str());

    // Failed at the Backbone: logged as an error, with the internal cause the answer hides.
    fixture
        .simulator
        .faults()
        .inject(Fault::error_500().on("POST", "/api/v2/Tokens"));
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/v2/Files/{file_id}/Token",
            connector.address()
        ))
        .header("X-API-KEY", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 502);
    let body: Value = response.json().await.unwrap();
    let line = line_naming(&connector, body["error"]["id"].as_str().unwrap());
    assert_eq!(line["level"], "ERROR");
    assert_eq!(line["status"], 502);
    assert_eq!(line["span"]["route"], ROUTE);
    assert_eq!(line["cause"], "the Backbone failed with HTTP 500");
    assert!(
        !body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("HTTP 500"),
        "internals stay in the log: {body}"
    );
}
