//! The shared validation table over HTTP: every case answers exactly as listed, and a refused
//! request creates nothing anywhere.

use serde_json::Value;
use system_tests::{TestApp, status_and_json};

/// The repository's copy of the shared spec's table, so a clone runs without `../shared`.
const TABLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/validation-cases.json");

#[test]
fn the_tables_copy_is_the_shared_specs_table_where_the_spec_is_present() {
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/spec/validation-cases.json"
    );
    let copy = std::fs::read(TABLE).unwrap();
    match std::fs::read(shared) {
        Ok(original) => assert!(
            copy == original,
            "{TABLE} differs from {shared}: copy the spec's table again"
        ),
        Err(error) => eprintln!("{shared}: {error}; only the repository's copy is used"),
    }
}

#[tokio::test]
async fn every_case_of_the_shared_validation_table_answers_as_listed_over_http() {
    let text = std::fs::read_to_string(TABLE).unwrap_or_else(|e| panic!("{TABLE}: {e}"));
    let table: Value = serde_json::from_str(&text).unwrap();
    let substitute = |message: &str| match message {
        "$pinMessage" => table["pinMessage"].as_str().unwrap().to_owned(),
        "$indicatorMessage" => table["indicatorMessage"].as_str().unwrap().to_owned(),
        other => other.to_owned(),
    };
    let app = TestApp::spawn().await;
    let mut created = 0;

    for case in table["cases"].as_array().unwrap() {
        let path = case["path"]
            .as_str()
            .unwrap()
            .replace("{file}", app.file.id.as_str());
        let mut request = app.post_token(&path);
        if !case["body"].is_null() {
            request = request.json(&case["body"]);
        }
        let (status, body) = status_and_json(request.send().await.unwrap()).await;

        let expected_status = case["status"].as_u64().unwrap();
        assert_eq!(u64::from(status), expected_status, "{case} → {body}");
        if expected_status == 201 {
            created += 1;
            for (key, value) in case
                .get("expect")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                assert_eq!(&body["result"][key], value, "{case}");
            }
        } else {
            assert_eq!(body["error"]["code"], case["code"], "{case}");
            assert_eq!(
                body["error"]["message"].as_str().unwrap(),
                substitute(case["message"].as_str().unwrap()),
                "{case}"
            );
        }
        assert_eq!(
            app.simulator.token_count(),
            created,
            "a refused request created nothing: {case}"
        );
    }
    assert_eq!(
        app.stored_tokens(),
        1,
        "only the one non-ephemeral 201 case is stored"
    );
}
