//! `Idempotency-Key` on the creating routes: a retry answers the first answer without a second
//! Backbone call (tokens for Files on both engines, own tokens, peer loads, uploads), another request under the key is a 422,
//! concurrent retries run once, also across two instances on one database, a retry while the
//! first still runs past the wait is a 409, a crashed instance's claim is taken over, a 5xx is
//! not kept, keys are scoped by API key and expire, bad keys are a 400, and without a key nothing
//! changes.

use std::time::Duration;

use backbone_sim::Fault;
use domain::RequestFingerprint;
use futures_util::future::join_all;
use reqwest::header::HeaderMap;
use serde_json::Value;
use system_tests::{API_KEY, Engine, TestApp};

const KEY: &str = "Idempotency-Key";
const BACKBONE_TOKENS: &str = "/api/v2/Tokens";
const BODY: &str = r#"{"ephemeral":false}"#;
const WAIT_MS: &str = "infrastructure__httpServer__idempotency__waitMs";

/// What a client sees of an answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn replayed(&self) -> bool {
        self.headers
            .get("idempotency-replayed")
            .is_some_and(|value| value == "true")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The same answer: status, body byte for byte, and the headers the route set.
    fn assert_same_as(&self, first: &Answer) {
        assert_eq!(self.status, first.status, "{:?}", self.json());
        assert_eq!(self.json(), first.json());
        assert_eq!(self.body, first.body, "byte for byte");
        for header in ["content-type", "location"] {
            assert_eq!(
                self.headers.get(header),
                first.headers.get(header),
                "{header}"
            );
        }
    }

    fn assert_refused(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{:?}", self.json());
        let error = &self.json()["error"];
        assert_eq!(error["code"], code, "{error}");
        for field in ["id", "message", "time", "docs"] {
            assert!(error[field].is_string(), "{field} in {error}");
        }
    }
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("the server answers");
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.expect("a body").to_vec(),
    }
}

fn token_path(app: &TestApp) -> String {
    format!("/api/v2/Files/{}/Token", app.file.id)
}

/// `POST …/Files/{the stored File}/Token` at `address` with `body` and, if given, `key`.
async fn create_token_at(app: &TestApp, address: &str, key: Option<&str>, body: &str) -> Answer {
    let mut request = app
        .client
        .post(format!("{address}{}", token_path(app)))
        .header("X-API-KEY", API_KEY)
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    if let Some(key) = key {
        request = request.header(KEY, key);
    }
    send(request).await
}

