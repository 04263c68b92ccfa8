//! The connection pool: r2d2 over diesel's connection manager, without a `SELECT 1` round trip
//! before every query.
//!
//! r2d2 tests each connection it hands out, and diesel's test is `SELECT 1`: under load one
//! extra round trip per query, a third of S1's and S2's throughput (docs/benchmarks.md). Without
//! a test, every connection the server ended (restart, failover, `pg_terminate_backend`) would
//! be handed out and fail one query before diesel found it broken: after a restart, up to one
//! failed request per pooled connection. So, as HikariCP does with its "alive bypass window":
//! - a connection that had an answer from the server within [`ALIVE_BYPASS_WINDOW`] is handed
//!   out untested, unless some connection of the pool was lost since;
//! - a connection that was lost (the statement could not be sent or the server closed it) is
//!   discarded when it goes back, and makes the pool test every connection not heard from since;
//! - [`crate::blocking::run_repeatable`] repeats a read once on another connection when its
//!   connection was lost, so a server that ended the pool's connections costs no read.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::r2d2::{ConnectionManager, ManageConnection, Pool, R2D2Connection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::blocking::WorkError;

/// How recently a connection must have had an answer to be handed out untested (HikariCP's
/// default). Under load every pooled connection is used far more often than this.
pub const ALIVE_BYPASS_WINDOW: Duration = Duration::from_millis(500);

/// A pool of `C` connections as this module describes.
pub type DieselPool<C> = Pool<CheckedConnections<C>>;

/// Whether a query error means the connection itself is gone: nothing sent on it will work.
pub fn is_connection_lost(error: &DieselError) -> bool {
    matches!(
        error,
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        )
    )
}

/// diesel's r2d2 manager, testing on checkout only connections not known to be alive.
pub struct CheckedConnections<C: R2D2Connection + 'static> {
    manager: ConnectionManager<C>,
    lost_connections: Arc<AtomicU64>,
}

impl<C: R2D2Connection + 'static> CheckedConnections<C> {
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            manager: ConnectionManager::new(database_url),
            lost_connections: Arc::default(),
        }
    }
}

impl<C: R2D2Connection + 'static> std::fmt::Debug for CheckedConnections<C> {
    // diesel's manager would print the database URL, password included.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedConnections")
            .field("lost_connections", &self.lost_connections)
            .finish_non_exhaustive()
    }
}

impl<C: R2D2Connection + Send + 'static> ManageConnection for CheckedConnections<C> {
    type Connection = TrackedConnection<C>;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Self::Connection, Self::Error> {
        Ok(TrackedConnection {
            connection: self.manager.connect()?,
            last_answer: None,
            lost: false,
            lost_connections: Arc::clone(&self.lost_connections),
        })
    }

    fn is_valid(&self, tracked: &mut Self::Connection) -> Result<(), Self::Error> {
        if tracked.is_known_alive(Instant::now()) {
            return Ok(());
        }
        self.manager.is_valid(&mut tracked.connection)?;
        tracked.answered();
        Ok(())
    }

    fn has_broken(&self, tracked: &mut Self::Connection) -> bool {
        tracked.lost || self.manager.has_broken(&mut tracked.connection)
    }
}

/// A pooled connection with what the pool knows of its health.
pub struct TrackedConnection<C> {
    connection: C,
    /// When the server last answered on it, and how many connections of the pool were lost
    /// by then.
    last_answer: Option<(Instant, u64)>,
    lost: bool,
    lost_connections: Arc<AtomicU64>,
}

impl<C> TrackedConnection<C> {
    /// Runs `work` on the connection and remembers what its outcome says about the connection.
    pub(crate) fn run<T>(
        &mut self,
        work: impl FnOnce(&mut C) -> Result<T, WorkError>,
    ) -> Result<T, WorkError> {
        let outcome = work(&mut self.connection);
        match &outcome {
            // Any answer, a constraint violation too, shows the connection works.
            Ok(_) => self.answered(),
            Err(WorkError::Query(error)) if is_connection_lost(error) => self.mark_lost(),
            Err(WorkError::Query(_)) => self.answered(),
            // Not a query error (a migration's): says nothing either way.
            Err(WorkError::Other(_)) => {}
        }
        outcome
    }

    fn answered(&mut self) {
        self.last_answer = Some((
            Instant::now(),
            self.lost_connections.load(Ordering::Acquire),
        ));
    }

    fn mark_lost(&mut self) {
        self.lost = true;
        self.lost_connections.fetch_add(1, Ordering::AcqRel);
    }

    fn is_known_alive(&self, now: Instant) -> bool {
        self.last_answer.is_some_and(|(at, lost_by_then)| {
            now.saturating_duration_since(at) < ALIVE_BYPASS_WINDOW
                && lost_by_then == self.lost_connections.load(Ordering::Acquire)
        })
    }
}

impl<C> std::fmt::Debug for TrackedConnection<C> {
    // diesel's connections have no `Debug`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackedConnection")
            .field("last_answer", &self.last_answer)
            .field("lost", &self.lost)
            .finish_non_exhaustive()
    }
}

/// For connection customizers (SQLite's pragmas), which see the pooled connection.
impl<C> Deref for TrackedConnection<C> {
    type Target = C;

    fn deref(&self) -> &C {
        &self.connection
    }
}

impl<C> DerefMut for TrackedConnection<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.connection
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracked(lost_connections: &Arc<AtomicU64>) -> TrackedConnection<()> {
        TrackedConnection {
            connection: (),
            last_answer: None,
            lost: false,
            lost_connections: Arc::clone(lost_connections),
        }
    }

    fn lost_error() -> WorkError {
        WorkError::Query(DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection,
            Box::new("server closed the connection unexpectedly".to_owned()),
        ))
    }

    fn answered_error() -> WorkError {
        WorkError::Query(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new("duplicate key".to_owned()),
        ))
    }

    #[test]
    fn a_connection_is_known_alive_only_shortly_after_an_answer() {
        let pool = Arc::default();
        let mut connection = tracked(&pool);
        let now = Instant::now();
        assert!(!connection.is_known_alive(now), "never used: test it");

        connection.run(|()| Ok(())).unwrap();
        assert!(connection.is_known_alive(Instant::now()));
        assert!(!connection.is_known_alive(Instant::now() + ALIVE_BYPASS_WINDOW));

        connection
            .run(|()| -> Result<(), _> { Err(answered_error()) })
            .unwrap_err();
        assert!(
            connection.is_known_alive(Instant::now()),
            "the server answered"
        );
        assert!(!connection.lost);
    }

    #[test]
    fn a_lost_connection_is_discarded_and_makes_the_others_be_tested() {
        let pool = Arc::default();
        let mut healthy = tracked(&pool);
        let mut failing = tracked(&pool);
        healthy.run(|()| Ok(())).unwrap();
        failing.run(|()| Ok(())).unwrap();

        failing
            .run(|()| -> Result<(), _> { Err(lost_error()) })
            .unwrap_err();

        assert!(failing.lost);
        assert!(!healthy.lost);
        assert!(!healthy.is_known_alive(Instant::now()), "possibly lost too");
        healthy.run(|()| Ok(())).unwrap();
        assert!(healthy.is_known_alive(Instant::now()), "answered since");
    }

    #[test]
    fn errors_other_than_queries_say_nothing_about_the_connection() {
        let pool = Arc::default();
        let mut connection = tracked(&pool);
        connection
            .run(|()| -> Result<(), _> { Err(WorkError::Other("migration failed".into())) })
            .unwrap_err();
        assert!(!connection.lost);
        assert!(!connection.is_known_alive(Instant::now()));
    }
}
