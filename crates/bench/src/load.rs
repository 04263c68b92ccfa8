//! `bench load …`: the load generator of the file scenarios, run as a process of its own like
//! wrk, printing wrk's summary line ([`crate::wrk::summary_line`]) so a point is measured and
//! read the same way whichever generator drives it.
//!
//! Why not wrk: wrk sends one Lua string as every request's body and keeps every answer in
//! its buffer; a 10 MiB multipart body would have to be built and escaped into the script, and
//! a download's size could not be checked. This driver keeps one copy of the content and sends
//! it as a `Bytes` clone (no copy per request), checks every answer's status and a download's
//! length, and otherwise behaves as the wrk runs do: one thread, closed loop, keep-alive
//! connections, latency from sending to the last byte of the answer.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use reqwest::multipart::{Form, Part};
use tokio::task::JoinSet;

use crate::scenarios::{FileLoad, Transfer};
use crate::wrk::{WrkResult, summary_line};

/// Far above any latency expected, as wrk's `--timeout` in the token scenarios.
const TIMEOUT: Duration = Duration::from_secs(60);

/// `bench load`: what the bench passes.
#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// The whole URL each request goes to.
    #[arg(long)]
    pub url: String,
    #[arg(long)]
    pub connections: u32,
    #[arg(long)]
    pub duration_s: u64,
    #[arg(long)]
    pub api_key: String,
    /// Upload this many bytes as the `file` part of a multipart form (`POST`); without it,
    /// `GET` and expect `--expect-bytes` back.
    #[arg(long)]
    pub upload_bytes: Option<usize>,
    /// The length every download must have.
    #[arg(long)]
    pub expect_bytes: Option<usize>,
}

/// Starts `bench load` (the binary at `bench`) against `url` with `connections` connections
/// for `duration`, moving `load`.
pub fn spawn(
    bench: &Path,
    url: &str,
    api_key: &str,
    connections: u32,
    duration: Duration,
    load: FileLoad,
) -> Result<Child> {
    let size = load.bytes.to_string();
    let transfer = match load.transfer {
        Transfer::Upload => "--upload-bytes",
        Transfer::Download => "--expect-bytes",
    };
    Command::new(bench)
        .arg("load")
        .args(["--url", url, "--api-key", api_key])
        .args(["--connections", &connections.to_string()])
        .args(["--duration-s", &duration.as_secs().max(1).to_string()])
        .args([transfer, &size])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting bench load")
}

/// What one request did.
enum Outcome {
    Done(Duration),
    Status(String),
    Connect(String),
    Timeout(String),
    Read(String),
}

/// Runs the load and prints its summary line; fails when not one request succeeded, with the
/// first failure, so a misconfiguration is loud instead of measured.
pub fn run(args: LoadArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(drive(args))?;
    println!("{}", summary_line(&result)?);
    Ok(())
}

async fn drive(args: LoadArgs) -> Result<WrkResult> {
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .pool_max_idle_per_host(args.connections as usize)
        .build()?;
    let content = args
        .upload_bytes
        .map(|len| bytes::Bytes::from(content(len)));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.duration_s.max(1));
    let mut tasks = JoinSet::new();
    for _ in 0..args.connections {
        let (client, args, content) = (client.clone(), args.clone(), content.clone());
        tasks.spawn(async move {
            let mut outcomes = Vec::new();
            while Instant::now() < deadline {
                outcomes.push(request(&client, &args, content.clone()).await);
            }
            outcomes
        });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        outcomes.extend(done.context("a load task panicked")?);
    }
    summarise(&outcomes, started.elapsed())
}

/// Content that does not repeat within a cipher block (its bytes do not matter to the cost).
pub fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

