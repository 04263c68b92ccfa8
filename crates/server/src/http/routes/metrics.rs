//! `GET /metrics`: the Prometheus text exposition (see `crate::metrics`). On the API port it
//! needs a key with the `monitoring:metrics` permission; with `metrics.port` set it is served
//! there instead, without a key, for a scraper on a private network.

use std::sync::Arc;

use actix_web::{HttpResponse, web};

use crate::http::routes::fallback::method_not_allowed;
use crate::metrics::Metrics;

pub const METRICS_PATH: &str = "/metrics";
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

async fn metrics(metrics: web::Data<Arc<Metrics>>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .body(metrics.render())
}

/// The route, with 405 for other methods.
pub fn configure(config: &mut web::ServiceConfig) {
    config.service(
        web::resource(METRICS_PATH)
            .route(web::get().to(metrics))
            .default_service(web::to(method_not_allowed("GET"))),
    );
}
