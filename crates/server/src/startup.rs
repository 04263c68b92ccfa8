//! Wiring: storage and Backbone adapters behind the ports, the identity, the use cases, the
//! HTTP server.
//! `Application::build` prepares everything (migrations included) before the port is bound, so
//! a started server is ready to answer.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{Condition, DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use adapters_backbone::HttpBackboneClient;
use adapters_hashing::IdleThreadsHasher;
use application::idempotency::Idempotency;
use application::ports::SystemClock;
use application::{Dependencies, UseCases};
use async_trait::async_trait;
use domain::FileId;
use secrecy::ExposeSecret;

use crate::config::{ApiKeyConfig, Config, IdentitySource, MetricsAccess, SINGLE_KEY_ID};
use crate::http::auth::{ApiKeyGuard, require_api_key};
use crate::http::idempotency::{IdempotencyLayer, idempotent_posts};
use crate::http::middleware::log_and_time;
use crate::http::request_span::RequestSpan;
use crate::http::routes::files::MAX_UPLOAD_FORM_BYTES;
use crate::identity::{IdentityError, ResolvedIdentity, backbone_client_config};
use crate::local::{LocalBackbone, LocalModeError};
use crate::metrics::{Metrics, Sources};
use crate::random::OsRandom;
use crate::state::{AppState, HealthProbes, IdentityInfo};
use crate::storage::{DatabaseHealth, PoolSettings, StorageError, open_storage};

/// How long in-flight requests may take to finish after SIGTERM.
const SHUTDOWN_GRACE_SECONDS: u64 = 30;

