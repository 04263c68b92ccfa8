//! The error answers of the document, one table per kind of route, all in the error envelope.
//! The statuses and their causes are those of `http/error.rs` (see docs/architecture.md).

use std::collections::BTreeMap;

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{IntoResponses, ToSchema};

use crate::http::envelope::Failure;

/// Every status `POST …/Files/{id}/Token` may fail with, and why.
const TOKEN_ROUTE_ERRORS: [(u16, &str); 11] = [
    (
        400,
        "The request is invalid (`error.runtime.validation.invalidPropertyValue`, only the first \
         rule broken is named), the body is malformed JSON or no JSON object \
         (`error.connector.validation.invalidJsonInPayload`), or the Backbone refused it (its own \
         code).",
    ),
    (401, UNAUTHORIZED),
    (
        404,
        "No File with this id is stored in this service (`error.runtime.recordNotFound`), or no \
         such route (`error.connector.http.routeDoesNotExist`).",
    ),
    (
        406,
        "`Accept` allows neither `application/json` nor `image/png` \
         (`error.connector.http.notAcceptable`).",
    ),
    (
        413,
        "The body is larger than the configured limit (`error.connector.http.payloadTooLarge`).",
    ),
    (
        415,
        "A non-empty body that is neither JSON nor a form \
         (`error.connector.http.unsupportedMediaType`).",
    ),
    (
        429,
        "The Backbone's quota is exhausted (`error.platform.quotaExhausted`).",
    ),
    (
        500,
        "An unexpected failure (`error.connector.unexpected`), or the token was created on the \
         Backbone but could not be stored (`error.connector.tokenNotStored`, naming the token).",
    ),
    (
        502,
        "The Backbone failed, answered unexpectedly, broke the connection or refused this \
         service's credentials (`error.platform.*`, `error.connector.backbone.*`).",
    ),
    (
        503,
        "The Backbone or the database is unavailable (`error.connector.backbone.unavailable`, \
         `error.connector.database.unavailable`, `error.connector.tokenNotStored`).",
    ),
    (
        504,
        "The Backbone did not answer in time (`error.connector.backbone.timeout`); no token was \
         stored.",
    ),
];

/// The 401 of every route that needs the key.
pub const UNAUTHORIZED: &str = "The `X-API-KEY` header is missing or wrong (`error.connector.unauthorized`); \
     answered after a random delay, before routing.";

const FORBIDDEN: &str = "The API key's scopes do not include this route's permission \
     (`core:files`, `core:tokens`, `core:account`; `error.connector.forbidden`).";

/// A wrong method on a known path (in `components.responses`: no operation answers it, every
/// path does).
pub const METHOD_NOT_ALLOWED: &str = "The path exists but not with this method \
     (`error.connector.http.methodNotAllowed`); `Allow` names the methods it has.";

/// An answer in the error envelope.
pub fn error_response(status: u16, description: &str) -> Response {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(Failure::name())))
            .build(),
    );
    match status {
        405 => {
            response = response.header(
                "Allow",
                HeaderBuilder::new()
                    .schema(Object::builder().schema_type(Type::String))
                    .description(Some("The methods of this path."))
                    .build(),
            );
        }
        429 => {
            response = response.header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(
                        Object::builder()
                            .schema_type(Type::String)
                            .pattern(Some("^[0-9]+$")),
                    )
                    .description(Some("Seconds to wait, when the Backbone said."))
                    .build(),
            );
        }
        _ => {}
    }
    response.build()
}

/// The answers of `table`; a route that needs the key may also be refused for its scopes (403),
/// so a table with a 401 gets that, beside a 403 of its own if it has one.
pub fn responses(table: &[(u16, &str)]) -> BTreeMap<String, RefOr<Response>> {
    let mut answers: BTreeMap<String, RefOr<Response>> = table
        .iter()
        .map(|(status, description)| {
            (
                status.to_string(),
                RefOr::T(error_response(*status, description)),
            )
        })
        .collect();
    if table.iter().any(|(status, _)| *status == 401) {
        let description = match table.iter().find(|(status, _)| *status == 403) {
            Some((_, own)) => format!("{FORBIDDEN} Or: {own}"),
            None => FORBIDDEN.to_owned(),
        };
        answers.insert(
            "403".to_owned(),
            RefOr::T(error_response(403, &description)),
        );
    }
    answers
}

/// The failures of the token routes.
#[derive(Debug)]
pub struct TokenRouteErrors;

impl IntoResponses for TokenRouteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&TOKEN_ROUTE_ERRORS)
    }
}

