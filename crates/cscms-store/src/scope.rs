//! The store's half of the scope rule: the one SQL condition every list
//! query of employees' records filters by ([`cscms_domain::scope::visibility`]
//! decides the [`Visibility`]; this renders it).

use cscms_domain::scope::Visibility;
use diesel::backend::Backend;
use diesel::expression::{BoxableExpression, SelectableExpression, ValidGrouping};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};
use diesel::IntoSql;

use crate::schema::{employees, organisations};
use crate::DbConn;

/// The condition that holds for every row. Typed nullable, as a parent id
/// is: `x AND TRUE` keeps the arms of a scope alike. A bound `true`, not an
/// SQL literal: diesel prepares no statement with a literal in it more than
/// once, so a literal here re-prepared every list (bench/speed.md).
fn always() -> diesel::dsl::AsExprOf<bool, Nullable<Bool>> {
    true.into_sql::<Nullable<Bool>>()
}

/// A condition on a query over `QS` for the backend `DB`.
pub(crate) type ConditionOn<QS, DB> = Box<dyn BoxableExpression<QS, DB, SqlType = Nullable<Bool>>>;

/// A condition on a query over `QS`, through [`DbConn`].
pub(crate) type Condition<QS> = ConditionOn<QS, <DbConn as Connection>::Backend>;

/// The records a caller may see, as a condition on a query whose FROM has
/// the employee (`employees`) and the organisation the record sits in
/// (`organisations`); `None`: nothing is visible, skip the query. For each
/// backend: through [`DbConn`], and for a query run on the concrete
/// connection (`on_backend!`), whose rows are then built without the
/// `MultiConnection`'s layer (bench/speed.md). One condition, written
/// once, compiled for each backend.
pub(crate) trait Scoped: Backend + Sized {
    fn visible<QS>(visibility: &Visibility) -> Option<ConditionOn<QS, Self>>
    where
        QS: 'static,
        employees::code: SelectableExpression<QS> + ValidGrouping<()>,
        organisations::id: SelectableExpression<QS> + ValidGrouping<()>,
        organisations::parent_id: SelectableExpression<QS> + ValidGrouping<()>;
}

macro_rules! scoped {
    ($($db:ty),+) => {$(
        impl Scoped for $db {
            fn visible<QS>(visibility: &Visibility) -> Option<ConditionOn<QS, Self>>
            where
                QS: 'static,
                employees::code: SelectableExpression<QS> + ValidGrouping<()>,
                organisations::id: SelectableExpression<QS> + ValidGrouping<()>,
                organisations::parent_id: SelectableExpression<QS> + ValidGrouping<()>,
            {
                Some(match visibility {
                    Visibility::All => Box::new(always()),
                    Visibility::OrgTree(org) => Box::new(
                        organisations::id
                            .eq(org.as_str().to_owned())
                            .or(organisations::parent_id.eq(org.as_str().to_owned())),
                    ),
                    Visibility::Employee(code) => {
                        Box::new(employees::code.eq(code.as_str().to_owned()).and(always()))
                    }
                    Visibility::Nothing => return None,
                })
            }
        }
    )+};
}

scoped!(
    diesel::sqlite::Sqlite,
    diesel::pg::Pg,
    <DbConn as Connection>::Backend
);

/// The organisation-level records a caller may see (`scope::org_visibility`),
/// as a condition on a query whose FROM has the organisation the record
/// sits in. `None`: nothing is visible, skip the query.
pub(crate) fn visible_orgs<QS>(visibility: &Visibility) -> Option<Condition<QS>>
where
    QS: 'static,
    organisations::id: SelectableExpression<QS> + ValidGrouping<()>,
    organisations::parent_id: SelectableExpression<QS> + ValidGrouping<()>,
{
    Some(match visibility {
        Visibility::All => Box::new(always()),
        Visibility::OrgTree(org) => Box::new(
            organisations::id
                .eq(org.as_str().to_owned())
                .or(organisations::parent_id.eq(org.as_str().to_owned())),
        ),
        Visibility::Employee(_) | Visibility::Nothing => return None,
    })
}
