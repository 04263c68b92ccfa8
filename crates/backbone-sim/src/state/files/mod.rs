//! Files: their metadata, the ownership token that lets another identity take a file over, and
//! the rules that decide who may read, delete, claim or lock one (spec files.md §2.1–§2.5).
//!
//! Content bytes are not part of [`FileMetadata`]: without a state file they are kept here, in
//! memory; with one, each file's bytes live in a file of their own (`crate::persist::content`)
//! and this store only knows their size and SHA-256.

mod ownership_token;

use std::collections::HashMap;

use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

pub use ownership_token::{OWNERSHIP_TOKEN_ALPHABET, OWNERSHIP_TOKEN_LEN, OwnershipToken};

use super::Caller;
use crate::ids::{DeviceId, FileId, IdentityAddress};

/// The content part may hold 1 byte to 10 MiB (the controller's `CreateFileDTOValidator`).
pub const MAX_FILE_CONTENT_BYTES: usize = 10 * 1024 * 1024;
/// The Backbone's housekeeping deletes files this long after they expired.
const KEPT_AFTER_EXPIRY: Duration = Duration::days(30);

/// A file as the Backbone keeps it, without its content. Deleted files are removed outright
/// (the Backbone's delete removes row and blob), so `deletedAt`/`deletedBy` are always null and
/// not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMetadata {
    pub id: FileId,
    pub created_at: DateTime<Utc>,
    pub created_by: IdentityAddress,
    pub created_by_device: DeviceId,
    pub modified_at: DateTime<Utc>,
    pub modified_by: IdentityAddress,
    pub modified_by_device: DeviceId,
    /// The uploader, until someone claims the file with its ownership token.
    pub owner: IdentityAddress,
    pub owner_signature: Vec<u8>,
    pub ownership_token: OwnershipToken,
    /// Set by a wrong token from someone else; blocks claims until the owner regenerates.
    pub ownership_is_locked: bool,
    pub last_ownership_claim_at: Option<DateTime<Utc>>,
    /// The content's length in bytes.
    pub cipher_size: u64,
    pub cipher_hash: Vec<u8>,
    pub expires_at: DateTime<Utc>,
    pub encrypted_properties: Vec<u8>,
    /// SHA-256 of the content: how a damaged or missing content file is found on load.
    pub content_sha256: [u8; 32],
    /// Upload order, to list files uploaded within the same instant stably.
    pub(crate) sequence: u64,
}

impl FileMetadata {
    /// Expired as soon as `expiresAt` is reached (`File.IsExpired`: `ExpiresAt <= now`).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }
}

/// A file with its content, as [`crate::RunningSimulator::file`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub metadata: FileMetadata,
    pub content: Vec<u8>,
}

/// A validated upload (`CreateFileCommand` after its validator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    pub content: Bytes,
    pub cipher_hash: Vec<u8>,
    pub owner_signature: Vec<u8>,
    pub encrypted_properties: Vec<u8>,
    pub expires_at: DateTime<Utc>,
}

/// Why a file operation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Unknown, expired or deleted: the Backbone's queries see none of them.
    #[error("file not found")]
    NotFound,
    #[error("not allowed for this identity")]
    Forbidden,
}

/// What a claim of ownership came to (`ClaimFileOwnershipResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The caller owns the file now, with this new token.
    Claimed(OwnershipToken),
    /// The caller owns it already (400 `cannotClaimOwnershipOfOwnFile`).
    OwnFile,
    /// Locked before: nobody can claim it until the owner regenerates the token (403).
    Locked,
    /// Wrong token: the file is locked now (403).
    IncorrectToken,
}

impl Claim {
    /// Whether the file changed (and must be saved): a claim or a new lock.
    pub fn changed_the_file(&self) -> bool {
        matches!(self, Self::Claimed(_) | Self::IncorrectToken)
    }
}

/// Every file's metadata, and the content of each while there is no state file.
#[derive(Debug, Default)]
pub struct FileStore {
    files: HashMap<FileId, FileMetadata>,
    /// Content kept in memory; empty when the contents live next to the state file.
    contents: HashMap<FileId, Bytes>,
    next_sequence: u64,
}

impl FileStore {
    /// An id no file has.
    pub fn unused_id(&self) -> FileId {
        loop {
            // 62^17 ids make a collision practically impossible; the loop makes it certain.
            let id = FileId::random();
            if !self.files.contains_key(&id) {
                return id;
            }
        }
    }