/// Every status `POST …/Files/Own` may fail with, and why.
const UPLOAD_ROUTE_ERRORS: [(u16, &str); 8] = [
    (
        400,
        "The form is invalid (`error.runtime.validation.invalidPropertyValue`: no `file` part, a \
         past or malformed `expiresAt`, one `tags` field or duplicate tags, content over 10 MiB \
         or, once encrypted, over the Backbone's 10 MiB), or the Backbone refused it (its own \
         code).",
    ),
    (401, UNAUTHORIZED),
    (
        413,
        "The form is larger than 10 MiB and 64 KiB (`error.connector.http.payloadTooLarge`).",
    ),
    (
        429,
        "The Backbone's quota is exhausted (`error.platform.quotaExhausted`).",
    ),
    (
        500,
        "An unexpected failure (`error.connector.unexpected`), or the File was uploaded but \
         could not be stored (`error.connector.fileNotStored`, naming the File).",
    ),
    (
        502,
        "The Backbone failed, answered unexpectedly, broke the connection or refused this \
         service's credentials (`error.platform.*`, `error.connector.backbone.*`).",
    ),
    (
        503,
        "The Backbone or the database is unavailable (`error.connector.backbone.unavailable`, \
         `error.connector.database.unavailable`, `error.connector.fileNotStored`).",
    ),
    (
        504,
        "The Backbone did not answer in time (`error.connector.backbone.timeout`).",
    ),
];

/// Every status `GET …/Files/{idOrReference}` may fail with, and why.
const GET_FILE_ROUTE_ERRORS: [(u16, &str); 5] = [
    (
        400,
        "It names no File id (`error.runtime.validation.invalidPropertyValue`: `id must match \
         pattern FIL[A-Za-z0-9]{17}`).",
    ),
    (401, UNAUTHORIZED),
    (
        404,
        "No such File is stored in this service (`error.runtime.recordNotFound`).",
    ),
    (
        406,
        "`Accept` allows neither `application/json` nor `image/png` \
         (`error.connector.http.notAcceptable`).",
    ),
    (
        503,
        "The database is unavailable (`error.connector.database.unavailable`).",
    ),
];

/// Every status `GET …/Files/{id}/Download` may fail with, and why.
const DOWNLOAD_ROUTE_ERRORS: [(u16, &str); 8] = [
    (
        400,
        "No File id (`error.runtime.validation.invalidPropertyValue`), or the Backbone refused \
         the download (its own code).",
    ),
    (401, UNAUTHORIZED),
    (
        404,
        "No such File is stored here (`error.runtime.recordNotFound`), or the Backbone no longer \
         has it (`error.platform.recordNotFound`: expired or deleted there).",
    ),
    (
        409,
        "The File was stored without its content by a release before uploads existed \
         (`error.connector.files.contentNotStored`).",
    ),
    (
        429,
        "The Backbone's quota is exhausted (`error.platform.quotaExhausted`).",
    ),
    (
        502,
        "The Backbone failed or served bytes that are not the File's \
         (`error.transport.files.cipherMismatch`, `error.platform.*`, `error.connector.backbone.*`).",
    ),
    (
        503,
        "The Backbone or the database is unavailable (`error.connector.backbone.unavailable`, \
         `error.connector.database.unavailable`).",
    ),
    (
        504,
        "The Backbone did not answer in time (`error.connector.backbone.timeout`).",
    ),
];

/// Every status `POST …/Files/Peer` may fail with, and why.
const LOAD_PEER_ROUTE_ERRORS: [(u16, &str); 9] = [
    (
        400,
        "No reference the schema knows (`error.runtime.validation.invalidPropertyValue`: `token / \
         file reference invalid`), a reference that does not parse (`error.runtime.invalidReference`), \
         a protected token without password (`error.transport.noPasswordProvided`), a token for \
         another identity (`error.transport.general.notIntendedForYou`), a token that holds no File \
         (`error.runtime.invalidTokenContent`), metadata the key does not open \
         (`error.transport.files.invalidMetadata`), or the Backbone refused it (its own code).",
    ),
    (401, UNAUTHORIZED),
    (
        404,
        "The Backbone has no such token or File, or the password is wrong \
         (`error.runtime.recordNotFound`).",
    ),
    (
        413,
        "The body is larger than the configured limit (`error.connector.http.payloadTooLarge`).",
    ),
    (
        415,
        "A non-empty body that is neither JSON nor a form \
         (`error.connector.http.unsupportedMediaType`).",
    ),
    (
        429,
        "The Backbone's quota is exhausted (`error.platform.quotaExhausted`).",
    ),
    (
        502,
        "The Backbone failed, answered unexpectedly, broke the connection or refused this \
         service's credentials (`error.platform.*`, `error.connector.backbone.*`).",
    ),
    (
        503,
        "The Backbone, the database or password hashing is unavailable \
         (`error.connector.backbone.unavailable`, `error.connector.database.unavailable`, \
         `error.connector.passwordHashingUnavailable`).",
    ),
    (
        504,
        "The Backbone did not answer in time (`error.connector.backbone.timeout`).",
    ),
];

