//! `connector`: reads the configuration, prepares the database, serves until SIGTERM/Ctrl-C.

use std::process::ExitCode;

use server::config::Config;
use server::startup::Application;
use server::telemetry::error_chain;

const USAGE: &str = "\
usage: connector

  serves the Connector API (configuration: see README.md); upload Files with
  POST /api/v2/Files/Own
";

/// What `connector seed-demo-file` answers. The command stored a File row with no content and
/// nothing on the Backbone; uploads replaced it. It is refused by name, not as an unknown
/// command, so a script that still calls it learns what to call instead, and with exit code 2
/// (a usage error) so the script stops there rather than use an empty File id.
const SEED_DEMO_FILE_REMOVED: &str = "\
connector: seed-demo-file no longer exists: upload a File over HTTP instead, with the service
running, e.g.

  curl -s -X POST 'http://127.0.0.1:8080/api/v2/Files/Own' -H \"X-API-KEY: $API_KEY\" -F 'file=@demo.txt'

and take the File id from the answer's result.id. Local mode uploads a demo File by itself.
";

#[tokio::main]
async fn main() -> ExitCode {
    // The command is read before the configuration: what it answers must not depend on it.
    match std::env::args().nth(1).as_deref() {
        None => {}
        Some("-h" | "--help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some("seed-demo-file") => {
            eprint!("{SEED_DEMO_FILE_REMOVED}");
            return ExitCode::from(2);
        }
        Some(other) => {
            eprint!("connector: unknown command '{other}'\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("connector: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    server::telemetry::init(config.log_format);
    serve(config).await
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
