//! The one place requests leave: the reqwest client, URLs, common headers, and reading an answer
//! (bounded) into memory.

use std::sync::Arc;
use std::time::Duration;

use application::ports::BackboneError;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{RequestBuilder, Url, redirect};
use tokio::time::Instant;

use crate::config::{BackboneConfig, BackboneConfigError};
use crate::errors;
use crate::observe::{CallObserver, CallOutcome, ObservedCall};

/// Shorter than the idle timeouts of common proxies (60–75 s) and Kestrel (130 s), so a pooled
/// connection is not reused just as the other side closes it.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest File content the Backbone keeps (its command validator's limit).
pub(crate) const MAX_FILE_CONTENT_BYTES: usize = 15 * 1024 * 1024;
/// Header the Backbone echoes and logs.
pub(crate) const CORRELATION_ID_HEADER: &str = "X-Correlation-ID";

/// The Backbone routes this client calls, as templates whose `{…}` segments are parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    Login,
    Tokens,
    Token,
    Version,
    Challenges,
    Identities,
    SyncRuns,
    FinalizeDatawalletVersionUpgrade,
    Files,
    File,
    FileMetadata,
    RegenerateOwnershipToken,
}

impl Route {
    /// In the order of the variants, so `route as usize` indexes it.
    const ALL: [Self; 12] = [
        Self::Login,
        Self::Tokens,
        Self::Token,
        Self::Version,
        Self::Challenges,
        Self::Identities,
        Self::SyncRuns,
        Self::FinalizeDatawalletVersionUpgrade,
        Self::Files,
        Self::File,
        Self::FileMetadata,
        Self::RegenerateOwnershipToken,
    ];

    fn template(self) -> &'static str {
        match self {
            Self::Login => "/connect/token",
            Self::Tokens => "/api/v2/Tokens",
            Self::Token => "/api/v2/Tokens/{id}",
            Self::Version => "/api/v2/Version",
            Self::Challenges => "/api/v2/Challenges",
            Self::Identities => "/api/v2/Identities",
            Self::SyncRuns => "/api/v2/SyncRuns",
            Self::FinalizeDatawalletVersionUpgrade => {
                "/api/v2/SyncRuns/{id}/FinalizeDatawalletVersionUpgrade"
            }
            Self::Files => "/api/v2/Files",
            Self::File => "/api/v2/Files/{id}",
            Self::FileMetadata => "/api/v2/Files/{id}/metadata",
            Self::RegenerateOwnershipToken => "/api/v2/Files/{id}/RegenerateOwnershipToken",
        }
    }

    /// The largest answer this route gives; anything far larger is not one of its answers.
    fn max_answer_bytes(self) -> usize {
        match self {
            // Logins, ids, versions, sync runs and error envelopes: a few hundred bytes.
            Self::Login
            | Self::Tokens
            | Self::Token
            | Self::Version
            | Self::Challenges
            | Self::Identities
            | Self::SyncRuns
            | Self::FinalizeDatawalletVersionUpgrade
            | Self::Files
            | Self::FileMetadata
            | Self::RegenerateOwnershipToken => 1024 * 1024,
            // A File's content: the Backbone stores at most 15 MiB (and accepts 10 MiB uploads).
            Self::File => MAX_FILE_CONTENT_BYTES,
        }
    }

    fn has_parameters(self) -> bool {
        self.template().contains('{')
    }
}

/// A complete HTTP answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
    /// From sending the request to the end of the body.
    pub elapsed: Duration,
}

/// Why no complete answer came back.
#[derive(Debug)]
pub(crate) struct NoAnswer {
    pub error: BackboneError,
    /// The connection could not be opened, so the request never reached the Backbone.
    pub not_sent: bool,
}

