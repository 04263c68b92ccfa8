//! `--count callgrind|dhat`: what one request costs, counted instead of timed. Each server runs
//! under valgrind twice, answering `FEW` and then `MANY` sequential requests on one keep-alive
//! connection; the difference divided by `MANY − FEW` is the cost of one request, with start-up
//! and shutdown cancelled out. Counts of the same binary repeat closely whatever else the
//! machine is doing (the connector's S1 within ±0.3 %), so they compare builds where req/s is
//! too noisy to. The floor's S1 count takes one of two values, ~6 % apart: in some runs its
//! pool opens one more PostgreSQL connection (a TLS handshake) during the counted requests. They do not
//! see what concurrency costs (cache misses, lock waits, scheduling): the wrk points do.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::environment::World;
use crate::run::{self, Binary};
use crate::scenarios::Scenario;
use crate::{measure, processes};

const FEW: u32 = 100;
const MANY: u32 = 600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Tool {
    /// Instructions executed (all threads).
    Callgrind,
    /// Heap blocks allocated.
    Dhat,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Self::Callgrind => "callgrind",
            Self::Dhat => "dhat",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Self::Callgrind => "instructions",
            Self::Dhat => "heap allocations",
        }
    }

    fn valgrind_args(self, out: &Path) -> [String; 2] {
        match self {
            Self::Callgrind => [
                "--tool=callgrind".into(),
                format!("--callgrind-out-file={}", out.display()),
            ],
            Self::Dhat => [
                "--tool=dhat".into(),
                format!("--dhat-out-file={}", out.display()),
            ],
        }
    }

    /// The run's total from valgrind's output file.
    fn total(self, out: &Path) -> Result<u64> {
        let text = std::fs::read_to_string(out)
            .with_context(|| format!("reading valgrind's output {}", out.display()))?;
        self.total_in(&text)
    }

    fn total_in(self, text: &str) -> Result<u64> {
        match self {
            Self::Callgrind => text
                .lines()
                .find_map(|line| line.strip_prefix("totals:"))
                .and_then(|total| total.trim().parse().ok())
                .context("callgrind's output has no `totals:` line"),
            Self::Dhat => {
                #[derive(Deserialize)]
                struct Dhat {
                    pps: Vec<ProgramPoint>,
                }
                #[derive(Deserialize)]
                struct ProgramPoint {
                    tbk: u64,
                }
                let dhat: Dhat = serde_json::from_str(text).context("reading dhat's JSON")?;
                Ok(dhat.pps.iter().map(|pp| pp.tbk).sum())
            }
        }
    }
}

/// A server to count: the floor or a connector binary.
enum Server<'a> {
    Floor,
    Connector(&'a Binary),
}

impl Server<'_> {
    fn name(&self) -> &str {
        match self {
            Self::Floor => "floor",
            Self::Connector(binary) => &binary.name,
        }
    }
}

/// The cost of one request of `scenario` on `server`.
#[derive(Debug)]
pub struct PerRequest {
    pub scenario: Scenario,
    pub server: String,
    pub count: f64,
}

/// Counts every scenario that has a floor, on the floor and on each binary.
pub fn run(
    world: &World,
    binaries: &[Binary],
    scenarios: &[Scenario],
    tool: Tool,
) -> Result<Vec<PerRequest>> {
    ensure_valgrind()?;
    let servers: Vec<Server> = std::iter::once(Server::Floor)
        .chain(binaries.iter().map(Server::Connector))
        .collect();
    let mut counts = Vec::new();
    for &scenario in scenarios {
        // One file request is dominated by hashing and encrypting megabytes, which valgrind
        // slows fifty-fold: the timed points say more.
        let Some(floor_path) = scenario
            .floor_path()
            .filter(|_| scenario.file_load().is_none())
        else {
            eprintln!("bench: {scenario} has no token floor service; not counted");
            continue;
        };
        for server in &servers {
            let few = count_run(world, server, scenario, floor_path, tool, FEW)?;
            let many = count_run(world, server, scenario, floor_path, tool, MANY)?;
            let count = (many as f64 - few as f64) / f64::from(MANY - FEW);
            eprintln!(
                "bench: {scenario} {}: {count:.0} {} per request",
                server.name(),
                tool.unit()
            );
            counts.push(PerRequest {
                scenario,
                server: server.name().to_owned(),
                count,
            });
        }
    }
    Ok(counts)
}

