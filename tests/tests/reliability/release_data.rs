//! Data a release wrote keeps working: today's binary starts in local mode on a copy of the
//! data directory release `fb80814` left behind (`tests/fixtures/local-mode-fb80814`), finds its
//! tokens in its database and in its built-in Backbone, and creates new ones; the old demo File
//! (no content) is kept and a real one, which downloads, is uploaded next to it. And when the
//! simulator port the old tokens point to is taken, it refuses to start, says what to do and
//! changes nothing.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use adapters_sqlite::{SqliteConfig, SqliteDatabase};
use application::ports::{FileRepository, TokenRepository};
use domain::{FileId, TokenId};
use system_tests::process::ConnectorProcess;

use crate::local_mode::{
    assert_the_demo_file_downloads, demo_file_from, download, wait_for_banner,
};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/local-mode-fb80814/data"
);
const FILES: [&str; 3] = ["connector.sqlite", "local-mode.json", "backbone-sim.json"];
/// From the fixture's README: ids, and whether each is password protected.
const STORED: [(&str, bool); 3] = [
    ("TOKPRtMN1qSr8JOzmCDy", false),
    ("TOKrkxWM7Ic3DiFugiw3", true),
    ("TOKunUIlr6SW4dxhlpro", true),
];
const EPHEMERAL: &str = "TOKSAezagUDD3wb5UhTY";
const API_KEY: &str = "4ml6gRtqKT2uh0w51bAW2RJaMKmj7ycEQABJoOTZ67I-Lk9-Xq7";
const DEMO_FILE: &str = "FILPqfi2HIzgvQddu7fU";
/// The simulator port in the fixture's `local-mode.json`: the old references point to it.
const SIMULATOR_PORT: u16 = 43507;
/// How long a test waits for that port to be free on a busy machine.
const PORT_PATIENCE: Duration = Duration::from_secs(60);

fn vars() -> Vec<(String, String)> {
    vec![("infrastructure__httpServer__port".into(), "0".into())]
}

/// A fresh copy of the fixture in `directory/data`.
fn copy_fixture(directory: &Path) -> PathBuf {
    let data = directory.join("data");
    let _absent = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    for name in FILES {
        std::fs::copy(Path::new(FIXTURE).join(name), data.join(name)).unwrap();
    }
    data
}

fn simulator_address() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, SIMULATOR_PORT))
}