/// Why the service could not start; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not prepare the database")]
    Storage(#[from] StorageError),
    #[error("could not start local mode")]
    LocalMode(#[from] LocalModeError),
    #[error("invalid Backbone settings: {0}")]
    BackboneConfig(#[from] adapters_backbone::BackboneConfigError),
    #[error(transparent)]
    Identity(#[from] IdentityError),
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
    /// `GET /metrics` on a port of its own, and that port.
    metrics_server: Option<(Server, u16)>,
    /// Local mode's simulator runs as long as the application.
    local: Option<LocalBackbone>,
    /// Purged of expired keys as long as the application runs.
    idempotency: Arc<Idempotency>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Starts local mode's simulator (when no Backbone is configured), opens storage, settles
    /// the identity (onboarding it at the first start), and binds the listener.
    ///
    /// # Errors
    /// A [`StartupError`] naming what to fix.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        // Local mode first: when its simulator cannot take its port, nothing (not even a
        // migration) has touched the data directory yet.
        let (remote, api_keys, mut local) = match config.backbone {
            Some(remote) => (remote, config.http.api_keys.clone(), None),
            None => {
                let (single, others): (Vec<ApiKeyConfig>, Vec<ApiKeyConfig>) = config
                    .http
                    .api_keys
                    .iter()
                    .cloned()
                    .partition(|key| key.id == SINGLE_KEY_ID);
                let local = crate::local::start(
                    &config.database.data_directory,
                    single.first().map(|key| &key.key),
                    config.secrets_key.as_ref(),
                )
                .await?;
                // Local mode's key (configured or generated) may do everything, as v6's single key.
                let api_keys = std::iter::once(ApiKeyConfig::unrestricted(
                    SINGLE_KEY_ID,
                    local.api_key.clone(),
                ))
                .chain(others)
                .collect();
                (local.remote.clone(), api_keys, Some(local))
            }
        };

        let storage = open_storage(
            config
                .database
                .connection_string
                .as_ref()
                .map(ExposeSecret::expose_secret),
            &config.database.data_directory,
            PoolSettings {
                max_size: config.database.pool_size,
                connect_timeout: config.database.connect_timeout,
            },
        )
        .await?;
        tracing::info!(storage = %storage.description, applied_migrations = storage.applied_migrations.len(), "storage ready");

        let ResolvedIdentity {
            service: identity,
            login,
            public_key,
            device_key,
        } = crate::identity::resolve(&remote, config.backbone_request_timeout, &storage).await?;
        let metrics = Arc::new(Metrics::new());
        let backbone = Arc::new(HttpBackboneClient::new(
            &adapters_backbone::BackboneConfig {
                observer: Some(metrics.clone()),
                ..backbone_client_config(&remote.backbone, config.backbone_request_timeout)
            },
            &login,
        )?);
        let hasher = Arc::new(IdleThreadsHasher::per_core());
        metrics.watch(Sources {
            database: storage.health.clone(),
            hasher: hasher.clone(),
            identity_source: match remote.identity {
                IdentitySource::Onboarded(_) => "onboarded",
                IdentitySource::Configured(_) => "configured",
            },
            address: identity.address.to_string(),
        });
        let identity_info = IdentityInfo {
            address: identity.address.clone(),
            public_key,
        };
        let deps = Dependencies {
            files: storage.files.clone(),
            tokens: storage.tokens.clone(),
            backbone: backbone.clone(),
            backbone_files: backbone.clone(),
            password_hasher: hasher,
            clock: Arc::new(SystemClock),
            random: Arc::new(OsRandom),
            identity,
            device_key: Arc::new(device_key),
        };
        let use_cases = Arc::new(UseCases::new(&deps));
        // Uploaded as any File is, so it needs the use cases; before the listener is bound, so
        // the banner's demo File exists once the port answers.
        let demo_file = match &mut local {
            Some(local) => Some(
                local
                    .demo_file(storage.files.as_ref(), &use_cases.upload_own_file)
                    .await?,
            ),
            None => None,
        };
        let state = web::Data::new(AppState {
            use_cases,
            health: Arc::new(Probes {
                database: storage.health.clone(),
                backbone,
            }),
            max_body_bytes: config.http.max_body_bytes,
            backbone_base_url: remote.backbone.base_url.clone(),
            identity: identity_info.clone(),
        });
        let idempotency = Arc::new(crate::idempotency::idempotency(
            storage.idempotency.clone(),
            &config.http.idempotency,
        ));
        let idempotency_layer = web::Data::new(Arc::new(IdempotencyLayer {
            idempotency: Arc::clone(&idempotency),
            body_limit: config.http.max_body_bytes.max(MAX_UPLOAD_FORM_BYTES),
        }));
        let guard = web::Data::new(Arc::new(ApiKeyGuard::new(
            &api_keys,
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
        let cors = config.http.cors.clone();
        let metrics_on_api_port = config.http.metrics == MetricsAccess::ApiPort;
        let metrics_data = web::Data::new(metrics);
        let api_metrics = metrics_data.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(guard.clone())
                .app_data(api_metrics.clone())
                .app_data(idempotency_layer.clone())
                // Inside the key check, which names the key that scopes idempotency keys.
                .wrap(from_fn(idempotent_posts))
                .wrap(from_fn(require_api_key))
                .wrap(Condition::new(
                    cors.is_some(),
                    crate::http::cors::middleware(cors.as_ref()),
                ))
                .wrap(from_fn(log_and_time))
                .wrap(security_headers())
                .wrap(tracing_actix_web::TracingLogger::<RequestSpan>::new())
                .configure(|config| {
                    if metrics_on_api_port {
                        crate::http::routes::metrics::configure(config);
                    }
                    crate::http::configure(config);
                })
        })
        .shutdown_timeout(SHUTDOWN_GRACE_SECONDS)
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            address: format!("port {port}"),
            source,
        })?
        .run();
        let metrics_server = match &config.http.metrics {
            MetricsAccess::OwnPort { host, port } => {
                Some(serve_metrics(host, *port, metrics_data)?)
            }
            MetricsAccess::ApiPort | MetricsAccess::Off => None,
        };
        tracing::info!(port, backbone = %remote.backbone.base_url, identity = %identity_info.address, "connector listening");
        if let (Some(local), Some(demo_file)) = (&local, &demo_file) {
            announce_local_mode(local, &identity_info, demo_file, port);
        }
        Ok(Self {
            port,
            server,
            metrics_server,
            local,
            idempotency,
        })
    }

    /// The bound port (useful when configured as 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port `GET /metrics` is served on without a key, when `metrics.port` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_server.as_ref().map(|(_, port)| *port)
    }

    /// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish; purges expired
    /// idempotency keys meanwhile.
    ///
    /// # Errors
    /// I/O errors of the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let serve = async {
            match self.metrics_server {
                Some((metrics, _)) => {
                    let (api, metrics) = tokio::join!(self.server, metrics);
                    api.and(metrics)
                }
                None => self.server.await,
            }
        };
        let result = tokio::select! {
            result = serve => result,
            () = crate::idempotency::purge_expired_keys(self.idempotency) => Ok(()),
        };
        if let Some(local) = self.local {
            local.simulator.stop().await;
        }
        result
    }
}

