//! `connector`: reads the configuration, prepares the database, serves until SIGTERM/Ctrl-C.
//! `connector seed-demo-file` stores a demo File and prints its id.

use std::process::ExitCode;

use secrecy::ExposeSecret;
use server::config::Config;
use server::demo::demo_file;
use server::startup::Application;
use server::storage::{PoolSettings, open_storage};
use server::telemetry::error_chain;

const USAGE: &str = "\
usage: connector [seed-demo-file]

  (no argument)    serve the Connector API (configuration: see README.md)
  seed-demo-file   store a File with a random key for this service's identity and print its id
                   (onboarding the identity first if none is stored; local mode stores one by
                   itself at start-up)
";

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1);
    if matches!(command.as_deref(), Some("-h" | "--help")) {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("connector: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    server::telemetry::init(config.log_format);
    match command.as_deref() {
        None => serve(config).await,
        Some("seed-demo-file") => seed_demo_file(&config).await,
        Some(other) => {
            eprint!("connector: unknown command '{other}'\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Stores a demo File for the configured identity and prints its id.
async fn seed_demo_file(config: &Config) -> ExitCode {
    let Some(remote) = &config.backbone else {
        eprintln!(
            "connector: seed-demo-file needs a configured Backbone; local mode stores a demo File by itself"
        );
        return ExitCode::from(2);
    };
    let storage = match open_storage(
        config
            .database
            .connection_string
            .as_ref()
            .map(ExposeSecret::expose_secret),
        &config.database.data_directory,
        PoolSettings {
            max_size: 1,
            connect_timeout: config.database.connect_timeout,
        },
    )
    .await
    {
        Ok(storage) => storage,
        Err(error) => {
            tracing::error!(error = %error_chain(&error), "could not prepare the database");
            return ExitCode::FAILURE;
        }
    };
    // Onboards first if no identity is stored yet, as a start of the service would.
    let identity = match server::identity::resolve(
        remote,
        config.backbone_request_timeout,
        &storage,
    )
    .await
    {
        Ok(identity) => identity.service,
        Err(error) => {
            tracing::error!(error = %error_chain(&error), "could not settle this service's identity");
            return ExitCode::FAILURE;
        }
    };
    let file = demo_file(&identity.address, &identity.device_id);
    match storage.files.insert_file(&file).await {
        Ok(()) => {
            println!("{}", file.id);
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(error = %error_chain(&error), "could not store the demo File");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> ExitCode {
    let application = match Application::build(config).await {
        Ok(application) => application,
        Err(error) => {
            tracing::error!(error = %error_chain(&error), "connector could not start");
            return ExitCode::FAILURE;
        }
    };
    match application.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "connector stopped with an error");
            ExitCode::FAILURE
        }
    }
}
