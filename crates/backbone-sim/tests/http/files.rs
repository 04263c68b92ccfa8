//! `POST /api/v2/Files`, metadata and content: the spec's vector A as the official runtime
//! sends it, round trips, the 10 MiB boundary, expiry and deletion.

use std::time::Duration;

use backbone_sim::encoding::b64url;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha512};

use crate::file_support::{Upload, ok_result};
use crate::support::{TestSim, error_of};

const FILE_NOT_FOUND: &str = "File not found. Make sure the ID exists and the record is not expired. If a password is required to fetch the record, make sure you passed the correct one.";
const OWNERSHIP_ALPHABET: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*()_-+=<>?/{}[]|~";

/// Vector A (spec files.md §6): what `@nmshd/transport` 7.0.0 uploads for
/// `Hello enmeshed Files!\n`.
mod vector_a {
    pub const BOUNDARY: &str = "--------------------------ae4df22e04eff263fb0ad9be";
    pub const CONTENT: &str = r#"{"cph":"nFxpHL_AHHjikfTWyvhF1PvWyLcyU-BzuFsrADRw_IFk4WZEIqM","alg":3,"nnc":"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZX","@type":"CryptoCipher"}"#;
    pub const CIPHER_HASH: &str =
        "Zau2nUiUs1p8637doXN7HbQwwypF_YiDyZVYQDGrJQvqfkmGqz_bY-u9NX7fQ2YJbHxFNSb1CmViqgi77hcCsA";
    pub const OWNER: &str = "did:e:localhost:dids:0123456789abcdef012345";
    pub const OWNER_SIGNATURE: &str = "eyJzaWciOiI5SkxHRUlyakpQUjNyd1VXbDZ2MWxYSG5SYlF4UTZLYkswT1hJTkk1dE9fMzJqMkliYkZOSFpFaEM4cnFQRks4Uk96WXdMM1RfNmpJcmd3YUY1Z0JBdyIsImFsZyI6MiwiQHR5cGUiOiJDcnlwdG9TaWduYXR1cmUifQ";
    pub const EXPIRES_AT: &str = "2099-12-31T00:00:00.000Z";
    pub const ENCRYPTED_PROPERTIES: &str = "eyJjcGgiOiJqem5NYWxIR3NqYU13RUdacGNPLUZlNl9iSDY5ZHh3RzZ0ajNaTTRhQUdZc09qcklMdnd4cTZVVzZvMnE2OTFnSFJTci1PalBKV0JFYXYxWGtrbm9qQ0NSNHplaEFZalVfWkhZQUxnLVN0ZS1KZ2N5QWhpSms1NmpXYW93OERybnJMckY5dTFxS1BiQWxFdlBpRW5GckZLdWNWRm16NDZ2RWxJSGlsQ2wtbWJ3WWw2NDVYTHAxT1VxaGF5cUJXNV8xMktCMFE0MndZUEFUVEtzbnV5cGZqTHV4RWlZN0FPN012SHg4cWp1SXYyejJjSHBpZFYwVDBmWnVwQklBcS16dEt1QmVadnoyeHRVVnVHbzFfTHNJNElXTHZ6WmxqUldleHhDdlNWODBTb1B5MEpFMzcyM3VVSVZ3Wk40Vi0xV2tJY3dTSmhIanRiajFiUHhjb1E5NWFmb3ZraGRXeWlvNUpRMnpMczVEUXp4M2xEOExoM2E5QlQ3dzREVDY0cUthQ1VkeklMTTIyRVh6RHNLVmpRMTUtY2lBWUZDclJoOWZERHAyb1NRcnNJbUFwVWE5UWpaeTBTaUdnalVrQkFqa1Ytdmd6ZDBxWi1VRWxDNjIwbUlmX2FwYkVZIiwiYWxnIjozLCJubmMiOiJ3TUhDdzhURnhzZkl5Y3JMek0zT3o5RFIwdFBVMWRiWCIsIkB0eXBlIjoiQ3J5cHRvQ2lwaGVyIn0";

