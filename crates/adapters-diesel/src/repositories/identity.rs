//! [`DieselIdentityRepository`]: this service's one identity in the `identity` table (at most
//! one row, enforced by a unique index on a constant), its secrets sealed under the secrets key
//! given at construction, and the engine's onboarding lock.

use std::fmt;
use std::sync::Arc;

use application::ports::{IdentityRepository, OnboardingLock, RepositoryError, StoredIdentity};
use async_trait::async_trait;
use chrono::Utc;
use diesel::dsl::{AsSelect, Eq, Filter, IsNull, Limit, Or, Select};
use diesel::prelude::*;
use diesel::query_builder::InsertStatement;
use diesel::query_dsl::LoadQuery;
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::SecretKey;

use super::Backend;
use crate::blocking::{self, Engine, WorkError};
use crate::pool::DieselPool;
use crate::rows::IdentityRow;
use crate::schema::identity;
use crate::sealed::SealingKey;

// The queries by type, for the `where` clause (owned values, as in the other repositories).
/// The stored identity, if any.
type FindIdentity<DB> = Limit<Select<identity::table, AsSelect<IdentityRow, DB>>>;
/// The stored identity's address, if any.
type StoredAddress = Limit<Select<identity::table, identity::address>>;
/// The rows a new identity may replace: its own address, or one not onboarded.
type DeleteReplaceable = diesel::dsl::delete<
    Filter<identity::table, Or<Eq<identity::address, String>, IsNull<identity::device_id>>>,
>;
/// The one `identity` row inserted.
type InsertIdentity =
    InsertStatement<identity::table, <IdentityRow as Insertable<identity::table>>::Values>;

/// The `identity` table behind the [`IdentityRepository`] port.
pub struct DieselIdentityRepository<E: Engine> {
    pool: DieselPool<E::Connection>,
    database_url: Arc<str>,
    key: Arc<SealingKey>,
}

impl<E: Engine> DieselIdentityRepository<E> {
    pub(crate) fn new(
        pool: DieselPool<E::Connection>,
        database_url: Arc<str>,
        secrets_key: &SecretKey,
    ) -> Self {
        Self {
            pool,
            database_url,
            key: Arc::new(SealingKey::new(secrets_key)),
        }
    }
}

impl<E: Engine> Clone for DieselIdentityRepository<E> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            database_url: Arc::clone(&self.database_url),
            key: Arc::clone(&self.key),
        }
    }
}

impl<E: Engine> fmt::Debug for DieselIdentityRepository<E> {
    // Neither the URL (a password) nor the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DieselIdentityRepository")
            .field("engine", &E::NAME)
            .finish_non_exhaustive()
    }
}

/// How a save ended when the database did not fail.
enum Saved {
    Stored,
    /// The one-row index refused the new row: this onboarded identity is stored.
    Refused(String),
}

#[async_trait]
impl<E> IdentityRepository for DieselIdentityRepository<E>
where
    E: Engine,
    for<'a> FindIdentity<Backend<E>>: LoadQuery<'a, E::Connection, IdentityRow>,
    for<'a> StoredAddress: LoadQuery<'a, E::Connection, String>,
    DeleteReplaceable: ExecuteDsl<E::Connection>,
    InsertIdentity: ExecuteDsl<E::Connection>,
{
    #[tracing::instrument(name = "find_identity", skip_all, fields(engine = E::NAME))]
    async fn find_identity(&self) -> Result<Option<StoredIdentity>, RepositoryError> {
        let row = blocking::run_repeatable::<E, _, _>(&self.pool, "identity", |connection| {
            Ok(identity::table
                .select(IdentityRow::as_select())
                .first(connection)
                .optional()?)
        })
        .await?;
        row.map(|row| row.into_domain(&self.key)).transpose()
    }

    /// One transaction: delete what the new row may replace (the same address, or an identity
    /// without device), then insert it. An onboarded identity with another address survives the
    /// delete, and the one-row index refuses the insert, so the refusal is the database's own
    /// and no race between instances can get past it.
    #[tracing::instrument(name = "save_identity", skip_all, fields(engine = E::NAME, address = %identity.address))]
    async fn save_identity(&self, identity: &StoredIdentity) -> Result<(), RepositoryError> {
        let row = IdentityRow::from_domain(identity, &self.key, Utc::now())?;
        let address = row.address.clone();
        let saved = blocking::run::<E, _, _>(&self.pool, &address, move |connection| {
            replace(connection, row)
        })
        .await?;
        match saved {
            Saved::Stored => Ok(()),
            Saved::Refused(stored) => Err(RepositoryError::Duplicate(stored)),
        }
    }

    /// The engine's lock ([`Engine::lock_onboarding`]), waited for on the blocking pool. If the
    /// caller stops waiting, the waiting thread still takes the lock and drops it at once.
    #[tracing::instrument(name = "lock_onboarding", skip_all, fields(engine = E::NAME))]
    async fn lock_onboarding(&self) -> Result<OnboardingLock, RepositoryError> {
        let database_url = Arc::clone(&self.database_url);
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(|| E::lock_onboarding(&database_url)))
            .await
            .map_err(|join_error| RepositoryError::Unexpected(Box::new(join_error)))?
    }
}

/// Deletes what `row` may replace and inserts it, in one transaction; see
/// [`DieselIdentityRepository::save_identity`].
fn replace<C>(connection: &mut C, row: IdentityRow) -> Result<Saved, WorkError>
where
    C: Connection,
    for<'a> StoredAddress: LoadQuery<'a, C, String>,
    DeleteReplaceable: ExecuteDsl<C>,
    InsertIdentity: ExecuteDsl<C>,
{
    let replaced = connection.transaction(|connection| {
        diesel::delete(
            identity::table.filter(
                identity::address
                    .eq(row.address.clone())
                    .or(identity::device_id.is_null()),
            ),
        )
        .execute(connection)?;
        diesel::insert_into(identity::table)
            .values(row)
            .execute(connection)
    });
    match replaced {
        Ok(_) => Ok(Saved::Stored),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) => {
            let stored: Option<String> = identity::table
                .select(identity::address)
                .first(connection)
                .optional()?;
            // None: the stored one was deleted meanwhile, by a save not holding the onboarding
            // lock; the port's callers hold it, so this does not happen.
            stored
                .map(Saved::Refused)
                .ok_or(WorkError::Query(DieselError::DatabaseError(
                    DatabaseErrorKind::UniqueViolation,
                    info,
                )))
        }
        Err(error) => Err(error.into()),
    }
}