/// `GET /metrics` alone, without a key, on `host:port` (one worker: a scraper is one client).
fn serve_metrics(
    host: &str,
    port: u16,
    metrics: web::Data<Arc<Metrics>>,
) -> Result<(Server, u16), StartupError> {
    let address = format!("{host}:{port}");
    let bind_error = |address: String| move |source| StartupError::Bind { address, source };
    let listener = TcpListener::bind(&address).map_err(bind_error(address.clone()))?;
    let port = listener
        .local_addr()
        .map_err(bind_error(address.clone()))?
        .port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(metrics.clone())
            .wrap(security_headers())
            .configure(crate::http::routes::metrics::configure)
            .default_service(web::to(crate::http::routes::fallback::route_does_not_exist))
    })
    .workers(1)
    .shutdown_timeout(SHUTDOWN_GRACE_SECONDS)
    .listen(listener)
    .map_err(bind_error(address))?
    .run();
    tracing::info!(port, "metrics served on their own port, without a key");
    Ok((server, port))
}

/// Headers on every answer, errors included (what helmet gives the reference): answers carry
/// keys and passwords, so nothing may cache, sniff, frame or embed them.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Cache-Control", "no-store"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add((
            "Content-Security-Policy",
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cross-Origin-Resource-Policy", "same-origin"))
        .add((
            "Strict-Transport-Security",
            "max-age=15552000; includeSubDomains",
        ))
}

/// Local mode is loud: a warning in the log and a banner on stdout with ready-to-paste curls
/// (a token for the demo File first: scripts and tests take the first `curl` line).
fn announce_local_mode(
    local: &LocalBackbone,
    identity: &IdentityInfo,
    demo_file: &FileId,
    port: u16,
) {
    let remote = &local.remote;
    tracing::warn!(
        backbone = %remote.backbone.base_url,
        data = %local.data_directory.display(),
        "LOCAL MODE: no Backbone is configured (transportLibrary.baseUrl), so tokens are created on a built-in \
         simulator that only this machine can reach; configure a Backbone for real use"
    );
    println!(
        "\n=== connector: LOCAL MODE ===\n\
         No Backbone is configured, so a built-in Backbone simulator runs at {backbone}.\n\
         Tokens created here can only be opened from this machine. Data: {data}\n\
         Identity: {address}\n\
         Demo File: {file}\n\
         API key: {key}\n\n\
         Create a token for the demo File:\n\n\
         curl -s -X POST 'http://127.0.0.1:{port}/api/v2/Files/{file}/Token' -H 'X-API-KEY: {key}' \
         -H 'Content-Type: application/json' -d '{{\"ephemeral\": false}}'\n\n\
         Download the demo File:\n\n\
         curl -s 'http://127.0.0.1:{port}/api/v2/Files/{file}/Download' -H 'X-API-KEY: {key}'\n\n\
         Upload a file of your own (replace report.pdf with its path), then create a token for \
         the id it answers the same way:\n\n\
         curl -s -X POST 'http://127.0.0.1:{port}/api/v2/Files/Own' -H 'X-API-KEY: {key}' \
         -F 'file=@report.pdf' -F 'title=My File'\n",
        backbone = remote.backbone.base_url,
        data = local.data_directory.display(),
        address = identity.address,
        file = demo_file,
        key = local.api_key.expose_secret(),
    );
}

struct Probes {
    database: Arc<dyn DatabaseHealth>,
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
