//! `GET …/Files`, `…/Files/Own` and `…/Files/Peer`: Files uploaded and loaded over HTTP, listed
//! with the Connector's query syntax (every operator, the Connector's own query tests, the
//! owner restriction) and refused by its schema as the Connector refuses them.

use chrono::{DateTime, Duration, Utc};
use domain::date::format_date;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use system_tests::{API_KEY, Engine, TestApp, status_and_json};

async fn upload(app: &TestApp, form: Form) -> Value {
    let response = app
        .client
        .post(format!("{}/api/v2/Files/Own", app.address))
        .header("X-API-KEY", API_KEY)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201, "{body}");
    body["result"].clone()
}

fn file(content: &[u8], filename: &str, media_type: &str) -> Part {
    Part::bytes(content.to_vec())
        .file_name(filename.to_owned())
        .mime_str(media_type)
        .unwrap()
}

async fn list(app: &TestApp, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .header("X-API-KEY", API_KEY)
        .query(query)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

/// The ids `GET path?query` lists, asserting it answers 200.
async fn ids(app: &TestApp, path: &str, query: &[(&str, &str)]) -> Vec<String> {
    let (status, body) = list(app, path, query).await;
    assert_eq!(status, 200, "{path} {query:?}: {body}");
    body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|dto| dto["id"].as_str().unwrap().to_owned())
        .collect()
}

fn id(dto: &Value) -> String {
    dto["id"].as_str().unwrap().to_owned()
}

/// The ids of `dtos` in the order the service lists Files: by creation, then id.
fn in_order(dtos: &[&Value]) -> Vec<String> {
    let mut dtos = dtos.to_vec();
    dtos.sort_by_key(|dto| (dto["createdAt"].as_str().unwrap(), id(dto)));
    dtos.into_iter().map(id).collect()
}

/// A service without the File the test app stores before every test.
async fn empty_app(engine: Engine) -> TestApp {
    let app = TestApp::spawn_on(engine, &[]).await;
    app.store
        .execute(&format!("DELETE FROM files WHERE id = '{}'", app.file.id));
    app
}

/// The Connector's `makeUploadRequest`: "File Title", `test.txt` of 4 bytes, a description,
/// expiring in five minutes; tagged as its v7 test does.
fn connector_upload() -> Form {
    let expires_at = format_date(Utc::now() + Duration::minutes(5));
    Form::new()
        .text("title", "File Title")
        .text("description", "This is a valid file description")
        .text("expiresAt", expires_at)
        .part("file", file(b"test", "test.txt", "text/plain"))
        .text("tags", "x:tag1")
        .text("tags", "x:tag2")
}

/// The Connector's `QueryParamConditions`: the DTO's own value of `key` lists it, a changed
/// value does not.
async fn assert_query_conditions(app: &TestApp, path: &str, dto: &Value, keys: &[&str]) {
    for key in keys {
        let value = &dto[*key];
        let (matching, other) = match value {
            Value::Bool(value) => (value.to_string(), (!value).to_string()),
            Value::Number(number) => {
                let n = number.as_u64().unwrap();
                (n.to_string(), (n + 1).to_string())
            }
            Value::String(text) => match DateTime::parse_from_rfc3339(text) {
                Ok(date) if key.ends_with("At") => (
                    text.clone(),
                    format_date(date.with_timezone(&Utc) + Duration::hours(24)),
                ),
                _ => (
                    text.clone(),
                    format!("{}XXXX", &text[..text.len().saturating_sub(4)]),
                ),
            },
            other => panic!("{key} is {other}"),
        };
        let (status, body) = list(app, path, &[(key, &matching)]).await;
        assert_eq!(status, 200, "{body}");
        let listed = body["result"].as_array().unwrap();
        assert!(listed.contains(dto), "{path}?{key}={matching}: {body}");
        let (_, body) = list(app, path, &[(key, &other)]).await;
        let listed = body["result"].as_array().unwrap();
        assert!(!listed.contains(dto), "{path}?{key}={other}: {body}");
    }
}

const KEYS: [&str; 9] = [
    "createdAt",
    "createdBy",
    "createdByDevice",
    "description",
    "expiresAt",
    "filename",
    "filesize",
    "mimetype",
    "title",
];

