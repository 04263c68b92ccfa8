//! The optional state file ([`crate::SimulatorConfig::with_state_file`]): the simulator's state
//! as one JSON document, so that tokens, allocations, files and logins survive a restart.
//!
//! What is kept: tokens (content, password, failed-attempt count, allocations), files (their
//! metadata here, their content in files of their own, see [`content`]), platform clients
//! (with their identity limit), configured device logins, identities created by onboarding
//! with their devices and logins, challenges, datawallet versions and the simulated clock
//! offset. What is not: access tokens (clients log in again), login failure counts and
//! lockouts, sync runs (a run open at a restart is gone; start a new one), queued faults.
//!
//! Format version 3 (all fields always present, unknown fields refused, bytes as standard
//! base64, dates RFC 3339 with full precision):
//!
//! ```json
//! {
//!   "version": 3,
//!   "clockOffsetMs": 0,
//!   "clients": [{ "clientId": "…", "clientSecret": "…", "maxIdentities": null }],
//!   "devices": [{ "username": "USR…", "password": "…", "address": "did:e:…", "deviceId": "DVC…" }],
//!   "tokens": [{
//!     "id": "TOK…", "createdBy": "did:e:…" | null, "createdByDevice": "DVC…" | null,
//!     "createdAt": "2025-01-01T00:00:00.123456789Z", "expiresAt": "…",
//!     "content": "<base64>" | null, "forIdentity": "did:e:…" | null,
//!     "password": "<base64>" | null, "accessFailedCount": 0,
//!     "allocations": [{ "allocatedBy": "did:e:…", "allocatedByDevice": "DVC…", "allocatedAt": "…" }],
//!     "sequence": 1
//!   }],
//!   "identities": [{ "address": "did:e:…", "publicKey": "<32 bytes>", "identityPublicKey": "<as received>",
//!                    "clientId": "…", "identityVersion": 1, "createdAt": "…" }],
//!   "identityDevices": [{ "id": "DVC…", "username": "USR…", "password": "…", "address": "did:e:…",
//!                         "communicationLanguage": "en", "createdAt": "…" }],
//!   "challenges": [{ "id": "CHL…", "expiresAt": "…", "createdBy": null, "createdByDevice": null }],
//!   "datawallets": [{ "owner": "did:e:…", "version": 1 }],
//!   "files": [{
//!     "id": "FIL…", "createdAt": "…", "createdBy": "did:e:…", "createdByDevice": "DVC…",
//!     "modifiedAt": "…", "modifiedBy": "did:e:…", "modifiedByDevice": "DVC…", "owner": "did:e:…",
//!     "ownerSignature": "<base64>", "ownershipToken": "…", "ownershipIsLocked": false,
//!     "lastOwnershipClaimAt": null, "cipherSize": 133, "cipherHash": "<base64>", "expiresAt": "…",
//!     "encryptedProperties": "<base64>", "contentSha256": "<hex>", "sequence": 1
//!   }]
//! }
//! ```
//!
//! `devices` are the configured logins; `identityDevices` those onboarding created, each
//! referring to its identity by `address`. A file's bytes are in
//! `<state file stem>.content/files/<FIL…>` ([`content`]), `cipherSize` and `contentSha256`
//! telling what they must be.
//!
//! Versions: the reader takes this version and every older one, upgrading an older document in
//! memory one step at a time (one function per step, in `UPGRADES`) before reading it; the
//! next write stores the current version only. A newer version is refused, naming it, so an
//! older build never drops what it does not understand. Version 1 (tokens, clients, devices)
//! becomes 2 by giving every client `"maxIdentities": null` and adding the four onboarding
//! arrays, empty; version 2 becomes 3 by adding `"files": []`.
//!
//! Growing the format: each new kind of record gets a top-level array of flat records that
//! refer to others by id or address, in a new version whose step adds the array (empty, or
//! derived from what the old version holds). Large bytes stay out of this JSON, which is
//! rewritten whole on every change, as file contents do.
//!
//! Durability: every change is written as a whole new file (`<file>.tmp`, fsync, rename over
//! `<file>`, fsync of the directory) before the request that made it is answered, so an
//! acknowledged change survives a crash and a reader never sees a half-written file. Snapshots
//! are taken under the state lock and numbered; the write happens outside it, and a snapshot
//! older than one already on disk is skipped (the newer one contains its change). The file holds
//! secrets (passwords, client secrets, ownership tokens) and is created readable by its owner
//! only (Unix).
//!
//! One simulator per file: two running on the same file overwrite each other's changes.

