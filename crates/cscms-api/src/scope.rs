//! The API's side of [`cscms_domain::scope`]: every handler asks here, and
//! every refusal reads the same. A record outside the caller's scope is 404
//! exactly as an absent one; an operation a caller who sees the record may
//! not perform is 403.

use cscms_domain::organisation::OrgId;
use cscms_domain::principal::Principal;
use cscms_domain::scope::{self, Family, Op, OrgPlace, RecordPlace};

use crate::error::ApiError;

/// 403 unless the operation table grants `op` to the caller.
pub fn authorize(who: &Principal, op: Op) -> Result<(), ApiError> {
    if scope::permits(who, op) {
        Ok(())
    } else {
        Err(ApiError::forbidden(op.grant().refusal))
    }
}

/// As [`authorize`], for an operation on the organisation `org`.
pub fn authorize_for(who: &Principal, op: Op, org: &OrgId) -> Result<(), ApiError> {
    if scope::permits_for(who, op, org) {
        Ok(())
    } else {
        Err(ApiError::forbidden(op.grant().refusal))
    }
}

/// 404 (`what` was not found) unless the caller sees the employee's record.
pub fn ensure_visible(
    who: &Principal,
    family: Family,
    place: RecordPlace<'_>,
    what: impl FnOnce() -> String,
) -> Result<(), ApiError> {
    if scope::sees(who, family, place) {
        Ok(())
    } else {
        Err(ApiError::not_found(what()))
    }
}

/// 404 (`what` was not found) unless the caller sees the organisation-level record.
pub fn ensure_visible_org(
    who: &Principal,
    family: Family,
    place: OrgPlace<'_>,
    what: impl FnOnce() -> String,
) -> Result<(), ApiError> {
    if scope::sees_organisation(who, family, place) {
        Ok(())
    } else {
        Err(ApiError::not_found(what()))
    }
}

/// For a record an organisation holds that fewer callers may read than see
/// the organisation (its working strength, PRF-3): 404 unless the caller
/// sees the organisation, so the two never disagree on whether it exists;
/// then 403 (the refusal of `op`) unless `op` is granted to the caller and
/// the caller sees the organisation's record of `family`.
pub fn ensure_org_record(
    who: &Principal,
    family: Family,
    op: Op,
    place: OrgPlace<'_>,
    what: impl FnOnce() -> String,
) -> Result<(), ApiError> {
    ensure_visible_org(who, Family::Organisation, place, what)?;
    authorize(who, op)?;
    if scope::sees_organisation(who, family, place) {
        Ok(())
    } else {
        Err(ApiError::forbidden(op.grant().refusal))
    }
}
