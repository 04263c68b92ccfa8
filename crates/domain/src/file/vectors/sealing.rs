//! Vectors A–D: what the Backbone receives for an upload, and a peer reads back from it.

use super::*;
use crate::date::parse_iso8601;

/// What one vector says the Backbone receives.
struct Expected {
    plaintext_hash: &'static str,
    signature_json: String,
    content: &'static str,
    cipher_hash: &'static str,
    metadata: &'static str,
    metadata_cipher: &'static str,
}

/// Seals `plaintext` with the fixed inputs, compares every value with the vector, and reads
/// the vector's own bytes back as a peer would.
fn assert_vector(
    plaintext: &[u8],
    input: FileMetadataInput,
    expected: &Expected,
) -> EncryptedUpload {
    let upload = EncryptedUpload::seal(plaintext, input, keys(), nonces(), &device_key()).unwrap();
    assert_eq!(upload.plaintext_hash.to_b64url(), expected.plaintext_hash);
    assert_eq!(upload.owner_signature.to_json(), expected.signature_json);
    assert_eq!(
        upload.owner_signature.to_b64url(),
        b64url(&expected.signature_json)
    );
    assert_eq!(
        String::from_utf8(upload.content.clone()).unwrap(),
        expected.content
    );
    assert_eq!(upload.content.len(), uploaded_content_len(plaintext.len()));
    assert_eq!(upload.cipher_hash.to_b64url(), expected.cipher_hash);
    assert_eq!(upload.metadata.to_json(), expected.metadata);
    let metadata_cipher = upload
        .metadata
        .encrypt(&keys().metadata_key, nonces().metadata);
    assert_eq!(metadata_cipher.to_json(), expected.metadata_cipher);
    assert_eq!(
        upload.encrypted_properties,
        b64url(expected.metadata_cipher)
    );
    assert_eq!(upload.metadata_key, keys().metadata_key);
    assert!(
        device_key()
            .public_key()
            .verify(upload.plaintext_hash.as_bytes(), &upload.owner_signature)
    );

    let read = FileMetadata::decrypt(&b64url(expected.metadata_cipher), &keys().metadata_key);
    assert_eq!(read.as_ref(), Ok(&upload.metadata));
    let read = read.unwrap();
    let downloaded = decrypt_download(
        expected.content.as_bytes(),
        &FileHash::from_b64url(expected.cipher_hash).unwrap(),
        &read.content_key,
        &read.plaintext_hash,
    );
    assert_eq!(downloaded.as_deref(), Ok(plaintext));
    upload
}

fn vector_a_input() -> FileMetadataInput {
    FileMetadataInput {
        title: Some("My Title".into()),
        description: Some("A description".into()),
        tags: Some(vec!["x:tag1".into(), "x:tag2".into()]),
        ..input("hello.txt", "text/plain")
    }
}

fn vector_a_expected() -> Expected {
    Expected {
        plaintext_hash: A_PLAINTEXT_HASH,
        signature_json: A_SIGNATURE_JSON.into(),
        content: A_CONTENT,
        cipher_hash: A_CIPHER_HASH,
        metadata: A_METADATA,
        metadata_cipher: A_METADATA_CIPHER,
    }
}

fn vector_b_expected(metadata: &'static str, metadata_cipher: &'static str) -> Expected {
    Expected {
        plaintext_hash: B_PLAINTEXT_HASH,
        signature_json: B_SIGNATURE_JSON.into(),
        content: B_CONTENT,
        cipher_hash: B_CIPHER_HASH,
        metadata,
        metadata_cipher,
    }
}

#[test]
fn vector_a_full_metadata() {
    assert_eq!(A_PLAINTEXT.len(), 22);
    let upload = assert_vector(A_PLAINTEXT, vector_a_input(), &vector_a_expected());
    assert_eq!(hex(upload.owner_signature.as_bytes()), A_SIGNATURE_HEX);
    assert_eq!(upload.owner_signature.to_b64url(), A_SIGNATURE_FIELD);
    assert_eq!(upload.encrypted_properties, A_ENCRYPTED_PROPERTIES);
    assert_eq!(upload.content.len(), 133);
    assert_eq!(A_METADATA.len(), 340);
    assert_eq!(upload.metadata.filesize, 22);
    assert_eq!(upload.metadata.content_key.to_b64url(), CONTENT_KEY);
}

#[test]
fn vector_b_minimal_metadata() {
    let upload = assert_vector(
        b"test",
        input("test.txt", "text/plain"),
        &vector_b_expected(B_METADATA, B_METADATA_CIPHER),
    );
    assert_eq!(upload.content.len(), 109);
}

#[test]
fn vector_c_empty_content() {
    let expected = Expected {
        plaintext_hash: C_PLAINTEXT_HASH,
        signature_json: format!(r#"{{"sig":"{C_SIGNATURE}","alg":2,"@type":"CryptoSignature"}}"#),
        content: C_CONTENT,
        cipher_hash: C_CIPHER_HASH,
        metadata: C_METADATA,
        metadata_cipher: C_METADATA_CIPHER,
    };
    let input = FileMetadataInput {
        title: Some("Empty".into()),
        ..input("empty.bin", "application/octet-stream")
    };
    let upload = assert_vector(b"", input, &expected);
    assert_eq!(upload.content.len(), 104);
    assert_eq!(upload.metadata.filesize, 0);
}

#[test]
fn vector_d_non_ascii_names_and_filemodified() {
    let input = FileMetadataInput {
        title: Some("ÄÖÜ".into()),
        filemodified: Some(parse_iso8601("2025-01-02T03:04:05.678Z").unwrap()),
        ..input("ÄÖÜ.txt", "text/plain")
    };
    let upload = assert_vector(
        b"test",
        input,
        &vector_b_expected(D_METADATA, D_METADATA_CIPHER),
    );
    assert!(D_METADATA.contains(r#""title":"ÄÖÜ""#));
    assert_eq!(upload.metadata.filename, "ÄÖÜ.txt");
}
