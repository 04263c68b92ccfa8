//! Use-case tests: first start, restart, lost answers, races and failures, with mockall mocks
//! for every port. The repository mock keeps what was saved, so each test can say what a next
//! start would find.

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use domain::{
    AddressDomain, Challenge, ChallengeId, DeviceId, DevicePassword, DeviceUsername,
    IdentityAddress, SigningKeyPair,
};
use mockall::Sequence;

use super::*;
use crate::ports::{
    ADDRESS_ALREADY_EXISTS, BackboneError, CreatedIdentity, IdentitySecrets,
    MockBackboneIdentities, MockIdentityRepository, MockRandomSource, OnboardedDevice,
    OnboardingLock, StoredIdentity,
};

/// RFC 8032 test 1, the spec's vector A.
const SEED_A: [u8; 32] = hex32("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
const ADDRESS_A: &str = "did:e:localhost:dids:63c98b9b34bd7ce8a891f9";
const SIGNATURE_A: &str = "73becb812950d0bbc156e9f832f1a444976d00ac33e21ed91e47e4ebf1a4a08fa7849008059a5c09be457364e37a7ef0e5fba5665fd5156cb48d0d3e52a3900f";
const SEED_B: [u8; 32] = hex32("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const ADDRESS_B: &str = "did:e:localhost:dids:76a33ea3665eef489c70bb";
const DEVICE_SEED: [u8; 32] = [7; 32];
const PASSWORD: &str = "Zx7!kQ2pLm9#Rt4vWy8-Hj3nBc6:Df5gSa1?Ke2uPo7.Xw9";

const fn hex32(text: &str) -> [u8; 32] {
    let bytes = text.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(bytes[2 * i]) << 4) | nibble(bytes[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        _ => c - b'a' + 10,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn challenge() -> Challenge {
    Challenge {
        id: ChallengeId::parse("CHLtestChallenge0001").unwrap(),
        expires_at: Utc.with_ymd_and_hms(2025, 1, 1, 12, 10, 0).unwrap()
            + chrono::Duration::milliseconds(123),
    }
}

fn settings() -> OnboardingSettings {
    OnboardingSettings {
        address_domain: AddressDomain::parse("localhost").unwrap(),
        allow_identity_creation: true,
    }
}

fn device() -> OnboardedDevice {
    OnboardedDevice {
        id: DeviceId::parse("DVCAAAAAAAAAAAAAAAAA").unwrap(),
        username: DeviceUsername::parse("USRAAAAAAAAAAAAAAAAA").unwrap(),
        created_at: Utc.with_ymd_and_hms(2026, 12, 3, 8, 0, 0).unwrap(),
    }
}

fn created(address: &str) -> CreatedIdentity {
    let device = device();
    CreatedIdentity {
        address: IdentityAddress::parse(address).unwrap(),
        created_at: device.created_at,
        device_id: device.id,
        device_username: device.username,
    }
}

fn stored(seed: [u8; 32], device: Option<OnboardedDevice>, datawallet: bool) -> StoredIdentity {
    let public_key = SigningKeyPair::from_seed(seed).public_key();
    StoredIdentity {
        address: IdentityAddress::derive(&public_key, &settings().address_domain),
        public_key,
        secrets: IdentitySecrets {
            identity_seed: seed,
            device_seed: DEVICE_SEED,
            device_password: DevicePassword::new(PASSWORD.to_owned()),
        },
        device,
        datawallet_initialized: datawallet,
    }
}

/// A repository that keeps what is saved; `saves` records each saved state in order.
struct Store {
    current: Arc<Mutex<Option<StoredIdentity>>>,
    saves: Arc<Mutex<Vec<StoredIdentity>>>,
}

impl Store {
    fn holding(initial: Option<StoredIdentity>) -> (Self, MockIdentityRepository) {
        let store = Self {
            current: Arc::new(Mutex::new(initial)),
            saves: Arc::default(),
        };
        let mut mock = MockIdentityRepository::new();
        let current = store.current.clone();
        mock.expect_find_identity()
            .returning(move || Ok(current.lock().unwrap().clone()));
        let (current, saves) = (store.current.clone(), store.saves.clone());
        mock.expect_save_identity().returning(move |identity| {
            *current.lock().unwrap() = Some(identity.clone());
            saves.lock().unwrap().push(identity.clone());
            Ok(())
        });
        (store, mock)
    }

    fn saves(&self) -> Vec<StoredIdentity> {
        self.saves.lock().unwrap().clone()
    }

    fn current(&self) -> Option<StoredIdentity> {
        self.current.lock().unwrap().clone()
    }
}

/// Fresh keys: `identity_seeds` in turn, each followed by the device key; the vector's password.
fn random(identity_seeds: &[[u8; 32]]) -> MockRandomSource {
    let mut random = MockRandomSource::new();
    let mut seeds = identity_seeds
        .iter()
        .flat_map(|seed| [*seed, DEVICE_SEED])
        .collect::<Vec<_>>()
        .into_iter();
    random.expect_signing_key_pair().returning(move || {
        SigningKeyPair::from_seed(seeds.next().expect("no more keys than the test planned"))
    });
    random
        .expect_device_password()
        .returning(|| DevicePassword::new(PASSWORD.to_owned()));
    random
}

fn use_case(
    identities: MockIdentityRepository,
    backbone: MockBackboneIdentities,
    settings: OnboardingSettings,
) -> OnboardIdentity {
    use_case_drawing(&[SEED_A], identities, backbone, settings)
}

fn use_case_drawing(
    identity_seeds: &[[u8; 32]],
    identities: MockIdentityRepository,
    backbone: MockBackboneIdentities,
    settings: OnboardingSettings,
) -> OnboardIdentity {
    OnboardIdentity::new(
        OnboardingDependencies {
            identities: Arc::new(identities),
            backbone: Arc::new(backbone),
            random: Arc::new(random(identity_seeds)),
        },
        settings,
    )
}

fn lockable(mut identities: MockIdentityRepository) -> MockIdentityRepository {
    identities
        .expect_lock_onboarding()
        .times(1)
        .returning(|| Ok(OnboardingLock::new(())));
    identities
}

#[tokio::test]
async fn a_restart_reads_the_stored_identity_and_calls_nothing() {
    let (store, mut identities) = Store::holding(Some(stored(SEED_A, Some(device()), true)));
    identities.expect_lock_onboarding().never();
    // No expectation on the Backbone: any call fails the test.
    let onboarded = use_case(identities, MockBackboneIdentities::new(), settings())
        .execute()
        .await
        .unwrap();
    assert_eq!(onboarded.address.as_str(), ADDRESS_A);
    assert_eq!(onboarded.device, device());
    assert!(store.saves().is_empty());
}

#[tokio::test]
async fn a_first_start_stores_the_keys_before_the_backbone_hears_of_them() {
    let (store, identities) = Store::holding(None);
    let identities = lockable(identities);
    let mut backbone = MockBackboneIdentities::new();
    let mut order = Sequence::new();
    backbone
        .expect_create_challenge()
        .times(1)
        .in_sequence(&mut order)
        .returning(|| Ok(challenge()));
    let saves = store.saves.clone();
    backbone
        .expect_create_identity()
        .times(1)
        .in_sequence(&mut order)
        .returning(move |request| {
            let saved = saves.lock().unwrap();
            assert_eq!(saved.len(), 1, "the keys are stored before the Backbone is asked");
            assert!(saved[0].device.is_none());
            // Exactly what the runtime signs and sends (vector A).
            assert_eq!(
                request.signed_challenge,
                r#"{"expiresAt":"2025-01-01T12:10:00.123Z","id":"CHLtestChallenge0001","type":"Identity"}"#
            );
            assert_eq!(hex(request.signature.as_bytes()), SIGNATURE_A);
            assert_eq!(request.public_key, saved[0].public_key);
            assert_eq!(request.device_password.expose(), PASSWORD);
            Ok(created(ADDRESS_A))
        });
    backbone
        .expect_initialize_datawallet()
        .times(1)
        .in_sequence(&mut order)
        .withf(|login| login.username == device().username && login.password.expose() == PASSWORD)
        .returning(|_| Ok(()));

    let onboarded = use_case(identities, backbone, settings())
        .execute()
        .await
        .unwrap();
    assert_eq!(onboarded.address.as_str(), ADDRESS_A);
    assert_eq!(onboarded.secrets.identity_seed, SEED_A);
    let saves = store.saves();
    assert_eq!(saves.len(), 3, "keys, then the device, then the datawallet");
    assert_eq!(saves[1].device, Some(device()));
    assert!(!saves[1].datawallet_initialized);
    assert!(store.current().unwrap().datawallet_initialized);
}

#[tokio::test]
async fn a_lost_answer_is_found_out_and_replaced_by_a_fresh_identity() {
    // The last start stored keys A, sent them, and never got the answer.
    let (store, identities) = Store::holding(Some(stored(SEED_A, None, false)));
    let identities = lockable(identities);
    let mut backbone = MockBackboneIdentities::new();
    backbone
        .expect_create_challenge()
        .times(2)
        .returning(|| Ok(challenge()));
    let mut answers = vec![
        Err(BackboneError::Rejected {
            code: ADDRESS_ALREADY_EXISTS.into(),
            message: "The address derived from the given public key already exists.".into(),
        }),
        Ok(created(ADDRESS_B)),
    ]
    .into_iter();
    backbone
        .expect_create_identity()
        .times(2)
        .returning(move |_| answers.next().unwrap());
    backbone
        .expect_initialize_datawallet()
        .returning(|_| Ok(()));
    let onboarded = use_case_drawing(&[SEED_B], identities, backbone, settings())
        .execute()
        .await
        .unwrap();
    assert_eq!(onboarded.address.as_str(), ADDRESS_B);
    let current = store.current().unwrap();
    assert_eq!(current.address.as_str(), ADDRESS_B);
    assert_eq!(current.device, Some(device()));
}

#[tokio::test]
async fn a_lost_connection_keeps_the_stored_keys_for_the_next_start() {
    let (store, identities) = Store::holding(None);
    let identities = lockable(identities);
    let mut backbone = MockBackboneIdentities::new();
    backbone
        .expect_create_challenge()
        .returning(|| Ok(challenge()));
    backbone.expect_create_identity().times(1).returning(|_| {
        Err(BackboneError::ConnectionLost {
            detail: "reset".into(),
        })
    });
    let error = use_case(identities, backbone, settings())
        .execute()
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        OnboardingError::Backbone {
            source: BackboneError::ConnectionLost { .. },
            ..
        }
    ));
    let kept = store.current().unwrap();
    assert_eq!(kept.address.as_str(), ADDRESS_A);
    assert!(kept.device.is_none());
}

#[tokio::test]
async fn another_instance_that_onboarded_meanwhile_is_used_as_it_is() {
    let (store, mut identities) = Store::holding(None);
    // While this instance waits for the lock, another one finishes.
    let current = store.current.clone();
    identities
        .expect_lock_onboarding()
        .times(1)
        .returning(move || {
            *current.lock().unwrap() = Some(stored(SEED_B, Some(device()), true));
            Ok(OnboardingLock::new(()))
        });
    let onboarded = use_case(identities, MockBackboneIdentities::new(), settings())
        .execute()
        .await
        .unwrap();
    assert_eq!(onboarded.address.as_str(), ADDRESS_B);
    assert!(store.saves().is_empty());
}

#[tokio::test]
async fn without_permission_to_create_nothing_is_generated_or_sent() {
    let (store, identities) = Store::holding(None);
    let settings = OnboardingSettings {
        allow_identity_creation: false,
        ..settings()
    };
    let error = use_case(
        lockable(identities),
        MockBackboneIdentities::new(),
        settings,
    )
    .execute()
    .await
    .unwrap_err();
    assert!(matches!(error, OnboardingError::CreationNotAllowed));
    assert!(error.to_string().contains("allowIdentityCreation"));
    assert!(store.saves().is_empty());
}

#[tokio::test]
async fn another_address_domain_on_the_backbone_is_refused_with_the_setting_to_fix() {
    let (store, identities) = Store::holding(None);
    let mut backbone = MockBackboneIdentities::new();
    backbone
        .expect_create_challenge()
        .returning(|| Ok(challenge()));
    backbone.expect_create_identity().returning(|_| {
        Ok(created(
            "did:e:prod.enmeshed.eu:dids:63c98b9b34bd7ce8a8912b",
        ))
    });
    let error = use_case(lockable(identities), backbone, settings())
        .execute()
        .await
        .unwrap_err();
    assert!(matches!(error, OnboardingError::AddressMismatch { .. }));
    assert!(
        error
            .to_string()
            .contains("transportLibrary.addressGenerationHostnameOverride")
    );
    assert!(store.current().unwrap().device.is_none());
}

#[tokio::test]
async fn a_failed_datawallet_upgrade_warns_and_is_tried_again_next_start() {
    let (store, identities) = Store::holding(Some(stored(SEED_A, Some(device()), false)));
    let mut backbone = MockBackboneIdentities::new();
    backbone
        .expect_initialize_datawallet()
        .times(1)
        .returning(|_| {
            Err(BackboneError::Unavailable {
                detail: "refused".into(),
            })
        });
    let onboarded = use_case(lockable(identities), backbone, settings())
        .execute()
        .await
        .unwrap();
    assert_eq!(onboarded.address.as_str(), ADDRESS_A);
    assert!(!store.current().unwrap().datawallet_initialized);
    assert!(store.saves().is_empty());
}

#[tokio::test]
async fn a_storage_failure_before_the_backbone_sends_nothing() {
    let mut identities = MockIdentityRepository::new();
    identities.expect_find_identity().returning(|| Ok(None));
    identities
        .expect_lock_onboarding()
        .returning(|| Ok(OnboardingLock::new(())));
    identities
        .expect_save_identity()
        .returning(|_| Err(crate::ports::RepositoryError::Unavailable("down".into())));
    let error = use_case(identities, MockBackboneIdentities::new(), settings())
        .execute()
        .await
        .unwrap_err();
    assert!(matches!(error, OnboardingError::Storage(_)));
}

#[tokio::test]
async fn secrets_that_do_not_open_name_the_setting_and_send_nothing() {
    let mut identities = MockIdentityRepository::new();
    identities.expect_find_identity().returning(|| {
        Err(crate::ports::RepositoryError::Undecryptable {
            id: ADDRESS_A.to_owned(),
        })
    });
    let error = use_case(identities, MockBackboneIdentities::new(), settings())
        .execute()
        .await
        .unwrap_err();
    assert!(matches!(error, OnboardingError::WrongSecretsKey { .. }));
    let message = error.to_string();
    assert!(
        message.contains(ADDRESS_A) && message.contains("secrets.key"),
        "{message}"
    );
}

#[tokio::test]
async fn a_refused_platform_client_names_the_settings_to_check() {
    let (_store, identities) = Store::holding(None);
    let mut backbone = MockBackboneIdentities::new();
    backbone
        .expect_create_challenge()
        .returning(|| Ok(challenge()));
    backbone.expect_create_identity().returning(|_| {
        Err(BackboneError::Rejected {
            code: "error.platform.unauthorized".into(),
            message: "You have to authenticate in order to execute this action.".into(),
        })
    });
    let error = use_case(lockable(identities), backbone, settings())
        .execute()
        .await
        .unwrap_err();
    assert!(matches!(error, OnboardingError::PlatformClientInvalid));
    assert!(
        error
            .to_string()
            .contains("transportLibrary.platformClientSecret")
    );
}