    /// Stores an upload of `caller` as `id` (from [`Self::unused_id`]): owner, creator and
    /// modifier are the caller, a fresh unlocked ownership token. `keep_content` keeps the bytes
    /// here (no state file); otherwise they have been written to their own file already.
    pub fn create(
        &mut self,
        id: FileId,
        new: NewFile,
        caller: &Caller,
        now: DateTime<Utc>,
        keep_content: bool,
    ) -> FileMetadata {
        self.next_sequence += 1;
        let file = FileMetadata {
            id: id.clone(),
            created_at: now,
            created_by: caller.address.clone(),
            created_by_device: caller.device_id.clone(),
            modified_at: now,
            modified_by: caller.address.clone(),
            modified_by_device: caller.device_id.clone(),
            owner: caller.address.clone(),
            owner_signature: new.owner_signature,
            ownership_token: OwnershipToken::random(),
            ownership_is_locked: false,
            last_ownership_claim_at: None,
            cipher_size: new.content.len() as u64,
            cipher_hash: new.cipher_hash,
            expires_at: new.expires_at,
            encrypted_properties: new.encrypted_properties,
            content_sha256: Sha256::digest(&new.content).into(),
            sequence: self.next_sequence,
        };
        if keep_content {
            self.contents.insert(id.clone(), new.content);
        }
        self.files.insert(id, file.clone());
        file
    }

    /// The file with this id as stored, expired or not.
    pub fn get(&self, id: &FileId) -> Option<&FileMetadata> {
        self.files.get(id)
    }

    /// The file as the Backbone's repository finds it: `None` once expired. Ids the validator
    /// lets through but no file can have (shorter ones) find nothing.
    pub fn live(&self, id: &str, now: DateTime<Utc>) -> Option<&FileMetadata> {
        let id = FileId::parse(id).ok()?;
        self.files.get(&id).filter(|file| !file.is_expired(now))
    }

    fn live_mut(&mut self, id: &str, now: DateTime<Utc>) -> Result<&mut FileMetadata, FileError> {
        let id = FileId::parse(id).map_err(|_| FileError::NotFound)?;
        self.files
            .get_mut(&id)
            .filter(|file| !file.is_expired(now))
            .ok_or(FileError::NotFound)
    }

    /// The content kept in memory, if this store keeps it.
    pub fn content_in_memory(&self, id: &FileId) -> Option<Bytes> {
        self.contents.get(id).cloned()
    }

