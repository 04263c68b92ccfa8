//! The OpenAPI 3.1 document of every route, generated from the handlers' `#[utoipa::path]`
//! annotations and the schemas next to them, served at `GET /docs/json`.

mod idempotency;
pub mod params;
pub mod responses;
pub mod schemas;

#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use serde_json::Value;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::PathItem;
use utoipa::openapi::schema::{KnownFormat, Object, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, RefOr, Required};
use utoipa::{Modify, OpenApi};

use self::idempotency::IdempotentPosts;
use super::envelope::Failure;
use super::routes::{account, docs, file_lists, file_token, files, health, token_lists, tokens};

/// The name of the API key scheme in the document.
pub const API_KEY_SCHEME: &str = "ApiKey";
/// The header the key travels in (case-insensitive).
pub const API_KEY_HEADER: &str = "X-API-KEY";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "enmeshed Token-for-File Connector",
        description = "Files and Tokens of an enmeshed identity: uploads, downloads, Tokens \
            for stored Files and of any content, peers' Files and Tokens loaded by reference; \
            wire-compatible with the \
            enmeshed Connector v6 (`/api/v2`) and v7 (`/api/core/v1`). Every route but `/health` \
            and the documentation needs the `X-API-KEY` header; without it every other path, known \
            or not, answers 401. An unknown path answers 404 \
            (`error.connector.http.routeDoesNotExist`) and a wrong method 405 with `Allow` \
            (`components.responses.MethodNotAllowed`). Every answer carries \
            `X-Response-Duration-ms` and `X-Response-Time`. Every POST takes an optional \
            `Idempotency-Key` that makes a retry safe.",
        license(name = "MIT"),
    ),
    paths(
        file_token::create_token_for_file_v6,
        file_token::create_token_for_file_v7,
        files::upload_own_file_v6,
        files::upload_own_file_v7,
        files::load_peer_file_v6,
        files::load_peer_file_v7,
        file_lists::list_files_v6,
        file_lists::list_files_v7,
        file_lists::list_own_files_v6,
        file_lists::list_own_files_v7,
        file_lists::list_peer_files_v6,
        file_lists::list_peer_files_v7,
        files::get_file_v6,
        files::get_file_v7,
        files::delete_file_v6,
        files::delete_file_v7,
        files::regenerate_ownership_token_v6,
        files::regenerate_ownership_token_v7,
        files::download_file_v6,
        files::download_file_v7,
        tokens::create_own_token_v6,
        tokens::create_own_token_v7,
        token_lists::list_own_tokens_v6,
        token_lists::list_own_tokens_v7,
        tokens::load_peer_token_v6,
        tokens::load_peer_token_v7,
        token_lists::list_peer_tokens_v6,
        token_lists::list_peer_tokens_v7,
        tokens::get_token_v6,
        tokens::get_token_v7,
        tokens::delete_token_v7,
        account::identity_info_v6,
        account::identity_info_v7,
        health::health,
        health::version,
        docs::openapi_document,
        docs::documentation_page,
    ),
    components(schemas(Failure)),
    modifiers(&ApiKeyScheme, &IdempotentPosts, &CommonAnswers, &OptionalBodies),
    tags(
        (name = "Files", description = "Uploading Files, and sharing stored Files through Tokens."),
        (name = "Tokens", description = "Own Tokens of any content, peers' Tokens loaded by reference, and the stored ones."),
        (name = "Account", description = "The identity this service acts as."),
        (name = "Monitoring", description = "Health and version."),
        (name = "Documentation", description = "This document."),
    ),
)]
struct ApiDoc;

/// The headers every answer carries (see `middleware::log_and_time`).
const EVERY_ANSWERS_HEADERS: [&str; 3] = [
    "X-Response-Duration-ms",
    "X-Response-Time",
    "X-Correlation-ID",
];

static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    let mut document = serde_json::to_value(ApiDoc::openapi())
        .unwrap_or_else(|e| unreachable!("the OpenAPI document serializes: {e}"));
    require_every_answers_headers(&mut document);
    document
});
static DOCUMENT_JSON: LazyLock<String> = LazyLock::new(|| DOCUMENT.to_string());

/// The document, built once.
pub fn document() -> &'static Value {
    &DOCUMENT
}

/// The document as JSON text, built once.
pub fn document_json() -> &'static str {
    &DOCUMENT_JSON
}

/// utoipa 5 cannot mark a response header `required`; these headers are on every answer.
fn require_every_answers_headers(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                if key == "headers" {
                    for name in EVERY_ANSWERS_HEADERS {
                        if let Some(Value::Object(header)) = child.get_mut(name) {
                            header.insert("required".into(), Value::Bool(true));
                        }
                    }
                } else {
                    require_every_answers_headers(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(require_every_answers_headers),
        _ => {}
    }
}

/// The `X-API-KEY` scheme that operations name in their `security`.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            API_KEY_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                API_KEY_HEADER,
                "The key configured as `infrastructure.httpServer.apiKey`.",
            ))),
        );
    }
}

/// What every answer has: the timing headers (set by middleware around all routes), and the
/// 405 every path gives for methods it lacks.
struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.responses.insert(
            "MethodNotAllowed".into(),
            RefOr::T(responses::error_response(
                405,
                responses::METHOD_NOT_ALLOWED,
            )),
        );
        let operations = openapi
            .paths
            .paths
            .values_mut()
            .flat_map(operations_mut)
            .flat_map(|operation| operation.responses.responses.values_mut());
        for response in operations.chain(components.responses.values_mut()) {
            if let RefOr::T(response) = response {
                add_every_answers_headers(&mut response.headers);
            }
        }
    }
}

/// utoipa writes an `Option<T>` body as required `oneOf: [null, T]`; ours may be left out (as
/// the official SDK does), but `null` is no JSON object (400).
struct OptionalBodies;

impl Modify for OptionalBodies {
    fn modify(&self, openapi: &mut Document) {
        let bodies = openapi
            .paths
            .paths
            .values_mut()
            .flat_map(operations_mut)
            .filter_map(|operation| operation.request_body.as_mut());
        for body in bodies {
            body.required = Some(Required::False);
            for content in body.content.values_mut() {
                if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema {
                    content.schema = one_of
                        .items
                        .iter()
                        .find(|item| matches!(item, RefOr::Ref(_)))
                        .cloned();
                }
            }
        }
    }
}

fn operations_mut(
    item: &mut PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.options.as_mut(),
        item.head.as_mut(),
        item.patch.as_mut(),
        item.trace.as_mut(),
    ]
    .into_iter()
    .flatten()
}

fn add_every_answers_headers(
    headers: &mut std::collections::BTreeMap<String, utoipa::openapi::header::Header>,
) {
    let [duration, time, correlation_id] = EVERY_ANSWERS_HEADERS;
    headers.insert(
        duration.into(),
        HeaderBuilder::new()
            .schema(
                Object::builder()
                    .schema_type(Type::String)
                    .pattern(Some(r"^[0-9]+\.[0-9]{3}$")),
            )
            .description(Some("How long the service took, in milliseconds."))
            .build(),
    );
    headers.insert(
        time.into(),
        HeaderBuilder::new()
            .schema(
                Object::builder()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                    .pattern(Some(schemas::DATE_PATTERN)),
            )
            .description(Some("When the answer was sent."))
            .build(),
    );
    headers.insert(
        correlation_id.into(),
        HeaderBuilder::new()
            .schema(Object::builder().schema_type(Type::String).min_length(Some(1)))
            .description(Some(
                "The request's `X-Correlation-ID` (a UUID made here when none was sent); its log lines carry it too.",
            ))
            .build(),
    );
}
