//! Use-case tests of `createOwnToken`, `loadPeerToken` and `getToken`/`deleteToken`, with
//! mockall mocks for every port.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::date::format_date;
use domain::{
    CipherContainer, DeviceId, IdentityAddress, PasswordLocationIndicator, PasswordProtection,
    PasswordType, SecretKey, Token, TokenContent, TokenId, TokenReference,
};
use mockall::Sequence;

use super::create_for_file::{LocationIndicatorInput, PasswordInput};
use super::create_own::{
    CreateOwnToken, CreateOwnTokenError, CreateOwnTokenRequest, TokenContentRefused,
};
use super::load_peer::{LoadPeerToken, LoadPeerTokenError, LoadPeerTokenRequest};
use super::manage::{ManageToken, ManageTokenError};
use crate::ports::{
    BackboneError, BackboneToken, CreatedBackboneToken, MockBackboneFiles, MockBackboneTokens,
    MockClock, MockFileRepository, MockPasswordHasher, MockRandomSource, MockTokenRepository,
    RepositoryError,
};
use crate::{Dependencies, ServiceIdentity, Withdrawal};

const BASE_URL: &str = "https://backbone.example.com";
const TOKEN_ID: &str = "TOKAAAAAAAAAAAAAAAAA";
const SALT: [u8; 16] = *b"a16byteslongsalt";
const HASH: [u8; 32] = [0x5a; 32];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

fn token_key() -> SecretKey {
    SecretKey::from_bytes(std::array::from_fn(|i| i as u8))
}

fn identity() -> ServiceIdentity {
    ServiceIdentity {
        address: IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap(),
        device_id: DeviceId::parse("DVCAAAAAAAAAAAAAAAAA").unwrap(),
    }
}

fn peer() -> IdentityAddress {
    IdentityAddress::from_parts("localhost", "fedcba9876543210fedc").unwrap()
}

fn content() -> TokenContent {
    TokenContent::from_json(serde_json::json!({"z": 1, "aKey": "aValue"})).unwrap()
}

struct Ports {
    tokens: MockTokenRepository,
    backbone: MockBackboneTokens,
    hasher: MockPasswordHasher,
}

impl Ports {
    fn none() -> Self {
        Self {
            tokens: MockTokenRepository::new(),
            backbone: MockBackboneTokens::new(),
            hasher: MockPasswordHasher::new(),
        }
    }

    fn deps(self) -> Dependencies {
        let mut clock = MockClock::new();
        clock.expect_now().returning(now);
        let mut random = MockRandomSource::new();
        random.expect_secret_key().returning(token_key);
        random.expect_nonce().returning(|| [7; 24]);
        random.expect_salt().returning(|| SALT);
        Dependencies {
            files: Arc::new(MockFileRepository::new()),
            tokens: Arc::new(self.tokens),
            backbone: Arc::new(self.backbone),
            backbone_files: Arc::new(MockBackboneFiles::new()),
            password_hasher: Arc::new(self.hasher),
            clock: Arc::new(clock),
            random: Arc::new(random),
            identity: identity(),
            device_key: Arc::new(domain::SigningKeyPair::from_seed([9; 32])),
        }
    }
}

fn created() -> CreatedBackboneToken {
    CreatedBackboneToken {
        id: TokenId::parse(TOKEN_ID).unwrap(),
        created_at: DateTime::from_timestamp(1_795_000_000, 123_456_789).unwrap(),
    }
}

fn own_request() -> CreateOwnTokenRequest {
    CreateOwnTokenRequest {
        content: Ok(content()),
        expires_at: format_date(now() + Duration::days(1)),
        ephemeral: None,
        for_identity: None,
        password_protection: None,
        correlation_id: None,
    }
}

#[tokio::test]
async fn an_own_token_is_encrypted_as_given_created_and_stored_by_default() {
    let mut ports = Ports::none();
    ports
        .backbone
        .expect_create_token()
        .times(1)
        .withf(|token, _| {
            let container = CipherContainer::from_backbone_content(&token.content).unwrap();
            let plaintext = container.decrypt(&token_key()).unwrap();
            plaintext == br#"{"z":1,"aKey":"aValue"}"# && token.password_hash.is_none()
        })
        .returning(|_, _| Ok(created()));
    ports
        .tokens
        .expect_insert_token()
        .times(1)
        .withf(|token| token.is_own && token.content == content())
        .returning(|_| Ok(()));
    let created = CreateOwnToken::new(ports.deps())
        .execute(own_request())
        .await
        .unwrap();
    assert!(!created.is_ephemeral);
    assert_eq!(created.token.id.as_str(), TOKEN_ID);
    assert_eq!(
        format_date(created.token.created_at),
        "2026-11-18T11:06:40.123Z"
    );
}

