//! `FileRepository::list_files`: every filter operator, on four Files chosen so that each
//! condition tells them apart, against both the expected Files and the filter's own semantics
//! (`FileFilter::matches`, the Connector's MongoDB store), in creation order.

use application::files::list::Condition::{
    AtLeast, AtMost, Contains, EndsWith, Equals, Exists, GreaterThan, In, LessThan, NotEquals,
    NotExists, NotIn, StartsWith,
};
use application::files::list::FileField::{
    CreatedAt, CreatedBy, CreatedByDevice, Description, ExpiresAt, Filename, Filesize, IsOwn,
    Mimetype, OwnershipIsLocked, OwnershipToken, Title,
};
use application::files::list::FilterValue::{self, Boolean, Number, Text};
use application::files::list::{Condition, FileField, FileFilter};
use domain::{DeviceId, File};

use crate::Store;
use crate::fixtures::{address, full_file, time};

/// Own, locked, tagged `x:a` and `x:b`; created 2025-01-02T03:04:05.123456Z (`….123Z` as text).
const A: &str = "LISTAAAAAAAAAAAAA";
/// A peer's, every optional field empty, 5 GB; created a millisecond after A.
const B: &str = "LISTBBBBBBBBBBBBB";
/// Own, tagged `x:c`, by another identity and device; created at the end of 2024.
const C: &str = "LISTCCCCCCCCCCCCC";
/// Own, created half a millisecond before 1970 (its text is `1969-12-31T23:59:59.999Z`).
const D: &str = "LISTDDDDDDDDDDDDD";

fn files() -> [File; 4] {
    let a = File {
        created_at: time("2025-01-02T03:04:05.123456Z"),
        expires_at: time("2026-01-01T00:00:00Z"),
        filename: "Report_2025.PDF".into(),
        filesize: 4,
        mimetype: "application/pdf".into(),
        title: Some("Quarterly Report".into()),
        description: Some("50% done".into()),
        tags: vec!["x:a".into(), "x:b".into()],
        ownership_token: Some("TOKENA".into()),
        ownership_is_locked: true,
        is_own: true,
        ..full_file(A)
    };
    let b = File {
        created_at: time("2025-01-02T03:04:05.124Z"),
        filename: "ärger.txt".into(),
        filesize: 5_000_000_000,
        mimetype: "text/plain".into(),
        title: None,
        description: None,
        tags: Vec::new(),
        ownership_token: None,
        ownership_is_locked: false,
        is_own: false,
        ..a.clone()
    };
    let c = File {
        id: full_file(C).id,
        created_at: time("2024-12-31T23:59:59.999Z"),
        created_by: address("00000000000000000002"),
        created_by_device: DeviceId::from_random_part("CCCCCCCCCCCCCCCCC").expect("a fixture"),
        filename: "a.c".into(),
        filesize: 0,
        title: Some("Ärger".into()),
        description: Some(r"a\b_c".into()),
        tags: vec!["x:c".into()],
        ownership_token: Some("TOKENC".into()),
        ownership_is_locked: false,
        ..a.clone()
    };
    let d = File {
        id: full_file(D).id,
        created_at: time("1969-12-31T23:59:59.999500Z"),
        expires_at: time("9999-12-31T00:00:00Z"),
        filename: "ReportX2025.txt".into(),
        filesize: 1,
        title: Some("quarterly report".into()),
        description: Some("done".into()),
        tags: vec!["X:A".into()],
        ownership_token: Some("TOKEND".into()),
        ownership_is_locked: false,
        ..a.clone()
    };
    let b = File {
        id: full_file(B).id,
        ..b
    };
    [a, b, c, d]
}

/// Stores the four Files, not in creation order.
async fn stored(store: &dyn Store) -> [File; 4] {
    let files = files();
    for file in &files {
        store.files().insert_file(file).await.expect("stored");
    }
    files
}

/// `filter` lists exactly the Files `expected` (their ids' random parts, in creation order),
/// and those are the ones `FileFilter::matches` accepts.
async fn assert_lists(store: &dyn Store, stored: &[File], filter: FileFilter, expected: &[&str]) {
    let listed: Vec<String> = store
        .files()
        .list_files(&filter)
        .await
        .expect("listed")
        .iter()
        .map(|file| file.id.to_string())
        .collect();
    let mut by_creation = stored.to_vec();
    by_creation.sort_by_key(|file| file.created_at);
    let matching: Vec<String> = by_creation
        .iter()
        .filter(|file| filter.matches(file))
        .map(|file| file.id.to_string())
        .collect();
    let expected: Vec<String> = expected.iter().map(|id| format!("FIL{id}")).collect();
    assert_eq!(listed, expected, "{filter:?}");
    assert_eq!(matching, expected, "the reference semantics of {filter:?}");
}

async fn assert_field(
    store: &dyn Store,
    stored: &[File],
    field: FileField,
    condition: Condition,
    expected: &[&str],
) {
    assert_lists(
        store,
        stored,
        FileFilter::new().with(field, condition),
        expected,
    )
    .await;
}

