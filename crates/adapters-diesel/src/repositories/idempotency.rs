//! [`DieselIdempotencyRepository`]: idempotency keys in the `idempotency_keys` table, claimed
//! with `INSERT … ON CONFLICT DO NOTHING` so that of concurrent claims, on any instance, the
//! database lets exactly one in.

use std::fmt;

use application::ports::{
    ClaimId, ClaimOutcome, ClaimOwner, IdempotencyRepository, NewClaim, RepositoryError,
    StoredAnswer,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::dsl::{And, AsSelect, Eq, Filter, IsNull, Limit, Lt, Select, Update};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::query_dsl::LoadQuery;
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::sqlite::SqliteConnection;

use super::Backend;
use crate::blocking::{self, Engine, WorkError};
use crate::pool::DieselPool;
use crate::rows::{AnswerColumns, IdempotencyRow, OwnerColumns};
use crate::schema::idempotency_keys as keys;
use crate::sql_types::Decoded;

// The queries by type, for the `where` clause (owned values, as in the other repositories).
/// Instants as bound.
type Instant = Decoded<DateTime<Utc>>;
/// The row of one key of one scope.
type ThisKey = And<Eq<keys::scope, String>, Eq<keys::idempotency_key, String>>;
/// That row while `owner` holds it unanswered.
type HeldBy = And<ThisKey, And<Eq<keys::owner, String>, IsNull<keys::status>>>;
/// The claim on a key, if any.
type FindClaim<DB> = Limit<Select<Filter<keys::table, ThisKey>, AsSelect<IdempotencyRow, DB>>>;
/// A key's row if it expired.
type DeleteExpiredKey =
    diesel::dsl::delete<Filter<keys::table, And<ThisKey, Lt<keys::created_at, Instant>>>>;
/// Every expired row.
type DeleteExpired = diesel::dsl::delete<Filter<keys::table, Lt<keys::created_at, Instant>>>;
/// A claim released by its holder.
type DeleteHeld = diesel::dsl::delete<Filter<keys::table, HeldBy>>;
/// A claim handed over.
type TakeOver = Update<Filter<keys::table, HeldBy>, OwnerColumns>;
/// An answer kept.
type Complete = Update<Filter<keys::table, HeldBy>, AnswerColumns>;

/// How often a claim is tried when the row it met vanishes before it is read (its holder
/// released it in between); more than twice in a row means something else is wrong.
const CLAIM_ATTEMPTS: usize = 3;

/// Inserts a claim unless the key is held: diesel names no type for an `ON CONFLICT` insert,
/// so this cannot be a bound of the `where` clause like the other queries; each engine's
/// connection implements it instead, with the same statement.
pub trait InsertClaim {
    /// Inserts `row` unless its key is taken; returns the rows inserted (0 or 1).
    ///
    /// # Errors
    /// The driver's.
    fn insert_claim(&mut self, row: IdempotencyRow) -> QueryResult<usize>;
}

macro_rules! insert_claim_on {
    ($($connection:ty),*) => {$(
        impl InsertClaim for $connection {
            fn insert_claim(&mut self, row: IdempotencyRow) -> QueryResult<usize> {
                diesel::insert_into(keys::table)
                    .values(row)
                    .on_conflict_do_nothing()
                    .execute(self)
            }
        }
    )*};
}

insert_claim_on!(PgConnection, SqliteConnection);

/// The `idempotency_keys` table behind the [`IdempotencyRepository`] port.
pub struct DieselIdempotencyRepository<E: Engine> {
    pool: DieselPool<E::Connection>,
}

impl<E: Engine> DieselIdempotencyRepository<E> {
    pub(crate) fn new(pool: DieselPool<E::Connection>) -> Self {
        Self { pool }
    }
}

impl<E: Engine> Clone for DieselIdempotencyRepository<E> {
    fn clone(&self) -> Self {
        Self::new(self.pool.clone())
    }
}

impl<E: Engine> fmt::Debug for DieselIdempotencyRepository<E> {
    // The pool's `Debug` would print the connection URL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DieselIdempotencyRepository")
            .field("engine", &E::NAME)
            .finish_non_exhaustive()
    }
}

fn this_key(id: &ClaimId) -> ThisKey {
    keys::scope
        .eq(id.scope.clone())
        .and(keys::idempotency_key.eq(id.key.as_str().to_owned()))
}

fn held_by(id: &ClaimId, owner: &ClaimOwner) -> HeldBy {
    this_key(id).and(keys::owner.eq(owner.0.clone()).and(keys::status.is_null()))
}

/// What the log and a duplicate name the claim by: the scope, never the client's key.
fn subject(id: &ClaimId) -> String {
    format!("idempotency key of {}", id.scope)
}

