//! `GET /docs/json` (the OpenAPI document) and `GET /docs` (a page linking it). Both are open,
//! as the reference Connector serves its documentation without the API key.

use actix_web::HttpResponse;

use crate::http::openapi;
use crate::http::openapi::schemas::{Html, JsonObject};

pub const JSON_PATH: &str = "/docs/json";
pub const HTML_PATH: &str = "/docs";

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>enmeshed Token-for-File Connector: API</title></head>
<body>
<h1>enmeshed Token-for-File Connector</h1>
<p>The OpenAPI 3.1 document of this service: <a href="/docs/json">/docs/json</a>.
Open it in any OpenAPI viewer; every route but <code>/health</code> and these pages needs the
<code>X-API-KEY</code> header.</p>
</body>
</html>
"#;

/// The OpenAPI 3.1 document of this service.
#[utoipa::path(
    get,
    path = JSON_PATH,
    operation_id = "getOpenApiDocument",
    tag = "Documentation",
    responses((status = 200, description = "This document.", body = JsonObject)),
)]
pub async fn openapi_document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(openapi::document_json())
}

/// A page linking the document.
#[utoipa::path(
    get,
    path = HTML_PATH,
    operation_id = "getDocumentationPage",
    tag = "Documentation",
    responses((status = 200, description = "A page linking `/docs/json`.", body = Html, content_type = "text/html")),
)]
pub async fn documentation_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(PAGE)
}
