//! Local mode: with no Backbone configured, the service runs the Backbone simulator in-process
//! on loopback, onboards its own identity there exactly as on a real Backbone, and gets a
//! generated API key and a demo File uploaded there, so a newcomer can create a token with one
//! command.
//! Everything it makes is kept in the data directory (`local-mode.json`, `backbone-sim.json`,
//! `secrets.key`, the database), so tokens and the identity survive a restart. Tokens made here
//! exist only in this simulator: no peer elsewhere can open them.
//!
//! `local-mode.json` carries a format version. The reader takes the current version and every
//! older one, upgrading an older document in memory one step at a time (one function per step,
//! in `UPGRADES`); the file is then rewritten in the current version. A newer version is
//! refused, naming it and what to do. Version 1 held a device the simulator was seeded with;
//! version 2 keeps it as `configuredDevice` (such a directory goes on using it, so its tokens
//! stay its own) and new directories have none: they onboard.
//!
//! The simulator speaks in its own types (`backbone_sim::ids`), on purpose independent of the
//! connector's; they are converted into domain types here, and a value one side makes that the
//! other refuses stops local mode with a bug report instead of being papered over.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use application::files::upload_own::{UploadOwnFile, UploadOwnFileError};
use application::ports::{FileRepository, RepositoryError};
use backbone_sim::{PlatformClient, RunningSimulator, SeededDevice, SimulatorConfig};
use domain::{AddressDomain, DeviceId, DeviceUsername, FileId, IdentityAddress, SecretKey};
use rand::RngCore;
use rand::rngs::OsRng;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::config::{
    BackboneConfig, IdentityConfig, IdentitySource, OnboardingConfig, RemoteBackbone, SecretsKey,
    api_key_weakness, parse_secrets_key,
};
use crate::demo::demo_upload;

const STATE_FILE: &str = "local-mode.json";
const SIMULATOR_STATE_FILE: &str = "backbone-sim.json";
const SECRETS_KEY_FILE: &str = "secrets.key";
/// The version written; every older one is read.
const STATE_VERSION: u64 = 2;
/// `UPGRADES[n - 1]` turns a version-`n` document into version `n + 1`; the length ties it to
/// [`STATE_VERSION`], so raising the version without its step does not compile.
const UPGRADES: [Upgrade; STATE_VERSION as usize - 1] = [keep_the_seeded_device];
type Upgrade = fn(JsonObject) -> Result<JsonObject, String>;
type JsonObject = serde_json::Map<String, serde_json::Value>;
/// Local identities live in the `localhost` address domain, like the reference's dev setups.
const ADDRESS_DOMAIN: &str = "localhost";

/// What local mode set up; the simulator runs as long as this lives.
#[derive(Debug)]
pub struct LocalBackbone {
    pub simulator: RunningSimulator,
    pub remote: RemoteBackbone,
    pub api_key: SecretString,
    pub data_directory: PathBuf,
    state: LocalState,
    state_path: PathBuf,
}

/// Why local mode could not start; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum LocalModeError {
    #[error("cannot use the data directory {path}: {source}")]
    DataDirectory {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a local-mode file this version can read ({reason}); move it away to start afresh (its tokens are then lost)"
    )]
    State { path: String, reason: String },
    #[error(
        "{path} has format version {version}, written by a newer connector (this one reads versions 1 to {STATE_VERSION}); run that newer connector on this data directory"
    )]
    NewerState { path: String, version: u64 },
    #[error(
        "the built-in Backbone and the connector disagree about the local identity ({0}); this is a bug, please report it"
    )]
    Identity(String),
    #[error(
        "the built-in Backbone cannot listen on 127.0.0.1:{port}, the port the references of its earlier tokens point to; free that port (`ss -ltnp 'sport = :{port}'` shows who holds it) and start again, or set \"simulatorPort\" to 0 in {path} to move to a free port (references handed out before then no longer open)"
    )]
    Simulator {
        port: u16,
        path: String,
        source: std::io::Error,
    },
    #[error("could not read the demo File from the database")]
    DemoFile(#[from] RepositoryError),
    #[error("could not upload the demo File to the built-in Backbone")]
    DemoUpload(#[from] UploadOwnFileError),
}

/// Credentials and choices kept across restarts. `0600` on disk: it holds secrets.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LocalState {
    version: u64,
    simulator_port: u16,
    client_id: String,
    client_secret: String,
    api_key: String,
    demo_file: Option<FileId>,
    /// The device a version-1 directory was seeded with; `None`: the identity is onboarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    configured_device: Option<ConfiguredDevice>,
}

