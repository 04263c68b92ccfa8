//! The floor: a minimal actix-web service doing only the I/O a token request cannot avoid, so
//! the connector's overhead is what it spends beyond this.
//!
//! - `POST /floor/s1/{fileId}`: one indexed SELECT of the File row, one POST of a fixed, valid
//!   token body to the Backbone with a bearer obtained once at start, a fixed JSON answer of the
//!   connector's size.
//! - `POST /floor/s2/{fileId}`: the same, then the token id from the Backbone's answer and one
//!   INSERT of a token row.
//! - `POST /floor/upload`, `GET /floor/download/{id}`: the file scenarios' floor ([`file_routes`]).
//!
//! Same shape as `connector`: a multi-threaded tokio runtime, actix-web's default worker count,
//! one reqwest client and one diesel r2d2 pool (the connector's size and timeouts) shared by all
//! workers, queries on tokio's blocking pool. Its pool never runs r2d2's `SELECT 1` test on
//! checkout (`--test-on-check-out` turns it on), so the floor really is one statement per query;
//! the connector's pool skips the test for connections heard from within 500 ms, which under
//! load is all of them.

mod file_routes;

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use clap::Args;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::{ExpressionMethods, PgConnection, QueryDsl, RunQueryDsl};
use domain::crypto::NONCE_LEN;
use domain::{DeviceId, IdentityAddress, SecretKey, SigningKeyPair, TokenContentFile};
use serde::Deserialize;

type PgPool = Pool<ConnectionManager<PgConnection>>;

// The repositories' own tables. Queries through diesel's query builder are prepared once per
// connection and cached, as the repositories' are; `sql_query` would be prepared anew each time
// (a second round trip).
use adapters_postgres::schema::{files, tokens};
// The shared schema's column types: what the repositories bind for `json` and `timestamptz`.
use adapters_postgres::sql_types::Decoded;

/// A 201 body of the connector's size for an ephemeral token (v6 shape).
const ANSWER: &str = r#"{"result":{"id":"TOKaaaaaaaaaaaaaaaaa","createdBy":"did:e:localhost:dids:0000000000000000000194","createdByDevice":"DVCdemo0000000000001","createdAt":"2025-01-01T00:00:00.000Z","expiresAt":"2026-01-01T00:00:00.000Z","content":{"@type":"TokenContentFile","fileId":"FILaaaaaaaaaaaaaaaaa","secretKey":{"@type":"CryptoSecretKey","algorithm":3,"secretKey":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}},"isEphemeral":true,"secretKey":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","truncatedReference":"VE9LYWFhYWFhYWFhYWFhYWFhYWFhfDN8YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYXx8fHx8","reference":{"truncated":"VE9LYWFhYWFhYWFhYWFhYWFhYWFhfDN8YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYXx8fHx8","url":"http://127.0.0.1:8090/r/TOKaaaaaaaaaaaaaaaaa#VE9LYWFhYWFhYWFhYWFhYWFhYWFhfDN8YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYXx8fHx8"}}}"#;

/// `bench floor-server`: what the floor needs to know; the bench passes it.
#[derive(Debug, Clone, Args)]
pub struct FloorArgs {
    #[arg(long)]
    pub port: u16,
    #[arg(long)]
    pub database_url: String,
    #[arg(long, default_value_t = adapters_postgres::DEFAULT_MAX_POOL_SIZE)]
    pub pool_size: u32,
    #[arg(long)]
    pub backbone_url: String,
    #[arg(long)]
    pub client_id: String,
    #[arg(long)]
    pub client_secret: String,
    #[arg(long)]
    pub device_username: String,
    #[arg(long)]
    pub device_password: String,
    #[arg(long)]
    pub device_address: String,
    #[arg(long)]
    pub device_id: String,
    #[arg(long)]
    pub file_id: String,
    /// Test every connection on checkout with `SELECT 1`, as r2d2 does by default.
    #[arg(long)]
    pub test_on_check_out: bool,
}

struct Floor {
    pool: PgPool,
    http: reqwest::Client,
    tokens_url: String,
    bearer: String,
    body: web::Bytes,
    row: TokenRow,
    files: file_routes::FileFloor,
}

/// The columns of a stored token that the floor fills (the password ones stay NULL).
#[derive(Clone)]
struct TokenRow {
    created_by: String,
    created_by_device: String,
    content: Decoded<serde_json::Value>,
    created_at: Decoded<DateTime<Utc>>,
    expires_at: Decoded<DateTime<Utc>>,
    secret_key: Vec<u8>,
}

#[derive(Deserialize)]
struct Created {
    result: CreatedId,
}

#[derive(Deserialize)]
struct CreatedId {
    id: String,
}

