//! A fresh PostgreSQL database per bench run, dropped when the run ends.

use anyhow::{Context, Result};
use diesel::{Connection, PgConnection, RunQueryDsl};

/// A database created for this run; dropped (connections terminated) on drop.
#[derive(Debug)]
pub struct BenchDatabase {
    server_url: String,
    name: String,
}

impl BenchDatabase {
    /// Creates `bench_<pid>_<unix seconds>` on the server at `server_url`
    /// (`postgres://user@host:port`, no database).
    pub fn create(server_url: &str) -> Result<Self> {
        let name = format!(
            "bench_{}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp()
        );
        let mut admin = admin_connection(server_url)?;
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .with_context(|| format!("creating database {name}"))?;
        Ok(Self {
            server_url: server_url.to_owned(),
            name,
        })
    }

    pub fn url(&self) -> String {
        format!("{}/{}", self.server_url, self.name)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for BenchDatabase {
    fn drop(&mut self) {
        let dropped = admin_connection(&self.server_url).and_then(|mut admin| {
            diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin)
            .context("dropping the bench database")
        });
        if let Err(error) = dropped {
            eprintln!("bench: could not drop database {}: {error:#}", self.name);
        }
    }
}

fn admin_connection(server_url: &str) -> Result<PgConnection> {
    let url = format!("{server_url}/postgres");
    PgConnection::establish(&url).with_context(|| format!("connecting to {server_url}/postgres"))
}