/// A device the simulator is seeded with (directories written before onboarding existed).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfiguredDevice {
    device_username: DeviceUsername,
    device_password: String,
    address: IdentityAddress,
    device_id: DeviceId,
}

impl std::fmt::Debug for LocalState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalState")
            .field("simulator_port", &self.simulator_port)
            .field("demo_file", &self.demo_file)
            .finish_non_exhaustive()
    }
}

impl LocalState {
    /// A new platform client; the identity is onboarded on the simulator.
    fn new() -> Self {
        let client = PlatformClient::random();
        Self {
            version: STATE_VERSION,
            simulator_port: 0,
            client_id: client.client_id,
            client_secret: client.client_secret,
            api_key: generate_api_key(),
            demo_file: None,
            configured_device: None,
        }
    }
}

impl ConfiguredDevice {
    /// The device in the simulator's terms.
    fn seeded(&self) -> Result<SeededDevice, LocalModeError> {
        let mismatch = |error: backbone_sim::IdError| LocalModeError::Identity(error.to_string());
        Ok(SeededDevice {
            username: backbone_sim::DeviceUsername::parse(self.device_username.as_str())
                .map_err(mismatch)?,
            password: self.device_password.clone(),
            address: backbone_sim::IdentityAddress::parse(self.address.as_str())
                .map_err(mismatch)?,
            device_id: backbone_sim::DeviceId::parse(self.device_id.as_str()).map_err(mismatch)?,
        })
    }

    fn identity(&self) -> IdentityConfig {
        IdentityConfig {
            address: self.address.clone(),
            device_id: self.device_id.clone(),
            device_username: self.device_username.clone(),
            device_password: self.device_password.clone().into(),
        }
    }
}

/// Version 1 → 2: the seeded device's four fields move into `configuredDevice`.
fn keep_the_seeded_device(mut document: JsonObject) -> Result<JsonObject, String> {
    let mut device = JsonObject::new();
    for field in ["deviceUsername", "devicePassword", "address", "deviceId"] {
        let value = document
            .remove(field)
            .ok_or_else(|| format!("it has no \"{field}\""))?;
        device.insert(field.to_owned(), value);
    }
    document.insert("configuredDevice".to_owned(), device.into());
    Ok(document)
}

