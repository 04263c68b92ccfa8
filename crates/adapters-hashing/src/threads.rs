//! Password hashing in the background: one thread per core under `SCHED_IDLE`, each with its own
//! kept 20 MiB of Argon2 memory, fed through a queue that requests wait on asynchronously.
//! Linux-specific (eventfd, per-thread scheduling policy), which is why it is an adapter.
//!
//! Why (docs/benchmarks.md): one blocking task per request ran 64 hashes at once under 64
//! concurrent password requests, each in fresh memory, so CPU per hash tripled and RSS grew to
//! gigabytes. One hash per core at normal priority fixed that, but then two hashes took both
//! cores from every request without a password (S4). Idle-priority threads use the idle cycles
//! and give way to request handling.
//!
//! A low-priority thread must never hold a lock that a request thread waits for: preempted by
//! busier threads, it may not run again for a long time (priority inversion; measured: plain
//! requests' p99 at 0.5-2 s). So nothing here hands over through a user-space lock: jobs go into
//! a preallocated lock-free queue, the count of queued jobs is an eventfd semaphore the threads
//! sleep on, and each hash comes back through its own socket pair, which the request awaits in
//! its runtime's reactor. Nor do the threads free the requests' memory, which would take the
//! malloc arena lock of the thread that allocated it: the request keeps the last reference to
//! what it hands over.
//!
//! If every thread has stopped (a bug, or the hasher being dropped), requests are answered
//! [`HashingError::Unavailable`] at once instead of waiting for a thread that will never come:
//! the last thread to stop drops the jobs still queued, which ends their requests' waits.

use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use application::ports::{HashingError, PasswordHasher};
use async_trait::async_trait;
use crossbeam_queue::ArrayQueue;
use domain::PasswordProtection;
use domain::password::{HashMemory, PASSWORD_HASH_LEN};
use rustix::event::{EventfdFlags, eventfd};
use tokio::io::AsyncReadExt;
use tokio::sync::Semaphore;

/// The lowest nice value, where `SCHED_IDLE` is refused.
const BACKGROUND_NICE: i32 = 19;

/// Password requests queued for a hashing thread at most; more wait for room, asynchronously.
const QUEUE_CAPACITY: usize = 4096;

type Hash = [u8; PASSWORD_HASH_LEN];

/// The [`PasswordHasher`] on idle-priority threads; see the module docs.
#[derive(Debug)]
pub struct IdleThreadsHasher {
    threads: usize,
    /// Started on the first hash, so a service that never hashes runs no extra threads.
    started: OnceLock<Option<HashingThreads>>,
}

impl IdleThreadsHasher {
    /// `threads` hashing threads (at least one).
    pub fn new(threads: usize) -> Self {
        Self {
            threads: threads.max(1),
            started: OnceLock::new(),
        }
    }

    /// One hashing thread per available core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// Passwords waiting for a hashing thread now (not counting those being hashed), for the
    /// metrics.
    pub fn queued(&self) -> usize {
        self.started
            .get()
            .and_then(Option::as_ref)
            .map_or(0, |threads| threads.jobs.len())
    }
}

#[async_trait]
impl PasswordHasher for IdleThreadsHasher {
    /// From a hashing thread; on the blocking pool when no thread could be started at all.
    async fn hash(&self, protection: &PasswordProtection) -> Result<Hash, HashingError> {
        let threads = self
            .started
            .get_or_init(|| HashingThreads::start(self.threads));
        let protection = Arc::new(protection.clone());
        match threads {
            Some(threads) => threads.hash(&protection).await.map_err(|error| {
                tracing::error!(%error, "a password could not be hashed on the hashing threads");
                HashingError::Unavailable(error.to_string())
            }),
            None => Ok(hash_on_blocking_pool(protection).await),
        }
    }
}

async fn hash_on_blocking_pool(protection: Arc<PasswordProtection>) -> Hash {
    let on_blocking_pool = Arc::clone(&protection);
    match tokio::task::spawn_blocking(move || on_blocking_pool.hash()).await {
        Ok(hash) => hash,
        Err(join_error) if join_error.is_panic() => {
            std::panic::resume_unwind(join_error.into_panic())
        }
        // The blocking pool refused the task (runtime shutting down): finish the request anyway.
        Err(_) => protection.hash(),
    }
}

