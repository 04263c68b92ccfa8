//! `IdentityRepository`: the one identity round-trips pending and onboarded, replaces a pending
//! one but never an onboarded one, keeps its secrets sealed under the secrets key, and the
//! onboarding lock lets one holder in at a time, across separately opened repositories.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use application::ports::{IdentityRepository, RepositoryError, StoredIdentity};
use domain::DevicePassword;

use crate::fixtures::{
    DEVICE_PASSWORD, DEVICE_SEED, IDENTITY_SEED, address, key, onboarded_device,
    onboarded_identity, pending_identity, secrets_key,
};
use crate::{Store, Tamper};

/// How long a waiting second holder must stay waiting to count as excluded.
const STILL_WAITING: Duration = Duration::from_millis(300);
/// How long a free lock may take to be acquired (a connection, a file open).
const ACQUIRED_WITHIN: Duration = Duration::from_secs(10);

/// `found` is `expected`, field by field (the secrets have no `PartialEq`, on purpose).
fn assert_same(found: Option<StoredIdentity>, expected: &StoredIdentity) {
    let found = found.expect("an identity is stored");
    assert_eq!(found.address, expected.address);
    assert_eq!(found.public_key, expected.public_key);
    assert_eq!(found.secrets.identity_seed, expected.secrets.identity_seed);
    assert_eq!(found.secrets.device_seed, expected.secrets.device_seed);
    assert_eq!(
        found.secrets.device_password.expose(),
        expected.secrets.device_password.expose()
    );
    assert_eq!(found.device, expected.device);
    assert_eq!(
        found.datawallet_initialized,
        expected.datawallet_initialized
    );
}

async fn stored(identities: &dyn IdentityRepository) -> Option<StoredIdentity> {
    identities.find_identity().await.expect("read back")
}

pub async fn no_identity_is_stored_at_first(store: &dyn Store) {
    assert!(stored(store.identities().as_ref()).await.is_none());
}

pub async fn a_pending_identity_reads_back_unchanged(store: &dyn Store) {
    let identities = store.identities();
    let pending = pending_identity("00000000000000000aa1");

    identities.save_identity(&pending).await.expect("stored");

    assert_same(stored(identities.as_ref()).await, &pending);
}

pub async fn the_device_stored_after_the_backbone_answered_reads_back_unchanged(store: &dyn Store) {
    let identities = store.identities();
    identities
        .save_identity(&pending_identity("00000000000000000aa2"))
        .await
        .expect("pending stored");
    let onboarded = onboarded_identity("00000000000000000aa2");

    identities.save_identity(&onboarded).await.expect("stored");

    assert_same(stored(identities.as_ref()).await, &onboarded);
    assert_eq!(store.row_count("identity"), 1);
}

pub async fn a_pending_identity_is_replaced_by_one_with_another_address(store: &dyn Store) {
    let identities = store.identities();
    identities
        .save_identity(&pending_identity("00000000000000000aa3"))
        .await
        .expect("first stored");
    // Starting over with a new key pair gives a new address (§1.9).
    let next = StoredIdentity {
        device: Some(onboarded_device()),
        ..pending_identity("00000000000000000bb3")
    };

    identities.save_identity(&next).await.expect("replaced");

    assert_same(stored(identities.as_ref()).await, &next);
    assert_eq!(store.row_count("identity"), 1);
}

pub async fn an_onboarded_identity_is_never_replaced_by_another(store: &dyn Store) {
    let identities = store.identities();
    let onboarded = onboarded_identity("00000000000000000aa4");
    identities.save_identity(&onboarded).await.expect("stored");

    for other in [
        pending_identity("00000000000000000bb4"),
        onboarded_identity("00000000000000000cc4"),
    ] {
        let error = identities
            .save_identity(&other)
            .await
            .expect_err("an onboarded identity was replaced");

        assert!(
            matches!(&error, RepositoryError::Duplicate(id) if id == onboarded.address.as_str()),
            "{error:?}"
        );
        assert_same(stored(identities.as_ref()).await, &onboarded);
        assert_eq!(store.row_count("identity"), 1);
    }
}

pub async fn secrets_under_another_key_are_undecryptable(store: &dyn Store) {
    let identity = onboarded_identity("00000000000000000aa5");
    store
        .identities()
        .save_identity(&identity)
        .await
        .expect("stored");

    let error = store
        .identities_elsewhere(key(0x77))
        .find_identity()
        .await
        .expect_err("the secrets opened with another key");

    assert!(
        matches!(&error, RepositoryError::Undecryptable { id } if id == identity.address.as_str()),
        "{error:?}"
    );
    let shown = format!("{error:?} {error}");
    assert!(!shown.contains(DEVICE_PASSWORD), "{shown}");
}

pub async fn secrets_moved_to_another_address_are_undecryptable(store: &dyn Store) {
    store
        .identities()
        .save_identity(&pending_identity("00000000000000000aa6"))
        .await
        .expect("stored");
    let other = address("00000000000000000bb6");
    store
        .tamper(Tamper::SetIdentityAddress {
            address: other.as_str(),
        })
        .expect("moved");

    let error = store
        .identities()
        .find_identity()
        .await
        .expect_err("secrets sealed for one address opened for another");

    assert!(
        matches!(&error, RepositoryError::Undecryptable { id } if id == other.as_str()),
        "{error:?}"
    );
}

