//! Creating an identity and its first device (`POST /api/v2/Identities`), judged in the
//! Backbone's order (spec identity-onboarding.md §1.8): client, validator, the signed
//! challenge, the challenge's existence and expiry, the derived address, the client's identity
//! limit, the password policy. The first failing check decides the answer. Plain functions on
//! the state, so the route only binds, locks and answers.

mod languages;
mod password;
pub mod request;
pub mod signed;

use chrono::{DateTime, Utc};

pub use password::PasswordPolicy;
pub use request::{CreateIdentityRequest, SignedChallenge};

use crate::config::SeededDevice;
use crate::envelope::ApiError;
use crate::ids::{DeviceId, DeviceUsername, IdentityAddress};
use crate::state::SimState;
use crate::state::identities::{Identity, IdentityDevice};

pub const CODE_INVALID_SIGNATURE: &str = "error.platform.validation.device.invalidSignature";
pub const CODE_CHALLENGE_HAS_EXPIRED: &str = "error.platform.validation.device.challengeHasExpired";
pub const CODE_ADDRESS_ALREADY_EXISTS: &str =
    "error.platform.validation.device.addressAlreadyExists";
pub const CODE_CLIENT_REACHED_IDENTITIES_LIMIT: &str =
    "error.platform.validation.device.clientReachedIdentitiesLimit";
pub const CODE_REGISTRATION_FAILED: &str = "error.platform.validation.device.registrationFailed";
pub const CODE_INVALID_COMMUNICATION_LANGUAGE: &str =
    "error.platform.validation.invalidDeviceCommunicationLanguage";

/// What steps 3 to 6 found in the signed challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub public_key: [u8; 32],
    /// `None` when the signed text holds no id (`null`): such a challenge is never found.
    pub challenge_id: Option<String>,
}

/// The identity and device a successful request created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Onboarded {
    pub identity: Identity,
    pub device: IdentityDevice,
}

/// Step 1, in the controller: the platform client must exist and its secret match.
///
/// # Errors
/// 400 `error.platform.unauthorized` otherwise.
pub fn check_client(state: &SimState, request: &CreateIdentityRequest) -> Result<(), ApiError> {
    match state.accounts.client(&request.client_id) {
        Some(client) if client.client_secret == request.client_secret => Ok(()),
        _ => Err(ApiError::unauthorized_client()),
    }
}

/// Steps 2 to 6, which need no state: the validator, then the key, the signature over the
/// challenge text and the challenge id in it. CPU work, so the route runs it unlocked.
///
/// # Errors
/// 400 `invalidPropertyValue` / `invalidDeviceCommunicationLanguage` (first rule only),
/// 400 `invalidSignature`, or the 500 envelope where the Backbone would throw (malformed key,
/// signature or challenge JSON, a key that is not 32 bytes; inferred).
pub fn verify(request: &CreateIdentityRequest) -> Result<Verified, ApiError> {
    validate(request)?;
    let unexpected = |error: signed::Unexpected| {
        tracing::warn!(%error, "identity request fails as the Backbone would with an exception");
        ApiError::unexpected()
    };
    let public_key = signed::public_key_of(&request.identity_public_key).map_err(unexpected)?;
    let signature =
        signed::signature_of(&request.signed_challenge.signature).map_err(unexpected)?;
    let challenge = &request.signed_challenge.challenge;
    if !signed::verify(&public_key, challenge, &signature).map_err(unexpected)? {
        return Err(ApiError::bad_request(
            CODE_INVALID_SIGNATURE,
            "The given signature is not valid.",
        ));
    }
    let challenge_id = signed::challenge_id_of(challenge).map_err(unexpected)?;
    let public_key = public_key.try_into().map_err(|_| ApiError::unexpected())?;
    Ok(Verified {
        public_key,
        challenge_id,
    })
}