struct Job {
    /// The request holds another reference until the reply, so this one is the last (and its
    /// drop frees) only when the request was abandoned.
    protection: Arc<PasswordProtection>,
    reply: UnixStream,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct HashingThreads {
    /// Taken by a request before it queues its job and kept until its reply, so requests wait
    /// for room asynchronously. Only request threads touch it.
    room: Semaphore,
    jobs: Arc<ArrayQueue<Job>>,
    /// One count per queued job (`EFD_SEMAPHORE`: each read takes one).
    queued: Arc<OwnedFd>,
    threads: usize,
    /// Threads still running; the last one to stop drops the jobs left in the queue.
    living: Arc<AtomicUsize>,
    stopping: Arc<AtomicBool>,
}

impl HashingThreads {
    fn start(count: usize) -> Option<Self> {
        let queued = match eventfd(0, EventfdFlags::SEMAPHORE | EventfdFlags::CLOEXEC) {
            Ok(fd) => Arc::new(fd),
            Err(error) => {
                tracing::warn!(%error, "no eventfd for the password hashing threads");
                return None;
            }
        };
        let jobs = Arc::new(ArrayQueue::new(QUEUE_CAPACITY));
        let stopping = Arc::new(AtomicBool::new(false));
        let living = Arc::new(AtomicUsize::new(0));
        let mut started = 0;
        for n in 0..count {
            let (jobs, queued, stopping, alive) = (
                Arc::clone(&jobs),
                Arc::clone(&queued),
                Arc::clone(&stopping),
                Arc::clone(&living),
            );
            living.fetch_add(1, Ordering::AcqRel);
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || {
                    let _alive = Alive {
                        living: &alive,
                        jobs: &jobs,
                    };
                    work(&jobs, &queued, &stopping);
                });
            match spawned {
                Ok(_) => started += 1,
                Err(error) => {
                    living.fetch_sub(1, Ordering::AcqRel);
                    tracing::warn!(%error, "could not start a password hashing thread");
                }
            }
        }
        (started > 0).then_some(Self {
            room: Semaphore::new(QUEUE_CAPACITY),
            jobs,
            queued,
            threads: started,
            living,
            stopping,
        })
    }

    /// Asks every thread to stop once the queue is empty.
    fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        let wake_all = u64::try_from(self.threads).unwrap_or(u64::MAX);
        let _ = rustix::io::write(&*self.queued, &wake_all.to_ne_bytes());
    }

    async fn hash(&self, protection: &Arc<PasswordProtection>) -> std::io::Result<Hash> {
        let stopped = || std::io::Error::other("every password hashing thread has stopped");
        if self.living.load(Ordering::Acquire) == 0 {
            return Err(stopped());
        }
        let _room = self.room.acquire().await.map_err(std::io::Error::other)?;
        let (ours, theirs) = UnixStream::pair()?;
        ours.set_nonblocking(true)?;
        let mut ours = tokio::net::UnixStream::from_std(ours)?;
        let job = Job {
            protection: Arc::clone(protection),
            reply: theirs,
        };
        // Full only when abandoned requests' jobs still wait (they gave their room back).
        if self.jobs.push(job).is_err() {
            return Err(std::io::Error::other("the password hashing queue is full"));
        }
        // Cannot fail short of 2^64 queued jobs.
        rustix::io::write(&*self.queued, &1u64.to_ne_bytes())?;
        if self.living.load(Ordering::Acquire) == 0 {
            // The last thread stopped after our check: it may have drained the queue before our
            // push, so drop what is left (our job included) ourselves.
            drain(&self.jobs);
        }
        let mut hash = [0u8; PASSWORD_HASH_LEN];
        // A dropped job (a thread that panicked, or stopped threads) closes its reply: end of
        // file, an error here.
        ours.read_exact(&mut hash).await.map_err(|error| {
            if self.living.load(Ordering::Acquire) == 0 {
                stopped()
            } else {
                error
            }
        })?;
        Ok(hash)
    }
}

/// Held by a running hashing thread, also while it unwinds from a panic.
struct Alive<'a> {
    living: &'a AtomicUsize,
    jobs: &'a ArrayQueue<Job>,
}

impl Drop for Alive<'_> {
    fn drop(&mut self) {
        if self.living.fetch_sub(1, Ordering::AcqRel) == 1 {
            drain(self.jobs);
        }
    }
}

/// Drops every queued job, which ends the waits of their requests.
fn drain(jobs: &ArrayQueue<Job>) {
    while jobs.pop().is_some() {}
}

/// Puts the calling thread (only it) under `SCHED_IDLE`: it runs when nothing else wants the
/// CPU, and the kernel preempts it as soon as a normal thread wakes. At nice 19 instead (the
/// fallback), plain requests beside hashes still saw p99 tails of 38-510 ms in S4.
fn run_only_when_idle() {
    use thread_priority::{
        NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy,
        set_thread_priority_and_policy, thread_native_id,
    };
    let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
    if let Err(error) =
        set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, idle)
    {
        tracing::warn!(
            ?error,
            "SCHED_IDLE refused for a password hashing thread; using nice 19"
        );
        if let Err(error) = rustix::process::setpriority_process(None, BACKGROUND_NICE) {
            tracing::warn!(%error, "could not lower the priority of a password hashing thread");
        }
    }
}

