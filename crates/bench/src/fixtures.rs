//! Reports and points for the tests of the report's tables and of the targets.

use crate::argon::{ArgonFloor, ArgonTiming};
use crate::report::{Machine, Point, Report};
use crate::scenarios::Scenario;
use crate::wrk::WrkResult;

pub fn wrk(requests: u64, p99_ms: f64) -> WrkResult {
    WrkResult {
        requests,
        duration_us: 10_000_000,
        errors_connect: 0,
        errors_read: 0,
        errors_write: 0,
        errors_status: 0,
        errors_timeout: 0,
        p50_us: 1000.0,
        p90_us: 1000.0,
        p99_us: p99_ms * 1000.0,
        max_us: p99_ms * 1000.0,
        mean_us: 1000.0,
    }
}

pub fn point(server: &str, round: u32, requests: u64, p99_ms: f64) -> Point {
    Point {
        scenario: Scenario::S1,
        server: server.into(),
        concurrency: 16,
        round,
        total: wrk(requests, p99_ms),
        mixed: None,
        cpu_us_per_request: 100.0,
        cpu_by_thread: Vec::new(),
        peak_rss_mib: 20.0,
        host_busy_percent: 95.0,
    }
}

pub fn argon_timing(floor_per_second: f64) -> ArgonTiming {
    ArgonTiming {
        cores: 2,
        one_hash_ms: 2000.0 / floor_per_second,
        floor_per_second,
        parallel_per_second: floor_per_second,
    }
}

pub fn report(points: Vec<Point>) -> Report {
    Report {
        date: String::new(),
        commit: String::new(),
        machine: Machine {
            cpu: String::new(),
            cores: 2,
            memory_gib: 1.0,
            kernel: String::new(),
            sched_autogroup: None,
        },
        warmup_s: 3,
        duration_s: 10,
        rounds: 3,
        argon: ArgonFloor {
            timing: argon_timing(80.0),
            one_fresh_hash_wall_ms: 40.0,
        },
        argon_points: Vec::new(),
        points,
        starts: Vec::new(),
    }
}
