//! Sync runs and datawallet versions: the part of the Backbone's Synchronization module a
//! client touches when it sets up a new identity (start and finalize a
//! `DatawalletVersionUpgrade`), and an `ExternalEventSync` that never finds events, because the
//! simulator has none.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::Caller;
use crate::ids::{DeviceId, IdentityAddress, SyncRunId};

/// A run lives this many seconds unless the request says otherwise.
pub const DEFAULT_SYNC_RUN_SECONDS: u16 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncRunType {
    ExternalEventSync,
    DatawalletVersionUpgrade,
}

impl SyncRunType {
    /// The name the Backbone's string enum converter writes and reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExternalEventSync => "ExternalEventSync",
            Self::DatawalletVersionUpgrade => "DatawalletVersionUpgrade",
        }
    }
}

/// A sync run as the Backbone stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRun {
    pub id: SyncRunId,
    pub kind: SyncRunType,
    /// Counts the runs of its identity from 0.
    pub index: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub created_by: IdentityAddress,
    pub created_by_device: DeviceId,
    /// Set when it is finalized or cancelled by a later start.
    pub finalized_at: Option<DateTime<Utc>>,
}

impl SyncRun {
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at < now
    }
}

/// What a start produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    Created(SyncRun),
    /// An `ExternalEventSync` without events to sync (always, here): no run is created.
    NoNewEvents,
}

/// Why a start or finalize was refused, each one of the Backbone's errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("the identity has no datawallet")]
    DatawalletNotFound,
    #[error("supported datawallet version below the datawallet's")]
    InsufficientSupportedDatawalletVersion,
    #[error("sync run {0} is still active")]
    AnotherRunIsActive(SyncRunId),
    #[error("no such sync run of the caller")]
    NotFound,
    #[error("the sync run is of another type")]
    UnexpectedType(SyncRunType),
    #[error("started by another device")]
    StartedByAnotherDevice,
    #[error("already finalized")]
    AlreadyFinalized,
    #[error("cannot downgrade the datawallet from {current} to {target}")]
    CannotDowngrade { current: u16, target: u16 },
}

/// Sync runs of every identity and each identity's datawallet version.
#[derive(Debug, Default)]
pub struct SyncRunStore {
    runs: HashMap<SyncRunId, SyncRun>,
    /// The version of each identity's datawallet; an identity without an entry has none yet.
    datawallets: HashMap<IdentityAddress, u16>,
}

