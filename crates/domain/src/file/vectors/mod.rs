//! The test vectors of files.md §6, computed by running the official `@nmshd/transport` 7.0.0
//! `sendFile`, peer load and download with fixed keys and nonces: what this crate must produce
//! (and read) byte for byte. The stored File record, the FileDTO and the multipart body of
//! vector A are shapes of the storage, server and Backbone adapters, not of this crate; their
//! crypto values (hashes, signature, properties, references) are all checked here.

mod sealing;
mod sharing;

use super::*;
use crate::crypto::{NONCE_LEN, SecretKey};
use crate::encoding::b64url;
use crate::identity::SigningKeyPair;

const BASE: &str = "https://backbone.example.com";
const FILE_ID: &str = "FILa1b2c3d4e5f6g7h8i";
const A_PLAINTEXT: &[u8] = b"Hello enmeshed Files!\n";
const CONTENT_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const METADATA_KEY: &str = "gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp8";

const A_PLAINTEXT_HASH: &str =
    "tcC0YbL8vRLPmVFz7y9Xb9GmAZK5uR5BwU_oJj86T7jmlwXvslkpfFsxIdv1gwPN93hakjTLigP5CwqtNc5ILQ";
const A_SIGNATURE_HEX: &str = "f492c6108ae324f477af051697abf59571e745b43143a29b2b439720d239b4eff7da3d886db14d1d91210bcaea3c52bc44ecd8c0bdd3ffa8c8ae0c1a17980103";
const A_SIGNATURE_JSON: &str = r#"{"sig":"9JLGEIrjJPR3rwUWl6v1lXHnRbQxQ6KbK0OXINI5tO_32j2IbbFNHZEhC8rqPFK8ROzYwL3T_6jIrgwaF5gBAw","alg":2,"@type":"CryptoSignature"}"#;
const A_SIGNATURE_FIELD: &str = "eyJzaWciOiI5SkxHRUlyakpQUjNyd1VXbDZ2MWxYSG5SYlF4UTZLYkswT1hJTkk1dE9fMzJqMkliYkZOSFpFaEM4cnFQRks4Uk96WXdMM1RfNmpJcmd3YUY1Z0JBdyIsImFsZyI6MiwiQHR5cGUiOiJDcnlwdG9TaWduYXR1cmUifQ";
const A_CONTENT: &str = r#"{"cph":"nFxpHL_AHHjikfTWyvhF1PvWyLcyU-BzuFsrADRw_IFk4WZEIqM","alg":3,"nnc":"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZX","@type":"CryptoCipher"}"#;
const A_CIPHER_HASH: &str =
    "Zau2nUiUs1p8637doXN7HbQwwypF_YiDyZVYQDGrJQvqfkmGqz_bY-u9NX7fQ2YJbHxFNSb1CmViqgi77hcCsA";
