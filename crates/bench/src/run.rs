//! One bench run. For each scenario: a fresh process of every connector binary under test
//! (start-up time and idle memory measured), then, round after round, for each concurrency
//! every server in turn — the floor first, then the connectors — so all of them see the same
//! machine within seconds of each other, and each round is one more side-by-side sample. S3
//! has no floor server: its floor, the Argon2 throughput, is timed in the bench process
//! instead, in the same place.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::argon;
use crate::environment::{API_KEY, World};
use crate::load;
use crate::measure::{self, Measured};
use crate::procfs;
use crate::report::{ArgonPoint, Mixed, Point, Start, ThreadCpu, kib_to_mib};
use crate::scenarios::{FileLoad, Scenario, Transfer, mixed_split};
use crate::uploads;
use crate::wrk::{self, RequestKind, WrkResult};

/// How long the idle memory is left to settle before it is read.
const IDLE_SETTLE: Duration = Duration::from_secs(1);
const AFTER_LOAD_SETTLE: Duration = Duration::from_secs(2);
/// A server that used no CPU for this long has finished the previous point's requests.
const QUIET: Duration = Duration::from_millis(300);
/// Longer than 64 queued password requests take; after it the bench goes on regardless.
const QUIET_TIMEOUT: Duration = Duration::from_secs(30);
/// The connector's Files routes: the File id and `/Token` or `/Download` follow; `/Own` uploads.
const CONNECTOR_ROUTE: &str = "/api/v2/Files";

/// A connector binary under test: `connector` (target/release) and any `--candidate`.
#[derive(Debug, Clone)]
pub struct Binary {
    pub name: String,
    pub path: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub warmup: Duration,
    pub duration: Duration,
    pub concurrencies: Vec<u32>,
    /// The concurrencies of the file scenarios F1–F4 (F5 has its own).
    pub file_concurrencies: Vec<u32>,
    pub scenarios: Vec<Scenario>,
    pub binaries: Vec<Binary>,
    /// How many times every point is measured; the targets are judged on the median.
    pub rounds: u32,
    /// Record `perf` (cpu-clock, DWARF call graphs) of the servers during this point (in the
    /// first round).
    pub perf: Option<(Scenario, u32)>,
}

/// Which point is being measured.
#[derive(Debug, Clone, Copy)]
struct At {
    scenario: Scenario,
    c: u32,
    round: u32,
}

/// A server under load: its pid, and the floor's route if it is the floor.
struct Target {
    name: String,
    pid: u32,
    base_url: String,
    floor_route: Option<&'static str>,
}

pub struct Runner<'a> {
    pub world: &'a World,
    pub settings: &'a Settings,
    pub ticks_per_second: u64,
    pub points: Vec<Point>,
    pub argon_points: Vec<ArgonPoint>,
    pub starts: Vec<Start>,
}

