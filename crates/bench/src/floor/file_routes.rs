//! The floor of the file scenarios (issue 17): what an upload and a download cannot avoid, with
//! the connector's own library code for everything cryptographic, so the difference is what
//! the connector does around it.
//!
//! - `POST /floor/upload`: the multipart form read with actix-multipart (the connector's
//!   parser) into one buffer sized from `Content-Length`; the content sealed with
//!   `domain::EncryptedUpload::seal` (plaintext hash, owner signature, encryption, cipher hash,
//!   encrypted metadata); the Backbone's `POST /api/v2/Files` with the runtime's parts, the
//!   sealed content moved into the body, not copied; the id read from the answer and one INSERT
//!   of the File row through the connector's repository; a small JSON answer with the id.
//! - `GET /floor/download/{id}`: one SELECT of the File row through the repository, the
//!   Backbone's `GET /api/v2/Files/{id}`, `domain::file::decrypt_download` (cipher hash,
//!   decryption, plaintext hash), the plaintext as the answer.
//!
//! Left out, as the connector's own logic: the form's validation, the use cases, retries, the
//! rest of the Backbone's answer (the row takes the floor's known owner and dates), random keys
//! (the floor seals with fixed ones: drawing 64 random bytes costs nanoseconds).

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::{HttpRequest, HttpResponse, web};
use application::ports::FileRepository;
use bytes::BytesMut;
use chrono::Utc;
use domain::crypto::{NONCE_LEN, SECRET_KEY_LEN};
use domain::file::{FileContent, decrypt_download};
use domain::{
    DeviceId, EncryptedUpload, File, FileId, FileKeys, FileMetadataInput, FileNonces,
    IdentityAddress, SecretKey, SigningKeyPair,
};
use futures_util::StreamExt;
use reqwest::multipart::{Form, Part};
use serde::Deserialize;

use super::{Floor, failed};

/// The name of the form's content part, as in the connector.
const FILE_FIELD: &str = "file";

/// What the file routes need besides [`Floor`]'s pool, client and bearer.
pub struct FileFloor {
    pub repository: adapters_postgres::PgFileRepository,
    /// `…/api/v2/Files`.
    pub files_url: String,
    pub device_key: SigningKeyPair,
    pub owner: IdentityAddress,
    pub device: DeviceId,
}

#[derive(Deserialize)]
struct Uploaded {
    result: UploadedId,
}

#[derive(Deserialize)]
struct UploadedId {
    id: String,
}

/// The content part and its media type; the other fields are read and dropped.
struct Content {
    bytes: bytes::Bytes,
    filename: String,
    mimetype: String,
}

pub async fn upload(
    floor: web::Data<Floor>,
    request: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    match store(&floor, &request, payload).await {
        Ok(id) => HttpResponse::Created()
            .content_type("application/json")
            .body(format!(r#"{{"result":{{"id":"{id}"}}}}"#)),
        Err(status) => HttpResponse::build(status).finish(),
    }
}

pub async fn download(floor: web::Data<Floor>, id: web::Path<String>) -> HttpResponse {
    match fetch(&floor, &id).await {
        Ok((plaintext, mimetype)) => HttpResponse::Ok().content_type(mimetype).body(plaintext),
        Err(status) => HttpResponse::build(status).finish(),
    }
}

async fn read_content(request: &HttpRequest, payload: web::Payload) -> Result<Content, StatusCode> {
    let length = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<usize>().ok())
        .unwrap_or_default();
    let bad = |error: actix_multipart::MultipartError| {
        failed("reading the form", &error, StatusCode::BAD_REQUEST)
    };
    let mut multipart = actix_multipart::Multipart::new(request.headers(), payload);
    let mut content = None;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(bad)?;
        let is_file = field.name() == Some(FILE_FIELD);
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or_default()
            .to_owned();
        let mimetype = field.content_type().map(ToString::to_string);
        let mut bytes = BytesMut::with_capacity(if is_file { length } else { 0 });
        while let Some(chunk) = field.next().await {
            bytes.extend_from_slice(&chunk.map_err(bad)?);
        }
        if is_file {
            content = Some(Content {
                bytes: bytes.freeze(),
                filename,
                mimetype: mimetype.unwrap_or_default(),
            });
        }
    }
    content.ok_or(StatusCode::BAD_REQUEST)
}