    /// Deletes a live file; only its creator may (`EnsureCanBeDeletedBy` checks `CreatedBy`,
    /// not the current owner).
    ///
    /// # Errors
    /// [`FileError::NotFound`] for an unknown or expired file, [`FileError::Forbidden`] unless
    /// `caller` uploaded it.
    pub fn delete(
        &mut self,
        id: &str,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<FileMetadata, FileError> {
        let file = self.live_mut(id, now)?;
        if file.created_by != caller.address {
            return Err(FileError::Forbidden);
        }
        let id = file.id.clone();
        self.contents.remove(&id);
        self.files.remove(&id).ok_or(FileError::NotFound)
    }

    /// A new token, which also unlocks the file; only its owner may.
    ///
    /// # Errors
    /// [`FileError::NotFound`] for an unknown or expired file, [`FileError::Forbidden`] unless
    /// `caller` owns it.
    pub fn regenerate_ownership_token(
        &mut self,
        id: &str,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<OwnershipToken, FileError> {
        let file = self.live_mut(id, now)?;
        if file.owner != caller.address {
            return Err(FileError::Forbidden);
        }
        file.ownership_token = OwnershipToken::random();
        file.ownership_is_locked = false;
        Ok(file.ownership_token.clone())
    }

    /// `File.ClaimOwnership`: own file first, then the lock, then the token; a wrong token
    /// locks the file, the right one makes the caller its owner with a new token.
    ///
    /// # Errors
    /// [`FileError::NotFound`] for an unknown or expired file.
    pub fn claim_ownership(
        &mut self,
        id: &str,
        token: &OwnershipToken,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<Claim, FileError> {
        let file = self.live_mut(id, now)?;
        if file.owner == caller.address {
            return Ok(Claim::OwnFile);
        }
        if file.ownership_is_locked {
            return Ok(Claim::Locked);
        }
        if &file.ownership_token != token {
            file.ownership_is_locked = true;
            return Ok(Claim::IncorrectToken);
        }
        file.last_ownership_claim_at = Some(now);
        file.owner = caller.address.clone();
        file.ownership_token = OwnershipToken::random();
        file.ownership_is_locked = false;
        Ok(Claim::Claimed(file.ownership_token.clone()))
    }

    /// `File.ValidateFileOwnershipToken`: false while locked; true for the right token; a wrong
    /// token from anyone but the owner locks the file. Returns `(is_valid, locked_now)`.
    ///
    /// # Errors
    /// [`FileError::NotFound`] for an unknown or expired file.
    pub fn validate_ownership_token(
        &mut self,
        id: &str,
        token: &OwnershipToken,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> Result<(bool, bool), FileError> {
        let file = self.live_mut(id, now)?;
        if file.ownership_is_locked {
            return Ok((false, false));
        }
        if &file.ownership_token == token {
            return Ok((true, false));
        }
        let lock = file.owner != caller.address;
        if lock {
            file.ownership_is_locked = true;
        }
        Ok((false, lock))
    }

    /// The live files `caller` uploaded, among `ids` if any are given, oldest first
    /// (`ListFilesByCreator`).
    pub fn created_by(
        &self,
        caller: &Caller,
        ids: &[String],
        now: DateTime<Utc>,
    ) -> Vec<FileMetadata> {
        let mut found: Vec<FileMetadata> = self
            .files
            .values()
            .filter(|file| file.created_by == caller.address && !file.is_expired(now))
            .filter(|file| ids.is_empty() || ids.iter().any(|id| id == file.id.as_str()))
            .cloned()
            .collect();
        found.sort_by_key(|file| (file.created_at, file.sequence));
        found
    }

    /// Drops the files housekeeping would have deleted (expired more than 30 days ago) and
    /// returns their ids, so their content files can go once the state file no longer lists
    /// them.
    pub fn forget_old(&mut self, now: DateTime<Utc>) -> Vec<FileId> {
        let old: Vec<FileId> = self
            .files
            .values()
            .filter(|file| file.expires_at <= now - KEPT_AFTER_EXPIRY)
            .map(|file| file.id.clone())
            .collect();
        for id in &old {
            self.files.remove(id);
            self.contents.remove(id);
        }
        old
    }

    /// Puts back a file read from the state file, keeping its sequence number.
    pub(crate) fn restore(&mut self, file: FileMetadata) {
        self.next_sequence = self.next_sequence.max(file.sequence);
        self.files.insert(file.id.clone(), file);
    }

    /// Every file, expired ones included, oldest first.
    pub fn all(&self) -> Vec<FileMetadata> {
        let mut all: Vec<FileMetadata> = self.files.values().cloned().collect();
        all.sort_by_key(|file| (file.created_at, file.sequence));
        all
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(n: u8) -> Caller {
        let without_checksum = format!("did:e:localhost:dids:{n:020x}");
        let checksum = format!("{:02x}", Sha256::digest(&without_checksum)[0]);
        Caller {
            address: IdentityAddress::parse(&format!("{without_checksum}{checksum}"))
                .expect("valid address"),
            device_id: DeviceId::parse(&format!("DVC{n:017}")).expect("valid device id"),
        }
    }

    fn upload(store: &mut FileStore, caller: &Caller, now: DateTime<Utc>) -> FileMetadata {
        let new = NewFile {
            content: Bytes::from_static(b"content"),
            cipher_hash: vec![1],
            owner_signature: vec![2],
            encrypted_properties: vec![3],
            expires_at: now + Duration::days(1),
        };
        let id = store.unused_id();
        store.create(id, new, caller, now, true)
    }

    #[test]
    fn an_upload_belongs_to_its_uploader_unlocked_with_a_twenty_character_token() {
        let i1 = identity(1);
        let mut store = FileStore::default();
        let now = Utc::now();
        let file = upload(&mut store, &i1, now);
        assert_eq!(
            (&file.owner, &file.created_by, &file.modified_by),
            (&i1.address, &i1.address, &i1.address)
        );
        assert_eq!(file.created_by_device, i1.device_id);
        assert!(!file.ownership_is_locked);
        assert_eq!(file.ownership_token.as_str().len(), OWNERSHIP_TOKEN_LEN);
        assert!(OwnershipToken::is_valid(file.ownership_token.as_str()));
        assert_eq!(file.cipher_size, 7);
        assert_eq!(
            store.content_in_memory(&file.id),
            Some(Bytes::from_static(b"content"))
        );
    }

    #[test]
    fn expired_files_are_not_found_and_old_ones_are_forgotten() {
        let i1 = identity(1);
        let mut store = FileStore::default();
        let now = Utc::now();
        let file = upload(&mut store, &i1, now);
        assert!(store.live(file.id.as_str(), now).is_some());
        let expiry = file.expires_at;
        assert!(
            store.live(file.id.as_str(), expiry).is_none(),
            "expired at expiresAt"
        );
        assert_eq!(
            store.delete(file.id.as_str(), &i1, expiry).map(|f| f.id),
            Err(FileError::NotFound)
        );
        assert!(store.forget_old(expiry + Duration::days(29)).is_empty());
        assert_eq!(
            store.forget_old(expiry + Duration::days(30)),
            vec![file.id.clone()]
        );
        assert!(store.is_empty());
        assert_eq!(store.content_in_memory(&file.id), None);
    }

    #[test]
    fn only_the_creator_deletes_even_after_a_claim() {
        let (i1, i2) = (identity(1), identity(2));
        let mut store = FileStore::default();
        let now = Utc::now();
        let file = upload(&mut store, &i1, now);
        let token = file.ownership_token.clone();
        let id = file.id.as_str();
        assert!(matches!(
            store.claim_ownership(id, &token, &i2, now),
            Ok(Claim::Claimed(_))
        ));
        assert_eq!(
            store.delete(id, &i2, now).map(|f| f.id),
            Err(FileError::Forbidden),
            "the new owner did not upload it"
        );
        assert!(store.delete(id, &i1, now).is_ok());
        assert_eq!(
            store.delete(id, &i1, now).map(|f| f.id),
            Err(FileError::NotFound)
        );
    }

    #[test]
    fn claims_follow_the_backbones_order() {
        let (i1, i2, i3) = (identity(1), identity(2), identity(3));
        let mut store = FileStore::default();
        let now = Utc::now();
        let file = upload(&mut store, &i1, now);
        let id = file.id.as_str();
        let right = file.ownership_token.clone();
        let wrong = OwnershipToken::from_text("wrongTokenXXXXXXXXXX");
        assert_eq!(
            store.claim_ownership(id, &right, &i1, now),
            Ok(Claim::OwnFile)
        );
        assert_eq!(
            store.claim_ownership(id, &wrong, &i2, now),
            Ok(Claim::IncorrectToken)
        );
        assert!(store.get(&file.id).expect("kept").ownership_is_locked);
        assert_eq!(
            store.claim_ownership(id, &right, &i3, now),
            Ok(Claim::Locked)
        );
        assert_eq!(
            store.claim_ownership(id, &right, &i1, now),
            Ok(Claim::OwnFile)
        );
        assert_eq!(
            store.regenerate_ownership_token(id, &i2, now),
            Err(FileError::Forbidden)
        );
        let fresh = store
            .regenerate_ownership_token(id, &i1, now)
            .expect("the owner regenerates");
        assert_ne!(fresh, right);
        assert!(!store.get(&file.id).expect("kept").ownership_is_locked);
        let Ok(Claim::Claimed(newest)) = store.claim_ownership(id, &fresh, &i2, now) else {
            panic!("claimed with the fresh token");
        };
        let claimed = store.get(&file.id).expect("kept");
        assert_eq!(claimed.owner, i2.address);
        assert_eq!(claimed.created_by, i1.address);
        assert_eq!(claimed.ownership_token, newest);
        assert_eq!(claimed.last_ownership_claim_at, Some(now));
        assert!(!claimed.ownership_is_locked);
    }

    #[test]
    fn validating_a_wrong_token_locks_only_for_others_than_the_owner() {
        let (i1, i2) = (identity(1), identity(2));
        let mut store = FileStore::default();
        let now = Utc::now();
        let file = upload(&mut store, &i1, now);
        let id = file.id.as_str();
        let right = file.ownership_token.clone();
        let wrong = OwnershipToken::from_text("wrongTokenXXXXXXXXXX");
        assert_eq!(
            store.validate_ownership_token(id, &right, &i1, now),
            Ok((true, false))
        );
        assert_eq!(
            store.validate_ownership_token(id, &right, &i2, now),
            Ok((true, false))
        );
        assert_eq!(
            store.validate_ownership_token(id, &wrong, &i1, now),
            Ok((false, false))
        );
        assert!(!store.get(&file.id).expect("kept").ownership_is_locked);
        assert_eq!(
            store.validate_ownership_token(id, &wrong, &i2, now),
            Ok((false, true))
        );
        assert_eq!(
            store.validate_ownership_token(id, &right, &i1, now),
            Ok((false, false)),
            "locked: even the right token is not valid"
        );
    }

    #[test]
    fn lists_hold_the_callers_live_uploads_oldest_first() {
        let (i1, i2) = (identity(1), identity(2));
        let mut store = FileStore::default();
        let now = Utc::now();
        let first = upload(&mut store, &i1, now).id;
        let second = upload(&mut store, &i1, now).id;
        let foreign = upload(&mut store, &i2, now).id;
        let ids = |files: Vec<FileMetadata>| files.into_iter().map(|f| f.id).collect::<Vec<_>>();
        assert_eq!(
            ids(store.created_by(&i1, &[], now)),
            vec![first.clone(), second.clone()]
        );
        assert_eq!(
            ids(store.created_by(&i1, &[second.to_string(), foreign.to_string()], now)),
            vec![second]
        );
        assert!(
            store
                .created_by(&i1, &[], now + Duration::days(2))
                .is_empty()
        );
    }
}
