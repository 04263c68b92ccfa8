//! The filter's semantics (those of the Connector's MongoDB store) on one File, and the use
//! case's owner restriction against a mocked repository.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use domain::{DeviceId, File, FileId, IdentityAddress, SecretKey, SigningKeyPair};

use super::Condition::{
    AtLeast, AtMost, Contains, EndsWith, Equals, Exists, GreaterThan, In, LessThan, NotEquals,
    NotExists, NotIn, StartsWith,
};
use super::FilterValue::{Boolean, Number, Text};
use super::{
    Condition, FileField, FileFilter, FilterValue, ListFiles, ListFilesError, ListFilesRequest,
    OwnerRestriction,
};
use crate::ports::{
    MockBackboneFiles, MockBackboneTokens, MockClock, MockFileRepository, MockPasswordHasher,
    MockRandomSource, MockTokenRepository, RepositoryError,
};
use crate::{Dependencies, ServiceIdentity};

fn address() -> IdentityAddress {
    IdentityAddress::from_parts("localhost", "0123456789abcdef0123").unwrap()
}

/// Created 2025-10-27T12:00:00.123Z, 4 bytes, titled, described, tagged, its ownership locked.
fn file() -> File {
    File {
        id: FileId::parse("FILa1b2c3d4e5f6g7h8i").unwrap(),
        secret_key: SecretKey::from_bytes([7; 32]),
        owner: address(),
        created_at: Utc.timestamp_millis_opt(1_761_566_400_123).unwrap(),
        created_by: address(),
        created_by_device: DeviceId::parse("DVCa1b2c3d4e5f6g7h8i").unwrap(),
        expires_at: Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).unwrap(),
        filename: "Ärger.TXT".into(),
        filesize: 4,
        mimetype: "text/plain".into(),
        title: Some("File Title".into()),
        description: Some("a.c".into()),
        tags: vec!["x:a".into(), "x:b".into()],
        ownership_token: Some("TOKEN".into()),
        ownership_is_locked: true,
        is_own: true,
        content: None,
    }
}

fn bare() -> File {
    File {
        title: None,
        description: None,
        tags: vec![],
        ownership_token: None,
        ownership_is_locked: false,
        is_own: false,
        ..file()
    }
}

fn passes(field: FileField, condition: Condition, file: &File) -> bool {
    FileFilter::new().with(field, condition).matches(file)
}

fn text(value: &str) -> FilterValue {
    Text(value.into())
}

#[test]
fn dates_are_their_iso_text() {
    use FileField::CreatedAt;
    let file = file();
    assert!(passes(
        CreatedAt,
        Equals(text("2025-10-27T12:00:00.123Z")),
        &file
    ));
    // Another text of the same instant is another value, as on Mongo.
    assert!(!passes(
        CreatedAt,
        Equals(text("2025-10-27T12:00:00.123+00:00")),
        &file
    ));
    assert!(passes(CreatedAt, GreaterThan(text("2025-10-27")), &file));
    assert!(passes(
        CreatedAt,
        LessThan(text("2025-10-27T12:00:00.124Z")),
        &file
    ));
    assert!(!passes(
        CreatedAt,
        LessThan(text("2025-10-27T12:00:00.123Z")),
        &file
    ));
    assert!(passes(
        CreatedAt,
        AtMost(text("2025-10-27T12:00:00.123Z")),
        &file
    ));
    assert!(passes(CreatedAt, StartsWith("2025-10".into()), &file));
    assert!(passes(CreatedAt, EndsWith(".123z".into()), &file));
    // A number is never a date, even one that prefixes it.
    assert!(!passes(CreatedAt, GreaterThan(Number(2000.0)), &file));
}

