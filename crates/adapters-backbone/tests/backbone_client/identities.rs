//! The onboarding calls as the Backbone receives them (the runtime's bodies, byte for byte where
//! the spec gives them), and how their answers and failures come back.

use std::sync::Arc;

use adapters_backbone::HttpBackboneIdentities;
use application::ports::{BackboneError, BackboneIdentities, NewIdentity};
use domain::{Challenge, ChallengeId, DevicePassword, SigningKeyPair};
use serde_json::json;

use crate::fake::{FakeBackbone, LOGIN, Recorded, Reply, Script};
use crate::{CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME, config, device};

const CHALLENGES: &str = "/api/v2/Challenges";
const IDENTITIES: &str = "/api/v2/Identities";
const SYNC_RUNS: &str = "/api/v2/SyncRuns";
const FINALIZE: &str = "/api/v2/SyncRuns/SYRAAAAAAAAAAAAAAAAA/FinalizeDatawalletVersionUpgrade";
/// The spec's vector A: RFC 8032 test 1 and challenge `CHLtestChallenge0001`.
const SEED_A: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const EXPIRES_AT: &str = "2025-01-01T12:10:00.123Z";
const VECTOR_A_PASSWORD: &str = "Zx7!kQ2pLm9#Rt4vWy8-Hj3nBc6:Df5gSa1?Ke2uPo7.Xw9";
const VECTOR_A_BODY: &str = r#"{"devicePassword":"Zx7!kQ2pLm9#Rt4vWy8-Hj3nBc6:Df5gSa1?Ke2uPo7.Xw9","identityPublicKey":"eyJwdWIiOiIxMXFZQVlLeENyZlZTXzdUeVdRSE9nN2hjdlBhcGlNbHJ3SWFhUGNIVVJvIiwiYWxnIjozLCJAdHlwZSI6IkNyeXB0b1NpZ25hdHVyZVB1YmxpY0tleSJ9","signedChallenge":{"challenge":"{\"expiresAt\":\"2025-01-01T12:10:00.123Z\",\"id\":\"CHLtestChallenge0001\",\"type\":\"Identity\"}","signature":"eyJzaWciOiJjNzdMZ1NsUTBMdkJWdW40TXZHa1JKZHRBS3d6NGg3WkhrZms2X0drb0ktbmhKQUlCWnBjQ2I1RmMyVGplbjd3NWZ1bFpsX1ZGV3kwalEwLVVxT1FEdyIsImFsZyI6MiwiQHR5cGUiOiJDcnlwdG9TaWduYXR1cmUifQ"},"clientId":"test","clientSecret":"test","identityVersion":1}"#;

fn seed_a() -> [u8; 32] {
    std::array::from_fn(|i| u8::from_str_radix(&SEED_A[2 * i..2 * i + 2], 16).expect("hex"))
}

fn client(fake: &FakeBackbone) -> HttpBackboneIdentities {
    HttpBackboneIdentities::new(&config(&fake.base_url())).expect("a valid config")
}

fn vector_a_request() -> NewIdentity {
    let key = SigningKeyPair::from_seed(seed_a());
    let challenge = Challenge {
        id: ChallengeId::parse("CHLtestChallenge0001").expect("an id"),
        expires_at: domain::date::parse_iso8601(EXPIRES_AT).expect("a date"),
    };
    let signed_challenge = challenge.signing_string();
    NewIdentity {
        public_key: key.public_key(),
        signature: key.sign(signed_challenge.as_bytes()),
        signed_challenge,
        device_password: DevicePassword::new(VECTOR_A_PASSWORD.to_owned()),
    }
}

fn created_identity() -> Reply {
    Reply::json(
        201,
        json!({"result": {
            "address": "did:e:localhost:dids:63c98b9b34bd7ce8a891f9",
            "createdAt": "2026-12-03T08:00:00.000Z",
            "device": {"id": "DVCAAAAAAAAAAAAAAAAA", "username": USERNAME, "createdAt": "2026-12-03T08:00:00.000Z"},
        }}),
    )
}

