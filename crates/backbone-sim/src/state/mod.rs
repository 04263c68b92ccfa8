//! The in-memory Backbone: tokens, files, challenges, identities and sync runs, and the rules
//! that decide what each request may do with them. Plain data and functions, no HTTP, so every rule
//! is unit-tested here.

pub mod challenges;
pub mod files;
pub mod identities;
pub mod sync_runs;
mod tokens;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

pub use tokens::{
    Access, Allocation, DeleteError, MAX_CONTENT_BYTES, MAX_FAILED_ACCESS_ATTEMPTS,
    MAX_PASSWORD_BYTES, NewToken, Token, TokenStore,
};

use crate::auth::Accounts;
use crate::config::{DEFAULT_DID_DOMAIN, PasswordPolicy};
use crate::ids::{DeviceId, IdentityAddress};
use crate::persist::content::ContentDir;
use crate::persist::{PendingWrite, StateFile};
use challenges::ChallengeStore;
use files::FileStore;
use identities::IdentityStore;
use sync_runs::SyncRunStore;

/// Who is calling: the identity and device behind a valid access token. Anonymous is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub address: IdentityAddress,
    pub device_id: DeviceId,
}

/// The Backbone's configuration that decides how onboarding requests are judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// `DidDomainName`: the domain of derived addresses.
    pub did_domain: String,
    pub password_policy: PasswordPolicy,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            did_domain: DEFAULT_DID_DOMAIN.to_owned(),
            password_policy: PasswordPolicy::default(),
        }
    }
}

/// Everything the simulator keeps, behind one mutex.
#[derive(Debug)]
pub struct SimState {
    pub tokens: TokenStore,
    pub files: FileStore,
    pub accounts: Accounts,
    pub challenges: ChallengeStore,
    pub identities: IdentityStore,
    pub sync_runs: SyncRunStore,
    pub rules: Rules,
    /// Added to the wall clock, so tests can let time pass without sleeping.
    pub(crate) clock_offset: Duration,
    /// Where changes are saved, if anywhere.
    state_file: Option<Arc<StateFile>>,
    /// Counts the snapshots taken for the state file.
    revision: u64,
}

impl SimState {
    pub fn new(accounts: Accounts) -> Self {
        Self {
            tokens: TokenStore::default(),
            files: FileStore::default(),
            accounts,
            challenges: ChallengeStore::default(),
            identities: IdentityStore::default(),
            sync_runs: SyncRunStore::default(),
            rules: Rules::default(),
            clock_offset: Duration::zero(),
            state_file: None,
            revision: 0,
        }
    }

    /// From now on, [`Self::persist`] snapshots for `file`.
    pub(crate) fn attach_state_file(&mut self, file: Arc<StateFile>) {
        self.state_file = Some(file);
    }

    /// Where file contents go: next to the state file, or `None` to keep them in memory.
    pub(crate) fn content_dir(&self) -> Option<Arc<ContentDir>> {
        self.state_file
            .as_ref()
            .map(|file| Arc::clone(file.contents()))
    }

    /// After a change worth keeping: a snapshot to write before the change is acknowledged, or
    /// `None` without a state file. Call it in the critical section that made the change and
    /// write the snapshot after leaving it.
    pub(crate) fn persist(&mut self) -> Option<PendingWrite> {
        let file = self.state_file.clone()?;
        self.revision += 1;
        Some(file.snapshot(self, self.revision))
    }

    /// The simulator's notion of "now".
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
    }

    pub fn advance_clock(&mut self, by: Duration) {
        self.clock_offset += by;
    }

    /// Whether an identity with `address` exists: one created by onboarding or the identity of a
    /// configured device.
    pub fn identity_exists(&self, address: &IdentityAddress) -> bool {
        self.identities.contains(address) || self.accounts.knows_address(address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_state_file_nothing_is_snapshotted() {
        let mut state = SimState::new(Accounts::new(
            std::time::Duration::from_secs(300),
            std::time::Duration::from_secs(60),
        ));
        assert!(state.persist().is_none());
    }
}