async fn every_operator_selects_as_the_connector_does(engine: Engine) {
    let app = empty_app(engine).await;
    let one = upload(&app, connector_upload()).await;
    let two = upload(
        &app,
        Form::new()
            .text("title", "Other")
            .part(
                "file",
                file(b"0123456789", "report_2025.PDF", "application/pdf"),
            )
            .text("tags", "x:tag3")
            .text("tags", "x:tag4"),
    )
    .await;
    let three = upload(
        &app,
        Form::new().part("file", file(b"", "ÄÖÜ.txt", "text/plain")),
    )
    .await;
    let files = "/api/v2/Files";
    let all = in_order(&[&one, &two, &three]);
    let only = |dtos: &[&Value]| in_order(dtos);
    let none: Vec<String> = Vec::new();
    let check = |query: Vec<(&'static str, String)>, expected: Vec<String>| {
        let app = &app;
        async move {
            let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(ids(app, files, &query).await, expected, "{query:?}");
        }
    };
    let q = |pairs: &[(&'static str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect::<Vec<_>>()
    };

    check(q(&[]), all.clone()).await;
    // The Connector's "Files query" tests, on every route that lists the File.
    assert_query_conditions(&app, files, &one, &[&KEYS[..], &["isOwn"]].concat()).await;
    assert_query_conditions(&app, "/api/v2/Files/Own", &one, &KEYS).await;

    // Exists, not exists, not equal: a File without title has none.
    check(q(&[("title", "")]), only(&[&one, &two])).await;
    check(q(&[("title", "!")]), only(&[&three])).await;
    check(q(&[("title", "!File Title")]), only(&[&two, &three])).await;
    check(
        q(&[("description", "!=This is a valid file description")]),
        only(&[&two, &three]),
    )
    .await;
    // Comparisons: numbers as numbers, dates as their text.
    check(q(&[("filesize", ">4")]), only(&[&two])).await;
    check(q(&[("filesize", ">=4")]), only(&[&one, &two])).await;
    check(q(&[("filesize", "<4")]), only(&[&three])).await;
    check(q(&[("filesize", "<=4")]), only(&[&one, &three])).await;
    check(q(&[("filesize", "4.0")]), only(&[&one])).await;
    check(q(&[("createdAt", ">2000-01-01")]), all.clone()).await;
    let created = one["createdAt"].as_str().unwrap().to_owned();
    check(
        vec![("createdAt", format!("<={created}"))],
        one_and_earlier(&[&one, &two, &three], &created),
    )
    .await;
    // `9999` is a number, which no date equals or follows; `9999-` is text.
    check(q(&[("expiresAt", "<9999")]), none.clone()).await;
    check(q(&[("expiresAt", "<9999-")]), only(&[&one])).await;
    // Patterns: case-insensitive across Unicode, the text taken literally.
    check(q(&[("filename", "^TEST")]), only(&[&one])).await;
    check(q(&[("filename", "$.pdf")]), only(&[&two])).await;
    check(q(&[("filename", "~t_2")]), only(&[&two])).await;
    check(q(&[("filename", "~.")]), all.clone()).await;
    // A regular expression would match `test.txt` here.
    check(q(&[("filename", "~e.t")]), none.clone()).await;
    check(q(&[("filename", "~äöü")]), only(&[&three])).await;
    check(q(&[("title", "^file t")]), only(&[&one])).await;
    // Repeated keys: one of the plain values, none of the `!` ones.
    check(
        q(&[("mimetype", "text/plain"), ("mimetype", "application/pdf")]),
        all.clone(),
    )
    .await;
    check(
        q(&[("mimetype", "!text/plain"), ("mimetype", "!image/png")]),
        only(&[&two]),
    )
    .await;
    check(
        q(&[("filesize", "4"), ("filesize", "0")]),
        only(&[&one, &three]),
    )
    .await;
    // Values of another type than the field's never match.
    check(q(&[("title", "123")]), none.clone()).await;
    check(q(&[("filesize", "abc")]), none.clone()).await;
    check(q(&[("filesize", "!abc")]), all.clone()).await;
    check(q(&[("isOwn", "TRUE")]), all.clone()).await;
    check(q(&[("isOwn", "false")]), none.clone()).await;
    check(q(&[("isOwn", "1")]), none.clone()).await;
    // Tags: any of them, exactly.
    check(q(&[("tags", "x:tag1")]), only(&[&one])).await;
    check(
        q(&[("tags", "x:tag3"), ("tags", "x:tag1")]),
        only(&[&one, &two]),
    )
    .await;
    check(q(&[("tags", "X:TAG1")]), none.clone()).await;
    // Ownership: the token exactly, nothing locked.
    let token = one["ownershipToken"].as_str().unwrap().to_owned();
    check(vec![("ownershipToken", token.clone())], only(&[&one])).await;
    check(
        vec![("ownershipToken", token.clone()), ("ownershipToken", token)],
        none.clone(),
    )
    .await;
    check(q(&[("ownershipIsLocked", "!")]), all.clone()).await;
    check(q(&[("ownershipIsLocked", "true")]), none.clone()).await;
    // Every condition holds.
    check(
        q(&[("mimetype", "text/plain"), ("title", "")]),
        only(&[&one]),
    )
    .await;
}

/// The ids of `dtos` created at or before `created`, in list order.
fn one_and_earlier(dtos: &[&Value], created: &str) -> Vec<String> {
    let earlier: Vec<&Value> = dtos
        .iter()
        .copied()
        .filter(|dto| dto["createdAt"].as_str().unwrap() <= created)
        .collect();
    in_order(&earlier)
}

#[tokio::test]
async fn every_operator_selects_as_the_connector_does_on_postgres() {
    every_operator_selects_as_the_connector_does(Engine::Postgres).await;
}

#[tokio::test]
async fn every_operator_selects_as_the_connector_does_on_sqlite() {
    every_operator_selects_as_the_connector_does(Engine::Sqlite).await;
}

/// Loads `dto`'s File as a peer would: forgotten here, then loaded by its reference.
async fn as_peer_file(app: &TestApp, dto: &Value) -> Value {
    app.store
        .execute(&format!("DELETE FROM files WHERE id = '{}'", id(dto)));
    let response = app
        .client
        .post(format!("{}/api/v2/Files/Peer", app.address))
        .header("X-API-KEY", API_KEY)
        .json(&json!({"reference": dto["reference"]["truncated"]}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, 201, "{body}");
    body["result"].clone()
}

#[tokio::test]
async fn own_and_peer_lists_keep_to_their_files_whatever_the_query_says_about_is_own() {
    let app = empty_app(Engine::Postgres).await;
    let own = upload(&app, connector_upload()).await;
    let shared = upload(&app, connector_upload()).await;
    let peer = as_peer_file(&app, &shared).await;
    assert_eq!(peer["isOwn"], false);
    let (own_id, peer_id) = (vec![id(&own)], vec![id(&peer)]);

    assert_eq!(
        ids(&app, "/api/v2/Files", &[]).await,
        in_order(&[&own, &peer])
    );
    assert_eq!(
        ids(&app, "/api/v2/Files", &[("isOwn", "false")]).await,
        peer_id
    );
    assert_eq!(ids(&app, "/api/v2/Files/Own", &[]).await, own_id);
    assert_eq!(
        ids(&app, "/api/v2/Files/Own", &[("isOwn", "false")]).await,
        own_id
    );
    assert_eq!(ids(&app, "/api/v2/Files/Peer", &[]).await, peer_id);
    assert_eq!(
        ids(&app, "/api/v2/Files/Peer", &[("isOwn", "!")]).await,
        peer_id
    );
    assert_eq!(ids(&app, "/api/core/v1/Files/Peer", &[]).await, peer_id);
    assert_eq!(
        ids(&app, "/api/core/v1/Files/Own", &[("isOwn", "true")]).await,
        own_id
    );
    // The Connector's "Files query" tests of `/Files/Peer`, on the loaded File.
    assert_query_conditions(&app, "/api/v2/Files/Peer", &peer, &KEYS).await;
    // `/Files?createdAt=` holds the loaded File as `loadPeerFile` answered it.
    let (_, body) = list(
        &app,
        "/api/v2/Files",
        &[("createdAt", peer["createdAt"].as_str().unwrap())],
    )
    .await;
    assert!(body["result"].as_array().unwrap().contains(&peer), "{body}");
}

#[tokio::test]
async fn the_v7_routes_answer_v7_dtos() {
    let app = empty_app(Engine::Postgres).await;
    let uploaded = upload(
        &app,
        Form::new().part("file", file(b"v7", "v7.txt", "text/plain")),
    )
    .await;
    let (status, body) = list(&app, "/api/core/v1/Files", &[("title", "!")]).await;
    assert_eq!(status, 200, "{body}");
    let listed = &body["result"][0];
    assert_eq!(listed["id"], uploaded["id"]);
    assert!(listed.get("truncatedReference").is_none(), "{listed}");
    assert!(listed.get("title").is_none(), "{listed}");
    assert_eq!(uploaded["title"], "", "v6 writes the missing title as \"\"");
    let (_, body) = list(&app, "/api/v2/Files/Own", &[]).await;
    assert_eq!(body["result"], json!([uploaded]));
}

#[tokio::test]
async fn the_schema_refuses_unknown_keys_and_a_repeated_lock() {
    let app = TestApp::spawn().await;
    for (path, query) in [
        ("/api/v2/Files", vec![("unknown", "1")]),
        ("/api/v2/Files/Own", vec![("Title", "File Title")]),
        (
            "/api/core/v1/Files/Peer",
            vec![("tags[]", "x:a"), ("tags[]", "x:b")],
        ),
        ("/api/v2/Files", vec![("title", "x"), ("id", "FIL")]),
    ] {
        let (status, body) = list(&app, path, &query).await;
        assert_eq!(status, 400, "{path} {query:?}: {body}");
        assert_eq!(
            body["error"]["code"],
            "error.runtime.validation.invalidPropertyValue"
        );
        assert_eq!(
            body["error"]["message"],
            "query must NOT have additional properties"
        );
    }
    let (status, body) = list(
        &app,
        "/api/v2/Files/Peer",
        &[
            ("ownershipIsLocked", "true"),
            ("ownershipIsLocked", "false"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["error"]["message"],
        "query/ownershipIsLocked must be string"
    );
    // And a list is a list: `Own` and `Peer` are no File ids.
    let (status, body) = list(&app, "/api/core/v1/Files/Own", &[]).await;
    assert_eq!((status, body["result"].is_array()), (200, true), "{body}");
}
