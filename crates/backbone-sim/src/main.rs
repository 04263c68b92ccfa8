//! `backbone-sim`: runs the Backbone simulator as a process for scripts, the interop tests and
//! local development. Prints one JSON line with its URL and credentials on stdout once it
//! listens; logs go to stderr. Stops gracefully on SIGTERM or Ctrl-C. With `--state-file` its
//! state survives restarts, and so do the credentials it prints.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use backbone_sim::admin::{client_json, device_json};
use backbone_sim::config::{DEFAULT_ADDRESS_DOMAIN, DEFAULT_DID_DOMAIN};
use backbone_sim::ids::{DeviceId, DeviceUsername, IdError, IdentityAddress};
use backbone_sim::{PasswordPolicy, PlatformClient, SeededDevice, SimulatorConfig};
use clap::Parser;
use serde_json::json;

/// The command line; every flag can also come from the environment variable shown.
#[derive(Debug, Parser)]
#[command(
    version,
    about = "An enmeshed Backbone simulator, in memory unless given a state file. Credentials not \
        given are random (or, with a state file, the first ones in it).",
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
    /// How many identities may be created with the client given here; unlimited if absent.
    #[arg(long, env = "BACKBONE_SIM_CLIENT_MAX_IDENTITIES")]
    client_max_identities: Option<u32>,
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
    /// The Backbone's DidDomainName: the domain of addresses derived for new identities
    /// (clients must derive with the same one, e.g. addressGenerationHostnameOverride).
    #[arg(long, env = "BACKBONE_SIM_DID_DOMAIN", default_value = DEFAULT_DID_DOMAIN)]
    did_domain: String,
    /// Device password rules for new identities: production (min. 10, upper, lower, digit,
    /// special) or development (min. 1, as the Backbone's own integration tests need).
    #[arg(long, env = "BACKBONE_SIM_PASSWORD_POLICY", default_value_t = PasswordPolicy::Production)]
    password_policy: PasswordPolicy,
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
    /// Keep the state (tokens, clients, devices, identities) in this JSON file across restarts; it is
    /// loaded if it exists and rewritten after every change. Without it nothing is written.
    #[arg(long, env = "BACKBONE_SIM_STATE_FILE")]
    state_file: Option<PathBuf>,
}

/// What the command line asks for; credentials it leaves open are settled once the state file,
/// if any, is loaded.
struct Plan {
    config: SimulatorConfig,
    /// The client given on the command line, if any part of it was.
    client: Option<PlatformClient>,
    /// The device given on the command line, if any part of it was.
    device: Option<SeededDevice>,
    random_client: PlatformClient,
    random_device: SeededDevice,
}

impl Cli {
    fn into_plan(self) -> Result<Plan, IdError> {
        let random_client = PlatformClient::random();
        let random_device = SeededDevice::try_random(&self.address_domain)?;
        let any_client_part = self.client_id.is_some()
            || self.client_secret.is_some()
            || self.client_max_identities.is_some();
        let client = any_client_part.then(|| {
            let mut client = PlatformClient::new(
                self.client_id
                    .unwrap_or_else(|| random_client.client_id.clone()),
                self.client_secret
                    .unwrap_or_else(|| random_client.client_secret.clone()),
            );
            client.max_identities = self.client_max_identities;
            client
        });
        let any_device_part = self.device_username.is_some()
            || self.device_password.is_some()
            || self.device_address.is_some()
            || self.device_id.is_some();
        let device = any_device_part.then(|| SeededDevice {
            username: self
                .device_username
                .unwrap_or_else(|| random_device.username.clone()),
            password: self
                .device_password
                .unwrap_or_else(|| random_device.password.clone()),
            address: self
                .device_address
                .unwrap_or_else(|| random_device.address.clone()),
            device_id: self
                .device_id
                .unwrap_or_else(|| random_device.device_id.clone()),
        });
        let mut config = SimulatorConfig::new()
            .with_bind(SocketAddr::new(self.bind, self.port))
            .with_access_token_lifetime(Duration::from_secs(self.access_token_lifetime))
            .with_login_lockout(Duration::from_secs(self.login_lockout))
            .with_workers(self.workers)
            .with_did_domain(self.did_domain)
            .with_password_policy(self.password_policy);
        if let Some(client) = &client {
            config = config.with_client(client.clone());
        }
        if let Some(device) = &device {
            config = config.with_device(device.clone());
        }
        if let Some(path) = self.state_file {
            config = config.with_state_file(path);
        }
        Ok(Plan {
            config,
            client,
            device,
            random_client,
            random_device,
        })
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

    let plan = match cli.into_plan() {
        Ok(plan) => plan,
        Err(error) => {
            eprintln!("backbone-sim: --address-domain: {error}");
            return ExitCode::from(2);
        }
    };
    let simulator = match backbone_sim::start(plan.config).await {
        Ok(simulator) => simulator,
        Err(error) => {
            tracing::error!(%error, "cannot start the simulator");
            return ExitCode::FAILURE;
        }
    };
    // Not given: the first one loaded from the state file, so that a restart prints the same
    // credentials; otherwise a random one.
    let client = match plan.client {
        Some(client) => client,
        None => match simulator.clients().into_iter().next() {
            Some(client) => client,
            None => {
                simulator.add_client(plan.random_client.clone());
                plan.random_client
            }
        },
    };
    let device = match plan.device {
        Some(device) => device,
        None => match simulator.devices().into_iter().next() {
            Some(device) => device,
            None => {
                simulator.add_device(plan.random_device.clone());
                plan.random_device
            }
        },
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
