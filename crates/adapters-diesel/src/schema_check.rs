//! The columns the one [`crate::schema`] expects each engine's migrated database to have: for
//! every `table!` column its name, its engine's SQL type and whether it is nullable, compared
//! with the real columns by `checks::the_schema_matches_the_migrated_database` (each engine's
//! tests read them from its catalogue into [`ColumnShape`]s).

use diesel::sql_types::{BigInt, Binary, Bool, Nullable, SmallInt, SqlType, Text};
use diesel::{Column, Expression, QueryableByName, Table};

use crate::schema::{files, idempotency_keys, identity, tokens};
use crate::sql_types::{Instant, JsonObject, TextList, Utf8Text};

/// Which engine's type names to expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `information_schema.columns.udt_name` (`int8`, `_text`, …).
    Postgres,
    /// The declared type of `pragma table_info` (STRICT tables: `TEXT`, `INTEGER`, `BLOB`).
    Sqlite,
}

/// One column of one table, as the schema expects it or as a database has it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, QueryableByName)]
pub struct ColumnShape {
    #[diesel(sql_type = Text)]
    pub table_name: String,
    #[diesel(sql_type = Text)]
    pub column_name: String,
    #[diesel(sql_type = Text)]
    pub sql_type: String,
    #[diesel(sql_type = Bool)]
    pub nullable: bool,
}

/// Every column of every table of [`crate::schema`], sorted. A new table is one more line here;
/// forgetting it fails the check, which finds the migrated table unexpected.
pub fn expected_columns(dialect: Dialect) -> Vec<ColumnShape> {
    let mut columns = Vec::new();
    table_columns::<files::table>("files", dialect, &mut columns);
    table_columns::<tokens::table>("tokens", dialect, &mut columns);
    table_columns::<identity::table>("identity", dialect, &mut columns);
    table_columns::<idempotency_keys::table>("idempotency_keys", dialect, &mut columns);
    columns.sort();
    columns
}

fn table_columns<T>(table: &str, dialect: Dialect, out: &mut Vec<ColumnShape>)
where
    T: Table,
    T::AllColumns: Columns,
{
    T::AllColumns::describe(table, dialect, out);
}

/// A diesel SQL type's name in each engine's catalogue.
pub trait EngineType {
    const POSTGRES: &'static str;
    const SQLITE: &'static str;
    const NULLABLE: bool = false;

    fn name(dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Postgres => Self::POSTGRES,
            Dialect::Sqlite => Self::SQLITE,
        }
    }
}

macro_rules! engine_types {
    ($($sql_type:ty => $postgres:literal, $sqlite:literal;)*) => {
        $(impl EngineType for $sql_type {
            const POSTGRES: &'static str = $postgres;
            const SQLITE: &'static str = $sqlite;
        })*
    };
}

engine_types! {
    Text => "text", "TEXT";
    Binary => "bytea", "BLOB";
    BigInt => "int8", "INTEGER";
    SmallInt => "int2", "INTEGER";
    Bool => "bool", "INTEGER";
    Instant => "timestamptz", "INTEGER";
    TextList => "_text", "TEXT";
    JsonObject => "json", "TEXT";
    Utf8Text => "bytea", "TEXT";
}

impl<T: EngineType + SqlType> EngineType for Nullable<T> {
    const POSTGRES: &'static str = T::POSTGRES;
    const SQLITE: &'static str = T::SQLITE;
    const NULLABLE: bool = true;
}

/// A table's `all_columns` tuple, described column by column.
pub trait Columns {
    fn describe(table: &str, dialect: Dialect, out: &mut Vec<ColumnShape>);
}

macro_rules! tuple_columns {
    ($($column:ident),+) => {
        impl<$($column),+> Columns for ($($column,)+)
        where
            $($column: Column + Expression, <$column as Expression>::SqlType: EngineType,)+
        {
            fn describe(table: &str, dialect: Dialect, out: &mut Vec<ColumnShape>) {
                $(out.push(ColumnShape {
                    table_name: table.to_owned(),
                    column_name: <$column as Column>::NAME.to_owned(),
                    sql_type: <<$column as Expression>::SqlType as EngineType>::name(dialect)
                        .to_owned(),
                    nullable: <<$column as Expression>::SqlType as EngineType>::NULLABLE,
                });)+
            }
        }
    };
}

/// [`Columns`] for every tuple of one up to 32 columns, diesel's limit with its
/// `32-column-tables` feature (`files` has more than the default 16).
macro_rules! tuple_columns_up_to {
    (@done [$($done:ident),+]) => {
        tuple_columns!($($done),+);
    };
    (@done [$($done:ident),+] $next:ident $(, $rest:ident)*) => {
        tuple_columns!($($done),+);
        tuple_columns_up_to!(@done [$($done,)+ $next] $($rest),*);
    };
    ($first:ident $(, $rest:ident)*) => {
        tuple_columns_up_to!(@done [$first] $($rest),*);
    };
}

tuple_columns_up_to!(
    C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15, C16, C17, C18, C19, C20, C21,
    C22, C23, C24, C25, C26, C27, C28, C29, C30, C31, C32
);
