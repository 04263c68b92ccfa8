//! Wiring: adapters behind the ports, the use case, the HTTP server. `Application::build`
//! prepares everything (migrations included) before the port is bound, so a started server is
//! ready to answer.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use adapters_backbone::{BackboneConfig, HttpBackboneClient};
use adapters_postgres::{PgConfig, PgDatabase};
use application::ports::SystemClock;
use application::{CreateTokenForFile, ServiceIdentity};
use async_trait::async_trait;
use secrecy::ExposeSecret;

use crate::config::{Config, api_key_bytes};
use crate::http::middleware::{ApiKeyGuard, require_api_key, timing_headers};
use crate::random::OsRandom;
use crate::state::{AppState, HealthProbes};

/// How long in-flight requests may take to finish after SIGTERM.
const SHUTDOWN_GRACE_SECONDS: u64 = 30;

/// Why the service could not start; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("invalid database settings: {0}")]
    DatabaseConfig(#[from] adapters_postgres::PgConfigError),
    #[error(
        "could not prepare the database (is PostgreSQL running and database.connectionString right?)"
    )]
    Migrations(#[from] adapters_postgres::MigrationError),
    #[error("invalid Backbone settings: {0}")]
    BackboneConfig(#[from] adapters_backbone::BackboneConfigError),
    #[error("could not listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
}

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    server: Server,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Connects the adapters, migrates the database and binds the listener.
    ///
    /// # Errors
    /// A [`StartupError`] naming what to fix.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let database = PgDatabase::new(&PgConfig {
            max_pool_size: config.database.pool_size,
            connection_timeout: config.database.connect_timeout,
            ..PgConfig::new(config.database.connection_string.expose_secret())
        })?;
        let applied = database.run_migrations().await?;
        tracing::info!(
            applied = applied.len(),
            "database migrations are up to date"
        );

        let backbone = Arc::new(HttpBackboneClient::new(&BackboneConfig {
            request_timeout: config.backbone.request_timeout,
            ..BackboneConfig::new(
                config.backbone.base_url.clone(),
                config.backbone.platform_client_id.clone(),
                config.backbone.platform_client_secret.clone(),
                config.identity.device_username.clone(),
                config.identity.device_password.clone(),
            )
        })?);

        let create_token_for_file = Arc::new(CreateTokenForFile::new(
            Arc::new(database.file_repository()),
            Arc::new(database.token_repository()),
            backbone.clone(),
            Arc::new(SystemClock),
            Arc::new(OsRandom),
            ServiceIdentity {
                address: config.identity.address.clone(),
                device_id: config.identity.device_id.clone(),
            },
            config.backbone.base_url.clone(),
        ));
        let state = web::Data::new(AppState {
            create_token_for_file,
            health: Arc::new(Probes { database, backbone }),
            max_body_bytes: config.http.max_body_bytes,
        });
        let guard = web::Data::new(Arc::new(ApiKeyGuard::new(
            &api_key_bytes(&config.http),
            config.http.auth_failure_delay.clone(),
        )));

        let address = format!("{}:{}", config.http.host, config.http.port);
        let listener = TcpListener::bind(&address).map_err(|source| StartupError::Bind {
            address: address.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind { address, source })?
            .port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(guard.clone())
                .wrap(from_fn(require_api_key))
                .wrap(from_fn(timing_headers))
                .configure(crate::http::configure)
        })
        .shutdown_timeout(SHUTDOWN_GRACE_SECONDS)
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            address: format!("port {port}"),
            source,
        })?
        .run();
        tracing::info!(port, backbone = %config.backbone.base_url, identity = %config.identity.address, "connector listening");
        Ok(Self { port, server })
    }

    /// The bound port (useful when configured as 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish.
    ///
    /// # Errors
    /// I/O errors of the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

struct Probes {
    database: PgDatabase,
    backbone: Arc<HttpBackboneClient>,
}

#[async_trait]
impl HealthProbes for Probes {
    async fn database(&self) -> bool {
        self.database.is_healthy().await
    }

    async fn backbone_connection(&self) -> bool {
        self.backbone.check_connection().await.is_ok()
    }

    async fn backbone_authentication(&self) -> bool {
        self.backbone.check_authentication().await.is_ok()
    }
}
