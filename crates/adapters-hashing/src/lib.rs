//! [`IdleThreadsHasher`]: the [`PasswordHasher`](application::ports::PasswordHasher) port on
//! one background thread per core that hashes only when the CPU is otherwise idle, so requests
//! without a password are never starved by Argon2 (see `threads` for how and why).

mod threads;

pub use threads::IdleThreadsHasher;