impl SyncRunStore {
    /// The Backbone's `StartSyncRun` handler for the caller's identity.
    ///
    /// # Errors
    /// [`SyncError::DatawalletNotFound`] for an external event sync without datawallet,
    /// [`SyncError::InsufficientSupportedDatawalletVersion`] if the client supports less than
    /// the datawallet's version, [`SyncError::AnotherRunIsActive`] while the identity's latest
    /// run is neither finalized nor expired (an expired one is cancelled instead).
    pub fn start(
        &mut self,
        kind: SyncRunType,
        duration_seconds: Option<u16>,
        supported_datawallet_version: u16,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<Started, SyncError> {
        let datawallet = self.datawallets.get(&caller.address).copied();
        if kind == SyncRunType::ExternalEventSync && datawallet.is_none() {
            return Err(SyncError::DatawalletNotFound);
        }
        if datawallet.is_some_and(|version| supported_datawallet_version < version) {
            return Err(SyncError::InsufficientSupportedDatawalletVersion);
        }
        let previous = self
            .runs
            .values_mut()
            .filter(|run| run.created_by == caller.address)
            .max_by_key(|run| run.index);
        let next_index = previous.as_ref().map_or(0, |run| run.index + 1);
        if let Some(previous) = previous
            && previous.finalized_at.is_none()
        {
            if !previous.is_expired(now) {
                return Err(SyncError::AnotherRunIsActive(previous.id.clone()));
            }
            previous.finalized_at = Some(now);
        }
        if kind == SyncRunType::ExternalEventSync {
            return Ok(Started::NoNewEvents);
        }
        let id = loop {
            let id = SyncRunId::random();
            if !self.runs.contains_key(&id) {
                break id;
            }
        };
        let seconds = duration_seconds.unwrap_or(DEFAULT_SYNC_RUN_SECONDS);
        let run = SyncRun {
            id: id.clone(),
            kind,
            index: next_index,
            created_at: now,
            expires_at: now + Duration::seconds(i64::from(seconds)),
            created_by: caller.address.clone(),
            created_by_device: caller.device_id.clone(),
            finalized_at: None,
        };
        self.runs.insert(id, run.clone());
        Ok(Started::Created(run))
    }

    /// The Backbone's `FinalizeDatawalletVersionUpgrade`: finalizes the caller's run and sets
    /// the identity's datawallet to `new_version` (creating it on the first upgrade). An
    /// expired run can still be finalized, as on the Backbone, unless a later start cancelled it.
    ///
    /// # Errors
    /// In the Backbone's order: [`SyncError::NotFound`] (unknown, or another identity's run),
    /// [`SyncError::UnexpectedType`], [`SyncError::StartedByAnotherDevice`],
    /// [`SyncError::AlreadyFinalized`], [`SyncError::CannotDowngrade`] (the run stays open).
    pub fn finalize_datawallet_version_upgrade(
        &mut self,
        id: &SyncRunId,
        new_version: u16,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<SyncRun, SyncError> {
        let run = self
            .runs
            .get_mut(id)
            .filter(|run| run.created_by == caller.address)
            .ok_or(SyncError::NotFound)?;
        if run.kind != SyncRunType::DatawalletVersionUpgrade {
            return Err(SyncError::UnexpectedType(
                SyncRunType::DatawalletVersionUpgrade,
            ));
        }
        if run.created_by_device != caller.device_id {
            return Err(SyncError::StartedByAnotherDevice);
        }
        if run.finalized_at.is_some() {
            return Err(SyncError::AlreadyFinalized);
        }
        if let Some(&current) = self.datawallets.get(&caller.address)
            && new_version < current
        {
            return Err(SyncError::CannotDowngrade {
                current,
                target: new_version,
            });
        }
        run.finalized_at = Some(now);
        let run = run.clone();
        self.datawallets.insert(caller.address.clone(), new_version);
        Ok(run)
    }

    /// The datawallet version of `address`, `None` before its first upgrade.
    pub fn datawallet_version(&self, address: &IdentityAddress) -> Option<u16> {
        self.datawallets.get(address).copied()
    }

    /// Every datawallet as (owner, version), ordered by owner.
    pub fn datawallets(&self) -> Vec<(IdentityAddress, u16)> {
        let mut all: Vec<(IdentityAddress, u16)> = self
            .datawallets
            .iter()
            .map(|(owner, version)| (owner.clone(), *version))
            .collect();
        all.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        all
    }

    /// Puts back a datawallet read from the state file.
    pub(crate) fn restore_datawallet(&mut self, owner: IdentityAddress, version: u16) {
        self.datawallets.insert(owner, version);
    }

    /// The sync run with this id, whoever started it.
    pub fn get(&self, id: &SyncRunId) -> Option<&SyncRun> {
        self.runs.get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(n: u8) -> Caller {
        Caller {
            address: IdentityAddress::from_public_key(&[n; 32], "localhost").expect("address"),
            device_id: DeviceId::random(),
        }
    }

    fn upgrade(store: &mut SyncRunStore, caller: &Caller, now: DateTime<Utc>) -> SyncRun {
        match store.start(SyncRunType::DatawalletVersionUpgrade, None, 1, caller, now) {
            Ok(Started::Created(run)) => run,
            other => panic!("no run created: {other:?}"),
        }
    }

    #[test]
    fn an_upgrade_run_is_created_finalized_once_and_sets_the_version() {
        let mut store = SyncRunStore::default();
        let (owner, other) = (caller(1), caller(2));
        let now = Utc::now();
        let run = upgrade(&mut store, &owner, now);
        assert_eq!(
            (run.index, run.expires_at),
            (0, now + Duration::seconds(10))
        );
        assert_eq!(
            store.finalize_datawallet_version_upgrade(&run.id, 1, &other, now),
            Err(SyncError::NotFound),
            "another identity's run is not found"
        );
        let mut second_device = owner.clone();
        second_device.device_id = DeviceId::random();
        assert_eq!(
            store.finalize_datawallet_version_upgrade(&run.id, 1, &second_device, now),
            Err(SyncError::StartedByAnotherDevice)
        );
        let finalized = store
            .finalize_datawallet_version_upgrade(&run.id, 1, &owner, now)
            .expect("finalized");
        assert_eq!(finalized.finalized_at, Some(now));
        assert_eq!(store.datawallet_version(&owner.address), Some(1));
        assert_eq!(
            store.finalize_datawallet_version_upgrade(&run.id, 1, &owner, now),
            Err(SyncError::AlreadyFinalized)
        );
        assert_eq!(upgrade(&mut store, &owner, now).index, 1);
    }

    #[test]
    fn an_active_run_blocks_a_start_until_it_expires_and_is_then_cancelled() {
        let mut store = SyncRunStore::default();
        let owner = caller(1);
        let now = Utc::now();
        let first = upgrade(&mut store, &owner, now);
        assert_eq!(
            store.start(SyncRunType::DatawalletVersionUpgrade, None, 1, &owner, now),
            Err(SyncError::AnotherRunIsActive(first.id.clone()))
        );
        let later = now + Duration::seconds(11);
        let second = upgrade(&mut store, &owner, later);
        assert_eq!(second.index, 1);
        assert_eq!(
            store.finalize_datawallet_version_upgrade(&first.id, 1, &owner, later),
            Err(SyncError::AlreadyFinalized),
            "cancelled by the later start"
        );
        // Other identities are not blocked.
        upgrade(&mut store, &caller(2), later);
    }

    #[test]
    fn versions_only_go_up_and_clients_must_support_them() {
        let mut store = SyncRunStore::default();
        let owner = caller(1);
        let now = Utc::now();
        assert_eq!(
            store.start(SyncRunType::ExternalEventSync, None, 1, &owner, now),
            Err(SyncError::DatawalletNotFound)
        );
        let run = upgrade(&mut store, &owner, now);
        store
            .finalize_datawallet_version_upgrade(&run.id, 2, &owner, now)
            .expect("upgraded to 2");
        assert_eq!(
            store.start(SyncRunType::DatawalletVersionUpgrade, None, 1, &owner, now),
            Err(SyncError::InsufficientSupportedDatawalletVersion)
        );
        let run = match store.start(
            SyncRunType::DatawalletVersionUpgrade,
            Some(30),
            2,
            &owner,
            now,
        ) {
            Ok(Started::Created(run)) => run,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            store.finalize_datawallet_version_upgrade(&run.id, 1, &owner, now),
            Err(SyncError::CannotDowngrade {
                current: 2,
                target: 1
            })
        );
        assert_eq!(store.get(&run.id).and_then(|r| r.finalized_at), None);
        assert_eq!(
            store.start(SyncRunType::ExternalEventSync, None, 2, &owner, now),
            Err(SyncError::AnotherRunIsActive(run.id.clone()))
        );
        store
            .finalize_datawallet_version_upgrade(&run.id, 2, &owner, now)
            .expect("same version is fine");
        assert_eq!(
            store.start(SyncRunType::ExternalEventSync, None, 2, &owner, now),
            Ok(Started::NoNewEvents)
        );
    }
}
