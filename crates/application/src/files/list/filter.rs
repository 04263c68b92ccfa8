//! [`FileFilter`]: which stored Files a list answers, with the semantics the Connector's
//! queries have on its MongoDB store, written down once as [`FileFilter::matches`] (every
//! repository must select exactly the Files it accepts; the repository contract checks it).
//!
//! What Mongo does, and so every filter here:
//! - a value is compared only with a field of its own type (text, number, boolean): `title=123`
//!   (a number) matches no title, and `filesize=!abc` every File;
//! - dates (`createdAt`, `expiresAt`) are the stored ISO text `YYYY-MM-DDTHH:mm:ss.SSSZ`:
//!   equality and order are those of that text, byte by byte;
//! - an absent field (no title, no description, no ownership token, an unlocked ownership) fails
//!   every condition but `NotExists`, `NotEquals` and `NotIn`;
//! - texts compare byte by byte (UTF-8, Mongo's default collation).
//!
//! One difference, on purpose: the runtime turns `^x`, `$x` and `~x` into a regular expression
//! of the user's text, unescaped, so `~a.c` also matches `abc` and `~(` fails the request. Here
//! the text is matched literally ([`Condition::StartsWith`] and its siblings), which is what a
//! client typing a file name means and cannot fail.

use std::borrow::Cow;
use std::cmp::Ordering;

use domain::File;
use domain::date::format_date;

use super::value::FilterValue;

/// A field of a stored File that a filter tests, named as the Connector's query keys (all
/// but `tags`, which has a condition of its own: [`FileCondition::HasAnyTag`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileField {
    CreatedAt,
    CreatedBy,
    CreatedByDevice,
    Description,
    ExpiresAt,
    Filename,
    Filesize,
    Mimetype,
    Title,
    IsOwn,
    OwnershipToken,
    OwnershipIsLocked,
}

/// What a File holds in a [`FileField`], as the Connector's store holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text every File has.
    Text,
    /// Text a File may lack (`title`, `description`, `ownershipToken`).
    OptionalText,
    /// An instant, stored and compared as its ISO text.
    Date,
    Number,
    Boolean,
    /// `true` or absent, never `false` (`ownershipIsLocked`).
    TrueOrAbsent,
}

impl FileField {
    pub const ALL: [Self; 12] = [
        Self::CreatedAt,
        Self::CreatedBy,
        Self::CreatedByDevice,
        Self::Description,
        Self::ExpiresAt,
        Self::Filename,
        Self::Filesize,
        Self::Mimetype,
        Self::Title,
        Self::IsOwn,
        Self::OwnershipToken,
        Self::OwnershipIsLocked,
    ];

    /// The query key (and File DTO member) of the field.
    pub fn name(self) -> &'static str {
        match self {
            Self::CreatedAt => "createdAt",
            Self::CreatedBy => "createdBy",
            Self::CreatedByDevice => "createdByDevice",
            Self::Description => "description",
            Self::ExpiresAt => "expiresAt",
            Self::Filename => "filename",
            Self::Filesize => "filesize",
            Self::Mimetype => "mimetype",
            Self::Title => "title",
            Self::IsOwn => "isOwn",
            Self::OwnershipToken => "ownershipToken",
            Self::OwnershipIsLocked => "ownershipIsLocked",
        }
    }

    /// The field a query key names.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.name() == name)
    }

    pub fn kind(self) -> FieldKind {
        match self {
            Self::CreatedBy | Self::CreatedByDevice | Self::Filename | Self::Mimetype => {
                FieldKind::Text
            }
            Self::Description | Self::Title | Self::OwnershipToken => FieldKind::OptionalText,
            Self::CreatedAt | Self::ExpiresAt => FieldKind::Date,
            Self::Filesize => FieldKind::Number,
            Self::IsOwn => FieldKind::Boolean,
            Self::OwnershipIsLocked => FieldKind::TrueOrAbsent,
        }
    }

    /// What `file` holds in this field, `None` when it is absent.
    pub fn value_of(self, file: &File) -> Option<FieldValue<'_>> {
        fn text(value: &str) -> Option<FieldValue<'_>> {
            Some(FieldValue::Text(Cow::Borrowed(value)))
        }
        match self {
            Self::CreatedAt => Some(FieldValue::Text(Cow::Owned(format_date(file.created_at)))),
            Self::ExpiresAt => Some(FieldValue::Text(Cow::Owned(format_date(file.expires_at)))),
            Self::CreatedBy => text(file.created_by.as_str()),
            Self::CreatedByDevice => text(file.created_by_device.as_str()),
            Self::Description => file.description.as_deref().and_then(text),
            Self::Filename => text(&file.filename),
            Self::Filesize => Some(FieldValue::Number(file.filesize)),
            Self::Mimetype => text(&file.mimetype),
            Self::Title => file.title.as_deref().and_then(text),
            Self::IsOwn => Some(FieldValue::Boolean(file.is_own)),
            Self::OwnershipToken => file.ownership_token.as_deref().and_then(text),
            Self::OwnershipIsLocked => file
                .ownership_is_locked
                .then_some(FieldValue::Boolean(true)),
        }
    }
}

/// A value a File holds in a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue<'a> {
    Text(Cow<'a, str>),
    Number(u64),
    Boolean(bool),
    /// An embedded document (a Token's password protection): it exists, and no query value
    /// equals or orders against it.
    Object,
}

