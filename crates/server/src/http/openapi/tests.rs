//! The document cannot drift from the code: what the code serializes must match the schemas
//! exactly, and the documented paths, methods and security are the ones served.

use crate::http::wire::TokenDto;
use actix_web::{App, test as actix_test};
use chrono::{TimeZone, Utc};
use domain::{
    DeviceId, FileId, IdentityAddress, PasswordLocationIndicator, PasswordProtection, PasswordType,
    SecretKey, Token, TokenContentFile, TokenId,
};
use serde_json::{Map, Value, json};

use super::document;
use crate::http::auth::PUBLIC_PATHS;
use crate::http::envelope::{Failure, new_error_id};
use crate::http::routes::ApiVersion;
use crate::http::wire::tests::{FILE_ID, answer};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn schema(name: &str) -> &'static Value {
    &document()["components"]["schemas"][name]
}

fn resolve(schema: &Value) -> &Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .expect("a local schema reference");
            self::schema(name)
        }
        None => schema,
    }
}

/// A small JSON Schema check (the keywords this document uses), collecting every violation.
fn violations(instance: &Value, schema: &Value, at: &str, found: &mut Vec<String>) {
    let schema = resolve(schema);
    assert!(schema.is_object(), "{at}: no schema");
    if let Some(options) = schema["oneOf"].as_array() {
        let matching = options
            .iter()
            .filter(|option| {
                let mut nested = Vec::new();
                violations(instance, option, at, &mut nested);
                nested.is_empty()
            })
            .count();
        if matching != 1 {
            found.push(format!("{at}: {instance} matches {matching} of oneOf"));
        }
    }
    if let Some(options) = schema["anyOf"].as_array() {
        let matches_one = options.iter().any(|option| {
            let mut nested = Vec::new();
            violations(instance, option, at, &mut nested);
            nested.is_empty()
        });
        if !matches_one {
            found.push(format!("{at}: {instance} matches none of anyOf"));
        }
    }
    if let Some(kind) = schema["type"].as_str() {
        let ok = match kind {
            "object" => instance.is_object(),
            "string" => instance.is_string(),
            "boolean" => instance.is_boolean(),
            "integer" => instance.is_i64() || instance.is_u64(),
            "number" => instance.is_number(),
            "array" => instance.is_array(),
            other => panic!("{at}: unexpected type {other}"),
        };
        if !ok {
            found.push(format!("{at}: {instance} is not {kind}"));
            return;
        }
    }
    if let Some(values) = schema["enum"].as_array()
        && !values.contains(instance)
    {
        found.push(format!("{at}: {instance} not in {values:?}"));
    }
    if let (Some(text), Some(pattern)) = (instance.as_str(), schema["pattern"].as_str())
        && !regex::Regex::new(pattern).expect("pattern").is_match(text)
    {
        found.push(format!("{at}: {text:?} does not match {pattern}"));
    }
    if let (Some(text), Some(min)) = (instance.as_str(), schema["minLength"].as_u64())
        && (text.chars().count() as u64) < min
    {
        found.push(format!("{at}: {text:?} shorter than {min}"));
    }
    if let Some(number) = instance.as_f64() {
        let below = schema["minimum"].as_f64().is_some_and(|min| number < min);
        let above = schema["maximum"].as_f64().is_some_and(|max| number > max);
        if below || above {
            found.push(format!("{at}: {number} out of range"));
        }
    }
    if let Some(object) = instance.as_object() {
        object_violations(object, schema, at, found);
    }
    if let (Some(items), Some(schema)) = (instance.as_array(), schema.get("items")) {
        for (index, item) in items.iter().enumerate() {
            violations(item, schema, &format!("{at}/{index}"), found);
        }
    }
}

fn object_violations(
    object: &Map<String, Value>,
    schema: &Value,
    at: &str,
    found: &mut Vec<String>,
) {
    let empty = Map::new();
    let properties = schema["properties"].as_object().unwrap_or(&empty);
    for required in schema["required"].as_array().into_iter().flatten() {
        let name = required.as_str().expect("names");
        if !object.contains_key(name) {
            found.push(format!("{at}: required {name} missing"));
        }
    }
    for (key, value) in object {
        match properties.get(key) {
            Some(property) => violations(value, property, &format!("{at}/{key}"), found),
            None if schema["additionalProperties"] == json!(false) => {
                found.push(format!("{at}: {key} is not in the schema"));
            }
            None => {}
        }
    }
}

