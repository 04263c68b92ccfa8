//! `backbone-sim`: runs the Backbone simulator as a process for scripts, the interop tests and
//! local development. Prints one JSON line with its URL and credentials on stdout once it
//! listens; logs go to stderr. Stops gracefully on SIGTERM or Ctrl-C.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use backbone_sim::admin::{client_json, device_json};
use backbone_sim::config::{
    DEFAULT_ACCESS_TOKEN_LIFETIME, DEFAULT_ADDRESS_DOMAIN, DEFAULT_LOGIN_LOCKOUT,
};
use backbone_sim::{PlatformClient, SeededDevice, SimulatorConfig};
use domain::ids::{DeviceId, DeviceUsername, IdentityAddress};
use serde_json::json;

const USAGE: &str = "\
backbone-sim: an in-memory enmeshed Backbone simulator

Every option can also be set by the environment variable shown; a flag wins.

  --bind <ip>                      BACKBONE_SIM_BIND                    default 127.0.0.1
  --port <port>                    BACKBONE_SIM_PORT                    default 0 (any free port)
  --client-id <id>                 BACKBONE_SIM_CLIENT_ID               default random
  --client-secret <secret>         BACKBONE_SIM_CLIENT_SECRET           default random
  --device-username <USR...>       BACKBONE_SIM_DEVICE_USERNAME         default random
  --device-password <password>     BACKBONE_SIM_DEVICE_PASSWORD         default random
  --device-address <did:e:...>     BACKBONE_SIM_DEVICE_ADDRESS          default random in the domain
  --device-id <DVC...>             BACKBONE_SIM_DEVICE_ID               default random
  --address-domain <domain>        BACKBONE_SIM_ADDRESS_DOMAIN          default localhost
  --access-token-lifetime <secs>   BACKBONE_SIM_ACCESS_TOKEN_LIFETIME   default 300
  --login-lockout <secs>           BACKBONE_SIM_LOGIN_LOCKOUT           default 60
  --workers <n>                    BACKBONE_SIM_WORKERS                 default 2

On startup one JSON line goes to stdout:
  {\"baseUrl\":…,\"client\":{\"clientId\",\"clientSecret\"},\"device\":{\"username\",\"password\",\"address\",\"deviceId\"}}
";

/// A command-line option with its environment variable.
struct Options {
    args: Vec<String>,
}

impl Options {
    /// The value of `--flag value` / `--flag=value`, else of the environment variable.
    fn get(&self, flag: &str, env: &str) -> Option<String> {
        let prefixed = format!("{flag}=");
        let mut args = self.args.iter();
        while let Some(arg) = args.next() {
            if arg == flag {
                return args.next().cloned();
            }
            if let Some(value) = arg.strip_prefix(&prefixed) {
                return Some(value.to_owned());
            }
        }
        std::env::var(env).ok().filter(|value| !value.is_empty())
    }

    fn parsed<T: std::str::FromStr>(&self, flag: &str, env: &str) -> Result<Option<T>, String> {
        match self.get(flag, env) {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| format!("{flag}: '{text}' is not valid")),
        }
    }
}

fn config_from(
    options: &Options,
) -> Result<(SimulatorConfig, PlatformClient, SeededDevice), String> {
    let bind: IpAddr = options
        .parsed("--bind", "BACKBONE_SIM_BIND")?
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let port: u16 = options.parsed("--port", "BACKBONE_SIM_PORT")?.unwrap_or(0);
    let domain = options
        .get("--address-domain", "BACKBONE_SIM_ADDRESS_DOMAIN")
        .unwrap_or(DEFAULT_ADDRESS_DOMAIN.to_owned());

    let random_client = PlatformClient::random();
    let client = PlatformClient::new(
        options
            .get("--client-id", "BACKBONE_SIM_CLIENT_ID")
            .unwrap_or(random_client.client_id),
        options
            .get("--client-secret", "BACKBONE_SIM_CLIENT_SECRET")
            .unwrap_or(random_client.client_secret),
    );

    let random = SeededDevice::try_random(&domain).map_err(|e| format!("--address-domain: {e}"))?;
    let device = SeededDevice {
        username: match options.get("--device-username", "BACKBONE_SIM_DEVICE_USERNAME") {
            Some(text) => DeviceUsername::parse(&text).map_err(|e| e.to_string())?,
            None => random.username,
        },
        password: options
            .get("--device-password", "BACKBONE_SIM_DEVICE_PASSWORD")
            .unwrap_or(random.password),
        address: match options.get("--device-address", "BACKBONE_SIM_DEVICE_ADDRESS") {
            Some(text) => IdentityAddress::parse(&text).map_err(|e| e.to_string())?,
            None => random.address,
        },
        device_id: match options.get("--device-id", "BACKBONE_SIM_DEVICE_ID") {
            Some(text) => DeviceId::parse(&text).map_err(|e| e.to_string())?,
            None => random.device_id,
        },
    };

    let lifetime = options
        .parsed(
            "--access-token-lifetime",
            "BACKBONE_SIM_ACCESS_TOKEN_LIFETIME",
        )?
        .map_or(DEFAULT_ACCESS_TOKEN_LIFETIME, Duration::from_secs);
    let lockout = options
        .parsed("--login-lockout", "BACKBONE_SIM_LOGIN_LOCKOUT")?
        .map_or(DEFAULT_LOGIN_LOCKOUT, Duration::from_secs);
    let workers: usize = options
        .parsed("--workers", "BACKBONE_SIM_WORKERS")?
        .unwrap_or(2);

    let config = SimulatorConfig::new()
        .with_bind(SocketAddr::new(bind, port))
        .with_client(client.clone())
        .with_device(device.clone())
        .with_access_token_lifetime(lifetime)
        .with_login_lockout(lockout)
        .with_workers(workers);
    Ok((config, client, device))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let (config, client, device) = match config_from(&Options { args }) {
        Ok(parts) => parts,
        Err(message) => {
            eprintln!("backbone-sim: {message}\n\n{USAGE}");
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
