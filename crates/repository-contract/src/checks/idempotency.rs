//! `IdempotencyRepository`: one claimant per key (concurrent ones included), keys scoped by the
//! API key, answers kept byte for byte, only the holder completes or releases, takeovers change
//! hands, and expired keys are claimed anew and purged.

use application::ports::{
    ClaimId, ClaimOutcome, ClaimOwner, ExistingClaim, NewClaim, StoredAnswer,
};
use chrono::{DateTime, TimeDelta, Utc};
use domain::{IdempotencyKey, RequestFingerprint};

use crate::fixtures::time;
use crate::{Store, Tamper};

fn claim_id(scope: &str, key: &str) -> ClaimId {
    ClaimId {
        scope: scope.to_owned(),
        key: IdempotencyKey::parse(key.as_bytes()).expect("a valid key"),
    }
}

fn fingerprint() -> RequestFingerprint {
    RequestFingerprint::of("POST", "/api/v2/Files/Own", b"the body")
}

fn owner(name: &str) -> ClaimOwner {
    ClaimOwner(name.to_owned())
}

fn new_claim(id: &ClaimId, by: &str, now: DateTime<Utc>) -> NewClaim {
    NewClaim {
        id: id.clone(),
        fingerprint: fingerprint(),
        owner: owner(by),
        now,
    }
}

/// Long before any claim of these checks: nothing counts as expired.
fn long_ago() -> DateTime<Utc> {
    time("2000-01-01T00:00:00Z")
}

fn now() -> DateTime<Utc> {
    time("2026-12-04T12:00:00.123456Z")
}

/// Every byte value, and headers whose order matters.
fn answer() -> StoredAnswer {
    StoredAnswer {
        status: 201,
        headers: vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("location".to_owned(), "_".to_owned()),
            ("x-repeated".to_owned(), "b".to_owned()),
            ("x-repeated".to_owned(), "a".to_owned()),
        ],
        body: (0..=255).collect(),
    }
}

async fn held(store: &dyn Store, id: &ClaimId, by: &str) -> ExistingClaim {
    match store
        .idempotency()
        .claim(&new_claim(id, by, now()), long_ago())
        .await
        .expect("claimed")
    {
        ClaimOutcome::Held(held) => held,
        ClaimOutcome::Claimed => panic!("the key was free"),
    }
}

pub async fn a_new_key_is_claimed_once_and_then_found_held(store: &dyn Store) {
    let repository = store.idempotency();
    let id = claim_id("apiKey", "first-key");

    let first = repository
        .claim(&new_claim(&id, "first", now()), long_ago())
        .await
        .expect("claimed");

    assert_eq!(first, ClaimOutcome::Claimed);
    assert_eq!(
        held(store, &id, "second").await,
        ExistingClaim {
            fingerprint: fingerprint(),
            owner: owner("first"),
            claimed_at: now(),
            answer: None,
        }
    );
}

pub async fn a_kept_answer_reads_back_unchanged(store: &dyn Store) {
    let repository = store.idempotency();
    let id = claim_id("apiKey", "answered");
    repository
        .claim(&new_claim(&id, "first", now()), long_ago())
        .await
        .expect("claimed");

    let kept = repository
        .complete(&id, &owner("first"), &answer())
        .await
        .expect("kept");

    assert!(kept);
    assert_eq!(held(store, &id, "second").await.answer, Some(answer()));
}

pub async fn keys_are_scoped_by_api_key_and_compared_exactly(store: &dyn Store) {
    let repository = store.idempotency();
    repository
        .claim(
            &new_claim(&claim_id("apiKey", "shared"), "a", now()),
            long_ago(),
        )
        .await
        .expect("claimed");

    for other in [claim_id("other", "shared"), claim_id("apiKey", "SHARED")] {
        assert_eq!(
            repository
                .claim(&new_claim(&other, "b", now()), long_ago())
                .await
                .expect("claimed"),
            ClaimOutcome::Claimed,
            "{other:?}"
        );
    }
}

pub async fn only_the_holder_completes_or_releases_an_unanswered_claim(store: &dyn Store) {
    let repository = store.idempotency();
    let id = claim_id("apiKey", "held");
    repository
        .claim(&new_claim(&id, "holder", now()), long_ago())
        .await
        .expect("claimed");

    assert!(
        !repository
            .complete(&id, &owner("stranger"), &answer())
            .await
            .expect("the store answers")
    );
    repository
        .release(&id, &owner("stranger"))
        .await
        .expect("the store answers");
    assert_eq!(held(store, &id, "x").await.owner, owner("holder"));

    assert!(
        repository
            .complete(&id, &owner("holder"), &answer())
            .await
            .expect("the store answers")
    );
    let other = StoredAnswer {
        status: 200,
        ..answer()
    };
    assert!(
        !repository
            .complete(&id, &owner("holder"), &other)
            .await
            .expect("the store answers"),
        "answered once"
    );
    repository
        .release(&id, &owner("holder"))
        .await
        .expect("the store answers");
    assert_eq!(
        held(store, &id, "x").await.answer,
        Some(answer()),
        "an answered key is not released"
    );
}

