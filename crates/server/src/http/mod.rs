//! The HTTP surface: routes, middleware, envelopes and the error mapping.

pub mod body;
pub mod envelope;
pub mod error;
pub mod middleware;
pub mod negotiation;
pub mod qr;
pub mod routes;

use actix_web::web;

use routes::fallback::{method_not_allowed, route_does_not_exist};
use routes::{health, tokens};

/// Registers every route; unknown paths answer 404 and wrong methods 405, in the envelope.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/api/v2/Files/{id}/Token")
                .route(web::post().to(tokens::create_token_for_file_v6))
                .default_service(web::to(method_not_allowed("POST"))),
        )
        .service(
            web::resource("/api/core/v1/Files/{id}/Token")
                .route(web::post().to(tokens::create_token_for_file_v7))
                .default_service(web::to(method_not_allowed("POST"))),
        )
        .service(
            web::resource("/health")
                .route(web::get().to(health::health))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        .service(
            web::resource("/Monitoring/Version")
                .route(web::get().to(health::version))
                .default_service(web::to(method_not_allowed("GET"))),
        )
        .default_service(web::to(route_does_not_exist));
}