async fn create_token(app: &TestApp, key: Option<&str>, body: &str) -> Answer {
    create_token_at(app, &app.address, key, body).await
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// An unanswered claim on `key` for the token request with [`BODY`], claimed `age` ago by an
/// instance that is gone, written behind the service's back (PostgreSQL).
fn leave_claim(app: &TestApp, key: &str, age: &str) {
    let fingerprint = RequestFingerprint::of("POST", &token_path(app), BODY.as_bytes());
    app.store.execute(&format!(
        "INSERT INTO idempotency_keys (scope, idempotency_key, fingerprint, owner, created_at, \
         claimed_at) VALUES ('apiKey', '{key}', decode('{}', 'hex'), 'crashed instance', \
         now() - interval '{age}', now() - interval '{age}')",
        hex(fingerprint.as_bytes())
    ));
}

async fn a_retry_replays_the_first_answer_and_creates_one_token(engine: Engine) {
    let app = TestApp::spawn_on(engine, &[]).await;

    let first = create_token(&app, Some("token-1"), BODY).await;
    let retry = create_token(&app, Some("token-1"), BODY).await;

    assert_eq!(first.status, 201, "{:?}", first.json());
    assert!(!first.replayed());
    assert!(retry.replayed());
    retry.assert_same_as(&first);
    assert_eq!(app.simulator.token_count(), 1, "one token on the Backbone");
    assert_eq!(app.stored_tokens(), 1);
    // Another key is another request.
    let other = create_token(&app, Some("token-2"), BODY).await;
    assert_eq!(other.status, 201);
    assert_ne!(other.json()["result"]["id"], first.json()["result"]["id"]);
    assert_eq!(app.simulator.token_count(), 2);
}

#[tokio::test]
async fn a_retry_replays_the_first_answer_and_creates_one_token_on_postgres() {
    a_retry_replays_the_first_answer_and_creates_one_token(Engine::Postgres).await;
}

#[tokio::test]
async fn a_retry_replays_the_first_answer_and_creates_one_token_on_sqlite() {
    a_retry_replays_the_first_answer_and_creates_one_token(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_retried_own_token_and_peer_load_replay_their_first_answers() {
    let app = TestApp::spawn().await;
    let post = |path: &str, key: &str, body: String| {
        app.client
            .post(format!("{}{path}", app.address))
            .header("X-API-KEY", API_KEY)
            .header("Content-Type", "application/json")
            .header(KEY, key)
            .body(body)
    };
    let body = r#"{"content":{"a":1},"expiresAt":"2099-01-01T00:00:00.000Z"}"#.to_owned();

    let first = send(post("/api/v2/Tokens/Own", "own-1", body.clone())).await;
    let retry = send(post("/api/v2/Tokens/Own", "own-1", body)).await;

    assert_eq!(first.status, 201, "{:?}", first.json());
    assert!(retry.replayed());
    retry.assert_same_as(&first);
    assert_eq!(app.simulator.token_count(), 1, "one token on the Backbone");
    assert_eq!(app.stored_tokens(), 1);

    let reference = first.json()["result"]["reference"]["url"].clone();
    let load = format!(r#"{{"reference":{reference},"ephemeral":true}}"#);
    let first = send(post("/api/core/v1/Tokens/Peer", "load-1", load.clone())).await;
    let retry = send(post("/api/core/v1/Tokens/Peer", "load-1", load)).await;
    assert_eq!(first.status, 201, "{:?}", first.json());
    assert!(retry.replayed());
    retry.assert_same_as(&first);
}

#[tokio::test]
async fn a_retried_upload_replays_the_first_answer_and_uploads_one_file() {
    let app = TestApp::spawn().await;
    // A client repeating its upload sends the same bytes, boundary included.
    let boundary = "idempotency-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nReport\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"expiresAt\"\r\n\r\n\
         2099-12-31T00:00:00.000Z\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.txt\"\r\n\
         Content-Type: text/plain\r\n\r\nthe report\r\n--{boundary}--\r\n"
    );
    let upload = || {
        send(
            app.client
                .post(format!("{}/api/core/v1/Files/Own", app.address))
                .header("X-API-KEY", API_KEY)
                .header(KEY, "upload-1")
                .header(
                    "Content-Type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body.clone()),
        )
    };

    let first = upload().await;
    let retry = upload().await;

    assert_eq!(first.status, 201, "{:?}", first.json());
    assert!(retry.replayed());
    retry.assert_same_as(&first);
    assert_eq!(app.simulator.files().len(), 1, "one File on the Backbone");
}

#[tokio::test]
async fn the_same_key_with_another_body_is_a_422_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let first = create_token(&app, Some("reused"), BODY).await;
    assert_eq!(first.status, 201);

    let other = create_token(&app, Some("reused"), r#"{"ephemeral":true}"#).await;

    other.assert_refused(422, "error.connector.idempotency.keyReused");
    assert!(
        other.json()["error"]["message"]
            .as_str()
            .is_some_and(|message| message.contains("another request"))
    );
    assert_eq!(app.simulator.token_count(), 1);
    // The first answer is still there for the first request.
    create_token(&app, Some("reused"), BODY)
        .await
        .assert_same_as(&first);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_run_once_and_all_get_its_answer() {
    let app = TestApp::spawn().await;
    app.simulator.faults().inject(
        Fault::delay(Duration::from_millis(800))
            .on("POST", BACKBONE_TOKENS)
            .times(1),
    );

    let answers = join_all((0..6).map(|_| create_token(&app, Some("concurrent"), BODY))).await;

    let first = answers
        .iter()
        .find(|answer| !answer.replayed())
        .expect("one request ran");
    assert_eq!(first.status, 201, "{:?}", first.json());
    for answer in &answers {
        answer.assert_same_as(first);
    }
    assert_eq!(answers.iter().filter(|answer| answer.replayed()).count(), 5);
    assert_eq!(app.simulator.token_count(), 1);
    assert_eq!(app.stored_tokens(), 1);
}

#[tokio::test]
async fn two_instances_on_one_database_run_a_key_once() {
    let app = TestApp::spawn().await;
    let second = app.spawn_another_instance().await;
    app.simulator.faults().inject(
        Fault::delay(Duration::from_millis(800))
            .on("POST", BACKBONE_TOKENS)
            .times(1),
    );

    let answers = join_all((0..6).map(|n| {
        let address = if n % 2 == 0 { &app.address } else { &second };
        create_token_at(&app, address, Some("across-instances"), BODY)
    }))
    .await;

    let first = answers
        .iter()
        .find(|answer| !answer.replayed())
        .expect("one request ran");
    assert_eq!(first.status, 201, "{:?}", first.json());
    for answer in &answers {
        answer.assert_same_as(first);
    }
    assert_eq!(app.simulator.token_count(), 1, "one token on the Backbone");
    assert_eq!(app.stored_tokens(), 1);
    // Later retries at either instance replay it too.
    for address in [&app.address, &second] {
        create_token_at(&app, address, Some("across-instances"), BODY)
            .await
            .assert_same_as(first);
    }
}

#[tokio::test]
async fn a_retry_while_the_first_runs_past_the_wait_is_told_to_retry() {
    let app = TestApp::spawn_with(&[(WAIT_MS, "300")]).await;
    app.simulator.faults().inject(
        Fault::delay(Duration::from_secs(2))
            .on("POST", BACKBONE_TOKENS)
            .times(1),
    );
    let slow = create_token(&app, Some("slow"), BODY);
    let impatient = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        create_token(&app, Some("slow"), BODY).await
    };

    let (first, retry) = tokio::join!(slow, impatient);

    assert_eq!(first.status, 201, "{:?}", first.json());
    retry.assert_refused(409, "error.connector.idempotency.requestInProgress");
    assert!(retry.headers.contains_key("retry-after"));
    assert!(
        retry.json()["error"]["message"]
            .as_str()
            .is_some_and(|message| message.contains("Retry"))
    );
    // Once the first answered, the retry gets its answer.
    create_token(&app, Some("slow"), BODY)
        .await
        .assert_same_as(&first);
    assert_eq!(app.simulator.token_count(), 1);
}

#[tokio::test]
async fn a_claim_left_by_a_crashed_instance_is_taken_over_after_the_claim_timeout() {
    let app = TestApp::spawn_with(&[(WAIT_MS, "200")]).await;
    leave_claim(&app, "abandoned", "10 minutes");
    leave_claim(&app, "recent", "1 second");

    let taken_over = create_token(&app, Some("abandoned"), BODY).await;
    let still_held = create_token(&app, Some("recent"), BODY).await;

    assert_eq!(taken_over.status, 201, "{:?}", taken_over.json());
    still_held.assert_refused(409, "error.connector.idempotency.requestInProgress");
    assert_eq!(app.simulator.token_count(), 1);
}

#[tokio::test]
async fn a_5xx_answer_is_not_kept_so_a_retry_runs_again() {
    let app = TestApp::spawn().await;
    app.simulator
        .faults()
        .inject(Fault::error_500().on("POST", BACKBONE_TOKENS).times(1));

    let failed = create_token(&app, Some("flaky"), BODY).await;
    let retry = create_token(&app, Some("flaky"), BODY).await;

    assert_eq!(failed.status, 502, "{:?}", failed.json());
    assert_eq!(retry.status, 201, "{:?}", retry.json());
    assert!(!retry.replayed());
    assert_eq!(app.simulator.token_count(), 1);
    assert!(create_token(&app, Some("flaky"), BODY).await.replayed());
}

#[tokio::test]
async fn keys_are_scoped_by_api_key_and_forgotten_after_24_hours() {
    let other_key = "Second-Client-Key-0123456789-abcdXY!";
    let app = TestApp::spawn_with(&[(
        "infrastructure__httpServer__authentication__apiKey__keys__second__key",
        other_key,
    )])
    .await;
    let first = create_token(&app, Some("shared-label"), BODY).await;
    assert_eq!(first.status, 201);

    let other_client = send(
        app.client
            .post(format!("{}{}", app.address, token_path(&app)))
            .header("X-API-KEY", other_key)
            .header("Content-Type", "application/json")
            .header(KEY, "shared-label")
            .body(BODY),
    )
    .await;
    assert_eq!(other_client.status, 201, "{:?}", other_client.json());
    assert!(!other_client.replayed(), "another client's key is its own");
    assert_eq!(app.simulator.token_count(), 2);

    // A day later the key is free again, even for another body.
    app.store.execute(
        "UPDATE idempotency_keys SET created_at = created_at - interval '25 hours', \
         claimed_at = claimed_at - interval '25 hours'",
    );
    let a_day_later = create_token(&app, Some("shared-label"), r#"{"ephemeral":true}"#).await;
    assert_eq!(a_day_later.status, 201, "{:?}", a_day_later.json());
    assert!(!a_day_later.replayed());
}

#[tokio::test]
async fn invalid_keys_are_a_400_in_the_envelope_and_create_nothing() {
    let app = TestApp::spawn().await;
    let too_long = "k".repeat(256);
    let invalid: [&[u8]; 3] = [b"", too_long.as_bytes(), "schlüssel".as_bytes()];

    for key in invalid {
        let answer = send(
            app.post_token(app.file.id.as_str())
                .header(
                    KEY,
                    reqwest::header::HeaderValue::from_bytes(key).expect("a header value"),
                )
                .json(&serde_json::json!({"ephemeral": false})),
        )
        .await;
        answer.assert_refused(400, "error.connector.idempotency.invalidKey");
        assert!(
            answer.json()["error"]["message"]
                .as_str()
                .is_some_and(|message| message.contains("printable ASCII")),
            "{:?}",
            answer.json()
        );
    }
    let twice = send(
        app.post_token(app.file.id.as_str())
            .header(KEY, "one")
            .header(KEY, "two"),
    )
    .await;
    twice.assert_refused(400, "error.connector.idempotency.invalidKey");
    assert_eq!(app.simulator.token_count(), 0);
}

#[tokio::test]
async fn without_a_key_every_request_runs_as_before() {
    let app = TestApp::spawn().await;

    let first = create_token(&app, None, BODY).await;
    let second = create_token(&app, None, BODY).await;

    for answer in [&first, &second] {
        assert_eq!(answer.status, 201, "{:?}", answer.json());
        assert!(!answer.headers.contains_key("idempotency-replayed"));
    }
    assert_ne!(first.json()["result"]["id"], second.json()["result"]["id"]);
    assert_eq!(app.simulator.token_count(), 2);
    assert_eq!(app.store.row_count("idempotency_keys"), 0);
}

#[tokio::test]
async fn keys_past_their_retention_are_purged_when_an_instance_starts() {
    let app = TestApp::spawn().await;
    leave_claim(&app, "from-yesterday", "25 hours");
    leave_claim(&app, "from-today", "23 hours");

    app.spawn_another_instance().await;

    // The purge runs at start, beside the server.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while app.store.row_count("idempotency_keys") > 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the expired key is still stored"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.store.row_count("idempotency_keys"),
        1,
        "the young key stays"
    );
}
