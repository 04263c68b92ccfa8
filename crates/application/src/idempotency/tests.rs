use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use domain::{IdempotencyKey, RequestFingerprint};
use mockall::predicate::eq;

use super::*;
use crate::ports::{
    ClaimId, ClaimOutcome, ClaimOwner, ExistingClaim, MockClock, MockIdempotencyRepository,
    MockPause, StoredAnswer,
};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn key() -> IdempotencyKey {
    IdempotencyKey::parse(b"retry-me").unwrap()
}

fn claim_id() -> ClaimId {
    ClaimId {
        scope: "apiKey".to_owned(),
        key: key(),
    }
}

fn fingerprint() -> RequestFingerprint {
    RequestFingerprint::of("POST", "/api/v2/Files/Own", b"body")
}

fn request() -> IdempotentRequest {
    IdempotentRequest {
        scope: "apiKey".to_owned(),
        key: key(),
        fingerprint: fingerprint(),
        owner: ClaimOwner("me".to_owned()),
    }
}

fn answer(status: u16) -> StoredAnswer {
    StoredAnswer {
        status,
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        body: br#"{"result":{}}"#.to_vec(),
    }
}

fn held(answer: Option<StoredAnswer>, claimed_at: DateTime<Utc>) -> ClaimOutcome {
    ClaimOutcome::Held(ExistingClaim {
        fingerprint: fingerprint(),
        owner: ClaimOwner("other".to_owned()),
        claimed_at,
        answer,
    })
}

/// The use case over `repository`, at [`now`], recording every pause.
fn idempotency(repository: MockIdempotencyRepository) -> (Idempotency, Arc<Mutex<Vec<Duration>>>) {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(now());
    let pauses = Arc::new(Mutex::new(Vec::new()));
    let mut pause = MockPause::new();
    let recorded = Arc::clone(&pauses);
    pause
        .expect_pause()
        .returning(move |duration| recorded.lock().unwrap().push(duration));
    let deps = IdempotencyDependencies {
        repository: Arc::new(repository),
        clock: Arc::new(clock),
        pause: Arc::new(pause),
    };
    (Idempotency::new(deps, IdempotencyPolicy::default()), pauses)
}