const A_METADATA: &str = r#"{"@type":"FileMetadata","description":"A description","filename":"hello.txt","filesize":22,"mimetype":"text/plain","plaintextHash":"tcC0YbL8vRLPmVFz7y9Xb9GmAZK5uR5BwU_oJj86T7jmlwXvslkpfFsxIdv1gwPN93hakjTLigP5CwqtNc5ILQ","secretKey":{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8","alg":3},"tags":["x:tag1","x:tag2"],"title":"My Title"}"#;
const A_METADATA_CIPHER: &str = r#"{"cph":"jznMalHGsjaMwEGZpcO-Fe6_bH69dxwG6tj3ZM4aAGYsOjrILvwxq6UW6o2q691gHRSr-OjPJWBEav1XkknojCCR4zehAYjU_ZHYALg-Ste-JgcyAhiJk56jWaow8DrnrLrF9u1qKPbAlEvPiEnFrFKucVFmz46vElIHilCl-mbwYl645XLp1OUqhayqBW5_12KB0Q42wYPATTKsnuypfjLuxEiY7AO7MvHx8qjuIv2z2cHpidV0T0fZupBIAq-ztKuBeZvz2xtUVuGo1_LsI4IWLvzZljRWexxCvSV80SoPy0JE3723uUIVwZN4V-1WkIcwSJhHjtbj1bPxcoQ95afovkhdWyio5JQ2zLs5DQzx3lD8Lh3a9BT7w4DT64qKaCUdzILM22EXzDsKVjQ15-ciAYFCrRh9fDDp2oSQrsImApUa9QjZy0SiGgjUkBAjkV-vgzd0qZ-UElC620mIf_apbEY","alg":3,"nnc":"wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX","@type":"CryptoCipher"}"#;
const A_ENCRYPTED_PROPERTIES: &str = "eyJjcGgiOiJqem5NYWxIR3NqYU13RUdacGNPLUZlNl9iSDY5ZHh3RzZ0ajNaTTRhQUdZc09qcklMdnd4cTZVVzZvMnE2OTFnSFJTci1PalBKV0JFYXYxWGtrbm9qQ0NSNHplaEFZalVfWkhZQUxnLVN0ZS1KZ2N5QWhpSms1NmpXYW93OERybnJMckY5dTFxS1BiQWxFdlBpRW5GckZLdWNWRm16NDZ2RWxJSGlsQ2wtbWJ3WWw2NDVYTHAxT1VxaGF5cUJXNV8xMktCMFE0MndZUEFUVEtzbnV5cGZqTHV4RWlZN0FPN012SHg4cWp1SXYyejJjSHBpZFYwVDBmWnVwQklBcS16dEt1QmVadnoyeHRVVnVHbzFfTHNJNElXTHZ6WmxqUldleHhDdlNWODBTb1B5MEpFMzcyM3VVSVZ3Wk40Vi0xV2tJY3dTSmhIanRiajFiUHhjb1E5NWFmb3ZraGRXeWlvNUpRMnpMczVEUXp4M2xEOExoM2E5QlQ3dzREVDY0cUthQ1VkeklMTTIyRVh6RHNLVmpRMTUtY2lBWUZDclJoOWZERHAyb1NRcnNJbUFwVWE5UWpaeTBTaUdnalVrQkFqa1Ytdmd6ZDBxWi1VRWxDNjIwbUlmX2FwYkVZIiwiYWxnIjozLCJubmMiOiJ3TUhDdzhURnhzZkl5Y3JMek0zT3o5RFIwdFBVMWRiWCIsIkB0eXBlIjoiQ3J5cHRvQ2lwaGVyIn0";
const A_TRUNCATED: &str = "RklMYTFiMmMzZDRlNWY2ZzdoOGlAaHR0cHM6Ly9iYWNrYm9uZS5leGFtcGxlLmNvbXwzfGdJR0NnNFNGaG9lSWlZcUxqSTJPajVDUmtwT1VsWmFYbUptYW01eWRucDh8fA";
const A_URL: &str = "https://backbone.example.com/r/FILa1b2c3d4e5f6g7h8i#M3xnSUdDZzRTRmhvZUlpWXFMakkyT2o1Q1JrcE9VbFphWG1KbWFtNXlkbnA4fHw";
const A_TRUNCATED_WITHOUT_BASE: &str =
    "RklMYTFiMmMzZDRlNWY2ZzdoOGl8M3xnSUdDZzRTRmhvZUlpWXFMakkyT2o1Q1JrcE9VbFphWG1KbWFtNXlkbnA4fHw";
const A_LEGACY_THREE_PARTS: &str =
    "RklMYTFiMmMzZDRlNWY2ZzdoOGl8M3xnSUdDZzRTRmhvZUlpWXFMakkyT2o1Q1JrcE9VbFphWG1KbWFtNXlkbnA4";
const B_PLAINTEXT_HASH: &str =
    "7iaw3Ur350mqGo7jwQrpkj9hiYB3Lkc_iBml1JQODbJ6wYX4oOHV-E-IvIh_1nsUNzLDBMxfqa2Ob1f1ACio_w";
const B_SIGNATURE_JSON: &str = r#"{"sig":"P5uPF0uhza0FlZIO0J-f-sKmk7Nvvj8wDz6MvADnqNbEqn17k4HdprFIeYM29wcizcUeWgL5WAqkiAovm4m6Dg","alg":2,"@type":"CryptoSignature"}"#;
const B_CONTENT: &str = r#"{"cph":"oFx2BDR_WPD7sdSgl3JS3VyiNAA","alg":3,"nnc":"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZX","@type":"CryptoCipher"}"#;
const B_CIPHER_HASH: &str =
    "c3cv8yebcLYLR7_ohz_IE1H90Iyhu6SGn2-gNz9hR7ZFcgbntZXcMrfHbewMc_73qHBPTJIR0UlEtT-HXfdp1g";
