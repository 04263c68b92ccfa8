//! The Connector's response envelopes: `{"result": …}` and
//! `{"error": {"code","message","id","time","docs"}}` (exactly these keys: clients validate them).

use chrono::Utc;
use domain::date::format_date;
use rand::Rng;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{KnownFormat, Object, SchemaFormat, Type};

use super::openapi::schemas::DATE_PATTERN;

const ERROR_ID_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const ERROR_DOCS: &str = "https://enmeshed.eu/integrate/error-codes#";

#[derive(Debug, Serialize)]
pub struct Success<T> {
    pub result: T,
}

/// Every error answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ErrorEnvelope)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    pub error: ErrorBody,
}

/// What went wrong; 5xx messages are generic, details are logged under `id`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// E.g. `error.runtime.validation.invalidPropertyValue`, or the Backbone's code.
    pub code: String,
    pub message: String,
    /// Names the error in the service's log.
    #[schema(pattern = "^ERR[A-HJ-NP-Z2-9]{17}$")]
    pub id: String,
    #[schema(schema_with = time)]
    pub time: String,
    #[schema(schema_with = docs)]
    pub docs: String,
}

fn time() -> Object {
    Object::builder()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .pattern(Some(DATE_PATTERN))
        .build()
}

fn docs() -> Object {
    Object::builder()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom("uri".into())))
        .pattern(Some(r"^https://enmeshed\.eu/integrate/error-codes#"))
        .description(Some("Where the code is explained."))
        .build()
}

/// A fresh error id: `ERR` + 17 unambiguous characters, naming one failure in the log.
pub fn new_error_id() -> String {
    let mut rng = rand::thread_rng();
    let suffix: String = (0..17)
        .map(|_| char::from(ERROR_ID_ALPHABET[rng.gen_range(0..ERROR_ID_ALPHABET.len())]))
        .collect();
    format!("ERR{suffix}")
}

impl Failure {
    /// The envelope of error `id` (see [`new_error_id`]), stamped now.
    pub fn new(id: &str, code: &str, message: &str) -> Self {
        Self {
            error: ErrorBody {
                code: code.to_owned(),
                message: message.to_owned(),
                id: id.to_owned(),
                time: format_date(Utc::now()),
                docs: format!("{ERROR_DOCS}{code}"),
            },
        }
    }
}
