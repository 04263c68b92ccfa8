//! Measuring one point: warm-up, the measured wrk run(s), and around them the server's CPU
//! time, its peak RSS (reset before the warm-up) and how busy the whole machine was; optionally a
//! `perf` profile of the server.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::procfs::{self, HostCpu};
use crate::wrk::{self, RequestKind, WrkResult};

/// What one point measured.
#[derive(Debug)]
pub struct Measured {
    pub results: Vec<WrkResult>,
    pub cpu: Duration,
    /// User and system ticks by thread kind ([`procfs::ticks_by_thread_kind`]) over the run.
    pub ticks_by_thread_kind: BTreeMap<String, (u64, u64)>,
    pub peak_kib: u64,
    pub host_busy_percent: f64,
}

/// The generators of a point: started for the warm-up and again for the measured run.
pub trait Load {
    fn start(&self, duration: Duration) -> Result<Vec<Child>>;
}

impl<F: Fn(Duration) -> Result<Vec<Child>>> Load for F {
    fn start(&self, duration: Duration) -> Result<Vec<Child>> {
        self(duration)
    }
}

/// Runs `load` for `warmup`, then for `duration` while measuring `pid`.
pub fn point(
    pid: u32,
    ticks_per_second: u64,
    load: &dyn Load,
    warmup: Duration,
    duration: Duration,
    profile: Option<&Path>,
) -> Result<Measured> {
    let peak_reset = procfs::reset_peak(pid);
    for child in load.start(warmup)? {
        wrk::finish(child)?;
    }
    let cpu_before = procfs::cpu_time(pid, ticks_per_second)?;
    let threads_before = procfs::ticks_by_thread_kind(pid)?;
    let host_before = HostCpu::now()?;
    let perf = profile
        .map(|file| perf_record(pid, file, duration))
        .transpose()?;
    let results = load
        .start(duration)?
        .into_iter()
        .map(wrk::finish)
        .collect::<Result<Vec<_>>>()?;
    let cpu_after = procfs::cpu_time(pid, ticks_per_second)?;
    let threads_after = procfs::ticks_by_thread_kind(pid)?;
    let host_after = HostCpu::now()?;
    let memory = procfs::memory(pid)?;
    if let Some(perf) = perf {
        let status = perf.wait_with_output()?.status;
        eprintln!("bench: perf record of {pid} finished ({status})");
    }
    if !peak_reset {
        eprintln!("bench: could not reset the peak RSS of {pid}; it covers the process's life");
    }
    let ticks_by_thread_kind = threads_after
        .into_iter()
        .map(|(kind, (user, system))| {
            let (user_before, system_before) =
                threads_before.get(&kind).copied().unwrap_or_default();
            let used = (
                user.saturating_sub(user_before),
                system.saturating_sub(system_before),
            );
            (kind, used)
        })
        .collect();
    Ok(Measured {
        results,
        cpu: cpu_after.saturating_sub(cpu_before),
        ticks_by_thread_kind,
        peak_kib: memory.peak_kib,
        host_busy_percent: host_before.busy_percent_until(host_after),
    })
}

/// `perf record` of `pid` for `duration`: the cpu-clock event (this VM has no hardware
/// counters) and call graphs unwound from `.eh_frame`, since release builds keep no frame
/// pointers.
fn perf_record(pid: u32, file: &Path, duration: Duration) -> Result<Child> {
    Command::new("perf")
        .args([
            "record",
            "-e",
            "cpu-clock",
            "-F",
            "499",
            "--call-graph",
            "dwarf,16384",
        ])
        .arg("-p")
        .arg(pid.to_string())
        .arg("-o")
        .arg(file)
        .args(["--", "sleep"])
        .arg(duration.as_secs().to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting perf (Debian: apt-get install linux-perf)")
}

/// Two concurrent generators as one: requests and errors add up, the mean is weighted by
/// requests; percentiles cannot be merged from wrk's summaries and are left out (NaN, `null`
/// in JSON): each generator's own are kept beside it.
pub fn combine(a: &WrkResult, b: &WrkResult) -> WrkResult {
    let n = (a.requests + b.requests).max(1) as f64;
    let weighted = |x: f64, y: f64| (x * a.requests as f64 + y * b.requests as f64) / n;
    WrkResult {
        requests: a.requests + b.requests,
        duration_us: a.duration_us.max(b.duration_us),
        errors_connect: a.errors_connect + b.errors_connect,
        errors_read: a.errors_read + b.errors_read,
        errors_write: a.errors_write + b.errors_write,
        errors_status: a.errors_status + b.errors_status,
        errors_timeout: a.errors_timeout + b.errors_timeout,
        p50_us: f64::NAN,
        p90_us: f64::NAN,
        p99_us: f64::NAN,
        max_us: a.max_us.max(b.max_us),
        mean_us: weighted(a.mean_us, b.mean_us),
    }
}

/// `requests` requests one after the other on one keep-alive connection, each of which must
/// answer 201, so a misconfiguration fails loudly instead of measuring error answers.
pub fn send(base_url: &str, kind: &RequestKind, requests: u32) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let url = format!("{base_url}{}", kind.path);
        for _ in 0..requests {
            let response = client
                .post(&url)
                .header("X-API-KEY", &kind.api_key)
                .header("Content-Type", "application/json")
                .body(kind.body.clone())
                .send()
                .await?;
            let status = response.status();
            let body = response.text().await?;
            if status != reqwest::StatusCode::CREATED {
                bail!("{status}: {body}");
            }
        }
        Ok(())
    })
}
