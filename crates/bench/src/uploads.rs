//! The Files of a run: uploaded through `POST /api/v2/Files/Own` (the token scenarios' File and
//! the ones the download scenarios fetch), and removed again after each upload point.
//!
//! Why remove: `backbone-sim` runs without a state file, so it keeps every upload's content in
//! memory, up to 10 MiB each; a full run uploads thousands, tens of GiB. The connector's own
//! `DELETE /api/v2/Files/{id}` removes a File on the Backbone and locally, for the floor's
//! uploads too (they are rows of the same table).

use anyhow::{Context, Result, bail};
use diesel::{Connection, ExpressionMethods, PgConnection, QueryDsl, RunQueryDsl};

use crate::environment::API_KEY;

/// Content uploaded as one File.
pub struct Upload<'a> {
    pub content: Vec<u8>,
    pub filename: &'a str,
    pub mimetype: &'a str,
    pub title: &'a str,
}

/// Uploads `upload` to the connector at `base_url`; returns the File's id.
pub async fn upload(base_url: &str, upload: Upload<'_>) -> Result<String> {
    let file = reqwest::multipart::Part::bytes(upload.content)
        .file_name(upload.filename.to_owned())
        .mime_str(upload.mimetype)?;
    let form = reqwest::multipart::Form::new()
        .part("file", file)
        .text("title", upload.title.to_owned());
    let response = reqwest::Client::new()
        .post(format!("{base_url}/api/v2/Files/Own"))
        .header("X-API-KEY", API_KEY)
        .multipart(form)
        .send()
        .await?;
    let status = response.status();
    let body = response.text().await?;
    if status != reqwest::StatusCode::CREATED {
        bail!("{status}: {body}");
    }
    let answer: serde_json::Value = serde_json::from_str(&body)?;
    answer["result"]["id"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no result.id in {body}"))
}

/// Deletes every stored File but `keep` through the connector at `base_url`; returns how many.
pub fn remove_all_but(base_url: &str, database_url: &str, keep: &[String]) -> Result<usize> {
    use adapters_postgres::schema::files;
    let mut connection = PgConnection::establish(database_url)
        .with_context(|| format!("connecting to {database_url}"))?;
    let ids: Vec<String> = files::table
        .select(files::id)
        .filter(files::id.ne_all(keep))
        .load(&mut connection)
        .context("listing the uploaded Files")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = reqwest::Client::new();
        for id in &ids {
            let response = client
                .delete(format!("{base_url}/api/v2/Files/{id}"))
                .header("X-API-KEY", API_KEY)
                .send()
                .await?;
            if !response.status().is_success() {
                let status = response.status();
                bail!("deleting {id}: {status}: {}", response.text().await?);
            }
        }
        Ok(ids.len())
    })
}
