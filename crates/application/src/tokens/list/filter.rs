//! [`TokenFilter`]: which stored Tokens a list answers, with the semantics the Connector's
//! queries have on its MongoDB store (`GetTokensUseCase`), written down once as
//! [`TokenFilter::matches`]. The plain keys reuse the Files' [`Condition`]s (and so their
//! Mongo semantics: dates as their ISO text, values of another type never equal); the
//! runtime's custom keys are conditions of their own:
//!
//! - `passwordProtection.password`: the raw text, no operators (repeated: no Token, as the
//!   runtime compares the stored password with the list);
//! - `passwordProtection.passwordIsPin`: `true` is "a PIN", `!` is "a password, not a PIN"
//!   (so an unprotected Token passes neither);
//! - `passwordProtection.passwordLocationIndicator`: digits are the number, a name is its
//!   number, anything else matches nothing.

use std::borrow::Cow;

use domain::date::format_date;
use domain::{PasswordLocationIndicator, Token};

use crate::files::list::{Condition, FieldValue};

/// A plain field of a stored Token, named as the Connector's query keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenField {
    CreatedAt,
    CreatedBy,
    CreatedByDevice,
    ExpiresAt,
    ForIdentity,
    /// Whether the Token is password protected: only `Exists` and `NotExists` are asked.
    PasswordProtection,
}

impl TokenField {
    pub const ALL: [Self; 6] = [
        Self::CreatedAt,
        Self::CreatedBy,
        Self::CreatedByDevice,
        Self::ExpiresAt,
        Self::ForIdentity,
        Self::PasswordProtection,
    ];

    /// The query key (and Token DTO member) of the field.
    pub fn name(self) -> &'static str {
        match self {
            Self::CreatedAt => "createdAt",
            Self::CreatedBy => "createdBy",
            Self::CreatedByDevice => "createdByDevice",
            Self::ExpiresAt => "expiresAt",
            Self::ForIdentity => "forIdentity",
            Self::PasswordProtection => "passwordProtection",
        }
    }

    /// The field a query key names.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.name() == name)
    }

    /// What `token` holds in this field, `None` when it is absent. A protection is an object
    /// in the Connector's store, which no text or number equals.
    pub fn value_of(self, token: &Token) -> Option<FieldValue<'_>> {
        fn text(value: &str) -> Option<FieldValue<'_>> {
            Some(FieldValue::Text(Cow::Borrowed(value)))
        }
        match self {
            Self::CreatedAt => Some(FieldValue::Text(Cow::Owned(format_date(token.created_at)))),
            Self::ExpiresAt => Some(FieldValue::Text(Cow::Owned(format_date(token.expires_at)))),
            Self::CreatedBy => text(token.created_by.as_str()),
            Self::CreatedByDevice => text(token.created_by_device.as_str()),
            Self::ForIdentity => token.for_identity.as_ref().and_then(|a| text(a.as_str())),
            Self::PasswordProtection => token
                .password_protection
                .as_ref()
                .map(|_| FieldValue::Object),
        }
    }
}

/// One condition of a [`TokenFilter`].
#[derive(Debug, Clone, PartialEq)]
pub enum TokenCondition {
    Field {
        field: TokenField,
        condition: Condition,
    },
    /// The password is exactly this text; `None` (a repeated key): no Token.
    PasswordIs(Option<String>),
    /// `true`: protected by a PIN; `false`: protected by a password that is no PIN.
    PasswordIsPin(bool),
    /// The location indicator has this number (`None`: no Token).
    LocationIndicatorIs(Option<u8>),
    /// Own (`true`) or a peer's (`false`).
    IsOwn(bool),
}

impl TokenCondition {
    /// `passwordProtection.passwordLocationIndicator=<text>` as the runtime reads it: digits
    /// are the number, a name (`RecoveryKit` included) its number, anything else none.
    pub fn location_indicator(text: &str) -> Self {
        let number = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse::<u8>().ok()
        } else if text == "RecoveryKit" {
            Some(0)
        } else {
            PasswordLocationIndicator::from_name(text).map(PasswordLocationIndicator::number)
        };
        Self::LocationIndicatorIs(number)
    }

    pub fn holds_for(&self, token: &Token) -> bool {
        let protection = token.password_protection.as_ref();
        match self {
            Self::Field { field, condition } => condition.holds(field.value_of(token).as_ref()),
            Self::PasswordIs(Some(password)) => protection.is_some_and(|p| &p.password == password),
            Self::PasswordIs(None) => false,
            Self::PasswordIsPin(pin) => {
                protection.is_some_and(|p| p.password_type.is_pin() == *pin)
            }
            Self::LocationIndicatorIs(number) => {
                let held = protection
                    .and_then(|p| p.location_indicator)
                    .map(|i| i.number());
                number.is_some() && held == *number
            }
            Self::IsOwn(is_own) => token.is_own == *is_own,
        }
    }
}

/// Conditions a listed Token passes all of; none: every Token.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TokenFilter {
    conditions: Vec<TokenCondition>,
}

impl TokenFilter {
    pub fn new() -> Self {
        Self::default()
    }

    /// This filter and `condition`.
    #[must_use]
    pub fn with(mut self, condition: TokenCondition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// This filter and `condition` on `field`.
    #[must_use]
    pub fn with_field(self, field: TokenField, condition: Condition) -> Self {
        self.with(TokenCondition::Field { field, condition })
    }

    pub fn conditions(&self) -> &[TokenCondition] {
        &self.conditions
    }

    /// The owner restriction of the filter, when it has exactly one kind of owner.
    pub fn is_own(&self) -> Option<bool> {
        self.conditions
            .iter()
            .find_map(|condition| match condition {
                TokenCondition::IsOwn(is_own) => Some(*is_own),
                _ => None,
            })
    }

    /// Whether `token` passes every condition: the semantics every repository implements.
    pub fn matches(&self, token: &Token) -> bool {
        self.conditions.iter().all(|c| c.holds_for(token))
    }
}
