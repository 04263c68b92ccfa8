//! The world the scenarios run in: binaries, PostgreSQL, wrk, the database, the simulator with
//! fixed credentials, the Files uploaded for the scenarios, and how `connector` and the floor
//! are started.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::database::BenchDatabase;
use crate::processes::{self, Running};
use crate::uploads::{self, Upload};

/// A key the connector accepts (≥30 chars, 2 upper, 2 lower, 2 digits, 1 special).
pub const API_KEY: &str = "Bench-Api-Key-0123456789-abcdefXYZ!";
const CLIENT_ID: &str = "bench";
const CLIENT_SECRET: &str = "bench-client-secret";
const DEVICE_USERNAME: &str = "USRdemo0000000000001";
const DEVICE_PASSWORD: &str = "demo-device-password";
const DEVICE_ADDRESS: &str = "did:e:localhost:dids:0000000000000000000194";
const DEVICE_ID: &str = "DVCdemo0000000000001";
/// Longer than a run, so nobody logs in again mid-measurement.
const ACCESS_TOKEN_LIFETIME_S: &str = "3600";
/// The File the scenarios make tokens for: its size does not matter to them (a token carries
/// only its id and key), so it is small and its upload quick.
const FILE_NAME: &str = "bench.txt";
const FILE_CONTENT: &[u8] = b"The bench's File.\n";

/// Where the binaries and the outputs are.
#[derive(Debug, Clone)]
pub struct Paths {
    pub workspace: PathBuf,
    pub connector: PathBuf,
    pub simulator: PathBuf,
    pub bench: PathBuf,
    pub out: PathBuf,
}

impl Paths {
    /// The release binaries next to this one (`target/release`), unless `connector` is given.
    pub fn locate(connector: Option<PathBuf>, out: PathBuf) -> Result<Self> {
        let bench = std::env::current_exe().context("locating the bench binary")?;
        let bin_dir = bench
            .parent()
            .context("bench binary has no directory")?
            .to_owned();
        Ok(Self {
            workspace: Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
            connector: connector.unwrap_or_else(|| bin_dir.join("connector")),
            simulator: bin_dir.join("backbone-sim"),
            bench,
            out,
        })
    }
}

/// `cargo build --release -p server -p backbone-sim` in the workspace.
pub fn build(paths: &Paths) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "server", "-p", "backbone-sim"])
        .current_dir(&paths.workspace)
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("cargo build --release -p server -p backbone-sim failed");
    }
    Ok(())
}

