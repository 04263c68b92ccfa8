//! What a simulator starts with: platform clients, device identities, lifetimes and the address
//! it binds to.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `clients` | none | platform clients accepted by `/connect/token` |
//! | `devices` | none | device logins (username, password) and the identity they act for |
//! | `access_token_lifetime` | 300 s | `expires_in` of issued access tokens |
//! | `login_lockout` | 60 s | how long a user stays locked after 3 failed logins |
//! | `bind` | `127.0.0.1:0` | listen address; port 0 picks a free port |
//! | `workers` | 1 | actix worker threads; one is plenty for an in-memory store |
//! | `state_file` | none | JSON file the state is kept in across restarts (see [`crate::persist`]); without it nothing is written anywhere |
//! | `did_domain` | `localhost` | the Backbone's `DidDomainName`: the domain of addresses derived at `POST /api/v2/Identities` |
//! | `password_policy` | production | the device password rules of `POST /api/v2/Identities` ([`PasswordPolicy`]) |
//!
//! A platform client's `max_identities` (default unlimited) caps how many identities can be
//! created with it, as the Backbone's `OAuthClient.MaxIdentities`.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

pub use crate::onboarding::PasswordPolicy;

use crate::ids::{DeviceId, DeviceUsername, IdentityAddress};
use rand::Rng;
use rand::distributions::Alphanumeric;

pub const DEFAULT_ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(300);
/// The real Backbone locks for 1 minute in development and 10 minutes in production; a
/// simulator serves development.
pub const DEFAULT_LOGIN_LOCKOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_ADDRESS_DOMAIN: &str = "localhost";
/// What every development and CI configuration of the Backbone sets as `DidDomainName`.
pub const DEFAULT_DID_DOMAIN: &str = "localhost";
pub const DEFAULT_WORKERS: usize = 1;

/// A platform client (`client_id` / `client_secret` of the OAuth password grant).
#[derive(Clone, PartialEq, Eq)]
pub struct PlatformClient {
    pub client_id: String,
    pub client_secret: String,
    /// How many identities `POST /api/v2/Identities` may create with this client; `None` is
    /// unlimited (the Backbone's default).
    pub max_identities: Option<u32>,
}

impl PlatformClient {
    /// A client without an identity limit.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            max_identities: None,
        }
    }

    /// The same client, allowed to create at most `max` identities.
    #[must_use]
    pub fn with_max_identities(mut self, max: u32) -> Self {
        self.max_identities = Some(max);
        self
    }

    /// A client with a random id and secret.
    pub fn random() -> Self {
        Self::new(
            format!("sim-client-{}", random_alphanumeric(8)),
            random_alphanumeric(32),
        )
    }
}

impl fmt::Debug for PlatformClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("max_identities", &self.max_identities)
            .finish()
    }
}

/// A device that can log in, and the identity it acts for.
#[derive(Clone, PartialEq, Eq)]
pub struct SeededDevice {
    pub username: DeviceUsername,
    pub password: String,
    pub address: IdentityAddress,
    pub device_id: DeviceId,
}

impl SeededDevice {
    /// A new identity in `address_domain` (e.g. `localhost`) with one device and random
    /// credentials.
    ///
    /// # Panics
    /// If `address_domain` does not fit the Backbone's address rule
    /// (`((?:[a-z0-9-]+\.)*[a-z]{2,})`); use [`SeededDevice::try_random`] to handle that.
    pub fn random(address_domain: &str) -> Self {
        match Self::try_random(address_domain) {
            Ok(device) => device,
            Err(error) => panic!("cannot create a device identity: {error}"),
        }
    }

    /// Like [`SeededDevice::random`].
    ///
    /// # Errors
    /// [`crate::ids::IdError`] if `address_domain` does not fit the address rule.
    pub fn try_random(address_domain: &str) -> Result<Self, crate::ids::IdError> {
        Ok(Self {
            username: DeviceUsername::random(),
            password: random_alphanumeric(24),
            address: IdentityAddress::random(address_domain)?,
            device_id: DeviceId::random(),
        })
    }
}