#[tokio::test]
async fn an_ephemeral_pin_token_is_hashed_and_not_stored() {
    let mut ports = Ports::none();
    ports
        .hasher
        .expect_hash()
        .times(1)
        .withf(|p| p.password == "1234" && p.salt == SALT && p.password_type.is_pin())
        .returning(|_| Ok(HASH));
    ports
        .backbone
        .expect_create_token()
        .times(1)
        .withf(|token, _| token.password_hash == Some(HASH))
        .returning(|_, _| Ok(created()));
    ports.tokens.expect_insert_token().never();
    let request = CreateOwnTokenRequest {
        ephemeral: Some(true),
        password_protection: Some(PasswordInput {
            password: "1234".into(),
            is_pin: true,
            location_indicator: Some(LocationIndicatorInput::Name("Email".into())),
        }),
        ..own_request()
    };
    let created = CreateOwnToken::new(ports.deps())
        .execute(request)
        .await
        .unwrap();
    assert!(created.is_ephemeral);
    let protection = created.token.password_protection.unwrap();
    assert_eq!(
        protection.location_indicator,
        PasswordLocationIndicator::from_name("Email")
    );
}

#[tokio::test]
async fn own_token_rules_fail_in_the_runtimes_order_before_any_call() {
    let run = |request: CreateOwnTokenRequest| async move {
        // No expectations: any port call fails the test.
        CreateOwnToken::new(Ports::none().deps())
            .execute(request)
            .await
    };
    let past = CreateOwnTokenRequest {
        expires_at: format_date(now() - Duration::seconds(1)),
        content: Err(TokenContentRefused),
        ..own_request()
    };
    assert!(
        matches!(run(past).await, Err(CreateOwnTokenError::Validation(e)) if e.message == "'expiresAt' must be in the future")
    );
    let indicator = CreateOwnTokenRequest {
        content: Err(TokenContentRefused),
        password_protection: Some(PasswordInput {
            password: "pw".into(),
            is_pin: false,
            location_indicator: Some(LocationIndicatorInput::Whole(1000)),
        }),
        ..own_request()
    };
    assert!(
        matches!(run(indicator).await, Err(CreateOwnTokenError::Validation(e)) if e.message == super::create_for_file::INDICATOR_MESSAGE)
    );
    let content = CreateOwnTokenRequest {
        content: Err(TokenContentRefused),
        ..own_request()
    };
    assert!(matches!(
        run(content).await,
        Err(CreateOwnTokenError::InvalidContent)
    ));
    let checksum = CreateOwnTokenRequest {
        for_identity: Some("did:e:localhost:dids:0123456789abcdef012300".into()),
        ..own_request()
    };
    assert!(matches!(
        run(checksum).await,
        Err(CreateOwnTokenError::Validation(_))
    ));
}

#[tokio::test]
async fn an_own_token_that_cannot_be_stored_is_deleted_on_the_backbone_again() {
    let mut ports = Ports::none();
    let mut sequence = Sequence::new();
    ports
        .backbone
        .expect_create_token()
        .times(1)
        .in_sequence(&mut sequence)
        .returning(|_, _| Ok(created()));
    ports
        .tokens
        .expect_insert_token()
        .times(1)
        .in_sequence(&mut sequence)
        .returning(|_| Err(RepositoryError::Unavailable("down".into())));
    ports
        .backbone
        .expect_delete_token()
        .times(1)
        .in_sequence(&mut sequence)
        .withf(|id, _| id.as_str() == TOKEN_ID)
        .returning(|_, _| Ok(()));
    let result = CreateOwnToken::new(ports.deps())
        .execute(own_request())
        .await;
    assert!(matches!(
        result,
        Err(CreateOwnTokenError::NotStored {
            withdrawal: Withdrawal::Deleted,
            ..
        })
    ));
}

/// The reference of a peer's token (`protection`: the reference's password part).
fn peer_reference(protection: Option<&PasswordProtection>, for_identity: Option<&str>) -> String {
    TokenReference {
        id: TokenId::parse(TOKEN_ID).unwrap(),
        backbone_base_url: Some(BASE_URL.into()),
        key: token_key(),
        for_identity_last_four: for_identity.map(str::to_owned),
        password: protection.map(Into::into),
    }
    .truncated()
}