fn text(value: &str) -> FilterValue {
    Text(value.into())
}

pub async fn a_list_without_conditions_holds_every_file_oldest_first(store: &dyn Store) {
    let files = stored(store).await;
    let listed = store
        .files()
        .list_files(&FileFilter::new())
        .await
        .expect("listed");
    let [a, b, c, d] = files;
    assert_eq!(listed, vec![d, c, a, b]);
}

pub async fn dates_are_filtered_as_their_iso_text(store: &dyn Store) {
    let files = stored(store).await;
    let check = |condition, expected| assert_field(store, &files, CreatedAt, condition, expected);
    // Microseconds are stored but the text has milliseconds, as the Connector's.
    check(Equals(text("2025-01-02T03:04:05.123Z")), &[A]).await;
    check(Equals(text("2025-01-02T03:04:05.123456Z")), &[]).await;
    check(Equals(text("2025-01-02T03:04:05.123+00:00")), &[]).await;
    check(NotEquals(text("2025-01-02T03:04:05.123Z")), &[D, C, B]).await;
    check(
        In(vec![
            text("2025-01-02T03:04:05.124Z"),
            text("1969-12-31T23:59:59.999Z"),
        ]),
        &[D, B],
    )
    .await;
    check(NotIn(vec![text("2025-01-02T03:04:05.124Z")]), &[D, C, A]).await;
    check(GreaterThan(text("2025")), &[A, B]).await;
    check(AtLeast(text("2025-01-02T03:04:05.124Z")), &[B]).await;
    check(LessThan(text("2025-01-02T03:04:05.124Z")), &[D, C, A]).await;
    check(AtMost(text("2024-12-31T23:59:59.999Z")), &[D, C]).await;
    check(StartsWith("1969-12-31T23:59:59.999".into()), &[D]).await;
    check(EndsWith(".999z".into()), &[D, C]).await;
    check(Contains("T03:04".into()), &[A, B]).await;
    check(Exists, &[D, C, A, B]).await;
    check(NotExists, &[]).await;
    // A number is no date: never ordered against one, never equal.
    check(GreaterThan(Number(2000.0)), &[]).await;
    check(NotEquals(Number(2025.0)), &[D, C, A, B]).await;
    assert_field(
        store,
        &files,
        ExpiresAt,
        StartsWith("9999-12-31T00:00:00.000".into()),
        &[D],
    )
    .await;
    assert_field(store, &files, ExpiresAt, LessThan(text("9999")), &[C, A, B]).await;
}

pub async fn texts_are_filtered_byte_by_byte_and_patterns_literally(store: &dyn Store) {
    let files = stored(store).await;
    let check = |condition, expected| assert_field(store, &files, Filename, condition, expected);
    check(Equals(text("a.c")), &[C]).await;
    check(Equals(text("A.C")), &[]).await;
    check(NotEquals(text("a.c")), &[D, A, B]).await;
    check(
        In(vec![text("a.c"), text("ärger.txt"), text("none")]),
        &[C, B],
    )
    .await;
    check(NotIn(vec![text("a.c"), text("ärger.txt")]), &[D, A]).await;
    // Bytes, not a locale: "R" < "Z" < "a" < "ä".
    check(GreaterThan(text("Z")), &[C, B]).await;
    check(LessThan(text("a")), &[D, A]).await;
    check(AtLeast(text("ärger.txt")), &[B]).await;
    check(AtMost(text("Report_2025.PDF")), &[D, A]).await;
    // Case-insensitive, across Unicode; `_`, `%`, `\` and `.` are themselves.
    check(StartsWith("REPORT".into()), &[D, A]).await;
    check(StartsWith("ÄRG".into()), &[B]).await;
    check(EndsWith(".pdf".into()), &[A]).await;
    check(Contains("t_2".into()), &[A]).await;
    check(Contains("a.c".into()), &[C]).await;
    check(Contains("a?c".into()), &[]).await;
    check(Contains(String::new()), &[D, C, A, B]).await;
    assert_field(store, &files, Description, Contains("%".into()), &[A]).await;
    assert_field(store, &files, Description, Contains(r"\b_".into()), &[C]).await;
    assert_field(store, &files, Title, Contains("ärg".into()), &[C]).await;
    assert_field(store, &files, Title, Equals(text("quarterly report")), &[D]).await;
    assert_field(store, &files, Mimetype, Equals(text("text/plain")), &[B]).await;
    let other = address("00000000000000000002").to_string();
    assert_field(store, &files, CreatedBy, Equals(Text(other)), &[C]).await;
    assert_field(
        store,
        &files,
        CreatedByDevice,
        EndsWith("cccc".into()),
        &[C],
    )
    .await;
    // A number or boolean is never a text.
    assert_field(store, &files, Filename, LessThan(Number(1.0)), &[]).await;
    assert_field(store, &files, Filename, Equals(Boolean(true)), &[]).await;
}

