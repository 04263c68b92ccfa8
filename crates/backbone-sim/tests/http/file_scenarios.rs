//! The Backbone's own Files scenarios (`ConsumerApi.Tests.Integration/Features/Files/**`,
//! spec files.md §2.7), replayed against the simulator with the same steps: its SDK's upload
//! (`content` with file name `filename`, `AAAA` for the byte fields, a day to live), "locked
//! by i2" = i2 claims with `wrongTokenXXXXXXXXXX`, and so on.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::file_support::{iso, ok_result};
use crate::support::{Identity, TestSim, error_of};

const INVALID_PROPERTY: &str = "error.platform.validation.invalidPropertyValue";
const WRONG_TOKEN: &str = "wrongTokenXXXXXXXXXX";
/// What `FileId.New()` makes: valid, but no file has it.
const NON_EXISTING: &str = "FILa1b2c3d4e5f6g7h8i";

/// `Utils.CreateFile`: the SDK's `CreateFileRequest.ToMultipartContent`.
fn sdk_form(identity: &Identity) -> Form {
    Form::new()
        .part(
            "content",
            Part::bytes(b"content".to_vec()).file_name("filename"),
        )
        .text("owner", identity.address().to_owned())
        .text("ownerSignature", "AAAA")
        .text("cipherHash", "AAAA")
        .text(
            "expiresAt",
            iso(chrono::Utc::now() + chrono::Duration::days(1)),
        )
        .text("encryptedProperties", "AAAA")
}

/// "Given File f created by i": its id and ownership token.
async fn file_created_by(sim: &TestSim, identity: &Identity) -> (String, String) {
    let response = sim.upload(Some(identity), sdk_form(identity)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("JSON");
    (
        body["result"]["id"].as_str().expect("id").to_owned(),
        body["result"]["ownershipToken"]
            .as_str()
            .expect("token")
            .to_owned(),
    )
}

/// "Given the ownership of f is locked by i".
async fn lock_by(sim: &TestSim, identity: &Identity, id: &str) {
    let response = sim.claim(identity, id, WRONG_TOKEN).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

async fn is_locked(sim: &TestSim, identity: &Identity, id: &str) -> bool {
    sim.file_metadata_ok(identity, id).await["ownershipIsLocked"]
        .as_bool()
        .expect("bool")
}

#[tokio::test]
async fn post_files_uploading_a_file() {
    let sim = TestSim::start().await;
    let i = sim.identity().await;
    let response = sim.upload(Some(&i), sdk_form(&i)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("JSON");
    assert!(
        body["result"]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("FIL"))
    );
    assert_eq!(body["result"]["owner"], i.address());
    assert_eq!(body["result"]["cipherSize"], 7);
}

#[tokio::test]
async fn get_files_id_metadata_of_an_own_file() {
    let sim = TestSim::start().await;
    let i = sim.identity().await;
    let (id, _) = file_created_by(&sim, &i).await;
    let metadata = sim.file_metadata_ok(&i, &id).await;
    assert_eq!(metadata["id"], id.as_str());
    assert_eq!(metadata["encryptedProperties"], "AAAA");
}

#[tokio::test]
async fn delete_files_id_actually_removes_it() {
    let sim = TestSim::start().await;
    let i = sim.identity().await;
    let (id, _) = file_created_by(&sim, &i).await;
    let response = sim.delete_file(Some(&i), &id).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = sim.file_metadata(Some(&i), &id).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn claim_ownership_scenarios() {
    let sim = TestSim::start().await;
    let (i1, i2) = (sim.identity().await, sim.identity().await);

    // An identity claims a file.
    let (id, token) = file_created_by(&sim, &i1).await;
    let claimed = ok_result(sim.claim(&i2, &id, &token).await).await;
    let new_token = claimed["newOwnershipToken"].as_str().expect("token");
    assert_ne!(new_token, token);
    assert_eq!(new_token.len(), 20);
    assert_eq!(sim.file_metadata_ok(&i2, &id).await["owner"], i2.address());
    let stored = sim.sim.file(&id).expect("stored").metadata;
    assert_eq!(stored.ownership_token.as_str(), new_token);
    assert!(stored.last_ownership_claim_at.is_some());

    // An identity tries to claim its own file.
    let (own, own_token) = file_created_by(&sim, &i1).await;
    let response = sim.claim(&i1, &own, &own_token).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(response).await,
        (
            "error.platform.validation.file.cannotClaimOwnershipOfOwnFile".to_owned(),
            "You cannot claim the ownership of a file you already own.".to_owned()
        )
    );

    // ... using an incorrect ownership token: 403, and the file is locked.
    let (locked, locked_token) = file_created_by(&sim, &i1).await;
    let response = sim.claim(&i2, &locked, "AbC!@#$%^&*()_-+=<>?").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (code, _) = error_of(response).await;
    assert_eq!(code, "error.platform.forbidden");
    assert!(is_locked(&sim, &i2, &locked).await);

    // ... with an invalid file id.
    let response = sim
        .claim(&i2, "InvalidFileId", "AbCdEfGhIjKlMnOpQrSt")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(response).await,
        (
            INVALID_PROPERTY.to_owned(),
            "'fileId': The ID or Address is not valid. Check length, prefix and the used characters."
                .to_owned()
        )
    );

    // ... with an invalid (too long) ownership token.
    let (other, _) = file_created_by(&sim, &i1).await;
    let response = sim
        .claim(&i2, &other, "ownershipTokenWithMoreThan20Characters")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(response).await,
        (
            INVALID_PROPERTY.to_owned(),
            "Invalid ownership token.".to_owned()
        )
    );
    assert!(
        !is_locked(&sim, &i1, &other).await,
        "refused before the file is touched"
    );

    // ... with the correct token on a locked file.
    let response = sim.claim(&i2, &locked, &locked_token).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        sim.file_metadata_ok(&i1, &locked).await["owner"],
        i1.address()
    );

    // ... with a non-existing file id.
    let response = sim.claim(&i2, NON_EXISTING, &locked_token).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "error.platform.recordNotFound");
    assert!(message.starts_with("File not found."), "{message}");
}

