//! Vectors A and E: a File's references, a token carrying it, and a peer's load and download
//! from nothing but a reference and what the Backbone serves.

use super::*;
use crate::crypto::CipherContainer;
use crate::date::parse_iso8601;
use crate::ids::{DeviceId, FileId, IdentityAddress, TokenId};
use crate::reference::TokenReference;
use crate::token::TokenContentFile;

fn vector_a_reference(backbone_base_url: Option<&str>) -> FileReference {
    FileReference {
        id: FileId::parse(FILE_ID).unwrap(),
        backbone_base_url: backbone_base_url.map(str::to_owned),
        key: keys().metadata_key,
    }
}

#[test]
fn vector_a_file_references() {
    let reference = vector_a_reference(Some(BASE));
    assert_eq!(reference.truncated(), A_TRUNCATED);
    assert_eq!(
        b64url(format!("{FILE_ID}@{BASE}|3|{METADATA_KEY}||")),
        A_TRUNCATED
    );
    assert_eq!(reference.url().as_deref(), Some(A_URL));
    assert_eq!(
        vector_a_reference(None).truncated(),
        A_TRUNCATED_WITHOUT_BASE
    );
    assert_eq!(vector_a_reference(None).url(), None);

    assert_eq!(FileReference::parse(A_TRUNCATED), Ok(reference.clone()));
    assert_eq!(FileReference::parse(A_URL), Ok(reference.clone()));
    assert_eq!(
        FileReference::parse(A_TRUNCATED_WITHOUT_BASE),
        Ok(vector_a_reference(None))
    );
    assert_eq!(
        FileReference::parse(A_LEGACY_THREE_PARTS),
        Ok(vector_a_reference(None))
    );
    for text in [
        A_TRUNCATED,
        A_URL,
        A_TRUNCATED_WITHOUT_BASE,
        A_LEGACY_THREE_PARTS,
    ] {
        assert!(
            matches!(PeerFileReference::parse(text), Ok(PeerFileReference::File(r)) if r.id.as_str() == FILE_ID),
            "{text}"
        );
    }
}

/// The File record of vector A's fake Backbone, as the service stores it.
fn vector_a_file() -> File {
    let address = IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap();
    File {
        id: FileId::parse(FILE_ID).unwrap(),
        secret_key: keys().metadata_key,
        owner: address.clone(),
        created_at: parse_iso8601("2025-10-27T12:00:00.000Z").unwrap(),
        created_by: address,
        created_by_device: DeviceId::parse("DVCa1b2c3d4e5f6g7h8i").unwrap(),
        expires_at: parse_iso8601("2099-12-31T00:00:00.000Z").unwrap(),
        filename: "hello.txt".into(),
        filesize: 22,
        mimetype: "text/plain".into(),
        title: Some("My Title".into()),
        description: Some("A description".into()),
        tags: vec!["x:tag1".into(), "x:tag2".into()],
        ownership_token: Some("AbC!@#$%^&*()_-+=<>?".into()),
        ownership_is_locked: false,
        is_own: true,
        content: None,
    }
}

#[test]
fn vector_a_dto_reference_is_the_files_reference() {
    let reference = vector_a_file().reference(BASE);
    assert_eq!(reference.truncated(), A_TRUNCATED);
    assert_eq!(reference.url().as_deref(), Some(A_URL));
}

/// The peer's side of vector A: only the truncated reference and what the Backbone serves.
#[test]
fn vector_a_peer_load_and_download() {
    let Ok(PeerFileReference::File(reference)) = PeerFileReference::parse(A_TRUNCATED) else {
        panic!("vector A's reference is a file reference")
    };
    let metadata = FileMetadata::decrypt(A_ENCRYPTED_PROPERTIES, &reference.key).unwrap();
    assert_eq!(metadata.filename, "hello.txt");
    assert_eq!(metadata.mimetype, "text/plain");
    assert_eq!(metadata.title.as_deref(), Some("My Title"));
    assert_eq!(metadata.description.as_deref(), Some("A description"));
    assert_eq!(
        metadata.tags,
        Some(vec!["x:tag1".to_owned(), "x:tag2".to_owned()])
    );
    assert_eq!(metadata.filesize, 22);
    assert_eq!(metadata.filemodified, None);
    let cipher_hash = FileHash::from_b64url(A_CIPHER_HASH).unwrap();
    let plaintext = decrypt_download(
        A_CONTENT.as_bytes(),
        &cipher_hash,
        &metadata.content_key,
        &metadata.plaintext_hash,
    )
    .unwrap();
    assert_eq!(plaintext, b"Hello enmeshed Files!\n");
}

#[test]
fn vector_e_token_for_vector_as_file() {
    let token_key = SecretKey::from_bytes(counting(0x60));
    let token_nonce = counting::<NONCE_LEN>(0xe0);
    let content = TokenContentFile {
        file_id: FileId::parse(FILE_ID).unwrap(),
        secret_key: keys().metadata_key,
    };
    assert_eq!(
        String::from_utf8(content.to_plaintext()).unwrap(),
        E_TOKEN_CONTENT_PLAINTEXT
    );
    assert_eq!(
        content
            .encrypt(&token_key, token_nonce)
            .to_backbone_content(),
        E_TOKEN_CONTENT
    );

    let reference = TokenReference {
        id: TokenId::parse("TOKa1b2c3d4e5f6g7h8i").unwrap(),
        backbone_base_url: Some(BASE.into()),
        key: token_key.clone(),
        for_identity_last_four: None,
        password: None,
    };
    assert_eq!(reference.truncated(), E_TRUNCATED);
    assert_eq!(reference.url().as_deref(), Some(E_URL));

    // A peer holding only the token reference reaches vector A's file and its metadata.
    for text in [E_TRUNCATED, E_URL] {
        let Ok(PeerFileReference::Token(parsed)) = PeerFileReference::parse(text) else {
            panic!("{text} is a token reference")
        };
        assert_eq!(parsed, reference);
        let container = CipherContainer::from_backbone_content(E_TOKEN_CONTENT).unwrap();
        let opened: TokenContentFile =
            serde_json::from_slice(&container.decrypt(&parsed.key).unwrap()).unwrap();
        assert_eq!(opened, content);
        let metadata = FileMetadata::decrypt(A_ENCRYPTED_PROPERTIES, &opened.secret_key).unwrap();
        assert_eq!(metadata.to_json(), A_METADATA);
    }
}