async fn request(
    client: &reqwest::Client,
    args: &LoadArgs,
    content: Option<bytes::Bytes>,
) -> Outcome {
    let sent = Instant::now();
    let builder = match content {
        Some(content) => {
            let len = content.len() as u64;
            let file = Part::stream_with_length(reqwest::Body::from(content), len)
                .file_name("bench.bin")
                .mime_str("application/octet-stream")
                .unwrap_or_else(|_| unreachable!("a valid media type"));
            let form = Form::new().part("file", file).text("title", "Bench upload");
            client.post(&args.url).multipart(form)
        }
        None => client.get(&args.url),
    };
    let mut response = match builder.header("X-API-KEY", &args.api_key).send().await {
        Ok(response) => response,
        Err(error) => return failure(&error),
    };
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        return Outcome::Status(format!("{status}: {body}"));
    }
    let mut received = 0;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => received += chunk.len(),
            Ok(None) => break,
            Err(error) => return failure(&error),
        }
    }
    match args.expect_bytes {
        Some(expected) if expected != received => {
            Outcome::Read(format!("{received} bytes downloaded, {expected} expected"))
        }
        _ => Outcome::Done(sent.elapsed()),
    }
}

fn failure(error: &reqwest::Error) -> Outcome {
    let text = format!("{error:#}");
    if error.is_connect() {
        Outcome::Connect(text)
    } else if error.is_timeout() {
        Outcome::Timeout(text)
    } else {
        Outcome::Read(text)
    }
}

/// The outcomes as wrk summarises its run (percentiles by nearest rank).
fn summarise(outcomes: &[Outcome], elapsed: Duration) -> Result<WrkResult> {
    let mut latencies: Vec<f64> = Vec::new();
    let mut result = WrkResult {
        requests: 0,
        duration_us: elapsed.as_micros() as u64,
        errors_connect: 0,
        errors_read: 0,
        errors_write: 0,
        errors_status: 0,
        errors_timeout: 0,
        p50_us: f64::NAN,
        p90_us: f64::NAN,
        p99_us: f64::NAN,
        max_us: f64::NAN,
        mean_us: f64::NAN,
    };
    let mut first_failure = None;
    for outcome in outcomes {
        let (counter, text) = match outcome {
            Outcome::Done(latency) => {
                latencies.push(latency.as_secs_f64() * 1e6);
                continue;
            }
            Outcome::Status(text) => (&mut result.errors_status, text),
            Outcome::Connect(text) => (&mut result.errors_connect, text),
            Outcome::Timeout(text) => (&mut result.errors_timeout, text),
            Outcome::Read(text) => (&mut result.errors_read, text),
        };
        *counter += 1;
        first_failure.get_or_insert(text);
    }
    if let Some(text) = first_failure {
        eprintln!("bench load: first failure: {text}");
        if latencies.is_empty() {
            bail!("no request succeeded; the first failure: {text}");
        }
    }
    // wrk counts every answered request, errors included; so does this summary.
    result.requests = outcomes.len() as u64;
    latencies.sort_by(f64::total_cmp);
    let rank = |q: f64| latencies[((q * latencies.len() as f64).ceil() as usize).max(1) - 1];
    if !latencies.is_empty() {
        result.p50_us = rank(0.50);
        result.p90_us = rank(0.90);
        result.p99_us = rank(0.99);
        result.max_us = rank(1.0);
        result.mean_us = latencies.iter().sum::<f64>() / latencies.len() as f64;
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_failures_apart_and_ranks_the_latencies() {
        let mut outcomes: Vec<Outcome> = (1..=100)
            .map(|ms| Outcome::Done(Duration::from_millis(ms)))
            .collect();
        outcomes.push(Outcome::Status("500: boom".into()));
        let result = summarise(&outcomes, Duration::from_secs(10)).unwrap();
        assert_eq!(result.requests, 101);
        assert_eq!(result.errors(), 1);
        assert_eq!(result.p50_us, 50_000.0);
        assert_eq!(result.p99_us, 99_000.0);
        assert_eq!(result.max_us, 100_000.0);
    }

    #[test]
    fn a_run_without_one_success_fails_with_the_first_failure() {
        let outcomes = [Outcome::Status("401: wrong key".into())];
        let error = summarise(&outcomes, Duration::from_secs(1)).unwrap_err();
        assert!(error.to_string().contains("401: wrong key"), "{error}");
    }
}