/// Starts (or resumes) local mode in `data_directory`. A configured API key or secrets key wins
/// over the generated one.
///
/// # Errors
/// A [`LocalModeError`] saying what to fix.
pub async fn start(
    data_directory: &Path,
    configured_api_key: Option<&SecretString>,
    configured_secrets_key: Option<&SecretsKey>,
) -> Result<LocalBackbone, LocalModeError> {
    let data_error = |source| LocalModeError::DataDirectory {
        path: data_directory.display().to_string(),
        source,
    };
    std::fs::create_dir_all(data_directory).map_err(data_error)?;
    let data_directory = data_directory.canonicalize().map_err(data_error)?;
    let state_path = data_directory.join(STATE_FILE);
    let mut state = load(&state_path)?.unwrap_or_else(LocalState::new);

    let mut simulator_config = SimulatorConfig::new()
        .with_bind(SocketAddr::from((
            Ipv4Addr::LOCALHOST,
            state.simulator_port,
        )))
        .with_client(PlatformClient::new(
            state.client_id.clone(),
            state.client_secret.clone(),
        ))
        .with_did_domain(ADDRESS_DOMAIN)
        .with_state_file(data_directory.join(SIMULATOR_STATE_FILE));
    if let Some(device) = &state.configured_device {
        simulator_config = simulator_config.with_device(device.seeded()?);
    }
    let simulator = backbone_sim::start(simulator_config)
        .await
        .map_err(|source| LocalModeError::Simulator {
            port: state.simulator_port,
            path: state_path.display().to_string(),
            source,
        })?;
    state.simulator_port = simulator.local_addr().port();
    save(&state_path, &state)?;

    let api_key = configured_api_key
        .cloned()
        .unwrap_or_else(|| SecretString::from(state.api_key.clone()));
    if let Some(weakness) = api_key_weakness(api_key.expose_secret()) {
        tracing::warn!(
            "the configured API key is weak ({weakness}); accepted only because this is local mode"
        );
    }
    let identity = match &state.configured_device {
        Some(device) => IdentitySource::Configured(device.identity()),
        None => IdentitySource::Onboarded(OnboardingConfig {
            address_domain: AddressDomain::parse(ADDRESS_DOMAIN)
                .unwrap_or_else(|_| unreachable!("a valid domain")),
            allow_identity_creation: true,
            secrets_key: match configured_secrets_key {
                Some(key) => key.clone(),
                None => secrets_key(&data_directory.join(SECRETS_KEY_FILE))?,
            },
        }),
    };
    let remote = RemoteBackbone {
        backbone: BackboneConfig {
            base_url: simulator.base_url(),
            platform_client_id: state.client_id.clone(),
            platform_client_secret: state.client_secret.clone().into(),
        },
        identity,
    };
    Ok(LocalBackbone {
        simulator,
        remote,
        api_key,
        data_directory,
        state,
        state_path,
    })
}

impl LocalBackbone {
    /// The demo File: uploaded through `upload` at the first start, and again when the stored
    /// one is gone from the database.
    ///
    /// A directory of an earlier release keeps its demo File as it is (a row without content,
    /// named by the tokens made for it, which stay as they are), and a real one is uploaded next
    /// to it and becomes the demo File. Why not go on showing the old one: it has nothing to
    /// download and nothing on the Backbone, so the banner would offer a demo that cannot be
    /// downloaded or opened; with the new one every curl of the banner works on every data
    /// directory, and the old id still serves whoever kept it.
    ///
    /// # Errors
    /// [`LocalModeError::DemoFile`] when the lookup fails, `DemoUpload` when the upload fails,
    /// `DataDirectory` when the state file cannot be written.
    pub async fn demo_file(
        &mut self,
        files: &dyn FileRepository,
        upload: &UploadOwnFile,
    ) -> Result<FileId, LocalModeError> {
        let stored = match &self.state.demo_file {
            Some(id) => files.find_file(id).await?,
            None => None,
        };
        let id = match stored {
            Some(file) if file.content.is_some() => file.id,
            stored => {
                let uploaded = upload.execute(demo_upload()).await?;
                if let Some(old) = stored {
                    tracing::info!(
                        old = %old.id,
                        new = %uploaded.id,
                        "the demo File of an earlier release has no content; it is kept with its \
                         tokens, and a real demo File was uploaded next to it"
                    );
                }
                uploaded.id
            }
        };
        if self.state.demo_file.as_ref() != Some(&id) {
            self.state.demo_file = Some(id.clone());
            save(&self.state_path, &self.state)?;
        }
        Ok(id)
    }
}

/// The data directory's secrets key, generated (`0600`) at the first start.
fn secrets_key(path: &Path) -> Result<SecretsKey, LocalModeError> {
    let invalid = |reason: String| LocalModeError::State {
        path: path.display().to_string(),
        reason,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => parse_secrets_key(&text).map_err(invalid),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 32];
            OsRng.fill_bytes(&mut bytes);
            let key = SecretKey::from_bytes(bytes);
            write_private(path, format!("{}\n", key.to_b64url()).as_bytes()).map_err(|source| {
                LocalModeError::DataDirectory {
                    path: path.display().to_string(),
                    source,
                }
            })?;
            Ok(SecretsKey(key))
        }
        Err(error) => Err(invalid(error.to_string())),
    }
}

