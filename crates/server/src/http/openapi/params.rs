//! The parameters of the token routes: the File id in the path, and the optional correlation id.

use utoipa::IntoParams;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Object, Type};

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