/// The failures of `POST …/Files/Peer`.
#[derive(Debug)]
pub struct LoadPeerRouteErrors;

impl IntoResponses for LoadPeerRouteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&LOAD_PEER_ROUTE_ERRORS)
    }
}

/// Every status deleting a File or regenerating its ownership token may fail with, and why.
const MANAGE_FILE_ROUTE_ERRORS: [(u16, &str); 7] = [
    (
        400,
        "No File id (`error.runtime.validation.invalidPropertyValue`), or the Backbone refused \
         it (its own code).",
    ),
    (401, UNAUTHORIZED),
    (
        403,
        "Only the File's owner may (`error.platform.forbidden`).",
    ),
    (
        404,
        "No such File is stored here (`error.runtime.recordNotFound`).",
    ),
    (
        502,
        "The Backbone failed, answered unexpectedly, broke the connection or refused this \
         service's credentials (`error.platform.*`, `error.connector.backbone.*`).",
    ),
    (
        503,
        "The Backbone or the database is unavailable (`error.connector.backbone.unavailable`, \
         `error.connector.database.unavailable`).",
    ),
    (
        504,
        "The Backbone did not answer in time (`error.connector.backbone.timeout`).",
    ),
];

/// The failures of `DELETE …/Files/{id}` and `PATCH …/RegenerateOwnershipToken`.
#[derive(Debug)]
pub struct ManageFileRouteErrors;

impl IntoResponses for ManageFileRouteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&MANAGE_FILE_ROUTE_ERRORS)
    }
}

/// The failures of `GET …/Files/{idOrReference}`.
#[derive(Debug)]
pub struct GetFileRouteErrors;

impl IntoResponses for GetFileRouteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&GET_FILE_ROUTE_ERRORS)
    }
}

/// The failures of `GET …/Files/{id}/Download`.
#[derive(Debug)]
pub struct DownloadRouteErrors;

impl IntoResponses for DownloadRouteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&DOWNLOAD_ROUTE_ERRORS)
    }
}

/// The failures of `POST …/Files/Own`.
#[derive(Debug)]
pub struct UploadRouteErrors;

impl IntoResponses for UploadRouteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&UPLOAD_ROUTE_ERRORS)
    }
}

/// The one failure of other routes that need the key.
#[derive(Debug)]
pub struct Unauthorized;

impl IntoResponses for Unauthorized {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[(401, UNAUTHORIZED)])
    }
}

/// The Backbone failures every route that calls it may answer.
const BACKBONE_502: &str = "The Backbone failed, answered unexpectedly, broke the connection or \
     refused this service's credentials (`error.platform.*`, `error.connector.backbone.*`).";
const BACKBONE_504: &str =
    "The Backbone did not answer in time (`error.connector.backbone.timeout`).";

/// Every status `POST …/Tokens/Own` may fail with, and why.
const CREATE_OWN_TOKEN_ROUTE_ERRORS: [(u16, &str); 8] = [
    (
        400,
        "The body breaks the schema (`error.runtime.validation.invalidPropertyValue`: a missing \
         `content` or `expiresAt`, another key, a past or malformed `expiresAt`, a bad PIN or \
         location indicator, a `content` that is no JSON object), is malformed JSON \
         (`error.connector.validation.invalidJsonInPayload`), or the Backbone refused it (its \
         own code).",
    ),
    (401, UNAUTHORIZED),
    (
        413,
        "The body is larger than the configured limit (`error.connector.http.payloadTooLarge`).",
    ),
    (
        429,
        "The Backbone's quota is exhausted (`error.platform.quotaExhausted`).",
    ),
    (
        500,
        "An unexpected failure (`error.connector.unexpected`), or the token was created but \
         could not be stored (`error.connector.tokenNotStored`, naming the token).",
    ),
    (502, BACKBONE_502),
    (
        503,
        "The Backbone, the database or password hashing is unavailable \
         (`error.connector.backbone.unavailable`, `error.connector.database.unavailable`, \
         `error.connector.passwordHashingUnavailable`, `error.connector.tokenNotStored`).",
    ),
    (504, BACKBONE_504),
];