impl Runner<'_> {
    pub fn scenario(&mut self, scenario: Scenario, floor: Option<(u32, u16)>) -> Result<()> {
        let mut targets = Vec::new();
        if let (Some(route), Some((pid, port))) = (scenario.floor_path(), floor) {
            targets.push(Target {
                name: "floor".into(),
                pid,
                base_url: format!("http://127.0.0.1:{port}"),
                floor_route: Some(route),
            });
        }
        let mut running = Vec::new();
        // Logging is priced on the main binary only.
        let binaries = if scenario == Scenario::S1Info {
            &self.settings.binaries[..1]
        } else {
            &self.settings.binaries[..]
        };
        for binary in binaries {
            let log = self
                .world
                .paths
                .out
                .join(format!("{}-{scenario}.log", binary.name));
            let (process, port, ready) = self
                .world
                .start_connector(&binary.path, scenario.log_level(), &log)
                .with_context(|| format!("starting {} for {scenario}", binary.name))?;
            std::thread::sleep(IDLE_SETTLE);
            let idle = procfs::memory(process.pid())?;
            eprintln!(
                "bench: {scenario}: {} ready in {:.0} ms, idle RSS {:.1} MiB",
                binary.name,
                ready.as_secs_f64() * 1000.0,
                kib_to_mib(idle.rss_kib)
            );
            targets.push(Target {
                name: binary.name.clone(),
                pid: process.pid(),
                base_url: format!("http://127.0.0.1:{port}"),
                floor_route: None,
            });
            running.push((binary.name.clone(), process, ready, idle));
        }
        let concurrencies = scenario.concurrencies(
            &self.settings.concurrencies,
            &self.settings.file_concurrencies,
        );
        // Whoever is measured, a connector removes an upload point's Files.
        let remover = targets
            .iter()
            .find(|t| t.floor_route.is_none())
            .map(|t| t.base_url.clone());
        for round in 1..=self.settings.rounds {
            for &c in concurrencies {
                let at = At { scenario, c, round };
                if scenario == Scenario::S3 {
                    self.argon_point(&targets, at)?;
                }
                for target in &targets {
                    if let Some(load) = scenario.file_load() {
                        self.file_point(target, at, load)?;
                        if load.transfer == Transfer::Upload {
                            self.remove_uploads(remover.as_deref())?;
                        }
                    } else if scenario == Scenario::S4 {
                        self.mixed_point(target, at)?;
                    } else {
                        self.point(target, at)?;
                    }
                }
                for (_, process, _, _) in &mut running {
                    process.check_alive()?;
                }
            }
        }
        std::thread::sleep(AFTER_LOAD_SETTLE);
        for (server, process, ready, idle) in running {
            let after = procfs::memory(process.pid())?;
            process.stop();
            self.starts.push(Start {
                scenario,
                server,
                ready_ms: ready.as_secs_f64() * 1000.0,
                idle_rss_mib: kib_to_mib(idle.rss_kib),
                idle_after_load_rss_mib: kib_to_mib(after.rss_kib),
            });
        }
        Ok(())
    }

    /// Times the Argon2 floor for the S3 points at `at`, once the servers have finished the
    /// previous point's hashes (which would share the cores with it).
    fn argon_point(&mut self, targets: &[Target], at: At) -> Result<()> {
        for target in targets {
            self.wait_until_quiet(target)?;
        }
        let timing = argon::time_floor()?;
        eprintln!(
            "bench: {} c={} round {} Argon2 floor: one hash {:.1} ms of CPU → {:.1} hashes/s \
             (all cores in parallel: {:.1}/s)",
            at.scenario,
            at.c,
            at.round,
            timing.one_hash_ms,
            timing.floor_per_second,
            timing.parallel_per_second
        );
        self.argon_points.push(ArgonPoint {
            concurrency: at.c,
            round: at.round,
            timing,
        });
        Ok(())
    }

    fn wait_until_quiet(&self, target: &Target) -> Result<()> {
        let started = Instant::now();
        let mut before = procfs::cpu_time(target.pid, self.ticks_per_second)?;
        while started.elapsed() < QUIET_TIMEOUT {
            std::thread::sleep(QUIET);
            let now = procfs::cpu_time(target.pid, self.ticks_per_second)?;
            if now == before {
                return Ok(());
            }
            before = now;
        }
        eprintln!(
            "bench: {} still busy after {QUIET_TIMEOUT:?}; timing the Argon2 floor anyway",
            target.name
        );
        Ok(())
    }

    fn kind(&self, target: &Target, scenario: Scenario) -> RequestKind {
        request_kind(scenario, target.floor_route, &self.world.file_id)
    }

    fn profile(&self, target: &Target, at: At) -> Option<PathBuf> {
        let At { scenario, c, round } = at;
        (round == 1 && self.settings.perf == Some((scenario, c))).then(|| {
            let name = format!("perf-{scenario}-{c}-{}.data", target.name);
            self.world.paths.out.join(name)
        })
    }

    fn point(&mut self, target: &Target, at: At) -> Result<()> {
        let At { scenario, c, .. } = at;
        let kind = self.kind(target, scenario);
        measure::send(&target.base_url, &kind, 1)
            .with_context(|| format!("{} does not answer {scenario} with 201", target.name))?;
        let out = &self.world.paths.out;
        let script = wrk::write_script(out, &format!("{scenario}-{}", target.name), &kind)?;
        let url = &target.base_url;
        let load = |duration| Ok(vec![wrk::spawn(url, &script, c, duration)?]);
        let measured = measure::point(
            target.pid,
            self.ticks_per_second,
            &load,
            self.settings.warmup,
            self.settings.duration,
            self.profile(target, at).as_deref(),
        )?;
        let total = *measured.results.first().context("no wrk result")?;
        self.push(&target.name, at, total, None, &measured);
        Ok(())
    }

    /// A file scenario's point, driven by `bench load`.
    fn file_point(&mut self, target: &Target, at: At, load: FileLoad) -> Result<()> {
        let base = &target.base_url;
        let url = match (load.transfer, target.floor_route) {
            (Transfer::Upload, Some(route)) => format!("{base}{route}"),
            (Transfer::Upload, None) => format!("{base}{CONNECTOR_ROUTE}/Own"),
            (Transfer::Download, Some(route)) => {
                format!("{base}{route}/{}", self.world.download_file(load.bytes)?)
            }
            (Transfer::Download, None) => format!(
                "{base}{CONNECTOR_ROUTE}/{}/Download",
                self.world.download_file(load.bytes)?
            ),
        };
        let bench = &self.world.paths.bench;
        let spawn = |duration| {
            Ok(vec![load::spawn(
                bench, &url, API_KEY, at.c, duration, load,
            )?])
        };
        let measured = measure::point(
            target.pid,
            self.ticks_per_second,
            &spawn,
            self.settings.warmup,
            self.settings.duration,
            self.profile(target, at).as_deref(),
        )
        .with_context(|| format!("{} at {} c={}", target.name, at.scenario, at.c))?;
        let total = *measured.results.first().context("no load result")?;
        self.push(&target.name, at, total, None, &measured);
        Ok(())
    }

    /// Deletes what an upload point stored, through the connector at `via` (see `uploads`).
    fn remove_uploads(&self, via: Option<&str>) -> Result<()> {
        let via = via.context("removing uploads needs a running connector")?;
        let removed =
            uploads::remove_all_but(via, &self.world.database.url(), &self.world.own_files())?;
        eprintln!("bench: removed the {removed} Files the point uploaded");
        Ok(())
    }

    fn mixed_point(&mut self, target: &Target, at: At) -> Result<()> {
        let c = at.c;
        let Some((plain_c, password_c)) = mixed_split(c) else {
            eprintln!("bench: S4 needs at least 2 connections; skipping c={c}");
            return Ok(());
        };
        let out = &self.world.paths.out;
        let plain_kind = self.kind(target, Scenario::S1);
        let password_kind = self.kind(target, Scenario::S3);
        measure::send(&target.base_url, &password_kind, 1)?;
        let plain = wrk::write_script(out, &format!("S4-plain-{}", target.name), &plain_kind)?;
        let password =
            wrk::write_script(out, &format!("S4-password-{}", target.name), &password_kind)?;
        let url = &target.base_url;
        let load = |duration| {
            Ok(vec![
                wrk::spawn(url, &plain, plain_c, duration)?,
                wrk::spawn(url, &password, password_c, duration)?,
            ])
        };
        let measured = measure::point(
            target.pid,
            self.ticks_per_second,
            &load,
            self.settings.warmup,
            self.settings.duration,
            self.profile(target, at).as_deref(),
        )?;
        let [plain_result, password_result] = measured.results[..] else {
            bail!("expected two wrk results");
        };
        let mixed = Mixed {
            plain_connections: plain_c,
            plain: plain_result,
            password_connections: password_c,
            password: password_result,
        };
        let total = measure::combine(&plain_result, &password_result);
        self.push(&target.name, at, total, Some(mixed), &measured);
        Ok(())
    }

    fn push(
        &mut self,
        server: &str,
        at: At,
        total: WrkResult,
        mixed: Option<Mixed>,
        measured: &Measured,
    ) {
        let At {
            scenario,
            c: concurrency,
            round,
        } = at;
        let requests = total.requests.max(1) as f64;
        let cpu_us_per_request = measured.cpu.as_secs_f64() * 1e6 / requests;
        let us_per_request =
            |ticks: u64| ticks as f64 * 1e6 / self.ticks_per_second as f64 / requests;
        let cpu_by_thread = measured
            .ticks_by_thread_kind
            .iter()
            .map(|(kind, &(user, system))| ThreadCpu {
                kind: kind.clone(),
                user_us_per_request: us_per_request(user),
                system_us_per_request: us_per_request(system),
            })
            .collect();
        let mut line = format!(
            "bench: {scenario} c={concurrency} round {round} {server}: {:.0} req/s",
            total.requests_per_second()
        );
        if let Some(load) = scenario.file_load() {
            line += &format!(" = {:.1} MiB/s", mib_per_second(&total, load));
        }
        for (label, r) in mixed
            .iter()
            .flat_map(|m| [("plain ", &m.plain), ("password ", &m.password)])
            .chain(mixed.is_none().then_some(("", &total)))
        {
            line += &format!(
                ", {label}p50 {:.2} ms p99 {:.2} ms",
                r.p50_us / 1000.0,
                r.p99_us / 1000.0
            );
        }
        eprintln!(
            "{line}, {cpu_us_per_request:.0} µs CPU/req, peak {:.1} MiB, host {:.0} %, {} errors",
            kib_to_mib(measured.peak_kib),
            measured.host_busy_percent,
            total.errors()
        );
        self.points.push(Point {
            scenario,
            server: server.to_owned(),
            concurrency,
            round,
            total,
            mixed,
            cpu_us_per_request,
            cpu_by_thread,
            peak_rss_mib: kib_to_mib(measured.peak_kib),
            host_busy_percent: measured.host_busy_percent,
        });
    }
}

/// What `scenario` sends: to `floor_route` on the floor, else to the connector's token route.
pub fn request_kind(scenario: Scenario, floor_route: Option<&str>, file_id: &str) -> RequestKind {
    let path = match floor_route {
        Some(route) => format!("{route}/{file_id}"),
        None => format!("{CONNECTOR_ROUTE}/{file_id}/Token"),
    };
    RequestKind {
        path,
        body: scenario.body().to_owned(),
        api_key: API_KEY.to_owned(),
    }
}

/// The content a file point moved per second.
pub fn mib_per_second(result: &WrkResult, load: FileLoad) -> f64 {
    result.requests_per_second() * load.bytes as f64 / crate::scenarios::MIB as f64
}