pub async fn absent_fields_pass_only_the_negations(store: &dyn Store) {
    let files = stored(store).await;
    for field in [Title, Description, OwnershipToken] {
        let check = |condition, expected| assert_field(store, &files, field, condition, expected);
        check(Exists, &[D, C, A]).await;
        check(NotExists, &[B]).await;
        check(NotEquals(text("none")), &[D, C, A, B]).await;
        check(NotIn(vec![text("none")]), &[D, C, A, B]).await;
        check(LessThan(text("\u{10ffff}")), &[D, C, A]).await;
        check(Contains(String::new()), &[D, C, A]).await;
    }
    assert_field(store, &files, OwnershipToken, Equals(text("TOKENA")), &[A]).await;
    assert_field(store, &files, OwnershipToken, In(Vec::new()), &[]).await;
    // Unlocked is absent, not `false`.
    let check =
        |condition, expected| assert_field(store, &files, OwnershipIsLocked, condition, expected);
    check(Exists, &[A]).await;
    check(NotExists, &[D, C, B]).await;
    check(Equals(Boolean(true)), &[A]).await;
    check(Equals(Boolean(false)), &[]).await;
    check(NotEquals(Boolean(true)), &[D, C, B]).await;
    check(GreaterThan(Boolean(false)), &[A]).await;
    check(LessThan(Boolean(true)), &[]).await;
    check(Equals(text("true")), &[]).await;
}

pub async fn numbers_and_booleans_match_values_of_their_type_only(store: &dyn Store) {
    let files = stored(store).await;
    let check = |condition, expected| assert_field(store, &files, Filesize, condition, expected);
    check(Equals(Number(4.0)), &[A]).await;
    check(Equals(Number(4.5)), &[]).await;
    check(Equals(text("4")), &[]).await;
    check(NotEquals(text("4")), &[D, C, A, B]).await;
    check(NotEquals(Number(4.0)), &[D, C, B]).await;
    check(In(vec![Number(0.0), Number(5e9)]), &[C, B]).await;
    check(NotIn(vec![Number(0.0), text("1")]), &[D, A, B]).await;
    check(GreaterThan(Number(3.5)), &[A, B]).await;
    check(GreaterThan(Number(4.0)), &[B]).await;
    check(AtLeast(Number(0.5)), &[D, A, B]).await;
    check(LessThan(Number(1.0)), &[C]).await;
    check(AtMost(Number(1.5)), &[D, C]).await;
    check(GreaterThan(Number(1e300)), &[]).await;
    check(LessThan(Number(1e300)), &[D, C, A, B]).await;
    check(AtLeast(Number(-1e300)), &[D, C, A, B]).await;
    check(AtMost(Number(-1.0)), &[]).await;
    check(StartsWith("4".into()), &[]).await;
    check(Exists, &[D, C, A, B]).await;
    let check = |condition, expected| assert_field(store, &files, IsOwn, condition, expected);
    check(Equals(Boolean(true)), &[D, C, A]).await;
    check(Equals(Boolean(false)), &[B]).await;
    check(NotEquals(Boolean(true)), &[B]).await;
    check(In(vec![Boolean(true), Boolean(false)]), &[D, C, A, B]).await;
    check(GreaterThan(Boolean(false)), &[D, C, A]).await;
    check(AtLeast(Boolean(false)), &[D, C, A, B]).await;
    check(LessThan(Boolean(true)), &[B]).await;
    check(LessThan(Boolean(false)), &[]).await;
    check(Equals(text("true")), &[]).await;
    check(Equals(Number(1.0)), &[]).await;
    check(NotEquals(Number(1.0)), &[D, C, A, B]).await;
}

pub async fn tags_match_any_listed_tag_exactly(store: &dyn Store) {
    let files = stored(store).await;
    let tags = |tags: &[&str]| {
        FileFilter::new().with_any_tag(tags.iter().map(|t| (*t).to_owned()).collect())
    };
    assert_lists(store, &files, tags(&["x:a"]), &[A]).await;
    assert_lists(store, &files, tags(&["x:c", "x:b"]), &[C, A]).await;
    assert_lists(store, &files, tags(&["X:A"]), &[D]).await;
    assert_lists(store, &files, tags(&["x:", "%"]), &[]).await;
    assert_lists(store, &files, tags(&[]), &[]).await;
}

pub async fn every_condition_of_a_list_must_hold(store: &dyn Store) {
    let files = stored(store).await;
    let own_reports = FileFilter::new()
        .with(IsOwn, Equals(Boolean(true)))
        .with(Filename, StartsWith("report".into()));
    assert_lists(store, &files, own_reports.clone(), &[D, A]).await;
    let locked = own_reports.clone().with(OwnershipIsLocked, Exists);
    assert_lists(store, &files, locked, &[A]).await;
    let contradiction = own_reports.with(Filesize, Equals(text("4")));
    assert_lists(store, &files, contradiction, &[]).await;
}
