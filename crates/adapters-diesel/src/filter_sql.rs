//! The SQL the File filters need beyond diesel's own expressions, where the engines' SQL
//! differs, each one expression type over both backends ([`Dialect`]):
//!
//! | expression | PostgreSQL | SQLite |
//! |---|---|---|
//! | [`IsoText`] of an instant | `to_char(… AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` | `printf('%s.%03dZ', strftime(…), …)` on the microseconds |
//! | [`ByteOrder`] of a text | `… COLLATE "C"` | the text (SQLite's `BINARY` already) |
//! | [`HasAnyOf`] a list column | `… && $1` | `EXISTS (… json_each …)` |
//! | [`lower`] | the built-in (the database's ctype) | ours, [`simple_lowercase`] |
//!
//! Every value is a bind parameter; the only SQL text here is constant.

use application::files::list::simple_lowercase;
use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Text};
use diesel::sqlite::{Sqlite, SqliteConnection};

use crate::sql_types::{Decoded, Instant, TextList};

diesel::define_sql_function! {
    /// `lower(text)`, each character by its simple Unicode lowercase mapping: PostgreSQL's
    /// built-in under a UTF-8 ctype; on SQLite (whose own is ASCII-only) replaced by
    /// [`register_sqlite_functions`] on every connection.
    fn lower(text: Text) -> Text;
}

/// Puts our [`lower`] in place of SQLite's ASCII-only one on `connection`; every pooled
/// connection needs it before its first File list.
///
/// # Errors
/// SQLite's, when it refuses the function.
pub fn register_sqlite_functions(connection: &mut SqliteConnection) -> QueryResult<()> {
    lower_utils::register_impl(connection, |text: String| simple_lowercase(&text))
}

/// What the expressions below write per engine.
pub trait Dialect: Backend {
    /// `instant` as the text enmeshed writes, `YYYY-MM-DDTHH:mm:ss.SSSZ` (milliseconds cut).
    fn iso_text<'b>(
        instant: &'b dyn QueryFragment<Self>,
        out: AstPass<'_, 'b, Self>,
    ) -> QueryResult<()>;

    /// `text`, compared byte by byte (as Mongo compares strings) whatever the database's locale.
    fn byte_order<'b>(
        text: &'b dyn QueryFragment<Self>,
        out: AstPass<'_, 'b, Self>,
    ) -> QueryResult<()>;

    /// Whether the list column `list` holds one of `values`.
    fn has_any_of<'b>(
        list: &'b dyn QueryFragment<Self>,
        values: &'b Decoded<Vec<String>>,
        out: AstPass<'_, 'b, Self>,
    ) -> QueryResult<()>;
}

impl Dialect for Pg {
    fn iso_text<'b>(
        instant: &'b dyn QueryFragment<Pg>,
        mut out: AstPass<'_, 'b, Pg>,
    ) -> QueryResult<()> {
        // `MS` cuts microseconds, as the DTO's rendering does; `YYYY` pads to four digits.
        out.push_sql("to_char((");
        instant.walk_ast(out.reborrow())?;
        out.push_sql(") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')");
        Ok(())
    }

    fn byte_order<'b>(
        text: &'b dyn QueryFragment<Pg>,
        mut out: AstPass<'_, 'b, Pg>,
    ) -> QueryResult<()> {
        out.push_sql("(");
        text.walk_ast(out.reborrow())?;
        out.push_sql(") COLLATE \"C\"");
        Ok(())
    }

    fn has_any_of<'b>(
        list: &'b dyn QueryFragment<Pg>,
        values: &'b Decoded<Vec<String>>,
        mut out: AstPass<'_, 'b, Pg>,
    ) -> QueryResult<()> {
        out.push_sql("(");
        list.walk_ast(out.reborrow())?;
        out.push_sql(" && ");
        out.push_bind_param::<TextList, _>(values)?;
        out.push_sql(")");
        Ok(())
    }
}

