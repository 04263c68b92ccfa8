//! The query string of `GET …/Files`, `…/Files/Own` and `…/Files/Peer`, read as the Connector
//! reads it: Express 5's "simple" parser (Node's `querystring.parse`), the runtime's
//! `GetFilesRequest` schema, and its query translator (`@js-soft/docdb-querytranslator` 1.4.3
//! with `GetFilesUseCase`'s custom keys), into a typed [`FileFilter`].
//!
//! The syntax per key (all but `tags` and `ownershipToken`): `""` exists, `!` does not exist,
//! `!x` not `x`, `>x` `>=x` `<x` `<=x` compared, `^x` `$x` `~x` starts with, ends with,
//! contains `x` (case-insensitive), anything else equals; values coerced by
//! [`FilterValue::from_query_text`]. A repeated key lists its plain values as "one of", its
//! `!` values as "none of", and keeps the *last* of each other operator (the translator
//! overwrites them, and `^`, `$` and `~` share one slot). `tags` is "has one of these tags",
//! `ownershipToken` an exact token (repeated: no File, as the runtime compares the token with
//! the list itself).

use std::borrow::Cow;

use application::files::list::{Condition, FileField, FileFilter, FilterValue};

/// The schema's message for a key it does not know.
pub const UNKNOWN_KEY_MESSAGE: &str = "query must NOT have additional properties";
/// No stored text holds U+0000 (PostgreSQL text cannot), and PostgreSQL refuses it in a query
/// parameter: such a filter value is refused up front instead of failing in the database.
pub const NUL_MESSAGE: &str = "query values must not contain the character U+0000";
/// The schema's message for a repeated `ownershipIsLocked`.
pub const LOCKED_REPEATED_MESSAGE: &str = "query/ownershipIsLocked must be string";

/// The one allowed key that names no [`FileField`].
pub const TAGS_KEY: &str = "tags";

/// Node's `querystring` default: pairs after the 1000th are ignored.
const MAX_KEYS: usize = 1000;

/// The translator's operators (the first character of a value).
const OPERATORS: [u8; 6] = [b'!', b'^', b'$', b'~', b'>', b'<'];

/// A key's value as the parser gives it: once, or repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryValue {
    One(String),
    Many(Vec<String>),
}

/// `querystring.parse(raw)`: `&`-separated pairs, the key up to the first `=`, `+` as space,
/// valid `%XX` escapes decoded (others kept) and the bytes read as UTF-8 with U+FFFD for what
/// is none; a repeated key collects its values in order. Keys in order of first appearance.
pub fn parse_simple_query(raw: &str) -> Vec<(String, QueryValue)> {
    let mut pairs: Vec<(String, QueryValue)> = Vec::new();
    for segment in raw.split('&').take(MAX_KEYS) {
        if segment.is_empty() {
            continue;
        }
        let (key, value) = segment.split_once('=').unwrap_or((segment, ""));
        let (key, value) = (decode(key), decode(value));
        match pairs.iter_mut().find(|(known, _)| *known == key) {
            Some((_, QueryValue::Many(values))) => values.push(value),
            Some((_, one @ QueryValue::One(_))) => {
                let QueryValue::One(first) = std::mem::replace(one, QueryValue::Many(Vec::new()))
                else {
                    unreachable!("matched as one value")
                };
                *one = QueryValue::Many(vec![first, value]);
            }
            None => pairs.push((key, QueryValue::One(value))),
        }
    }
    pairs
}

/// Whether any value holds U+0000 (see [`NUL_MESSAGE`]).
pub(super) fn has_nul(pairs: &[(String, QueryValue)]) -> bool {
    pairs.iter().any(|(_, value)| match value {
        QueryValue::One(text) => text.contains('\0'),
        QueryValue::Many(texts) => texts.iter().any(|text| text.contains('\0')),
    })
}

fn decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    let bytes: Cow<'_, [u8]> = percent_encoding::percent_decode_str(&spaced).into();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The filter `raw` (the request's query string, undecoded) asks for.
///
/// # Errors
/// The schema's first message: [`UNKNOWN_KEY_MESSAGE`] for any key it does not know (checked
/// before anything else, as ajv does), [`LOCKED_REPEATED_MESSAGE`].
pub fn parse_list_files_query(raw: &str) -> Result<FileFilter, &'static str> {
    let pairs = parse_simple_query(raw);
    let known = |key: &str| key == TAGS_KEY || FileField::from_name(key).is_some();
    if pairs.iter().any(|(key, _)| !known(key)) {
        return Err(UNKNOWN_KEY_MESSAGE);
    }
    if has_nul(&pairs) {
        return Err(NUL_MESSAGE);
    }
    let mut filter = FileFilter::new();
    for (key, value) in pairs {
        let Some(field) = FileField::from_name(&key) else {
            filter = filter.with_any_tag(match value {
                QueryValue::One(tag) => vec![tag],
                QueryValue::Many(tags) => tags,
            });
            continue;
        };
        filter = match (field, value) {
            (FileField::OwnershipIsLocked, QueryValue::Many(_)) => {
                return Err(LOCKED_REPEATED_MESSAGE);
            }
            (FileField::OwnershipToken, QueryValue::One(token)) => {
                filter.with(field, Condition::Equals(FilterValue::Text(token)))
            }
            // The runtime compares the token with the list itself, which no token equals.
            (FileField::OwnershipToken, QueryValue::Many(_)) => {
                filter.with(field, Condition::In(Vec::new()))
            }
            (field, QueryValue::One(value)) => filter.with(field, single(&value)),
            (field, QueryValue::Many(values)) => repeated(&values)
                .into_iter()
                .fold(filter, |filter, condition| filter.with(field, condition)),
        };
    }
    Ok(filter)
}

