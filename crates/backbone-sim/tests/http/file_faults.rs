//! Faults on the Files routes: failed uploads store nothing, a lost answer stores the file
//! all the same, delays and 503s on reads.

use std::time::{Duration, Instant};

use backbone_sim::Fault;
use reqwest::StatusCode;
use serde_json::Value;

use crate::file_support::Upload;
use crate::support::{TestSim, error_of};

const FILES: &str = "/api/v2/Files";

#[tokio::test]
async fn a_500_on_upload_stores_nothing_and_the_retry_succeeds() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    sim.sim
        .faults()
        .inject(Fault::error_500().on("POST", FILES));
    // A large body, read before the failure, so the client reliably sees the answer.
    let upload = Upload::valid().with_content(vec![5; 2 * 1024 * 1024]);
    let response = sim.upload(Some(&uploader), upload.form()).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let (code, _) = error_of(response).await;
    assert_eq!(code, "error.platform.unexpected");
    assert!(sim.sim.files().is_empty());
    sim.upload_ok(&uploader, &upload).await;
    assert_eq!(sim.sim.files().len(), 1);
}

#[tokio::test]
async fn a_quota_429_on_upload_names_the_files_metric() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let fault: Fault = serde_json::from_value(serde_json::json!({
        "kind": "quotaExhausted429", "metricKey": "NumberOfFiles", "method": "POST", "path": FILES,
    }))
    .expect("fault JSON");
    sim.sim.faults().inject(fault);
    let response = sim.upload(Some(&uploader), Upload::valid().form()).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["data"][0]["metricKey"], "NumberOfFiles");
    assert!(sim.sim.files().is_empty());
}

#[tokio::test]
async fn a_lost_answer_after_the_upload_leaves_the_file_stored() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    sim.sim
        .faults()
        .inject(Fault::lost_answer().on("POST", FILES));
    let sent = sim
        .request(reqwest::Method::POST, FILES, Some(&uploader))
        .multipart(Upload::valid().form())
        .send()
        .await;
    assert!(sent.is_err(), "no answer: {sent:?}");
    let files = sim.sim.files();
    assert_eq!(files.len(), 1, "the Backbone did it");
    assert_eq!(files[0].owner.as_str(), uploader.address());
    let id = files[0].id.to_string();
    let metadata = sim.file_metadata_ok(&uploader, &id).await;
    assert_eq!(metadata["cipherSize"], 7);
}

#[tokio::test]
async fn delays_and_503s_apply_to_reads() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let created = sim.upload_ok(&uploader, &Upload::valid()).await;
    let id = created["id"].as_str().expect("id");
    sim.sim
        .faults()
        .inject(Fault::delay(Duration::from_millis(300)).on("GET", FILES));
    let started = Instant::now();
    let response = sim.download(Some(&uploader), id).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(&response.bytes().await.expect("bytes")[..], b"content");

    sim.sim
        .faults()
        .inject(Fault::unavailable_503().on("GET", &format!("{FILES}/{id}/metadata")));
    let response = sim.file_metadata(Some(&uploader), id).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.bytes().await.expect("body").is_empty());
    sim.file_metadata_ok(&uploader, id).await;
}

#[tokio::test]
async fn a_500_after_a_delete_has_deleted_it() {
    let sim = TestSim::start().await;
    let uploader = sim.identity().await;
    let created = sim.upload_ok(&uploader, &Upload::valid()).await;
    let id = created["id"].as_str().expect("id");
    sim.sim
        .faults()
        .inject(Fault::error_500().on("DELETE", FILES).after_processing());
    let response = sim.delete_file(Some(&uploader), id).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(sim.sim.files().is_empty());
    let response = sim.delete_file(Some(&uploader), id).await;
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "a retry finds it gone"
    );
}