pub mod content;
mod records;

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};

use crate::state::SimState;
use content::ContentDir;
use records::StateRecord;

/// The format version this build writes; it reads this one and every older one.
pub const FORMAT_VERSION: u64 = 3;

/// The state file of one running simulator.
#[derive(Debug)]
pub(crate) struct StateFile {
    path: PathBuf,
    tmp: PathBuf,
    /// Where the files' contents go.
    contents: Arc<ContentDir>,
    /// The revision of the snapshot on disk.
    written: Mutex<u64>,
}

/// A snapshot of the state, to be written outside the state lock.
pub(crate) struct PendingWrite {
    file: Arc<StateFile>,
    revision: u64,
    record: StateRecord,
}

impl std::fmt::Debug for PendingWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingWrite")
            .field("path", &self.file.path)
            .field("revision", &self.revision)
            .finish_non_exhaustive()
    }
}

impl PendingWrite {
    /// Puts the snapshot on disk (blocking), unless a newer one already is.
    ///
    /// # Errors
    /// If the file cannot be written; the message names it.
    pub(crate) fn write(self) -> io::Result<()> {
        self.file.write(self.revision, &self.record)
    }
}

impl StateFile {
    pub(crate) fn new(path: PathBuf) -> Self {
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        Self {
            contents: Arc::new(ContentDir::for_state_file(&path)),
            path,
            tmp: PathBuf::from(tmp),
            written: Mutex::new(0),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn contents(&self) -> &Arc<ContentDir> {
        &self.contents
    }

    /// Snapshot `state` as `revision` (taken under the state lock, revisions increasing).
    pub(crate) fn snapshot(self: &Arc<Self>, state: &SimState, revision: u64) -> PendingWrite {
        PendingWrite {
            file: Arc::clone(self),
            revision,
            record: StateRecord::of(state),
        }
    }

    /// Loads the file into `state` (which should be empty). `Ok(false)` if there is no file.
    ///
    /// # Errors
    /// If the file cannot be read, is corrupt or has another format version; the message names
    /// the file and the problem.
    pub(crate) fn load_into(&self, state: &mut SimState) -> io::Result<bool> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(error) => {
                return Err(io::Error::new(
                    error.kind(),
                    format!(
                        "cannot read the backbone-sim state file {}: {error}",
                        self.path.display()
                    ),
                ));
            }
        };
        let invalid = |what: String| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "backbone-sim state file {}: {what}; refusing to start (fix the file or \
                     move it away to start with an empty state)",
                    self.path.display()
                ),
            )
        };
        let record = parse(&bytes).map_err(invalid)?;
        record.restore_into(state).map_err(invalid)?;
        self.contents.check(&state.files.all()).map_err(invalid)?;
        Ok(true)
    }

    fn write(&self, revision: u64, record: &StateRecord) -> io::Result<()> {
        let mut written = self.written.lock().unwrap_or_else(PoisonError::into_inner);
        if *written >= revision {
            return Ok(());
        }
        let mut bytes = serde_json::to_vec_pretty(record).map_err(io::Error::other)?;
        bytes.push(b'\n');
        self.replace_with(&bytes).map_err(|error| {
            io::Error::new(
                error.kind(),
                format!(
                    "cannot write the backbone-sim state file {}: {error}",
                    self.path.display()
                ),
            )
        })?;
        *written = revision;
        Ok(())
    }

    /// `<file>.tmp`, fsync, rename over `<file>`, fsync of the directory.
    fn replace_with(&self, bytes: &[u8]) -> io::Result<()> {
        match fs::remove_file(&self.tmp) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&self.tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&self.tmp, &self.path)?;
        sync_directory_of(&self.path)
    }
}