impl fmt::Debug for SeededDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeededDevice")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("address", &self.address)
            .field("device_id", &self.device_id)
            .finish()
    }
}

/// Everything a simulator starts with. `Default` is an empty Backbone on a free local port;
/// the `with_*` methods build on it.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    pub clients: Vec<PlatformClient>,
    pub devices: Vec<SeededDevice>,
    pub access_token_lifetime: Duration,
    pub login_lockout: Duration,
    pub bind: SocketAddr,
    pub workers: usize,
    /// Where the state survives restarts; `None` keeps everything in memory only.
    pub state_file: Option<PathBuf>,
    /// The domain of the addresses the simulator derives for new identities.
    pub did_domain: String,
    pub password_policy: PasswordPolicy,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            clients: Vec::new(),
            devices: Vec::new(),
            access_token_lifetime: DEFAULT_ACCESS_TOKEN_LIFETIME,
            login_lockout: DEFAULT_LOGIN_LOCKOUT,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            workers: DEFAULT_WORKERS,
            state_file: None,
            did_domain: DEFAULT_DID_DOMAIN.to_owned(),
            password_policy: PasswordPolicy::default(),
        }
    }
}

impl SimulatorConfig {
    pub fn new() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn with_client(mut self, client: PlatformClient) -> Self {
        self.clients.push(client);
        self
    }

    #[must_use]
    pub fn with_device(mut self, device: SeededDevice) -> Self {
        self.devices.push(device);
        self
    }

    #[must_use]
    pub fn with_access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_token_lifetime = lifetime;
        self
    }

    #[must_use]
    pub fn with_login_lockout(mut self, lockout: Duration) -> Self {
        self.login_lockout = lockout;
        self
    }

    #[must_use]
    pub fn with_bind(mut self, bind: SocketAddr) -> Self {
        self.bind = bind;
        self
    }

    #[must_use]
    pub fn with_port(mut self, port: u16) -> Self {
        self.bind.set_port(port);
        self
    }

    #[must_use]
    pub fn with_workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Keeps the state in `path` across restarts: [`crate::start`] loads it if it exists (and
    /// fails on a corrupt file or one of an unknown version) and every change is written to it
    /// before it is acknowledged. The clients and devices configured here are merged into the
    /// loaded ones and win on conflicts. See [`crate::persist`].
    #[must_use]
    pub fn with_state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// The Backbone's `DidDomainName`. [`crate::start`] refuses a domain that cannot appear in an
    /// address (the last label must be letters, so `127.0.0.1` is none) or is outside the
    /// Backbone's 3 to 45 characters.
    #[must_use]
    pub fn with_did_domain(mut self, domain: impl Into<String>) -> Self {
        self.did_domain = domain.into();
        self
    }

    #[must_use]
    pub fn with_password_policy(mut self, policy: PasswordPolicy) -> Self {
        self.password_policy = policy;
        self
    }
}

pub(crate) fn random_alphanumeric(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_devices_are_valid_backbone_identities() {
        let device = SeededDevice::random("localhost");
        assert!(IdentityAddress::parse(device.address.as_str()).is_ok());
        assert!(device.address.as_str().starts_with("did:e:localhost:dids:"));
        assert!(device.username.as_str().starts_with("USR"));
        assert!(device.device_id.as_str().starts_with("DVC"));
        assert_ne!(SeededDevice::random("localhost").address, device.address);
    }

    #[test]
    fn random_devices_reject_an_invalid_domain() {
        assert!(SeededDevice::try_random("Not A Domain").is_err());
    }

    #[test]
    fn debug_output_hides_secrets() {
        let device = SeededDevice::random("localhost");
        let client = PlatformClient::random();
        assert!(!format!("{device:?}").contains(&device.password));
        assert!(!format!("{client:?}").contains(&client.client_secret));
    }
}
