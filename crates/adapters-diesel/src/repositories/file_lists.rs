//! The query behind [`FileRepository::list_files`](application::ports::FileRepository): a
//! [`FileFilter`] as one `WHERE` clause of diesel expressions over the `files` row, selecting
//! exactly the Files [`FileFilter::matches`] accepts (the Connector's MongoDB semantics), on
//! both engines:
//!
//! - a value of another type than the field's, and a pattern on a number or boolean, decide
//!   the condition here, without SQL (never, or always for the negations);
//! - absent fields are NULL (texts) or `false` (`ownership_is_locked`), so every positive
//!   condition is "present and …" and a negation is `NOT (present AND …)`, never NULL;
//! - dates compare as their ISO text ([`IsoText`]), texts byte by byte ([`ByteOrder`]);
//! - `StartsWith`/`EndsWith`/`Contains` are `lower(…) LIKE lower(pattern) ESCAPE '\'` with the
//!   user's text escaped, so `%`, `_` and `\` are literal;
//! - a number is compared with the integral `filesize` exactly (`> 3.5` is `> 3`).
//!
//! Every user value is a bind parameter.

use application::files::list::{
    Condition, FieldValue, FileCondition, FileField, FileFilter, FilterValue,
};
use diesel::backend::Backend;
use diesel::dsl::{self, AsSelect, IntoBoxed, Order, Select};
use diesel::expression::{ValidGrouping, is_aggregate};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::QueryFragment;
use diesel::sql_types::{Bool, Text};
use diesel::sqlite::Sqlite;

use crate::filter_sql::{ByteOrder, Dialect, HasAnyOf, IsoText, lower};
use crate::rows::FileRow;
use crate::schema::files;

/// The list query: every `files` row, oldest first (then by id, for a stable order).
pub type ListFilesQuery<'a, DB> = IntoBoxed<
    'a,
    Order<
        Select<files::table, AsSelect<FileRow, DB>>,
        (dsl::Asc<files::created_at>, dsl::Asc<files::id>),
    >,
    DB,
>;

/// A backend the list query is built for: both engines.
pub trait ListFilesSql: Dialect + Sized + 'static {
    /// [`ListFilesQuery`] on this backend.
    type Query;

    /// The query of `filter`, `None` when no File can match (no need to ask).
    fn list_files_query(filter: &FileFilter) -> Option<Self::Query>;
}

/// A condition, with the ones decided without SQL kept apart.
enum Where<DB> {
    Always,
    Never,
    Sql(Box<dyn BoxableExpression<files::table, DB, SqlType = Bool>>),
}

/// What a text expression of the `files` row is to the builder.
trait TextColumn<DB: Backend>:
    Expression<SqlType = Text>
    + SelectableExpression<files::table>
    + ValidGrouping<(), IsAggregate = is_aggregate::No>
    + QueryFragment<DB>
    + Copy
    + Send
    + 'static
{
}

impl<DB: Backend, T> TextColumn<DB> for T where
    T: Expression<SqlType = Text>
        + SelectableExpression<files::table>
        + ValidGrouping<(), IsAggregate = is_aggregate::No>
        + QueryFragment<DB>
        + Copy
        + Send
        + 'static
{
}

/// 2^63: the first value above every `bigint`, exactly representable.
const BIGINT_END: f64 = 9_223_372_036_854_775_808.0;

