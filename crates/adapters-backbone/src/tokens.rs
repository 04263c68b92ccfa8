//! `POST /api/v2/Tokens` and `DELETE /api/v2/Tokens/{id}` as this service's identity, with the
//! bounded retries described in the crate docs.

use application::ports::{BackboneError, CreatedBackboneToken, NewBackboneToken};
use bytes::Bytes;
use chrono::Utc;
use domain::TokenId;
use reqwest::header::CONTENT_TYPE;
use secrecy::{ExposeSecret, SecretString};

use crate::HttpBackboneClient;
use crate::errors;
use crate::transport::{NoAnswer, Route, with_correlation_id};
use crate::wire::CreateTokenRequest;

/// Delete requests sent at most for one token.
pub(crate) const DELETE_ATTEMPTS: u32 = 3;

/// Why the one retry of a create was spent.
#[derive(Debug, Clone, Copy)]
enum Retry {
    /// The connection could not be opened: the request never left.
    NotConnected,
    /// 401 (the bearer was refused before anything was created): log in again.
    Unauthorized,
    /// 408: the Backbone gave up waiting for a request it never read, as it does with an idle
    /// connection just as the request goes out on it.
    NotRead,
}

pub(crate) async fn create(
    client: &HttpBackboneClient,
    token: &NewBackboneToken,
    correlation_id: Option<&str>,
) -> Result<CreatedBackboneToken, BackboneError> {
    let transport = &client.transport;
    // `Bytes`, so the retry sends the same buffer instead of a copy.
    let body: Bytes = serde_json::to_vec(&CreateTokenRequest::from_token(token))
        .map_err(|e| {
            // Serialising strings cannot fail; kept as an error rather than a panic.
            BackboneError::UnexpectedResponse {
                status: 0,
                detail: format!("the request could not be written: {e}"),
            }
        })?
        .into();
    let mut access_token = client.auth.access_token(transport, None).await?;
    let mut retry: Option<Retry> = None;
    loop {
        let request = transport
            .post(Route::Tokens)
            .bearer_auth(access_token.expose_secret())
            .header(CONTENT_TYPE, "application/json")
            .body(body.clone());
        let request = with_correlation_id(request, correlation_id);
        let answer = match transport.send(request, transport.request_timeout).await {
            Ok(answer) => answer,
            Err(NoAnswer {
                error,
                not_sent: true,
            }) if retry.is_none() => {
                tracing::warn!(%error, "could not connect to the Backbone; retrying the create once");
                retry = Some(Retry::NotConnected);
                tokio::time::sleep(transport.connect_retry_delay).await;
                continue;
            }
            Err(NoAnswer { error, .. }) => {
                tracing::debug!(%error, ?retry, "no answer to the create");
                return Err(error);
            }
        };
        tracing::debug!(
            status = answer.status,
            elapsed_ms = answer.elapsed.as_millis(),
            ?retry,
            "the Backbone answered"
        );
        match answer.status {
            201 => {
                let created = errors::created_token(answer.status, &answer.body)?;
                tracing::Span::current().record("token_id", created.id.as_str());
                return Ok(created);
            }
            408 if retry.is_none() => {
                tracing::info!(
                    "the Backbone timed out the connection before reading the create; retrying once"
                );
                retry = Some(Retry::NotRead);
            }
            401 if retry.is_none() => {
                tracing::info!(
                    "the Backbone refused the access token; logging in again and retrying once"
                );
                retry = Some(Retry::Unauthorized);
                access_token = client
                    .auth
                    .access_token(transport, Some(&access_token))
                    .await?;
            }
            400 if retry.is_none() && errors::bearer_was_ignored(&answer) => {
                tracing::info!(
                    "the Backbone treated the request as anonymous (access token expired early); \
                     logging in again and retrying once"
                );
                retry = Some(Retry::Unauthorized);
                access_token = client
                    .auth
                    .access_token(transport, Some(&access_token))
                    .await?;
            }
            _ => return Err(errors::from_status(&answer, Utc::now())),
        }
    }
}

/// Deletes token `id`, retrying what may be transient; see the crate docs.
pub(crate) async fn delete(
    client: &HttpBackboneClient,
    id: &TokenId,
    correlation_id: Option<&str>,
) -> Result<(), BackboneError> {
    let transport = &client.transport;
    let mut rejected_token = None;
    let mut attempt = 1;
    loop {
        let outcome = delete_once(client, id, correlation_id, rejected_token.take()).await;
        let error = match outcome {
            Ok(()) => return Ok(()),
            Err(DeleteFailure::Unauthorized(token)) => {
                rejected_token = Some(token);
                BackboneError::UnexpectedResponse {
                    status: 401,
                    detail: "the Backbone refused the request's authorization".to_owned(),
                }
            }
            Err(DeleteFailure::Other(error)) => error,
        };
        if attempt == DELETE_ATTEMPTS || !may_be_transient(&error) {
            tracing::warn!(%error, attempt, "the token could not be deleted on the Backbone");
            return Err(error);
        }
        tracing::info!(%error, attempt, "deleting the token failed; retrying");
        tokio::time::sleep(transport.connect_retry_delay * attempt).await;
        attempt += 1;
    }
}

enum DeleteFailure {
    /// 401 to this access token: the next attempt logs in again.
    Unauthorized(SecretString),
    Other(BackboneError),
}

async fn delete_once(
    client: &HttpBackboneClient,
    id: &TokenId,
    correlation_id: Option<&str>,
    rejected_token: Option<SecretString>,
) -> Result<(), DeleteFailure> {
    let transport = &client.transport;
    let access_token = client
        .auth
        .access_token(transport, rejected_token.as_ref())
        .await
        .map_err(DeleteFailure::Other)?;
    let request = transport
        .delete_item(Route::Tokens, id.as_str())
        .bearer_auth(access_token.expose_secret());
    let request = with_correlation_id(request, correlation_id);
    let answer = transport
        .send(request, transport.request_timeout)
        .await
        .map_err(|no_answer| DeleteFailure::Other(no_answer.error))?;
    match answer.status {
        // 404: already gone (an earlier attempt whose answer was lost, or expired).
        200 | 204 | 404 => {
            tracing::info!(status = answer.status, "token deleted on the Backbone");
            Ok(())
        }
        401 => Err(DeleteFailure::Unauthorized(access_token)),
        408 => Err(DeleteFailure::Other(BackboneError::Unavailable {
            detail: "HTTP 408: the Backbone did not read the request".to_owned(),
        })),
        _ => Err(DeleteFailure::Other(errors::from_status(
            &answer,
            Utc::now(),
        ))),
    }
}

/// Whether another delete may succeed where this one failed.
fn may_be_transient(error: &BackboneError) -> bool {
    match error {
        BackboneError::Unavailable { .. }
        | BackboneError::Timeout(_)
        | BackboneError::ConnectionLost { .. }
        | BackboneError::ServerError { .. }
        | BackboneError::QuotaExhausted { .. } => true,
        BackboneError::UnexpectedResponse { status, .. } => *status == 401,
        BackboneError::Rejected { .. } | BackboneError::AuthenticationFailed { .. } => false,
    }
}
