//! What a run found, as JSON (for later comparison) and as the Markdown table of
//! `docs/benchmarks.md`; the targets are checked in `targets`.

use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::argon::{ArgonFloor, ArgonTiming};
use crate::scenarios::Scenario;
use crate::stats::Spread;
use crate::wrk::WrkResult;

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
    /// `kernel.sched_autogroup_enabled`: with autogroups, `SCHED_IDLE` (the password hashing
    /// threads) yields only to the connector's own threads, not to PostgreSQL's (S4).
    pub sched_autogroup: Option<bool>,
}

/// `AMD EPYC (2 cores, 23.5 GiB, Linux 6.18, scheduler autogroups on)`.
impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let autogroups = match self.sched_autogroup {
            Some(true) => "on",
            Some(false) => "off",
            None => "unknown",
        };
        write!(
            f,
            "{} ({} cores, {:.1} GiB, Linux {}, scheduler autogroups {autogroups})",
            self.cpu, self.cores, self.memory_gib, self.kernel
        )
    }
}

/// One point: one server, one scenario, one concurrency.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub scenario: Scenario,
    /// `floor`, `connector` or a candidate's name.
    pub server: String,
    pub concurrency: u32,
    /// 1 for the first measurement of this point, 2 for the next, …
    pub round: u32,
    /// All requests of the point (both generators in S4).
    pub total: WrkResult,
    /// S4: the S1 and the S3 generator separately, with their connections.
    pub mixed: Option<Mixed>,
    pub cpu_us_per_request: f64,
    /// The same by kind of thread (actix workers, tokio's runtime and blocking pool, …), for
    /// the threads alive at the end of the point.
    pub cpu_by_thread: Vec<ThreadCpu>,
    pub peak_rss_mib: f64,
    pub host_busy_percent: f64,
}

/// CPU per request of one kind of thread, user and system apart.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadCpu {
    pub kind: String,
    pub user_us_per_request: f64,
    pub system_us_per_request: f64,
}

/// The Argon2 floor timed seconds before the S3 points of one concurrency and round: what
/// they are judged against.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ArgonPoint {
    pub concurrency: u32,
    pub round: u32,
    #[serde(flatten)]
    pub timing: ArgonTiming,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mixed {
    pub plain_connections: u32,
    pub plain: WrkResult,
    pub password_connections: u32,
    pub password: WrkResult,
}

impl Mixed {
    /// Each generator with its label and connections: the plain one first.
    fn generators(&self) -> [(&'static str, u32, &WrkResult); 2] {
        [
            ("S4 plain (S1)", self.plain_connections, &self.plain),
            (
                "S4 password (S3)",
                self.password_connections,
                &self.password,
            ),
        ]
    }
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
    pub rounds: u32,
    pub argon: ArgonFloor,
    pub argon_points: Vec<ArgonPoint>,
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
    /// Every round of one point, in the order they were measured.
    pub(crate) fn rounds_of(
        &self,
        scenario: Scenario,
        server: &str,
        concurrency: u32,
    ) -> impl Iterator<Item = &Point> {
        self.points.iter().filter(move |p| {
            p.scenario == scenario && p.server == server && p.concurrency == concurrency
        })
    }

    /// The points of the run, one per scenario, concurrency and server (each point's first
    /// round), in the order they were first measured.
    fn distinct_points(&self) -> impl Iterator<Item = &Point> {
        self.points.iter().filter(|p| p.round == 1)
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Run {} on {}, commit {}; warm-up {} s, {} s per point, \
             {} rounds (medians; req/s also as min–max); wrk 1 thread (files: `bench load`, 1 thread); connector \
             `RUST_LOG=warn`, JSON logs to a file.\n",
            self.date, self.machine, self.commit, self.warmup_s, self.duration_s, self.rounds
        );
        let a = &self.argon;
        let _ = writeln!(
            out,
            "Argon2 floor at the start of the run: one hash takes {:.1} ms of CPU → {} cores / \
             {:.1} ms = **{:.1} hashes/s** (all cores hashing in parallel really did {:.1}/s; one \
             hash in fresh memory, as `domain::password::hash_password` does it, took {:.1} ms). \
             S3 is judged against the floor timed again seconds before each of its points \
             (rows `Argon2 floor`: hashes/s and the CPU of one hash, then what all cores hashing \
             in parallel really did).\n",
            a.timing.one_hash_ms,
            a.timing.cores,
            a.timing.one_hash_ms,
            a.timing.floor_per_second,
            a.timing.parallel_per_second,
            a.one_fresh_hash_wall_ms
        );
        self.points_table(&mut out);
        self.files_table(&mut out);
        self.threads_table(&mut out);
        self.targets_table(&mut out);
        out
    }