#[async_trait]
impl<E> IdempotencyRepository for DieselIdempotencyRepository<E>
where
    E: Engine,
    E::Connection: InsertClaim,
    for<'a> FindClaim<Backend<E>>: LoadQuery<'a, E::Connection, IdempotencyRow>,
    DeleteExpiredKey: ExecuteDsl<E::Connection>,
    DeleteExpired: ExecuteDsl<E::Connection>,
    DeleteHeld: ExecuteDsl<E::Connection>,
    TakeOver: ExecuteDsl<E::Connection>,
    Complete: ExecuteDsl<E::Connection>,
{
    /// Removes the key's row if expired, inserts the claim unless the key is held, and reads
    /// the holder's row otherwise. Not one transaction, nor need it be: the insert alone decides
    /// who holds the key, and a row released between the insert and the read is claimed anew.
    #[tracing::instrument(name = "claim_idempotency_key", skip_all, fields(engine = E::NAME, scope = %claim.id.scope))]
    async fn claim(
        &self,
        claim: &NewClaim,
        expired_before: DateTime<Utc>,
    ) -> Result<ClaimOutcome, RepositoryError> {
        let row = IdempotencyRow::claimed(claim);
        let id = claim.id.clone();
        let expired_before = Decoded::new(expired_before);
        // Not repeated on a lost connection: the claim may have been made before the loss, and
        // a repeat would find it held by this very request.
        let found = blocking::run::<E, _, _>(&self.pool, &subject(&id), move |connection| {
            diesel::delete(
                keys::table.filter(this_key(&id).and(keys::created_at.lt(expired_before))),
            )
            .execute(connection)?;
            for _ in 0..CLAIM_ATTEMPTS {
                if connection.insert_claim(row.clone())? == 1 {
                    return Ok(None);
                }
                let held = keys::table
                    .filter(this_key(&id))
                    .select(IdempotencyRow::as_select())
                    .first(connection)
                    .optional()?;
                if held.is_some() {
                    return Ok(held);
                }
            }
            Err(WorkError::Other(
                "the idempotency key was released again and again while being claimed".into(),
            ))
        })
        .await?;
        match found {
            None => Ok(ClaimOutcome::Claimed),
            Some(row) => row.into_domain().map(ClaimOutcome::Held),
        }
    }

    #[tracing::instrument(name = "take_over_idempotency_key", skip_all, fields(engine = E::NAME, scope = %id.scope))]
    async fn take_over(
        &self,
        id: &ClaimId,
        from: &ClaimOwner,
        to: &ClaimOwner,
        now: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let (target, changes) = (held_by(id, from), OwnerColumns::new(to, now));
        blocking::run::<E, _, _>(&self.pool, &subject(id), move |connection| {
            Ok(diesel::update(keys::table.filter(target))
                .set(changes)
                .execute(connection)?
                == 1)
        })
        .await
    }

    #[tracing::instrument(name = "complete_idempotency_key", skip_all, fields(engine = E::NAME, scope = %id.scope))]
    async fn complete(
        &self,
        id: &ClaimId,
        owner: &ClaimOwner,
        answer: &StoredAnswer,
    ) -> Result<bool, RepositoryError> {
        let (target, changes) = (held_by(id, owner), AnswerColumns::from_domain(answer)?);
        blocking::run::<E, _, _>(&self.pool, &subject(id), move |connection| {
            Ok(diesel::update(keys::table.filter(target))
                .set(changes)
                .execute(connection)?
                == 1)
        })
        .await
    }

    #[tracing::instrument(name = "release_idempotency_key", skip_all, fields(engine = E::NAME, scope = %id.scope))]
    async fn release(&self, id: &ClaimId, owner: &ClaimOwner) -> Result<(), RepositoryError> {
        let target = held_by(id, owner);
        blocking::run::<E, _, _>(&self.pool, &subject(id), move |connection| {
            diesel::delete(keys::table.filter(target)).execute(connection)?;
            Ok(())
        })
        .await
    }

    #[tracing::instrument(name = "purge_idempotency_keys", skip_all, fields(engine = E::NAME))]
    async fn purge(&self, created_before: DateTime<Utc>) -> Result<u64, RepositoryError> {
        let created_before = Decoded::new(created_before);
        let purged = blocking::run::<E, _, _>(&self.pool, "idempotency keys", move |connection| {
            Ok(
                diesel::delete(keys::table.filter(keys::created_at.lt(created_before)))
                    .execute(connection)?,
            )
        })
        .await?;
        Ok(u64::try_from(purged).unwrap_or(u64::MAX))
    }
}
