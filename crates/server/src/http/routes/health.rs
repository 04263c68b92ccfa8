//! `GET /health` (open, un-enveloped) and `GET /Monitoring/Version` (key required).

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::openapi::responses::Unauthorized;
use crate::state::AppState;

pub const HEALTH_PATH: &str = "/health";
pub const VERSION_PATH: &str = "/Monitoring/Version";

/// Whether the service can work: its database, the Backbone, and its login there.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Health {
    is_healthy: bool,
    services: Services,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Services {
    database: ServiceStatus,
    backbone_connection: ServiceStatus,
    backbone_authentication: ServiceStatus,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum ServiceStatus {
    Healthy,
    Unhealthy,
}

fn status(healthy: bool) -> ServiceStatus {
    if healthy {
        ServiceStatus::Healthy
    } else {
        ServiceStatus::Unhealthy
    }
}

/// The service's health, for load balancers (no API key needed).
///
/// 200 when every dependency answers, else 500 with the failing ones marked.
#[utoipa::path(
    get,
    path = HEALTH_PATH,
    operation_id = "getHealth",
    tag = "Monitoring",
    responses(
        (status = 200, description = "Every dependency answers.", body = Health),
        (status = 500, description = "At least one dependency fails; it is marked `unhealthy`.", body = Health),
    ),
)]
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

/// What is running.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Version {
    /// The service's version.
    version: &'static str,
    /// The build profile (`release` or `debug`).
    build: &'static str,
    /// When it was built.
    date: &'static str,
    /// The git commit it was built from, or `unknown`.
    commit: &'static str,
    dependencies: Dependencies,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dependencies {
    /// The compiler that built it.
    rustc: &'static str,
}

/// The running version.
#[utoipa::path(
    get,
    path = VERSION_PATH,
    operation_id = "getVersion",
    tag = "Monitoring",
    responses(
        (status = 200, description = "The running version.", body = Version),
        Unauthorized,
    ),
    security(("ApiKey" = [])),
)]
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
