//! The onboarding lock on PostgreSQL: a session-level `pg_advisory_lock` on a connection of its
//! own, so every instance sharing the database onboards one after the other.
//!
//! The connection is not the pool's: a pooled connection goes back to the pool when its unit of
//! work ends, and would keep the session lock there, held by nobody who knows. So the lock owns
//! its connection, and dropping it closes the connection, which ends the session and with it
//! the lock; a process that dies closes it too (the server sees the socket close). Only a
//! machine that vanishes without closing its sockets keeps the lock until the server's TCP
//! keepalive gives up on the session.
//!
//! Waiting is bounded only by the other holder: the session turns off the server's statement,
//! lock and idle timeouts, which would otherwise fail the wait or end the session (and silently
//! free the lock) while onboarding talks to the Backbone. Connecting waits as libpq does (the
//! URL's `connect_timeout`, if it sets one); a refused connection fails at once.

use std::sync::Mutex;

use adapters_diesel::blocking::map_diesel_error;
use application::ports::{OnboardingLock, RepositoryError};
use diesel::connection::SimpleConnection;
use diesel::result::ConnectionError;
use diesel::sql_types::BigInt;
use diesel::{Connection, PgConnection, RunQueryDsl};

use crate::blocking::Postgres;

/// Every instance of the service must agree on this key; the value is ASCII "tok4idnt".
/// Advisory locks are per database, so instances on other databases of the server never wait.
pub(crate) const ONBOARDING_LOCK_KEY: i64 = 0x746f_6b34_6964_6e74;

/// The server settings that could end the wait or the session; those this server has are set
/// to 0 (no limit) for the session (`idle_session_timeout` exists from PostgreSQL 14 on).
const NO_TIMEOUTS: &str = "SELECT set_config(name, '0', false) FROM pg_settings WHERE name IN \
     ('statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', \
     'idle_session_timeout')";

/// The session holding the lock; dropping it closes the connection. In a `Mutex` only because
/// a lock must be `Sync` and a connection is not; nothing ever locks it.
struct Session {
    _connection: Mutex<PgConnection>,
}

/// Opens a connection to `url`, waits for the advisory lock on it and returns both as the lock.
pub(crate) fn lock_onboarding(url: &str) -> Result<OnboardingLock, RepositoryError> {
    let mut connection = PgConnection::establish(url).map_err(connection_error)?;
    connection
        .batch_execute(NO_TIMEOUTS)
        .map_err(|error| map_diesel_error::<Postgres>(error, "onboarding lock"))?;
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(ONBOARDING_LOCK_KEY)
        .execute(&mut connection)
        .map_err(|error| map_diesel_error::<Postgres>(error, "onboarding lock"))?;
    tracing::debug!("onboarding lock taken");
    Ok(OnboardingLock::new(Session {
        _connection: Mutex::new(connection),
    }))
}

/// libpq could not connect (refused, unknown host, authentication): the database cannot be
/// reached. libpq's messages name host and user, never the password.
fn connection_error(error: ConnectionError) -> RepositoryError {
    match error {
        ConnectionError::BadConnection(_) => RepositoryError::Unavailable(Box::new(error)),
        other => RepositoryError::Unexpected(Box::new(other)),
    }
}