fn load(path: &Path) -> Result<Option<LocalState>, LocalModeError> {
    let invalid = |reason: String| LocalModeError::State {
        path: path.display().to_string(),
        reason,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(invalid(error.to_string())),
    };
    let document: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    let serde_json::Value::Object(document) = document else {
        return Err(invalid("not a JSON object".to_owned()));
    };
    let version = match document.get("version") {
        None => return Err(invalid("it has no \"version\"".to_owned())),
        Some(version) => match version.as_u64() {
            Some(number @ 1..=STATE_VERSION) => number,
            Some(number) if number > STATE_VERSION => {
                return Err(LocalModeError::NewerState {
                    path: path.display().to_string(),
                    version: number,
                });
            }
            _ => return Err(invalid(format!("unknown format version {version}"))),
        },
    };
    let current = upgrade(document, version, &UPGRADES).map_err(invalid)?;
    serde_json::from_value(serde_json::Value::Object(current))
        .map(Some)
        .map_err(|e| invalid(e.to_string()))
}

/// Applies the steps from `version` up, each stamping the version it produced.
fn upgrade(
    mut document: JsonObject,
    version: u64,
    steps: &[Upgrade],
) -> Result<JsonObject, String> {
    let first = usize::try_from(version - 1).unwrap_or(usize::MAX);
    for (index, step) in steps.iter().enumerate().skip(first) {
        document = step(document)
            .map_err(|reason| format!("cannot upgrade it from version {}: {reason}", index + 1))?;
        document.insert(
            "version".to_owned(),
            serde_json::Value::from(index as u64 + 2),
        );
    }
    Ok(document)
}

