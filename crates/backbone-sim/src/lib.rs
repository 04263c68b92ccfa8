//! A faithful in-memory simulator of the enmeshed Backbone (identity onboarding through
//! `/api/v2/Challenges`, `/api/v2/Identities` and `/api/v2/SyncRuns`, logins at
//! `/connect/token`, `/api/v2/Tokens`, `/api/v2/Files` (and `/api/v1/Files`),
//! `/api/v2/Version`), with fault injection, for tests, benchmarks and the zero-setup local
//! mode.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use backbone_sim::{Fault, PlatformClient, SeededDevice, SimulatorConfig};
//!
//! let device = SeededDevice::random("localhost");
//! let config = SimulatorConfig::new().with_client(PlatformClient::random()).with_device(device);
//! let sim = backbone_sim::start(config).await?;
//! sim.faults().inject(Fault::error_500().on("POST", "/api/v2/Tokens"));
//! // ... point a client at sim.base_url() ...
//! assert_eq!(sim.token_count(), 0);
//! sim.stop().await;
//! # Ok(())
//! # }
//! ```
//!
//! Behaviour follows `shared/spec/backbone-api.md`, `shared/spec/identity-onboarding.md`,
//! `shared/spec/files.md` and the Backbone's source; onboarding's checks are in [`onboarding`],
//! an upload's in [`upload`], the admin API is described in [`admin`], faults in [`faults`].

pub mod admin;
pub mod auth;
pub mod config;
mod connection;
pub mod encoding;
pub mod envelope;
pub mod faults;
mod headers;
pub mod ids;
pub mod onboarding;
pub mod persist;
mod routes;
pub mod state;
pub mod upload;
pub mod validation;

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;

pub use config::{PasswordPolicy, PlatformClient, SeededDevice, SimulatorConfig};
pub use faults::{Fault, FaultKind, Faults, PendingFault};
pub use ids::{
    ChallengeId, DeviceId, DeviceUsername, FileId, IdError, IdentityAddress, SyncRunId, TokenId,
};
pub use state::challenges::Challenge;
pub use state::files::{FileMetadata, OwnershipToken, StoredFile};
pub use state::identities::{Identity, IdentityDevice};
pub use state::{Allocation, Token};

use crate::auth::Accounts;
use crate::persist::StateFile;
use crate::state::{Rules, SimState};

/// How long an idle keep-alive connection stays open: Kestrel's default, as the Backbone's.
/// actix's own default (5 s) is shorter than the connector's pool idle timeout (30 s), so its
/// pool would keep connections the simulator has already closed; under load one such
/// connection picked just as its close arrives failed a request.
const KEEP_ALIVE: Duration = Duration::from_secs(130);

/// Where the admin API lives; faults never apply below it.
pub const ADMIN_PREFIX: &str = "/_sim";

pub(crate) type Shared = Arc<Mutex<SimState>>;

