//! Use-case tests: every rule and failure path, with mockall mocks for every port.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::date::format_date;
use domain::{
    CipherContainer, DeviceId, File, FileId, IdentityAddress, PasswordLocationIndicator,
    PasswordType, SecretKey, Token, TokenContentFile, TokenId, TokenReference,
};

use super::*;
use crate::ports::{
    BackboneError, CreatedBackboneToken, HashingError, MockBackboneFiles, MockBackboneTokens,
    MockClock, MockFileRepository, MockPasswordHasher, MockRandomSource, MockTokenRepository,
    RepositoryError,
};
use crate::{Dependencies, ServiceIdentity};

const BASE_URL: &str = "https://backbone.example.com";
const FILE_ID: &str = "FILAAAAAAAAAAAAAAAAA";
const TOKEN_ID: &str = "TOKAAAAAAAAAAAAAAAAA";
const SALT: [u8; 16] = *b"a16byteslongsalt";
/// What the mocked hasher answers: the use case must pass it to the Backbone unchanged.
const HASH: [u8; 32] = [0x5a; 32];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

fn token_key() -> SecretKey {
    SecretKey::from_bytes(std::array::from_fn(|i| i as u8))
}

fn file_key() -> SecretKey {
    SecretKey::from_bytes(std::array::from_fn(|i| 0x20 + i as u8))
}

fn identity() -> ServiceIdentity {
    ServiceIdentity {
        address: IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap(),
        device_id: DeviceId::parse("DVCAAAAAAAAAAAAAAAAA").unwrap(),
    }
}

fn file(expires_at: DateTime<Utc>) -> File {
    let owner = identity().address;
    File {
        id: FileId::parse(FILE_ID).unwrap(),
        secret_key: file_key(),
        owner: owner.clone(),
        created_at: now() - Duration::days(1),
        created_by: owner,
        created_by_device: identity().device_id,
        expires_at,
        filename: "report.pdf".into(),
        filesize: 1234,
        mimetype: "application/pdf".into(),
        title: Some("Report".into()),
        description: None,
        tags: vec![],
        ownership_token: None,
        ownership_is_locked: false,
        is_own: true,
        content: None,
    }
}

fn file_expiry() -> DateTime<Utc> {
    now() + Duration::days(30)
}

/// The ports of one test; each test states what it expects of them.
struct Ports {
    files: MockFileRepository,
    tokens: MockTokenRepository,
    backbone: MockBackboneTokens,
    hasher: MockPasswordHasher,
}

impl Ports {
    /// A stored File, a Backbone that accepts once, and no expectation on the token store.
    fn happy() -> Self {
        let mut ports = Self::with_file();
        ports
            .backbone
            .expect_create_token()
            .times(1)
            .returning(|_, _| Ok(created()));
        ports
    }

    /// The stored File; nothing expected of the Backbone or the token store yet.
    fn with_file() -> Self {
        let mut ports = Self::none();
        ports
            .files
            .expect_find_file()
            .returning(|_| Ok(Some(file(file_expiry()))));
        ports
    }

    fn none() -> Self {
        Self {
            files: MockFileRepository::new(),
            tokens: MockTokenRepository::new(),
            backbone: MockBackboneTokens::new(),
            hasher: MockPasswordHasher::new(),
        }
    }

    /// Expects one hash of `password` under the salt and answers [`HASH`].
    fn hashing(mut self, password: &'static str) -> Self {
        self.hasher
            .expect_hash()
            .withf(move |protection| protection.password == password && protection.salt == SALT)
            .times(1)
            .returning(|_| Ok(HASH));
        self
    }

    fn use_case(self) -> CreateTokenForFile {
        let mut clock = MockClock::new();
        clock.expect_now().returning(now);
        let mut random = MockRandomSource::new();
        random.expect_secret_key().returning(token_key);
        random
            .expect_nonce()
            .returning(|| std::array::from_fn(|i| 100 + i as u8));
        random.expect_salt().returning(|| SALT);
        CreateTokenForFile::new(Dependencies {
            files: Arc::new(self.files),
            tokens: Arc::new(self.tokens),
            backbone: Arc::new(self.backbone),
            // Tokens never touch Files on the Backbone: no expectation, any call fails.
            backbone_files: Arc::new(MockBackboneFiles::new()),
            password_hasher: Arc::new(self.hasher),
            clock: Arc::new(clock),
            random: Arc::new(random),
            identity: identity(),
            device_key: Arc::new(domain::SigningKeyPair::from_seed([9; 32])),
        })
    }
}

