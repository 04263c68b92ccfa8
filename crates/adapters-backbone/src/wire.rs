//! The Backbone's JSON and form shapes, as serde types. None of them derives `Debug`: several
//! carry secrets or token content.

use application::ports::NewBackboneToken;
use serde::{Deserialize, Serialize};

/// Form body of `POST /connect/token`.
#[derive(Serialize)]
pub(crate) struct LoginForm<'a> {
    pub grant_type: &'static str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub username: &'a str,
    pub password: &'a str,
}

/// 200 answer of `/connect/token`.
#[derive(Deserialize)]
pub(crate) struct LoginResponse {
    pub access_token: String,
    pub expires_in: Seconds,
}

/// `expires_in` is a JSON number; the runtime reads it with `parseInt`, so a numeric string is
/// accepted as well.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Seconds {
    Number(u64),
    Text(String),
}

impl Seconds {
    pub fn value(&self) -> Option<u64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(text) => text.trim().parse().ok(),
        }
    }
}

/// OAuth error answer of `/connect/token` (not the Backbone envelope).
#[derive(Deserialize)]
pub(crate) struct OAuthError {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
}

/// Body of `POST /api/v2/Tokens`; absent optionals are omitted, not `null`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateTokenRequest<'a> {
    pub content: &'a str,
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub for_identity: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl<'a> CreateTokenRequest<'a> {
    pub fn from_token(token: &'a NewBackboneToken) -> Self {
        Self {
            content: &token.content,
            expires_at: domain::date::format_date(token.expires_at),
            for_identity: token.for_identity.as_ref().map(|address| address.as_str()),
            password: token.password_hash.as_ref().map(domain::encoding::b64std),
        }
    }
}

/// Success envelope `{"result": …}`.
#[derive(Deserialize)]
pub(crate) struct Success<T> {
    pub result: T,
}

/// `result` of a 201 from `POST /api/v2/Tokens` (other fields are ignored).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatedToken {
    pub id: String,
    pub created_at: String,
}

/// `result` of `GET /api/v2/Tokens/{id}` (other fields are ignored).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReadToken {
    pub id: String,
    pub created_by: String,
    /// Null for a token created anonymously, which carries no content either.
    #[serde(default)]
    pub created_by_device: Option<String>,
    pub created_at: String,
    pub expires_at: String,
    /// Absent for a token created without content (anonymously).
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub for_identity: Option<String>,
}

/// Error envelope `{"error": {"id","code","message","docs","time","data"}}`.
#[derive(Deserialize)]
pub(crate) struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}

/// One element of `error.data` of a 429: when a metric's quota frees up again.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExhaustedMetric {
    pub is_exhausted_until: Option<String>,
}

/// `result` of a 201 from `POST /api/v2/Challenges` (the creator fields are ignored).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatedChallenge {
    pub id: String,
    pub expires_at: String,
}

/// Body of `POST /api/v2/Identities`, in the runtime's key order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateIdentityRequest<'a> {
    pub device_password: &'a str,
    pub identity_public_key: String,
    pub signed_challenge: SignedChallenge<'a>,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub identity_version: u8,
}

#[derive(Serialize)]
pub(crate) struct SignedChallenge<'a> {
    pub challenge: &'a str,
    pub signature: String,
}

/// `result` of a 201 from `POST /api/v2/Identities`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatedIdentity {
    pub address: String,
    pub created_at: String,
    pub device: CreatedDevice,
}

#[derive(Deserialize)]
pub(crate) struct CreatedDevice {
    pub id: String,
    pub username: String,
}

/// Body of `POST /api/v2/SyncRuns` for the first start's upgrade.
#[derive(Serialize)]
pub(crate) struct StartSyncRun {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// `result` of `POST /api/v2/SyncRuns`: no run when the Backbone started none.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StartedSyncRun {
    pub status: String,
    #[serde(default)]
    pub sync_run: Option<SyncRun>,
}

#[derive(Deserialize)]
pub(crate) struct SyncRun {
    pub id: String,
}

/// Body of `PUT /api/v2/SyncRuns/{id}/FinalizeDatawalletVersionUpgrade`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FinalizeDatawalletVersionUpgrade {
    pub new_datawallet_version: u32,
    pub datawallet_modifications: [(); 0],
}

/// A File as `POST /api/v2/Files` and `GET …/metadata` answer it (other fields are ignored).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FileDto {
    pub id: String,
    pub created_at: String,
    pub created_by: String,
    pub created_by_device: String,
    pub owner: String,
    pub owner_signature: String,
    #[serde(default)]
    pub ownership_token: Option<String>,
    #[serde(default)]
    pub ownership_is_locked: Option<bool>,
    pub cipher_size: u64,
    pub cipher_hash: String,
    pub expires_at: String,
    #[serde(default)]
    pub encrypted_properties: Option<String>,
}

/// `result` of `PATCH …/RegenerateOwnershipToken`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NewOwnershipToken {
    pub new_ownership_token: String,
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use domain::IdentityAddress;

    use super::*;

    fn token(with_optionals: bool) -> NewBackboneToken {
        NewBackboneToken {
            content: "Y29udGVudA".to_owned(),
            expires_at: Utc
                .with_ymd_and_hms(2030, 1, 2, 3, 4, 5)
                .single()
                .expect("a real date"),
            for_identity: with_optionals.then(|| {
                IdentityAddress::from_parts("localhost", "0123456789abcdef0123")
                    .expect("a valid address")
            }),
            password_hash: with_optionals.then_some([0xfb; 32]),
        }
    }

    #[test]
    fn absent_optionals_are_omitted() {
        let token = token(false);
        let json =
            serde_json::to_value(CreateTokenRequest::from_token(&token)).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"content": "Y29udGVudA", "expiresAt": "2030-01-02T03:04:05.000Z"})
        );
    }

    #[test]
    fn present_optionals_are_written_with_the_password_hash_in_b64std() {
        let token = token(true);
        let json =
            serde_json::to_value(CreateTokenRequest::from_token(&token)).expect("serialises");
        let address = token.for_identity.as_ref().expect("set").as_str();
        assert_eq!(
            json,
            serde_json::json!({
                "content": "Y29udGVudA",
                "expiresAt": "2030-01-02T03:04:05.000Z",
                "forIdentity": address,
                "password": "+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/s=",
            })
        );
    }
}