/// The port is one the OS handed out once (ephemeral range), so on another machine an
/// outgoing connection or another test may hold it for a while. Waits until it is free, and
/// fails with the reason if it never is.
fn wait_until_the_port_is_free(deadline: Instant) {
    loop {
        match TcpListener::bind(simulator_address()) {
            Ok(_free) => return,
            Err(error) => assert!(
                Instant::now() < deadline,
                "port {SIMULATOR_PORT}, which the fixture's tokens point to, stayed taken for \
                 {PORT_PATIENCE:?} ({error}); free it to run this test"
            ),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn refused_for_the_port(log: &[String]) -> bool {
    log.iter().any(|line| {
        line.contains(&format!(
            "the built-in Backbone cannot listen on 127.0.0.1:{SIMULATOR_PORT}"
        ))
    })
}

/// Starts today's binary on a fresh copy of the fixture. Between our check that the port is
/// free and the binary binding it, something else can take it; the binary then refuses (a
/// refused start changes nothing), and we try again with a fresh copy until the deadline.
fn start_on_the_fixture(directory: &Path) -> ConnectorProcess {
    let deadline = Instant::now() + PORT_PATIENCE;
    loop {
        wait_until_the_port_is_free(deadline);
        let data = copy_fixture(directory);
        match ConnectorProcess::try_start_in(Some(directory), &vars(), "info") {
            Ok(connector) => return connector,
            Err(not_started) if refused_for_the_port(&not_started.log) => {
                assert!(
                    Instant::now() < deadline,
                    "port {SIMULATOR_PORT} stays taken"
                );
                assert_unchanged(&data);
            }
            Err(not_started) => panic!(
                "today's connector does not start on the release's data ({}):\n{}",
                not_started.status,
                not_started.log.join("\n")
            ),
        }
    }
}

fn assert_unchanged(data: &Path) {
    for name in FILES {
        assert_eq!(
            std::fs::read(data.join(name)).unwrap(),
            std::fs::read(Path::new(FIXTURE).join(name)).unwrap(),
            "{name} is unchanged"
        );
    }
}

/// The identity the fixture's simulator was seeded with.
const FIXTURE_ADDRESS: &str = "did:e:localhost:dids:b326c0a4e5a87dc1cbdb97";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn todays_binary_starts_on_the_data_of_release_fb80814_and_keeps_its_tokens() {
    let directory = tempfile::tempdir().unwrap();
    let mut connector = start_on_the_fixture(directory.path());
    let client = reqwest::Client::new();
    let simulator = format!("http://127.0.0.1:{SIMULATOR_PORT}");

    let database = SqliteDatabase::open(
        directory.path().join("data/connector.sqlite"),
        &SqliteConfig::default(),
    )
    .unwrap();
    for (id, protected) in STORED {
        let stored = database
            .token_repository()
            .find_token(&TokenId::parse(id).unwrap())
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{id} is still in the database"));
        assert_eq!(stored.password_protection.is_some(), protected, "{id}");
        assert_eq!(
            stored.content.as_file().map(|file| file.file_id.as_str()),
            Some(DEMO_FILE),
            "{id}"
        );
    }

    for id in STORED.map(|(id, _)| id).into_iter().chain([EPHEMERAL]) {
        let response = client
            .get(format!("{simulator}/_sim/tokens/{id}"))
            .send()
            .await
            .unwrap();
        let (status, body) = system_tests::status_and_json(response).await;
        assert_eq!(status, 200, "the built-in Backbone still has {id}: {body}");
        let protected = STORED.iter().any(|(stored, p)| *stored == id && *p);
        assert_eq!(body["result"]["password"].is_string(), protected, "{id}");
    }

    let expires_at = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let response = client
        .post(format!(
            "{}/api/v2/Files/{DEMO_FILE}/Token",
            connector.address()
        ))
        .header("X-API-KEY", API_KEY)
        .json(&serde_json::json!({"ephemeral": false, "expiresAt": expires_at}))
        .send()
        .await
        .unwrap();
    let (status, body) = system_tests::status_and_json(response).await;
    assert_eq!(status, 201, "a new token with the kept API key: {body}");
    assert_eq!(
        body["result"]["createdBy"], FIXTURE_ADDRESS,
        "still the device it was seeded with: {body}"
    );
    let response = client
        .get(format!(
            "{}/api/v2/Account/IdentityInfo",
            connector.address()
        ))
        .header("X-API-KEY", API_KEY)
        .send()
        .await
        .unwrap();
    let (status, info) = system_tests::status_and_json(response).await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(
        info["result"],
        serde_json::json!({"address": FIXTURE_ADDRESS}),
        "a seeded device brings no identity key"
    );
    let state: serde_json::Value = serde_json::from_slice(
        &std::fs::read(directory.path().join("data/local-mode.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(state["version"], 2, "upgraded in place");
    assert_eq!(state["configuredDevice"]["address"], FIXTURE_ADDRESS);
    assert!(
        body["result"]["reference"]["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{simulator}/r/")),
        "the new reference points where the old ones do: {body}"
    );
    let new_id = TokenId::parse(body["result"]["id"].as_str().unwrap()).unwrap();
    assert!(
        database
            .token_repository()
            .find_token(&new_id)
            .await
            .unwrap()
            .is_some()
    );

    // The old demo File is kept as it was; the banner shows a real one uploaded next to it.
    let old = database
        .file_repository()
        .find_file(&FileId::parse(DEMO_FILE).unwrap())
        .await
        .unwrap()
        .expect("the old demo File is kept");
    assert!(old.content.is_none(), "kept as it was: without content");
    let (status, _, _, _) = download(&connector.address(), API_KEY, DEMO_FILE).await;
    assert_eq!(status, 409, "the old demo File has nothing to download");
    let demo_file = demo_file_from(&wait_for_banner(&connector).await);
    assert_ne!(demo_file, DEMO_FILE, "a new demo File, with content");
    assert_the_demo_file_downloads(&connector.address(), API_KEY, &demo_file).await;
    let state: serde_json::Value = serde_json::from_slice(
        &std::fs::read(directory.path().join("data/local-mode.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        state["demoFile"],
        demo_file.as_str(),
        "and it is remembered"
    );

    connector.terminate();
    let status = connector.wait_for_exit(Duration::from_secs(15));
    assert!(
        status.is_some_and(|s| s.success()),
        "clean shutdown: {status:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_old_tokens_port_is_taken_the_start_is_refused_with_what_to_do() {
    let directory = tempfile::tempdir().unwrap();
    let data = copy_fixture(directory.path());
    // Holding the port ourselves makes it taken for sure; if something else already holds it,
    // it is taken just the same.
    let _holder = TcpListener::bind(simulator_address()).ok();

    let refused = ConnectorProcess::try_start_in(Some(directory.path()), &vars(), "info")
        .expect_err("the connector refuses to start without its simulator port");
    assert!(!refused.status.success(), "{}", refused.status);
    let log = refused.log.join("\n");
    assert!(refused_for_the_port(&refused.log), "{log}");
    assert!(
        log.contains("the port the references of its earlier tokens point to"),
        "{log}"
    );
    assert!(
        log.contains(&format!("ss -ltnp 'sport = :{SIMULATOR_PORT}'")),
        "{log}"
    );
    assert!(
        log.contains("set \\\"simulatorPort\\\" to 0 in"),
        "how to give the port up: {log}"
    );
    assert_unchanged(&data);
}