#[test]
fn values_of_another_type_never_equal_and_never_order() {
    let file = file();
    assert!(!passes(FileField::Filesize, Equals(text("4")), &file));
    assert!(passes(FileField::Filesize, NotEquals(text("4")), &file));
    assert!(passes(FileField::Filesize, Equals(Number(4.0)), &file));
    assert!(!passes(FileField::Filesize, Equals(Number(4.5)), &file));
    assert!(passes(FileField::Filesize, GreaterThan(Number(3.5)), &file));
    assert!(passes(FileField::Filesize, AtMost(Number(4.0)), &file));
    assert!(!passes(FileField::Filesize, LessThan(Number(4.0)), &file));
    assert!(!passes(FileField::Filesize, StartsWith("4".into()), &file));
    assert!(!passes(FileField::Title, Equals(Number(123.0)), &file));
    assert!(!passes(
        FileField::Title,
        GreaterThan(Boolean(false)),
        &file
    ));
    assert!(!passes(FileField::IsOwn, Equals(text("true")), &file));
    assert!(!passes(FileField::IsOwn, Equals(Number(1.0)), &file));
}

#[test]
fn absent_fields_pass_only_the_negative_conditions() {
    let bare = bare();
    for field in [
        FileField::Title,
        FileField::Description,
        FileField::OwnershipToken,
        FileField::OwnershipIsLocked,
    ] {
        assert!(!passes(field, Exists, &bare), "{field:?}");
        assert!(passes(field, NotExists, &bare), "{field:?}");
        assert!(passes(field, NotEquals(text("x")), &bare), "{field:?}");
        assert!(passes(field, NotIn(vec![text("x")]), &bare), "{field:?}");
        assert!(!passes(field, LessThan(text("zzz")), &bare), "{field:?}");
        assert!(!passes(field, Contains(String::new()), &bare), "{field:?}");
        assert!(passes(field, Exists, &file()), "{field:?}");
    }
    // An unlocked ownership is absent, not `false`.
    let locked = FileField::OwnershipIsLocked;
    assert!(!passes(locked, Equals(Boolean(false)), &bare));
    assert!(passes(locked, Equals(Boolean(true)), &file()));
    assert!(passes(locked, NotEquals(Boolean(true)), &bare));
}

#[test]
fn booleans_order_false_before_true() {
    let (own, peer) = (file(), bare());
    assert!(passes(FileField::IsOwn, GreaterThan(Boolean(false)), &own));
    assert!(!passes(
        FileField::IsOwn,
        GreaterThan(Boolean(false)),
        &peer
    ));
    assert!(passes(FileField::IsOwn, AtLeast(Boolean(false)), &peer));
    assert!(passes(FileField::IsOwn, LessThan(Boolean(true)), &peer));
    assert!(!passes(FileField::IsOwn, LessThan(Boolean(false)), &peer));
}

#[test]
fn patterns_are_literal_and_case_insensitive_across_unicode() {
    let file = file();
    assert!(passes(FileField::Filename, StartsWith("ärg".into()), &file));
    assert!(passes(FileField::Filename, EndsWith(".txt".into()), &file));
    assert!(passes(FileField::Filename, Contains("GER".into()), &file));
    assert!(!passes(FileField::Filename, Contains("r.e".into()), &file));
    assert!(passes(
        FileField::Description,
        Contains("a.c".into()),
        &file
    ));
    assert!(!passes(
        FileField::Description,
        Contains("abc".into()),
        &file
    ));
    assert!(!passes(FileField::Title, Contains("title%".into()), &file));
    assert!(passes(FileField::Title, Contains(String::new()), &file));
}

#[test]
fn texts_compare_byte_by_byte() {
    let file = file();
    // "F" (0x46) < "f" (0x66) < "Ä" (0xC3 …): no locale folds case or accents.
    assert!(passes(FileField::Title, LessThan(text("f")), &file));
    assert!(passes(FileField::Filename, GreaterThan(text("z")), &file));
    assert!(!passes(FileField::Title, Equals(text("file title")), &file));
}

