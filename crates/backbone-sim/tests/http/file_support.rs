//! Uploading and reading files in tests: a valid upload to vary one part at a time, and typed
//! requests for the Files routes.

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::support::{Identity, TestSim};

/// The parts of an upload, in the order the official runtime sends them. `None` leaves a part
/// out.
#[derive(Debug, Clone)]
pub struct Upload {
    pub content: Option<Vec<u8>>,
    /// The `filename` of the content part.
    pub file_name: String,
    pub cipher_hash: Option<String>,
    pub owner: Option<String>,
    pub owner_signature: Option<String>,
    pub expires_at: Option<String>,
    pub encrypted_properties: Option<String>,
}

/// `2099-12-31T00:00:00.000Z`, as the runtime's `CoreDate` writes dates.
pub fn iso(date: DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Upload {
    /// What the Backbone's own integration tests upload: `content`, `AAAA` for the three byte
    /// fields, one day to live.
    pub fn valid() -> Self {
        Self {
            content: Some(b"content".to_vec()),
            file_name: "cipher.bin".to_owned(),
            cipher_hash: Some("AAAA".to_owned()),
            owner: Some("did:e:localhost:dids:0123456789abcdef012345".to_owned()),
            owner_signature: Some("AAAA".to_owned()),
            expires_at: Some(iso(Utc::now() + chrono::Duration::days(1))),
            encrypted_properties: Some("AAAA".to_owned()),
        }
    }

    pub fn with_content(mut self, content: Vec<u8>) -> Self {
        self.content = Some(content);
        self
    }

    pub fn expiring(mut self, at: DateTime<Utc>) -> Self {
        self.expires_at = Some(iso(at));
        self
    }

    pub fn form(&self) -> Form {
        let mut form = Form::new();
        if let Some(content) = &self.content {
            let part = Part::bytes(content.clone())
                .file_name(self.file_name.clone())
                .mime_str("application/octet-stream")
                .expect("valid mime type");
            form = form.part("content", part);
        }
        let texts = [
            ("cipherHash", &self.cipher_hash),
            ("owner", &self.owner),
            ("ownerSignature", &self.owner_signature),
            ("expiresAt", &self.expires_at),
            ("encryptedProperties", &self.encrypted_properties),
        ];
        for (name, value) in texts {
            if let Some(value) = value {
                form = form.text(name, value.clone());
            }
        }
        form
    }
}

impl TestSim {
    /// `POST /api/v2/Files` with `form`.
    pub async fn upload(&self, caller: Option<&Identity>, form: Form) -> Response {
        self.upload_to("/api/v2/Files", caller, form).await
    }

    pub async fn upload_to(&self, path: &str, caller: Option<&Identity>, form: Form) -> Response {
        self.request(Method::POST, path, caller)
            .multipart(form)
            .send()
            .await
            .expect("request completes")
    }

    /// An upload that must succeed: the `CreateFileResponse`.
    pub async fn upload_ok(&self, caller: &Identity, upload: &Upload) -> Value {
        let response = self.upload(Some(caller), upload.form()).await;
        let status = response.status();
        let body: Value = response.json().await.expect("JSON body");
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["result"].clone()
    }

    /// `GET /api/v2/Files/{id}/metadata`.
    pub async fn file_metadata(&self, caller: Option<&Identity>, id: &str) -> Response {
        self.request(Method::GET, &format!("/api/v2/Files/{id}/metadata"), caller)
            .send()
            .await
            .expect("request completes")
    }

    /// The metadata of a file that must be readable.
    pub async fn file_metadata_ok(&self, caller: &Identity, id: &str) -> Value {
        let response = self.file_metadata(Some(caller), id).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("JSON body");
        body["result"].clone()
    }

    /// `GET /api/v2/Files/{id}`.
    pub async fn download(&self, caller: Option<&Identity>, id: &str) -> Response {
        self.request(Method::GET, &format!("/api/v2/Files/{id}"), caller)
            .send()
            .await
            .expect("request completes")
    }

    pub async fn delete_file(&self, caller: Option<&Identity>, id: &str) -> Response {
        self.request(Method::DELETE, &format!("/api/v2/Files/{id}"), caller)
            .send()
            .await
            .expect("request completes")
    }

    /// `PATCH …/ClaimOwnership` or `POST …/ValidateOwnershipToken` with `{"ownershipToken"}`.
    pub async fn ownership(
        &self,
        method: Method,
        caller: &Identity,
        id: &str,
        action: &str,
        token: &str,
    ) -> Response {
        self.request(
            method,
            &format!("/api/v2/Files/{id}/{action}"),
            Some(caller),
        )
        .json(&json!({ "ownershipToken": token }))
        .send()
        .await
        .expect("request completes")
    }

    pub async fn claim(&self, caller: &Identity, id: &str, token: &str) -> Response {
        self.ownership(Method::PATCH, caller, id, "ClaimOwnership", token)
            .await
    }

    pub async fn validate_token(&self, caller: &Identity, id: &str, token: &str) -> Response {
        self.ownership(Method::POST, caller, id, "ValidateOwnershipToken", token)
            .await
    }

    pub async fn regenerate(&self, caller: &Identity, id: &str) -> Response {
        self.request(
            Method::PATCH,
            &format!("/api/v2/Files/{id}/RegenerateOwnershipToken"),
            Some(caller),
        )
        .send()
        .await
        .expect("request completes")
    }
}

/// The `result` of a 200.
pub async fn ok_result(response: Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(status, StatusCode::OK, "{body}");
    body["result"].clone()
}
