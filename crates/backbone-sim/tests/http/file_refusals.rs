//! Every refusal of `POST /api/v2/Files` (spec files.md §2.1), each with the Backbone's status,
//! code and message, and none of them storing anything.

use reqwest::{Method, StatusCode};

use crate::file_support::{Upload, iso};
use crate::support::{TestSim, error_of};

const CANNOT_BE_PARSED: &str = "error.platform.inputCannotBeParsed";
const INVALID_PROPERTY: &str = "error.platform.validation.invalidPropertyValue";

fn b64(len: usize) -> String {
    backbone_sim::encoding::b64url(vec![7u8; len])
}

#[tokio::test]
async fn each_rule_refuses_with_the_backbones_code_and_message() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let past = iso(chrono::Utc::now() - chrono::Duration::seconds(1));
    let cases: Vec<(&str, Upload, u16, &str, String)> = vec![
        (
            "no content part",
            Upload {
                content: None,
                ..Upload::valid()
            },
            400,
            CANNOT_BE_PARSED,
            "'Content': The Content field is required.".to_owned(),
        ),
        (
            "content without a file name is a form value",
            Upload {
                file_name: String::new(),
                ..Upload::valid()
            },
            400,
            CANNOT_BE_PARSED,
            "'Content': The Content field is required.".to_owned(),
        ),
        (
            "expiresAt is no date",
            Upload {
                expires_at: Some("tomorrow".to_owned()),
                cipher_hash: None,
                ..Upload::valid()
            },
            400,
            CANNOT_BE_PARSED,
            "'ExpiresAt': The value 'tomorrow' is not valid for ExpiresAt.".to_owned(),
        ),
        (
            "no cipherHash",
            Upload {
                cipher_hash: None,
                owner_signature: None,
                ..Upload::valid()
            },
            400,
            CANNOT_BE_PARSED,
            "'CipherHash': The CipherHash field is required.".to_owned(),
        ),
        (
            "blank ownerSignature",
            Upload {
                owner_signature: Some(" ".to_owned()),
                encrypted_properties: None,
                ..Upload::valid()
            },
            400,
            CANNOT_BE_PARSED,
            "'OwnerSignature': The OwnerSignature field is required.".to_owned(),
        ),
        (
            "no encryptedProperties",
            Upload {
                encrypted_properties: None,
                ..Upload::valid()
            },
            400,
            CANNOT_BE_PARSED,
            "'EncryptedProperties': The EncryptedProperties field is required.".to_owned(),
        ),
        (
            "empty content",
            Upload::valid().with_content(Vec::new()),
            400,
            "InclusiveBetweenValidator",
            "'Content Length' must be between 1 and 10485760. You entered 0.".to_owned(),
        ),
        (
            "byte field in no base64 alphabet",
            Upload {
                encrypted_properties: Some("not base64!".to_owned()),
                ..Upload::valid()
            },
            500,
            "error.platform.unexpected",
            "An unexpected error occurred.".to_owned(),
        ),
        (
            "cipherHash longer than SHA-1024",
            Upload {
                cipher_hash: Some(b64(129)),
                expires_at: Some(past.clone()),
                ..Upload::valid()
            },
            400,
            INVALID_PROPERTY,
            "'cipherHash' must be between 1 and 128 bytes long. You entered 129 bytes.".to_owned(),
        ),
        (
            "no expiresAt",
            Upload {
                expires_at: None,
                ..Upload::valid()
            },
            400,
            INVALID_PROPERTY,
            "'expiresAt' must not be empty.".to_owned(),
        ),
        (
            "expiresAt in the past",
            Upload {
                expires_at: Some(past.clone()),
                owner_signature: Some(b64(513)),
                ..Upload::valid()
            },
            400,
            INVALID_PROPERTY,
            "'expiresAt' must be in the future.".to_owned(),
        ),
        (
            "ownerSignature over 512 bytes",
            Upload {
                owner_signature: Some(b64(513)),
                ..Upload::valid()
            },
            400,
            INVALID_PROPERTY,
            "'ownerSignature' must be between 1 and 512 bytes long. You entered 513 bytes."
                .to_owned(),
        ),
        (
            "encryptedProperties over 1 MiB",
            Upload {
                encrypted_properties: Some(b64(1024 * 1024 + 1)),
                ..Upload::valid()
            },
            400,
            INVALID_PROPERTY,
            "'encryptedProperties' must be between 0 and 1048576 bytes long. You entered 1048577 bytes."
                .to_owned(),
        ),
    ];
    for (case, upload, status, code, message) in cases {
        let response = sim.upload(Some(&uploader), upload.form()).await;
        assert_eq!(response.status().as_u16(), status, "{case}");
        assert_eq!(
            error_of(response).await,
            (code.to_owned(), message),
            "{case}"
        );
    }
    assert!(sim.sim.files().is_empty(), "nothing stored");
}

#[tokio::test]
async fn a_body_over_twenty_mebibytes_gets_the_form_error_not_a_dropped_connection() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let upload = Upload::valid().with_content(vec![1; 20 * 1024 * 1024]);
    let response = sim.upload(Some(&uploader), upload.form()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(response).await,
        (
            CANNOT_BE_PARSED.to_owned(),
            "Failed to read the request form. Request body too large. The max request body size is 20971520 bytes."
                .to_owned()
        )
    );
    // The connection is still usable, and an upload that fits gets through.
    sim.upload_ok(&uploader, &Upload::valid()).await;
    assert_eq!(sim.sim.files().len(), 1);
}

#[tokio::test]
async fn only_multipart_form_data_is_read_and_it_must_be_well_formed() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    // [Consumes] rejects at routing: 415 with no body, before authentication.
    for caller in [Some(&uploader), None] {
        let response = sim
            .request(Method::POST, "/api/v2/Files", caller)
            .json(&serde_json::json!({ "content": "AAAA" }))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(response.bytes().await.expect("body").is_empty());
    }
    let response = sim
        .request(Method::POST, "/api/v2/Files", Some(&uploader))
        .header("Content-Type", "multipart/form-data")
        .body("whatever")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        error_of(response).await,
        (
            CANNOT_BE_PARSED.to_owned(),
            "Failed to read the request form. Missing content-type boundary.".to_owned()
        )
    );
    let response = sim
        .request(Method::POST, "/api/v2/Files", Some(&uploader))
        .header("Content-Type", "multipart/form-data; boundary=XYZ")
        .body("--XYZ\r\nContent-Disposition: form-data; name=\"cipherHash\"\r\n\r\nAAAA")
        .send()
        .await
        .expect("sent");
    let (code, message) = error_of(response).await;
    assert_eq!(code, CANNOT_BE_PARSED);
    assert!(
        message.starts_with("Failed to read the request form. "),
        "{message}"
    );
    assert!(sim.sim.files().is_empty());
}