impl Floor {
    /// Runs `work` with a pooled connection on the blocking pool, as `adapters-postgres` does.
    async fn query<F>(&self, work: F) -> Result<usize, StatusCode>
    where
        F: FnOnce(&mut PgConnection) -> diesel::QueryResult<usize> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut connection = pool
                .get()
                .map_err(|e| failed("pool checkout", &e, StatusCode::SERVICE_UNAVAILABLE))?;
            work(&mut connection)
                .map_err(|e| failed("query", &e, StatusCode::INTERNAL_SERVER_ERROR))
        })
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
    }

    async fn create(&self, file_id: &str, store: bool) -> Result<(), StatusCode> {
        let id = file_id.to_owned();
        let found = self
            .query(move |c| files::table.find(id).select(files::all_columns).execute(c))
            .await?;
        if found != 1 {
            return Err(StatusCode::NOT_FOUND);
        }
        let response = self
            .http
            .post(&self.tokens_url)
            .header(reqwest::header::AUTHORIZATION, &self.bearer)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(self.body.clone())
            .send()
            .await
            .map_err(|error| failed("POST to the Backbone", &error, StatusCode::BAD_GATEWAY))?;
        if response.status() != reqwest::StatusCode::CREATED {
            let status = response.status();
            return Err(failed(
                "the Backbone answered",
                &status,
                StatusCode::BAD_GATEWAY,
            ));
        }
        let answer = response
            .bytes()
            .await
            .map_err(|_| StatusCode::BAD_GATEWAY)?;
        if store {
            let created: Created =
                serde_json::from_slice(&answer).map_err(|_| StatusCode::BAD_GATEWAY)?;
            let row = self.row.clone();
            self.query(move |c| {
                diesel::insert_into(tokens::table)
                    .values((
                        tokens::id.eq(created.result.id),
                        tokens::created_by.eq(row.created_by),
                        tokens::created_by_device.eq(row.created_by_device),
                        tokens::content.eq(row.content),
                        tokens::created_at.eq(row.created_at),
                        tokens::expires_at.eq(row.expires_at),
                        tokens::secret_key.eq(row.secret_key),
                        tokens::is_own.eq(true),
                    ))
                    .execute(c)
            })
            .await?;
        }
        Ok(())
    }
}

/// Logs why a floor request failed (the bench counts the failures; the log says why).
fn failed(what: &str, error: &dyn std::fmt::Display, status: StatusCode) -> StatusCode {
    eprintln!("floor: {what} failed: {error}");
    status
}

async fn answer(floor: &Floor, file_id: &str, store: bool) -> HttpResponse {
    match floor.create(file_id, store).await {
        Ok(()) => HttpResponse::Created()
            .content_type("application/json")
            .body(ANSWER),
        Err(status) => HttpResponse::build(status).finish(),
    }
}

async fn s1(floor: web::Data<Floor>, id: web::Path<String>, _body: web::Bytes) -> HttpResponse {
    answer(&floor, &id, false).await
}

async fn s2(floor: web::Data<Floor>, id: web::Path<String>, _body: web::Bytes) -> HttpResponse {
    answer(&floor, &id, true).await
}

/// Runs the floor until SIGTERM.
pub fn serve(args: FloorArgs) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("starting tokio")?;
    runtime.block_on(async move {
        let floor = web::Data::new(prepare(&args).await?);
        HttpServer::new(move || {
            App::new()
                .app_data(floor.clone())
                .route("/floor/s1/{id}", web::post().to(s1))
                .route("/floor/s2/{id}", web::post().to(s2))
                .route("/floor/upload", web::post().to(file_routes::upload))
                .route("/floor/download/{id}", web::get().to(file_routes::download))
        })
        .bind(("127.0.0.1", args.port))
        .with_context(|| format!("binding port {}", args.port))?
        .run()
        .await
        .context("serving")
    })
}

async fn prepare(args: &FloorArgs) -> Result<Floor> {
    let pool = Pool::builder()
        .max_size(args.pool_size)
        .min_idle(Some(adapters_postgres::DEFAULT_MIN_IDLE))
        .connection_timeout(adapters_postgres::DEFAULT_CONNECTION_TIMEOUT)
        .test_on_check_out(args.test_on_check_out)
        .build(ConnectionManager::new(args.database_url.clone()))
        .context("opening the floor's pool")?;
    // The connector's repository, for the file scenarios' one INSERT or SELECT of a File row.
    let repository = adapters_postgres::PgDatabase::new(&adapters_postgres::PgConfig::new(
        args.database_url.clone(),
    ))?
    .file_repository();
    let file = application::ports::FileRepository::find_file(
        &repository,
        &domain::FileId::parse(&args.file_id)?,
    )
    .await?
    .context("the floor's File is not stored")?;
    let http = reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(30))
        .build()?;
    let base = args.backbone_url.trim_end_matches('/');
    let access_token = login(&http, base, args).await?;

    let secret_key = SecretKey::from_bytes([7; domain::crypto::SECRET_KEY_LEN]);
    let content = TokenContentFile {
        file_id: file.id.clone(),
        secret_key: file.secret_key.clone(),
    };
    let body = serde_json::json!({
        "content": content.encrypt(&secret_key, [9; NONCE_LEN]).to_backbone_content(),
        "expiresAt": domain::date::format_date(file.expires_at),
    });
    let row = TokenRow {
        created_by: args.device_address.clone(),
        created_by_device: args.device_id.clone(),
        content: Decoded::new(serde_json::to_value(&content)?),
        created_at: Decoded::new(domain::date::truncate_to_millis(Utc::now())),
        expires_at: Decoded::new(file.expires_at),
        secret_key: secret_key.as_bytes().to_vec(),
    };
    Ok(Floor {
        pool,
        http,
        tokens_url: format!("{base}/api/v2/Tokens"),
        bearer: format!("Bearer {access_token}"),
        body: serde_json::to_vec(&body)?.into(),
        row,
        files: file_routes::FileFloor {
            repository,
            files_url: format!("{base}/api/v2/Files"),
            // The simulator does not verify owner signatures; any device key signs as fast.
            device_key: SigningKeyPair::from_seed([8; 32]),
            owner: IdentityAddress::parse(&args.device_address)?,
            device: DeviceId::parse(&args.device_id)?,
        },
    })
}

async fn login(http: &reqwest::Client, base: &str, args: &FloorArgs) -> Result<String> {
    #[derive(Deserialize)]
    struct Login {
        access_token: String,
    }
    let response = http
        .post(format!("{base}/connect/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", &args.client_id),
            ("client_secret", &args.client_secret),
            ("username", &args.device_username),
            ("password", &args.device_password),
        ])
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("the floor's login was refused: {}", response.status());
    }
    Ok(response.json::<Login>().await?.access_token)
}
