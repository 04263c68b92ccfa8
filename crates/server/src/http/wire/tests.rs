//! The edge and the use case together, over mocked ports: the shared validation table answers
//! exactly as listed (status, code, message), without HTTP or a database.

use std::sync::Arc;

use application::ports::{
    CreatedBackboneToken, MockBackboneTokens, MockFileRepository, MockPasswordHasher,
    MockTokenRepository, SystemClock,
};
use application::tokens::create_for_file::{CreateTokenForFile, CreatedToken};
use application::{Dependencies, ServiceIdentity};
use chrono::{Duration, Utc};
use domain::{DeviceId, File, FileId, IdentityAddress, SecretKey, TokenId};
use serde_json::{Map, Value};

use super::{TokenDto, parse_create_token_request};
use crate::http::error::ApiError;
use crate::random::OsRandom;

pub(crate) const FILE_ID: &str = "FILAAAAAAAAAAAAAAAAA";

fn identity() -> ServiceIdentity {
    ServiceIdentity {
        address: IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap(),
        device_id: DeviceId::parse("DVCAAAAAAAAAAAAAAAAA").unwrap(),
    }
}

fn file() -> File {
    let owner = identity().address;
    File {
        id: FileId::parse(FILE_ID).unwrap(),
        secret_key: SecretKey::from_bytes([7; 32]),
        owner: owner.clone(),
        created_at: Utc::now(),
        created_by: owner,
        created_by_device: identity().device_id,
        expires_at: Utc::now() + Duration::days(30),
        filename: "report.pdf".into(),
        filesize: 1,
        mimetype: "application/pdf".into(),
        title: None,
        description: None,
        tags: vec![],
        ownership_token: None,
        ownership_is_locked: false,
        is_own: true,
        content: None,
    }
}

/// What the route would do with `file_id` and `body`: its schema, then the use case over ports
/// that know [`FILE_ID`] and accept every token.
pub(crate) async fn answer(
    file_id: &str,
    body: &Map<String, Value>,
) -> Result<CreatedToken, ApiError> {
    let request = parse_create_token_request(file_id, body)
        .map_err(|violation| ApiError::validation(violation.0))?;
    let mut files = MockFileRepository::new();
    files
        .expect_find_file()
        .returning(|id| Ok((id.as_str() == FILE_ID).then(file)));
    let mut backbone = MockBackboneTokens::new();
    backbone.expect_create_token().returning(|_, _| {
        Ok(CreatedBackboneToken {
            id: TokenId::parse("TOKAAAAAAAAAAAAAAAAA").unwrap(),
            created_at: Utc::now(),
        })
    });
    let mut tokens = MockTokenRepository::new();
    tokens.expect_insert_token().returning(|_| Ok(()));
    let mut hasher = MockPasswordHasher::new();
    hasher.expect_hash().returning(|_| Ok([0; 32]));
    let use_case = CreateTokenForFile::new(Dependencies {
        files: Arc::new(files),
        tokens: Arc::new(tokens),
        backbone: Arc::new(backbone),
        backbone_files: Arc::new(application::ports::MockBackboneFiles::new()),
        password_hasher: Arc::new(hasher),
        clock: Arc::new(SystemClock),
        random: Arc::new(OsRandom),
        identity: identity(),
        device_key: Arc::new(domain::SigningKeyPair::from_seed([9; 32])),
    });
    use_case.execute(request).await.map_err(ApiError::from)
}

/// The repository's copy of the shared spec's table (checked against the spec by the system
/// tests).
const TABLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/validation-cases.json"
);

#[tokio::test]
async fn every_case_of_the_shared_validation_table_answers_as_listed() {
    let text = std::fs::read_to_string(TABLE).unwrap_or_else(|e| panic!("{TABLE}: {e}"));
    let table: Value = serde_json::from_str(&text).unwrap();
    let substitute = |message: &str| match message {
        "$pinMessage" => table["pinMessage"].as_str().unwrap().to_owned(),
        "$indicatorMessage" => table["indicatorMessage"].as_str().unwrap().to_owned(),
        other => other.to_owned(),
    };
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let file_id = match case["path"].as_str().unwrap() {
            "{file}" => FILE_ID.to_owned(),
            other => other.replace("%20", " "),
        };
        let body = match &case["body"] {
            Value::Null => Map::new(),
            body => body.as_object().unwrap().clone(),
        };

        let result = answer(&file_id, &body).await;

        match case["status"].as_u64().unwrap() {
            201 => {
                let created = result.unwrap_or_else(|e| panic!("{case}: {e:?}"));
                let dto = TokenDto::new(&created.token, created.is_ephemeral, "http://backbone");
                let dto = serde_json::to_value(dto).unwrap();
                for (key, value) in case
                    .get("expect")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    assert_eq!(&dto[key], value, "{case}");
                }
            }
            status => {
                let error = result.expect_err("refused");
                assert_eq!(u64::from(error.status.as_u16()), status, "{case}");
                assert_eq!(error.code, case["code"].as_str().unwrap(), "{case}");
                assert_eq!(
                    error.message,
                    substitute(case["message"].as_str().unwrap()),
                    "{case}"
                );
            }
        }
    }
}
