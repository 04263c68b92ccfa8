use std::path::Path;
use std::time::Duration;

use adapters_sqlite::test_support::TestDatabase;
use application::ports::{IdentitySecrets, RepositoryError, StoredIdentity};
use domain::{DevicePassword, File, FileId, IdentityAddress, SecretKey, SignaturePublicKey};

use super::*;

fn parse(connection_string: Option<&str>) -> Result<StorageLocation, StorageError> {
    StorageLocation::parse(connection_string, Path::new("/var/lib/connector"))
}

fn sqlite_path(connection_string: Option<&str>) -> PathBuf {
    match parse(connection_string) {
        Ok(StorageLocation::Sqlite { path }) => path,
        other => panic!("expected SQLite, got {other:?}"),
    }
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap()
}

#[test]
fn no_connection_string_means_sqlite_in_the_data_directory() {
    assert_eq!(
        sqlite_path(None),
        Path::new("/var/lib/connector/connector.sqlite")
    );
    let relative = StorageLocation::parse(None, Path::new("data")).unwrap();
    assert_eq!(
        relative.description(),
        format!(
            "SQLite at {}",
            cwd().join("data/connector.sqlite").display()
        )
    );
}

#[test]
fn sqlite_urls_name_a_file_relative_to_the_working_directory_or_absolute() {
    assert_eq!(
        sqlite_path(Some("sqlite://db/connector.sqlite")),
        cwd().join("db/connector.sqlite")
    );
    assert_eq!(
        sqlite_path(Some("sqlite:///srv/connector.sqlite")),
        Path::new("/srv/connector.sqlite")
    );
    assert_eq!(sqlite_path(Some("SQLite://x.db")), cwd().join("x.db"));
    assert_eq!(
        parse(Some("sqlite:///srv/connector.sqlite"))
            .unwrap()
            .description(),
        "SQLite at /srv/connector.sqlite"
    );
}

#[test]
fn sqlite_without_a_path_is_refused() {
    assert!(matches!(
        parse(Some("sqlite://")),
        Err(StorageError::EmptySqlitePath)
    ));
}

#[test]
fn postgres_urls_choose_postgresql() {
    for url in [
        "postgres://u:p@db:5432/connector",
        "postgresql://db/connector",
        "POSTGRES://db/connector",
    ] {
        assert!(
            matches!(parse(Some(url)), Ok(StorageLocation::Postgres { ref url }) if !url.expose_secret().is_empty()),
            "{url}"
        );
    }
}

#[test]
fn the_postgres_description_names_host_and_database_only() {
    let cases = [
        (
            "postgres://user:hunter2@db.example:5432/connector?sslmode=require&password=hunter2",
            "PostgreSQL at db.example:5432/connector",
        ),
        (
            "postgresql://us%40er:hun@ter2@[::1]:5433/x",
            "PostgreSQL at [::1]:5433/x",
        ),
        (
            "postgres://localhost",
            "PostgreSQL at localhost (default database)",
        ),
        (
            "postgres://db?password=hunter2",
            "PostgreSQL at db (default database)",
        ),
        (
            "postgresql:///connector?host=/run/postgresql",
            "PostgreSQL at (default host)/connector",
        ),
    ];
    for (url, expected) in cases {
        let location = parse(Some(url)).unwrap();
        assert_eq!(location.description(), expected, "{url}");
        assert!(!format!("{location:?}").contains("hunter2"));
    }
}

#[test]
fn other_connection_strings_are_refused_without_showing_them() {
    let cases = [
        ("mysql://root:hunter2@db/x", Some("mysql")),
        ("host=db password=hunter2", None),
        ("user:hunter2@db://x", None),
        ("://hunter2", None),
    ];
    for (connection_string, scheme) in cases {
        let error = parse(Some(connection_string)).unwrap_err();
        assert!(
            matches!(&error, StorageError::UnsupportedConnectionString { scheme: s } if s.as_deref() == scheme),
            "{connection_string}: {error:?}"
        );
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }
    assert_eq!(
        parse(Some("mysql://db/x")).unwrap_err().to_string(),
        "database.connectionString must start with postgres://, postgresql:// or sqlite:// (not mysql://)"
    );
}