/// What one operator item means.
enum Operation {
    Condition(Condition),
    /// `!x` among repeated values: one of the values the field must not equal.
    NotOneOf(FilterValue),
}

fn has_operator(value: &str) -> bool {
    value
        .as_bytes()
        .first()
        .is_some_and(|first| OPERATORS.contains(first))
}

/// `parseString`: the operator, a following `=` (for `>` and `<` it makes them inclusive, for
/// the others it is dropped), and the rest coerced.
fn operation(value: &str, repeated: bool) -> Operation {
    let operator = value.as_bytes()[0];
    let rest = &value[1..];
    let inclusive = rest.starts_with('=');
    let operand = rest.strip_prefix('=').unwrap_or(rest);
    let coerced = FilterValue::from_query_text(operand);
    Operation::Condition(match operator {
        b'!' if repeated => return Operation::NotOneOf(coerced),
        b'!' if operand.is_empty() => Condition::NotExists,
        b'!' => Condition::NotEquals(coerced),
        b'>' if inclusive => Condition::AtLeast(coerced),
        b'>' => Condition::GreaterThan(coerced),
        b'<' if inclusive => Condition::AtMost(coerced),
        b'<' => Condition::LessThan(coerced),
        b'^' => Condition::StartsWith(coerced.to_string()),
        b'$' => Condition::EndsWith(coerced.to_string()),
        _ => Condition::Contains(coerced.to_string()),
    })
}

pub(super) fn single(value: &str) -> Condition {
    if value.is_empty() {
        Condition::Exists
    } else if has_operator(value) {
        match operation(value, false) {
            Operation::Condition(condition) => condition,
            Operation::NotOneOf(value) => Condition::NotEquals(value),
        }
    } else {
        Condition::Equals(FilterValue::from_query_text(value))
    }
}

/// The conditions of a repeated key: one of its plain values, none of its `!` values, and the
/// last of each comparison and of the patterns.
pub(super) fn repeated(values: &[String]) -> Vec<Condition> {
    let (mut one_of, mut none_of) = (Vec::new(), Vec::new());
    let mut slots: [Option<Condition>; 5] = Default::default();
    for value in values {
        if !has_operator(value) {
            one_of.push(FilterValue::from_query_text(value));
            continue;
        }
        match operation(value, true) {
            Operation::NotOneOf(value) => none_of.push(value),
            Operation::Condition(condition) => {
                let slot = match condition {
                    Condition::GreaterThan(_) => 0,
                    Condition::AtLeast(_) => 1,
                    Condition::LessThan(_) => 2,
                    Condition::AtMost(_) => 3,
                    _ => 4,
                };
                slots[slot] = Some(condition);
            }
        }
    }
    let lists = [
        (!one_of.is_empty()).then_some(Condition::In(one_of)),
        (!none_of.is_empty()).then_some(Condition::NotIn(none_of)),
    ];
    lists.into_iter().chain(slots).flatten().collect()
}

#[cfg(test)]
mod tests {
    use application::files::list::Condition::{
        AtLeast, AtMost, Contains, EndsWith, Equals, Exists, GreaterThan, In, LessThan, NotEquals,
        NotExists, NotIn, StartsWith,
    };
    use application::files::list::FileField::{
        CreatedAt, Filesize, IsOwn, OwnershipIsLocked, OwnershipToken, Title,
    };
    use application::files::list::FilterValue::{Boolean, Number, Text};

    use super::*;

    #[test]
    fn a_nul_in_a_value_is_refused_before_the_database_sees_it() {
        assert_eq!(parse_list_files_query("title=a%00b"), Err(NUL_MESSAGE));
        assert_eq!(parse_list_files_query("tags=x&tags=%00"), Err(NUL_MESSAGE));
    }

    fn parsed(raw: &str) -> FileFilter {
        parse_list_files_query(raw).unwrap()
    }

    fn text(value: &str) -> FilterValue {
        Text(value.into())
    }