const B_METADATA: &str = r#"{"@type":"FileMetadata","filename":"test.txt","filesize":4,"mimetype":"text/plain","plaintextHash":"7iaw3Ur350mqGo7jwQrpkj9hiYB3Lkc_iBml1JQODbJ6wYX4oOHV-E-IvIh_1nsUNzLDBMxfqa2Ob1f1ACio_w","secretKey":{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8","alg":3}}"#;
const B_METADATA_CIPHER: &str = r#"{"cph":"jznMalHGsjaMwEGZpcO-Fe6_bH69dxwG6tr7e8gGCHs9cW-EeKNgnqsG94rrtZZ2ABGh5aOZYiQXMrQbnk3gy27K-zfvV8WO7JHYDeRwTde8YVh5CBHKwMLlEPAp0TbxsOGPsfg5a_WWuU3TzRXJtHvjahlh8p22F0xbmk202SbUKwfF-FPHiI0CmNuYNWgZzW2fn1YAsI2PMViIqf-KFHbSgl-hwxCQOtaxoo24et-9n_-uu_p2UH7o68QjFbzhobmlfMe5kUBEHt6Bx7eGNIAgGsvWglBZdSoD2ERe2wU57wZA_rzU0Xxf56NHJ44sloQeap5IqPTp2uiaHfczxYSLtDRkXhBtIs805adZ76ULekLxXa8","alg":3,"nnc":"wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX","@type":"CryptoCipher"}"#;
const C_PLAINTEXT_HASH: &str =
    "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg_SpIdNs6c5H0NE8XYXysP-DGNKHfuwvY7kxvUdBeoGlODJ6-SfaPg";
const C_SIGNATURE: &str =
    "csjhEMBRplFqdSnV6Hz6AFw_drem3XQoUPssi8lte_ruukYfneV_g9m2cKykVz6C-GkMonV12XmRyaAZRp8HBA";
const C_CONTENT: &str = r#"{"cph":"YdhIm9WM--PsbVkTZxw3eQ","alg":3,"nnc":"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZX","@type":"CryptoCipher"}"#;
const C_CIPHER_HASH: &str =
    "IImPvEa1EgDgG2h4a8LWxYEmv-gJ7ZtSN-T2xv4qTGOq4btsm7voHMhOPThxGlqw2r1GZHYcxDtFGb4MhOZJ1A";
