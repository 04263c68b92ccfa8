//! `POST /api/v2/Tokens`: creating a token as this service's identity, with the bounded retry
//! described in the crate docs.

use application::ports::{BackboneError, CreatedBackboneToken, NewBackboneToken};
use bytes::Bytes;
use chrono::Utc;
use reqwest::header::CONTENT_TYPE;
use secrecy::ExposeSecret;

use crate::HttpBackboneClient;
use crate::errors;
use crate::transport::{NoAnswer, Route, with_correlation_id};
use crate::wire::CreateTokenRequest;

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
