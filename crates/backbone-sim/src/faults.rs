//! Fault injection: queued rules that make the next matching requests fail, slow down or lose
//! their connection, and the middleware that applies them to every non-admin route.
//!
//! Rules are checked in the order they were added. A request consumes at most one `delay` rule
//! (it waits, then goes on) and at most one other rule (which decides its answer). A rule
//! applies `times` times (default 1; `None` until cleared) and can be limited to a method and a
//! path prefix (compared ignoring ASCII case).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use actix_web::body::{BodyStream, BoxBody, MessageBody, to_bytes_limited};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, ResponseError, web};
use serde::{Deserialize, Serialize};

use crate::envelope::ApiError;
use crate::routes::MAX_BODY_BYTES;
use crate::{ADMIN_PREFIX, Shared, connection, lock};

/// What a fault does to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FaultKind {
    /// 500 with the Backbone's `error.platform.unexpected` envelope.
    #[serde(rename = "error500")]
    Error500,
    /// 503 with no body, as a proxy in front of the Backbone answers.
    #[serde(rename = "unavailable503")]
    Unavailable503,
    /// 429 `error.platform.quotaExhausted`, `data` listing the metric and until when.
    #[serde(rename = "quotaExhausted429", rename_all = "camelCase")]
    QuotaExhausted429 {
        #[serde(default = "default_metric_key")]
        metric_key: String,
        #[serde(default = "default_exhausted_for_seconds")]
        exhausted_for_seconds: u64,
        /// `Retry-After` header in seconds; the real Backbone sends none, so `None` is faithful.
        #[serde(default)]
        retry_after_seconds: Option<u64>,
    },
    /// Waits this long before handling the request (combines with one other fault).
    #[serde(rename = "delay", rename_all = "camelCase")]
    Delay { delay_ms: u64 },
    /// Closes the TCP connection without an answer (see [`crate::connection`]).
    #[serde(rename = "dropConnection")]
    DropConnection,
}

fn default_metric_key() -> String {
    "NumberOfTokens".to_owned()
}

fn default_exhausted_for_seconds() -> u64 {
    60
}

fn default_times() -> Option<u32> {
    Some(1)
}

/// One injected fault rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many matching requests it hits; `None` (JSON `null`) until cleared.
    #[serde(default = "default_times")]
    pub times: Option<u32>,
    /// Only requests with this method (any if `None`).
    #[serde(default)]
    pub method: Option<String>,
    /// Only requests whose path starts with this (any if `None`).
    #[serde(default)]
    pub path: Option<String>,
    /// Run the request first and replace its answer: the Backbone did the work (e.g. created
    /// the token) but the caller never learns. Ignored by `delay`.
    #[serde(default)]
    pub after_processing: bool,
}

impl Fault {
    fn of(kind: FaultKind) -> Self {
        Self {
            kind,
            times: Some(1),
            method: None,
            path: None,
            after_processing: false,
        }
    }

    pub fn error_500() -> Self {
        Self::of(FaultKind::Error500)
    }

    pub fn unavailable_503() -> Self {
        Self::of(FaultKind::Unavailable503)
    }

    /// 429 for `NumberOfTokens`, exhausted for 60 s, without `Retry-After` (as the Backbone).
    pub fn quota_exhausted_429() -> Self {
        Self::of(FaultKind::QuotaExhausted429 {
            metric_key: default_metric_key(),
            exhausted_for_seconds: default_exhausted_for_seconds(),
            retry_after_seconds: None,
        })
    }

    pub fn delay(delay: Duration) -> Self {
        let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        Self::of(FaultKind::Delay { delay_ms })
    }

    pub fn drop_connection() -> Self {
        Self::of(FaultKind::DropConnection)
    }

    /// The lost answer: the request is processed (the identity or token is created and saved)
    /// and then the connection is dropped without a byte of the response, as when a 201 is
    /// lost on the way back. Same as `drop_connection().after_processing()`.
    pub fn lost_answer() -> Self {
        Self::drop_connection().after_processing()
    }

    /// Hits the next `times` matching requests.
    #[must_use]
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// Hits every matching request until [`Faults::clear`].
    #[must_use]
    pub fn until_cleared(mut self) -> Self {
        self.times = None;
        self
    }