impl Dialect for Sqlite {
    fn iso_text<'b>(
        instant: &'b dyn QueryFragment<Sqlite>,
        mut out: AstPass<'_, 'b, Sqlite>,
    ) -> QueryResult<()> {
        // Microseconds since the epoch, split by floor division (`%` truncates towards zero,
        // so before 1970 the remainder is made non-negative first) into whole seconds, which
        // strftime renders exactly, and milliseconds.
        let micros_of_second = |out: &mut AstPass<'_, 'b, Sqlite>| -> QueryResult<()> {
            out.push_sql("((");
            instant.walk_ast(out.reborrow())?;
            out.push_sql(") % 1000000 + 1000000) % 1000000");
            Ok(())
        };
        out.push_sql("printf('%s.%03dZ', strftime('%Y-%m-%dT%H:%M:%S', ((");
        instant.walk_ast(out.reborrow())?;
        out.push_sql(") - ");
        micros_of_second(&mut out)?;
        out.push_sql(") / 1000000, 'unixepoch'), ");
        micros_of_second(&mut out)?;
        out.push_sql(" / 1000)");
        Ok(())
    }

    fn byte_order<'b>(
        text: &'b dyn QueryFragment<Sqlite>,
        out: AstPass<'_, 'b, Sqlite>,
    ) -> QueryResult<()> {
        text.walk_ast(out)
    }

    fn has_any_of<'b>(
        list: &'b dyn QueryFragment<Sqlite>,
        values: &'b Decoded<Vec<String>>,
        mut out: AstPass<'_, 'b, Sqlite>,
    ) -> QueryResult<()> {
        out.push_sql("EXISTS (SELECT 1 FROM json_each(");
        list.walk_ast(out.reborrow())?;
        out.push_sql(") AS held WHERE held.value IN (SELECT wanted.value FROM json_each(");
        out.push_bind_param::<TextList, _>(values)?;
        out.push_sql(") AS wanted))");
        Ok(())
    }
}

/// Implements what every expression of this module shares: where it may appear, and no
/// static query id (the list queries are boxed, so never cached by type).
macro_rules! expression_over_one_column {
    ($name:ident) => {
        impl<C, QS> AppearsOnTable<QS> for $name<C>
        where
            C: AppearsOnTable<QS>,
            Self: Expression,
        {
        }

        impl<C, QS> SelectableExpression<QS> for $name<C>
        where
            C: SelectableExpression<QS>,
            Self: AppearsOnTable<QS>,
        {
        }

        impl<C> QueryId for $name<C> {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }
    };
}

/// The ISO text of an instant column ([`Dialect::iso_text`]).
#[derive(Debug, Clone, Copy, ValidGrouping)]
pub struct IsoText<C>(pub C);

impl<C: Expression<SqlType = Instant>> Expression for IsoText<C> {
    type SqlType = Text;
}

impl<C: QueryFragment<DB>, DB: Dialect> QueryFragment<DB> for IsoText<C> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        DB::iso_text(&self.0, out)
    }
}

expression_over_one_column!(IsoText);

/// A text expression compared byte by byte ([`Dialect::byte_order`]).
#[derive(Debug, Clone, Copy, ValidGrouping)]
pub struct ByteOrder<C>(pub C);

impl<C: Expression<SqlType = Text>> Expression for ByteOrder<C> {
    type SqlType = Text;
}

impl<C: QueryFragment<DB>, DB: Dialect> QueryFragment<DB> for ByteOrder<C> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        DB::byte_order(&self.0, out)
    }
}

expression_over_one_column!(ByteOrder);

/// Whether a list column holds one of the values ([`Dialect::has_any_of`]).
#[derive(Debug, Clone)]
pub struct HasAnyOf<C> {
    list: C,
    values: Decoded<Vec<String>>,
}

impl<C> HasAnyOf<C> {
    pub fn new(list: C, values: Vec<String>) -> Self {
        Self {
            list,
            values: Decoded::new(values),
        }
    }
}

impl<C: ValidGrouping<GB>, GB> ValidGrouping<GB> for HasAnyOf<C> {
    type IsAggregate = C::IsAggregate;
}

impl<C: Expression<SqlType = TextList>> Expression for HasAnyOf<C> {
    type SqlType = Bool;
}

impl<C: QueryFragment<DB>, DB: Dialect> QueryFragment<DB> for HasAnyOf<C> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        DB::has_any_of(&self.list, &self.values, out)
    }
}

expression_over_one_column!(HasAnyOf);