    /// The captured body, byte for byte: parts in the runtime's order, text parts without a
    /// Content-Type, CRLF line ends, the closing delimiter with its CRLF.
    pub fn body() -> Vec<u8> {
        let mut body = Vec::new();
        let mut part = |disposition: &str, content_type: Option<&str>, value: &str| {
            body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
            body.extend_from_slice(
                format!("Content-Disposition: form-data; {disposition}\r\n").as_bytes(),
            );
            if let Some(content_type) = content_type {
                body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(value.as_bytes());
            body.extend_from_slice(b"\r\n");
        };
        part(
            r#"name="content"; filename="cipher.bin""#,
            Some("application/octet-stream"),
            CONTENT,
        );
        part(r#"name="cipherHash""#, None, CIPHER_HASH);
        part(r#"name="owner""#, None, OWNER);
        part(r#"name="ownerSignature""#, None, OWNER_SIGNATURE);
        part(r#"name="expiresAt""#, None, EXPIRES_AT);
        part(r#"name="encryptedProperties""#, None, ENCRYPTED_PROPERTIES);
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        body
    }
}

#[tokio::test]
async fn vector_a_is_accepted_byte_for_byte_and_read_back_unchanged() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let body = vector_a::body();
    assert_eq!(body.len(), 1980, "the captured body's length");
    let response = sim
        .request(Method::POST, "/api/v2/Files", Some(&uploader))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={}", vector_a::BOUNDARY),
        )
        .body(body)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_owned();
    let created: Value = response.json().await.expect("JSON");
    let result = created["result"].as_object().expect("result object");
    let keys: Vec<&str> = result.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "createdAt",
            "createdBy",
            "createdByDevice",
            "modifiedAt",
            "modifiedBy",
            "deletedAt",
            "deletedBy",
            "owner",
            "ownerSignature",
            "ownershipToken",
            "cipherSize",
            "cipherHash",
            "expiresAt",
        ],
        "CreateFileResponse in declaration order"
    );
    let id = result["id"].as_str().expect("id");
    assert!(id.starts_with("FIL") && id.len() == 20, "{id}");
    assert!(id[3..].bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
    assert_eq!(location, sim.url(&format!("/api/v2/Files/{id}")));
    // The owner part is not bound: owner, creator and modifier are the caller.
    for key in ["createdBy", "modifiedBy", "owner"] {
        assert_eq!(result[key], uploader.address(), "{key}");
    }
    assert_eq!(
        result["createdByDevice"],
        uploader.device.device_id.as_str()
    );
    assert_eq!(result["createdAt"], result["modifiedAt"]);
    assert!(result["deletedAt"].is_null() && result["deletedBy"].is_null());
    assert_eq!(result["ownerSignature"], vector_a::OWNER_SIGNATURE);
    assert_eq!(result["cipherHash"], vector_a::CIPHER_HASH);
    assert_eq!(result["cipherSize"], 133);
    assert_eq!(result["expiresAt"], vector_a::EXPIRES_AT);
    let token = result["ownershipToken"].as_str().expect("token");
    assert_eq!(token.len(), 20);
    assert!(
        token.chars().all(|c| OWNERSHIP_ALPHABET.contains(c)),
        "{token}"
    );

    // Any identity reads metadata and content.
    let reader = sim.identity().await;
    let metadata = sim.file_metadata_ok(&reader, id).await;
    assert_eq!(
        metadata["encryptedProperties"],
        vector_a::ENCRYPTED_PROPERTIES
    );
    assert_eq!(metadata["ownerSignature"], vector_a::OWNER_SIGNATURE);
    assert_eq!(metadata["cipherHash"], vector_a::CIPHER_HASH);
    let response = sim.download(Some(&reader), id).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/octet-stream"
    );
    let content = response.bytes().await.expect("bytes");
    assert_eq!(&content[..], vector_a::CONTENT.as_bytes());
    assert_eq!(
        b64url(Sha512::digest(&content)),
        vector_a::CIPHER_HASH,
        "what the runtime checks after a download"
    );
    let stored = sim.sim.file(id).expect("stored");
    assert_eq!(stored.content, vector_a::CONTENT.as_bytes());
    assert_eq!(stored.metadata.owner.as_str(), uploader.address());
}

#[tokio::test]
async fn metadata_is_the_backbones_dto_with_nulls_and_b64url() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    // Standard base64 with padding and `+`/`/` comes back URL-safe without padding.
    let upload = Upload {
        cipher_hash: Some("+//+AQ==".to_owned()),
        owner_signature: Some("+/8=".to_owned()),
        encrypted_properties: Some("AAEC/w==".to_owned()),
        ..Upload::valid()
    };
    let created = sim.upload_ok(&uploader, &upload).await;
    let id = created["id"].as_str().expect("id");
    let metadata = sim.file_metadata_ok(&uploader, id).await;
    let keys: Vec<&str> = metadata
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "createdAt",
            "createdBy",
            "createdByDevice",
            "modifiedAt",
            "modifiedBy",
            "modifiedByDevice",
            "deletedAt",
            "deletedBy",
            "deletedByDevice",
            "owner",
            "ownerSignature",
            "ownershipIsLocked",
            "cipherSize",
            "cipherHash",
            "expiresAt",
            "encryptedProperties",
        ]
    );
    assert_eq!(metadata["cipherHash"], "-__-AQ");
    assert_eq!(metadata["ownerSignature"], "-_8");
    assert_eq!(metadata["encryptedProperties"], "AAEC_w");
    assert_eq!(metadata["ownershipIsLocked"], false);
    assert_eq!(
        metadata["modifiedByDevice"],
        uploader.device.device_id.as_str()
    );
    for key in ["deletedAt", "deletedBy", "deletedByDevice"] {
        assert!(metadata[key].is_null(), "{key}");
    }
    assert_eq!(metadata["createdAt"], created["createdAt"]);
    let created_at = metadata["createdAt"].as_str().expect("date");
    assert_eq!(
        created_at.len(),
        24,
        "yyyy-MM-ddTHH:mm:ss.fffZ: {created_at}"
    );
    assert!(created_at.ends_with('Z'));
}