/// Every status `POST …/Tokens/Peer` may fail with, and why.
const LOAD_PEER_TOKEN_ROUTE_ERRORS: [(u16, &str); 8] = [
    (
        400,
        "No token reference the schema knows (`error.runtime.validation.invalidPropertyValue`: \
         `token reference invalid`), a reference that does not parse \
         (`error.runtime.invalidReference`), a protected token without password \
         (`error.transport.noPasswordProvided`), a token for another identity \
         (`error.transport.general.notIntendedForYou`), content the key does not open \
         (`error.runtime.invalidTokenContent`), or the Backbone refused it (its own code: a \
         token locked after too many wrong passwords is \
         `error.platform.token.tooManyFailedPasswordAttempts`).",
    ),
    (401, UNAUTHORIZED),
    (
        404,
        "The Backbone has no such token, it expired, it is for someone else, or the password is \
         wrong (`error.runtime.recordNotFound`).",
    ),
    (
        413,
        "The body is larger than the configured limit (`error.connector.http.payloadTooLarge`).",
    ),
    (
        429,
        "The Backbone's quota is exhausted (`error.platform.quotaExhausted`).",
    ),
    (502, BACKBONE_502),
    (
        503,
        "The Backbone, the database or password hashing is unavailable \
         (`error.connector.backbone.unavailable`, `error.connector.database.unavailable`, \
         `error.connector.passwordHashingUnavailable`).",
    ),
    (504, BACKBONE_504),
];

/// Every status `GET …/Tokens/{id}` may fail with, and why.
const GET_TOKEN_ROUTE_ERRORS: [(u16, &str); 5] = [
    (
        400,
        "It names no Token id (`error.runtime.validation.invalidPropertyValue`: `id must match \
         pattern TOK[A-Za-z0-9]{17}`).",
    ),
    (401, UNAUTHORIZED),
    (
        404,
        "No such token is stored in this service (`error.runtime.recordNotFound`).",
    ),
    (
        406,
        "`Accept` allows neither `application/json` nor `image/png` \
         (`error.connector.http.notAcceptable`).",
    ),
    (
        503,
        "The database is unavailable (`error.connector.database.unavailable`).",
    ),
];

/// Every status `DELETE …/Tokens/{id}` may fail with, and why.
const DELETE_TOKEN_ROUTE_ERRORS: [(u16, &str); 7] = [
    (
        400,
        "It names no Token id (`error.runtime.validation.invalidPropertyValue`), or the Backbone \
         refused it (its own code).",
    ),
    (401, UNAUTHORIZED),
    (
        403,
        "The Backbone lets only the token's creator delete it (`error.platform.forbidden`).",
    ),
    (
        404,
        "No such token is stored in this service (`error.runtime.recordNotFound`).",
    ),
    (502, BACKBONE_502),
    (
        503,
        "The Backbone or the database is unavailable (`error.connector.backbone.unavailable`, \
         `error.connector.database.unavailable`); the token is still stored.",
    ),
    (504, BACKBONE_504),
];

/// Every status `GET …/Tokens/Own` and `…/Tokens/Peer` may fail with, and why.
const TOKEN_LIST_ROUTE_ERRORS: [(u16, &str); 4] = [
    (
        400,
        "The query has a key the schema does not know (`query must NOT have additional \
         properties`) or a value outside an enum (`passwordProtection`, \
         `passwordProtection.passwordIsPin`), as `error.runtime.validation.invalidPropertyValue`.",
    ),
    (401, UNAUTHORIZED),
    (500, "An unexpected failure (`error.connector.unexpected`)."),
    (
        503,
        "The database is unavailable (`error.connector.database.unavailable`).",
    ),
];

/// Declares a route's error table as an [`IntoResponses`] type.
macro_rules! route_errors {
    ($($(#[$doc:meta])* $name:ident => $table:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                responses(&$table)
            }
        }
    )*};
}

route_errors! {
    /// The failures of `POST …/Tokens/Own`.
    CreateOwnTokenRouteErrors => CREATE_OWN_TOKEN_ROUTE_ERRORS;
    /// The failures of `POST …/Tokens/Peer`.
    LoadPeerTokenRouteErrors => LOAD_PEER_TOKEN_ROUTE_ERRORS;
    /// The failures of `GET …/Tokens/{id}`.
    GetTokenRouteErrors => GET_TOKEN_ROUTE_ERRORS;
    /// The failures of `DELETE …/Tokens/{id}`.
    DeleteTokenRouteErrors => DELETE_TOKEN_ROUTE_ERRORS;
    /// The failures of `GET …/Tokens/Own` and `…/Tokens/Peer`.
    TokenListRouteErrors => TOKEN_LIST_ROUTE_ERRORS;
}
