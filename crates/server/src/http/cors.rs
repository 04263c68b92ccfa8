//! CORS from `infrastructure.httpServer.cors`, by actix-cors. It runs outside the API key check,
//! as in the Connector, so a browser's preflight (which carries no key) is answered.

use actix_cors::Cors;
use actix_web::http::Method;

use crate::config::{CorsConfig, CorsOrigins};

/// The middleware for `config`; `None` (CORS off) gives actix-cors' closed default, which
/// `startup` does not mount.
pub fn middleware(config: Option<&CorsConfig>) -> Cors {
    let Some(config) = config else {
        return Cors::default();
    };
    let mut cors = match &config.origins {
        CorsOrigins::AnyEchoed => Cors::default().allow_any_origin(),
        CorsOrigins::AnyWildcard => Cors::default().allow_any_origin().send_wildcard(),
        CorsOrigins::Listed(origins) => origins
            .iter()
            .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin)),
    };
    cors = cors.allowed_methods(
        config
            .methods
            .iter()
            .filter_map(|method| Method::from_bytes(method.to_ascii_uppercase().as_bytes()).ok()),
    );
    cors = match &config.allowed_headers {
        None => cors.allow_any_header(),
        Some(headers) => cors.allowed_headers(headers.iter().map(String::as_str)),
    };
    if !config.exposed_headers.is_empty() {
        cors = cors.expose_headers(config.exposed_headers.iter().map(String::as_str));
    }
    if config.credentials {
        cors = cors.supports_credentials();
    }
    cors.max_age(config.max_age_seconds)
}