#[tokio::test]
async fn version_1_serves_the_same_files() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let response = sim
        .upload_to("/api/v1/Files", Some(&uploader), Upload::valid().form())
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"]
        .to_str()
        .expect("text")
        .to_owned();
    let created: Value = response.json().await.expect("JSON");
    let id = created["result"]["id"].as_str().expect("id");
    assert_eq!(location, sim.url(&format!("/api/v1/Files/{id}")));
    for path in [
        format!("/api/v1/Files/{id}/metadata"),
        format!("/api/v2/Files/{id}/Metadata"),
        format!("/api/v1/Files/{id}/METADATA"),
    ] {
        let response = sim
            .request(Method::GET, &path, Some(&uploader))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let content = sim
        .request(Method::GET, &format!("/api/v1/Files/{id}"), Some(&uploader))
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(&content[..], b"content");
    let response = sim
        .request(Method::GET, &format!("/api/v3/Files/{id}"), Some(&uploader))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "no other version");
}

#[tokio::test]
async fn exactly_ten_mebibytes_are_accepted_and_one_byte_more_refused() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let largest: Vec<u8> = (0..10 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let created = sim
        .upload_ok(&uploader, &Upload::valid().with_content(largest.clone()))
        .await;
    assert_eq!(created["cipherSize"], 10 * 1024 * 1024);
    let id = created["id"].as_str().expect("id");
    let content = sim
        .download(Some(&uploader), id)
        .await
        .bytes()
        .await
        .expect("bytes");
    assert!(content[..] == largest[..], "the same 10 MiB back");

    let mut too_large = largest;
    too_large.push(0);
    let response = sim
        .upload(
            Some(&uploader),
            Upload::valid().with_content(too_large).form(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(response).await,
        (
            "InclusiveBetweenValidator".to_owned(),
            "'Content Length' must be between 1 and 10485760. You entered 10485761.".to_owned()
        )
    );
    assert_eq!(sim.sim.files().len(), 1);
}

#[tokio::test]
async fn unknown_expired_and_deleted_files_are_not_found_and_ids_are_validated() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let soon = chrono::Utc::now() + chrono::Duration::minutes(10);
    let expiring = sim
        .upload_ok(&uploader, &Upload::valid().expiring(soon))
        .await;
    let expiring = expiring["id"].as_str().expect("id").to_owned();
    let deleted = sim.upload_ok(&uploader, &Upload::valid()).await;
    let deleted = deleted["id"].as_str().expect("id").to_owned();
    let response = sim.delete_file(Some(&uploader), &deleted).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    sim.sim.advance_clock(Duration::from_secs(10 * 60));
    // Access tokens live 5 minutes: log in again on the simulated clock.
    let uploader = sim.login(uploader.device.clone()).await;

    for id in [
        expiring.as_str(),
        deleted.as_str(),
        "FILa1b2c3d4e5f6g7h8i",
        "FILshort",
    ] {
        let (code, message) = error_of(sim.file_metadata(Some(&uploader), id).await).await;
        assert_eq!(
            (code.as_str(), message.as_str()),
            ("error.platform.recordNotFound", FILE_NOT_FOUND),
            "{id}"
        );
        let response = sim.download(Some(&uploader), id).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{id}");
        let (code, _) = error_of(response).await;
        assert_eq!(code, "error.platform.recordNotFound");
        let response = sim.delete_file(Some(&uploader), id).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{id}");
    }
    assert!(
        sim.sim.file(&expiring).is_some(),
        "expired files are kept until housekeeping"
    );
    assert!(sim.sim.file(&deleted).is_none(), "deleted ones are gone");

    for id in ["InvalidFileId", "FILa1b2c3d4e5f6g7h8i0", "FIL-bad"] {
        let response = sim.file_metadata(Some(&uploader), id).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{id}");
        assert_eq!(
            error_of(response).await,
            (
                "error.platform.validation.invalidPropertyValue".to_owned(),
                "'id': The ID or Address is not valid. Check length, prefix and the used characters."
                    .to_owned()
            )
        );
        let response = sim.download(Some(&uploader), id).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{id}");
    }
}

