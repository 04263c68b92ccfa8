//! `Idempotency-Key` in the document: the optional header on every POST of the API, the 409
//! and 422 it can answer, and the `Idempotency-Replayed` header of a replayed answer (see
//! `http::idempotency`).

use utoipa::Modify;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::{OpenApi as Document, RefOr, Required};

use super::responses::error_response;
use crate::http::error::{
    IDEMPOTENCY_KEY_REUSED, IDEMPOTENT_REQUEST_RUNNING, INVALID_IDEMPOTENCY_KEY,
};

const KEY_DESCRIPTION: &str = "Makes a retry safe: the first request with this key runs and its \
    answer is kept for 24 hours; the same request again with the same key (same method, path, \
    query and body) gets that answer, marked `Idempotency-Replayed: true`, without running again. \
    Keys are 1 to 255 printable ASCII characters (`error.connector.idempotency.invalidKey`, 400, \
    otherwise), scoped by the API key. A 5xx or 429 answer is not kept: a retry runs anew.";

/// Adds the header and its answers to every POST under `/api/`.
pub struct IdempotentPosts;

impl Modify for IdempotentPosts {
    fn modify(&self, openapi: &mut Document) {
        let posts = openapi
            .paths
            .paths
            .iter_mut()
            .filter(|(path, _)| path.starts_with("/api/"))
            .filter_map(|(_, item)| item.post.as_mut());
        for post in posts {
            post.parameters.get_or_insert_with(Vec::new).push(
                ParameterBuilder::new()
                    .name("Idempotency-Key")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some(KEY_DESCRIPTION))
                    .schema(Some(
                        Object::builder()
                            .schema_type(Type::String)
                            .min_length(Some(1))
                            .max_length(Some(domain::idempotency::MAX_IDEMPOTENCY_KEY_LEN))
                            .pattern(Some("^[ -~]+$")),
                    ))
                    .build(),
            );
            let responses = &mut post.responses.responses;
            for response in responses.values_mut() {
                if let RefOr::T(response) = response {
                    response.headers.insert(
                        "Idempotency-Replayed".into(),
                        HeaderBuilder::new()
                            .schema(Object::builder().schema_type(Type::String).enum_values(Some(["true"])))
                            .description(Some("Present on an answer given again for a retry with the same Idempotency-Key."))
                            .build(),
                    );
                }
            }
            let invalid = format!(
                "An invalid `Idempotency-Key` (`{INVALID_IDEMPOTENCY_KEY}`), or another invalid request."
            );
            responses
                .entry("400".into())
                .or_insert_with(|| RefOr::T(error_response(400, &invalid)));
            responses.insert(
                "409".into(),
                RefOr::T(error_response(
                    409,
                    &format!(
                        "The first request with this `Idempotency-Key` is still running \
                         (`{IDEMPOTENT_REQUEST_RUNNING}`): retry with the same key later."
                    ),
                )),
            );
            responses.insert(
                "422".into(),
                RefOr::T(error_response(
                    422,
                    &format!(
                        "This `Idempotency-Key` was used for another request \
                         (`{IDEMPOTENCY_KEY_REUSED}`)."
                    ),
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::document;

    fn has_key_parameter(operation: &Value) -> bool {
        operation["parameters"]
            .as_array()
            .is_some_and(|parameters| parameters.iter().any(|p| p["name"] == "Idempotency-Key"))
    }

    #[test]
    fn every_post_of_the_api_and_nothing_else_documents_the_key_and_its_answers() {
        let paths = document()["paths"].as_object().expect("paths");
        let mut posts = 0;
        for (path, item) in paths {
            for (method, operation) in item.as_object().expect("a path item") {
                let is_api_post = method == "post" && path.starts_with("/api/");
                assert_eq!(has_key_parameter(operation), is_api_post, "{method} {path}");
                if is_api_post {
                    posts += 1;
                    for status in ["400", "409", "422"] {
                        assert!(
                            operation["responses"][status].is_object(),
                            "{status} of {path}"
                        );
                    }
                    assert!(
                        operation["responses"]["201"]["headers"]["Idempotency-Replayed"]
                            .is_object()
                    );
                }
            }
        }
        assert_eq!(
            posts, 10,
            "tokens for Files, own tokens, uploads, peer Files and peer tokens, on v6 and v7"
        );
    }
}