pub async fn a_released_key_is_claimed_anew(store: &dyn Store) {
    let repository = store.idempotency();
    let id = claim_id("apiKey", "released");
    repository
        .claim(&new_claim(&id, "first", now()), long_ago())
        .await
        .expect("claimed");

    repository
        .release(&id, &owner("first"))
        .await
        .expect("released");

    assert_eq!(
        repository
            .claim(&new_claim(&id, "second", now()), long_ago())
            .await
            .expect("claimed"),
        ClaimOutcome::Claimed
    );
    assert_eq!(store.row_count("idempotency_keys"), 1);
}

pub async fn a_takeover_hands_the_claim_to_its_new_owner_alone(store: &dyn Store) {
    let repository = store.idempotency();
    let id = claim_id("apiKey", "abandoned");
    let later = now() + TimeDelta::minutes(5);
    repository
        .claim(&new_claim(&id, "crashed", now()), long_ago())
        .await
        .expect("claimed");

    assert!(
        !repository
            .take_over(&id, &owner("nobody"), &owner("retry"), later)
            .await
            .expect("the store answers")
    );
    assert!(
        repository
            .take_over(&id, &owner("crashed"), &owner("retry"), later)
            .await
            .expect("the store answers")
    );

    let taken = held(store, &id, "x").await;
    assert_eq!((taken.owner, taken.claimed_at), (owner("retry"), later));
    assert!(
        !repository
            .complete(&id, &owner("crashed"), &answer())
            .await
            .expect("the store answers"),
        "the former holder's late answer is not kept"
    );
    assert!(
        repository
            .complete(&id, &owner("retry"), &answer())
            .await
            .expect("the store answers")
    );
    assert!(
        !repository
            .take_over(&id, &owner("retry"), &owner("third"), later)
            .await
            .expect("the store answers"),
        "an answered claim is not taken over"
    );
}

pub async fn an_expired_key_is_claimed_anew(store: &dyn Store) {
    let repository = store.idempotency();
    let id = claim_id("apiKey", "old");
    repository
        .claim(&new_claim(&id, "yesterday", now()), long_ago())
        .await
        .expect("claimed");
    repository
        .complete(&id, &owner("yesterday"), &answer())
        .await
        .expect("the store answers");
    let tomorrow = now() + TimeDelta::hours(25);

    let claimed = repository
        .claim(
            &new_claim(&id, "today", tomorrow),
            tomorrow - TimeDelta::hours(24),
        )
        .await
        .expect("claimed");

    assert_eq!(claimed, ClaimOutcome::Claimed);
    assert_eq!(held(store, &id, "x").await.owner, owner("today"));
}

pub async fn purging_forgets_exactly_the_keys_created_before_the_bound(store: &dyn Store) {
    let repository = store.idempotency();
    let (old, young) = (claim_id("apiKey", "old"), claim_id("apiKey", "young"));
    repository
        .claim(&new_claim(&old, "a", now()), long_ago())
        .await
        .expect("the store answers");
    repository
        .complete(&old, &owner("a"), &answer())
        .await
        .expect("the store answers");
    repository
        .claim(
            &new_claim(&young, "b", now() + TimeDelta::seconds(1)),
            long_ago(),
        )
        .await
        .expect("the store answers");

    let purged = repository
        .purge(now() + TimeDelta::seconds(1))
        .await
        .expect("purged");

    assert_eq!(purged, 1);
    assert_eq!(store.row_count("idempotency_keys"), 1);
    assert_eq!(held(store, &young, "x").await.owner, owner("b"));
}

pub async fn of_concurrent_claims_of_one_key_exactly_one_is_made(store: &dyn Store) {
    let id = claim_id("apiKey", "raced");
    let claims: Vec<_> = (0..8)
        .map(|n| {
            let (repository, claim) = (
                store.idempotency(),
                new_claim(&id, &format!("racer {n}"), now()),
            );
            tokio::spawn(async move { repository.claim(&claim, long_ago()).await })
        })
        .collect();

    let mut made = 0;
    for claim in claims {
        match claim.await.expect("no panic").expect("claimed or held") {
            ClaimOutcome::Claimed => made += 1,
            ClaimOutcome::Held(held) => assert_eq!(held.answer, None),
        }
    }

    assert_eq!(made, 1);
    assert_eq!(store.row_count("idempotency_keys"), 1);
}

pub async fn the_database_refuses_a_partly_set_answer(store: &dyn Store) {
    let repository = store.idempotency();
    repository
        .claim(
            &new_claim(&claim_id("apiKey", "partial"), "a", now()),
            long_ago(),
        )
        .await
        .expect("the store answers");

    let refused = store.tamper(Tamper::SetOnlyTheAnswerStatus);

    assert!(
        refused.is_err(),
        "a status without headers and body was stored"
    );
}
