//! An officer in a round: ROT-2 as of the day its preferences open, and
//! what every path naming an officer in a round checks first.

use actix_web::HttpRequest;
use chrono::NaiveDate;
use cscms_domain::decision::Decision;
use cscms_domain::employee::EmployeeCode;
use cscms_domain::organisation::{ministry_of, OrgId};
use cscms_domain::principal::Principal;
use cscms_domain::rotation::round::takes_grade;
use cscms_domain::rotation::{evaluate_rotation, RotationOutcome, RotationStatus};
use cscms_domain::scope::{Family, Op};
use cscms_store::employees::{EmployeeRow, Placed, ServiceEventRow};
use cscms_store::rotation::preferences::OfficerFacts;

use super::rounds::{round, Round};
use crate::error::{ApiError, ProblemCode};
use crate::gate::require_profile_submitted;
use crate::routes::visible_employee;
use crate::scope::authorize;
use crate::state::AppState;
use crate::versioning::if_match;

/// ROT-2 for a stored officer as of the day a round's preferences open:
/// `None` when the record cannot be decided on (tenure starting after it).
pub(crate) fn eligibility(
    e: &EmployeeRow,
    history: &[ServiceEventRow],
    promotion: &[NaiveDate],
    on: NaiveDate,
) -> Option<Decision<RotationOutcome>> {
    let input = crate::career::rotation_input(e, history, promotion, on)?;
    evaluate_rotation(on, &input).ok()
}

/// The officer's present ministry: where they serve, or the ministry
/// above their body (ROT-2 counts tenure in it; SPO-1 its station).
pub(crate) fn present_ministry(p: &Placed<EmployeeRow>) -> &OrgId {
    ministry_of(&p.record.org_id, p.org_parent.as_ref())
}

/// Who takes part in a round: those who must rotate and those who may opt.
pub(crate) fn takes_part(d: &Decision<RotationOutcome>) -> bool {
    matches!(
        d.outcome.status,
        RotationStatus::MustRotate | RotationStatus::MayOpt
    )
}

impl Round {
    /// Whether the officer is of the round's cadre and grades and ROT-2,
    /// as of the day preferences open, makes them take part.
    pub(crate) fn takes_in(&self, o: &OfficerFacts) -> bool {
        let e = &o.placed.record;
        e.cadre == self.cadre()
            && takes_grade(self.grades(), &e.grade)
            && eligibility(e, &o.history, &o.promotion, self.dates.preferences_open)
                .is_some_and(|d| takes_part(&d))
    }

    /// 409 `not_in_round` unless the officer takes part: `whom` names them,
    /// `hint` (if any) where to look further.
    pub(crate) fn require_in(
        &self,
        o: &OfficerFacts,
        whom: &str,
        hint: &str,
    ) -> Result<(), ApiError> {
        if self.takes_in(o) {
            return Ok(());
        }
        Err(ApiError::Conflict {
            code: ProblemCode::NotInRound,
            detail: format!(
                "Rotation round {} is for {} {}, officers whom ROT-2 makes eligible on {}; {whom} is not among them{hint}.",
                self.id(),
                self.cadre(),
                self.grades().join(", "),
                self.dates.preferences_open.format("%d.%m.%Y"),
            ),
        })
    }
}

/// The officer a path names, if the caller sees them (404 otherwise), and
/// the round (404 when there is none; rounds are announced to all).
pub(crate) async fn officer_in_round(
    state: &AppState,
    who: &Principal,
    (code, id): (String, i64),
) -> Result<(EmployeeCode, EmployeeRow, Round), ApiError> {
    let (code, e) = visible_employee(state, who, Family::RotationPreference, &code).await?;
    let round = round(state, id).await?;
    Ok((code, e, round))
}

/// The checks every write of an officer in a round makes (a list of
/// preferences, a couple), in this order: the officer visible, acting for
/// themselves, the round standing, `If-Match`, the profile gate (PRF-1),
/// the window (ROT-1). Answers the officer, the round and the version read.
pub(crate) async fn writable(
    state: &AppState,
    who: &Principal,
    req: &HttpRequest,
    (code, id): (String, i64),
) -> Result<(EmployeeCode, Round, i64), ApiError> {
    let (code, _) = visible_employee(state, who, Family::RotationPreference, &code).await?;
    authorize(who, Op::SubmitRotationPreferences)?;
    let round = round(state, id).await?;
    round.not_cancelled()?;
    let expected = if_match(req)?;
    require_profile_submitted(state, &code).await?;
    round.window_open()?;
    Ok((code, round, expected))
}

/// What ROT-2 decides on for an officer; `None` when no employee has the code.
pub(crate) async fn facts(
    state: &AppState,
    code: &EmployeeCode,
) -> Result<Option<OfficerFacts>, ApiError> {
    let key = code.clone();
    state
        .read(move |c| cscms_store::rotation::preferences::officer(c, &key))
        .await
}
