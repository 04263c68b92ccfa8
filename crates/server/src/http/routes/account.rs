//! `GET /api/v2/Account/IdentityInfo` and `GET /api/core/v1/Account/IdentityInfo`: who this
//! service is (the peers' tests read it to address personalized tokens).

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::envelope::Success;
use crate::http::openapi::responses::Unauthorized;
use crate::state::AppState;

pub const V6_PATH: &str = "/api/v2/Account/IdentityInfo";
pub const V7_PATH: &str = "/api/core/v1/Account/IdentityInfo";

/// The identity's address and public key, as the Connector answers them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentityInfoDto {
    /// `did:e:<domain>:dids:<hex>`.
    #[schema(pattern = "^did:e:((?:[a-z0-9-]+\\.)*[a-z]{2,}):dids:[0-9a-f]{22}$")]
    address: String,
    /// base64url of `{"pub":"<Ed25519 key>","alg":3}`. Absent for a device configured with the
    /// `identity.*` settings: this service never saw that identity's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    public_key: Option<String>,
}

/// `{"result": IdentityInfoDto}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityInfoResult {
    result: IdentityInfoDto,
}

/// This service's identity (Connector v6).
#[utoipa::path(
    get,
    path = V6_PATH,
    operation_id = "getIdentityInfo",
    tag = "Account",
    responses(
        (status = 200, description = "The identity this service acts as.", body = IdentityInfoResult),
        Unauthorized,
    ),
    security(("ApiKey" = [])),
)]
pub async fn identity_info_v6(state: web::Data<AppState>) -> HttpResponse {
    identity_info(&state)
}

/// This service's identity (Connector v7; the same answer).
#[utoipa::path(
    get,
    path = V7_PATH,
    operation_id = "getIdentityInfoV7",
    tag = "Account",
    responses(
        (status = 200, description = "The identity this service acts as.", body = IdentityInfoResult),
        Unauthorized,
    ),
    security(("ApiKey" = [])),
)]
pub async fn identity_info_v7(state: web::Data<AppState>) -> HttpResponse {
    identity_info(&state)
}

fn identity_info(state: &AppState) -> HttpResponse {
    let identity = &state.identity;
    HttpResponse::Ok().json(Success {
        result: IdentityInfoDto {
            address: identity.address.to_string(),
            public_key: identity.public_key.map(|key| key.to_b64url(false)),
        },
    })
}
