//! The HTTP surface: routes, middleware, envelopes and the error mapping.

pub mod auth;
pub mod body;
pub mod cors;
pub mod envelope;
pub mod error;
pub mod idempotency;
pub mod middleware;
pub mod multipart;
pub mod negotiation;
pub mod openapi;
pub mod qr;
pub mod request_span;
pub mod routes;
pub mod wire;

use actix_web::web;

use routes::fallback::{method_not_allowed, route_does_not_exist};
use routes::{account, docs, file_lists, file_token, files, health, token_lists, tokens};

/// Registers every route; unknown paths answer 404 and wrong methods 405, in the envelope.
/// Every route here has its `#[utoipa::path]` in `openapi::ApiDoc`; `openapi::tests` checks that
/// each documented path is served with exactly its documented methods.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource(file_token::V6_PATH)
                .route(web::post().to(file_token::create_token_for_file_v6))
                .default_service(web::to(method_not_allowed("POST"))),
        )
        .service(
            web::resource(file_token::V7_PATH)
                .route(web::post().to(file_token::create_token_for_file_v7))
                .default_service(web::to(method_not_allowed("POST"))),
        )
        .service(
            web::resource(files::OWN_V6_PATH)
                .route(web::get().to(file_lists::list_own_files_v6))
                .route(web::post().to(files::upload_own_file_v6))
                .default_service(web::to(method_not_allowed("GET, POST"))),
        )
        .service(
            web::resource(files::OWN_V7_PATH)
                .route(web::get().to(file_lists::list_own_files_v7))
                .route(web::post().to(files::upload_own_file_v7))
                .default_service(web::to(method_not_allowed("GET, POST"))),
        )
        .service(
            web::resource(files::PEER_V6_PATH)
                .route(web::get().to(file_lists::list_peer_files_v6))
                .route(web::post().to(files::load_peer_file_v6))
                .default_service(web::to(method_not_allowed("GET, POST"))),
        )
        .service(
            web::resource(files::PEER_V7_PATH)
                .route(web::get().to(file_lists::list_peer_files_v7))
                .route(web::post().to(files::load_peer_file_v7))
                .default_service(web::to(method_not_allowed("GET, POST"))),
        )
        .service(
            web::resource(files::REGENERATE_V6_PATH)
                .route(web::patch().to(files::regenerate_ownership_token_v6))
                .default_service(web::to(method_not_allowed("PATCH"))),
        )
        .service(
            web::resource(files::REGENERATE_V7_PATH)
                .route(web::patch().to(files::regenerate_ownership_token_v7))
                .default_service(web::to(method_not_allowed("PATCH"))),
        )
        .service(
            web::resource(files::DOWNLOAD_V6_PATH)
                .route(web::get().to(files::download_file_v6))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        .service(
            web::resource(files::DOWNLOAD_V7_PATH)
                .route(web::get().to(files::download_file_v7))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        // After the literals `Files/Own` and `Files/Peer`, which must win over ids of those names.
        .service(
            web::resource(file_lists::FILES_V6_PATH)
                .route(web::get().to(file_lists::list_files_v6))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        .service(
            web::resource(file_lists::FILES_V7_PATH)
                .route(web::get().to(file_lists::list_files_v7))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        .service(
            web::resource(files::FILE_V6_PATH)
                .route(web::get().to(files::get_file_v6))
                .route(web::delete().to(files::delete_file_v6))
                .default_service(web::to(method_not_allowed("GET, DELETE"))),
        )
        .service(
            web::resource(files::FILE_V7_PATH)
                .route(web::get().to(files::get_file_v7))
                .route(web::delete().to(files::delete_file_v7))
                .default_service(web::to(method_not_allowed("GET, DELETE"))),
        )
        .service(
            web::resource(tokens::OWN_V6_PATH)
                .route(web::get().to(token_lists::list_own_tokens_v6))
                .route(web::post().to(tokens::create_own_token_v6))
                .default_service(web::to(method_not_allowed("GET, POST"))),
        )
        .service(
            web::resource(tokens::OWN_V7_PATH)
                .route(web::get().to(token_lists::list_own_tokens_v7))
                .route(web::post().to(tokens::create_own_token_v7))
                .default_service(web::to(method_not_allowed("GET, POST"))),
        )
        .service(
            web::resource(tokens::PEER_V6_PATH)
                .route(web::get().to(token_lists::list_peer_tokens_v6))
                .route(web::post().to(tokens::load_peer_token_v6))
                .default_service(web::to(method_not_allowed("GET, POST"))),
        )
        .service(
            web::resource(tokens::PEER_V7_PATH)
                .route(web::get().to(token_lists::list_peer_tokens_v7))
                .route(web::post().to(tokens::load_peer_token_v7))
                .default_service(web::to(method_not_allowed("GET, POST"))),
        )
        // After the literals `Tokens/Own` and `Tokens/Peer`, which must win over ids of those names.
        .service(
            web::resource(tokens::TOKEN_V6_PATH)
                .route(web::get().to(tokens::get_token_v6))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        .service(
            web::resource(tokens::TOKEN_V7_PATH)
                .route(web::get().to(tokens::get_token_v7))
                .route(web::delete().to(tokens::delete_token_v7))
                .default_service(web::to(method_not_allowed("GET, DELETE"))),
        )
        .service(
            web::resource(account::V6_PATH)
                .route(web::get().to(account::identity_info_v6))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        .service(
            web::resource(account::V7_PATH)
                .route(web::get().to(account::identity_info_v7))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        .service(
            web::resource(health::HEALTH_PATH)
                .route(web::get().to(health::health))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        .service(
            web::resource(health::VERSION_PATH)
                .route(web::get().to(health::version))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        .service(
            web::resource(docs::JSON_PATH)
                .route(web::get().to(docs::openapi_document))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        .service(
            web::resource(docs::HTML_PATH)
                .route(web::get().to(docs::documentation_page))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        .default_service(web::to(route_does_not_exist));
}