/// Locks the state; a panic in another request must not take the simulator down with it.
pub(crate) fn lock(state: &Mutex<SimState>) -> MutexGuard<'_, SimState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts a simulator on `config.bind` (port 0 picks a free port) and returns once it listens.
/// Must be called within a Tokio runtime; the server runs on its own worker threads.
///
/// With a state file ([`SimulatorConfig::with_state_file`]) it first loads that file, if it
/// exists, merges the configured clients and devices into it and writes the result back.
///
/// # Errors
/// If the address cannot be bound, or the state file cannot be read or written, is corrupt or
/// has an unknown format version (the message names the file and the problem).
pub async fn start(config: SimulatorConfig) -> io::Result<RunningSimulator> {
    check_did_domain(&config.did_domain)?;
    let mut state = SimState::new(Accounts::new(
        config.access_token_lifetime,
        config.login_lockout,
    ));
    state.rules = Rules {
        did_domain: config.did_domain.clone(),
        password_policy: config.password_policy,
    };
    if let Some(path) = config.state_file {
        let file = Arc::new(StateFile::new(path));
        if file.load_into(&mut state)? {
            tracing::info!(
                path = %file.path().display(),
                tokens = state.tokens.len(),
                files = state.files.len(),
                "state loaded"
            );
        }
        state.attach_state_file(file);
    }
    // After the loaded ones, so the configured clients and devices win on conflicts.
    for client in config.clients {
        state.accounts.add_client(client);
    }
    for device in config.devices {
        state.accounts.add_device(device);
    }
    // Bound before the state file is written, so a start refused for a taken port changes
    // nothing on disk (not even the format version of an upgraded file).
    let listener = TcpListener::bind(config.bind)?;
    if let Some(pending) = state.persist() {
        pending.write()?;
    }
    if let Some(dir) = state.content_dir() {
        // What a crash between a content write and the state write can leave behind; only once
        // the start can no longer be refused, like the write above.
        let listed = state.files.all().into_iter().map(|file| file.id).collect();
        dir.remove_unreferenced(&listed);
    }
    let shared: Shared = Arc::new(Mutex::new(state));
    let faults = Faults::new(shared.clone());

    let local_addr = listener.local_addr()?;
    let state_data = web::Data::from(shared.clone());
    let faults_data = web::Data::new(faults.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state_data.clone())
            .app_data(faults_data.clone())
            .configure(admin::configure)
            .configure(routes::configure)
            .default_service(web::to(|| async { HttpResponse::NotFound().finish() }))
            .wrap(from_fn(faults::apply))
            .wrap(from_fn(headers::apply))
    })
    .workers(config.workers.max(1))
    .keep_alive(KEEP_ALIVE)
    .disable_signals()
    .shutdown_timeout(5)
    .on_connect(connection::register)
    .listen(listener)?
    .run();
    let handle = server.handle();
    let task = tokio::spawn(server);
    tracing::info!(%local_addr, "backbone simulator listening");
    Ok(RunningSimulator {
        local_addr,
        shared,
        faults,
        server: handle,
        task: Some(task),
    })
}

/// The Backbone requires 3 to 45 characters, and the address pattern a domain whose last label
/// is letters.
fn check_did_domain(domain: &str) -> io::Result<()> {
    let fits = (3..=45).contains(&domain.len())
        && IdentityAddress::from_public_key(&[0; 32], domain).is_ok();
    if fits {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "'{domain}' cannot be the DID domain: it must be 3 to 45 characters of lowercase \
             labels ending in letters (e.g. localhost), as in an identity address"
        ),
    ))
}

/// An identity created by onboarding, with its datawallet version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityInfo {
    pub identity: Identity,
    /// `None` until a `DatawalletVersionUpgrade` sync run is finalized.
    pub datawallet_version: Option<u16>,
}

/// A started simulator. Dropping it stops the server without waiting; [`Self::stop`] waits.
#[derive(Debug)]
pub struct RunningSimulator {
    local_addr: SocketAddr,
    shared: Shared,
    faults: Faults,
    server: ServerHandle,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl RunningSimulator {
    /// `http://IP:PORT`, without trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Fault injection for this simulator.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    fn state(&self) -> MutexGuard<'_, SimState> {
        lock(&self.shared)
    }

    /// Makes a change and saves it to the state file, if there is one, before returning. A
    /// failed write is logged; the state file catches up with the next change that is saved.
    fn change(&self, change: impl FnOnce(&mut SimState)) {
        let pending = {
            let mut state = self.state();
            change(&mut state);
            state.persist()
        };
        if let Some(pending) = pending
            && let Err(error) = pending.write()
        {
            tracing::error!(%error, "state change not saved");
        }
    }

    /// How many tokens exist (expired ones included).
    pub fn token_count(&self) -> usize {
        self.state().tokens.len()
    }

    /// A snapshot of every token, oldest first.
    pub fn tokens(&self) -> Vec<Token> {
        self.state().tokens.all()
    }

    /// The token with this id, if there is one (an id that is not a token id finds nothing).
    pub fn token(&self, id: &str) -> Option<Token> {
        let id = TokenId::parse(id).ok()?;
        self.state().tokens.get(&id).cloned()
    }

    /// A snapshot of every file's metadata, oldest first (expired ones included until the
    /// housekeeping of a later upload drops them).
    pub fn files(&self) -> Vec<FileMetadata> {
        self.state().files.all()
    }

