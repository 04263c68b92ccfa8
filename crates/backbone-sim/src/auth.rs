//! Logins and access tokens: the password grant of `/connect/token` with the Backbone's user
//! lockout, and the bearer tokens it issues (JWT-shaped, but only their lookup here counts).

use std::collections::HashMap;
use std::time::Duration;

use crate::encoding::b64url;
use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::config::{PlatformClient, SeededDevice, random_alphanumeric};
use crate::state::Caller;

/// Failed logins in a row that lock a user (ASP.NET Identity's `MaxFailedAccessAttempts`).
pub const MAX_FAILED_LOGINS: u32 = 3;

/// The password-grant fields of a `/connect/token` request.
#[derive(Debug, Clone, Default)]
pub struct LoginRequest {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub username: String,
    pub password: String,
}

/// Why a login failed; each maps to one OAuth error response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    #[error("client_id missing")]
    ClientIdMissing,
    #[error("unknown client_id")]
    UnknownClient,
    #[error("wrong client secret")]
    WrongClientSecret,
    #[error("username/password invalid")]
    InvalidGrant,
    #[error("user locked out")]
    LockedOut,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
}

/// What a request's bearer token amounts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bearer {
    Missing,
    Invalid,
    Expired,
    Valid(Caller),
}

impl Bearer {
    /// The caller for routes that allow anonymous access: anything but a valid token is anonymous.
    pub fn caller(self) -> Option<Caller> {
        match self {
            Self::Valid(caller) => Some(caller),
            Self::Missing | Self::Invalid | Self::Expired => None,
        }
    }
}

#[derive(Debug, Clone)]
struct Account {
    device: SeededDevice,
    failed_logins: u32,
    locked_until: Option<DateTime<Utc>>,
    /// When it was added, relative to the others: [`Accounts::devices`] lists in this order.
    order: u64,
    /// Created by `POST /api/v2/Identities` (kept with its identity), not configured.
    onboarded: bool,
}

#[derive(Debug, Clone)]
struct Grant {
    caller: Caller,
    expires_at: DateTime<Utc>,
}

/// Platform clients, device logins and the access tokens handed out.
#[derive(Debug)]
pub struct Accounts {
    clients: Vec<PlatformClient>,
    accounts: HashMap<String, Account>,
    grants: HashMap<String, Grant>,
    next_order: u64,
    access_token_lifetime: Duration,
    lockout: Duration,
    /// Makes the token "signature" unguessable; nothing verifies it but the lookup.
    signing_secret: String,
}

impl Accounts {
    pub fn new(access_token_lifetime: Duration, lockout: Duration) -> Self {
        Self {
            clients: Vec::new(),
            accounts: HashMap::new(),
            grants: HashMap::new(),
            next_order: 0,
            access_token_lifetime,
            lockout,
            signing_secret: random_alphanumeric(32),
        }
    }

    /// Adds a platform client, replacing one with the same id in its place.
    pub fn add_client(&mut self, client: PlatformClient) {
        match self
            .clients
            .iter_mut()
            .find(|c| c.client_id == client.client_id)
        {
            Some(existing) => *existing = client,
            None => self.clients.push(client),
        }
    }

    /// Adds a device login, replacing any with the same username (in its place, with its
    /// failed-login count reset).
    pub fn add_device(&mut self, device: SeededDevice) {
        self.insert(device, false);
    }

    /// Adds the login of a device created by onboarding. It logs in like any other but is not
    /// listed by [`Self::devices`]: it belongs to its identity.
    pub fn add_onboarded_device(&mut self, device: SeededDevice) {
        self.insert(device, true);
    }

    fn insert(&mut self, device: SeededDevice, onboarded: bool) {
        let username = device.username.as_str().to_owned();
        let order = match self.accounts.get(&username) {
            Some(existing) => existing.order,
            None => {
                self.next_order += 1;
                self.next_order
            }
        };
        let account = Account {
            device,
            failed_logins: 0,
            locked_until: None,
            order,
            onboarded,
        };
        self.accounts.insert(username, account);
    }

    /// The platform client with this id.
    pub fn client(&self, client_id: &str) -> Option<&PlatformClient> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// Whether a device logs in with this username.
    pub fn has_username(&self, username: &str) -> bool {
        self.accounts.contains_key(username)
    }

    /// The platform clients, in the order they were added.
    pub fn clients(&self) -> Vec<PlatformClient> {
        self.clients.clone()
    }

    /// The configured device logins (not those created by onboarding), in the order they were
    /// added.
    pub fn devices(&self) -> Vec<SeededDevice> {
        self.logins(false)
    }