/// Writes atomically (temporary file, then rename), readable by the owner only.
fn save(path: &Path, state: &LocalState) -> Result<(), LocalModeError> {
    let error = |source| LocalModeError::DataDirectory {
        path: path.display().to_string(),
        source,
    };
    let json =
        serde_json::to_vec_pretty(state).unwrap_or_else(|_| unreachable!("plain data serialises"));
    let temporary = path.with_extension("json.tmp");
    write_private(&temporary, &json).map_err(error)?;
    std::fs::rename(&temporary, path).map_err(error)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// A key that meets the Connector's strength policy: 32 random bytes as base64url, with a
/// fixed tail that guarantees every character class.
fn generate_api_key() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("{}-Lk9-Xq7", domain::encoding::b64url(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_api_keys_are_strong_and_distinct() {
        let (a, b) = (generate_api_key(), generate_api_key());
        assert_eq!(api_key_weakness(&a), None);
        assert_ne!(a, b);
    }

    #[test]
    fn state_round_trips_and_other_versions_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(STATE_FILE);
        assert!(load(&path).unwrap().is_none());
        let state = LocalState::new();
        save(&path, &state).unwrap();
        let loaded = load(&path).unwrap().unwrap();
        assert_eq!(
            (loaded.client_id, loaded.api_key),
            (state.client_id, state.api_key)
        );
        assert!(loaded.configured_device.is_none());
        #[cfg(unix)]
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(
                &std::fs::metadata(&path).unwrap().permissions()
            ) & 0o777,
            0o600
        );

        std::fs::write(
            &path,
            std::fs::read_to_string(&path)
                .unwrap()
                .replace("\"version\": 2", "\"version\": 9"),
        )
        .unwrap();
        assert!(
            load(&path)
                .unwrap_err()
                .to_string()
                .contains("format version 9")
        );
        std::fs::write(&path, "{").unwrap();
        assert!(matches!(load(&path), Err(LocalModeError::State { .. })));
    }

    #[test]
    fn the_released_version_1_file_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(STATE_FILE);
        // As `fb80814` wrote it (tests/fixtures/local-mode-fb80814).
        std::fs::write(
            &path,
            r#"{"version": 1, "simulatorPort": 43507, "clientId": "sim-client-tEDxsR9G",
                "clientSecret": "UDEtVDrBBY13rylCDa3tHvWiJy2pYAWG",
                "deviceUsername": "USRWJ58up37Fh49yfPhW", "devicePassword": "HzgUftPoXxqBMJoJbSQ65t4w",
                "address": "did:e:localhost:dids:b326c0a4e5a87dc1cbdb97",
                "deviceId": "DVCpa9FSU7shPoESFNai",
                "apiKey": "4ml6gRtqKT2uh0w51bAW2RJaMKmj7ycEQABJoOTZ67I-Lk9-Xq7",
                "demoFile": "FILPqfi2HIzgvQddu7fU"}"#,
        )
        .unwrap();
        let loaded = load(&path).unwrap().unwrap();
        assert_eq!(loaded.simulator_port, 43507);
        assert_eq!(loaded.version, STATE_VERSION);
        // It keeps the device it was seeded with, so its tokens stay its own.
        let device = loaded.configured_device.as_ref().unwrap();
        assert_eq!(
            device.address.as_str(),
            "did:e:localhost:dids:b326c0a4e5a87dc1cbdb97"
        );
        assert_eq!(
            device.seeded().unwrap().address.as_str(),
            device.address.as_str()
        );
    }

    #[test]
    fn the_secrets_key_is_generated_once_private_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SECRETS_KEY_FILE);
        let first = secrets_key(&path).unwrap();
        #[cfg(unix)]
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(
                &std::fs::metadata(&path).unwrap().permissions()
            ) & 0o777,
            0o600
        );
        let again = secrets_key(&path).unwrap();
        assert_eq!(first.0, again.0);
        std::fs::write(&path, "not a key").unwrap();
        assert!(matches!(
            secrets_key(&path),
            Err(LocalModeError::State { .. })
        ));
    }

    #[test]
    fn a_newer_version_names_itself_and_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(STATE_FILE);
        std::fs::write(&path, format!("{{\"version\": {}}}", STATE_VERSION + 1)).unwrap();
        let message = load(&path).unwrap_err().to_string();
        assert!(
            message.contains(&format!("format version {}", STATE_VERSION + 1)),
            "{message}"
        );
        assert!(message.contains("run that newer connector"), "{message}");
        for refused in [r#"{"version": 0}"#, r#"{"version": "1"}"#, "{}", "[]"] {
            std::fs::write(&path, refused).unwrap();
            assert!(
                matches!(load(&path), Err(LocalModeError::State { .. })),
                "{refused}"
            );
        }
    }

    #[test]
    fn upgrades_run_from_the_files_version_on_in_order() {
        fn step_a(mut document: JsonObject) -> Result<JsonObject, String> {
            assert_eq!(document["version"], 1);
            document.insert("trail".into(), "a".into());
            Ok(document)
        }
        fn step_b(mut document: JsonObject) -> Result<JsonObject, String> {
            assert_eq!(document["version"], 2);
            let trail = document.get("trail").and_then(|t| t.as_str()).unwrap_or("");
            document.insert("trail".into(), format!("{trail}b").into());
            Ok(document)
        }
        let document = |version: u64| {
            let mut map = JsonObject::new();
            map.insert("version".into(), version.into());
            map
        };
        let steps: [Upgrade; 2] = [step_a, step_b];
        let upgraded = upgrade(document(1), 1, &steps).unwrap();
        assert_eq!(
            (&upgraded["version"], &upgraded["trail"]),
            (&3.into(), &"ab".into())
        );
        let upgraded = upgrade(document(2), 2, &steps).unwrap();
        assert_eq!(
            (&upgraded["version"], &upgraded["trail"]),
            (&3.into(), &"b".into())
        );
        assert_eq!(upgrade(document(3), 3, &steps).unwrap(), document(3));
    }
}
