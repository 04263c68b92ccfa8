//! `GET /health` (open, un-enveloped) and `GET /Monitoring/Version` (key required).

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::state::AppState;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Health {
    is_healthy: bool,
    services: Services,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Services {
    database: &'static str,
    backbone_connection: &'static str,
    backbone_authentication: &'static str,
}

fn status(healthy: bool) -> &'static str {
    if healthy { "healthy" } else { "unhealthy" }
}

/// 200 when every dependency answers, else 500 with the failing ones marked.
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let probes = &state.health;
    let (database, connection, authentication) = tokio::join!(
        probes.database(),
        probes.backbone_connection(),
        probes.backbone_authentication()
    );
    let health = Health {
        is_healthy: database && connection && authentication,
        services: Services {
            database: status(database),
            backbone_connection: status(connection),
            backbone_authentication: status(authentication),
        },
    };
    if health.is_healthy {
        HttpResponse::Ok().json(health)
    } else {
        HttpResponse::InternalServerError().json(health)
    }
}

#[derive(Debug, Serialize)]
struct Version {
    version: &'static str,
    build: &'static str,
    date: &'static str,
    commit: &'static str,
    dependencies: Dependencies,
}

#[derive(Debug, Serialize)]
struct Dependencies {
    rustc: &'static str,
}

pub async fn version() -> HttpResponse {
    HttpResponse::Ok().json(Version {
        version: env!("CARGO_PKG_VERSION"),
        build: env!("CONNECTOR_BUILD_PROFILE"),
        date: env!("CONNECTOR_BUILD_DATE"),
        commit: env!("CONNECTOR_BUILD_COMMIT"),
        dependencies: Dependencies {
            rustc: env!("CONNECTOR_RUSTC_VERSION"),
        },
    })
}