    /// The logins of devices created by onboarding, in the order they were created.
    pub fn onboarded_devices(&self) -> Vec<SeededDevice> {
        self.logins(true)
    }

    fn logins(&self, onboarded: bool) -> Vec<SeededDevice> {
        let mut accounts: Vec<&Account> = self
            .accounts
            .values()
            .filter(|a| a.onboarded == onboarded)
            .collect();
        accounts.sort_by_key(|a| a.order);
        accounts.into_iter().map(|a| a.device.clone()).collect()
    }

    /// Whether a configured device acts for `address` (its identity exists on this Backbone).
    pub fn knows_address(&self, address: &crate::ids::IdentityAddress) -> bool {
        self.accounts
            .values()
            .any(|a| !a.onboarded && &a.device.address == address)
    }

    /// The password grant: client first, then the user with ASP.NET Identity's lockout (the
    /// third failure in a row locks; a success resets the count).
    ///
    /// # Errors
    /// A [`LoginError`] naming the first check that failed.
    pub fn login(
        &mut self,
        request: &LoginRequest,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, LoginError> {
        let client_id = request
            .client_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .ok_or(LoginError::ClientIdMissing)?;
        let client = self
            .clients
            .iter()
            .find(|c| c.client_id == client_id)
            .ok_or(LoginError::UnknownClient)?;
        if request.client_secret.as_deref() != Some(client.client_secret.as_str()) {
            return Err(LoginError::WrongClientSecret);
        }
        let lockout = chrono::Duration::from_std(self.lockout).unwrap_or(chrono::Duration::MAX);
        let account = self
            .accounts
            .get_mut(&request.username)
            .ok_or(LoginError::InvalidGrant)?;
        if account.locked_until.is_some_and(|until| until > now) {
            return Err(LoginError::LockedOut);
        }
        if account.device.password != request.password {
            account.failed_logins += 1;
            if account.failed_logins >= MAX_FAILED_LOGINS {
                account.failed_logins = 0;
                account.locked_until = Some(now + lockout);
                return Err(LoginError::LockedOut);
            }
            return Err(LoginError::InvalidGrant);
        }
        account.failed_logins = 0;
        account.locked_until = None;
        let caller = Caller {
            address: account.device.address.clone(),
            device_id: account.device.device_id.clone(),
        };
        Ok(self.issue(caller, now))
    }

    fn issue(&mut self, caller: Caller, now: DateTime<Utc>) -> IssuedToken {
        let lifetime =
            chrono::Duration::from_std(self.access_token_lifetime).unwrap_or(chrono::Duration::MAX);
        let expires_at = now + lifetime;
        let header = b64url(json!({ "alg": "HS256", "typ": "at+jwt" }).to_string());
        let claims = b64url(
            json!({
                "iss": "backbone-sim",
                "sub": caller.device_id.as_str(),
                "nmshd_address": caller.address.as_str(),
                "device_id": caller.device_id.as_str(),
                "iat": now.timestamp(),
                "exp": expires_at.timestamp(),
                "jti": random_alphanumeric(16),
            })
            .to_string(),
        );
        let signing_input = format!("{header}.{claims}");
        let signature = b64url(Sha256::digest(format!(
            "{}{signing_input}",
            self.signing_secret
        )));
        let access_token = format!("{signing_input}.{signature}");
        self.grants
            .insert(access_token.clone(), Grant { caller, expires_at });
        IssuedToken {
            access_token,
            expires_in: self.access_token_lifetime.as_secs(),
        }
    }

    /// Resolves the value of an `Authorization` header (or its absence).
    pub fn bearer(&self, authorization: Option<&str>, now: DateTime<Utc>) -> Bearer {
        let Some(value) = authorization else {
            return Bearer::Missing;
        };
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Bearer::Missing,
        };
        if token.is_empty() {
            return Bearer::Missing;
        }
        match self.grants.get(token) {
            None => Bearer::Invalid,
            Some(grant) if grant.expires_at <= now => Bearer::Expired,
            Some(grant) => Bearer::Valid(grant.caller.clone()),
        }
    }

