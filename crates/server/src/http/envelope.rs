//! The Connector's response envelopes: `{"result": …}` and
//! `{"error": {"code","message","id","time","docs"}}` (exactly these keys: clients validate them).

use chrono::Utc;
use domain::date::format_date;
use rand::Rng;
use serde::Serialize;

const ERROR_ID_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const ERROR_DOCS: &str = "https://enmeshed.eu/integrate/error-codes#";

#[derive(Debug, Serialize)]
pub struct Success<T> {
    pub result: T,
}

#[derive(Debug, Serialize)]
pub struct Failure {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    pub id: String,
    pub time: String,
    pub docs: String,
}

impl Failure {
    /// A fresh error with its own id (`ERR` + 17 unambiguous characters) and timestamp.
    pub fn new(code: &str, message: &str) -> Self {
        let mut rng = rand::thread_rng();
        let suffix: String = (0..17)
            .map(|_| char::from(ERROR_ID_ALPHABET[rng.gen_range(0..ERROR_ID_ALPHABET.len())]))
            .collect();
        Self {
            error: ErrorBody {
                code: code.to_owned(),
                message: message.to_owned(),
                id: format!("ERR{suffix}"),
                time: format_date(Utc::now()),
                docs: format!("{ERROR_DOCS}{code}"),
            },
        }
    }
}