/// PostgreSQL through `scripts/ensure-postgres`, wrk through apt-get when missing.
pub fn ensure_tools(paths: &Paths) -> Result<()> {
    let status = Command::new(paths.workspace.join("scripts/ensure-postgres"))
        .status()
        .context("running scripts/ensure-postgres")?;
    if !status.success() {
        bail!("scripts/ensure-postgres failed");
    }
    if !crate::wrk::available() {
        eprintln!("bench: installing wrk from Debian");
        let installed = Command::new("sh")
            .args([
                "-c",
                "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk",
            ])
            .status()
            .is_ok_and(|s| s.success());
        if !installed || !crate::wrk::available() {
            bail!("wrk is needed: apt-get install wrk");
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SimStartup {
    base_url: String,
}

/// The simulator, the database and the uploaded File the scenarios share.
#[derive(Debug)]
pub struct World {
    pub paths: Paths,
    pub database: BenchDatabase,
    pub backbone_url: String,
    pub file_id: String,
    /// The Files the download scenarios fetch: (content length, id).
    pub download_files: Vec<(usize, String)>,
    /// `--connector-env` settings, added last (they win).
    extra_env: Vec<(String, String)>,
    _simulator: Running,
}

impl World {
    /// Everything the scenarios need, with a File of each of `download_sizes` (bytes) stored.
    pub fn start(
        paths: Paths,
        postgres: &str,
        extra_env: Vec<(String, String)>,
        download_sizes: &[usize],
    ) -> Result<Self> {
        let database = BenchDatabase::create(postgres)?;
        let mut command = Command::new(&paths.simulator);
        command.args([
            "--port",
            "0",
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
            "--device-username",
            DEVICE_USERNAME,
            "--device-password",
            DEVICE_PASSWORD,
            "--device-address",
            DEVICE_ADDRESS,
            "--device-id",
            DEVICE_ID,
            "--access-token-lifetime",
            ACCESS_TOKEN_LIFETIME_S,
        ]);
        let env = [("RUST_LOG".to_owned(), "warn".to_owned())];
        let (simulator, line) = processes::spawn_reading_line(
            "backbone-sim",
            command,
            &env,
            &paths.out.join("backbone-sim.log"),
        )?;
        let startup: SimStartup =
            serde_json::from_str(&line).context("reading backbone-sim's startup line")?;
        let mut world = Self {
            paths,
            database,
            backbone_url: startup.base_url,
            file_id: String::new(),
            download_files: Vec::new(),
            extra_env,
            _simulator: simulator,
        };
        world.upload_files(download_sizes)?;
        Ok(world)
    }

    /// The id of the File of `bytes` the download scenarios fetch.
    pub fn download_file(&self, bytes: usize) -> Result<&str> {
        self.download_files
            .iter()
            .find(|(len, _)| *len == bytes)
            .map(|(_, id)| id.as_str())
            .with_context(|| format!("no File of {bytes} bytes was uploaded"))
    }

    /// Every File the world itself stored: what removing an upload point's Files keeps.
    pub fn own_files(&self) -> Vec<String> {
        std::iter::once(self.file_id.clone())
            .chain(self.download_files.iter().map(|(_, id)| id.clone()))
            .collect()
    }

    /// Starts `connector` once (it applies the migrations, so no measured start pays for them),
    /// uploads the File the token scenarios share and one of each of `download_sizes` through
    /// `POST /api/v2/Files/Own`, and stops it.
    fn upload_files(&mut self, download_sizes: &[usize]) -> Result<()> {
        let (connector, port, _) = self.start_connector(
            &self.paths.connector,
            "warn",
            &self.paths.out.join("connector-upload.log"),
        )?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let base_url = format!("http://127.0.0.1:{port}");
        let uploaded = runtime.block_on(async {
            let token_file = Upload {
                content: FILE_CONTENT.to_vec(),
                filename: FILE_NAME,
                mimetype: "text/plain",
                title: "Bench File",
            };
            let file_id = uploads::upload(&base_url, token_file).await?;
            let mut download_files = Vec::new();
            for &bytes in download_sizes {
                let download = Upload {
                    content: crate::load::content(bytes),
                    filename: "download.bin",
                    mimetype: "application/octet-stream",
                    title: "Bench download",
                };
                download_files.push((bytes, uploads::upload(&base_url, download).await?));
            }
            anyhow::Ok((file_id, download_files))
        });
        connector.stop();
        (self.file_id, self.download_files) = uploaded
            .context("uploading the bench Files to connector (see connector-upload.log)")?;
        Ok(())
    }

    /// The connector's configuration (the README's names).
    pub fn connector_env(&self, port: u16, log_level: &str) -> Vec<(String, String)> {
        [
            ("transportLibrary__baseUrl", self.backbone_url.as_str()),
            ("PLATFORM_CLIENT_ID", CLIENT_ID),
            ("PLATFORM_CLIENT_SECRET", CLIENT_SECRET),
            ("identity__address", DEVICE_ADDRESS),
            ("identity__deviceId", DEVICE_ID),
            ("identity__deviceUsername", DEVICE_USERNAME),
            ("identity__devicePassword", DEVICE_PASSWORD),
            ("DATABASE_CONNECTION_STRING", &self.database.url()),
            ("API_KEY", API_KEY),
            ("infrastructure__httpServer__host", "127.0.0.1"),
            ("infrastructure__httpServer__port", &port.to_string()),
            ("infrastructure__httpServer__authFailureDelayMinMs", "0"),
            ("infrastructure__httpServer__authFailureDelayMaxMs", "0"),
            ("logging__format", "json"),
            ("RUST_LOG", log_level),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .chain(self.extra_env.iter().cloned())
        .collect()
    }

    /// Starts the connector binary at `path`; returns it, its port and the time from spawn to
    /// listening.
    pub fn start_connector(
        &self,
        path: &Path,
        log_level: &str,
        log: &Path,
    ) -> Result<(Running, u16, Duration)> {
        let port = processes::free_port()?;
        let started = Instant::now();
        let mut connector = processes::spawn(
            "connector",
            Command::new(path),
            &self.connector_env(port, log_level),
            log,
        )?;
        let ready = processes::wait_until_listening(&mut connector, port, started)?;
        Ok((connector, port, ready))
    }

    /// Starts the floor service (`bench floor-server`).
    pub fn start_floor(&self, test_on_check_out: bool) -> Result<(Running, u16)> {
        let port = processes::free_port()?;
        let started = Instant::now();
        let mut floor = processes::spawn(
            "floor",
            self.floor_command(port, test_on_check_out),
            &Self::floor_env(),
            &self.paths.out.join("floor.log"),
        )?;
        processes::wait_until_listening(&mut floor, port, started)?;
        Ok((floor, port))
    }

    /// `bench floor-server` on `port`, configured for this world.
    pub fn floor_command(&self, port: u16, test_on_check_out: bool) -> Command {
        let mut command = Command::new(&self.paths.bench);
        command
            .arg("floor-server")
            .args(["--port", &port.to_string()])
            .args(["--database-url", &self.database.url()])
            .args(["--backbone-url", &self.backbone_url])
            .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
            .args(["--device-username", DEVICE_USERNAME])
            .args(["--device-password", DEVICE_PASSWORD])
            .args(["--device-address", DEVICE_ADDRESS, "--device-id", DEVICE_ID])
            .args(["--file-id", &self.file_id]);
        if test_on_check_out {
            command.arg("--test-on-check-out");
        }
        command
    }

    pub fn floor_env() -> Vec<(String, String)> {
        vec![("RUST_LOG".to_owned(), "warn".to_owned())]
    }
}