#[tokio::test]
async fn a_new_key_runs_and_its_answer_is_kept() {
    let mut repository = MockIdempotencyRepository::new();
    repository
        .expect_claim()
        .withf(|claim, expired_before| {
            claim.id == claim_id()
                && claim.owner.0 == "me"
                && claim.now == now()
                && *expired_before == now() - TimeDelta::hours(24)
        })
        .times(1)
        .returning(|_, _| Ok(ClaimOutcome::Claimed));
    repository
        .expect_complete()
        .with(
            eq(claim_id()),
            eq(ClaimOwner("me".to_owned())),
            eq(answer(201)),
        )
        .times(1)
        .returning(|_, _, _| Ok(true));
    let (idempotency, pauses) = idempotency(repository);

    let Begun::Run(execution) = idempotency.begin(request()).await.unwrap() else {
        panic!("a new key runs");
    };
    idempotency.finish(execution, &answer(201)).await.unwrap();
    assert!(pauses.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_same_request_again_replays_the_kept_answer() {
    let mut repository = MockIdempotencyRepository::new();
    repository
        .expect_claim()
        .times(1)
        .returning(|_, _| Ok(held(Some(answer(201)), now())));
    let (idempotency, _) = idempotency(repository);

    assert_eq!(
        idempotency.begin(request()).await.unwrap(),
        Begun::Replay(answer(201))
    );
}

#[tokio::test]
async fn another_request_under_the_key_is_refused() {
    let mut repository = MockIdempotencyRepository::new();
    repository.expect_claim().times(1).returning(|_, _| {
        Ok(ClaimOutcome::Held(ExistingClaim {
            fingerprint: RequestFingerprint::of("POST", "/api/v2/Files/Own", b"other body"),
            owner: ClaimOwner("other".to_owned()),
            claimed_at: now(),
            answer: Some(answer(201)),
        }))
    });
    let (idempotency, _) = idempotency(repository);

    assert!(matches!(
        idempotency.begin(request()).await,
        Err(IdempotencyError::KeyReused(reused)) if reused == key()
    ));
}

#[tokio::test]
async fn a_retry_waits_with_growing_pauses_for_the_running_first_request() {
    let mut repository = MockIdempotencyRepository::new();
    let mut looks = 0;
    repository.expect_claim().times(3).returning(move |_, _| {
        looks += 1;
        Ok(held((looks == 3).then(|| answer(201)), now()))
    });
    let (idempotency, pauses) = idempotency(repository);

    assert_eq!(
        idempotency.begin(request()).await.unwrap(),
        Begun::Replay(answer(201))
    );
    assert_eq!(
        *pauses.lock().unwrap(),
        [Duration::from_millis(25), Duration::from_millis(50)]
    );
}

#[tokio::test]
async fn a_retry_gives_up_after_the_wait_and_is_told_the_first_still_runs() {
    let mut repository = MockIdempotencyRepository::new();
    repository
        .expect_claim()
        .returning(|_, _| Ok(held(None, now())));
    let (idempotency, pauses) = idempotency(repository);

    let outcome = idempotency.begin(request()).await;

    let waited: Duration = pauses.lock().unwrap().iter().sum();
    assert_eq!(waited, IdempotencyPolicy::default().wait);
    assert!(
        pauses
            .lock()
            .unwrap()
            .iter()
            .all(|pause| *pause <= Duration::from_millis(500))
    );
    assert!(matches!(
        outcome,
        Err(IdempotencyError::StillRunning { waited: reported, .. }) if reported == waited
    ));
}

#[tokio::test]
async fn a_claim_left_past_the_claim_timeout_is_taken_over_and_runs() {
    let abandoned_at = now() - TimeDelta::minutes(5);
    let mut repository = MockIdempotencyRepository::new();
    repository
        .expect_claim()
        .times(1)
        .returning(move |_, _| Ok(held(None, abandoned_at)));
    repository
        .expect_take_over()
        .with(
            eq(claim_id()),
            eq(ClaimOwner("other".to_owned())),
            eq(ClaimOwner("me".to_owned())),
            eq(now()),
        )
        .times(1)
        .returning(|_, _, _, _| Ok(true));
    let (idempotency, _) = idempotency(repository);

    assert!(matches!(
        idempotency.begin(request()).await.unwrap(),
        Begun::Run(_)
    ));
}

#[tokio::test]
async fn a_younger_claim_is_not_taken_over() {
    let mut repository = MockIdempotencyRepository::new();
    let mut looks = 0;
    repository.expect_claim().times(2).returning(move |_, _| {
        looks += 1;
        Ok(held(
            (looks == 2).then(|| answer(201)),
            now() - TimeDelta::minutes(5) + TimeDelta::milliseconds(1),
        ))
    });
    repository.expect_take_over().never();
    let (idempotency, _) = idempotency(repository);

    assert_eq!(
        idempotency.begin(request()).await.unwrap(),
        Begun::Replay(answer(201))
    );
}

#[tokio::test]
async fn when_another_retry_took_the_abandoned_claim_over_first_this_one_waits_for_it() {
    let mut repository = MockIdempotencyRepository::new();
    let mut looks = 0;
    repository.expect_claim().times(2).returning(move |_, _| {
        looks += 1;
        Ok(match looks {
            1 => held(None, now() - TimeDelta::hours(1)),
            _ => held(Some(answer(201)), now()),
        })
    });
    repository
        .expect_take_over()
        .times(1)
        .returning(|_, _, _, _| Ok(false));
    let (idempotency, _) = idempotency(repository);

    assert_eq!(
        idempotency.begin(request()).await.unwrap(),
        Begun::Replay(answer(201))
    );
}

#[tokio::test]
async fn answers_that_may_change_on_a_retry_release_the_key_and_the_others_are_kept() {
    for (status, kept) in [
        (201, true),
        (400, true),
        (404, true),
        (429, false),
        (500, false),
        (503, false),
    ] {
        let mut repository = MockIdempotencyRepository::new();
        repository
            .expect_claim()
            .returning(|_, _| Ok(ClaimOutcome::Claimed));
        repository
            .expect_complete()
            .times(usize::from(kept))
            .returning(|_, _, _| Ok(true));
        repository
            .expect_release()
            .with(eq(claim_id()), eq(ClaimOwner("me".to_owned())))
            .times(usize::from(!kept))
            .returning(|_, _| Ok(()));
        let (idempotency, _) = idempotency(repository);

        let Begun::Run(execution) = idempotency.begin(request()).await.unwrap() else {
            panic!("a new key runs");
        };
        idempotency
            .finish(execution, &answer(status))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn purging_forgets_keys_older_than_the_retention() {
    let mut repository = MockIdempotencyRepository::new();
    repository
        .expect_purge()
        .with(eq(now() - TimeDelta::hours(24)))
        .times(1)
        .returning(|_| Ok(3));
    let (idempotency, _) = idempotency(repository);

    assert_eq!(idempotency.purge_expired().await.unwrap(), 3);
}
