//! A page's keyset condition (INT-1): the rows after a cursor in a list
//! ordered by a time and then the id, rising or falling. The id breaks
//! ties, so rows submitted at the same instant are neither skipped nor
//! repeated between pages.

/// Filters `$q` to the rows after the cursor `$after` (a
/// `cscms_domain::cursor::AtId`) in the order (`$at`, `$id`), ascending
/// when `$ascending`, else descending.
macro_rules! after_at_id {
    ($q:expr, $at:expr, $id:expr, $after:expr, $ascending:expr) => {{
        let a: cscms_domain::cursor::AtId = $after;
        if $ascending {
            $q.filter($at.gt(a.at).or($at.eq(a.at).and($id.gt(a.id))))
        } else {
            $q.filter($at.lt(a.at).or($at.eq(a.at).and($id.lt(a.id))))
        }
    }};
}
pub(crate) use after_at_id;