impl Drop for HashingThreads {
    fn drop(&mut self) {
        self.stop();
    }
}

fn work(jobs: &ArrayQueue<Job>, queued: &OwnedFd, stopping: &AtomicBool) {
    run_only_when_idle();
    let mut memory: Option<HashMemory> = None;
    let mut count = [0u8; 8];
    loop {
        match rustix::io::read(queued, &mut count) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(error) => {
                tracing::error!(%error, "password hashing thread cannot wait for work; stopping");
                return;
            }
        }
        // A job was pushed before its count was added; no job means a wake-up to stop.
        let Some(Job { protection, reply }) = jobs.pop() else {
            if stopping.load(Ordering::Acquire) {
                return;
            }
            continue;
        };
        let hash = protection.hash_in(memory.get_or_insert_with(HashMemory::new));
        // The request may be gone (client disconnected): nothing to answer then, and no SIGPIPE
        // for a host program that has not ignored it. 32 bytes on a fresh socket fit at once.
        let _ = rustix::net::send(&reply, &hash, rustix::net::SendFlags::NOSIGNAL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::PasswordType;

    fn protection(password: &str) -> PasswordProtection {
        PasswordProtection {
            password: password.into(),
            password_type: PasswordType::Password,
            salt: *b"a16byteslongsalt",
            location_indicator: None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_hashes_come_back_to_their_own_requests() {
        let hasher = Arc::new(IdleThreadsHasher::new(2));
        let tasks: Vec<_> = ["password", "1234", "password", "1234", "password"]
            .into_iter()
            .map(|password| {
                let hasher = hasher.clone();
                tokio::spawn(async move { (password, hasher.hash(&protection(password)).await) })
            })
            .collect();
        for task in tasks {
            let (password, hash) = task.await.unwrap();
            assert_eq!(hash.unwrap(), protection(password).hash());
        }
        assert!(
            matches!(hasher.started.get(), Some(Some(_))),
            "hashed on the threads"
        );
    }

    #[tokio::test]
    async fn an_abandoned_request_does_not_stop_the_threads() {
        let hasher = IdleThreadsHasher::new(1);
        let gone = protection("gone");
        let abandoned = hasher.hash(&gone);
        // Polled once (queued), then dropped, as when the client disconnects.
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(1), abandoned)
                .await
                .is_err()
        );

        assert_eq!(
            hasher.hash(&protection("1234")).await.unwrap(),
            protection("1234").hash()
        );
    }

    #[tokio::test]
    async fn stopped_threads_answer_an_error_instead_of_waiting_forever() {
        let hasher = IdleThreadsHasher::new(2);
        hasher.hash(&protection("1234")).await.unwrap();
        let Some(Some(threads)) = hasher.started.get() else {
            panic!("the threads started")
        };

        threads.stop();
        wait_until_no_hashing_threads_run().await;
        let answer = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            hasher.hash(&protection("1234")),
        )
        .await
        .expect("answered, not left waiting");

        let error = answer.expect_err("no thread is left to hash");
        assert_eq!(
            error.to_string(),
            "password hashing is unavailable: every password hashing thread has stopped"
        );
    }

    #[tokio::test]
    async fn the_hashing_threads_run_only_when_the_cpu_is_idle() {
        const SCHED_IDLE: i64 = 5;
        let hasher = IdleThreadsHasher::new(2);
        hasher.hash(&protection("1234")).await.unwrap();

        let policies: Vec<i64> = hashing_threads()
            .iter()
            .map(|task| {
                let stat = std::fs::read_to_string(task.join("stat")).unwrap();
                // Fields after the parenthesised name start at field 3; the policy is field 41.
                let after_name = &stat[stat.rfind(')').unwrap() + 2..];
                after_name.split(' ').nth(41 - 3).unwrap().parse().unwrap()
            })
            .collect();
        assert_eq!(policies, [SCHED_IDLE, SCHED_IDLE]);
    }

    #[tokio::test]
    async fn dropping_the_hasher_stops_its_threads() {
        let hasher = IdleThreadsHasher::new(2);
        hasher.hash(&protection("1234")).await.unwrap();
        assert_eq!(hashing_threads().len(), 2);

        drop(hasher);

        wait_until_no_hashing_threads_run().await;
    }

    async fn wait_until_no_hashing_threads_run() {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !hashing_threads().is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "threads still running"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// This process's `/proc` directories of the hashing threads.
    fn hashing_threads() -> Vec<std::path::PathBuf> {
        std::fs::read_dir("/proc/self/task")
            .unwrap()
            .map(|task| task.unwrap().path())
            .filter(|task| {
                std::fs::read_to_string(task.join("comm"))
                    .is_ok_and(|name| name.starts_with("password-hash-"))
            })
            .collect()
    }
}
