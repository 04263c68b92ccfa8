//! Onboarding calls: `POST /api/v2/Challenges` and `POST /api/v2/Identities` (anonymous, for
//! the platform client), then the datawallet version upgrade the runtime runs as the new device.

use application::ports::{
    BackboneError, BackboneIdentities, CreatedIdentity, DeviceLogin, NewIdentity,
};
use async_trait::async_trait;
use chrono::Utc;
use domain::{Challenge, ChallengeId, DeviceId, DeviceUsername, IdentityAddress};
use reqwest::header::CONTENT_TYPE;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::auth::Authenticator;
use crate::config::{BackboneConfig, BackboneConfigError};
use crate::errors;
use crate::retry::{Anonymous, RetryPolicy, send_with_retries, with_bearer};
use crate::transport::{Answer, Route, Transport};
use crate::wire::{
    CreateIdentityRequest, CreatedChallenge, FinalizeDatawalletVersionUpgrade, SignedChallenge,
    StartSyncRun, StartedSyncRun, Success,
};

/// The runtime's identity version (`supportedIdentityVersion`).
const IDENTITY_VERSION: u8 = 1;
/// The datawallet version the runtime starts at, and the header announcing it.
const DATAWALLET_VERSION: u32 = 1;
const DATAWALLET_VERSION_HEADER: &str = "x-supported-datawallet-version";
/// A challenge made twice does no harm, so its creation is retried like a read.
const CHALLENGE_SENDS: u32 = 3;

/// The Backbone's onboarding API for one platform client.
pub struct HttpBackboneIdentities {
    transport: Transport,
    config: BackboneConfig,
}

impl HttpBackboneIdentities {
    /// Builds the client; no request is sent until the first call.
    ///
    /// # Errors
    /// As [`crate::HttpBackboneClient::new`].
    pub fn new(config: &BackboneConfig) -> Result<Self, BackboneConfigError> {
        Ok(Self {
            transport: Transport::new(config)?,
            config: config.clone(),
        })
    }

    async fn anonymous_post(
        &self,
        route: Route,
        body: Vec<u8>,
        policy: RetryPolicy,
    ) -> Result<Answer, BackboneError> {
        let transport = &self.transport;
        send_with_retries(transport, route, &Anonymous, policy, |_| {
            transport
                .post(route, &[])
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone())
        })
        .await
    }
}