    /// The file with this id and its content, read from memory or its content file (an id
    /// that is not a file id finds nothing).
    pub fn file(&self, id: &str) -> Option<StoredFile> {
        let id = FileId::parse(id).ok()?;
        let (metadata, in_memory, dir) = {
            let state = self.state();
            let metadata = state.files.get(&id)?.clone();
            (
                metadata,
                state.files.content_in_memory(&id),
                state.content_dir(),
            )
        };
        let content = match (in_memory, dir) {
            (Some(bytes), _) => bytes.to_vec(),
            (None, Some(dir)) => match dir.read(&id) {
                Ok(Some(bytes)) => bytes.to_vec(),
                Ok(None) => return None,
                Err(error) => {
                    tracing::error!(file_id = %id, %error, "file content unreadable");
                    return None;
                }
            },
            (None, None) => return None,
        };
        Some(StoredFile { metadata, content })
    }

    /// Adds a platform client (replacing one with the same id).
    pub fn add_client(&self, client: PlatformClient) {
        self.change(|state| state.accounts.add_client(client));
    }

    /// Adds a device login (replacing one with the same username).
    pub fn add_device(&self, device: SeededDevice) {
        self.change(|state| state.accounts.add_device(device));
    }

    /// Creates a new identity in `address_domain` with one device and returns its credentials.
    ///
    /// # Errors
    /// [`IdError`] if `address_domain` does not fit the address rule.
    pub fn create_device(&self, address_domain: &str) -> Result<SeededDevice, IdError> {
        let device = SeededDevice::try_random(address_domain)?;
        self.add_device(device.clone());
        Ok(device)
    }

    /// The platform clients, in the order they were added (loaded ones first).
    pub fn clients(&self) -> Vec<PlatformClient> {
        self.state().accounts.clients()
    }

    /// The device logins, in the order they were added (loaded ones first).
    pub fn devices(&self) -> Vec<SeededDevice> {
        self.state().accounts.devices()
    }

    /// The identities created by `POST /api/v2/Identities`, oldest first (configured devices'
    /// identities are not among them).
    pub fn identities(&self) -> Vec<IdentityInfo> {
        let state = self.state();
        state
            .identities
            .all()
            .into_iter()
            .map(|identity| IdentityInfo {
                datawallet_version: state.sync_runs.datawallet_version(&identity.address),
                identity,
            })
            .collect()
    }

    /// The created identity with this address, if there is one.
    pub fn identity(&self, address: &str) -> Option<IdentityInfo> {
        self.identities()
            .into_iter()
            .find(|info| info.identity.address.as_str() == address)
    }

    /// The datawallet version of any identity, configured devices' included; `None` before its
    /// first `DatawalletVersionUpgrade`.
    pub fn datawallet_version(&self, address: &str) -> Option<u16> {
        let address = IdentityAddress::parse(address).ok()?;
        self.state().sync_runs.datawallet_version(&address)
    }

    /// Every challenge still kept, oldest first.
    pub fn challenges(&self) -> Vec<Challenge> {
        self.state().challenges.all()
    }

    /// Stores `challenge` as if the Backbone had issued it (replacing one with the same id), so
    /// tests can replay signed requests with fixed challenge ids and expiry times.
    pub fn add_challenge(&self, challenge: Challenge) {
        self.change(|state| state.challenges.insert(challenge));
    }

    /// The simulator's "now" (wall clock plus any [`Self::advance_clock`]).
    pub fn now(&self) -> DateTime<Utc> {
        self.state().now()
    }

    /// Lets simulated time pass: tokens, access tokens and login lockouts expire accordingly.
    pub fn advance_clock(&self, by: Duration) {
        let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
        self.change(|state| state.advance_clock(by));
    }

    /// Stops accepting connections, lets requests in flight finish (up to 5 s) and waits.
    pub async fn stop(mut self) {
        self.server.stop(true).await;
        if let Some(task) = self.task.take()
            && let Err(error) = task.await
        {
            tracing::warn!(%error, "simulator task ended abnormally");
        }
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        if self.task.is_some() {
            // Sends the stop command right away; nobody waits for it to complete.
            drop(self.server.stop(false));
        }
    }
}