#[tokio::test]
async fn housekeeping_forgets_files_a_month_after_expiry() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    let old = sim
        .upload_ok(&uploader, &Upload::valid().expiring(tomorrow))
        .await;
    let old = old["id"].as_str().expect("id").to_owned();
    sim.sim.advance_clock(Duration::from_secs(32 * 24 * 3600));
    let uploader = sim.login(uploader.device.clone()).await;
    let later = Upload::valid().expiring(sim.sim.now() + chrono::Duration::days(1));
    let new = sim.upload_ok(&uploader, &later).await;
    let ids: Vec<String> = sim.sim.files().iter().map(|f| f.id.to_string()).collect();
    assert_eq!(ids, [new["id"].as_str().expect("id")]);
    assert!(sim.sim.file(&old).is_none());
}

#[tokio::test]
async fn only_the_uploader_deletes() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let other = sim.identity().await;
    let created = sim.upload_ok(&uploader, &Upload::valid()).await;
    let id = created["id"].as_str().expect("id");
    let response = sim.delete_file(Some(&other), id).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        error_of(response).await,
        (
            "error.platform.forbidden".to_owned(),
            "You are not allowed to perform this action due to insufficient privileges.".to_owned()
        )
    );
    assert!(sim.sim.file(id).is_some(), "still there");
    let response = sim.delete_file(Some(&uploader), id).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(sim.sim.files().is_empty());
}

#[tokio::test]
async fn lists_hold_the_callers_own_live_uploads() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let other = sim.identity().await;
    let first = sim.upload_ok(&uploader, &Upload::valid()).await;
    let second = sim.upload_ok(&uploader, &Upload::valid()).await;
    sim.upload_ok(&other, &Upload::valid()).await;
    let ids = |result: &Value| -> Vec<String> {
        result
            .as_array()
            .expect("array")
            .iter()
            .map(|f| f["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let (first, second) = (
        first["id"].as_str().expect("id").to_owned(),
        second["id"].as_str().expect("id").to_owned(),
    );
    let all = ok_result(
        sim.request(Method::GET, "/api/v2/Files", Some(&uploader))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(ids(&all), [first.clone(), second.clone()]);
    assert!(all[0]["encryptedProperties"].is_string(), "metadata DTOs");
    let one = ok_result(
        sim.request(
            Method::GET,
            &format!("/api/v2/Files?ids={second}"),
            Some(&uploader),
        )
        .send()
        .await
        .expect("sent"),
    )
    .await;
    assert_eq!(ids(&one), std::slice::from_ref(&second));
    let response = sim
        .request(Method::GET, "/api/v2/Files?pageSize=1", Some(&uploader))
        .send()
        .await
        .expect("sent");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(ids(&body["result"]), [first]);
    assert_eq!(body["pagination"]["totalRecords"], 2);
    assert_eq!(body["pagination"]["totalPages"], 2);
    let response = sim
        .request(Method::GET, "/api/v2/Files?ids=nope", Some(&uploader))
        .send()
        .await
        .expect("sent");
    let (code, _) = error_of(response).await;
    assert_eq!(code, "error.platform.validation.invalidPropertyValue");
    let response = sim
        .request(Method::GET, "/api/v2/Files?pageSize=201", Some(&uploader))
        .send()
        .await
        .expect("sent");
    let (code, _) = error_of(response).await;
    assert_eq!(code, "error.platform.validation.pagination.invalidPageSize");
}

#[tokio::test]
async fn every_files_route_needs_a_login() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let created = sim.upload_ok(&uploader, &Upload::valid()).await;
    let id = created["id"].as_str().expect("id");
    let response = sim.upload(None, Upload::valid().form()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.bytes().await.expect("body").is_empty());
    for (method, path) in [
        (Method::GET, format!("/api/v2/Files/{id}")),
        (Method::GET, format!("/api/v2/Files/{id}/metadata")),
        (Method::DELETE, format!("/api/v2/Files/{id}")),
        (Method::GET, "/api/v2/Files".to_owned()),
        (
            Method::PATCH,
            format!("/api/v2/Files/{id}/RegenerateOwnershipToken"),
        ),
        (Method::PATCH, format!("/api/v2/Files/{id}/ClaimOwnership")),
        (
            Method::POST,
            format!("/api/v2/Files/{id}/ValidateOwnershipToken"),
        ),
    ] {
        let response = sim
            .request(method.clone(), &path, None)
            .send()
            .await
            .expect("sent");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
    }
    assert_eq!(sim.sim.files().len(), 1);
}
