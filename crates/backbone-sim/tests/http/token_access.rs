//! The Backbone's token access scenarios (backbone-token-access-matrix.md), over HTTP.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{Identity, TestSim, error_of, token_body, tomorrow};

const PASSWORD: &[u8] = b"password";
const WORDPASS: &[u8] = b"wordpass";

/// Identities of the matrix: `i` and `i1..i3` (index into the fixture's identities).
#[derive(Debug, Clone, Copy)]
enum Who {
    I,
    I1,
    I2,
    I3,
}

impl Who {
    fn of(self, ids: &[Identity]) -> &Identity {
        &ids[self as usize]
    }
}

struct Row {
    n: u8,
    creator: Who,
    for_identity: Option<Who>,
    token_password: Option<&'static [u8]>,
    caller: Option<Who>,
    sent: Option<&'static [u8]>,
    expected: StatusCode,
}

const fn row(
    n: u8,
    creator: Who,
    for_identity: Option<Who>,
    token_password: Option<&'static [u8]>,
    caller: Option<Who>,
    sent: Option<&'static [u8]>,
    expected: u16,
) -> Row {
    let expected = match StatusCode::from_u16(expected) {
        Ok(status) => status,
        Err(_) => panic!("invalid status"),
    };
    Row {
        n,
        creator,
        for_identity,
        token_password,
        caller,
        sent,
        expected,
    }
}

use Who::{I, I1, I2, I3};
const P: Option<&[u8]> = Some(PASSWORD);
const W: Option<&[u8]> = Some(WORDPASS);
const ANON: Option<Who> = None;

#[rustfmt::skip]
const MATRIX: [Row; 21] = [
    row(1,  I,  None,     None, Some(I),  None, 200),
    row(2,  I1, None,     None, Some(I2), None, 200),
    row(3,  I,  None,     None, ANON,     None, 200),
    row(4,  I,  None,     None, Some(I),  P,    200),
    row(5,  I1, None,     None, Some(I2), P,    200),
    row(6,  I,  None,     None, ANON,     P,    200),
    row(7,  I,  None,     P,    Some(I),  P,    200),
    row(8,  I,  None,     P,    Some(I),  None, 200),
    row(9,  I1, None,     P,    Some(I2), P,    200),
    row(10, I1, None,     P,    Some(I2), None, 404),
    row(11, I,  None,     P,    ANON,     P,    200),
    row(12, I,  None,     P,    ANON,     None, 404),
    row(13, I,  Some(I),  None, Some(I),  None, 200),
    row(14, I1, Some(I2), None, Some(I1), None, 200),
    row(15, I1, Some(I1), None, Some(I2), None, 404),
    row(16, I,  Some(I),  None, ANON,     None, 404),
    row(17, I1, Some(I2), None, Some(I2), None, 200),
    row(18, I1, Some(I2), P,    Some(I2), P,    200),
    row(19, I1, Some(I2), P,    Some(I2), W,    404),
    row(20, I1, Some(I2), P,    Some(I3), P,    404),
    row(21, I1, Some(I2), P,    ANON,     P,    404),
];

async fn identities(sim: &TestSim, count: usize) -> Vec<Identity> {
    let mut identities = Vec::with_capacity(count);
    for _ in 0..count {
        identities.push(sim.identity().await);
    }
    identities
}

#[tokio::test]
async fn every_row_of_the_get_token_matrix_answers_as_the_backbone() {
    let sim = TestSim::start().await;
    let ids = identities(&sim, 4).await;
    for row in &MATRIX {
        let creator = row.creator.of(&ids);
        let for_identity = row.for_identity.map(|who| who.of(&ids).address());
        let id = sim
            .create_token_ok(
                Some(creator),
                token_body(for_identity, row.token_password, tomorrow()),
            )
            .await;
        let caller = row.caller.map(|who| who.of(&ids));
        let response = sim.get_token(caller, &id, row.sent).await;
        assert_eq!(response.status(), row.expected, "row {}", row.n);
        if row.expected == StatusCode::OK {
            let body: Value = response.json().await.expect("JSON body");
            let token = &body["result"];
            assert_eq!(token["id"], id.as_str(), "row {}", row.n);
            assert_eq!(token["createdBy"], creator.address(), "row {}", row.n);
            assert_eq!(
                token["createdByDevice"],
                creator.device.device_id.as_str(),
                "row {}",
                row.n
            );
            assert_eq!(
                token["isPasswordProtected"],
                row.token_password.is_some(),
                "row {}",
                row.n
            );
        } else {
            let (code, message) = error_of(response).await;
            assert_eq!(code, "error.platform.recordNotFound", "row {}", row.n);
            assert!(message.starts_with("Token not found."), "row {}", row.n);
        }
    }
}

