//! The onboarding lock on SQLite: an exclusive lock on a file next to the database
//! (`<database>.onboarding-lock`), so processes sharing the database file onboard one after the
//! other, as instances do on PostgreSQL.
//!
//! The lock is the operating system's (`File::lock`, `flock` on Linux), held by the open file:
//! dropping the lock closes it, and so does a process that dies. It is per open file, so two
//! handles in one process exclude each other too. A file lock rather than a write transaction:
//! onboarding waits for the Backbone while holding it, and a held write lock would stop every
//! other write (Files, Tokens) meanwhile. The lock file is never removed (removing it would let
//! a process lock a new file while another still holds the old one); it stays empty.
//!
//! Waiting is bounded only by the other holder.

use std::fs::{File, OpenOptions};
use std::io;

use application::ports::{OnboardingLock, RepositoryError};

/// Appended to the database file's path to name its lock file.
pub const LOCK_FILE_SUFFIX: &str = ".onboarding-lock";

/// Opens (creating it if needed) the lock file of the database at `path` and waits for its
/// exclusive lock.
pub(crate) fn lock_onboarding(path: &str) -> Result<OnboardingLock, RepositoryError> {
    let lock_path = format!("{path}{LOCK_FILE_SUFFIX}");
    // As for the database file itself: one that cannot be opened leaves the store unreachable.
    let file = open(&lock_path).map_err(|error| RepositoryError::Unavailable(Box::new(error)))?;
    file.lock()
        .map_err(|error| RepositoryError::Unexpected(Box::new(error)))?;
    Ok(OnboardingLock::new(file))
}

fn open(path: &str) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}
