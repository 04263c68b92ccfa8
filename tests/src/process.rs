//! The built `connector` binary as a child process, for what only a real process shows:
//! signals, several instances, its log output.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;

/// The `connector` binary, built from the current sources first (once per test process), so a
/// test never runs a stale binary.
///
/// # Panics
/// If it does not build.
pub fn connector_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            let build = escargot::CargoBuild::new()
                .package("server")
                .bin("connector")
                .run()
                .unwrap_or_else(|e| panic!("building the connector binary failed: {e}"));
            build.path().to_path_buf()
        })
        .clone()
}

/// A `connector` that exited instead of listening.
#[derive(Debug)]
pub struct NotStarted {
    pub status: ExitStatus,
    /// Its log lines (JSON).
    pub log: Vec<String>,
}

/// A running `connector` with its stderr (JSON log lines) captured.
#[derive(Debug)]
pub struct ConnectorProcess {
    child: Child,
    pub port: u16,
    log: Arc<Mutex<Vec<String>>>,
    output: Arc<Mutex<Vec<String>>>,
}

impl ConnectorProcess {
    /// Starts the binary with exactly `vars` (plus `PATH`), JSON logs at `log_level`, and waits
    /// until it listens.
    ///
    /// # Panics
    /// If it exits or does not listen within 30 s; the panic shows its log.
    pub fn start(vars: &[(String, String)], log_level: &str) -> Self {
        Self::start_in(None, vars, log_level)
    }

    /// Like [`ConnectorProcess::start`], in `directory` (where local mode keeps its data).
    ///
    /// # Panics
    /// As [`ConnectorProcess::start`].
    pub fn start_in(directory: Option<&Path>, vars: &[(String, String)], log_level: &str) -> Self {
        Self::start_as(None, directory, vars, log_level)
    }

    /// Like [`ConnectorProcess::start_in`], as `user` (through `runuser`, so the caller must be
    /// root) when given.
    ///
    /// # Panics
    /// As [`ConnectorProcess::start`].
    pub fn start_as(
        user: Option<&str>,
        directory: Option<&Path>,
        vars: &[(String, String)],
        log_level: &str,
    ) -> Self {
        Self::try_start_as(user, directory, vars, log_level).unwrap_or_else(|not_started| {
            panic!(
                "the connector did not start:\n{}",
                not_started.log.join("\n")
            )
        })
    }

    /// Like [`ConnectorProcess::start_in`], but a binary that exits instead of listening is an
    /// `Err` with its exit status and log, for tests of refused starts.
    ///
    /// # Panics
    /// If it neither listens nor exits within 30 s.
    pub fn try_start_in(
        directory: Option<&Path>,
        vars: &[(String, String)],
        log_level: &str,
    ) -> Result<Self, NotStarted> {
        Self::try_start_as(None, directory, vars, log_level)
    }

    fn try_start_as(
        user: Option<&str>,
        directory: Option<&Path>,
        vars: &[(String, String)],
        log_level: &str,
    ) -> Result<Self, NotStarted> {
        let mut command = match user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(connector_binary());
                command
            }
            None => Command::new(connector_binary()),
        };
        if let Some(directory) = directory {
            command.current_dir(directory);
        }
        // Its own process group, so dropping it also ends what `runuser` started.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", log_level)
            .env("logging__format", "json")
            .envs(vars.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the connector binary starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let log = Arc::new(Mutex::new(Vec::new()));
        let output = Arc::new(Mutex::new(Vec::new()));
        let printed = Arc::clone(&output);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                printed.lock().expect("stdout lock").push(line);
            }
        });
        let (port_sender, port_receiver) = mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(port) = listening_port(&line) {
                    let _receiver_gone = port_sender.send(port);
                }
                lines.lock().expect("log lock").push(line);
            }
        });
        let port = match port_receiver.recv_timeout(Duration::from_secs(30)) {
            Ok(port) => port,
            // stderr closed without the line: the process is exiting.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait().expect("the exited connector is reaped");
                let log = log.lock().expect("log lock").clone();
                return Err(NotStarted { status, log });
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _already_dead = child.kill();
                panic!(
                    "the connector neither listened nor exited within 30 s:\n{}",
                    log.lock().expect("log lock").join("\n")
                );
            }
        };
        Ok(Self {
            child,
            port,
            log,
            output,
        })
    }

    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sends SIGTERM (graceful shutdown).
    pub fn terminate(&self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(status.success(), "SIGTERM to {pid} failed");
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Every line printed on stdout so far.
    pub fn output(&self) -> Vec<String> {
        self.output.lock().expect("stdout lock").clone()
    }

    /// Every log line so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().expect("log lock").clone()
    }
}

impl Drop for ConnectorProcess {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _already_dead = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _reaped = self.child.wait();
    }
}

/// The port of the start-up line `connector listening` (JSON log format).
fn listening_port(line: &str) -> Option<u16> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    (value["message"] == "connector listening")
        .then(|| value["port"].as_u64())?
        .and_then(|p| u16::try_from(p).ok())
}
