//! Password hashing off the async workers, bounded: at most one Argon2id hash per core at a
//! time, each in one of as many kept 20 MiB buffers.
//!
//! Unbounded (one blocking task per request, fresh memory each), 64 concurrent password requests
//! ran 64 hashes at once: each hash's 20 MiB evicted the others' from the caches, every hash
//! faulted in and zeroed 20 MiB, and glibc kept the freed buffers per thread arena, so CPU per
//! hash tripled and RSS grew to gigabytes (see docs/benchmarks.md). Queued requests now wait
//! for a permit instead, asynchronously, without holding a thread.

use std::sync::Mutex;

use domain::PasswordProtection;
use domain::password::{HashMemory, PASSWORD_HASH_LEN};
use tokio::sync::Semaphore;

#[derive(Debug)]
pub(super) struct PasswordHasher {
    permits: Semaphore,
    memory: Mutex<Vec<HashMemory>>,
}

impl PasswordHasher {
    /// At most `parallel` hashes at a time (at least one).
    pub(super) fn new(parallel: usize) -> Self {
        Self {
            permits: Semaphore::new(parallel.max(1)),
            memory: Mutex::new(Vec::new()),
        }
    }

    /// One hash per available core.
    pub(super) fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// Hashes on the blocking pool once a permit is free.
    pub(super) async fn hash(&self, protection: PasswordProtection) -> [u8; PASSWORD_HASH_LEN] {
        // Never closed, so acquiring only waits.
        let _permit = self.permits.acquire().await.ok();
        // A permit holder takes a buffer and gives it back, so there are at most as many
        // buffers as permits.
        let mut memory = self.take_memory();
        let on_blocking_pool = protection.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let hash = on_blocking_pool.hash_in(&mut memory);
            (hash, memory)
        })
        .await;
        match outcome {
            Ok((hash, memory)) => {
                self.give_back(memory);
                hash
            }
            Err(join_error) if join_error.is_panic() => {
                std::panic::resume_unwind(join_error.into_panic())
            }
            // The blocking pool refused the task (runtime shutting down): finish the request
            // anyway.
            Err(_) => protection.hash(),
        }
    }

    fn take_memory(&self) -> HashMemory {
        self.memory
            .lock()
            .ok()
            .and_then(|mut kept| kept.pop())
            .unwrap_or_default()
    }

    fn give_back(&self, memory: HashMemory) {
        if let Ok(mut kept) = self.memory.lock() {
            kept.push(memory);
        }
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
    async fn concurrent_hashes_are_right_and_keep_at_most_one_buffer_per_permit() {
        let hasher = std::sync::Arc::new(PasswordHasher::new(2));
        let tasks: Vec<_> = ["password", "1234", "password", "1234", "password"]
            .into_iter()
            .map(|password| {
                let hasher = hasher.clone();
                tokio::spawn(async move { (password, hasher.hash(protection(password)).await) })
            })
            .collect();
        for task in tasks {
            let (password, hash) = task.await.unwrap();
            assert_eq!(hash, protection(password).hash());
        }
        assert!(hasher.memory.lock().unwrap().len() <= 2);
    }
}