#[test]
fn lists_match_one_or_none_of_their_values() {
    let file = file();
    let values = vec![text("text/html"), text("text/plain")];
    assert!(passes(FileField::Mimetype, In(values.clone()), &file));
    assert!(!passes(FileField::Mimetype, NotIn(values), &file));
    assert!(!passes(FileField::Mimetype, In(vec![]), &file));
    assert!(passes(
        FileField::Filesize,
        In(vec![text("4"), Number(4.0)]),
        &file
    ));
}

#[test]
fn tags_match_any_listed_tag_exactly() {
    let file = file();
    let any = |tags: &[&str]| {
        FileFilter::new()
            .with_any_tag(tags.iter().map(|t| (*t).to_owned()).collect())
            .matches(&file)
    };
    assert!(any(&["x:a"]));
    assert!(any(&["x:z", "x:b"]));
    assert!(!any(&["X:A"]));
    assert!(!any(&["x:"]));
    assert!(
        !FileFilter::new()
            .with_any_tag(vec!["x:a".into()])
            .matches(&bare())
    );
}

#[test]
fn every_condition_must_hold() {
    let filter = FileFilter::new()
        .with(FileField::Filesize, Equals(Number(4.0)))
        .with(FileField::Title, Equals(text("other")));
    assert!(!filter.matches(&file()));
    assert!(FileFilter::new().matches(&file()));
}

#[test]
fn the_owner_restriction_replaces_every_is_own_condition() {
    let filter = FileFilter::new()
        .with(FileField::IsOwn, Equals(Boolean(false)))
        .with(FileField::Filesize, Equals(Number(4.0)))
        .with(FileField::IsOwn, NotExists);
    assert_eq!(
        filter.restricted_to(true),
        FileFilter::new()
            .with(FileField::Filesize, Equals(Number(4.0)))
            .with(FileField::IsOwn, Equals(Boolean(true)))
    );
}

fn deps(files: MockFileRepository) -> Dependencies {
    Dependencies {
        files: Arc::new(files),
        tokens: Arc::new(MockTokenRepository::new()),
        backbone: Arc::new(MockBackboneTokens::new()),
        backbone_files: Arc::new(MockBackboneFiles::new()),
        password_hasher: Arc::new(MockPasswordHasher::new()),
        clock: Arc::new(MockClock::new()),
        random: Arc::new(MockRandomSource::new()),
        identity: ServiceIdentity {
            address: address(),
            device_id: DeviceId::parse("DVCa1b2c3d4e5f6g7h8i").unwrap(),
        },
        device_key: Arc::new(SigningKeyPair::from_seed([9; 32])),
    }
}

async fn listed(owner: OwnerRestriction, filter: FileFilter, expected: FileFilter) -> Vec<File> {
    let mut files = MockFileRepository::new();
    files
        .expect_list_files()
        .withf(move |asked| *asked == expected)
        .times(1)
        .returning(|_| Ok(vec![file()]));
    ListFiles::new(deps(files))
        .execute(ListFilesRequest { filter, owner })
        .await
        .unwrap()
}

#[tokio::test]
async fn own_and_peer_lists_ask_for_is_own_whatever_the_filter_says() {
    let filter = FileFilter::new().with(FileField::IsOwn, Equals(Boolean(false)));
    let own = FileFilter::new().with(FileField::IsOwn, Equals(Boolean(true)));
    assert_eq!(
        listed(OwnerRestriction::Own, filter.clone(), own).await,
        vec![file()]
    );
    let peer = FileFilter::new().with(FileField::IsOwn, Equals(Boolean(false)));
    listed(OwnerRestriction::Peer, FileFilter::new(), peer).await;
    listed(OwnerRestriction::Any, filter.clone(), filter).await;
}

#[tokio::test]
async fn a_failing_store_is_a_lookup_error() {
    let mut files = MockFileRepository::new();
    files
        .expect_list_files()
        .returning(|_| Err(RepositoryError::Unavailable("down".into())));
    let error = ListFiles::new(deps(files))
        .execute(ListFilesRequest::default())
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        ListFilesError::Lookup(RepositoryError::Unavailable(_))
    ));
}