    /// Makes every access token issued so far expired, as if its lifetime had run out.
    pub fn expire_access_tokens(&mut self, now: DateTime<Utc>) {
        for grant in self.grants.values_mut() {
            grant.expires_at = grant.expires_at.min(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Accounts, PlatformClient, SeededDevice) {
        let mut accounts = Accounts::new(Duration::from_secs(300), Duration::from_secs(60));
        let client = PlatformClient::random();
        let device = SeededDevice::random("localhost");
        accounts.add_client(client.clone());
        accounts.add_device(device.clone());
        (accounts, client, device)
    }

    fn request(client: &PlatformClient, device: &SeededDevice, password: &str) -> LoginRequest {
        LoginRequest {
            client_id: Some(client.client_id.clone()),
            client_secret: Some(client.client_secret.clone()),
            username: device.username.as_str().to_owned(),
            password: password.to_owned(),
        }
    }

    #[test]
    fn a_login_yields_a_token_that_resolves_to_the_device_until_it_expires() {
        let (mut accounts, client, device) = setup();
        let now = Utc::now();
        let issued = accounts
            .login(&request(&client, &device, &device.password), now)
            .expect("login succeeds");
        assert_eq!(issued.expires_in, 300);
        assert_eq!(issued.access_token.split('.').count(), 3, "JWT-shaped");
        let header = format!("Bearer {}", issued.access_token);
        let expected = Caller {
            address: device.address.clone(),
            device_id: device.device_id.clone(),
        };
        assert_eq!(accounts.bearer(Some(&header), now), Bearer::Valid(expected));
        assert_eq!(
            accounts.bearer(Some(&header), now + chrono::Duration::seconds(300)),
            Bearer::Expired
        );
        assert_eq!(
            accounts.bearer(Some("Bearer nonsense"), now),
            Bearer::Invalid
        );
        assert_eq!(accounts.bearer(None, now), Bearer::Missing);
        accounts.expire_access_tokens(now);
        assert_eq!(accounts.bearer(Some(&header), now), Bearer::Expired);
    }

    #[test]
    fn three_failed_logins_lock_the_user_for_the_lockout_period() {
        let (mut accounts, client, device) = setup();
        let now = Utc::now();
        let wrong = request(&client, &device, "wrong");
        assert_eq!(
            accounts.login(&wrong, now).map(|_| ()),
            Err(LoginError::InvalidGrant)
        );
        assert_eq!(
            accounts.login(&wrong, now).map(|_| ()),
            Err(LoginError::InvalidGrant)
        );
        assert_eq!(
            accounts.login(&wrong, now).map(|_| ()),
            Err(LoginError::LockedOut)
        );
        let right = request(&client, &device, &device.password);
        assert_eq!(
            accounts.login(&right, now).map(|_| ()),
            Err(LoginError::LockedOut)
        );
        assert!(
            accounts
                .login(&right, now + chrono::Duration::seconds(61))
                .is_ok()
        );
    }

    #[test]
    fn a_successful_login_resets_the_failure_count() {
        let (mut accounts, client, device) = setup();
        let now = Utc::now();
        let wrong = request(&client, &device, "wrong");
        let right = request(&client, &device, &device.password);
        for _ in 0..2 {
            assert_eq!(
                accounts.login(&wrong, now).map(|_| ()),
                Err(LoginError::InvalidGrant)
            );
        }
        assert!(accounts.login(&right, now).is_ok());
        assert_eq!(
            accounts.login(&wrong, now).map(|_| ()),
            Err(LoginError::InvalidGrant)
        );
    }

    #[test]
    fn clients_and_devices_list_in_the_order_added_and_are_replaced_in_place() {
        let (mut accounts, client, device) = setup();
        let (second_client, second_device) =
            (PlatformClient::random(), SeededDevice::random("localhost"));
        accounts.add_client(second_client.clone());
        accounts.add_device(second_device.clone());
        let renewed_client = PlatformClient::new(client.client_id.clone(), "new secret");
        let renewed_device = SeededDevice {
            password: "new password".to_owned(),
            ..device.clone()
        };
        accounts.add_client(renewed_client.clone());
        accounts.add_device(renewed_device.clone());
        assert_eq!(accounts.clients(), [renewed_client, second_client]);
        assert_eq!(accounts.devices(), [renewed_device, second_device]);
    }

    #[test]
    fn client_credentials_are_checked_before_the_user() {
        let (mut accounts, client, device) = setup();
        let now = Utc::now();
        let mut unknown = request(&client, &device, "wrong");
        unknown.client_id = Some("other".to_owned());
        assert_eq!(
            accounts.login(&unknown, now).map(|_| ()),
            Err(LoginError::UnknownClient)
        );
        let mut bad_secret = request(&client, &device, &device.password);
        bad_secret.client_secret = Some("nope".to_owned());
        assert_eq!(
            accounts.login(&bad_secret, now).map(|_| ()),
            Err(LoginError::WrongClientSecret)
        );
        let mut missing = request(&client, &device, &device.password);
        missing.client_id = None;
        assert_eq!(
            accounts.login(&missing, now).map(|_| ()),
            Err(LoginError::ClientIdMissing)
        );
    }
}
