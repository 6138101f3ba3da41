//! Statements of the store's own whose SQL never varies. Diesel prepares
//! each once per connection and keeps it; it prepares every `sql_query`,
//! and every `UPDATE` or upsert it builds itself, anew on each call, which
//! PostgreSQL then parses and plans again (bench/speed.md, "Statements
//! prepared once").

/// Defines a statement of fixed SQL: a struct of its binds, each with its
/// SQL type, and the SQL around them in order. A statement that returns
/// rows names their type after `=>` (`Untyped` for rows read by name).
///
/// ```ignore
/// fixed_statement! {
///     /// What it does.
///     pub(crate) struct Lock<'a> on Pg => Untyped { key: &'a str }
///     sql = "SELECT pg_advisory_xact_lock(hashtextextended(", key: Text, ", 0))";
/// }
/// ```
macro_rules! fixed_statement {
    (
        $(#[$doc:meta])*
        $vis:vis struct $name:ident<$lt:lifetime> on $backend:ty => $rows:ty {
            $($field:ident: $ty:ty),* $(,)?
        }
        sql = $head:literal $(, $bind:ident: $st:ty, $tail:literal)* ;
    ) => {
        $(#[$doc])*
        $vis struct $name<$lt> {
            $($vis $field: $ty,)*
        }

        impl diesel::query_builder::QueryId for $name<'_> {
            type QueryId = ();
            // Cached by its SQL, which never varies.
            const HAS_STATIC_QUERY_ID: bool = false;
        }

        impl diesel::query_builder::Query for $name<'_> {
            type SqlType = $rows;
        }

        impl<Conn> diesel::RunQueryDsl<Conn> for $name<'_> {}

        impl diesel::query_builder::QueryFragment<$backend> for $name<'_> {
            fn walk_ast<'b>(
                &'b self,
                mut out: diesel::query_builder::AstPass<'_, 'b, $backend>,
            ) -> diesel::QueryResult<()> {
                out.push_sql($head);
                $(
                    out.push_bind_param::<$st, _>(&self.$bind)?;
                    out.push_sql($tail);
                )*
                Ok(())
            }
        }
    };
}

pub(crate) use fixed_statement;
