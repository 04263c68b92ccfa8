//! `connector`: reads the configuration, prepares the database, serves until SIGTERM/Ctrl-C.
//! `connector seed-demo-file` stores a demo File and prints its id.

use std::process::ExitCode;

use server::config::Config;
use server::startup::Application;
use server::telemetry::error_chain;

const USAGE: &str = "\
usage: connector [seed-demo-file]

  (no argument)    serve the Connector API (configuration: see README.md)
  seed-demo-file   store a File with a random key for this identity and print its id
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
        Some("seed-demo-file") => match server::demo::seed_demo_file(&config).await {
            Ok(file) => {
                println!("{}", file.id);
                ExitCode::SUCCESS
            }
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "seeding the demo File failed");
                ExitCode::FAILURE
            }
        },
        Some(other) => {
            eprint!("connector: unknown command '{other}'\n{USAGE}");
            ExitCode::from(2)
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