pub(crate) struct Transport {
    client: reqwest::Client,
    base_url: String,
    /// `base_url` parsed, for routes with parameters.
    base: Url,
    /// Each route's URL, parsed once rather than on every request; indexed by `Route as usize`.
    urls: Vec<Url>,
    pub request_timeout: Duration,
    pub health_check_timeout: Duration,
    pub connect_retry_delay: Duration,
    observer: Option<Arc<dyn CallObserver>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.base_url)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub fn new(config: &BackboneConfig) -> Result<Self, BackboneConfigError> {
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        let valid = Url::parse(&base_url).is_ok_and(|url| {
            matches!(url.scheme(), "http" | "https")
                && url.has_host()
                && url.query().is_none()
                && url.fragment().is_none()
        });
        let invalid = || BackboneConfigError::InvalidBaseUrl(config.base_url.clone());
        if !valid {
            return Err(invalid());
        }
        // Routes without parameters are parsed once, here, not on every request.
        let urls = Route::ALL
            .iter()
            .map(|route| Url::parse(&format!("{base_url}{}", route.template())))
            .collect::<Result<_, _>>()
            .map_err(|_| invalid())?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.as_str())
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            // The Backbone never redirects; following one would turn a POST into a GET.
            .redirect(redirect::Policy::none())
            .build()
            .map_err(BackboneConfigError::HttpClient)?;
        Ok(Self {
            client,
            base: Url::parse(&base_url).map_err(|_| invalid())?,
            base_url,
            urls,
            request_timeout: config.request_timeout,
            health_check_timeout: config.health_check_timeout,
            connect_retry_delay: config.connect_retry_delay,
            observer: config.observer.clone(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn get(&self, route: Route, parameters: &[&str]) -> RequestBuilder {
        self.client.get(self.url(route, parameters))
    }

    pub fn post(&self, route: Route, parameters: &[&str]) -> RequestBuilder {
        self.client.post(self.url(route, parameters))
    }

    pub fn delete(&self, route: Route, parameters: &[&str]) -> RequestBuilder {
        self.client.delete(self.url(route, parameters))
    }

    pub fn put(&self, route: Route, parameters: &[&str]) -> RequestBuilder {
        self.client.put(self.url(route, parameters))
    }

    pub fn patch(&self, route: Route, parameters: &[&str]) -> RequestBuilder {
        self.client.patch(self.url(route, parameters))
    }

    /// The route's URL with `parameters` in its `{…}` segments, in order, each percent-encoded
    /// as one path segment.
    fn url(&self, route: Route, parameters: &[&str]) -> Url {
        if !route.has_parameters() {
            return self.urls[route as usize].clone();
        }
        let mut url = self.base.clone();
        let mut parameters = parameters.iter().copied();
        // Only URLs that cannot be a base refuse segments; `new` accepted only http(s) ones.
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            for part in route.template().trim_start_matches('/').split('/') {
                if part.starts_with('{') {
                    segments.push(parameters.next().unwrap_or_default());
                } else {
                    segments.push(part);
                }
            }
        }
        url
    }

    /// Sends `request` (made for `route`) and reads the whole answer, at most the route's
    /// largest, within `timeout`.
    pub async fn send(
        &self,
        route: Route,
        request: RequestBuilder,
        timeout: Duration,
    ) -> Result<Answer, NoAnswer> {
        let started = Instant::now();
        let (client, request) = request.timeout(timeout).build_split();
        let request = request.map_err(|e| NoAnswer {
            error: errors::from_transport(&e, timeout),
            not_sent: true,
        })?;
        let method = request.method().clone();
        let result = self
            .exchange(route, &client, request, timeout, started)
            .await;
        if let Some(observer) = &self.observer {
            observer.observe(&ObservedCall {
                route: route.template(),
                method: method.as_str(),
                outcome: match &result {
                    Ok(answer) => CallOutcome::Answered(answer.status),
                    Err(no_answer) => no_answer.outcome(),
                },
                elapsed: started.elapsed(),
            });
        }
        result
    }

    async fn exchange(
        &self,
        route: Route,
        client: &reqwest::Client,
        request: reqwest::Request,
        timeout: Duration,
        started: Instant,
    ) -> Result<Answer, NoAnswer> {
        let limit = route.max_answer_bytes();
        let lost = |error: &reqwest::Error| NoAnswer {
            error: errors::from_transport(error, timeout),
            not_sent: error.is_connect(),
        };
        let mut response = client.execute(request).await.map_err(|e| lost(&e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        // Sized from the declared length (bounded by the limit, which a lying header cannot
        // pass): a File's content, up to 10 MiB, is then never copied while the buffer grows.
        let declared = response.content_length().unwrap_or_default();
        let mut body =
            Vec::with_capacity(usize::try_from(declared).unwrap_or(usize::MAX).min(limit));
        while let Some(chunk) = response.chunk().await.map_err(|e| lost(&e))? {
            if body.len() + chunk.len() > limit {
                let detail = format!("the answer is larger than {limit} bytes");
                return Err(NoAnswer {
                    error: BackboneError::UnexpectedResponse { status, detail },
                    not_sent: false,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            retry_after,
            body,
            elapsed: started.elapsed(),
        })
    }
}

impl NoAnswer {
    fn outcome(&self) -> CallOutcome {
        match &self.error {
            BackboneError::Timeout(_) => CallOutcome::TimedOut,
            BackboneError::UnexpectedResponse { .. } => CallOutcome::AnswerTooLarge,
            _ => CallOutcome::ConnectionFailed,
        }
    }
}

/// Adds `X-Correlation-ID` when there is one that is a valid header value (else it is dropped: a
/// bad correlation id must not fail the call).
pub(crate) fn with_correlation_id(
    request: RequestBuilder,
    correlation_id: Option<&str>,
) -> RequestBuilder {
    match correlation_id.map(HeaderValue::from_str) {
        Some(Ok(value)) => request.header(CORRELATION_ID_HEADER, value),
        Some(Err(_)) => {
            tracing::debug!("correlation id is not a valid header value; not forwarded");
            request
        }
        None => request,
    }
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    fn transport(base_url: &str) -> Transport {
        let config = BackboneConfig::new(base_url, "client", SecretString::from("secret"));
        Transport::new(&config).expect("a valid config")
    }

    #[test]
    fn every_route_is_its_path_under_the_base_url() {
        let transport = transport("https://backbone.example/prefix/");

        for route in Route::ALL
            .into_iter()
            .filter(|route| !route.has_parameters())
        {
            let expected = format!("https://backbone.example/prefix{}", route.template());
            assert_eq!(transport.url(route, &[]).as_str(), expected);
        }
    }

    #[test]
    fn parameters_fill_their_segments_percent_encoded() {
        for base in [
            "https://backbone.example/prefix",
            "https://backbone.example/prefix/",
        ] {
            let transport = transport(base);

            let request = transport
                .delete(Route::Token, &["TOKaaaaaaaaaaaaaaaaa"])
                .build()
                .expect("a request");

            assert_eq!(request.method(), reqwest::Method::DELETE);
            assert_eq!(
                request.url().as_str(),
                "https://backbone.example/prefix/api/v2/Tokens/TOKaaaaaaaaaaaaaaaaa"
            );
        }
        let at_the_root = transport("http://127.0.0.1:8090");
        assert_eq!(
            at_the_root.url(Route::Token, &["a/b c"]).as_str(),
            "http://127.0.0.1:8090/api/v2/Tokens/a%2Fb%20c"
        );
    }
}
