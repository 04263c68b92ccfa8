//! When a Backbone call is sent again: one policy for every route, decided by what the Backbone
//! can have done with the request (see the crate docs for the reasons).

use std::future::Future;
use std::time::Duration;

use application::ports::BackboneError;
use secrecy::{ExposeSecret, SecretString};

use crate::auth::Authenticator;
use crate::errors;
use crate::transport::{Answer, NoAnswer, Route, Transport};

/// How often one call may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryPolicy {
    /// Sent again once, and only when the Backbone certainly did nothing with the request: a
    /// create must never be sent twice if the first may have arrived. Logins too (three bad
    /// ones lock the device user).
    IfNotProcessed,
    /// Idempotent calls (deletes, reads): also after failures that may pass, up to `sends`
    /// sends in all.
    Idempotent { sends: u32 },
}

/// What one send says about sending again.
enum Verdict {
    /// The answer stands (success or final failure); the caller reads it.
    Final,
    /// Nothing reached the Backbone's logic: no connection (`wait` before trying again), a 408,
    /// or a bearer it refused (`relogin`).
    NotProcessed { wait: bool, relogin: bool },
    /// It may have been processed; worth repeating only when the call is idempotent.
    Transient,
}

fn verdict(sent: &Result<Answer, NoAnswer>, authenticated: bool) -> Verdict {
    match sent {
        Err(NoAnswer { not_sent: true, .. }) => Verdict::NotProcessed {
            wait: true,
            relogin: false,
        },
        Err(NoAnswer { .. }) => Verdict::Transient,
        Ok(answer) => match answer.status {
            408 => Verdict::NotProcessed {
                wait: false,
                relogin: false,
            },
            401 if authenticated => Verdict::NotProcessed {
                wait: false,
                relogin: true,
            },
            // The token route treats a bearer it no longer honours as anonymous.
            400 if authenticated && errors::bearer_was_ignored(answer) => Verdict::NotProcessed {
                wait: false,
                relogin: true,
            },
            429 | 500..=599 => Verdict::Transient,
            _ => Verdict::Final,
        },
    }
}

/// Where a send's bearer comes from.
pub(crate) trait Credentials: Sync {
    /// The bearer for the next send (`None`: anonymous); `rejected` is one the Backbone just
    /// refused.
    fn bearer(
        &self,
        transport: &Transport,
        rejected: Option<&SecretString>,
    ) -> impl Future<Output = Result<Option<SecretString>, BackboneError>> + Send;
}

/// Sends without a bearer (the login itself).
#[derive(Debug)]
pub(crate) struct Anonymous;

impl Credentials for Anonymous {
    async fn bearer(
        &self,
        _: &Transport,
        _: Option<&SecretString>,
    ) -> Result<Option<SecretString>, BackboneError> {
        Ok(None)
    }
}

impl Credentials for Authenticator {
    async fn bearer(
        &self,
        transport: &Transport,
        rejected: Option<&SecretString>,
    ) -> Result<Option<SecretString>, BackboneError> {
        self.access_token(transport, rejected).await.map(Some)
    }
}

/// Sends the request `build` makes for `route` as `policy` allows and hands back the last
/// answer, whatever its status. Each send carries the bearer `credentials` give, and a refused
/// bearer is replaced by a new login before the next send.
///
/// # Errors
/// The login's failure, or the transport's when the last send got no answer.
pub(crate) async fn send_with_retries(
    transport: &Transport,
    route: Route,
    credentials: &impl Credentials,
    policy: RetryPolicy,
    build: impl Fn(Option<&SecretString>) -> reqwest::RequestBuilder,
) -> Result<Answer, BackboneError> {
    let sends_allowed = match policy {
        RetryPolicy::IfNotProcessed => 2,
        RetryPolicy::Idempotent { sends } => sends.max(1),
    };
    let mut rejected: Option<SecretString> = None;
    let mut sends = 0;
    loop {
        let bearer = credentials.bearer(transport, rejected.as_ref()).await?;
        let sent = transport
            .send(route, build(bearer.as_ref()), transport.request_timeout)
            .await;
        sends += 1;
        let (retry, pause, relogin) = match verdict(&sent, bearer.is_some()) {
            Verdict::Final => (false, Duration::ZERO, false),
            Verdict::NotProcessed { wait, relogin } => {
                let pause = if wait {
                    transport.connect_retry_delay
                } else {
                    Duration::ZERO
                };
                (true, pause, relogin)
            }
            Verdict::Transient => (
                matches!(policy, RetryPolicy::Idempotent { .. }),
                transport.connect_retry_delay * sends,
                false,
            ),
        };
        if !retry || sends >= sends_allowed {
            return sent.map_err(|no_answer| no_answer.error);
        }
        match &sent {
            Ok(answer) => {
                tracing::info!(
                    status = answer.status,
                    sends,
                    relogin,
                    "sending the request again"
                );
            }
            Err(no_answer) => {
                tracing::warn!(error = %no_answer.error, sends, "sending the request again");
            }
        }
        if relogin {
            rejected = bearer;
        }
        tokio::time::sleep(pause).await;
    }
}

/// Adds `Authorization: Bearer …` when there is a bearer.
pub(crate) fn with_bearer(
    request: reqwest::RequestBuilder,
    bearer: Option<&SecretString>,
) -> reqwest::RequestBuilder {
    match bearer {
        Some(token) => request.bearer_auth(token.expose_secret()),
        None => request,
    }
}
