//! `backbone-sim`: runs the Backbone simulator as a process for scripts, the interop tests and
//! local development. Prints one JSON line with its URL and credentials on stdout once it
//! listens; logs go to stderr. Stops gracefully on SIGTERM or Ctrl-C.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use backbone_sim::admin::{client_json, device_json};
use backbone_sim::config::DEFAULT_ADDRESS_DOMAIN;
use backbone_sim::{PlatformClient, SeededDevice, SimulatorConfig};
use clap::Parser;
use domain::ids::{DeviceId, DeviceUsername, IdentityAddress};
use serde_json::json;

/// The command line; every flag can also come from the environment variable shown.
#[derive(Debug, Parser)]
#[command(
    version,
    about = "An in-memory enmeshed Backbone simulator. Credentials not given are random.",
    after_help = "Once it listens it prints one JSON line to stdout:\n  \
        {\"baseUrl\":…,\"client\":{\"clientId\",\"clientSecret\"},\"device\":{\"username\",\"password\",\"address\",\"deviceId\"}}"
)]
struct Cli {
    #[arg(long, env = "BACKBONE_SIM_BIND", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// 0 picks any free port.
    #[arg(long, env = "BACKBONE_SIM_PORT", default_value_t = 0)]
    port: u16,
    #[arg(long, env = "BACKBONE_SIM_CLIENT_ID")]
    client_id: Option<String>,
    #[arg(long, env = "BACKBONE_SIM_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    #[arg(long, env = "BACKBONE_SIM_DEVICE_USERNAME")]
    device_username: Option<DeviceUsername>,
    #[arg(long, env = "BACKBONE_SIM_DEVICE_PASSWORD", hide_env_values = true)]
    device_password: Option<String>,
    #[arg(long, env = "BACKBONE_SIM_DEVICE_ADDRESS")]
    device_address: Option<IdentityAddress>,
    #[arg(long, env = "BACKBONE_SIM_DEVICE_ID")]
    device_id: Option<DeviceId>,
    /// Domain of the random device address.
    #[arg(long, env = "BACKBONE_SIM_ADDRESS_DOMAIN", default_value = DEFAULT_ADDRESS_DOMAIN)]
    address_domain: String,
    /// Seconds an access token lives.
    #[arg(
        long,
        env = "BACKBONE_SIM_ACCESS_TOKEN_LIFETIME",
        default_value_t = 300
    )]
    access_token_lifetime: u64,
    /// Seconds a device stays locked after three failed logins.
    #[arg(long, env = "BACKBONE_SIM_LOGIN_LOCKOUT", default_value_t = 60)]
    login_lockout: u64,
    #[arg(long, env = "BACKBONE_SIM_WORKERS", default_value_t = 2)]
    workers: usize,
}

impl Cli {
    fn into_config(
        self,
    ) -> Result<(SimulatorConfig, PlatformClient, SeededDevice), domain::IdError> {
        let random_client = PlatformClient::random();
        let client = PlatformClient::new(
            self.client_id.unwrap_or(random_client.client_id),
            self.client_secret.unwrap_or(random_client.client_secret),
        );
        let random = SeededDevice::try_random(&self.address_domain)?;
        let device = SeededDevice {
            username: self.device_username.unwrap_or(random.username),
            password: self.device_password.unwrap_or(random.password),
            address: self.device_address.unwrap_or(random.address),
            device_id: self.device_id.unwrap_or(random.device_id),
        };
        let config = SimulatorConfig::new()
            .with_bind(SocketAddr::new(self.bind, self.port))
            .with_client(client.clone())
            .with_device(device.clone())
            .with_access_token_lifetime(Duration::from_secs(self.access_token_lifetime))
            .with_login_lockout(Duration::from_secs(self.login_lockout))
            .with_workers(self.workers);
        Ok((config, client, device))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let (config, client, device) = match cli.into_config() {
        Ok(parts) => parts,
        Err(error) => {
            eprintln!("backbone-sim: --address-domain: {error}");
            return ExitCode::from(2);
        }
    };
    let simulator = match backbone_sim::start(config).await {
        Ok(simulator) => simulator,
        Err(error) => {
            tracing::error!(%error, "cannot start the simulator");
            return ExitCode::FAILURE;
        }
    };
    let startup = json!({
        "baseUrl": simulator.base_url(),
        "client": client_json(&client),
        "device": device_json(&device),
    });
    println!("{startup}");

    shutdown_signal().await;
    tracing::info!("shutting down");
    simulator.stop().await;
    ExitCode::SUCCESS
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