    /// One row per point: the median of its rounds (peak RSS: the highest; errors: the sum).
    fn points_table(&self, out: &mut String) {
        if self
            .distinct_points()
            .all(|p| p.scenario.file_load().is_some())
        {
            return;
        }
        out.push_str(
            "| scenario | c | server | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MiB | host CPU % | errors |\n\
             |---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        let mut argon_rows_written = Vec::new();
        for first in self.distinct_points() {
            if first.scenario.file_load().is_some() {
                continue;
            }
            let c = first.concurrency;
            if first.scenario == Scenario::S3 && !argon_rows_written.contains(&c) {
                argon_rows_written.push(c);
                self.argon_row(c, out);
            }
            let rounds: Vec<&Point> = self
                .rounds_of(first.scenario, &first.server, first.concurrency)
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {:.0} | {:.1} | {:.0} | {} |",
                first.scenario,
                first.concurrency,
                first.server,
                requests_per_second(spread(&rounds, |p| p.total.requests_per_second())),
                ms(median(&rounds, |p| p.total.p50_us)),
                ms(median(&rounds, |p| p.total.p99_us)),
                median(&rounds, |p| p.cpu_us_per_request),
                rounds.iter().map(|p| p.peak_rss_mib).fold(0.0, f64::max),
                median(&rounds, |p| p.host_busy_percent),
                rounds.iter().map(|p| p.total.errors()).sum::<u64>()
            );
            // S4's two generators, each over the rounds; nothing for the other scenarios.
            for generator in 0..2 {
                let results: Vec<(&str, u32, &WrkResult)> = rounds
                    .iter()
                    .filter_map(|p| Some(p.mixed.as_ref()?.generators()[generator]))
                    .collect();
                let Some(&(label, connections, _)) = results.first() else {
                    continue;
                };
                let _ = writeln!(
                    out,
                    "| ↳ {label} | {} | {} | {} | {} | {} | | | | {} |",
                    connections,
                    first.server,
                    requests_per_second(spread(&results, |(_, _, r)| r.requests_per_second())),
                    ms(median(&results, |(_, _, r)| r.p50_us)),
                    ms(median(&results, |(_, _, r)| r.p99_us)),
                    results.iter().map(|(_, _, r)| r.errors()).sum::<u64>()
                );
            }
        }
        out.push('\n');
    }