#[tokio::test]
async fn a_read_token_has_the_backbones_dto_shape() {
    let sim = TestSim::start().await;
    let creator = sim.identity().await;
    let id = sim
        .create_token_ok(Some(&creator), token_body(None, None, tomorrow()))
        .await;
    let body: Value = sim
        .get_token(None, &id, None)
        .await
        .json()
        .await
        .expect("JSON body");
    let token = body["result"].as_object().expect("result object");
    let keys: Vec<&str> = token.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "createdBy",
            "createdByDevice",
            "forIdentity",
            "createdAt",
            "expiresAt",
            "content",
            "isPasswordProtected"
        ]
    );
    assert_eq!(token["forIdentity"], Value::Null);
    // Content comes back as URL-safe base64 without padding.
    assert_eq!(
        token["content"],
        backbone_sim::encoding::b64url(b"encrypted content")
    );
    let created_at = token["createdAt"].as_str().expect("createdAt");
    assert_eq!(
        created_at.len(),
        "2030-01-02T03:04:05.123Z".len(),
        "{created_at}"
    );
}

#[tokio::test]
async fn a_non_creators_read_allocates_so_later_reads_need_no_password_even_after_expiry() {
    let sim = TestSim::start().await;
    let (creator, reader, stranger) = (
        sim.identity().await,
        sim.identity().await,
        sim.identity().await,
    );
    let soon = chrono::Utc::now() + chrono::Duration::minutes(10);
    let id = sim
        .create_token_ok(Some(&creator), token_body(None, Some(PASSWORD), soon))
        .await;

    assert_eq!(
        sim.get_token(Some(&reader), &id, Some(PASSWORD))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        sim.get_token(Some(&reader), &id, None).await.status(),
        StatusCode::OK
    );
    let stored = sim
        .sim
        .tokens()
        .into_iter()
        .find(|t| t.id.as_str() == id)
        .expect("token stored");
    assert_eq!(stored.allocations.len(), 1);
    assert_eq!(stored.allocations[0].allocated_by, reader.device.address);
    assert_eq!(
        stored.allocations[0].allocated_by_device,
        reader.device.device_id
    );

    sim.sim
        .advance_clock(std::time::Duration::from_secs(11 * 60));
    // The simulator's clock moved, but the login must stay valid for this test: log in again.
    let (creator, reader, stranger) = (
        sim.login(creator.device).await,
        sim.login(reader.device).await,
        sim.login(stranger.device).await,
    );
    assert_eq!(
        sim.get_token(Some(&reader), &id, None).await.status(),
        StatusCode::OK,
        "allocation"
    );
    assert_eq!(
        sim.get_token(Some(&creator), &id, None).await.status(),
        StatusCode::OK,
        "creator"
    );
    assert_eq!(
        sim.get_token(Some(&stranger), &id, Some(PASSWORD))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sim.get_token(None, &id, Some(PASSWORD)).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_hundredth_wrong_password_locks_the_token_except_for_allocations() {
    let sim = TestSim::start().await;
    let (creator, allocated, other) = (
        sim.identity().await,
        sim.identity().await,
        sim.identity().await,
    );
    let id = sim
        .create_token_ok(Some(&creator), token_body(None, Some(PASSWORD), tomorrow()))
        .await;
    assert_eq!(
        sim.get_token(Some(&allocated), &id, Some(PASSWORD))
            .await
            .status(),
        StatusCode::OK
    );

    for attempt in 1..=99 {
        let response = sim.get_token(None, &id, Some(WORDPASS)).await;
        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "attempt {attempt}"
        );
    }
    let hundredth = sim.get_token(None, &id, Some(WORDPASS)).await;
    assert_eq!(hundredth.status(), StatusCode::BAD_REQUEST);
    let (code, message) = error_of(hundredth).await;
    assert_eq!(code, "error.platform.token.tooManyFailedPasswordAttempts");
    assert_eq!(
        message,
        "Too many wrong password attempts, the token is locked."
    );

    for caller in [None, Some(&other)] {
        let response = sim.get_token(caller, &id, Some(PASSWORD)).await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "right password, locked"
        );
        assert_eq!(
            error_of(response).await.0,
            "error.platform.token.tooManyFailedPasswordAttempts"
        );
    }
    assert_eq!(
        sim.get_token(Some(&allocated), &id, None).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        sim.get_token(Some(&creator), &id, None).await.status(),
        StatusCode::OK
    );
    assert_eq!(sim.sim.tokens()[0].access_failed_count, 100);
}