pub async fn the_stored_secrets_hold_neither_seed_nor_the_password(store: &dyn Store) {
    store
        .identities()
        .save_identity(&onboarded_identity("00000000000000000aa7"))
        .await
        .expect("stored");

    let sealed = store.sealed_identity_secrets();

    assert_eq!(sealed.len(), 1);
    // Any 8 bytes of a secret in the column would be a leak; ciphertext matches by chance
    // with a probability of about 2^-50.
    for secret in [
        IDENTITY_SEED.as_slice(),
        DEVICE_SEED.as_slice(),
        DEVICE_PASSWORD.as_bytes(),
    ] {
        assert!(
            !secret
                .windows(8)
                .any(|part| sealed[0].windows(8).any(|stored| stored == part)),
            "the column holds secret bytes in clear"
        );
    }
}

/// The device passwords a hostile or broken generator could produce: NUL, a character of
/// every Unicode plane, and 10 KiB.
fn hostile_passwords() -> Vec<String> {
    let every_plane: String = (0..=16_u32)
        .filter_map(|plane| char::from_u32((plane << 16) | 0xFFFD))
        .collect();
    assert_eq!(every_plane.chars().count(), 17, "one character per plane");
    vec![
        "\0".to_owned(),
        "a\0b\0\0".to_owned(),
        every_plane.clone(),
        "\u{D7FF}\u{E000}\u{FEFF}\u{FFFF}\u{10FFFF}".to_owned(),
        String::new(),
        "x".repeat(10 * 1024),
        every_plane.repeat(10 * 1024 / every_plane.len() + 1),
    ]
}

pub async fn hostile_device_passwords_read_back_unchanged(store: &dyn Store) {
    let identities = store.identities();

    for password in hostile_passwords() {
        let mut identity = onboarded_identity("00000000000000000aa8");
        identity.secrets.device_password = DevicePassword::new(password.clone());

        identities.save_identity(&identity).await.expect("stored");

        let found = stored(identities.as_ref()).await.expect("stored");
        assert!(
            found.secrets.device_password.expose() == password,
            "a password of {} bytes changed",
            password.len()
        );
    }
}

pub async fn one_onboarding_lock_holder_at_a_time(store: &dyn Store) {
    let first = store.identities();
    // Opened on its own, as another instance would: the lock is the database's, not this
    // process's.
    let second = store.identities_elsewhere(secrets_key());
    let held = tokio::time::timeout(ACQUIRED_WITHIN, first.lock_onboarding())
        .await
        .expect("a free lock is acquired")
        .expect("locked");
    let released = Arc::new(AtomicBool::new(false));

    let waiting = tokio::spawn({
        let released = Arc::clone(&released);
        async move {
            let lock = second.lock_onboarding().await;
            (released.load(Ordering::SeqCst), lock)
        }
    });
    tokio::time::sleep(STILL_WAITING).await;
    assert!(
        !waiting.is_finished(),
        "a second holder got in while the first held the lock"
    );
    released.store(true, Ordering::SeqCst);
    drop(held);

    let (after_release, lock) = tokio::time::timeout(ACQUIRED_WITHIN, waiting)
        .await
        .expect("the second holder got in once the first let go")
        .expect("the waiting task did not panic");
    assert!(after_release, "the second holder got in before the release");
    drop(lock.expect("locked"));

    let again = tokio::time::timeout(ACQUIRED_WITHIN, first.lock_onboarding())
        .await
        .expect("a dropped lock is free again")
        .expect("locked");
    drop(again);
}

pub async fn an_identity_saved_under_the_lock_is_committed_for_every_instance(store: &dyn Store) {
    let identities = store.identities();
    let identity = onboarded_identity("00000000000000000aa9");
    let held = identities.lock_onboarding().await.expect("locked");

    identities.save_identity(&identity).await.expect("stored");

    // Read while the lock is still held, by a repository opened on its own: committed.
    let elsewhere = store.identities_elsewhere(secrets_key());
    assert_same(stored(elsewhere.as_ref()).await, &identity);
    drop(held);
}

pub async fn the_database_holds_one_identity_with_a_complete_device_or_none(store: &dyn Store) {
    let identity = onboarded_identity("00000000000000000aaa");
    store
        .identities()
        .save_identity(&identity)
        .await
        .expect("stored");

    let second = address("00000000000000000bba");
    let refused = [
        Tamper::CopyIdentityToAddress {
            address: second.as_str(),
        },
        Tamper::ClearDeviceUsername,
    ];
    for tamper in refused {
        assert!(store.tamper(tamper).is_err(), "{tamper:?} was accepted");
    }

    assert_same(stored(store.identities().as_ref()).await, &identity);
    assert_eq!(store.row_count("identity"), 1);
}