#[tokio::test]
async fn regenerate_ownership_token_scenarios() {
    let sim = TestSim::start().await;
    let (i1, i2) = (sim.identity().await, sim.identity().await);

    // The owner of a locked file regenerates its token: new token, unlocked.
    let (id, token) = file_created_by(&sim, &i1).await;
    lock_by(&sim, &i2, &id).await;
    assert!(is_locked(&sim, &i1, &id).await);
    let regenerated = ok_result(sim.regenerate(&i1, &id).await).await;
    let new_token = regenerated["newOwnershipToken"].as_str().expect("token");
    assert_ne!(new_token, token);
    assert!(!is_locked(&sim, &i1, &id).await);
    assert_eq!(
        ok_result(sim.validate_token(&i1, &id, new_token).await).await["isValid"],
        true
    );

    // An invalid file id.
    let response = sim.regenerate(&i1, "InvalidFileId").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (code, message) = error_of(response).await;
    assert_eq!(code, INVALID_PROPERTY);
    assert!(message.starts_with("'fileId': "), "{message}");

    // Not the owner.
    let response = sim.regenerate(&i2, &id).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (code, _) = error_of(response).await;
    assert_eq!(code, "error.platform.forbidden");

    // A non-existing file.
    let response = sim.regenerate(&i1, NON_EXISTING).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn validate_ownership_token_scenarios() {
    let sim = TestSim::start().await;
    let (i1, i2) = (sim.identity().await, sim.identity().await);
    let is_valid = |response| async { ok_result(response).await["isValid"].clone() };

    // The owner, unlocked, right token.
    let (id, token) = file_created_by(&sim, &i1).await;
    assert_eq!(
        is_valid(sim.validate_token(&i1, &id, &token).await).await,
        true
    );

    // The owner of a locked file.
    let (locked, locked_token) = file_created_by(&sim, &i1).await;
    lock_by(&sim, &i2, &locked).await;
    assert_eq!(
        is_valid(sim.validate_token(&i1, &locked, &locked_token).await).await,
        false
    );

    // An invalid file id.
    let response = sim
        .validate_token(&i1, "InvalidFileId", "AbCdEfGhIjKlMnOpQrSt")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (code, _) = error_of(response).await;
    assert_eq!(code, INVALID_PROPERTY);

    // Not the owner, right token.
    assert_eq!(
        is_valid(sim.validate_token(&i2, &id, &token).await).await,
        true
    );

    // Not the owner, wrong token: false, and now locked.
    assert_eq!(
        is_valid(sim.validate_token(&i2, &id, WRONG_TOKEN).await).await,
        false
    );
    assert!(is_locked(&sim, &i2, &id).await);

    // A non-existing file.
    let response = sim
        .validate_token(&i1, NON_EXISTING, "AbCdEfGhIjKlMnOpQrSt")
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ownership_bodies_are_bound_as_json_and_actions_ignore_case() {
    let sim = TestSim::start().await;
    let (i1, i2) = (sim.identity().await, sim.identity().await);
    let (id, token) = file_created_by(&sim, &i1).await;
    let response = sim
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v2/Files/{id}/claimownership"),
            Some(&i2),
        )
        .body(format!(r#"{{"OwnershipToken":"{token}"}}"#))
        .header("Content-Type", "text/plain")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let response = sim
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v2/Files/{id}/claimownership"),
            Some(&i2),
        )
        .header("Content-Type", "application/json")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        error_of(response).await,
        (
            "error.platform.inputCannotBeParsed".to_owned(),
            "A non-empty request body is required.".to_owned()
        )
    );
    let response = sim
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v2/Files/{id}/claimownership"),
            Some(&i2),
        )
        .header("Content-Type", "application/json")
        .body(format!(r#"{{"OwnershipToken":"{token}"}}"#))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let response = sim
        .request(
            reqwest::Method::GET,
            &format!("/api/v2/Files/{id}/ClaimOwnership"),
            Some(&i2),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let response = sim
        .request(
            reqwest::Method::GET,
            &format!("/api/v2/Files/{id}/Nothing"),
            Some(&i2),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
