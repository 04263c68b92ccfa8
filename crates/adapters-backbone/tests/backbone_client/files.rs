//! The Files calls as the Backbone receives them (the runtime's multipart parts, in its order)
//! and how their answers and failures come back.

use std::sync::Arc;

use application::ports::{BackboneError, BackboneFiles, NewBackboneFile};
use chrono::{TimeZone, Utc};
use domain::{FileId, IdentityAddress};
use serde_json::json;

use crate::client;
use crate::fake::{FakeBackbone, LOGIN, Recorded, Reply, Script};

const FILES: &str = "/api/v2/Files";
const FILE_ID: &str = "FILAAAAAAAAAAAAAAAAA";
const OWNER: &str = "did:e:localhost:dids:63c98b9b34bd7ce8a891f9";

fn new_file() -> NewBackboneFile {
    NewBackboneFile {
        content: bytes::Bytes::from_static(
            br#"{"cph":"AAAA","alg":3,"nnc":"BBBB","@type":"CryptoCipher"}"#,
        ),
        cipher_hash: "Y2lwaGVyLWhhc2g".to_owned(),
        owner: IdentityAddress::parse(OWNER).expect("an address"),
        owner_signature: "c2lnbmF0dXJl".to_owned(),
        expires_at: Utc.with_ymd_and_hms(2030, 1, 2, 3, 4, 5).unwrap(),
        encrypted_properties: "cHJvcGVydGllcw".to_owned(),
    }
}

fn file_json(with_token: bool) -> serde_json::Value {
    let mut file = json!({
        "id": FILE_ID, "createdAt": "2030-01-01T12:00:00.123Z", "createdBy": OWNER,
        "createdByDevice": "DVCAAAAAAAAAAAAAAAAA", "modifiedAt": "2030-01-01T12:00:00.123Z",
        "modifiedBy": OWNER, "deletedAt": null, "deletedBy": null, "owner": OWNER,
        "ownerSignature": "c2lnbmF0dXJl", "cipherSize": 57, "cipherHash": "Y2lwaGVyLWhhc2g",
        "expiresAt": "2030-01-02T03:04:05.000Z",
    });
    if with_token {
        file["ownershipToken"] = json!("aB3$kL9!mN2@pQ7#rS5%");
    } else {
        file["ownershipIsLocked"] = json!(false);
        file["encryptedProperties"] = json!("cHJvcGVydGllcw");
    }
    file
}

fn script(reply: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Script {
    Arc::new(move |request: &Recorded, n| match request.path.as_str() {
        LOGIN => Reply::login("access", 300),
        _ => reply(request, n),
    })
}

fn id() -> FileId {
    FileId::parse(FILE_ID).expect("an id")
}

#[tokio::test]
async fn an_upload_is_multipart_with_the_runtimes_parts_in_its_order() {
    let fake = FakeBackbone::start(script(|_, _| {
        Reply::json(201, json!({"result": file_json(true)}))
    }))
    .await;
    let uploaded = client(&fake.base_url())
        .upload_file(&new_file(), Some("corr-1".into()))
        .await
        .expect("uploaded");
    assert_eq!(uploaded.id, id());
    assert_eq!(
        uploaded.ownership_token.as_deref(),
        Some("aB3$kL9!mN2@pQ7#rS5%")
    );
    assert_eq!(uploaded.cipher_size, 57);
    assert_eq!(uploaded.encrypted_properties, None);

    let request = &fake.requests_to(FILES)[0];
    assert_eq!(request.method, "POST");
    assert!(
        request
            .header("content-type")
            .is_some_and(|value| value.starts_with("multipart/form-data; boundary=")),
        "{:?}",
        request.header("content-type")
    );
    assert_eq!(request.header("authorization"), Some("Bearer access"));
    assert_eq!(request.header("x-correlation-id"), Some("corr-1"));
    let body = String::from_utf8_lossy(&request.body);
    let positions: Vec<usize> = [
        r#"name="content"; filename="cipher.bin""#,
        r#"name="cipherHash""#,
        r#"name="owner""#,
        r#"name="ownerSignature""#,
        r#"name="expiresAt""#,
        r#"name="encryptedProperties""#,
    ]
    .iter()
    .map(|part| {
        body.find(part)
            .unwrap_or_else(|| panic!("{part} in {body}"))
    })
    .collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "{body}");
    for value in [
        r#"{"cph":"AAAA","alg":3,"nnc":"BBBB","@type":"CryptoCipher"}"#,
        "Y2lwaGVyLWhhc2g",
        OWNER,
        "2030-01-02T03:04:05.000Z",
        "application/octet-stream",
    ] {
        assert!(body.contains(value), "{value} in {body}");
    }
}

