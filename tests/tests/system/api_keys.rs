//! Several API keys as Connector v7 configures them: each works within its scopes (403 outside
//! them, in the envelope), a disabled or unknown key is a 401, an expired key stops working at its
//! expiry with no restart, and v6's single key keeps working beside them.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde_json::Value;
use system_tests::{API_KEY, TestApp, status_and_json};

const KEYS: &str = "infrastructure__httpServer__authentication__apiKey__keys";
const FILES_KEY: &str = "Files-Only-Key-0123456789-abcdXY!";
const NO_SCOPE_KEY: &str = "No-Scope-Key-0123456789-abcdXY!!";
const RELATIONSHIPS_KEY: &str = "Relationships-Key-0123456789-abXY!";
const DISABLED_KEY: &str = "Disabled-Key-0123456789-abcdXY!!";
const EXPIRING_KEY: &str = "Expiring-Key-0123456789-abcdXY!!";

/// `GET path` with `key`; status and body.
async fn get(app: &TestApp, path: &str, key: &str) -> (u16, Value) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .header("X-API-KEY", key)
        .send()
        .await
        .expect("the server answers");
    status_and_json(response).await
}

fn assert_refused(answer: &(u16, Value), status: u16, code: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    let error = &answer.1["error"];
    assert_eq!(error["code"], code, "{error}");
    for field in ["id", "message", "time", "docs"] {
        assert!(error[field].is_string(), "{field} in {error}");
    }
}

#[tokio::test]
async fn each_key_reaches_what_its_scopes_allow_and_no_more() {
    let expiry = Utc::now() + chrono::Duration::seconds(3);
    let vars = [
        (format!("{KEYS}__files__key"), FILES_KEY.to_owned()),
        (
            format!("{KEYS}__files__scopes"),
            r#"["core:files"]"#.to_owned(),
        ),
        (format!("{KEYS}__none__key"), NO_SCOPE_KEY.to_owned()),
        (format!("{KEYS}__none__scopes"), "[]".to_owned()),
        (
            format!("{KEYS}__relationships"),
            format!(r#"{{"key":"{RELATIONSHIPS_KEY}","scopes":["core:relationships"]}}"#),
        ),
        (format!("{KEYS}__off__key"), DISABLED_KEY.to_owned()),
        (format!("{KEYS}__off__enabled"), "false".to_owned()),
        (format!("{KEYS}__soon__key"), EXPIRING_KEY.to_owned()),
        (
            format!("{KEYS}__soon__expiresAt"),
            expiry.to_rfc3339_opts(SecondsFormat::Millis, true),
        ),
    ];
    let overrides: Vec<(&str, &str)> = vars.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let app = TestApp::spawn_with(&overrides).await;
    let identity = "/api/v2/Account/IdentityInfo";

    for prefix in ["/api/v2", "/api/core/v1"] {
        let files = format!("{prefix}/Files");
        assert_eq!(get(&app, &files, FILES_KEY).await.0, 200);
        assert_eq!(get(&app, &files, API_KEY).await.0, 200, "the v6 key");
        // The Connector's errors.test.ts: keys scoped to core:relationships or to nothing.
        assert_refused(
            &get(&app, &files, RELATIONSHIPS_KEY).await,
            403,
            "error.connector.forbidden",
        );
        assert_refused(
            &get(&app, &files, NO_SCOPE_KEY).await,
            403,
            "error.connector.forbidden",
        );
        assert_refused(
            &get(&app, &files, DISABLED_KEY).await,
            401,
            "error.connector.unauthorized",
        );
        assert_refused(
            &get(&app, &files, "Unknown-Key-0123456789-abcdXY!!").await,
            401,
            "error.connector.unauthorized",
        );
    }
    assert_refused(
        &get(&app, identity, FILES_KEY).await,
        403,
        "error.connector.forbidden",
    );
    assert_eq!(get(&app, identity, API_KEY).await.0, 200);
    // A valid key on an unknown route is told the route does not exist.
    assert_refused(
        &get(&app, "/apii/v2/Files", NO_SCOPE_KEY).await,
        404,
        "error.connector.http.routeDoesNotExist",
    );

    // The expiring key works until its expiry and stops after it, the service still running.
    assert_eq!(get(&app, identity, EXPIRING_KEY).await.0, 200);
    let wait = (expiry - Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(50);
    tokio::time::sleep(wait).await;
    assert_refused(
        &get(&app, identity, EXPIRING_KEY).await,
        401,
        "error.connector.unauthorized",
    );
    assert_eq!(
        get(&app, identity, API_KEY).await.0,
        200,
        "the others still work"
    );
}