/// One valgrind run of `server` answering `requests` requests; valgrind's total.
fn count_run(
    world: &World,
    server: &Server,
    scenario: Scenario,
    floor_path: &str,
    tool: Tool,
    requests: u32,
) -> Result<u64> {
    let port = processes::free_port()?;
    let stem = format!(
        "count-{}-{scenario}-{}-{requests}",
        tool.name(),
        server.name()
    );
    let out = world.paths.out.join(format!("{stem}.out"));
    let (command, env, floor_route) = match server {
        Server::Floor => (
            world.floor_command(port, false),
            World::floor_env(),
            Some(floor_path),
        ),
        Server::Connector(binary) => (
            Command::new(&binary.path),
            world.connector_env(port, scenario.log_level()),
            None,
        ),
    };
    let kind = run::request_kind(scenario, floor_route, &world.file_id);
    let mut valgrind = Command::new("valgrind");
    valgrind
        .args(tool.valgrind_args(&out))
        .arg(command.get_program())
        .args(command.get_args());
    let log = world.paths.out.join(format!("{stem}.log"));
    let mut process = processes::spawn(server.name(), valgrind, &env, &log)?;
    processes::wait_until_listening(&mut process, port, Instant::now())?;
    measure::send(&format!("http://127.0.0.1:{port}"), &kind, requests)
        .with_context(|| format!("{scenario} on {} under valgrind", server.name()))?;
    process.stop();
    tool.total(&out)
}

fn ensure_valgrind() -> Result<()> {
    let found = Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        bail!("--count needs valgrind: apt-get install valgrind");
    }
    Ok(())
}

/// The table of `counts`, each with its ratio to the floor of its scenario.
pub fn markdown(counts: &[PerRequest], tool: Tool, date: &str, machine: &str) -> String {
    let mut text = format!(
        "Counted {date} on {machine} with `valgrind --tool={}`: (total after {MANY} requests − \
         total after {FEW}) ÷ {}, sequential on one connection.\n\n\
         | scenario | server | {} per request | ÷ floor |\n|---|---|---:|---:|\n",
        tool.name(),
        MANY - FEW,
        tool.unit()
    );
    for count in counts {
        let ratio = counts
            .iter()
            .find(|c| c.scenario == count.scenario && c.server == "floor")
            .map_or_else(
                || "—".to_owned(),
                |floor| format!("{:.3}", count.count / floor.count),
            );
        text.push_str(&format!(
            "| {} | {} | {:.0} | {ratio} |\n",
            count.scenario, count.server, count.count
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callgrind_total_is_its_totals_line() {
        let text = "version: 1\nevents: Ir\nsummary: 41\nfn=(1) main\n0 41\ntotals: 12345\n";
        assert_eq!(Tool::Callgrind.total_in(text).unwrap(), 12345);
        assert!(Tool::Callgrind.total_in("events: Ir\n").is_err());
    }

    #[test]
    fn dhat_total_is_the_blocks_of_every_program_point() {
        let text =
            r#"{"dhatFileVersion":2,"pps":[{"tb":96,"tbk":3,"fs":[1]},{"tb":8,"tbk":4,"fs":[2]}]}"#;
        assert_eq!(Tool::Dhat.total_in(text).unwrap(), 7);
    }

    #[test]
    fn each_count_is_divided_by_the_floor_of_its_own_scenario() {
        let count = |scenario, server: &str, count| PerRequest {
            scenario,
            server: server.to_owned(),
            count,
        };
        let counts = [
            count(Scenario::S1, "floor", 200.0),
            count(Scenario::S1, "connector", 300.0),
            count(Scenario::S2, "floor", 400.0),
            count(Scenario::S2, "connector", 500.0),
        ];
        let table = markdown(&counts, Tool::Callgrind, "today", "here");
        assert!(
            table.contains("| S1 | connector | 300 | 1.500 |"),
            "{table}"
        );
        assert!(
            table.contains("| S2 | connector | 500 | 1.250 |"),
            "{table}"
        );
        assert!(table.contains("| S2 | floor | 400 | 1.000 |"), "{table}");
    }
}
