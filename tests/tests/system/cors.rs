//! CORS as the Connector's `cors` option: off by default; configured, a browser's preflight is
//! answered without a key (it carries none), allowed origins get the headers, others do not.

use reqwest::Method;
use reqwest::header::HeaderMap;
use system_tests::{API_KEY, TestApp};

const APP: &str = "https://app.example.com";

async fn preflight(app: &TestApp, origin: &str) -> (u16, HeaderMap) {
    let response = app
        .client
        .request(Method::OPTIONS, format!("{}/api/v2/Files/Own", app.address))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "x-api-key, content-type")
        .send()
        .await
        .expect("the server answers");
    (response.status().as_u16(), response.headers().clone())
}

async fn get_files(app: &TestApp, origin: &str) -> (u16, HeaderMap) {
    let response = app
        .client
        .get(format!("{}/api/v2/Files", app.address))
        .header("Origin", origin)
        .header("X-API-KEY", API_KEY)
        .send()
        .await
        .expect("the server answers");
    (response.status().as_u16(), response.headers().clone())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

#[tokio::test]
async fn without_cors_settings_no_cors_headers_are_sent() {
    let app = TestApp::spawn().await;
    let (status, headers) = preflight(&app, APP).await;
    assert_eq!(
        status, 401,
        "a preflight is an unauthenticated request like any other"
    );
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
    let (status, headers) = get_files(&app, APP).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn listed_origins_get_preflights_and_headers_others_do_not() {
    let app = TestApp::spawn_with(&[
        (
            "infrastructure__httpServer__cors__origin",
            r#"["https://app.example.com","https://admin.example.com"]"#,
        ),
        (
            "infrastructure__httpServer__cors__exposedHeaders",
            "X-Correlation-ID",
        ),
        ("infrastructure__httpServer__cors__credentials", "true"),
        ("infrastructure__httpServer__cors__maxAge", "600"),
    ])
    .await;

    let (status, headers) = preflight(&app, APP).await;
    assert!(
        (200..300).contains(&status),
        "the preflight needs no key: {status}"
    );
    assert_eq!(header(&headers, "access-control-allow-origin"), Some(APP));
    let methods = header(&headers, "access-control-allow-methods").unwrap_or_default();
    assert!(
        methods.contains("POST") && methods.contains("DELETE"),
        "{methods}"
    );
    let allowed = header(&headers, "access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("x-api-key") && allowed.contains("content-type"),
        "{allowed}"
    );
    assert_eq!(
        header(&headers, "access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(header(&headers, "access-control-max-age"), Some("600"));

    let (status, headers) = get_files(&app, APP).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "access-control-allow-origin"), Some(APP));
    assert_eq!(
        header(&headers, "access-control-expose-headers").map(str::to_ascii_lowercase),
        Some("x-correlation-id".to_owned())
    );

    let stranger = "https://evil.example.net";
    let (_, headers) = preflight(&app, stranger).await;
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
    let (status, headers) = get_files(&app, stranger).await;
    assert_eq!(
        status, 200,
        "the browser, not the server, withholds the answer"
    );
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
}