// Diesel proves an expression valid for one backend at a time (its generic proofs need a bound
// it keeps private), so the builder is written once here and compiled for each engine.
macro_rules! list_files_sql {
    ($($backend:ty),*) => {$(
        impl ListFilesSql for $backend {
            type Query = ListFilesQuery<'static, Self>;

            fn list_files_query(filter: &FileFilter) -> Option<Self::Query> {
                let query = files::table
                    .select(FileRow::as_select())
                    .order((files::created_at.asc(), files::id.asc()))
                    .into_boxed();
                let conditions = filter.conditions().iter().map(Where::<Self>::file_condition);
                match Where::<Self>::all(conditions) {
                    Where::Never => None,
                    Where::Always => Some(query),
                    Where::Sql(condition) => Some(query.filter(condition)),
                }
            }
        }

        impl Where<$backend> {
            fn sql(
                expression: impl BoxableExpression<files::table, $backend, SqlType = Bool> + 'static,
            ) -> Self {
                Self::Sql(Box::new(expression))
            }

            fn and(self, other: Self) -> Self {
                match (self, other) {
                    (Self::Never, _) | (_, Self::Never) => Self::Never,
                    (Self::Always, other) | (other, Self::Always) => other,
                    (Self::Sql(left), Self::Sql(right)) => Self::sql(left.and(right)),
                }
            }

            fn or(self, other: Self) -> Self {
                match (self, other) {
                    (Self::Always, _) | (_, Self::Always) => Self::Always,
                    (Self::Never, other) | (other, Self::Never) => other,
                    (Self::Sql(left), Self::Sql(right)) => Self::sql(left.or(right)),
                }
            }

            fn not(self) -> Self {
                match self {
                    Self::Always => Self::Never,
                    Self::Never => Self::Always,
                    Self::Sql(condition) => Self::sql(dsl::not(condition)),
                }
            }

            fn all(conditions: impl Iterator<Item = Self>) -> Self {
                conditions.fold(Self::Always, Self::and)
            }

            fn any(conditions: impl Iterator<Item = Self>) -> Self {
                conditions.fold(Self::Never, Self::or)
            }

            fn file_condition(condition: &FileCondition) -> Self {
                match condition {
                    FileCondition::Field { field, condition } => Self::field(*field, condition),
                    FileCondition::HasAnyTag(tags) if tags.is_empty() => Self::Never,
                    FileCondition::HasAnyTag(tags) => {
                        Self::sql(HasAnyOf::new(files::tags, tags.clone()))
                    }
                }
            }

            fn field(field: FileField, condition: &Condition) -> Self {
                let always = || Self::Always;
                match field {
                    FileField::CreatedAt => {
                        Self::text(IsoText(files::created_at), always, condition)
                    }
                    FileField::ExpiresAt => {
                        Self::text(IsoText(files::expires_at), always, condition)
                    }
                    FileField::CreatedBy => Self::text(files::created_by, always, condition),
                    FileField::CreatedByDevice => {
                        Self::text(files::created_by_device, always, condition)
                    }
                    FileField::Filename => Self::text(files::filename, always, condition),
                    FileField::Mimetype => Self::text(files::mimetype, always, condition),
                    FileField::Title => Self::text(
                        files::title.assume_not_null(),
                        || Self::sql(files::title.is_not_null()),
                        condition,
                    ),
                    FileField::Description => Self::text(
                        files::description.assume_not_null(),
                        || Self::sql(files::description.is_not_null()),
                        condition,
                    ),
                    FileField::OwnershipToken => Self::text(
                        files::ownership_token.assume_not_null(),
                        || Self::sql(files::ownership_token.is_not_null()),
                        condition,
                    ),
                    FileField::Filesize => Self::number(condition),
                    FileField::IsOwn => Self::states(
                        condition,
                        [
                            (Self::sql(files::is_own), Some(FieldValue::Boolean(true))),
                            (
                                Self::sql(dsl::not(files::is_own)),
                                Some(FieldValue::Boolean(false)),
                            ),
                        ],
                    ),
                    // Unlocked is absent, as the runtime stores it.
                    FileField::OwnershipIsLocked => Self::states(
                        condition,
                        [
                            (
                                Self::sql(files::ownership_is_locked),
                                Some(FieldValue::Boolean(true)),
                            ),
                            (Self::sql(dsl::not(files::ownership_is_locked)), None),
                        ],
                    ),
                }
            }

            /// A field with two stored states (`is_own`, `ownership_is_locked`): the states
            /// whose value passes, decided by the filter's own semantics.
            fn states(
                condition: &Condition,
                states: [(Self, Option<FieldValue<'static>>); 2],
            ) -> Self {
                let passing: Vec<Self> = states
                    .into_iter()
                    .filter(|(_, value)| condition.holds(value.as_ref()))
                    .map(|(sql, _)| sql)
                    .collect();
                if passing.len() == 2 {
                    Self::Always
                } else {
                    Self::any(passing.into_iter())
                }
            }

            /// A text (or date) field: `value`, where `present()`.
            fn text<V: TextColumn<$backend>>(
                value: V,
                present: impl Fn() -> Self,
                condition: &Condition,
            ) -> Self {
                let equals = |wanted: &FilterValue| match wanted {
                    FilterValue::Text(text) => present().and(Self::sql(value.eq(text.clone()))),
                    _ => Self::Never,
                };
                let compared = |wanted: &FilterValue, compare: fn(ByteOrder<V>, String) -> Self| {
                    match wanted {
                        FilterValue::Text(text) => {
                            present().and(compare(ByteOrder(value), text.clone()))
                        }
                        _ => Self::Never,
                    }
                };
                let like = |pattern: String| {
                    present().and(Self::sql(lower(value).like(lower(pattern)).escape('\\')))
                };
                match condition {
                    Condition::Exists => present(),
                    Condition::NotExists => present().not(),
                    Condition::Equals(wanted) => equals(wanted),
                    Condition::NotEquals(wanted) => equals(wanted).not(),
                    Condition::In(values) => Self::any(values.iter().map(equals)),
                    Condition::NotIn(values) => Self::any(values.iter().map(equals)).not(),
                    Condition::GreaterThan(wanted) => compared(wanted, |v, t| Self::sql(v.gt(t))),
                    Condition::AtLeast(wanted) => compared(wanted, |v, t| Self::sql(v.ge(t))),
                    Condition::LessThan(wanted) => compared(wanted, |v, t| Self::sql(v.lt(t))),
                    Condition::AtMost(wanted) => compared(wanted, |v, t| Self::sql(v.le(t))),
                    Condition::StartsWith(start) => like(format!("{}%", escape_like(start))),
                    Condition::EndsWith(end) => like(format!("%{}", escape_like(end))),
                    Condition::Contains(part) => like(format!("%{}%", escape_like(part))),
                }
            }

            /// `filesize`, an integer every File has, against numbers (any other value: never).
            fn number(condition: &Condition) -> Self {
                let equals = |wanted: &FilterValue| match wanted {
                    FilterValue::Number(number) if number.fract() == 0.0 => match bigint(*number) {
                        Some(integer) => Self::sql(files::filesize.eq(integer)),
                        None => Self::Never,
                    },
                    _ => Self::Never,
                };
                // `> x` is `> floor(x)`, `>= x` is `>= ceil(x)`, `< x` is `< ceil(x)` and
                // `<= x` is `<= floor(x)`; a bound beyond `bigint` decides alone.
                let bounded = |wanted: &FilterValue, round: fn(f64) -> f64, upward: bool,
                               build: fn(i64) -> Self| {
                    let FilterValue::Number(number) = wanted else {
                        return Self::Never;
                    };
                    let bound = round(*number);
                    match bigint(bound) {
                        Some(integer) => build(integer),
                        // Above every size: `filesize > bound` never, `< bound` always.
                        None if (bound >= BIGINT_END) == upward => Self::Never,
                        None => Self::Always,
                    }
                };
                match condition {
                    Condition::Exists => Self::Always,
                    Condition::NotExists => Self::Never,
                    Condition::Equals(wanted) => equals(wanted),
                    Condition::NotEquals(wanted) => equals(wanted).not(),
                    Condition::In(values) => Self::any(values.iter().map(equals)),
                    Condition::NotIn(values) => Self::any(values.iter().map(equals)).not(),
                    Condition::GreaterThan(wanted) => {
                        bounded(wanted, f64::floor, true, |n| Self::sql(files::filesize.gt(n)))
                    }
                    Condition::AtLeast(wanted) => {
                        bounded(wanted, f64::ceil, true, |n| Self::sql(files::filesize.ge(n)))
                    }
                    Condition::LessThan(wanted) => {
                        bounded(wanted, f64::ceil, false, |n| Self::sql(files::filesize.lt(n)))
                    }
                    Condition::AtMost(wanted) => {
                        bounded(wanted, f64::floor, false, |n| Self::sql(files::filesize.le(n)))
                    }
                    // Mongo's patterns match texts only.
                    Condition::StartsWith(_) | Condition::EndsWith(_) | Condition::Contains(_) => {
                        Self::Never
                    }
                }
            }
        }
    )*};
}

list_files_sql!(Pg, Sqlite);

/// `number` (integral) as a `bigint`, `None` outside its range.
fn bigint(number: f64) -> Option<i64> {
    // Used only when integral and within [-2^63, 2^63), where the conversion is exact.
    (-BIGINT_END..BIGINT_END)
        .contains(&number)
        .then_some(number as i64)
}

/// `text` as a LIKE pattern matching itself only (escape character `\`).
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn like_patterns_match_their_text_only() {
        assert_eq!(escape_like(r"50% of a_b\c"), r"50\% of a\_b\\c");
        assert_eq!(escape_like("plain ä"), "plain ä");
    }
}
