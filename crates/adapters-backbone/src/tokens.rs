//! `POST /api/v2/Tokens` and `DELETE /api/v2/Tokens/{id}` as this service's identity, with the
//! bounded retries described in the crate docs.

use application::ports::{BackboneError, BackboneToken, CreatedBackboneToken, NewBackboneToken};
use bytes::Bytes;
use chrono::Utc;
use domain::password::PASSWORD_HASH_LEN;
use domain::{DeviceId, IdentityAddress, TokenId};
use reqwest::header::CONTENT_TYPE;

use crate::HttpBackboneClient;
use crate::errors;
use crate::retry::{RetryPolicy, send_with_retries, with_bearer};
use crate::transport::{Route, with_correlation_id};
use crate::wire::{CreateTokenRequest, ReadToken, Success};

/// Delete requests sent at most for one token.
pub(crate) const DELETE_ATTEMPTS: u32 = 3;

pub(crate) async fn create(
    client: &HttpBackboneClient,
    token: &NewBackboneToken,
    correlation_id: Option<&str>,
) -> Result<CreatedBackboneToken, BackboneError> {
    let transport = &client.transport;
    // `Bytes`, so a second send reuses the same buffer instead of a copy.
    let body: Bytes = serde_json::to_vec(&CreateTokenRequest::from_token(token))
        .map_err(|e| {
            // Serialising strings cannot fail; kept as an error rather than a panic.
            BackboneError::UnexpectedResponse {
                status: 0,
                detail: format!("the request could not be written: {e}"),
            }
        })?
        .into();
    let answer = send_with_retries(
        transport,
        Route::Tokens,
        &client.auth,
        RetryPolicy::IfNotProcessed,
        |bearer| {
            let request = with_bearer(transport.post(Route::Tokens, &[]), bearer)
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
            with_correlation_id(request, correlation_id)
        },
    )
    .await?;
    tracing::debug!(
        status = answer.status,
        elapsed_ms = answer.elapsed.as_millis(),
        "the Backbone answered"
    );
    if answer.status != 201 {
        return Err(errors::from_status(&answer, Utc::now()));
    }
    let created = errors::created_token(answer.status, &answer.body)?;
    tracing::Span::current().record("token_id", created.id.as_str());
    Ok(created)
}

/// Deletes token `id`, retrying what may be transient; see the crate docs.
pub(crate) async fn delete(
    client: &HttpBackboneClient,
    id: &TokenId,
    correlation_id: Option<&str>,
) -> Result<(), BackboneError> {
    let transport = &client.transport;
    let answer = send_with_retries(
        transport,
        Route::Token,
        &client.auth,
        RetryPolicy::Idempotent {
            sends: DELETE_ATTEMPTS,
        },
        |bearer| {
            let request = with_bearer(transport.delete(Route::Token, &[id.as_str()]), bearer);
            with_correlation_id(request, correlation_id)
        },
    )
    .await
    .inspect_err(
        |error| tracing::warn!(%error, "the token could not be deleted on the Backbone"),
    )?;
    match answer.status {
        // 404: already gone (an earlier send whose answer was lost, or expired).
        200 | 204 | 404 => {
            tracing::info!(status = answer.status, "token deleted on the Backbone");
            Ok(())
        }
        _ => {
            let error = errors::from_status(&answer, Utc::now());
            tracing::warn!(%error, "the token could not be deleted on the Backbone");
            Err(error)
        }
    }
}

/// Reads token `id`, with the password's hash when it has one; retried like deletes.
pub(crate) async fn get(
    client: &HttpBackboneClient,
    id: &TokenId,
    password_hash: Option<[u8; PASSWORD_HASH_LEN]>,
    correlation_id: Option<&str>,
) -> Result<BackboneToken, BackboneError> {
    let transport = &client.transport;
    let password = password_hash.as_ref().map(domain::encoding::b64std);
    let answer = send_with_retries(
        transport,
        Route::Token,
        &client.auth,
        RetryPolicy::Idempotent {
            sends: DELETE_ATTEMPTS,
        },
        |bearer| {
            let mut request = with_bearer(transport.get(Route::Token, &[id.as_str()]), bearer);
            if let Some(password) = &password {
                request = request.query(&[("password", password)]);
            }
            with_correlation_id(request, correlation_id)
        },
    )
    .await?;
    if answer.status != 200 {
        return Err(errors::from_status(&answer, Utc::now()));
    }
    let unexpected = |detail: String| BackboneError::UnexpectedResponse {
        status: answer.status,
        detail: errors::short(&detail),
    };
    let token: Success<ReadToken> = serde_json::from_slice(&answer.body)
        .map_err(|e| unexpected(format!("the body is not a token: {e}")))?;
    let token = token.result;
    Ok(BackboneToken {
        id: TokenId::parse(&token.id).map_err(|e| unexpected(e.to_string()))?,
        content: token
            .content
            .ok_or_else(|| unexpected("the token has no content".to_owned()))?,
        created_by: IdentityAddress::parse(&token.created_by)
            .map_err(|e| unexpected(format!("createdBy: {e}")))?,
        created_by_device: DeviceId::parse(
            token
                .created_by_device
                .as_deref()
                .ok_or_else(|| unexpected("the token has no createdByDevice".to_owned()))?,
        )
        .map_err(|e| unexpected(format!("createdByDevice: {e}")))?,
        created_at: errors::parse_date(&token.created_at)
            .map_err(|e| unexpected(format!("createdAt: {e}")))?,
        expires_at: errors::parse_date(&token.expires_at)
            .map_err(|e| unexpected(format!("expiresAt: {e}")))?,
        for_identity: token
            .for_identity
            .as_deref()
            .map(IdentityAddress::parse)
            .transpose()
            .map_err(|e| unexpected(format!("forIdentity: {e}")))?,
    })
}