fn assert_valid(instance: &Value, schema_name: &str) {
    let mut found = Vec::new();
    violations(instance, schema(schema_name), schema_name, &mut found);
    assert!(found.is_empty(), "{instance}\n{found:#?}");
}

fn property_names(schema_name: &str) -> Vec<&'static str> {
    let mut names: Vec<&str> = schema(schema_name)["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names
}

fn required_names(schema_name: &str) -> Vec<&'static str> {
    let mut names: Vec<&str> = schema(schema_name)["required"]
        .as_array()
        .expect("required")
        .iter()
        .map(|name| name.as_str().expect("a name"))
        .collect();
    names.sort_unstable();
    names
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn token(full: bool, indicator: u8) -> Token {
    let address = IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap();
    Token {
        id: TokenId::parse("TOKAAAAAAAAAAAAAAAAA").unwrap(),
        is_own: true,
        created_by: address.clone(),
        created_by_device: DeviceId::parse("DVCAAAAAAAAAAAAAAAAA").unwrap(),
        content: TokenContentFile {
            file_id: FileId::parse("FILAAAAAAAAAAAAAAAAA").unwrap(),
            secret_key: SecretKey::from_bytes([7; 32]),
        }
        .into(),
        created_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        expires_at: Utc.with_ymd_and_hms(2026, 2, 2, 3, 4, 5).unwrap(),
        for_identity: full.then(|| address.clone()),
        password_protection: full.then(|| PasswordProtection {
            password: "1234".into(),
            password_type: PasswordType::of("1234", true).unwrap(),
            salt: [1; 16],
            location_indicator: PasswordLocationIndicator::from_number(indicator),
        }),
        secret_key: SecretKey::from_bytes([9; 32]),
    }
}

fn dto(full: bool, indicator: u8) -> Value {
    serde_json::to_value(TokenDto::new(
        &token(full, indicator),
        !full,
        "https://backbone.example",
    ))
    .unwrap()
}

#[test]
fn the_token_dto_schemas_have_exactly_the_serialized_fields() {
    let (full, minimal) = (dto(true, 4), dto(false, 4));
    assert_eq!(property_names("TokenDTO"), keys(&full));
    assert_eq!(required_names("TokenDTO"), keys(&minimal));
    for (name, nested) in [
        ("TokenContentFile", &full["content"]),
        ("SecretKey", &full["content"]["secretKey"]),
        ("TokenReference", &full["reference"]),
        ("TokenPasswordProtection", &full["passwordProtection"]),
    ] {
        assert_eq!(property_names(name), keys(nested), "{name}");
    }

    let v7 = |full: bool| {
        let dto = TokenDto::new(&token(full, 4), true, "https://backbone.example").into_v7();
        serde_json::to_value(dto).unwrap()
    };
    assert_eq!(property_names("TokenDTOv7"), keys(&v7(true)));
    assert_eq!(required_names("TokenDTOv7"), keys(&v7(false)));
}

#[test]
fn what_the_code_serializes_is_valid_against_the_document() {
    for indicator in [1, 2, 3, 4, 5, 6, 50, 99] {
        assert_valid(&json!({ "result": dto(true, indicator) }), "TokenResult");
    }
    assert_valid(&json!({ "result": dto(false, 1) }), "TokenResult");
    let v7 = TokenDto::new(&token(true, 77), false, "https://backbone.example").into_v7();
    assert_valid(&json!({ "result": v7 }), "TokenResultV7");
    let peers = Token {
        is_own: false,
        content: domain::TokenContent::from_json(json!({"any": ["json", 1]})).unwrap(),
        ..token(false, 1)
    };
    let listed = TokenDto::for_version(&peers, false, "https://backbone.example", ApiVersion::V7);
    assert_valid(&json!({ "result": [listed] }), "TokenListResultV7");

    let failure = serde_json::to_value(Failure::new(
        &new_error_id(),
        "error.runtime.recordNotFound",
        "gone",
    ))
    .unwrap();
    assert_eq!(keys(&failure["error"]), property_names("Error"));
    assert_eq!(required_names("Error"), property_names("Error"));
    assert_valid(&failure, "ErrorEnvelope");
}