const C_METADATA: &str = r#"{"@type":"FileMetadata","filename":"empty.bin","filesize":0,"mimetype":"application/octet-stream","plaintextHash":"z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg_SpIdNs6c5H0NE8XYXysP-DGNKHfuwvY7kxvUdBeoGlODJ6-SfaPg","secretKey":{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8","alg":3},"title":"Empty"}"#;
const C_METADATA_CIPHER: &str = r#"{"cph":"jznMalHGsjaMwEGZpcO-Fe6_bH69dxwG6tr7e8gGCHs9cW-Eaatjnvxc7Zenu5gyDxSo87mKfWMPPKgV0Unkw3_H8iKoT93Y6JncTv1_Tcq7LBp0Fx7fzNi8Bvwv_Dbv-u-X46MxY-zRiUeUsETXrR62fwki84eIJBEUh2je40PbKDWr_CPrpoURrqGdAm55wmykzGYciJLGOgb3vIOqewn5yVK24SWnKLaNg7KSAPaq2e_GzdJnSXT7i41uIbXNl5bnGvGm0ipYHpnGzfDfZKQVFO3u1ztkFSYF6CU1lgg863VOzZXTwV5U47VQGpswkPY6T6FxjdXJ_4X-Y4wK7qHC70BhVA2yycRZtd8KODOUpgjgRUfZ-Sj_noDF666Lf3Ne3YJcrLOkzj0v3TBcFQljuBAM","alg":3,"nnc":"wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX","@type":"CryptoCipher"}"#;
const D_METADATA: &str = r#"{"@type":"FileMetadata","filemodified":"2025-01-02T03:04:05.678Z","filename":"ÄÖÜ.txt","filesize":4,"mimetype":"text/plain","plaintextHash":"7iaw3Ur350mqGo7jwQrpkj9hiYB3Lkc_iBml1JQODbJ6wYX4oOHV-E-IvIh_1nsUNzLDBMxfqa2Ob1f1ACio_w","secretKey":{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8","alg":3},"title":"ÄÖÜ"}"#;
const D_METADATA_CIPHER: &str = r#"{"cph":"jznMalHGsjaMwEGZpcO-Fe6_bH69dxwG6tr7e8gFBnIxNTzDaOQpyLdCvcvkqYU9WU-QpvnZNzIXNq0XxRO19DifqTSkAYKU6ITJAK4-7zoR1bfHVgnT3Y69V-409TLxsbnQsfVkJqDIhVKFjFzUoB62fwdz25vpDEoDm0rPtzfoLAXz_2XPnMgAqOe0dRgNjV2m3AoaiuiXRBiwmNnVITDtg3qE02W8EcKL97CyK8-27PTzy_NOcGX9g952P4G2vJOZYY-FnjNJdd27j_vPQ48bE8zVuHl5RixS3mU-0ng87V9g5bO3rxtEz5VzEKM_tL9XMaIStPXYkOqacJQX6qLe30FbRAqz4q0U1bkqZBvy5HrPLA3gxRrBovq4i4CHSH9Qm7eIwTdaiSlEC00trKB6QpIa-1g6JjC_eGdhGlyWApy83s46C4lql2XE2yRPfNht","alg":3,"nnc":"wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX","@type":"CryptoCipher"}"#;
const E_TOKEN_CONTENT_PLAINTEXT: &str = r#"{"@type":"TokenContentFile","fileId":"FILa1b2c3d4e5f6g7h8i","secretKey":{"key":"gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp8","alg":3}}"#;
const E_TOKEN_CONTENT: &str = "eyJjcGgiOiIwQ0dvT2Vrcm11UUZHRjY5VzkwYWNDNkJEWXNIMExqZXQzbklKSWxYVDh5YkdrNTlRLUdNanVPVkdmV280WWJab0FNSnhxQlJHc1ItSHFla21IOUtOMC0yVnVtZXBvaFVKM3pYZ1RXTjRtRkg5aFdqVVBZcXY5SzlpYUctSnY0U0FLZ2E3aVpZX3Q1NUFqYzlfNVpyQXJ5dXYwbE5rclZjLUNfcTJWWmt5VGxJb3RRUWlxaXdUaFk5R2dEdlhCTUpFNVlDYWxfWSIsImFsZyI6Mywibm5jIjoiNE9IaTQtVGw1dWZvNmVycjdPM3U3X0R4OHZQMDlmYjMiLCJAdHlwZSI6IkNyeXB0b0NpcGhlciJ9";
const E_TRUNCATED: &str = "VE9LYTFiMmMzZDRlNWY2ZzdoOGlAaHR0cHM6Ly9iYWNrYm9uZS5leGFtcGxlLmNvbXwzfFlHRmlZMlJsWm1kb2FXcHJiRzF1YjNCeGNuTjBkWFozZUhsNmUzeDlmbjh8fA";
const E_URL: &str = "https://backbone.example.com/r/TOKa1b2c3d4e5f6g7h8i#M3xZR0ZpWTJSbFptZG9hV3ByYkcxdWIzQnhjbk4wZFhaM2VIbDZlM3g5Zm44fHw";

/// `N` consecutive bytes from `first`, the shape of every fixed input of §6.
fn counting<const N: usize>(first: u8) -> [u8; N] {
    std::array::from_fn(|i| first + i as u8)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn keys() -> FileKeys {
    FileKeys {
        content_key: SecretKey::from_bytes(counting(0x00)),
        metadata_key: SecretKey::from_bytes(counting(0x80)),
    }
}

fn nonces() -> FileNonces {
    FileNonces {
        content: counting::<NONCE_LEN>(0x40),
        metadata: counting::<NONCE_LEN>(0xc0),
    }
}

fn device_key() -> SigningKeyPair {
    SigningKeyPair::from_seed(counting(0x20))
}

fn input(filename: &str, mimetype: &str) -> FileMetadataInput {
    FileMetadataInput {
        title: None,
        description: None,
        filename: filename.into(),
        tags: None,
        mimetype: mimetype.into(),
        filemodified: None,
    }
}

#[test]
fn fixed_inputs() {
    assert_eq!(keys().content_key.to_b64url(), CONTENT_KEY);
    assert_eq!(keys().metadata_key.to_b64url(), METADATA_KEY);
    assert_eq!(b64url(nonces().content), "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZX");
    assert_eq!(
        b64url(nonces().metadata),
        "wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX"
    );
    let public_key = device_key().public_key();
    assert_eq!(
        hex(public_key.as_bytes()),
        "29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7"
    );
    assert_eq!(
        b64url(public_key.as_bytes()),
        "Kay64UG8yvCyLhqU000LxzYeUm0L_hLIl5S8kyKWbdc"
    );
}