fn protection() -> PasswordProtection {
    PasswordProtection {
        password: "password".into(),
        password_type: PasswordType::Password,
        salt: SALT,
        location_indicator: PasswordLocationIndicator::from_free_number(50),
    }
}

fn on_backbone() -> BackboneToken {
    BackboneToken {
        id: TokenId::parse(TOKEN_ID).unwrap(),
        content: content()
            .encrypt(&token_key(), [3; 24])
            .to_backbone_content(),
        created_by: peer(),
        created_by_device: DeviceId::parse("DVCPEERAAAAAAAAAAAAA").unwrap(),
        created_at: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        expires_at: Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        for_identity: None,
    }
}

fn peer_request(reference: String, password: Option<&str>) -> LoadPeerTokenRequest {
    LoadPeerTokenRequest {
        reference,
        password: password.map(str::to_owned),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_peer_token_is_read_with_its_password_hash_decrypted_and_stored_as_a_peers() {
    let mut ports = Ports::none();
    ports
        .tokens
        .expect_find_token()
        .times(1)
        .returning(|_| Ok(None));
    ports
        .hasher
        .expect_hash()
        .times(1)
        .withf(|p| *p == protection())
        .returning(|_| Ok(HASH));
    ports
        .backbone
        .expect_get_token()
        .times(1)
        .withf(|id, hash, _| id.as_str() == TOKEN_ID && *hash == Some(HASH))
        .returning(|_, _, _| Ok(on_backbone()));
    ports
        .tokens
        .expect_insert_token()
        .times(1)
        .withf(|token| !token.is_own)
        .returning(|_| Ok(()));
    let loaded = LoadPeerToken::new(ports.deps())
        .execute(peer_request(
            peer_reference(Some(&protection()), None),
            Some("password"),
        ))
        .await
        .unwrap();
    assert!(!loaded.is_ephemeral);
    let token = loaded.token;
    assert_eq!(token.content, content());
    assert_eq!(token.created_by, peer());
    assert_eq!(token.created_by_device.as_str(), "DVCPEERAAAAAAAAAAAAA");
    assert_eq!(token.password_protection, Some(protection()));
}

#[tokio::test]
async fn an_ephemeral_peer_token_is_not_stored_and_a_stored_one_is_answered_as_it_is() {
    let mut ports = Ports::none();
    ports
        .tokens
        .expect_find_token()
        .times(1)
        .returning(|_| Ok(None));
    ports
        .backbone
        .expect_get_token()
        .times(1)
        .returning(|_, _, _| Ok(on_backbone()));
    ports.tokens.expect_insert_token().never();
    let request = LoadPeerTokenRequest {
        ephemeral: Some(true),
        ..peer_request(peer_reference(None, None), None)
    };
    let loaded = LoadPeerToken::new(ports.deps())
        .execute(request)
        .await
        .unwrap();
    assert!(loaded.is_ephemeral);

    let mut ports = Ports::none();
    let stored = Token {
        id: TokenId::parse(TOKEN_ID).unwrap(),
        is_own: true,
        created_by: identity().address,
        created_by_device: identity().device_id,
        content: content(),
        created_at: now(),
        expires_at: now(),
        for_identity: None,
        password_protection: None,
        secret_key: token_key(),
    };
    let answer = stored.clone();
    ports
        .tokens
        .expect_find_token()
        .times(1)
        .returning(move |_| Ok(Some(answer.clone())));
    let loaded = LoadPeerToken::new(ports.deps())
        .execute(peer_request(peer_reference(None, None), None))
        .await
        .unwrap();
    assert_eq!(loaded.token, stored);
}

#[tokio::test]
async fn peer_token_refusals_are_told_apart() {
    // A password the reference asks for, missing: nothing is asked of anyone.
    let result = LoadPeerToken::new(Ports::none().deps())
        .execute(peer_request(
            peer_reference(Some(&protection()), None),
            None,
        ))
        .await;
    assert!(matches!(
        result,
        Err(LoadPeerTokenError::NoPasswordProvided)
    ));

    let mut ports = Ports::none();
    ports.tokens.expect_find_token().returning(|_| Ok(None));
    let result = LoadPeerToken::new(ports.deps())
        .execute(peer_request(peer_reference(None, Some("zzzz")), None))
        .await;
    assert!(matches!(result, Err(LoadPeerTokenError::NotIntendedForYou)));

    let result = LoadPeerToken::new(Ports::none().deps())
        .execute(peer_request("VE9Lnotareference".into(), None))
        .await;
    assert!(matches!(
        result,
        Err(LoadPeerTokenError::InvalidReference(_))
    ));

    for (code, not_found) in [
        ("error.platform.recordNotFound", true),
        ("error.platform.token.tooManyFailedPasswordAttempts", false),
    ] {
        let mut ports = Ports::none();
        ports.tokens.expect_find_token().returning(|_| Ok(None));
        ports.tokens.expect_insert_token().never();
        ports
            .backbone
            .expect_get_token()
            .times(1)
            .returning(move |_, _, _| {
                Err(BackboneError::Rejected {
                    code: code.into(),
                    message: "refused".into(),
                })
            });
        let result = LoadPeerToken::new(ports.deps())
            .execute(peer_request(peer_reference(None, None), None))
            .await;
        match result {
            Err(LoadPeerTokenError::NotFound(message)) => {
                assert!(not_found && message == "refused")
            }
            Err(LoadPeerTokenError::Backbone(BackboneError::Rejected { code: c, .. })) => {
                assert!(!not_found && c == code);
            }
            other => panic!("{code}: {other:?}"),
        }
    }

    let mut ports = Ports::none();
    ports.tokens.expect_find_token().returning(|_| Ok(None));
    ports.backbone.expect_get_token().returning(|_, _, _| {
        Ok(BackboneToken {
            content: CipherContainer::encrypt(b"[1]", &token_key(), [1; 24]).to_backbone_content(),
            ..on_backbone()
        })
    });
    let result = LoadPeerToken::new(ports.deps())
        .execute(peer_request(peer_reference(None, None), None))
        .await;
    assert!(matches!(result, Err(LoadPeerTokenError::InvalidContent)));
}

fn stored(is_own: bool) -> Token {
    Token {
        id: TokenId::parse(TOKEN_ID).unwrap(),
        is_own,
        created_by: identity().address,
        created_by_device: identity().device_id,
        content: content(),
        created_at: now(),
        expires_at: now(),
        for_identity: None,
        password_protection: None,
        secret_key: token_key(),
    }
}

#[tokio::test]
async fn deleting_an_own_token_deletes_it_on_the_backbone_first() {
    let mut ports = Ports::none();
    let mut sequence = Sequence::new();
    ports
        .tokens
        .expect_find_token()
        .returning(|_| Ok(Some(stored(true))));
    ports
        .backbone
        .expect_delete_token()
        .times(1)
        .in_sequence(&mut sequence)
        .returning(|_, _| Ok(()));
    ports
        .tokens
        .expect_delete_token()
        .times(1)
        .in_sequence(&mut sequence)
        .returning(|_| Ok(()));
    ManageToken::new(ports.deps())
        .delete(TOKEN_ID, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_refused_backbone_delete_keeps_the_token_and_a_peers_token_is_only_forgotten_here() {
    let mut ports = Ports::none();
    ports
        .tokens
        .expect_find_token()
        .returning(|_| Ok(Some(stored(true))));
    ports.backbone.expect_delete_token().returning(|_, _| {
        Err(BackboneError::Rejected {
            code: "error.platform.forbidden".into(),
            message: "not yours".into(),
        })
    });
    ports.tokens.expect_delete_token().never();
    let result = ManageToken::new(ports.deps()).delete(TOKEN_ID, None).await;
    assert!(matches!(result, Err(ManageTokenError::Forbidden(m)) if m == "not yours"));

    let mut ports = Ports::none();
    ports
        .tokens
        .expect_find_token()
        .returning(|_| Ok(Some(stored(false))));
    ports.backbone.expect_delete_token().never();
    ports
        .tokens
        .expect_delete_token()
        .times(1)
        .returning(|_| Ok(()));
    ManageToken::new(ports.deps())
        .delete(TOKEN_ID, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_told_apart() {
    let mut ports = Ports::none();
    ports.tokens.expect_find_token().returning(|_| Ok(None));
    let manage = ManageToken::new(ports.deps());
    assert!(matches!(
        manage.get(TOKEN_ID).await,
        Err(ManageTokenError::NotFound)
    ));
    assert_eq!(
        ManageTokenError::NotFound.to_string(),
        "Token not found. Make sure the ID exists and the record is not expired."
    );
    // Passes the unanchored pattern without being an id: cannot be stored.
    assert!(matches!(
        manage.get("xTOKAAAAAAAAAAAAAAAAA").await,
        Err(ManageTokenError::NotFound)
    ));
    assert!(
        matches!(manage.get("FILAAAAAAAAAAAAAAAAA").await, Err(ManageTokenError::Validation(e)) if e.message == "id must match pattern TOK[A-Za-z0-9]{17}")
    );
}