#[tokio::test]
async fn an_anonymous_caller_always_reads_an_anonymously_created_token() {
    let sim = TestSim::start().await;
    let soon = chrono::Utc::now() + chrono::Duration::minutes(1);
    let id = sim
        .create_token_ok(None, serde_json::json!({ "expiresAt": soon.to_rfc3339() }))
        .await;
    let body: Value = sim
        .get_token(None, &id, None)
        .await
        .json()
        .await
        .expect("JSON body");
    assert_eq!(body["result"]["createdBy"], Value::Null);
    assert_eq!(body["result"]["createdByDevice"], Value::Null);
    assert_eq!(body["result"]["content"], Value::Null);
    sim.sim.advance_clock(std::time::Duration::from_secs(3600));
    assert_eq!(
        sim.get_token(None, &id, None).await.status(),
        StatusCode::OK,
        "even expired"
    );
}

#[tokio::test]
async fn passwords_are_compared_byte_for_byte_and_accepted_in_both_base64_dialects() {
    let sim = TestSim::start().await;
    let creator = sim.identity().await;
    let password: &[u8] = &[0xfb, 0xff, 0xbe, 0x00, 0x3f];
    let id = sim
        .create_token_ok(Some(&creator), token_body(None, Some(password), tomorrow()))
        .await;
    let http = &sim.http;
    let get = |query: &str| {
        let url = sim.url(&format!("/api/v2/Tokens/{id}?password={query}"));
        async move {
            http.get(url)
                .send()
                .await
                .expect("request completes")
                .status()
        }
    };
    assert_eq!(
        get("%2B%2F%2B%2BAD8%3D").await,
        StatusCode::OK,
        "b64std, URL-encoded"
    );
    assert_eq!(get("-_--AD8").await, StatusCode::OK, "b64url");
    assert_eq!(get("-_--AD4").await, StatusCode::NOT_FOUND, "one bit off");
    let response = sim
        .http
        .get(sim.url(&format!("/api/v2/Tokens/{id}?password=*")))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(response).await.0,
        "error.platform.inputCannotBeParsed"
    );
}

#[tokio::test]
async fn a_malformed_token_id_is_an_invalid_property_value() {
    let sim = TestSim::start().await;
    let response = sim.get_token(None, "FILAAAAAAAAAAAAAAAAA", None).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "error.platform.validation.invalidPropertyValue");
    assert_eq!(
        message,
        "'id': The ID or Address is not valid. Check length, prefix and the used characters."
    );
    let unknown = sim.get_token(None, "TOKAAAAAAAAAAAAAAAAA", None).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

/// `rt1..rt14`: creator, forIdentity, password, identities that read it (allocating).
#[rustfmt::skip]
const LIST_TOKENS: [(usize, Option<usize>, bool, &[usize]); 14] = [
    (1, None,    false, &[2, 3, 4]),
    (2, None,    false, &[1, 3, 4]),
    (1, None,    false, &[2, 3, 4]),
    (2, None,    false, &[1, 3, 4]),
    (1, None,    true,  &[2, 3, 4]),
    (1, None,    true,  &[]),
    (2, None,    true,  &[1, 3, 4]),
    (2, None,    true,  &[]),
    (1, Some(1), false, &[]),
    (2, Some(3), false, &[3]),
    (2, Some(2), false, &[]),
    (2, Some(3), false, &[3]),
    (2, Some(3), true,  &[3]),
    (2, Some(3), true,  &[]),
];