#[tokio::test]
async fn an_upload_whose_answer_is_lost_is_not_sent_again() {
    let fake = FakeBackbone::start(script(|_, _| Reply::Hangup)).await;
    let error = client(&fake.base_url())
        .upload_file(&new_file(), None)
        .await
        .expect_err("no answer");
    assert!(
        matches!(error, BackboneError::ConnectionLost { .. }),
        "{error:?}"
    );
    assert_eq!(fake.requests_to(FILES).len(), 1);
}

#[tokio::test]
async fn a_refused_upload_keeps_the_backbones_code() {
    let fake = FakeBackbone::start(script(|_, _| {
        Reply::error(
            400,
            "error.platform.validation.invalidPropertyValue",
            "'expiresAt' must be in the future.",
        )
    }))
    .await;
    let error = client(&fake.base_url())
        .upload_file(&new_file(), None)
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, BackboneError::Rejected { message, .. } if message.contains("expiresAt")),
        "{error:?}"
    );
}

#[tokio::test]
async fn metadata_and_content_are_read_and_retried_like_reads() {
    let content = vec![7u8; 3 * 1024 * 1024];
    let served = content.clone();
    let fake = FakeBackbone::start(script(move |request, n| match request.path.as_str() {
        "/api/v2/Files/FILAAAAAAAAAAAAAAAAA/metadata" => match n {
            0 => Reply::error(500, "error.platform.unexpected", "boom"),
            _ => Reply::json(200, json!({"result": file_json(false)})),
        },
        "/api/v2/Files/FILAAAAAAAAAAAAAAAAA" => Reply::Respond {
            status: 200,
            headers: vec![("Content-Type".into(), "application/octet-stream".into())],
            body: String::from_utf8(served.clone()).expect("ASCII"),
        },
        _ => Reply::empty(404),
    }))
    .await;
    let client = client(&fake.base_url());
    let metadata = client.file_metadata(&id(), None).await.expect("metadata");
    assert_eq!(
        metadata.encrypted_properties.as_deref(),
        Some("cHJvcGVydGllcw")
    );
    assert_eq!(metadata.ownership_token, None);
    let downloaded = client.download_file(&id(), None).await.expect("content");
    assert_eq!(
        downloaded.as_ref(),
        content.as_slice(),
        "larger than other answers may be"
    );
}

#[tokio::test]
async fn an_unknown_file_is_the_backbones_not_found() {
    let fake = FakeBackbone::start(script(|_, _| {
        Reply::error(404, "error.platform.recordNotFound", "File not found.")
    }))
    .await;
    let error = client(&fake.base_url())
        .download_file(&id(), None)
        .await
        .expect_err("not found");
    assert!(
        matches!(&error, BackboneError::Rejected { code, .. } if code == "error.platform.recordNotFound"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_delete_of_a_file_already_gone_counts_as_deleted() {
    let fake = FakeBackbone::start(script(|_, _| {
        Reply::error(404, "error.platform.recordNotFound", "gone")
    }))
    .await;
    client(&fake.base_url())
        .delete_file(&id(), None)
        .await
        .expect("deleted");
    assert_eq!(
        fake.requests_to("/api/v2/Files/FILAAAAAAAAAAAAAAAAA")[0].method,
        "DELETE"
    );
}

#[tokio::test]
async fn a_new_ownership_token_is_read_from_its_answer() {
    let fake = FakeBackbone::start(script(|_, _| {
        Reply::json(
            200,
            json!({"result": {"newOwnershipToken": "zY9!xW8@vU7#tS6$rQ5%"}}),
        )
    }))
    .await;
    let token = client(&fake.base_url())
        .regenerate_ownership_token(&id(), None)
        .await
        .expect("a token");
    assert_eq!(token, "zY9!xW8@vU7#tS6$rQ5%");
    let request =
        &fake.requests_to("/api/v2/Files/FILAAAAAAAAAAAAAAAAA/RegenerateOwnershipToken")[0];
    assert_eq!(request.method, "PATCH");
}
