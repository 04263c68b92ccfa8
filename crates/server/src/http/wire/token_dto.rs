//! The Token DTO exactly as the Connector emits it (field order and optionals included).

use domain::date::format_date;
use domain::{PasswordProtection, Token};
use serde::Serialize;

use crate::http::routes::ApiVersion;

/// A Token as the Connector's v6 routes answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenDto {
    pub id: String,
    pub is_own: bool,
    pub created_by: String,
    pub created_by_device: String,
    /// Any JSON object: a `TokenContentFile` or a peer's other content, as written.
    pub content: serde_json::Value,
    pub created_at: String,
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub for_identity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_protection: Option<PasswordProtectionDto>,
    /// Read by v6 clients; v7 dropped it (`None` is left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated_reference: Option<String>,
    pub reference: TokenReferenceDto,
    pub is_ephemeral: bool,
}

/// A reference in both forms (Tokens and Files alike).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Reference)]
pub struct TokenReferenceDto {
    pub truncated: String,
    pub url: String,
}

/// `{password, passwordIsPin?: true, passwordLocationIndicator?}`: the indicator by name for
/// 1–6, by number for 50–99.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordProtectionDto {
    pub password: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_is_pin: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_location_indicator: Option<serde_json::Value>,
}

impl From<&PasswordProtection> for PasswordProtectionDto {
    fn from(protection: &PasswordProtection) -> Self {
        Self {
            password: protection.password.clone(),
            password_is_pin: protection.password_type.is_pin().then_some(true),
            password_location_indicator: protection.location_indicator.map(|indicator| {
                match indicator.name() {
                    Some(name) => serde_json::Value::from(name),
                    None => serde_json::Value::from(indicator.number()),
                }
            }),
        }
    }
}

impl TokenDto {
    /// The v6 DTO of `token`, with references pointing at `backbone_base_url`.
    pub fn new(token: &Token, is_ephemeral: bool, backbone_base_url: &str) -> Self {
        let reference = token.reference(backbone_base_url);
        let truncated = reference.truncated();
        let url = reference
            .url()
            .unwrap_or_else(|| unreachable!("a reference with a base url has a url form"));
        Self {
            id: token.id.to_string(),
            is_own: token.is_own,
            created_by: token.created_by.to_string(),
            created_by_device: token.created_by_device.to_string(),
            content: token.content.to_json(),
            created_at: format_date(token.created_at),
            expires_at: format_date(token.expires_at),
            for_identity: token.for_identity.as_ref().map(ToString::to_string),
            password_protection: token
                .password_protection
                .as_ref()
                .map(PasswordProtectionDto::from),
            truncated_reference: Some(truncated.clone()),
            reference: TokenReferenceDto { truncated, url },
            is_ephemeral,
        }
    }

    /// The DTO of `version`: v6, or [`TokenDto::into_v7`].
    pub fn for_version(
        token: &Token,
        is_ephemeral: bool,
        backbone_base_url: &str,
        version: ApiVersion,
    ) -> Self {
        let dto = Self::new(token, is_ephemeral, backbone_base_url);
        match version {
            ApiVersion::V6 => dto,
            ApiVersion::V7 => dto.into_v7(),
        }
    }

    /// The v7 (`/api/core/v1`) shape: the same without `truncatedReference`.
    #[must_use]
    pub fn into_v7(self) -> Self {
        Self {
            truncated_reference: None,
            ..self
        }
    }
}
