//! `bench`: the rerunnable performance benchmark of issue 6. Starts PostgreSQL (if needed), a
//! fresh database, `backbone-sim`, the release `connector` and the floor service on loopback,
//! drives them with wrk, and prints for every scenario and concurrency the throughput, p50/p99
//! latency, the connector's CPU time per request and peak RSS, next to the floor and the
//! issue's targets. See `docs/benchmarks.md`.
//!
//! `bench floor-server …` is the floor service itself; the bench starts it as a process so it is
//! measured exactly like `connector`.

mod argon;
mod count;
mod database;
mod environment;
#[cfg(test)]
mod fixtures;
mod floor;
mod load;
mod measure;
mod processes;
mod procfs;
mod report;
mod run;
mod scenarios;
mod stats;
mod targets;
mod uploads;
mod wrk;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::environment::{Paths, World};
use crate::report::{Machine, Report};
use crate::run::{Binary, Runner, Settings};
use crate::scenarios::Scenario;

#[derive(Debug, Parser)]
#[command(about = "End-to-end benchmark of the connector against its floor (issue 6).")]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    /// Seconds of warm-up before each measured point.
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// Seconds each measured point lasts.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Measure every point this many times, alternating the servers; each target is judged
    /// on the median of its rounds (one round on this machine can be off by ±15 %).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    rounds: u32,
    /// Concurrencies (connections), comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 16, 64])]
    concurrency: Vec<u32>,
    /// Connections per point of the file scenarios F1–F4 (F5 always runs at 8), comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 4])]
    file_concurrency: Vec<u32>,
    /// Scenarios, comma-separated: s1, s2, s3, s4, s1+info, f1, f2, f3, f4, f5.
    #[arg(long, value_delimiter = ',', default_values_t = Scenario::ALL.map(|s| s.to_string()))]
    scenarios: Vec<String>,
    /// Do not run `cargo build --release -p server -p backbone-sim` first.
    #[arg(long)]
    no_build: bool,
    /// Benchmark this connector binary instead of target/release/connector.
    #[arg(long)]
    connector: Option<PathBuf>,
    /// Also benchmark another connector binary, e.g. a build with a proposed change, in the
    /// same run and at the same points (repeatable): `NAME=PATH`.
    #[arg(long = "candidate", value_name = "NAME=PATH")]
    candidates: Vec<String>,
    /// Extra environment for `connector`, e.g. `database__poolSize=4` (repeatable), to measure
    /// a setting.
    #[arg(long = "connector-env", value_name = "KEY=VALUE")]
    connector_env: Vec<String>,
    /// Let the floor's pool test every connection with `SELECT 1` on checkout (r2d2's default,
    /// which `adapters-diesel`'s pool skips for connections heard from within 500 ms), to price
    /// that test.
    #[arg(long)]
    floor_test_on_check_out: bool,
    /// Record a `perf` profile of the servers during one point, e.g. `s1:16`; the files land
    /// in target/bench/<run>/perf-*.data (read them with `perf report -i`).
    #[arg(long)]
    perf: Option<String>,
    /// Instead of timing under load, count what one request costs with valgrind: instructions
    /// (`callgrind`) or heap allocations (`dhat`), for the floor and every connector binary, in
    /// the scenarios that have a floor (S1, S2). The connector's S1 repeats to ±0.3 %.
    #[arg(long, value_enum)]
    count: Option<count::Tool>,
    /// PostgreSQL server (no database name); a fresh database is created on it.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// The floor service (started by the bench itself).
    #[command(hide = true)]
    FloorServer(floor::FloorArgs),
    /// The file scenarios' load generator (started by the bench itself).
    #[command(hide = true)]
    Load(load::LoadArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Sub::FloorServer(args)) => floor::serve(args),
        Some(Sub::Load(args)) => load::run(args),
        None => bench(cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn bench(cli: Cli) -> Result<()> {
    let scenarios = cli
        .scenarios
        .iter()
        .map(|s| s.parse())
        .collect::<Result<Vec<Scenario>>>()?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../target/bench/{stamp}"));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let paths = Paths::locate(cli.connector, out.clone())?;
    if !cli.no_build {
        environment::build(&paths)?;
    }
    environment::ensure_tools(&paths)?;
    let mut binaries = vec![Binary {
        name: "connector".into(),
        path: paths.connector.clone(),
    }];
    for candidate in &cli.candidates {
        let (name, path) = candidate
            .split_once('=')
            .with_context(|| format!("--candidate {candidate}: expected NAME=PATH"))?;
        binaries.push(Binary {
            name: name.to_owned(),
            path: PathBuf::from(path),
        });
    }
    let settings = Settings {
        binaries,
        warmup: Duration::from_secs(cli.warmup),
        duration: Duration::from_secs(cli.duration),
        concurrencies: cli.concurrency,
        file_concurrencies: cli.file_concurrency,
        rounds: cli.rounds,
        scenarios: scenarios.clone(),
        perf: cli.perf.as_deref().map(parse_point).transpose()?,
    };

    let extra_env = cli
        .connector_env
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .with_context(|| format!("--connector-env {pair}: expected KEY=VALUE"))
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some(tool) = cli.count {
        let world = World::start(paths, &cli.postgres, extra_env, &[])?;
        let counts = count::run(&world, &settings.binaries, &settings.scenarios, tool)?;
        let on = format!("{}, commit {}", machine(), commit(&world.paths.workspace));
        println!("{}", count::markdown(&counts, tool, &now(), &on));
        eprintln!("bench: valgrind outputs in {}", out.display());
        return Ok(());
    }

    eprintln!("bench: measuring the Argon2 floor");
    let argon = argon::measure()?;
    let world = World::start(paths, &cli.postgres, extra_env, &download_sizes(&scenarios))?;
    eprintln!(
        "bench: database {}, simulator {}, File {}; logs in {}",
        world.database.name(),
        world.backbone_url,
        world.file_id,
        out.display()
    );
    let needs_floor = settings.scenarios.iter().any(|s| s.floor_path().is_some());
    let floor = needs_floor
        .then(|| world.start_floor(cli.floor_test_on_check_out))
        .transpose()?;
    let mut runner = Runner {
        world: &world,
        settings: &settings,
        ticks_per_second: procfs::clock_ticks_per_second(),
        points: Vec::new(),
        argon_points: Vec::new(),
        starts: Vec::new(),
    };
    let floor_address = floor.as_ref().map(|(process, port)| (process.pid(), *port));
    for &scenario in &settings.scenarios {
        runner.scenario(scenario, floor_address)?;
    }
    let report = Report {
        date: now(),
        commit: commit(&world.paths.workspace),
        machine: machine(),
        warmup_s: cli.warmup,
        duration_s: cli.duration,
        rounds: cli.rounds,
        argon,
        argon_points: runner.argon_points,
        points: runner.points,
        starts: runner.starts,
    };
    let json = out.join("report.json");
    std::fs::write(&json, serde_json::to_vec_pretty(&report)?)?;
    println!("{}", report.markdown());
    eprintln!("bench: JSON in {}", json.display());
    Ok(())
}

/// The content lengths of the Files the download scenarios among `scenarios` fetch.
fn download_sizes(scenarios: &[Scenario]) -> Vec<usize> {
    let mut sizes: Vec<usize> = scenarios
        .iter()
        .filter_map(|s| s.file_load())
        .filter(|load| load.transfer == scenarios::Transfer::Download)
        .map(|load| load.bytes)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

/// The time a report is dated with.
fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `s1:16` → (S1, 16).
fn parse_point(text: &str) -> Result<(Scenario, u32)> {
    let (scenario, c) = text
        .split_once(':')
        .context("--perf takes SCENARIO:CONCURRENCY, e.g. s1:16")?;
    Ok((scenario.parse()?, c.parse().context("--perf concurrency")?))
}

/// `git describe`-like: the short commit and whether the work tree had changes (read-only).
fn commit(workspace: &Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(workspace)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let head = git(&["rev-parse", "--short", "HEAD"]);
    let dirty = !git(&[
        "--no-optional-locks",
        "status",
        "--porcelain",
        "--untracked-files=no",
    ])
    .is_empty();
    if dirty {
        format!("{head} (+ uncommitted changes)")
    } else {
        head
    }
}

fn machine() -> Machine {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or_else(|| "unknown CPU".into(), |(_, name)| name.trim().to_owned());
    let memory_kib: f64 = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(1, usize::from),
        memory_gib: memory_kib / 1024.0 / 1024.0,
        kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
        sched_autogroup: match read("/proc/sys/kernel/sched_autogroup_enabled").trim() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
    }
}
