//! The S3 floor: how many token password hashes (Argon2id with the parameters of
//! `domain::password`) this machine can compute per second, measured in the same run: once at
//! its start (with what all cores really do in parallel, and a hash in fresh memory, for
//! comparison), and again seconds before every S3 point, which is what that point is judged
//! against. A VM's speed drifts within minutes (docs/benchmarks.md), so a floor timed minutes
//! before a point says little of it.
//!
//! One hash is timed as the CPU time of the hashing thread (`/proc/thread-self/schedstat`), so
//! time the thread spends preempted by other processes does not count, and in one reused
//! 20 MiB buffer, so page faults and zeroing (avoidable costs) do not count either: the floor is
//! the hash function itself.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use serde::Serialize;

/// Hashes timed one after the other.
const TIMED_HASHES: u32 = 20;
/// How long all cores hash in parallel for the measured (not computed) throughput.
const PARALLEL_DURATION: Duration = Duration::from_secs(3);
/// `domain::password`'s parameters: Argon2id v1.3, 20 MiB, 3 passes, 1 lane, 32 bytes. The
/// result is checked against `domain::password::hash_password`, so a drift fails the bench.
const MEMORY_KIB: u32 = 20_480;
const ITERATIONS: u32 = 3;
const LANES: u32 = 1;
const OUTPUT_LEN: usize = domain::password::PASSWORD_HASH_LEN;

/// The floor as timed at one moment: cores ÷ the CPU time of one hash.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ArgonTiming {
    pub cores: usize,
    /// CPU time of one hash (mean of [`TIMED_HASHES`]), reused memory.
    pub one_hash_ms: f64,
    pub floor_per_second: f64,
    /// What `cores` threads hashing in parallel (reused memory) really achieved right after,
    /// while the rest of the machine was idle: the floor assumes the cores do not slow each
    /// other down, and on a VM sharing memory bandwidth and cache they do.
    pub parallel_per_second: f64,
}

/// The floor at the start of the run.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ArgonFloor {
    #[serde(flatten)]
    pub timing: ArgonTiming,
    /// Wall time of one hash as `domain::password::hash_password` does it (fresh memory), for
    /// comparison.
    pub one_fresh_hash_wall_ms: f64,
}

struct Hasher {
    argon: Argon2<'static>,
    memory: Vec<Block>,
}

impl Hasher {
    fn new() -> Result<Self> {
        let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, Some(OUTPUT_LEN))
            .map_err(|e| anyhow::anyhow!("Argon2 parameters: {e}"))?;
        let memory = vec![Block::default(); params.block_count()];
        Ok(Self {
            argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            memory,
        })
    }

    fn hash(&mut self, password: &str, salt: &[u8; 16]) -> Result<[u8; OUTPUT_LEN]> {
        let mut out = [0; OUTPUT_LEN];
        self.argon
            .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut self.memory)
            .map_err(|e| anyhow::anyhow!("Argon2: {e}"))?;
        Ok(out)
    }
}

/// CPU time this thread has run, from the first field of `/proc/thread-self/schedstat` (ns).
fn thread_cpu() -> Result<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat")
        .context("reading /proc/thread-self/schedstat")?;
    let nanos: u64 = text
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .context("unexpected /proc/thread-self/schedstat")?;
    Ok(Duration::from_nanos(nanos))
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The floor now: [`TIMED_HASHES`] hashes timed on this thread (about a second), then all
/// cores hashing for [`PARALLEL_DURATION`].
pub fn time_floor() -> Result<ArgonTiming> {
    let password = crate::scenarios::PASSWORD;
    let mut hasher = Hasher::new()?;
    // Faults the memory in, as the connector's kept buffers are.
    hasher.hash(password, &[0; 16])?;
    let cpu_before = thread_cpu()?;
    for i in 0..TIMED_HASHES {
        std::hint::black_box(hasher.hash(password, &[i as u8; 16])?);
    }
    let one_hash = (thread_cpu()? - cpu_before) / TIMED_HASHES;
    let cores = cores();
    Ok(ArgonTiming {
        cores,
        one_hash_ms: one_hash.as_secs_f64() * 1000.0,
        floor_per_second: cores as f64 / one_hash.as_secs_f64(),
        parallel_per_second: parallel_per_second(cores)?,
    })
}

fn parallel_per_second(cores: usize) -> Result<f64> {
    let started = Instant::now();
    let hashes: u32 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| -> Result<u32> {
                    let mut hasher = Hasher::new()?;
                    let mut count = 0;
                    while started.elapsed() < PARALLEL_DURATION {
                        std::hint::black_box(hasher.hash(crate::scenarios::PASSWORD, &[7; 16])?);
                        count += 1;
                    }
                    Ok(count)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .map_err(|_| anyhow::anyhow!("a hashing thread panicked"))?
            })
            .sum::<Result<u32>>()
    })?;
    Ok(f64::from(hashes) / started.elapsed().as_secs_f64())
}

pub fn measure() -> Result<ArgonFloor> {
    let password = crate::scenarios::PASSWORD;
    let salt = [42u8; domain::password::SALT_LEN];
    let fresh_started = Instant::now();
    let expected = domain::password::hash_password(password, &salt);
    let fresh_wall = fresh_started.elapsed();
    ensure!(
        Hasher::new()?.hash(password, &salt)? == expected,
        "the bench's Argon2 parameters differ from domain::password's"
    );
    Ok(ArgonFloor {
        timing: time_floor()?,
        one_fresh_hash_wall_ms: fresh_wall.as_secs_f64() * 1000.0,
    })
}