fn script(reply: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Script {
    Arc::new(reply)
}

#[tokio::test]
async fn a_challenge_is_asked_for_anonymously_with_an_empty_object() {
    let fake = FakeBackbone::start(script(|_, _| {
        Reply::json(
            201,
            json!({"result": {"id": "CHLtestChallenge0001", "expiresAt": EXPIRES_AT, "createdBy": null, "createdByDevice": null}}),
        )
    }))
    .await;
    let challenge = client(&fake).create_challenge().await.expect("a challenge");
    assert_eq!(challenge.id.as_str(), "CHLtestChallenge0001");
    assert_eq!(domain::date::format_date(challenge.expires_at), EXPIRES_AT);
    let request = &fake.requests_to(CHALLENGES)[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.body, b"{}");
    assert_eq!(request.header("authorization"), None);
}

#[tokio::test]
async fn a_failed_challenge_is_asked_for_again_it_costs_nothing() {
    let fake = FakeBackbone::start(script(|_, n| match n {
        0 => Reply::error(500, "error.platform.unexpected", "boom"),
        _ => Reply::json(
            201,
            json!({"result": {"id": "CHLtestChallenge0001", "expiresAt": EXPIRES_AT}}),
        ),
    }))
    .await;
    client(&fake).create_challenge().await.expect("a challenge");
    assert_eq!(fake.requests_to(CHALLENGES).len(), 2);
}

#[tokio::test]
async fn the_identity_body_is_the_runtimes_byte_for_byte() {
    let fake = FakeBackbone::start(script(|_, _| created_identity())).await;
    let config = adapters_backbone::BackboneConfig::new(
        fake.base_url(),
        "test",
        secrecy::SecretString::from("test"),
    );
    let created = HttpBackboneIdentities::new(&config)
        .expect("a valid config")
        .create_identity(&vector_a_request())
        .await
        .expect("created");
    assert_eq!(
        created.address.as_str(),
        "did:e:localhost:dids:63c98b9b34bd7ce8a891f9"
    );
    assert_eq!(created.device_username.as_str(), USERNAME);
    let request = &fake.requests_to(IDENTITIES)[0];
    assert_eq!(
        std::str::from_utf8(&request.body).expect("UTF-8"),
        VECTOR_A_BODY
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("authorization"), None);
}

#[tokio::test]
async fn a_lost_answer_to_the_identity_is_not_sent_again() {
    let fake = FakeBackbone::start(script(|_, _| Reply::Hangup)).await;
    let error = client(&fake)
        .create_identity(&vector_a_request())
        .await
        .expect_err("no answer");
    assert!(
        matches!(error, BackboneError::ConnectionLost { .. }),
        "{error:?}"
    );
    assert_eq!(fake.requests_to(IDENTITIES).len(), 1);
}

#[tokio::test]
async fn a_refused_identity_keeps_the_backbones_code() {
    let fake = FakeBackbone::start(script(|_, _| {
        Reply::error(
            400,
            "error.platform.validation.device.addressAlreadyExists",
            "The address derived from the given public key already exists.",
        )
    }))
    .await;
    let error = client(&fake)
        .create_identity(&vector_a_request())
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, BackboneError::Rejected { code, .. } if code == application::ports::ADDRESS_ALREADY_EXISTS),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_datawallet_upgrade_logs_in_as_the_new_device_and_runs_to_version_1() {
    let fake = FakeBackbone::start(script(|request, _| match request.path.as_str() {
        LOGIN => Reply::login("access", 300),
        SYNC_RUNS => Reply::json(
            201,
            json!({"result": {"status": "Created", "syncRun": {"id": "SYRAAAAAAAAAAAAAAAAA", "expiresAt": EXPIRES_AT, "index": 0, "createdAt": EXPIRES_AT, "createdBy": "did:e:localhost:dids:63c98b9b34bd7ce8a891f9", "createdByDevice": "DVCAAAAAAAAAAAAAAAAA", "eventCount": 0}}}),
        ),
        FINALIZE => Reply::json(
            200,
            json!({"result": {"newDatawalletModificationIndex": -1, "datawalletModifications": []}}),
        ),
        _ => Reply::empty(404),
    }))
    .await;
    client(&fake)
        .initialize_datawallet(&device())
        .await
        .expect("initialised");

    let login = fake.requests_to(LOGIN)[0].form();
    assert_eq!(login["username"], USERNAME);
    assert_eq!(login["password"], PASSWORD);
    assert_eq!(login["client_id"], CLIENT_ID);
    assert_eq!(login["client_secret"], CLIENT_SECRET);
    let start = &fake.requests_to(SYNC_RUNS)[0];
    assert_eq!(start.json(), json!({"type": "DatawalletVersionUpgrade"}));
    assert_eq!(start.header("x-supported-datawallet-version"), Some("1"));
    assert_eq!(start.header("authorization"), Some("Bearer access"));
    let finalize = &fake.requests_to(FINALIZE)[0];
    assert_eq!(finalize.method, "PUT");
    assert_eq!(
        finalize.json(),
        json!({"newDatawalletVersion": 1, "datawalletModifications": []})
    );
}

#[tokio::test]
async fn a_sync_run_the_backbone_does_not_start_is_an_error_not_a_success() {
    let fake = FakeBackbone::start(script(|request, _| match request.path.as_str() {
        LOGIN => Reply::login("access", 300),
        SYNC_RUNS => Reply::json(
            200,
            json!({"result": {"status": "NoNewEvents", "syncRun": null}}),
        ),
        _ => Reply::empty(404),
    }))
    .await;
    let error = client(&fake)
        .initialize_datawallet(&device())
        .await
        .expect_err("no run");
    assert!(
        matches!(error, BackboneError::UnexpectedResponse { .. }),
        "{error:?}"
    );
    assert!(fake.requests_to(FINALIZE).is_empty());
}