async fn store(
    floor: &Floor,
    request: &HttpRequest,
    payload: web::Payload,
) -> Result<FileId, StatusCode> {
    let content = read_content(request, payload).await?;
    let files = &floor.files;
    let keys = FileKeys {
        content_key: SecretKey::from_bytes([3; SECRET_KEY_LEN]),
        metadata_key: SecretKey::from_bytes([4; SECRET_KEY_LEN]),
    };
    let nonces = FileNonces {
        content: [5; NONCE_LEN],
        metadata: [6; NONCE_LEN],
    };
    let input = FileMetadataInput {
        title: None,
        description: None,
        filename: content.filename,
        tags: None,
        mimetype: content.mimetype,
        filemodified: None,
    };
    let sealed = EncryptedUpload::seal(&content.bytes, input, keys, nonces, &files.device_key)
        .map_err(|error| failed("sealing", &error, StatusCode::BAD_REQUEST))?;
    // The plaintext is not needed past sealing.
    drop(content.bytes);
    let expires_at = application::files::upload_own::default_expiry();
    let length = sealed.content.len() as u64;
    let form = Form::new()
        .part(
            "content",
            Part::stream_with_length(reqwest::Body::from(sealed.content), length)
                .file_name("cipher.bin")
                .mime_str("application/octet-stream")
                .unwrap_or_else(|_| unreachable!("a valid media type")),
        )
        .text("cipherHash", sealed.cipher_hash.to_b64url())
        .text("owner", files.owner.to_string())
        .text("ownerSignature", sealed.owner_signature.to_b64url())
        .text("expiresAt", domain::date::format_date(expires_at))
        .text("encryptedProperties", sealed.encrypted_properties);
    let response = floor
        .http
        .post(&files.files_url)
        .header(reqwest::header::AUTHORIZATION, &floor.bearer)
        .multipart(form)
        .send()
        .await
        .map_err(|error| failed("POST to the Backbone", &error, StatusCode::BAD_GATEWAY))?;
    let status = response.status();
    let answer = response
        .bytes()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?;
    if status != reqwest::StatusCode::CREATED {
        return Err(failed(
            "the Backbone answered",
            &status,
            StatusCode::BAD_GATEWAY,
        ));
    }
    let uploaded: Uploaded =
        serde_json::from_slice(&answer).map_err(|_| StatusCode::BAD_GATEWAY)?;
    let id = FileId::parse(&uploaded.result.id).map_err(|_| StatusCode::BAD_GATEWAY)?;
    let metadata = sealed.metadata;
    let row = File {
        id: id.clone(),
        secret_key: sealed.metadata_key,
        owner: files.owner.clone(),
        created_at: domain::date::truncate_to_millis(Utc::now()),
        created_by: files.owner.clone(),
        created_by_device: files.device.clone(),
        expires_at,
        filename: metadata.filename,
        filesize: metadata.filesize,
        mimetype: metadata.mimetype,
        title: None,
        description: None,
        tags: Vec::new(),
        ownership_token: None,
        ownership_is_locked: false,
        is_own: true,
        content: Some(FileContent {
            cipher_key: metadata.content_key,
            cipher_hash: sealed.cipher_hash,
            plaintext_hash: sealed.plaintext_hash,
            owner_signature: sealed.owner_signature.to_b64url(),
        }),
    };
    files
        .repository
        .insert_file(&row)
        .await
        .map_err(|error| failed("INSERT", &error, StatusCode::INTERNAL_SERVER_ERROR))?;
    Ok(id)
}

async fn fetch(floor: &Floor, id: &str) -> Result<(Vec<u8>, String), StatusCode> {
    let files = &floor.files;
    let id = FileId::parse(id).map_err(|_| StatusCode::BAD_REQUEST)?;
    let row = files
        .repository
        .find_file(&id)
        .await
        .map_err(|error| failed("SELECT", &error, StatusCode::INTERNAL_SERVER_ERROR))?
        .ok_or(StatusCode::NOT_FOUND)?;
    let content = row.content.ok_or(StatusCode::NOT_FOUND)?;
    let response = floor
        .http
        .get(format!("{}/{id}", files.files_url))
        .header(reqwest::header::AUTHORIZATION, &floor.bearer)
        .send()
        .await
        .map_err(|error| failed("GET from the Backbone", &error, StatusCode::BAD_GATEWAY))?;
    if response.status() != reqwest::StatusCode::OK {
        let status = response.status();
        return Err(failed(
            "the Backbone answered",
            &status,
            StatusCode::BAD_GATEWAY,
        ));
    }
    let downloaded = response
        .bytes()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?;
    let plaintext = decrypt_download(
        &downloaded,
        &content.cipher_hash,
        &content.cipher_key,
        &content.plaintext_hash,
    )
    .map_err(|error| failed("opening the download", &error, StatusCode::BAD_GATEWAY))?;
    Ok((plaintext, row.mimetype))
}