    #[test]
    fn the_simple_parser_reads_as_node_querystring() {
        assert_eq!(
            parse_simple_query("a=1&b&&c=x=y&a=2+3&a=%41%zz%C3%A4%FF&=e"),
            vec![
                (
                    "a".into(),
                    QueryValue::Many(vec!["1".into(), "2 3".into(), "A%zzä\u{fffd}".into()])
                ),
                ("b".into(), QueryValue::One(String::new())),
                ("c".into(), QueryValue::One("x=y".into())),
                (String::new(), QueryValue::One("e".into())),
            ]
        );
        assert_eq!(parse_simple_query(""), vec![]);
        let many = "x=1&".repeat(1500);
        let QueryValue::Many(values) = &parse_simple_query(&many)[0].1 else {
            panic!("repeated")
        };
        assert_eq!(values.len(), MAX_KEYS);
    }

    #[test]
    fn single_values_follow_the_translators_syntax() {
        let cases = [
            ("title=", Exists),
            ("title=!", NotExists),
            ("title=!=", NotExists),
            ("title=!x", NotEquals(text("x"))),
            ("title=!=x", NotEquals(text("x"))),
            ("title=%3Ex", GreaterThan(text("x"))),
            ("title=%3E%3Dx", AtLeast(text("x"))),
            ("title=%3Cx", LessThan(text("x"))),
            ("title=%3C%3Dx", AtMost(text("x"))),
            ("title=%5EFile", StartsWith("File".into())),
            ("title=%5E%3DFile", StartsWith("File".into())),
            ("title=%24.txt", EndsWith(".txt".into())),
            ("title=~1.50", Contains("1.5".into())),
            ("title=~TRUE", Contains("true".into())),
            ("title=File+Title", Equals(text("File Title"))),
            ("title=123", Equals(Number(123.0))),
            ("title=x%3Dy", Equals(text("x=y"))),
        ];
        for (raw, condition) in cases {
            assert_eq!(
                parsed(raw),
                FileFilter::new().with(Title, condition),
                "{raw}"
            );
        }
        assert_eq!(
            parsed("isOwn=TRUE&filesize=4"),
            FileFilter::new()
                .with(IsOwn, Equals(Boolean(true)))
                .with(Filesize, Equals(Number(4.0)))
        );
    }

    #[test]
    fn repeated_values_list_and_keep_the_last_operator() {
        assert_eq!(
            parsed(
                "filesize=1&filesize=!2&filesize=3&filesize=%3E0&filesize=%3E1&filesize=!&filesize="
            ),
            FileFilter::new()
                .with(Filesize, In(vec![Number(1.0), Number(3.0), text("")]))
                .with(Filesize, NotIn(vec![Number(2.0), text("")]))
                .with(Filesize, GreaterThan(Number(1.0)))
        );
        assert_eq!(
            parsed("title=%5Ea&title=~b&title=%3C%3Dz&title=%3Ca"),
            FileFilter::new()
                .with(Title, LessThan(text("a")))
                .with(Title, AtMost(text("z")))
                .with(Title, Contains("b".into()))
        );
    }

    #[test]
    fn tags_and_ownership_tokens_take_their_values_raw() {
        assert_eq!(
            parsed("tags=!x&tags=123"),
            FileFilter::new().with_any_tag(vec!["!x".into(), "123".into()])
        );
        assert_eq!(
            parsed("tags=x%3Aa"),
            FileFilter::new().with_any_tag(vec!["x:a".into()])
        );
        assert_eq!(
            parsed("ownershipToken=%3E123"),
            FileFilter::new().with(OwnershipToken, Equals(text(">123")))
        );
        assert_eq!(
            parsed("ownershipToken=a&ownershipToken=b"),
            FileFilter::new().with(OwnershipToken, In(vec![]))
        );
        assert_eq!(
            parsed("ownershipIsLocked=!"),
            FileFilter::new().with(OwnershipIsLocked, NotExists)
        );
    }

    #[test]
    fn the_schema_refuses_unknown_keys_first_and_a_repeated_lock() {
        for raw in [
            "id=FIL",
            "Title=x",
            "tags[]=a&tags[]=b",
            "=x",
            "__proto__=1",
            "title=a&x",
        ] {
            assert_eq!(
                parse_list_files_query(raw),
                Err(UNKNOWN_KEY_MESSAGE),
                "{raw}"
            );
        }
        assert_eq!(
            parse_list_files_query("ownershipIsLocked=true&ownershipIsLocked=false"),
            Err(LOCKED_REPEATED_MESSAGE)
        );
        assert_eq!(
            parse_list_files_query("ownershipIsLocked=a&ownershipIsLocked=b&nope=1"),
            Err(UNKNOWN_KEY_MESSAGE)
        );
        assert_eq!(
            parsed("createdAt=2025-01-01T00:00:00.000Z"),
            FileFilter::new().with(CreatedAt, Equals(text("2025-01-01T00:00:00.000Z")))
        );
    }
}