impl std::fmt::Debug for HttpBackboneIdentities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpBackboneIdentities")
            .field("base_url", &self.transport.base_url())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl BackboneIdentities for HttpBackboneIdentities {
    async fn create_challenge(&self) -> Result<Challenge, BackboneError> {
        async {
            let answer = self
                .anonymous_post(
                    Route::Challenges,
                    b"{}".to_vec(),
                    RetryPolicy::Idempotent {
                        sends: CHALLENGE_SENDS,
                    },
                )
                .await?;
            let created: CreatedChallenge = result_of(&answer, 201)?;
            let unexpected = |detail: String| unexpected(answer.status, detail);
            Ok(Challenge {
                id: ChallengeId::parse(&created.id).map_err(|e| unexpected(e.to_string()))?,
                expires_at: errors::parse_date(&created.expires_at)
                    .map_err(|e| unexpected(format!("expiresAt: {e}")))?,
            })
        }
        .instrument(tracing::info_span!("backbone.create_challenge"))
        .await
    }

    async fn create_identity(
        &self,
        identity: &NewIdentity,
    ) -> Result<CreatedIdentity, BackboneError> {
        let span = tracing::info_span!("backbone.create_identity", address = tracing::field::Empty);
        async {
            let body = CreateIdentityRequest {
                device_password: identity.device_password.expose(),
                identity_public_key: identity.public_key.to_b64url(true),
                signed_challenge: SignedChallenge {
                    challenge: &identity.signed_challenge,
                    signature: identity.signature.to_b64url(),
                },
                client_id: &self.config.client_id,
                client_secret: self.config.client_secret.expose_secret(),
                identity_version: IDENTITY_VERSION,
            };
            let answer = self
                .anonymous_post(
                    Route::Identities,
                    to_json(&body)?,
                    RetryPolicy::IfNotProcessed,
                )
                .await?;
            let created: crate::wire::CreatedIdentity = result_of(&answer, 201)?;
            let unexpected = |detail: String| unexpected(answer.status, detail);
            let created = CreatedIdentity {
                address: IdentityAddress::parse(&created.address)
                    .map_err(|e| unexpected(e.to_string()))?,
                created_at: errors::parse_date(&created.created_at)
                    .map_err(|e| unexpected(format!("createdAt: {e}")))?,
                device_id: DeviceId::parse(&created.device.id)
                    .map_err(|e| unexpected(e.to_string()))?,
                device_username: DeviceUsername::parse(&created.device.username)
                    .map_err(|e| unexpected(e.to_string()))?,
            };
            tracing::Span::current().record("address", created.address.as_str());
            Ok(created)
        }
        .instrument(span)
        .await
    }

    async fn initialize_datawallet(&self, device: &DeviceLogin) -> Result<(), BackboneError> {
        let auth = Authenticator::new(&self.config, device);
        let transport = &self.transport;
        async {
            let body = to_json(&StartSyncRun {
                kind: "DatawalletVersionUpgrade",
            })?;
            let answer = send_with_retries(
                transport,
                Route::SyncRuns,
                &auth,
                RetryPolicy::IfNotProcessed,
                |bearer| {
                    with_bearer(transport.post(Route::SyncRuns, &[]), bearer)
                        .header(CONTENT_TYPE, "application/json")
                        .header(DATAWALLET_VERSION_HEADER, DATAWALLET_VERSION.to_string())
                        .body(body.clone())
                },
            )
            .await?;
            let started: StartedSyncRun = match answer.status {
                200 | 201 => result_of(&answer, answer.status)?,
                _ => return Err(errors::from_status(&answer, Utc::now())),
            };
            let Some(run) = started.sync_run else {
                return Err(unexpected(
                    answer.status,
                    format!("no sync run was started (status {})", started.status),
                ));
            };
            let body = to_json(&FinalizeDatawalletVersionUpgrade {
                new_datawallet_version: DATAWALLET_VERSION,
                datawallet_modifications: [],
            })?;
            let route = Route::FinalizeDatawalletVersionUpgrade;
            let answer = send_with_retries(
                transport,
                route,
                &auth,
                RetryPolicy::IfNotProcessed,
                |bearer| {
                    with_bearer(transport.put(route, &[&run.id]), bearer)
                        .header(CONTENT_TYPE, "application/json")
                        .header(DATAWALLET_VERSION_HEADER, DATAWALLET_VERSION.to_string())
                        .body(body.clone())
                },
            )
            .await?;
            if answer.status != 200 {
                return Err(errors::from_status(&answer, Utc::now()));
            }
            tracing::info!("datawallet version initialised");
            Ok(())
        }
        .instrument(tracing::info_span!("backbone.initialize_datawallet"))
        .await
    }
}

/// The `result` of an answer with status `expected`; any other status is its error.
fn result_of<T: DeserializeOwned>(answer: &Answer, expected: u16) -> Result<T, BackboneError> {
    if answer.status != expected {
        return Err(errors::from_status(answer, Utc::now()));
    }
    serde_json::from_slice::<Success<T>>(&answer.body)
        .map(|success| success.result)
        .map_err(|e| {
            unexpected(
                answer.status,
                format!("the body is not the expected answer: {e}"),
            )
        })
}

fn unexpected(status: u16, detail: String) -> BackboneError {
    BackboneError::UnexpectedResponse {
        status,
        detail: errors::short(&detail),
    }
}

fn to_json(body: &impl serde::Serialize) -> Result<Vec<u8>, BackboneError> {
    // Serialising these shapes cannot fail; kept as an error rather than a panic.
    serde_json::to_vec(body).map_err(|e| BackboneError::UnexpectedResponse {
        status: 0,
        detail: format!("the request could not be written: {e}"),
    })
}
