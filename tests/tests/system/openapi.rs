//! The OpenAPI document and its page are served openly, and describe this very server.

use serde_json::Value;
use system_tests::TestApp;

#[tokio::test]
async fn the_openapi_document_is_served_without_a_key() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .get(format!("{}/docs/json", app.address))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(&document, server::http::openapi::document());
    for path in [
        "/api/v2/Files/{id}/Token",
        "/api/core/v1/Files/{id}/Token",
        "/health",
        "/Monitoring/Version",
        "/docs/json",
        "/docs",
    ] {
        assert!(document["paths"][path].is_object(), "{path}");
    }

    let page = app
        .client
        .get(format!("{}/docs", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("href=\"/docs/json\""));
}

#[tokio::test]
async fn the_documentation_routes_refuse_other_methods() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .post(format!("{}/docs/json", app.address))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(response.headers()["allow"], "GET");
}