fn created() -> CreatedBackboneToken {
    CreatedBackboneToken {
        id: TokenId::parse(TOKEN_ID).unwrap(),
        created_at: DateTime::from_timestamp(1_795_000_000, 123_456_789).unwrap(),
    }
}

/// A request for the stored File with no options.
fn request() -> CreateTokenForFileRequest {
    CreateTokenForFileRequest {
        file_id: Some(FileId::parse(FILE_ID).unwrap()),
        ..Default::default()
    }
}

fn password(password: &str) -> PasswordInput {
    PasswordInput {
        password: password.into(),
        ..Default::default()
    }
}

async fn run(
    ports: Ports,
    request: CreateTokenForFileRequest,
) -> Result<CreatedToken, CreateTokenForFileError> {
    ports.use_case().execute(request).await
}

fn validation_message(result: Result<CreatedToken, CreateTokenForFileError>) -> String {
    match result {
        Err(CreateTokenForFileError::Validation(error)) => error.message,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn default_call_creates_an_ephemeral_token_that_opens_to_the_file() {
    let mut ports = Ports::with_file();
    ports
        .backbone
        .expect_create_token()
        .withf(|token, correlation| {
            token.expires_at == file_expiry()
                && token.for_identity.is_none()
                && token.password_hash.is_none()
                && correlation.is_none()
        })
        .times(1)
        .returning(|token, _| {
            // What the Backbone receives decrypts, with the key in the reference, to the File pointer.
            let container = CipherContainer::from_backbone_content(&token.content).unwrap();
            let plaintext = container.decrypt(&token_key()).unwrap();
            let content: TokenContentFile = serde_json::from_slice(&plaintext).unwrap();
            assert_eq!(
                content,
                TokenContentFile {
                    file_id: FileId::parse(FILE_ID).unwrap(),
                    secret_key: file_key()
                }
            );
            Ok(created())
        });
    ports.tokens.expect_insert_token().never();
    ports.hasher.expect_hash().never();

    let created = run(ports, request()).await.unwrap();

    assert!(created.is_ephemeral);
    let token = created.token;
    assert_eq!(token.id.as_str(), TOKEN_ID);
    assert_eq!(token.created_by, identity().address);
    assert_eq!(format_date(token.created_at), "2026-11-18T11:06:40.123Z");
    assert_eq!(format_date(token.expires_at), "2026-12-27T12:00:00.000Z");
    let reference = TokenReference::parse(&token.reference(BASE_URL).url().unwrap()).unwrap();
    assert_eq!(reference.key, token_key());
    assert_eq!(reference.backbone_base_url.as_deref(), Some(BASE_URL));
}

#[tokio::test]
async fn a_non_ephemeral_token_is_stored_with_every_field() {
    let mut ports = Ports::happy();
    let expected = Token {
        id: TokenId::parse(TOKEN_ID).unwrap(),
        is_own: true,
        created_by: identity().address,
        created_by_device: identity().device_id,
        content: TokenContentFile {
            file_id: FileId::parse(FILE_ID).unwrap(),
            secret_key: file_key(),
        }
        .into(),
        created_at: DateTime::from_timestamp(1_795_000_000, 123_000_000).unwrap(),
        expires_at: Utc.with_ymd_and_hms(2030, 1, 2, 1, 4, 5).unwrap(),
        for_identity: None,
        password_protection: None,
        secret_key: token_key(),
    };
    let stored = expected.clone();
    ports
        .tokens
        .expect_insert_token()
        .withf(move |token| *token == stored)
        .times(1)
        .returning(|_| Ok(()));
    let request = CreateTokenForFileRequest {
        expires_at: Some("2030-01-02T03:04:05+02:00".into()),
        ephemeral: Some(false),
        ..request()
    };

    let created = run(ports, request).await.unwrap();

    assert!(!created.is_ephemeral);
    assert_eq!(
        format_date(created.token.expires_at),
        "2030-01-02T01:04:05.000Z"
    );
    assert_eq!(created.token, expected);
}

#[tokio::test]
async fn a_qr_code_request_is_never_stored() {
    let mut ports = Ports::happy();
    ports.tokens.expect_insert_token().never();
    let request = CreateTokenForFileRequest {
        ephemeral: Some(false),
        force_ephemeral: true,
        ..request()
    };

    assert!(run(ports, request).await.unwrap().is_ephemeral);
}

#[tokio::test]
async fn a_password_is_hashed_by_the_hasher_and_shown_to_the_owner() {
    let mut ports = Ports::with_file().hashing("password");
    ports
        .backbone
        .expect_create_token()
        .withf(|token, _| token.password_hash == Some(HASH))
        .times(1)
        .returning(|_, _| Ok(created()));
    let request = CreateTokenForFileRequest {
        password_protection: Some(PasswordInput {
            location_indicator: Some(LocationIndicatorInput::Name("Letter".into())),
            ..password("password")
        }),
        ..request()
    };

    let token = run(ports, request).await.unwrap().token;

    let protection = token.password_protection.clone().unwrap();
    assert_eq!(
        (protection.password.as_str(), protection.password_type),
        ("password", PasswordType::Password)
    );
    assert_eq!(
        protection.location_indicator.and_then(|i| i.name()),
        Some("Letter")
    );
    let reference = TokenReference::parse(&token.reference(BASE_URL).truncated()).unwrap();
    let password = reference.password.unwrap();
    assert_eq!(
        (password.password_type.to_string(), password.salt),
        ("pw".to_owned(), SALT)
    );
    assert_eq!(password.location_indicator.map(|i| i.number()), Some(2));
}

#[tokio::test]
async fn a_pin_is_typed_by_its_length() {
    let request = CreateTokenForFileRequest {
        password_protection: Some(PasswordInput {
            is_pin: true,
            location_indicator: Some(LocationIndicatorInput::Whole(77)),
            ..password("123456")
        }),
        ..request()
    };

    let token = run(Ports::happy().hashing("123456"), request)
        .await
        .unwrap()
        .token;

    let protection = token.password_protection.clone().unwrap();
    assert_eq!(protection.password_type, PasswordType::Pin { digits: 6 });
    assert_eq!(
        protection.location_indicator,
        PasswordLocationIndicator::from_free_number(77)
    );
    let password = TokenReference::parse(&token.reference(BASE_URL).truncated())
        .unwrap()
        .password
        .unwrap();
    assert_eq!(password.password_type.to_string(), "pin6");
}

#[tokio::test]
async fn the_rules_after_the_schema_answer_the_references_messages_in_its_order() {
    let cases = [
        (
            CreateTokenForFileRequest {
                expires_at: Some("2001-01-01T00:00:00.000Z".into()),
                ..request()
            },
            "'expiresAt' must be in the future",
        ),
        (
            CreateTokenForFileRequest {
                expires_at: Some("2030-02-30".into()),
                ..request()
            },
            "expiresAt must match ISO8601 datetime format",
        ),
        (
            CreateTokenForFileRequest {
                password_protection: Some(PasswordInput {
                    is_pin: true,
                    ..password("12a4")
                }),
                ..request()
            },
            PIN_MESSAGE,
        ),
        (
            CreateTokenForFileRequest {
                password_protection: Some(PasswordInput {
                    location_indicator: Some(LocationIndicatorInput::Whole(49)),
                    ..password("x")
                }),
                ..request()
            },
            INDICATOR_MESSAGE,
        ),
        (
            CreateTokenForFileRequest {
                password_protection: Some(PasswordInput {
                    location_indicator: Some(LocationIndicatorInput::Name("sms".into())),
                    ..password("x")
                }),
                ..request()
            },
            INDICATOR_MESSAGE,
        ),
        (
            CreateTokenForFileRequest {
                password_protection: Some(PasswordInput {
                    location_indicator: Some(LocationIndicatorInput::Other),
                    ..password("x")
                }),
                ..request()
            },
            INDICATOR_MESSAGE,
        ),
        // The expiry before the password, the PIN before the indicator.
        (
            CreateTokenForFileRequest {
                expires_at: Some("2001-01-01T00:00:00Z".into()),
                password_protection: Some(PasswordInput {
                    is_pin: true,
                    ..password("12a4")
                }),
                ..request()
            },
            "'expiresAt' must be in the future",
        ),
        (
            CreateTokenForFileRequest {
                password_protection: Some(PasswordInput {
                    is_pin: true,
                    location_indicator: Some(LocationIndicatorInput::Whole(1000)),
                    ..password("12a4")
                }),
                ..request()
            },
            PIN_MESSAGE,
        ),
    ];
    for (request, message) in cases {
        let mut ports = Ports::none();
        ports.files.expect_find_file().never();
        ports.backbone.expect_create_token().never();

        assert_eq!(validation_message(run(ports, request).await), message);
    }
}

#[tokio::test]
async fn a_personalized_token_names_the_identity_in_the_reference() {
    let recipient =
        IdentityAddress::from_parts("backbone.example.com", "00112233445566778899").unwrap();
    let mut ports = Ports::with_file();
    let expected = recipient.clone();
    ports
        .backbone
        .expect_create_token()
        .withf(move |token, _| token.for_identity.as_ref() == Some(&expected))
        .times(1)
        .returning(|_, _| Ok(created()));
    let request = CreateTokenForFileRequest {
        for_identity: Some(recipient.to_string()),
        ..request()
    };

    let token = run(ports, request).await.unwrap().token;

    assert_eq!(token.for_identity.as_ref(), Some(&recipient));
    let reference = TokenReference::parse(&token.reference(BASE_URL).truncated()).unwrap();
    assert_eq!(
        reference.for_identity_last_four.as_deref(),
        Some(recipient.last_four())
    );
}

#[tokio::test]
async fn an_address_with_a_wrong_checksum_is_refused_before_the_backbone() {
    let mut ports = Ports::with_file();
    ports.backbone.expect_create_token().never();
    let request = CreateTokenForFileRequest {
        for_identity: Some("did:e:localhost:dids:0123456789abcdef012300".into()),
        ..request()
    };

    let message = validation_message(run(ports, request).await);

    assert!(message.starts_with("forIdentity 'did:e:localhost:dids:0123456789abcdef012300' is not a valid identity address"), "{message}");
}

#[tokio::test]
async fn a_correlation_id_reaches_the_backbone() {
    let mut ports = Ports::with_file();
    ports
        .backbone
        .expect_create_token()
        .withf(|_, correlation| correlation.as_deref() == Some("corr-1"))
        .times(1)
        .returning(|_, _| Ok(created()));
    let request = CreateTokenForFileRequest {
        correlation_id: Some("corr-1".into()),
        ..request()
    };

    run(ports, request).await.unwrap();
}

#[tokio::test]
async fn an_unknown_file_is_not_found_and_nothing_is_created() {
    let mut ports = Ports::none();
    ports
        .files
        .expect_find_file()
        .times(1)
        .returning(|_| Ok(None));
    ports.backbone.expect_create_token().never();

    assert!(matches!(
        run(ports, request()).await,
        Err(CreateTokenForFileError::FileNotFound)
    ));
}

#[tokio::test]
async fn an_id_that_only_contains_a_file_id_passes_validation_but_cannot_exist() {
    let mut ports = Ports::none();
    ports.files.expect_find_file().never();
    ports.backbone.expect_create_token().never();
    let request = CreateTokenForFileRequest {
        file_id: None,
        ..request()
    };

    assert!(matches!(
        run(ports, request).await,
        Err(CreateTokenForFileError::FileNotFound)
    ));
}

#[tokio::test]
async fn a_failing_file_store_creates_nothing() {
    let mut ports = Ports::none();
    ports
        .files
        .expect_find_file()
        .returning(|_| Err(RepositoryError::Unavailable("pool timed out".into())));
    ports.backbone.expect_create_token().never();

    assert!(matches!(
        run(ports, request()).await,
        Err(CreateTokenForFileError::FileLookup(
            RepositoryError::Unavailable(_)
        ))
    ));
}

#[tokio::test]
async fn an_expired_file_needs_an_explicit_expiry() {
    let mut ports = Ports::none();
    ports
        .files
        .expect_find_file()
        .returning(|_| Ok(Some(file(now() - Duration::seconds(1)))));
    ports.backbone.expect_create_token().never();

    let message = validation_message(run(ports, request()).await);
    assert_eq!(
        message,
        "The File expired at 2026-11-27T11:59:59.000Z, so the token cannot default to the File's expiry: pass an 'expiresAt' in the future"
    );

    let mut ports = Ports::happy();
    ports.files = MockFileRepository::new();
    ports
        .files
        .expect_find_file()
        .returning(|_| Ok(Some(file(now() - Duration::seconds(1)))));
    let request = CreateTokenForFileRequest {
        expires_at: Some("2030-01-01".into()),
        ..request()
    };
    assert!(run(ports, request).await.is_ok());
}

#[tokio::test]
async fn a_password_that_cannot_be_hashed_creates_nothing() {
    let mut ports = Ports::with_file();
    ports
        .hasher
        .expect_hash()
        .times(1)
        .returning(|_| Err(HashingError::Unavailable("threads stopped".into())));
    ports.backbone.expect_create_token().never();
    ports.tokens.expect_insert_token().never();
    let request = CreateTokenForFileRequest {
        password_protection: Some(password("password")),
        ..request()
    };

    assert!(matches!(
        run(ports, request).await,
        Err(CreateTokenForFileError::PasswordHashing(
            HashingError::Unavailable(_)
        ))
    ));
}

#[tokio::test]
async fn a_backbone_failure_stores_nothing() {
    let mut ports = Ports::with_file();
    ports
        .backbone
        .expect_create_token()
        .times(1)
        .returning(|_, _| {
            Err(BackboneError::QuotaExhausted {
                message: "quota".into(),
                retry_after: None,
            })
        });
    ports.tokens.expect_insert_token().never();
    let request = CreateTokenForFileRequest {
        ephemeral: Some(false),
        ..request()
    };

    let result = run(ports, request).await;
    assert!(matches!(
        result,
        Err(CreateTokenForFileError::Backbone(
            BackboneError::QuotaExhausted { .. }
        ))
    ));
}

#[tokio::test]
async fn a_token_that_cannot_be_stored_is_deleted_on_the_backbone_again() {
    let mut ports = Ports::happy();
    ports
        .tokens
        .expect_insert_token()
        .times(1)
        .returning(|_| Err(RepositoryError::Unavailable("down".into())));
    ports
        .backbone
        .expect_delete_token()
        .withf(|id, correlation_id| {
            id.as_str() == TOKEN_ID && correlation_id.as_deref() == Some("corr-1")
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let request = CreateTokenForFileRequest {
        ephemeral: Some(false),
        correlation_id: Some("corr-1".into()),
        ..request()
    };

    match run(ports, request).await {
        Err(CreateTokenForFileError::NotStored {
            token_id,
            source: RepositoryError::Unavailable(_),
            withdrawal: Withdrawal::Deleted,
        }) => {
            assert_eq!(token_id.as_str(), TOKEN_ID);
        }
        other => panic!("expected NotStored and Deleted, got {other:?}"),
    }
}

#[tokio::test]
async fn a_token_that_can_be_neither_stored_nor_deleted_says_so() {
    let mut ports = Ports::happy();
    ports
        .tokens
        .expect_insert_token()
        .times(1)
        .returning(|_| Err(RepositoryError::Unexpected("disk full".into())));
    ports
        .backbone
        .expect_delete_token()
        .times(1)
        .returning(|_, _| Err(BackboneError::Timeout(std::time::Duration::from_secs(60))));
    let request = CreateTokenForFileRequest {
        ephemeral: Some(false),
        ..request()
    };

    match run(ports, request).await {
        Err(
            error @ CreateTokenForFileError::NotStored {
                withdrawal: Withdrawal::Failed(BackboneError::Timeout(_)),
                ..
            },
        ) => {
            assert_eq!(
                error.to_string(),
                format!(
                    "token {TOKEN_ID} was created on the Backbone but could not be stored locally; \
                     deleting it on the Backbone failed too: the Backbone did not answer within 60s"
                )
            );
        }
        other => panic!("expected NotStored and Failed, got {other:?}"),
    }
}

#[tokio::test]
async fn an_ephemeral_token_is_never_stored_nor_deleted() {
    let mut ports = Ports::happy();
    ports.tokens.expect_insert_token().never();
    ports.backbone.expect_delete_token().never();
    let request = CreateTokenForFileRequest {
        ephemeral: Some(true),
        ..request()
    };

    let result = run(ports, request).await;

    assert!(result.is_ok(), "{result:?}");
}