#[rustfmt::skip]
const LISTED: [(usize, &[usize]); 4] = [
    (1, &[1, 2, 3, 4, 5, 6, 7, 9]),
    (2, &[1, 2, 3, 4, 5, 7, 8, 10, 11, 12, 13, 14]),
    (3, &[1, 2, 3, 4, 5, 7, 10, 12, 13]),
    (4, &[1, 2, 3, 4, 5, 7]),
];

#[tokio::test]
async fn listing_by_ids_returns_exactly_the_created_and_allocated_tokens() {
    let sim = TestSim::start().await;
    // Index 0 is unused so the table can say i1..i4.
    let ids = identities(&sim, 5).await;
    let mut token_ids = Vec::new();
    for (creator, for_identity, protected, readers) in LIST_TOKENS {
        let password = protected.then_some(PASSWORD);
        let for_identity = for_identity.map(|n| ids[n].address());
        let id = sim
            .create_token_ok(
                Some(&ids[creator]),
                token_body(for_identity, password, tomorrow()),
            )
            .await;
        for &reader in readers {
            assert_eq!(
                sim.get_token(Some(&ids[reader]), &id, password)
                    .await
                    .status(),
                StatusCode::OK
            );
        }
        token_ids.push(id);
    }
    let query: Vec<(&str, &str)> = token_ids.iter().map(|id| ("ids", id.as_str())).collect();
    for (who, expected) in LISTED {
        let response = sim
            .request(Method::GET, "/api/v2/Tokens", Some(&ids[who]))
            .query(&query)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("JSON body");
        assert!(
            body.get("pagination").is_none(),
            "a single page carries no pagination"
        );
        let listed: BTreeSet<String> = body["result"]
            .as_array()
            .expect("result array")
            .iter()
            .map(|t| t["id"].as_str().expect("id").to_owned())
            .collect();
        let expected: BTreeSet<String> =
            expected.iter().map(|n| token_ids[n - 1].clone()).collect();
        assert_eq!(listed, expected, "i{who}");
    }
}

#[tokio::test]
async fn listing_needs_ids_and_a_login() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    let response = sim
        .request(Method::GET, "/api/v2/Tokens", Some(&caller))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(response).await.1, "'ids' must not be empty.");
    let anonymous = sim
        .request(Method::GET, "/api/v2/Tokens?ids=TOKAAAAAAAAAAAAAAAAA", None)
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn lists_longer_than_a_page_carry_pagination() {
    let sim = TestSim::start().await;
    let caller = sim.identity().await;
    let mut query = Vec::new();
    for _ in 0..3 {
        query.push((
            "ids",
            sim.create_token_ok(Some(&caller), token_body(None, None, tomorrow()))
                .await,
        ));
    }
    query.push(("pageSize", "2".to_owned()));
    query.push(("pageNumber", "2".to_owned()));
    let body: Value = sim
        .request(Method::GET, "/api/v2/Tokens", Some(&caller))
        .query(&query)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON body");
    assert_eq!(body["result"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["result"][0]["id"], query[2].1.as_str(), "oldest first");
    assert_eq!(
        body["pagination"],
        serde_json::json!({"pageNumber": 2, "pageSize": 2, "totalPages": 2, "totalRecords": 3})
    );
}

#[tokio::test]
async fn only_the_creator_deletes_a_token() {
    let sim = TestSim::start().await;
    let (creator, other) = (sim.identity().await, sim.identity().await);
    let id = sim
        .create_token_ok(Some(&creator), token_body(None, None, tomorrow()))
        .await;
    let path = format!("/api/v2/Tokens/{id}");

    let forbidden = sim
        .request(Method::DELETE, &path, Some(&other))
        .send()
        .await
        .expect("sent");
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let (code, message) = error_of(forbidden).await;
    assert_eq!(code, "error.platform.forbidden");
    assert_eq!(
        message,
        "You are not allowed to perform this action due to insufficient privileges."
    );

    let anonymous = sim
        .request(Method::DELETE, &path, None)
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let deleted = sim
        .request(Method::DELETE, &path, Some(&creator))
        .send()
        .await
        .expect("sent");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(deleted.bytes().await.expect("body").len(), 0);
    assert_eq!(
        sim.get_token(Some(&creator), &id, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let again = sim
        .request(Method::DELETE, &path, Some(&creator))
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert_eq!(sim.sim.token_count(), 0);
}
