//! The load generator: wrk (Debian's `wrk`), one thread, closed loop, keep-alive connections. A
//! Lua script sets the request and prints the summary as one JSON line that [`parse_output`]
//! reads.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// Marks the JSON line the Lua `done` callback prints.
const MARKER: &str = "BENCH_JSON ";
/// Far above any latency we expect: a timed-out request would vanish from wrk's latencies.
const TIMEOUT: &str = "60s";

/// One kind of request: path and JSON body, sent with the API key.
#[derive(Debug, Clone)]
pub struct RequestKind {
    pub path: String,
    pub body: String,
    pub api_key: String,
}

/// What one wrk run measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WrkResult {
    pub requests: u64,
    pub duration_us: u64,
    pub errors_connect: u64,
    pub errors_read: u64,
    pub errors_write: u64,
    /// Answers with a status ≥ 400.
    pub errors_status: u64,
    pub errors_timeout: u64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
}

impl WrkResult {
    pub fn requests_per_second(&self) -> f64 {
        if self.duration_us == 0 {
            return 0.0;
        }
        self.requests as f64 * 1e6 / self.duration_us as f64
    }

    pub fn errors(&self) -> u64 {
        self.errors_connect
            + self.errors_read
            + self.errors_write
            + self.errors_status
            + self.errors_timeout
    }
}

/// Writes the Lua script for `kind` into `directory` and returns its path.
pub fn write_script(directory: &Path, name: &str, kind: &RequestKind) -> Result<PathBuf> {
    let path = directory.join(format!("{name}.lua"));
    std::fs::write(&path, lua_script(kind))
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

fn lua_string(text: &str) -> String {
    // Lua long brackets take the text verbatim; our bodies and keys never contain "]==]".
    format!("[==[{text}]==]")
}

pub fn lua_script(kind: &RequestKind) -> String {
    format!(
        r#"wrk.method = "POST"
wrk.path = {path}
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-KEY"] = {key}

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{marker}{{"requests":%d,"duration_us":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"p50_us":%.1f,"p90_us":%.1f,' ..
    '"p99_us":%.1f,"max_us":%.1f,"mean_us":%.1f}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"#,
        path = lua_string(&kind.path),
        body = lua_string(&kind.body),
        key = lua_string(&kind.api_key),
        marker = MARKER,
    )
}

/// Starts wrk against `base_url` with `connections` connections for `duration`.
pub fn spawn(base_url: &str, script: &Path, connections: u32, duration: Duration) -> Result<Child> {
    Command::new("wrk")
        .args(["-t1", &format!("-c{connections}")])
        .arg(format!("-d{}s", duration.as_secs().max(1)))
        .args(["--timeout", TIMEOUT, "-s"])
        .arg(script)
        .arg(base_url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting wrk (Debian: apt-get install wrk)")
}

/// Waits for a wrk started by [`spawn`] (or a `bench load`) and reads its result.
pub fn finish(child: Child) -> Result<WrkResult> {
    let output = child
        .wait_with_output()
        .context("waiting for the load generator")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "the load generator failed ({}): {}{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse_output(&stdout)
}

/// The line [`parse_output`] reads, as `bench load` prints it (wrk's Lua prints the same).
pub fn summary_line(result: &WrkResult) -> Result<String> {
    Ok(format!("{MARKER}{}", serde_json::to_string(result)?))
}

pub fn parse_output(stdout: &str) -> Result<WrkResult> {
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix(MARKER))
        .with_context(|| format!("no summary in wrk's output: {stdout}"))?;
    serde_json::from_str(line).context("reading wrk's summary")
}

/// Whether `wrk` can be run.
pub fn available() -> bool {
    Command::new("wrk")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_line_is_found_among_wrks_own_output() {
        let stdout = "Running 10s test @ http://127.0.0.1:8080\n  1 threads and 16 connections\n\
            BENCH_JSON {\"requests\":25000,\"duration_us\":10000000,\"errors_connect\":0,\
            \"errors_read\":0,\"errors_write\":0,\"errors_status\":2,\"errors_timeout\":1,\
            \"p50_us\":5400.0,\"p90_us\":8000.5,\"p99_us\":12000.0,\"max_us\":30000.0,\
            \"mean_us\":6000.0}\nRequests/sec: 2500.00\n";
        let result = parse_output(stdout).unwrap();
        assert_eq!(result.requests, 25000);
        assert!((result.requests_per_second() - 2500.0).abs() < 1e-9);
        assert_eq!(result.errors(), 3);
        assert!((result.p99_us - 12000.0).abs() < 1e-9);
    }

    #[test]
    fn a_summary_line_reads_back() {
        let result = crate::fixtures::wrk(120, 80.0);
        let line = summary_line(&result).unwrap();
        assert_eq!(parse_output(&format!("{line}\n")).unwrap(), result);
    }

    #[test]
    fn output_without_a_summary_is_an_error() {
        assert!(parse_output("unable to connect to 127.0.0.1:1 Connection refused\n").is_err());
    }

    #[test]
    fn the_script_posts_the_body_with_the_key() {
        let script = lua_script(&RequestKind {
            path: "/api/v2/Files/FILx/Token".into(),
            body: r#"{"ephemeral":true}"#.into(),
            api_key: "k\"ey".into(),
        });
        assert!(script.contains(r#"wrk.body = [==[{"ephemeral":true}]==]"#));
        assert!(script.contains(r#"wrk.headers["X-API-KEY"] = [==[k"ey]==]"#));
        assert!(script.contains("wrk.path = [==[/api/v2/Files/FILx/Token]==]"));
        assert!(script.contains(r#"'BENCH_JSON {"requests":%d"#));
    }
}