    /// Only requests with `method` whose path starts with `path`.
    #[must_use]
    pub fn on(mut self, method: &str, path: &str) -> Self {
        self.method = Some(method.to_owned());
        self.path = Some(path.to_owned());
        self
    }

    /// Only requests whose path starts with `path`, any method.
    #[must_use]
    pub fn on_path(mut self, path: &str) -> Self {
        self.path = Some(path.to_owned());
        self
    }

    /// Sets `Retry-After` on a 429 fault.
    #[must_use]
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        if let FaultKind::QuotaExhausted429 {
            retry_after_seconds,
            ..
        } = &mut self.kind
        {
            *retry_after_seconds = Some(seconds);
        }
        self
    }

    #[must_use]
    pub fn after_processing(mut self) -> Self {
        self.after_processing = true;
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_matches = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        let path_matches = self.path.as_deref().is_none_or(|prefix| {
            path.len() >= prefix.len()
                && path.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        });
        method_matches && path_matches
    }
}

/// A queued rule, with its id and how many hits it has left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingFault {
    pub id: u64,
    #[serde(flatten)]
    pub fault: Fault,
}

#[derive(Debug, Default)]
struct Queue {
    rules: Vec<PendingFault>,
    next_id: u64,
}

impl Queue {
    /// Consumes the first matching rule accepted by `wanted`.
    fn take(
        &mut self,
        method: &str,
        path: &str,
        wanted: impl Fn(&FaultKind) -> bool,
    ) -> Option<Fault> {
        let index = self
            .rules
            .iter()
            .position(|r| wanted(&r.fault.kind) && r.fault.matches(method, path))?;
        let rule = &mut self.rules[index];
        let taken = rule.fault.clone();
        if let Some(times) = &mut rule.fault.times {
            *times = times.saturating_sub(1);
            if *times == 0 {
                self.rules.remove(index);
            }
        }
        Some(taken)
    }
}

/// Injects faults into a running simulator; cheap to clone.
#[derive(Debug, Clone)]
pub struct Faults {
    queue: Arc<Mutex<Queue>>,
    shared: Shared,
}