/// The validator of `CreateIdentityCommand`: first failing rule only. FluentValidation's
/// `NotEmpty` also refuses whitespace-only text.
fn validate(request: &CreateIdentityRequest) -> Result<(), ApiError> {
    let empty = |name: &str| ApiError::invalid_property(format!("'{name}' must not be empty."));
    if request.identity_public_key.is_empty() {
        return Err(empty("identityPublicKey"));
    }
    if request.device_password.trim().is_empty() {
        return Err(empty("devicePassword"));
    }
    if request.signed_challenge.signature.is_empty() {
        return Err(empty("signature"));
    }
    if request.signed_challenge.challenge.trim().is_empty() {
        return Err(empty("challenge"));
    }
    if !languages::is_valid(language_of(request)) {
        return Err(ApiError::bad_request(
            CODE_INVALID_COMMUNICATION_LANGUAGE,
            "The Device Communication Language must be a valid two letter ISO code",
        ));
    }
    Ok(())
}

fn language_of(request: &CreateIdentityRequest) -> &str {
    request
        .device_communication_language
        .as_deref()
        .unwrap_or(languages::DEFAULT_LANGUAGE)
}

/// Steps 7 to 13 under the state lock: the challenge must exist and not have expired, the
/// address derived in the DID domain must be new, the client below its identity limit and the
/// password within the policy; then the identity, its device and the device's login are
/// created. Challenges are not used up.
///
/// # Errors
/// 404 `recordNotFound` (challenge), 400 `challengeHasExpired`, `addressAlreadyExists`,
/// `clientReachedIdentitiesLimit`, `registrationFailed`.
pub fn create(
    state: &mut SimState,
    request: &CreateIdentityRequest,
    verified: &Verified,
) -> Result<Onboarded, ApiError> {
    let now = state.now();
    let challenge = verified
        .challenge_id
        .as_deref()
        .and_then(|id| state.challenges.get(id))
        .ok_or_else(|| ApiError::not_found("Challenge"))?;
    if challenge.has_expired(now) {
        return Err(ApiError::bad_request(
            CODE_CHALLENGE_HAS_EXPIRED,
            "The given challenge has expired. Obtain a new challenge and try again.",
        ));
    }
    let address = IdentityAddress::from_public_key(&verified.public_key, &state.rules.did_domain)
        .map_err(|error| {
        tracing::error!(%error, "the DID domain makes no valid address");
        ApiError::unexpected()
    })?;
    if state.identity_exists(&address) {
        return Err(ApiError::bad_request(
            CODE_ADDRESS_ALREADY_EXISTS,
            "The address derived from the given public key already exists. Try again with a \
             different public key.",
        ));
    }
    let client = state
        .accounts
        .client(&request.client_id)
        .ok_or_else(|| ApiError::not_found("OAuthClient"))?;
    let created_with_client = state.identities.count_by_client(&request.client_id);
    if client
        .max_identities
        .is_some_and(|max| created_with_client >= max as usize)
    {
        return Err(ApiError::bad_request(
            CODE_CLIENT_REACHED_IDENTITIES_LIMIT,
            "The client's Identity limit has been reached. A new Identity cannot be created \
             with this client.",
        ));
    }
    state
        .rules
        .password_policy
        .check(&request.device_password)
        .map_err(|message| ApiError::bad_request(CODE_REGISTRATION_FAILED, message))?;
    Ok(insert(state, request, verified, address, now))
}

fn insert(
    state: &mut SimState,
    request: &CreateIdentityRequest,
    verified: &Verified,
    address: IdentityAddress,
    now: DateTime<Utc>,
) -> Onboarded {
    let username = loop {
        let username = DeviceUsername::random();
        if !state.accounts.has_username(username.as_str()) {
            break username;
        }
    };
    let device = IdentityDevice {
        id: DeviceId::random(),
        username,
        created_at: now,
        communication_language: language_of(request).to_owned(),
    };
    let identity = Identity {
        address: address.clone(),
        public_key: verified.public_key,
        identity_public_key: request.identity_public_key.clone(),
        client_id: request.client_id.clone(),
        identity_version: request.identity_version,
        created_at: now,
        devices: vec![device.clone()],
    };
    state.identities.insert(identity.clone());
    state.accounts.add_onboarded_device(SeededDevice {
        username: device.username.clone(),
        password: request.device_password.clone(),
        address,
        device_id: device.id.clone(),
    });
    Onboarded { identity, device }
}
