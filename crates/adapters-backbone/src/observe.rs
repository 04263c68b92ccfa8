//! Every Backbone call as it ends, for whoever counts them (the service's metrics): the route's
//! template, the method, how it ended and how long it took.

use std::time::Duration;

/// Told of each call the client makes, once it has an answer or has failed.
pub trait CallObserver: Send + Sync {
    fn observe(&self, call: &ObservedCall<'_>);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObservedCall<'a> {
    /// The route's template, e.g. `/api/v2/Tokens/{id}`.
    pub route: &'static str,
    pub method: &'a str,
    pub outcome: CallOutcome,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// The Backbone answered with this status.
    Answered(u16),
    /// No answer within the request timeout.
    TimedOut,
    /// The connection could not be made or broke.
    ConnectionFailed,
    /// An answer far larger than the route ever gives.
    AnswerTooLarge,
}

impl CallOutcome {
    /// A short label: the status (`201`), or `timeout`, `connection_failed`, `answer_too_large`.
    pub fn label(self) -> std::borrow::Cow<'static, str> {
        match self {
            Self::Answered(status) => status.to_string().into(),
            Self::TimedOut => "timeout".into(),
            Self::ConnectionFailed => "connection_failed".into(),
            Self::AnswerTooLarge => "answer_too_large".into(),
        }
    }
}
