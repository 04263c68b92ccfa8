//! The File DTO exactly as the Connector emits it (files.md §5.1: field order, optionals, and
//! the v6 differences).

use domain::File;
use domain::date::format_date;
use serde::Serialize;

use super::TokenReferenceDto;
use crate::http::routes::ApiVersion;

/// A File as the Files routes answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = File)]
#[serde(rename_all = "camelCase")]
pub struct FileDto {
    pub id: String,
    pub is_own: bool,
    pub filename: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    pub filesize: u64,
    pub created_at: String,
    pub created_by: String,
    pub created_by_device: String,
    pub expires_at: String,
    pub mimetype: String,
    /// v6 always writes it (`""` when there is none); v7 leaves it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// v6 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated_reference: Option<String>,
    pub reference: TokenReferenceDto,
    pub owner: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ownership_token: Option<String>,
    /// `true` or left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ownership_is_locked: Option<bool>,
}

impl FileDto {
    /// The DTO of `file` in `version`'s shape, with references pointing at `backbone_base_url`.
    pub fn new(file: &File, backbone_base_url: &str, version: ApiVersion) -> Self {
        let reference = file.reference(backbone_base_url);
        let reference = TokenReferenceDto {
            truncated: reference.truncated(),
            url: reference
                .url()
                .unwrap_or_else(|| unreachable!("a reference with a base url has a url form")),
        };
        let v6 = version == ApiVersion::V6;
        Self {
            id: file.id.to_string(),
            is_own: file.is_own,
            filename: file.filename.clone(),
            tags: (!file.tags.is_empty()).then(|| file.tags.clone()),
            filesize: file.filesize,
            created_at: format_date(file.created_at),
            created_by: file.created_by.to_string(),
            created_by_device: file.created_by_device.to_string(),
            expires_at: format_date(file.expires_at),
            mimetype: file.mimetype.clone(),
            title: match (&file.title, v6) {
                (Some(title), _) => Some(title.clone()),
                (None, true) => Some(String::new()),
                (None, false) => None,
            },
            description: file.description.clone(),
            truncated_reference: v6.then(|| reference.truncated.clone()),
            reference,
            owner: file.owner.to_string(),
            ownership_token: file.ownership_token.clone(),
            ownership_is_locked: file.ownership_is_locked.then_some(true),
        }
    }
}