    /// The file scenarios' points (none, no table): content moved per second, medians of the
    /// rounds as in [`Self::points_table`], CPU per request in milliseconds.
    fn files_table(&self, out: &mut String) {
        let mut files = self
            .distinct_points()
            .filter_map(|p| Some((p, p.scenario.file_load()?)))
            .peekable();
        if files.peek().is_none() {
            return;
        }
        out.push_str(
            "| scenario | c | server | MiB/s | req/s | p50 ms | p99 ms | CPU ms/req | peak RSS MiB | host CPU % | errors |\n\
             |---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for (first, load) in files {
            let rounds: Vec<&Point> = self
                .rounds_of(first.scenario, &first.server, first.concurrency)
                .collect();
            let mib = spread(&rounds, |p| crate::run::mib_per_second(&p.total, load));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {:.1} | {:.1} | {:.0} | {} |",
                first.scenario,
                first.concurrency,
                first.server,
                mib.map_or_else(|| "—".into(), |s| format!("{s:.1}")),
                spread(&rounds, |p| p.total.requests_per_second())
                    .map_or_else(|| "—".into(), |s| format!("{:.1}", s.median)),
                ms(median(&rounds, |p| p.total.p50_us)),
                ms(median(&rounds, |p| p.total.p99_us)),
                median(&rounds, |p| p.cpu_us_per_request) / 1000.0,
                rounds.iter().map(|p| p.peak_rss_mib).fold(0.0, f64::max),
                median(&rounds, |p| p.host_busy_percent),
                rounds.iter().map(|p| p.total.errors()).sum::<u64>()
            );
        }
        out.push('\n');
    }

    /// Where each point's CPU went, by kind of thread: user + system µs per request, medians
    /// of the rounds; kinds under 1 µs left out.
    fn threads_table(&self, out: &mut String) {
        out.push_str(
            "| scenario | c | server | CPU µs/req by thread: user + system |\n\
             |---|---:|---|---|\n",
        );
        for first in self.distinct_points() {
            let rounds: Vec<&Point> = self
                .rounds_of(first.scenario, &first.server, first.concurrency)
                .collect();
            let mut kinds: Vec<&str> = rounds
                .iter()
                .flat_map(|p| p.cpu_by_thread.iter().map(|t| t.kind.as_str()))
                .collect();
            kinds.sort_unstable();
            kinds.dedup();
            let parts: Vec<String> = kinds
                .into_iter()
                .filter_map(|kind| {
                    let of = |value: fn(&ThreadCpu) -> f64| {
                        median(&rounds, |p| {
                            p.cpu_by_thread
                                .iter()
                                .find(|t| t.kind == kind)
                                .map_or(0.0, value)
                        })
                    };
                    let user = of(|t| t.user_us_per_request);
                    let system = of(|t| t.system_us_per_request);
                    (user + system >= 1.0).then(|| format!("{kind} {user:.0} + {system:.0}"))
                })
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                first.scenario,
                first.concurrency,
                first.server,
                parts.join(" · ")
            );
        }
        out.push('\n');
    }

    /// The Argon2 floor's row for S3 at concurrency `c`, over the rounds.
    fn argon_row(&self, c: u32, out: &mut String) {
        let timings: Vec<&ArgonTiming> = self
            .argon_points
            .iter()
            .filter(|a| a.concurrency == c)
            .map(|a| &a.timing)
            .collect();
        if timings.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "| S3 | {c} | Argon2 floor | {} | — | — | {:.0} | | | |\n\
             | ↳ all cores hashing | {c} | Argon2 floor | {} | — | — | | | | |",
            requests_per_second(spread(&timings, |t| t.floor_per_second)),
            median(&timings, |t| t.one_hash_ms * 1000.0),
            requests_per_second(spread(&timings, |t| t.parallel_per_second)),
        );
    }
}

/// The spread of `value` over the rounds in `items` (`None` when there are none).
fn spread<T>(items: &[T], value: impl Fn(&T) -> f64) -> Option<Spread> {
    Spread::of(items.iter().map(value))
}

/// The median of `value` over the rounds in `items`; NaN (printed "—") when there are none.
fn median<T>(items: &[T], value: impl Fn(&T) -> f64) -> f64 {
    spread(items, value).map_or(f64::NAN, |s| s.median)
}

/// `5836` for one round, `5836 (5410–6120)` for several.
fn requests_per_second(spread: Option<Spread>) -> String {
    spread.map_or_else(|| "—".into(), |s| format!("{s:.0}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{point, report};

    #[test]
    fn the_threads_table_shows_each_kinds_median_and_leaves_out_the_idle_ones() {
        let with_threads = |round, actix_user| Point {
            cpu_by_thread: vec![
                ThreadCpu {
                    kind: "actix-server wo".into(),
                    user_us_per_request: actix_user,
                    system_us_per_request: 27.0,
                },
                ThreadCpu {
                    kind: "r2d2-worker".into(),
                    user_us_per_request: 0.2,
                    system_us_per_request: 0.1,
                },
            ],
            ..point("connector", round, 5_000, 10.0)
        };
        let report = report(vec![
            with_threads(1, 120.0),
            with_threads(2, 100.0),
            with_threads(3, 109.0),
        ]);

        let mut table = String::new();
        report.threads_table(&mut table);
        assert!(
            table.contains("| S1 | 16 | connector | actix-server wo 109 + 27 |"),
            "{table}"
        );
    }
}