/// Makes a rename in the file's directory durable.
#[cfg(unix)]
fn sync_directory_of(path: &Path) -> io::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::File::open(directory)?.sync_all()
}

#[cfg(not(unix))]
fn sync_directory_of(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// Reads a document of any version this build knows: the version is checked first (so a newer
/// file is reported as such, not as corrupt), older ones are upgraded step by step in memory,
/// and only then is the result read as the current format.
fn parse(bytes: &[u8]) -> Result<StateRecord, String> {
    let document: Value = serde_json::from_slice(bytes)
        .map_err(|error| format!("the file is corrupt (not valid JSON: {error})"))?;
    let Value::Object(document) = document else {
        return Err("the file is corrupt (not a JSON object)".to_owned());
    };
    let version = match document.get("version") {
        None => return Err("the file is corrupt (it has no \"version\")".to_owned()),
        Some(version) => match version.as_u64() {
            Some(number @ 1..=FORMAT_VERSION) => number,
            Some(number) if number > FORMAT_VERSION => {
                return Err(format!(
                    "unknown format version {number}: the file was written by a newer \
                     backbone-sim (this one reads versions 1 to {FORMAT_VERSION}); run that \
                     newer version on it"
                ));
            }
            _ => return Err(format!("unknown format version {version}")),
        },
    };
    let current = upgrade(document, version, &UPGRADES)?;
    serde_json::from_value(Value::Object(current))
        .map_err(|error| format!("the file is corrupt ({error})"))
}

/// One version step: a document of version `n` in, the same state as version `n + 1` out.
type Upgrade = fn(Map<String, Value>) -> Result<Map<String, Value>, String>;

/// `UPGRADES[n - 1]` upgrades version `n` to `n + 1`. The length ties the table to
/// [`FORMAT_VERSION`]: raising the version without adding its step does not compile.
const UPGRADES: [Upgrade; FORMAT_VERSION as usize - 1] = [add_onboarding, add_files];

/// 1 → 2: clients get an identity limit (none, as before), and the records onboarding creates
/// get their arrays, empty since version 1 had no onboarding.
fn add_onboarding(mut document: Map<String, Value>) -> Result<Map<String, Value>, String> {
    let Some(Value::Array(clients)) = document.get_mut("clients") else {
        return Err("it has no \"clients\" array".to_owned());
    };
    for client in clients {
        let Value::Object(client) = client else {
            return Err("a client is not a JSON object".to_owned());
        };
        client.insert("maxIdentities".to_owned(), Value::Null);
    }
    for array in ["identities", "identityDevices", "challenges", "datawallets"] {
        document.insert(array.to_owned(), Value::Array(Vec::new()));
    }
    Ok(document)
}

/// 2 → 3: files get their array, empty since version 2 had no files (and so no content
/// directory either).
fn add_files(mut document: Map<String, Value>) -> Result<Map<String, Value>, String> {
    document.insert("files".to_owned(), Value::Array(Vec::new()));
    Ok(document)
}

/// Applies the steps from `version` up, each stamping the version it produced.
fn upgrade(
    mut document: Map<String, Value>,
    version: u64,
    steps: &[Upgrade],
) -> Result<Map<String, Value>, String> {
    let first = usize::try_from(version - 1).unwrap_or(usize::MAX);
    for (index, step) in steps.iter().enumerate().skip(first) {
        document = step(document)
            .map_err(|reason| format!("cannot upgrade it from version {}: {reason}", index + 1))?;
        document.insert("version".to_owned(), Value::from(index as u64 + 2));
    }
    Ok(document)
}

#[cfg(test)]
mod tests {
    use std::time::Duration as StdDuration;

    use chrono::Duration;

    use super::*;
    use crate::auth::Accounts;
    use crate::config::{PlatformClient, SeededDevice};
    use crate::ids::TokenId;
    use crate::state::{Caller, NewToken};

    fn temp_path(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "backbone-sim-persist-{}-{}",
            std::process::id(),
            crate::config::random_alphanumeric(8)
        ));
        fs::create_dir_all(&dir).expect("temp dir");
        dir.join(name)
    }

    fn new_state() -> SimState {
        SimState::new(Accounts::new(
            StdDuration::from_secs(300),
            StdDuration::from_secs(60),
        ))
    }

    fn populated() -> SimState {
        let mut state = new_state();
        let creator = SeededDevice::random("localhost");
        let reader = SeededDevice::random("localhost");
        state.accounts.add_client(PlatformClient::random());
        state.accounts.add_device(creator.clone());
        state.accounts.add_device(reader.clone());
        let caller = |d: &SeededDevice| Caller {
            address: d.address.clone(),
            device_id: d.device_id.clone(),
        };
        let now = state.now();
        let new = NewToken {
            content: Some(vec![0, 1, 2, 255]),
            expires_at: now + Duration::days(1),
            for_identity: None,
            password: Some(b"secret".to_vec()),
        };
        let id = state.tokens.create(new, Some(&caller(&creator)), now).id;
        state.tokens.access(&id, None, Some(b"wrong"), now);
        state
            .tokens
            .access(&id, Some(&caller(&reader)), Some(b"secret"), now);
        state.tokens.create(
            NewToken {
                expires_at: now + Duration::hours(1),
                ..NewToken::default()
            },
            None,
            now,
        );
        onboard(&mut state, now);
        state.advance_clock(Duration::seconds(90));
        state
    }

    /// An identity as onboarding leaves it: identity, device login, challenge, datawallet.
    fn onboard(state: &mut SimState, now: chrono::DateTime<chrono::Utc>) {
        use crate::state::identities::{Identity, IdentityDevice};
        use crate::state::sync_runs::{Started, SyncRunType};
        let address =
            crate::ids::IdentityAddress::from_public_key(&[7; 32], "localhost").expect("address");
        let login = SeededDevice {
            address: address.clone(),
            ..SeededDevice::random("localhost")
        };
        state.accounts.add_onboarded_device(login.clone());
        state.identities.insert(Identity {
            address: address.clone(),
            public_key: [7; 32],
            identity_public_key: br#"{"pub":"BwcH","alg":3}"#.to_vec(),
            client_id: "client".to_owned(),
            identity_version: 1,
            created_at: now,
            devices: vec![IdentityDevice {
                id: login.device_id.clone(),
                username: login.username.clone(),
                created_at: now,
                communication_language: "de".to_owned(),
            }],
        });
        state.challenges.create(None, now);
        let caller = Caller {
            address,
            device_id: login.device_id,
        };
        let Ok(Started::Created(run)) =
            state
                .sync_runs
                .start(SyncRunType::DatawalletVersionUpgrade, None, 1, &caller, now)
        else {
            panic!("sync run starts");
        };
        state
            .sync_runs
            .finalize_datawallet_version_upgrade(&run.id, 1, &caller, now)
            .expect("finalized");
    }

    /// A file as an upload leaves it: its content in the content directory, then its metadata.
    fn upload(state: &mut SimState, file: &StateFile, content: &[u8]) -> crate::ids::FileId {
        use crate::state::files::NewFile;
        let caller = Caller {
            address: crate::ids::IdentityAddress::random("localhost").expect("address"),
            device_id: crate::ids::DeviceId::random(),
        };
        let id = state.files.unused_id();
        file.contents()
            .write(&id, content)
            .expect("content written");
        let now = state.now();
        let new = NewFile {
            content: bytes::Bytes::copy_from_slice(content),
            cipher_hash: vec![1; 64],
            owner_signature: vec![2; 100],
            encrypted_properties: vec![3; 300],
            expires_at: now + Duration::days(1),
        };
        state.files.create(id.clone(), new, &caller, now, false);
        id
    }

    #[test]
    fn a_snapshot_restores_the_same_state() {
        let path = temp_path("state.json");
        let file = Arc::new(StateFile::new(path.clone()));
        let mut original = populated();
        upload(&mut original, &file, b"content");
        file.snapshot(&original, 1).write().expect("written");

        let mut restored = new_state();
        assert!(file.load_into(&mut restored).expect("loads"));
        assert_eq!(restored.tokens.all(), original.tokens.all());
        assert_eq!(restored.accounts.clients(), original.accounts.clients());
        assert_eq!(restored.accounts.devices(), original.accounts.devices());
        assert_eq!(
            restored.accounts.onboarded_devices(),
            original.accounts.onboarded_devices()
        );
        assert_eq!(restored.identities.all(), original.identities.all());
        assert_eq!(restored.challenges.all(), original.challenges.all());
        assert_eq!(
            restored.sync_runs.datawallets(),
            original.sync_runs.datawallets()
        );
        assert_eq!(restored.identities.len(), 1);
        assert_eq!(restored.files.all(), original.files.all());
        assert_eq!(restored.files.len(), 1);
        assert_eq!(restored.clock_offset, original.clock_offset);
        assert!(!file.tmp.exists(), "no temporary file left behind");
        let _ = fs::remove_dir_all(path.parent().expect("dir"));
    }

    #[test]
    fn a_missing_or_damaged_content_file_stops_the_load() {
        let path = temp_path("state.json");
        let file = Arc::new(StateFile::new(path.clone()));
        let mut state = populated();
        let id = upload(&mut state, &file, b"content");
        file.snapshot(&state, 1).write().expect("written");
        let content = file.contents().path().join(id.as_str());

        fs::write(&content, b"CONTENT").expect("damaged");
        let message = file
            .load_into(&mut new_state())
            .expect_err("refused")
            .to_string();
        assert!(
            message.contains(&format!("the content of file {id}")),
            "{message}"
        );
        assert!(message.contains("is damaged"), "{message}");

        fs::remove_file(&content).expect("removed");
        let message = file
            .load_into(&mut new_state())
            .expect_err("refused")
            .to_string();
        assert!(message.contains("cannot be read"), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
        let _ = fs::remove_dir_all(path.parent().expect("dir"));
    }

    #[test]
    fn a_version_2_file_reads_with_no_files() {
        let path = temp_path("state.json");
        let file = Arc::new(StateFile::new(path.clone()));
        file.snapshot(&populated(), 1).write().expect("written");
        let mut value: serde_json::Value =
            serde_json::from_slice(&fs::read(&path).expect("read")).expect("JSON");
        let document = value.as_object_mut().expect("object");
        document.remove("files");
        document.insert("version".to_owned(), 2.into());
        fs::write(&path, value.to_string()).expect("written");
        let mut state = new_state();
        assert!(file.load_into(&mut state).expect("loads"));
        assert!(state.files.is_empty());
        assert_eq!(state.tokens.len(), 2);
        let _ = fs::remove_dir_all(path.parent().expect("dir"));
    }

    #[test]
    fn an_older_snapshot_never_overwrites_a_newer_one() {
        let path = temp_path("state.json");
        let file = Arc::new(StateFile::new(path.clone()));
        let mut state = populated();
        let older = file.snapshot(&state, 1);
        state.tokens = crate::state::TokenStore::default();
        let newer = file.snapshot(&state, 2);
        newer.write().expect("written");
        older.write().expect("skipped");
        let mut restored = new_state();
        file.load_into(&mut restored).expect("loads");
        assert!(restored.tokens.is_empty(), "the newer snapshot stays");
        let _ = fs::remove_dir_all(path.parent().expect("dir"));
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let path = temp_path("state.json");
        let file = Arc::new(StateFile::new(path.clone()));
        file.snapshot(&populated(), 1).write().expect("written");
        let mode = fs::metadata(&path).expect("exists").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let _ = fs::remove_dir_all(path.parent().expect("dir"));
    }

    #[test]
    fn a_missing_file_is_an_empty_state() {
        let path = temp_path("absent.json");
        let mut state = new_state();
        assert!(
            !StateFile::new(path.clone())
                .load_into(&mut state)
                .expect("ok")
        );
        assert!(state.tokens.is_empty());
        let _ = fs::remove_dir_all(path.parent().expect("dir"));
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let cases: [(&str, &str); 6] = [
            ("", "corrupt (not valid JSON"),
            (
                "{\"version\":1,\"clockOffsetMs\":0,",
                "corrupt (not valid JSON",
            ),
            ("{\"tokens\":[]}", "no \"version\""),
            ("{\"version\":4}", "unknown format version 4"),
            ("{\"version\":\"1\"}", "unknown format version \"1\""),
            (
                "{\"version\":1,\"clockOffsetMs\":0,\"clients\":[],\"devices\":[],\"tokens\":[{\"id\":\"nope\"}]}",
                "corrupt (",
            ),
        ];
        for (content, expected) in cases {
            let path = temp_path("state.json");
            fs::write(&path, content).expect("written");
            let error = StateFile::new(path.clone())
                .load_into(&mut new_state())
                .expect_err(content);
            let message = error.to_string();
            assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{message}");
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(message.contains(expected), "{content:?}: {message}");
            let _ = fs::remove_dir_all(path.parent().expect("dir"));
        }
    }

    /// The document `fb80814` wrote (from `tests/fixtures/local-mode-fb80814`, shortened).
    const RELEASED_VERSION_1: &str = r#"{
      "version": 1, "clockOffsetMs": 0,
      "clients": [{"clientId": "sim-client-tEDxsR9G", "clientSecret": "UDEtVDrBBY13rylCDa3tHvWiJy2pYAWG"}],
      "devices": [{"username": "USRWJ58up37Fh49yfPhW", "password": "HzgUftPoXxqBMJoJbSQ65t4w",
                   "address": "did:e:localhost:dids:b326c0a4e5a87dc1cbdb97", "deviceId": "DVCpa9FSU7shPoESFNai"}],
      "tokens": [{"id": "TOKPRtMN1qSr8JOzmCDy", "createdBy": "did:e:localhost:dids:b326c0a4e5a87dc1cbdb97",
                  "createdByDevice": "DVCpa9FSU7shPoESFNai", "createdAt": "2026-12-02T20:20:41.123456789Z",
                  "expiresAt": "2027-12-02T20:20:30.420Z", "content": "AAEC/w==", "forIdentity": null,
                  "password": "c2VjcmV0", "accessFailedCount": 2, "allocations": [], "sequence": 1}]
    }"#;

    #[test]
    fn a_released_version_1_file_reads() {
        let path = temp_path("state.json");
        fs::write(&path, RELEASED_VERSION_1).expect("written");
        let mut state = new_state();
        assert!(
            StateFile::new(path.clone())
                .load_into(&mut state)
                .expect("loads")
        );
        let token = state
            .tokens
            .get(&TokenId::parse("TOKPRtMN1qSr8JOzmCDy").expect("id"))
            .expect("the token is kept");
        assert_eq!(token.content.as_deref(), Some(&[0, 1, 2, 255][..]));
        assert_eq!(token.password.as_deref(), Some(&b"secret"[..]));
        assert_eq!(token.access_failed_count, 2);
        assert_eq!(
            state.accounts.devices()[0].username.as_str(),
            "USRWJ58up37Fh49yfPhW"
        );
        assert_eq!(state.accounts.clients()[0].max_identities, None);
        assert!(state.identities.is_empty() && state.challenges.is_empty());
        let _ = fs::remove_dir_all(path.parent().expect("dir"));
    }

    #[test]
    fn a_device_of_an_identity_not_in_the_file_is_corruption() {
        let path = temp_path("state.json");
        let file = Arc::new(StateFile::new(path.clone()));
        file.snapshot(&populated(), 1).write().expect("written");
        let mut value: serde_json::Value =
            serde_json::from_slice(&fs::read(&path).expect("read")).expect("JSON");
        value["identities"] = serde_json::json!([]);
        fs::write(&path, value.to_string()).expect("written");
        let message = file
            .load_into(&mut new_state())
            .expect_err("refused")
            .to_string();
        assert!(message.contains("which is not in it"), "{message}");
        let _ = fs::remove_dir_all(path.parent().expect("dir"));
    }

    #[test]
    fn upgrades_run_from_the_files_version_on_in_order() {
        fn add_a(mut document: Map<String, Value>) -> Result<Map<String, Value>, String> {
            assert_eq!(document["version"], 1, "step 1 sees version 1");
            document.insert("steps".to_owned(), Value::from("a"));
            Ok(document)
        }
        fn add_b(mut document: Map<String, Value>) -> Result<Map<String, Value>, String> {
            assert_eq!(document["version"], 2, "step 2 sees version 2");
            let before = document.get("steps").and_then(Value::as_str).unwrap_or("");
            document.insert("steps".to_owned(), Value::from(format!("{before}b")));
            Ok(document)
        }
        fn refuse(_: Map<String, Value>) -> Result<Map<String, Value>, String> {
            Err("no way".to_owned())
        }
        let document = |version: u64| match serde_json::json!({"version": version}) {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        let steps: [Upgrade; 2] = [add_a, add_b];
        let from_1 = upgrade(document(1), 1, &steps).expect("upgrades");
        assert_eq!(
            (from_1["version"].clone(), from_1["steps"].clone()),
            (3.into(), "ab".into())
        );
        let from_2 = upgrade(document(2), 2, &steps).expect("upgrades");
        assert_eq!(
            (from_2["version"].clone(), from_2["steps"].clone()),
            (3.into(), "b".into())
        );
        let current = upgrade(document(3), 3, &steps).expect("nothing to do");
        assert_eq!(current, document(3));
        assert_eq!(
            upgrade(document(1), 1, &[add_a, refuse]),
            Err("cannot upgrade it from version 2: no way".to_owned())
        );
    }

    #[test]
    fn a_newer_version_says_what_to_do() {
        let path = temp_path("state.json");
        let newer = FORMAT_VERSION + 1;
        let text = format!("{{\"version\":{newer},\"identities\":[]}}");
        fs::write(&path, &text).expect("written");
        let message = StateFile::new(path.clone())
            .load_into(&mut new_state())
            .expect_err("refused")
            .to_string();
        assert!(
            message.contains(&format!("unknown format version {newer}")),
            "{message}"
        );
        assert!(
            message.contains("written by a newer backbone-sim"),
            "{message}"
        );
        assert!(
            message.contains("run that newer version on it"),
            "{message}"
        );
        assert_eq!(
            fs::read_to_string(&path).expect("kept"),
            text,
            "left untouched"
        );
        let _ = fs::remove_dir_all(path.parent().expect("dir"));
    }

    #[test]
    fn a_token_listed_twice_is_corruption() {
        let path = temp_path("state.json");
        let file = Arc::new(StateFile::new(path.clone()));
        file.snapshot(&populated(), 1).write().expect("written");
        let mut value: serde_json::Value =
            serde_json::from_slice(&fs::read(&path).expect("read")).expect("JSON");
        let first = value["tokens"][0].clone();
        value["tokens"].as_array_mut().expect("tokens").push(first);
        fs::write(&path, value.to_string()).expect("written");
        let message = file
            .load_into(&mut new_state())
            .expect_err("refused")
            .to_string();
        assert!(message.contains("appears twice"), "{message}");
        let _ = fs::remove_dir_all(path.parent().expect("dir"));
    }
}