impl FieldValue<'_> {
    /// How this value compares with `value`, `None` when their types differ (Mongo's type
    /// bracketing: such a pair is neither equal nor ordered).
    pub fn compare(&self, value: &FilterValue) -> Option<Ordering> {
        match (self, value) {
            (Self::Text(held), FilterValue::Text(text)) => {
                Some(held.as_bytes().cmp(text.as_bytes()))
            }
            (Self::Number(held), FilterValue::Number(number)) => compare_exactly(*held, *number),
            (Self::Boolean(held), FilterValue::Boolean(boolean)) => Some(held.cmp(boolean)),
            _ => None,
        }
    }
}

/// `held` against `number` without rounding either (Mongo compares 64-bit integers and doubles
/// exactly).
fn compare_exactly(held: u64, number: f64) -> Option<Ordering> {
    /// 2^64, exactly representable.
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;
    if number.is_nan() {
        return None;
    }
    if number < 0.0 {
        return Some(Ordering::Greater);
    }
    if number >= LIMIT {
        return Some(Ordering::Less);
    }
    let whole = number.trunc();
    // In range and integral: the conversion is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let whole_int = whole as u64;
    Some(held.cmp(&whole_int).then(if number > whole {
        Ordering::Less
    } else {
        Ordering::Equal
    }))
}

/// One test of one field. `In` and `NotIn` come from a repeated query key; the texts of
/// `StartsWith`, `EndsWith` and `Contains` are matched literally and case-insensitively.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Exists,
    NotExists,
    Equals(FilterValue),
    /// Also true when the field is absent.
    NotEquals(FilterValue),
    /// Equals one of the values (none: no File).
    In(Vec<FilterValue>),
    /// Equals none of the values; also true when the field is absent.
    NotIn(Vec<FilterValue>),
    GreaterThan(FilterValue),
    AtLeast(FilterValue),
    LessThan(FilterValue),
    AtMost(FilterValue),
    StartsWith(String),
    EndsWith(String),
    Contains(String),
}

impl Condition {
    /// Whether a field holding `held` (`None`: absent) passes.
    pub fn holds(&self, held: Option<&FieldValue<'_>>) -> bool {
        let equals = |value: &FilterValue| {
            held.and_then(|held| held.compare(value)) == Some(Ordering::Equal)
        };
        let ordered = |value: &FilterValue, accept: fn(Ordering) -> bool| {
            held.and_then(|held| held.compare(value))
                .is_some_and(accept)
        };
        let text = || match held {
            Some(FieldValue::Text(text)) => Some(simple_lowercase(text)),
            _ => None,
        };
        match self {
            Self::Exists => held.is_some(),
            Self::NotExists => held.is_none(),
            Self::Equals(value) => equals(value),
            Self::NotEquals(value) => !equals(value),
            Self::In(values) => values.iter().any(equals),
            Self::NotIn(values) => !values.iter().any(equals),
            Self::GreaterThan(value) => ordered(value, Ordering::is_gt),
            Self::AtLeast(value) => ordered(value, Ordering::is_ge),
            Self::LessThan(value) => ordered(value, Ordering::is_lt),
            Self::AtMost(value) => ordered(value, Ordering::is_le),
            Self::StartsWith(start) => {
                text().is_some_and(|t| t.starts_with(&simple_lowercase(start)))
            }
            Self::EndsWith(end) => text().is_some_and(|t| t.ends_with(&simple_lowercase(end))),
            Self::Contains(part) => text().is_some_and(|t| t.contains(&simple_lowercase(part))),
        }
    }
}

/// `text` with every character replaced by its simple (one-character) Unicode lowercase
/// mapping: how texts are compared case-insensitively, here and in every repository
/// (PostgreSQL's `lower()` under a UTF-8 locale maps the same way).
pub fn simple_lowercase(text: &str) -> String {
    text.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

/// One condition of a [`FileFilter`].
#[derive(Debug, Clone, PartialEq)]
pub enum FileCondition {
    Field {
        field: FileField,
        condition: Condition,
    },
    /// The File has at least one of these tags (exactly, case-sensitive).
    HasAnyTag(Vec<String>),
}

impl FileCondition {
    pub fn holds_for(&self, file: &File) -> bool {
        match self {
            Self::Field { field, condition } => condition.holds(field.value_of(file).as_ref()),
            Self::HasAnyTag(tags) => tags.iter().any(|tag| file.tags.contains(tag)),
        }
    }
}

/// Conditions a listed File passes all of; none: every File.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FileFilter {
    conditions: Vec<FileCondition>,
}

impl FileFilter {
    /// The filter every File passes.
    pub fn new() -> Self {
        Self::default()
    }

    /// This filter and `condition` on `field`.
    #[must_use]
    pub fn with(mut self, field: FileField, condition: Condition) -> Self {
        self.conditions
            .push(FileCondition::Field { field, condition });
        self
    }

    /// This filter and "has one of `tags`".
    #[must_use]
    pub fn with_any_tag(mut self, tags: Vec<String>) -> Self {
        self.conditions.push(FileCondition::HasAnyTag(tags));
        self
    }

    pub fn conditions(&self) -> &[FileCondition] {
        &self.conditions
    }

    /// Whether `file` passes every condition: the semantics every repository implements.
    pub fn matches(&self, file: &File) -> bool {
        self.conditions
            .iter()
            .all(|condition| condition.holds_for(file))
    }

    /// This filter with every condition on `isOwn` replaced by `isOwn = is_own`, as the
    /// runtime's owner restriction does.
    #[must_use]
    pub fn restricted_to(mut self, is_own: bool) -> Self {
        self.conditions.retain(|condition| {
            !matches!(
                condition,
                FileCondition::Field {
                    field: FileField::IsOwn,
                    ..
                }
            )
        });
        self.with(
            FileField::IsOwn,
            Condition::Equals(FilterValue::Boolean(is_own)),
        )
    }
}
