//! Domain values as column values of the store (the `diesel` feature).
//!
//! A newtype or state enum stored as text crosses into the store as itself:
//! the store writes `as_str()` and reads back through the type's own parser,
//! so a value that does not parse is a deserialization error of the row
//! (the store's `Corrupt`, a 500), never a default or "not found".

/// Implements diesel's `ToSql`/`FromSql` over `Text` for `$t`, for every
/// backend whose `str`/`String` do (SQLite, PostgreSQL and the store's
/// `MultiBackend`). `$t` has `as_str()`; `$parse` turns the stored text
/// back into `$t` or an error naming what it is. The type itself derives
/// `diesel::AsExpression` and `diesel::FromSqlRow` behind the feature.
macro_rules! sql_text {
    ($t:ty, $parse:expr) => {
        #[cfg(feature = "diesel")]
        const _: () = {
            use ::diesel::backend::Backend;
            use ::diesel::deserialize::{self, FromSql};
            use ::diesel::serialize::{self, Output, ToSql};
            use ::diesel::sql_types::Text;

            impl<DB> ToSql<Text, DB> for $t
            where
                DB: Backend,
                str: ToSql<Text, DB>,
            {
                fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                    <str as ToSql<Text, DB>>::to_sql(self.as_str(), out)
                }
            }

            impl<DB> FromSql<Text, DB> for $t
            where
                DB: Backend,
                String: FromSql<Text, DB>,
            {
                fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                    let text = <String as FromSql<Text, DB>>::from_sql(bytes)?;
                    let parse: fn(&str) -> Result<$t, $crate::cadre::UnknownValue> = $parse;
                    parse(&text)
                        .map_err(|e| Box::new(e) as Box<dyn ::std::error::Error + Send + Sync>)
                }
            }
        };
    };
}
pub(crate) use sql_text;
