//! Files across restarts: metadata in the state file, each content in a file of its own next
//! to it, removed with the file, checked on load; and the admin API's view of files.

use std::path::Path;

use backbone_sim::SimulatorConfig;
use backbone_sim::encoding::b64url;
use reqwest::StatusCode;
use serde_json::Value;

use crate::file_support::Upload;
use crate::support::{TempDir, TestSim};

fn content_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("state.content/files"))
        .map(|entries| {
            entries
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn files_survive_a_restart_with_each_content_in_a_file_of_its_own() {
    let dir = TempDir::new();
    let path = dir.path().join("state.json");
    let config = || SimulatorConfig::new().with_state_file(&path);
    let sim = TestSim::start_with(config()).await;
    let uploader = sim.identity().await;
    let claimer = sim.identity().await;
    let kept_content: Vec<u8> = (0..=255).collect();
    let kept = sim
        .upload_ok(
            &uploader,
            &Upload::valid().with_content(kept_content.clone()),
        )
        .await;
    let kept = kept["id"].as_str().expect("id").to_owned();
    let token = sim
        .sim
        .file(&kept)
        .expect("stored")
        .metadata
        .ownership_token;
    let response = sim.claim(&claimer, &kept, token.as_str()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let deleted = sim.upload_ok(&uploader, &Upload::valid()).await;
    let deleted = deleted["id"].as_str().expect("id").to_owned();
    assert_eq!(content_files(dir.path()), {
        let mut both = vec![kept.clone(), deleted.clone()];
        both.sort();
        both
    });
    let response = sim.delete_file(Some(&uploader), &deleted).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        content_files(dir.path()),
        std::slice::from_ref(&kept),
        "the content goes with the file"
    );
    let before = sim.sim.files();
    let metadata_before = sim.file_metadata_ok(&uploader, &kept).await;
    sim.sim.stop().await;

    // The JSON lists the file but holds none of its bytes.
    let text = std::fs::read_to_string(&path).expect("state file");
    let file: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(file["files"].as_array().expect("files").len(), 1);
    assert_eq!(file["files"][0]["id"], kept.as_str());
    assert_eq!(file["files"][0]["owner"], claimer.address());
    assert!(file["files"][0].get("content").is_none());
    assert!(!text.contains(&b64url(&kept_content)));
    let on_disk =
        std::fs::read(dir.path().join("state.content/files").join(&kept)).expect("content");
    assert_eq!(on_disk, kept_content);

    let sim = TestSim::start_with(config()).await;
    assert_eq!(sim.sim.files(), before);
    let uploader = sim.login(uploader.device.clone()).await;
    assert_eq!(
        sim.file_metadata_ok(&uploader, &kept).await,
        metadata_before
    );
    let content = sim
        .download(Some(&uploader), &kept)
        .await
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(&content[..], &kept_content[..]);
    assert_eq!(sim.sim.file(&kept).expect("stored").content, kept_content);
    let admin: Value = sim
        .http
        .get(sim.url(&format!("/_sim/files/{kept}")))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        admin["result"]["content"],
        b64url(&kept_content),
        "read from its file"
    );
    let response = sim.download(Some(&uploader), &deleted).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    sim.sim.stop().await;
}

#[tokio::test]
async fn a_damaged_content_file_stops_the_start_and_leftovers_are_cleared() {
    let dir = TempDir::new();
    let path = dir.path().join("state.json");
    let config = || SimulatorConfig::new().with_state_file(&path);
    let sim = TestSim::start_with(config()).await;
    let uploader = sim.identity().await;
    let created = sim.upload_ok(&uploader, &Upload::valid()).await;
    let id = created["id"].as_str().expect("id").to_owned();
    sim.sim.stop().await;

    let contents = dir.path().join("state.content/files");
    // What a crash between writing a content and the state file leaves.
    let orphan = "FILorphan0000000000a";
    std::fs::write(contents.join(orphan), b"never listed").expect("written");
    std::fs::write(contents.join(format!("{orphan}.tmp")), b"half").expect("written");
    let sim = TestSim::start_with(config()).await;
    assert_eq!(content_files(dir.path()), std::slice::from_ref(&id));
    sim.sim.stop().await;

    std::fs::write(contents.join(&id), b"CONTENT").expect("damaged");
    let error = backbone_sim::start(config()).await.expect_err("refused");
    let message = error.to_string();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData, "{message}");
    assert!(
        message.contains(&format!("the content of file {id}")),
        "{message}"
    );
    assert!(message.contains("damaged"), "{message}");
}

#[tokio::test]
async fn without_a_state_file_nothing_is_written() {
    let dir = TempDir::new();
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let created = sim.upload_ok(&uploader, &Upload::valid()).await;
    let id = created["id"].as_str().expect("id");
    assert_eq!(sim.sim.file(id).expect("in memory").content, b"content");
    assert!(dir.entries().is_empty());
}

#[tokio::test]
async fn the_admin_api_shows_files_their_tokens_and_content() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let created = sim
        .upload_ok(&uploader, &Upload::valid().with_content(vec![0xfb, 0xff]))
        .await;
    let id = created["id"].as_str().expect("id");
    let listed: Value = sim
        .http
        .get(sim.url("/_sim/files"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let files = listed["result"].as_array().expect("array");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["id"], id);
    assert_eq!(files[0]["ownershipToken"], created["ownershipToken"]);
    assert!(files[0]["lastOwnershipClaimAt"].is_null());
    assert_eq!(files[0]["cipherSize"], 2);
    assert!(files[0].get("content").is_none(), "no content in the list");
    let one: Value = sim
        .http
        .get(sim.url(&format!("/_sim/files/{id}")))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(one["result"]["content"], "-_8");
    assert_eq!(one["result"]["encryptedProperties"], "AAAA");
    assert_eq!(
        one["result"]["contentSha256"].as_str().map(str::len),
        Some(64)
    );
    let response = sim
        .http
        .get(sim.url("/_sim/files/FILa1b2c3d4e5f6g7h8i"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
