//! The enmeshed Connector's own integration suites, re-expressed for `node --test` with the
//! official `@nmshd/connector-sdk` (`tests/interop/connector-*.test.js`), run against two
//! instances of our service that each onboarded an identity of their own on one simulator — the
//! setup of the Connector's `Launcher` with two clients.
//!
//! Each suite runs twice: on `/api/v2` as the SDK sends it (Connector 6.36.11) and on
//! `/api/core/v1` (Connector 7), the SDK's paths rewritten.

use std::process::Command;
use std::time::Duration;

use backbone_sim::{PlatformClient, RunningSimulator, SimulatorConfig};
use server::config::Config;
use server::startup::Application;
use system_tests::{API_KEY, Engine, TestStore, identity_info, onboarding_vars};

use super::interop_dir;

/// Longest a whole suite may take; each of its cases has a deadline of its own, too.
const SUITE_DEADLINE: Duration = Duration::from_secs(240);
const CASE_DEADLINE_MS: &str = "60000";

/// One instance of our service, onboarded on `simulator` with a fresh database of its own.
async fn instance(simulator: &RunningSimulator, client: &PlatformClient) -> (String, TestStore) {
    let store = TestStore::create(Engine::Postgres);
    let vars = onboarding_vars(simulator, client, &store.connection_string());
    let application = Application::build(Config::from_vars(vars).expect("a valid configuration"))
        .await
        .expect("the connector starts and onboards");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    (address, store)
}

/// The TAP summary's `# <name> <count>`.
fn tap_count(tap: &str, name: &str) -> Option<u32> {
    tap.lines().find_map(|line| {
        line.strip_prefix(&format!("# {name} "))?
            .trim()
            .parse()
            .ok()
    })
}

/// Runs `suite` against two fresh instances on one simulator, on `api` (`v2` or `core/v1`), and
/// asserts that all of its `expected_cases` ran and passed.
async fn run_suite(suite: &'static str, api: &'static str, expected_cases: u32) {
    let client = PlatformClient::random();
    let simulator = backbone_sim::start(SimulatorConfig::new().with_client(client.clone()))
        .await
        .expect("the Backbone simulator starts");
    let (first, _first_store) = instance(&simulator, &client).await;
    let (second, _second_store) = instance(&simulator, &client).await;
    let http = reqwest::Client::new();
    assert_ne!(
        identity_info(&http, &first).await["address"],
        identity_info(&http, &second).await["address"],
        "two identities"
    );

    let dir = interop_dir();
    let run = tokio::task::spawn_blocking(move || {
        Command::new("timeout")
            .arg(SUITE_DEADLINE.as_secs().to_string())
            .args(["node", "--test", "--test-reporter=tap"])
            .arg(format!("--test-timeout={CASE_DEADLINE_MS}"))
            .arg(suite)
            .env("CONNECTOR_URLS", format!("{first},{second}"))
            .env("CONNECTOR_API_KEY", API_KEY)
            .env("CONNECTOR_API", api)
            .current_dir(dir)
            .output()
    });
    let output = run
        .await
        .expect("the suite task finishes")
        .expect("node runs (Node 20 must be installed)");
    let tap = String::from_utf8_lossy(&output.stdout);
    let report = || {
        format!(
            "{suite} on /api/{api}:\n{tap}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    };
    assert!(output.status.success(), "{}", report());
    assert_eq!(
        tap_count(&tap, "tests"),
        Some(expected_cases),
        "{}",
        report()
    );
    assert_eq!(
        tap_count(&tap, "pass"),
        Some(expected_cases),
        "{}",
        report()
    );
    assert_eq!(tap_count(&tap, "fail"), Some(0), "{}", report());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connectors_files_tests_pass_on_api_v2() {
    run_suite("connector-files.test.js", "v2", 41).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connectors_files_tests_pass_on_api_core_v1() {
    run_suite("connector-files.test.js", "core/v1", 41).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connectors_tokens_tests_pass_on_api_v2() {
    run_suite("connector-tokens.test.js", "v2", 12).await;
}

/// v7 adds "delete a token" (`DELETE /Tokens/{id}` exists only there).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connectors_tokens_tests_pass_on_api_core_v1() {
    run_suite("connector-tokens.test.js", "core/v1", 13).await;
}

#[test]
fn the_tap_summary_is_read_by_name() {
    let tap = "ok 41 - File ownership\n1..9\n# tests 41\n# suites 9\n# pass 40\n# fail 1\n";
    assert_eq!(tap_count(tap, "tests"), Some(41));
    assert_eq!(tap_count(tap, "pass"), Some(40));
    assert_eq!(tap_count(tap, "fail"), Some(1));
    assert_eq!(tap_count(tap, "skipped"), None);
}
