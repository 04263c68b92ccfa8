//! The processes under test: started with a clean environment, logs to files, stopped with
//! SIGTERM (and SIGKILL if that is ignored) when dropped, so an error never leaves one behind.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// How long a process may take to listen before the bench gives up.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a process may take to stop after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A running child process; stopped on drop.
#[derive(Debug)]
pub struct Running {
    name: String,
    child: Child,
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, wait, SIGKILL after [`STOP_TIMEOUT`].
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("bench: {} ignored SIGTERM; killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Fails if the process has exited.
    pub fn check_alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!("{} exited ({status}); see its log", self.name);
        }
        Ok(())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// A port free right now on 127.0.0.1 (another process could take it before we use it; on
/// an otherwise quiet machine that does not happen).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Gives `command` only `env` (and `PATH`) and no stdin; returns `log`, created, for its output.
fn isolate(command: &mut Command, env: &[(String, String)], log: &Path) -> Result<File> {
    let log_file = File::create(log).with_context(|| format!("creating {}", log.display()))?;
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null());
    Ok(log_file)
}

/// Starts `command` with only `env` (and `PATH`), stdout and stderr to `log`.
pub fn spawn(
    name: &str,
    mut command: Command,
    env: &[(String, String)],
    log: &Path,
) -> Result<Running> {
    let log_file = isolate(&mut command, env, log)?;
    command.stdout(log_file.try_clone()?).stderr(log_file);
    let child = command
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    Ok(Running {
        name: name.to_owned(),
        child,
    })
}

/// Starts `command` and returns the first line it prints on stdout (stderr to `log`).
pub fn spawn_reading_line(
    name: &str,
    mut command: Command,
    env: &[(String, String)],
    log: &Path,
) -> Result<(Running, String)> {
    let log_file = isolate(&mut command, env, log)?;
    command.stdout(Stdio::piped()).stderr(log_file);
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let running = Running {
        name: name.to_owned(),
        child,
    };
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .with_context(|| format!("reading {name}'s first line"))?;
    if line.trim().is_empty() {
        bail!("{name} printed nothing; see {}", log.display());
    }
    Ok((running, line))
}

/// Waits until `port` accepts connections; returns how long that took since `started`.
pub fn wait_until_listening(
    process: &mut Running,
    port: u16,
    started: Instant,
) -> Result<Duration> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    loop {
        if TcpStream::connect_timeout(&address, Duration::from_millis(100)).is_ok() {
            return Ok(started.elapsed());
        }
        process.check_alive()?;
        if started.elapsed() > READY_TIMEOUT {
            bail!(
                "{} did not listen on port {port} within {READY_TIMEOUT:?}",
                process.name
            );
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}