#[test]
fn the_documented_password_rules_are_the_validated_ones() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let accepted = |protection: Value| {
        let body = json!({ "passwordProtection": protection });
        runtime
            .block_on(answer(FILE_ID, body.as_object().unwrap()))
            .is_ok()
    };
    let documented = |protection: &Value| {
        let mut found = Vec::new();
        violations(
            protection,
            schema("PasswordProtectionRequest"),
            "",
            &mut found,
        );
        found.is_empty()
    };
    let mut cases: Vec<Value> = (0..=120)
        .map(|n| json!({ "password": "1234", "passwordLocationIndicator": n }))
        .collect();
    for name in [
        "Self",
        "Letter",
        "RegistrationLetter",
        "Email",
        "SMS",
        "Website",
        "RecoveryKit",
        "self",
        "50",
    ] {
        cases.push(json!({ "password": "1234", "passwordLocationIndicator": name }));
    }
    cases.extend([
        json!({ "password": "" }),
        json!({ "password": "secret" }),
        json!({ "password": "1234", "passwordIsPin": true }),
        json!({ "password": "1234", "passwordIsPin": false }),
        json!({ "password": "1234", "other": 1 }),
        json!({ "passwordIsPin": true }),
    ]);
    for case in cases {
        assert_eq!(documented(&case), accepted(case.clone()), "{case}");
    }
}

#[test]
fn the_document_is_openapi_3_1_with_the_api_key_on_every_route_but_the_public_ones() {
    let document = document();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(
        document["components"]["securitySchemes"]["ApiKey"],
        json!({"type": "apiKey", "in": "header", "name": "X-API-KEY", "description": "The key configured as `infrastructure.httpServer.apiKey`."})
    );
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let public = PUBLIC_PATHS.contains(&path.as_str());
            let security = operation.get("security");
            if public {
                assert_eq!(security, None, "{method} {path}");
            } else {
                assert_eq!(security, Some(&json!([{"ApiKey": []}])), "{method} {path}");
                assert!(operation["responses"]["401"].is_object(), "{method} {path}");
                let forbidden = operation["responses"]["403"]["description"].as_str();
                assert!(
                    forbidden.is_some_and(|text| text.contains("error.connector.forbidden")),
                    "a key's scopes may refuse {method} {path}"
                );
            }
            for (status, response) in operation["responses"].as_object().unwrap() {
                for header in ["X-Response-Duration-ms", "X-Response-Time"] {
                    assert_eq!(
                        response["headers"][header]["required"], true,
                        "{status} {path}"
                    );
                }
            }
        }
    }
    for path in PUBLIC_PATHS {
        assert!(document["paths"][path].is_object(), "{path} is documented");
    }
}

#[actix_web::test]
async fn every_documented_path_is_served_with_exactly_its_methods() {
    let app = actix_test::init_service(App::new().configure(crate::http::configure)).await;
    let mut served = Vec::new();
    for (path, item) in document()["paths"].as_object().unwrap() {
        let methods: Vec<String> = METHODS
            .into_iter()
            .filter(|method| item.get(*method).is_some())
            .map(str::to_uppercase)
            .collect();
        let concrete = path.replace("{id}", "FILAAAAAAAAAAAAAAAAA");
        // No route takes PUT, so every path answers it 405 with its own methods.
        let request = actix_test::TestRequest::put().uri(&concrete).to_request();
        let response = actix_test::call_service(&app, request).await;
        assert_eq!(response.status().as_u16(), 405, "{path}");
        let allow = response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok());
        assert_eq!(allow, Some(methods.join(", ").as_str()), "{path}");
        served.push(path.as_str());
    }
    served.sort_unstable();
    assert_eq!(
        served,
        [
            "/Monitoring/Version",
            "/api/core/v1/Account/IdentityInfo",
            "/api/core/v1/Files",
            "/api/core/v1/Files/Own",
            "/api/core/v1/Files/Peer",
            "/api/core/v1/Files/{idOrReference}",
            "/api/core/v1/Files/{id}/Download",
            "/api/core/v1/Files/{id}/RegenerateOwnershipToken",
            "/api/core/v1/Files/{id}/Token",
            "/api/core/v1/Tokens/Own",
            "/api/core/v1/Tokens/Peer",
            "/api/core/v1/Tokens/{id}",
            "/api/v2/Account/IdentityInfo",
            "/api/v2/Files",
            "/api/v2/Files/Own",
            "/api/v2/Files/Peer",
            "/api/v2/Files/{idOrReference}",
            "/api/v2/Files/{id}/Download",
            "/api/v2/Files/{id}/RegenerateOwnershipToken",
            "/api/v2/Files/{id}/Token",
            "/api/v2/Tokens/Own",
            "/api/v2/Tokens/Peer",
            "/api/v2/Tokens/{id}",
            "/docs",
            "/docs/json",
            "/health",
        ]
    );
}
