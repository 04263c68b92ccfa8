//! `connector`: reads the configuration, prepares the database, serves until SIGTERM/Ctrl-C.

use std::process::ExitCode;

use server::config::Config;
use server::startup::Application;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("connector: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    server::telemetry::init(config.log_format);
    let application = match Application::build(config).await {
        Ok(application) => application,
        Err(error) => {
            tracing::error!(error = %error, "connector could not start");
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
