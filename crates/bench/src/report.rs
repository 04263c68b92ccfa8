//! What a run found, as JSON (for later comparison) and as the Markdown table of
//! `docs/benchmarks.md`; the targets are checked in `targets`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::argon::ArgonFloor;
use crate::scenarios::Scenario;
use crate::wrk::WrkResult;

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
}

/// One point: one server, one scenario, one concurrency.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub scenario: Scenario,
    /// `floor`, `connector` or a candidate's name.
    pub server: String,
    pub concurrency: u32,
    /// All requests of the point (both generators in S4).
    pub total: WrkResult,
    /// S4: the S1 and the S3 generator separately, with their connections.
    pub mixed: Option<Mixed>,
    pub cpu_us_per_request: f64,
    pub peak_rss_mib: f64,
    pub host_busy_percent: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mixed {
    pub plain_connections: u32,
    pub plain: WrkResult,
    pub password_connections: u32,
    pub password: WrkResult,
}

/// One start of the connector.
#[derive(Debug, Clone, Serialize)]
pub struct Start {
    pub scenario: Scenario,
    pub server: String,
    pub ready_ms: f64,
    /// RSS one second after it listens, before any request.
    pub idle_rss_mib: f64,
    /// RSS two seconds after the scenario's last request.
    pub idle_after_load_rss_mib: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub date: String,
    pub commit: String,
    pub machine: Machine,
    pub warmup_s: u64,
    pub duration_s: u64,
    pub argon: ArgonFloor,
    pub points: Vec<Point>,
    pub starts: Vec<Start>,
}

pub fn kib_to_mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Microseconds as milliseconds with two decimals; "—" for a percentile that was not measured.
fn ms(us: f64) -> String {
    if us.is_nan() {
        "—".into()
    } else {
        format!("{:.2}", us / 1000.0)
    }
}

impl Report {
    pub(crate) fn point(
        &self,
        scenario: Scenario,
        server: &str,
        concurrency: u32,
    ) -> Option<&Point> {
        self.points
            .iter()
            .find(|p| p.scenario == scenario && p.server == server && p.concurrency == concurrency)
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let m = &self.machine;
        let _ = writeln!(
            out,
            "Run {} on {} ({} cores, {:.1} GiB, Linux {}), commit {}; warm-up {} s, {} s per point; \
             wrk 1 thread; connector `RUST_LOG=warn`, JSON logs to a file.\n",
            self.date,
            m.cpu,
            m.cores,
            m.memory_gib,
            m.kernel,
            self.commit,
            self.warmup_s,
            self.duration_s
        );
        let a = &self.argon;
        let _ = writeln!(
            out,
            "Argon2 floor: one hash takes {:.1} ms of CPU → {} cores / {:.1} ms = **{:.1} hashes/s** \
             (all cores hashing in parallel really did {:.1}/s; one hash in fresh memory, as \
             `domain::password::hash_password` does it, took {:.1} ms).\n",
            a.one_hash_ms,
            a.cores,
            a.one_hash_ms,
            a.floor_per_second,
            a.parallel_per_second,
            a.one_fresh_hash_wall_ms
        );
        self.points_table(&mut out);
        self.targets_table(&mut out);
        out
    }

    fn points_table(&self, out: &mut String) {
        out.push_str(
            "| scenario | c | server | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MiB | host CPU % | errors |\n\
             |---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for p in &self.points {
            let t = &p.total;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.0} | {} | {} | {:.0} | {:.1} | {:.0} | {} |",
                p.scenario,
                p.concurrency,
                p.server,
                t.requests_per_second(),
                ms(t.p50_us),
                ms(t.p99_us),
                p.cpu_us_per_request,
                p.peak_rss_mib,
                p.host_busy_percent,
                t.errors()
            );
            if let Some(mixed) = &p.mixed {
                for (label, c, r) in [
                    ("S4 plain (S1)", mixed.plain_connections, &mixed.plain),
                    (
                        "S4 password (S3)",
                        mixed.password_connections,
                        &mixed.password,
                    ),
                ] {
                    let _ = writeln!(
                        out,
                        "| ↳ {label} | {c} | {} | {:.0} | {} | {} | | | | {} |",
                        p.server,
                        r.requests_per_second(),
                        ms(r.p50_us),
                        ms(r.p99_us),
                        r.errors()
                    );
                }
            }
        }
        out.push('\n');
    }
}