impl Faults {
    pub(crate) fn new(shared: Shared) -> Self {
        Self {
            queue: Arc::default(),
            shared,
        }
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `fault` and returns its id. A rule with `times == Some(0)` is ignored.
    pub fn inject(&self, fault: Fault) -> u64 {
        let mut queue = self.queue();
        queue.next_id += 1;
        let id = queue.next_id;
        if fault.times != Some(0) {
            queue.rules.push(PendingFault { id, fault });
        }
        id
    }

    /// Removes every queued rule.
    pub fn clear(&self) {
        self.queue().rules.clear();
    }

    /// The rules still queued, with their remaining hits.
    pub fn pending(&self) -> Vec<PendingFault> {
        self.queue().rules.clone()
    }

    /// Expires every access token issued so far: protected routes answer 401 to them, and the
    /// token routes treat their bearers as anonymous, until the client logs in again.
    pub fn expire_access_tokens(&self) {
        let mut state = lock(&self.shared);
        let now = state.now();
        state.accounts.expire_access_tokens(now);
    }

    fn plan(&self, method: &str, path: &str) -> (Option<Duration>, Option<Fault>) {
        let mut queue = self.queue();
        let delay = queue
            .take(method, path, |k| matches!(k, FaultKind::Delay { .. }))
            .and_then(|f| match f.kind {
                FaultKind::Delay { delay_ms } => Some(Duration::from_millis(delay_ms)),
                _ => None,
            });
        let action = queue.take(method, path, |k| !matches!(k, FaultKind::Delay { .. }));
        (delay, action)
    }
}

/// Middleware: applies queued faults to every request outside the admin API.
pub(crate) async fn apply(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let faults = request
        .app_data::<web::Data<Faults>>()
        .map(|data| data.get_ref().clone());
    let Some(faults) = faults.filter(|_| !request.path().starts_with(ADMIN_PREFIX)) else {
        return next
            .call(request)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let (delay, action) = faults.plan(request.method().as_str(), request.path());
    if let Some(delay) = delay {
        tracing::debug!(?delay, path = request.path(), "injected delay");
        tokio::time::sleep(delay).await;
    }
    let Some(fault) = action else {
        return next
            .call(request)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    tracing::debug!(?fault.kind, path = request.path(), "injected fault");
    let http_request = if fault.after_processing {
        next.call(request).await?.into_parts().0
    } else {
        let (http_request, payload) = request.into_parts();
        if fault.kind != FaultKind::DropConnection {
            // Read the body as the Backbone would before failing, so the client is not cut off
            // mid-upload and reliably sees the answer.
            let _ = to_bytes_limited(BodyStream::new(payload), MAX_BODY_BYTES).await;
        }
        http_request
    };
    let response = respond(&http_request, &fault, &faults).await;
    Ok(ServiceResponse::new(http_request, response))
}

async fn respond(request: &HttpRequest, fault: &Fault, faults: &Faults) -> HttpResponse {
    match &fault.kind {
        FaultKind::Error500 => ApiError::unexpected().error_response(),
        FaultKind::Unavailable503 => HttpResponse::ServiceUnavailable().finish(),
        FaultKind::QuotaExhausted429 {
            metric_key,
            exhausted_for_seconds,
            retry_after_seconds,
        } => {
            let now = lock(&faults.shared).now();
            let exhausted_for = i64::try_from(*exhausted_for_seconds).unwrap_or(i64::MAX);
            let until =
                now + chrono::Duration::try_seconds(exhausted_for).unwrap_or(chrono::Duration::MAX);
            ApiError::quota_exhausted(metric_key, until, *retry_after_seconds).error_response()
        }
        FaultKind::DropConnection => {
            if !connection::close(request) {
                // No socket to close (not plain TCP): hang instead, so the client times out.
                tracing::warn!("cannot close this connection; leaving the request unanswered");
                std::future::pending::<()>().await;
            }
            HttpResponse::InternalServerError().finish()
        }
        // Delays are consumed separately; a delay reaching here has nothing left to do.
        FaultKind::Delay { .. } => HttpResponse::InternalServerError().finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_consumed_in_order_and_only_where_they_match() {
        let mut queue = Queue::default();
        for (id, fault) in [
            Fault::error_500().on("POST", "/api/v2/Tokens").times(2),
            Fault::unavailable_503(),
            Fault::delay(Duration::from_millis(5)),
        ]
        .into_iter()
        .enumerate()
        {
            queue.rules.push(PendingFault {
                id: id as u64,
                fault,
            });
        }
        let other = |k: &FaultKind| !matches!(k, FaultKind::Delay { .. });
        let kind = |f: Option<Fault>| f.map(|f| f.kind);
        assert_eq!(
            kind(queue.take("GET", "/api/v2/Tokens/X", other)),
            Some(FaultKind::Unavailable503)
        );
        assert_eq!(
            kind(queue.take("post", "/API/v2/tokens", other)),
            Some(FaultKind::Error500)
        );
        assert_eq!(
            kind(queue.take("POST", "/api/v2/Tokens", other)),
            Some(FaultKind::Error500)
        );
        assert_eq!(kind(queue.take("POST", "/api/v2/Tokens", other)), None);
        assert_eq!(queue.rules.len(), 1, "only the delay is left");
    }

    #[test]
    fn rules_without_a_count_stay_until_cleared() {
        let mut queue = Queue::default();
        queue.rules.push(PendingFault {
            id: 1,
            fault: Fault::error_500().until_cleared(),
        });
        for _ in 0..10 {
            assert!(queue.take("GET", "/", |_| true).is_some());
        }
        assert_eq!(queue.rules.len(), 1);
    }

    #[test]
    fn faults_read_from_json_with_defaults() {
        let fault: Fault = serde_json::from_str(
            r#"{"kind":"quotaExhausted429","path":"/api/v2/Tokens","retryAfterSeconds":30}"#,
        )
        .expect("valid fault JSON");
        assert_eq!(
            fault,
            Fault::quota_exhausted_429()
                .on_path("/api/v2/Tokens")
                .with_retry_after(30),
        );
        let fault: Fault = serde_json::from_str(r#"{"kind":"delay","delayMs":250,"times":null}"#)
            .expect("valid fault JSON");
        assert_eq!(
            fault,
            Fault::delay(Duration::from_millis(250)).until_cleared()
        );
    }
}