fn a_file() -> File {
    let address = IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap();
    File {
        id: FileId::from_random_part("STORAGEAAAAAAAAAA").unwrap(),
        secret_key: SecretKey::from_bytes([9; 32]),
        owner: address.clone(),
        created_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        created_by: address,
        created_by_device: domain::DeviceId::from_random_part("AAAAAAAAAAAAAAAAA").unwrap(),
        expires_at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        filename: "a.txt".to_owned(),
        filesize: 1,
        mimetype: "text/plain".to_owned(),
        title: None,
        description: None,
        tags: Vec::new(),
        ownership_token: None,
        ownership_is_locked: false,
        is_own: true,
        content: None,
    }
}

const POOL: PoolSettings = PoolSettings {
    max_size: 2,
    connect_timeout: Duration::from_secs(5),
};

#[tokio::test]
async fn without_a_connection_string_a_migrated_sqlite_file_is_opened_in_the_data_directory() {
    let scratch = TestDatabase::create_empty();
    let data_dir = scratch.directory().join("data");

    let storage = open_storage(None, &data_dir, POOL).await.unwrap();

    let path = data_dir.join(SQLITE_FILE_NAME);
    assert_eq!(storage.description, format!("SQLite at {}", path.display()));
    let sqlite_migrations =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sqlite"))
            .unwrap()
            .count();
    assert_eq!(storage.applied_migrations.len(), sqlite_migrations);
    assert!(storage.health.is_healthy().await);
    let file = a_file();
    storage.files.insert_file(&file).await.unwrap();
    assert_eq!(storage.files.find_file(&file.id).await.unwrap(), Some(file));

    let again = open_storage(
        Some(&format!("sqlite://{}", path.display())),
        Path::new("/nowhere"),
        POOL,
    )
    .await
    .unwrap();
    assert!(again.applied_migrations.is_empty());
    assert_eq!(again.description, storage.description);
}

fn a_pending_identity() -> StoredIdentity {
    StoredIdentity {
        address: IdentityAddress::from_parts("localhost", "00000000000000000abc").unwrap(),
        public_key: SignaturePublicKey::from_bytes([1; 32]),
        secrets: IdentitySecrets {
            identity_seed: [2; 32],
            device_seed: [3; 32],
            device_password: DevicePassword::new("password".to_owned()),
        },
        device: None,
        datawallet_initialized: false,
    }
}

#[tokio::test]
async fn the_identity_repository_is_built_from_the_secrets_key_over_the_opened_storage() {
    let scratch = TestDatabase::create_empty();
    let storage = open_storage(None, scratch.directory(), POOL).await.unwrap();
    let identity = a_pending_identity();

    let identities = storage.identity_repository(SecretKey::from_bytes([7; 32]));
    identities.save_identity(&identity).await.unwrap();

    let found = identities.find_identity().await.unwrap().unwrap();
    assert_eq!(found.address, identity.address);
    assert_eq!(found.secrets.device_password.expose(), "password");
    let error = storage
        .identity_repository(SecretKey::from_bytes([8; 32]))
        .find_identity()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, RepositoryError::Undecryptable { id } if id == identity.address.as_str()),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_unreachable_postgresql_fails_at_start_without_showing_the_password() {
    let pool = PoolSettings {
        max_size: 1,
        connect_timeout: Duration::from_millis(300),
    };

    let error = open_storage(
        Some("postgres://user:hunter2@127.0.0.1:1/connector"),
        Path::new("/nowhere"),
        pool,
    )
    .await
    .unwrap_err();

    assert!(
        matches!(error, StorageError::PostgresMigrations { .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("PostgreSQL at 127.0.0.1:1/connector"),
        "{error}"
    );
    assert!(!format!("{error:?}").contains("hunter2"), "{error:?}");
}
