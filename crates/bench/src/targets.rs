//! The targets of issue 6, checked for every connector binary of a run.

use std::fmt::Write as _;

use crate::report::Report;
use crate::scenarios::Scenario;

pub const FLOOR_RPS: f64 = 0.8;
pub const FLOOR_P99: f64 = 1.5;
pub const ARGON: f64 = 0.9;
pub const MIXED_P99: f64 = 2.0;
pub const PEAK_RSS_MIB: f64 = 64.0;
pub const IDLE_RSS_MIB: f64 = 20.0;
pub const READY_MS: f64 = 500.0;

/// One checked target.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub server: String,
    pub target: &'static str,
    pub point: String,
    pub measured: String,
    pub goal: String,
    pub met: bool,
}

impl Report {
    /// The connector binaries of the run, in the order they were measured.
    fn servers(&self) -> Vec<&str> {
        let mut servers: Vec<&str> = Vec::new();
        for p in &self.points {
            if p.server != "floor" && !servers.contains(&p.server.as_str()) {
                servers.push(&p.server);
            }
        }
        servers
    }

    pub fn checks(&self) -> Vec<Check> {
        let mut checks = Vec::new();
        for server in self.servers() {
            let mut check = |target, point: String, measured: String, goal: String, met| {
                checks.push(Check {
                    server: server.to_owned(),
                    target,
                    point,
                    measured,
                    goal,
                    met,
                });
            };
            for scenario in [Scenario::S1, Scenario::S2] {
                for c in [16, 64] {
                    let (Some(conn), Some(floor)) = (
                        self.point(scenario, server, c),
                        self.point(scenario, "floor", c),
                    ) else {
                        continue;
                    };
                    let rps = conn.total.requests_per_second() / floor.total.requests_per_second();
                    let p99 = conn.total.p99_us / floor.total.p99_us;
                    let point = format!("{scenario} c={c}");
                    check(
                        "req/s ÷ floor",
                        point.clone(),
                        format!("{rps:.2}"),
                        format!("≥ {FLOOR_RPS}"),
                        rps >= FLOOR_RPS,
                    );
                    check(
                        "p99 ÷ floor",
                        point,
                        format!("{p99:.2}"),
                        format!("≤ {FLOOR_P99}"),
                        p99 <= FLOOR_P99,
                    );
                }
            }
            for c in [16, 64] {
                if let Some(p) = self.point(Scenario::S3, server, c) {
                    let ratio = p.total.requests_per_second() / self.argon.floor_per_second;
                    check(
                        "req/s ÷ Argon2 floor",
                        format!("S3 c={c}"),
                        format!("{ratio:.2}"),
                        format!("≥ {ARGON}"),
                        ratio >= ARGON,
                    );
                }
                if let (Some(p), Some(s1)) = (
                    self.point(Scenario::S4, server, c),
                    self.point(Scenario::S1, server, c),
                ) && let Some(mixed) = &p.mixed
                {
                    let ratio = mixed.plain.p99_us / s1.total.p99_us;
                    check(
                        "plain p99 ÷ S1 p99",
                        format!("S4 c={c}"),
                        format!("{ratio:.2}"),
                        format!("≤ {MIXED_P99}"),
                        ratio <= MIXED_P99,
                    );
                }
            }
            if let Some(p) = self.point(Scenario::S1, server, 64) {
                check(
                    "peak RSS",
                    "S1 c=64".into(),
                    format!("{:.1} MiB", p.peak_rss_mib),
                    format!("≤ {PEAK_RSS_MIB} MiB"),
                    p.peak_rss_mib <= PEAK_RSS_MIB,
                );
            }
            let starts: Vec<_> = self.starts.iter().filter(|s| s.server == server).collect();
            if starts.is_empty() {
                continue;
            }
            let idle = starts.iter().map(|s| s.idle_rss_mib).fold(0.0, f64::max);
            let after = starts
                .iter()
                .map(|s| format!("{} {:.0}", s.scenario, s.idle_after_load_rss_mib))
                .collect::<Vec<_>>()
                .join(", ");
            check(
                "idle RSS (max of starts)",
                format!("{} starts", starts.len()),
                format!("{idle:.1} MiB (after load, MiB: {after})"),
                format!("≤ {IDLE_RSS_MIB} MiB"),
                idle <= IDLE_RSS_MIB,
            );
            let ready = starts.iter().map(|s| s.ready_ms).fold(0.0, f64::max);
            check(
                "start to ready (max of starts)",
                format!("{} starts", starts.len()),
                format!("{ready:.0} ms"),
                format!("≤ {READY_MS} ms"),
                ready <= READY_MS,
            );
        }
        checks
    }

    pub(crate) fn targets_table(&self, out: &mut String) {
        out.push_str(
            "| server | target | point | measured | goal | verdict |\n\
             |---|---|---|---:|---:|---|\n",
        );
        for c in self.checks() {
            let verdict = if c.met { "met" } else { "**missed**" };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {verdict} |",
                c.server, c.target, c.point, c.measured, c.goal
            );
        }
        out.push('\n');
    }
}
