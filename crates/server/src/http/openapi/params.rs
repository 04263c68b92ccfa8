//! Parameters of the routes: the File id and correlation id of the token route, the list routes' query keys.

use utoipa::IntoParams;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{ArrayBuilder, Object, Type};

use super::schemas::file_id_parameter;

/// `{id}` and `X-Correlation-ID` of `POST …/Files/{id}/Token`.
#[derive(Debug)]
pub struct TokenRouteParams;

impl IntoParams for TokenRouteParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name("id")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some("The File to share."))
                .schema(Some(file_id_parameter()))
                .build(),
            ParameterBuilder::new()
                .name("X-Correlation-ID")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Kept in this service's log and forwarded to the Backbone.",
                ))
                .schema(Some(Object::builder().schema_type(Type::String)))
                .build(),
        ]
    }
}

/// An optional query parameter of the list routes: a string, or with `repeats` a list of them
/// given as the key repeated (`key=a&key=b`).
pub fn query_parameter(key: &str, description: &str, repeats: bool) -> Parameter {
    let string = Object::with_type(Type::String);
    let builder = ParameterBuilder::new()
        .name(key)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description));
    if repeats {
        builder
            .schema(Some(ArrayBuilder::new().items(string).build()))
            .style(Some(ParameterStyle::Form))
            .explode(Some(true))
            .build()
    } else {
        builder.schema(Some(string)).build()
    }
}
