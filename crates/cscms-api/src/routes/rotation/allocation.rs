//! What a round's allocation is built from (ROT-1, ROT-2, SPO-1): the
//! ministries of the groups in force on the day preferences open with
//! their vacancies, the officers who take part with their lists, and the
//! confirmed couples; and the vacancies as DoPT reads them before a run.

use std::collections::BTreeMap;

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use cscms_domain::rotation::couples::{spouses_in_round, RoundSpouse};
use cscms_domain::rotation::params::functional_grade;
use cscms_domain::rotation::round::{
    in_functional_grade_since, participants, vacancies, Candidate, Strength,
};
use cscms_domain::rotation::{AllocationInput, Couple, Group, Ministry, Officer};
use cscms_domain::scope::Op;
use cscms_store::employees::{EmployeeRow, Placed};
use cscms_store::rotation::couples::ConfirmedCouple;
use cscms_store::rotation::groups::GroupSet;
use serde::Serialize;
use utoipa::ToSchema;

use super::officers::{eligibility, present_ministry};
use super::rounds::{load_round, Round};
use crate::auth::Auth;
use crate::error::{ApiError, ProblemCode};
use crate::scope::authorize;
use crate::state::AppState;

/// Each ministry of the set of groups in force on the day a round's
/// preferences open, with its group; 409 when there is none (ROT-2).
pub(crate) async fn ministry_groups(
    state: &AppState,
    open: NaiveDate,
) -> Result<BTreeMap<String, Group>, ApiError> {
    let groups = state
        .read(move |c| cscms_store::rotation::groups::in_force(c, open))
        .await?;
    Ok(groups_in_force(groups, open)?
        .members
        .into_iter()
        .map(|m| (m.org_id, m.grp))
        .collect())
}

/// The set of groups in force on the day a round's preferences open;
/// 409 when there is none (ROT-2).
fn groups_in_force(groups: Option<GroupSet>, open: NaiveDate) -> Result<GroupSet, ApiError> {
    groups.ok_or_else(|| ApiError::Conflict {
        code: ProblemCode::NoMinistryGroups,
        detail: format!(
            "No set of ministry groups is in force on {} (ROT-2); DoPT records one first.",
            open.format("%d.%m.%Y")
        ),
    })
}

/// The inputs of a round's allocation from the store.
pub(crate) async fn allocation_input(
    state: &AppState,
    round: &Round,
) -> Result<AllocationInput, ApiError> {
    let (id, open) = (round.id(), round.dates.preferences_open);
    let (cadre, grades) = (round.cadre(), round.grades().to_vec());
    let (data, groups, orgs, couples) = state
        .read(move |c| {
            Ok((
                cscms_store::rotation::runs::round_data(c, id, cadre, &grades)?,
                cscms_store::rotation::groups::in_force(c, open)?,
                cscms_store::organisations::list(c)?,
                cscms_store::rotation::couples::confirmed(c, id)?,
            ))
        })
        .await?;
    let groups = groups_in_force(groups, open)?;
    let strength: Vec<Strength> = data
        .strength
        .into_iter()
        .map(|(org, parent, grade, sanctioned, in_position)| Strength {
            org,
            parent,
            grade,
            sanctioned,
            in_position,
        })
        .collect();
    let mut free = vacancies(&strength);
    let station: BTreeMap<String, String> = orgs
        .into_iter()
        .map(|o| (o.id.into(), o.state.unwrap_or_default()))
        .collect();
    let ministries = groups
        .members
        .iter()
        .map(|m| Ministry {
            id: m.org_id.clone(),
            group: m.grp,
            station: station.get(&m.org_id).cloned().unwrap_or_default(),
            vacancies: free.remove(&m.org_id).unwrap_or_default(),
        })
        .collect();
    let mut candidates = Vec::new();
    for (e, parent, history, list, promotion) in data.officers {
        let Some(decision) = eligibility(&e, &history, &promotion, open) else {
            continue;
        };
        candidates.push(Candidate {
            ministry: parent.unwrap_or_else(|| e.org_id.to_string()),
            in_ministry_since: crate::career::rotation_input(&e, &history, &promotion, open)
                .map_or(e.joined_government_on, |i| i.in_ministry_since),
            in_grade_since: {
                let placed: Vec<_> = history
                    .iter()
                    .map(|h| (h.to_grade.as_deref(), h.effective_on))
                    .collect();
                in_functional_grade_since(&e.grade, e.joined_present_grade_on, &placed)
            },
            status: decision.outcome.status,
            code: e.code.into(),
            // Slots are the posts of the functional grade (ROT-2).
            grade: functional_grade(&e.grade).to_owned(),
            preferences: list.unwrap_or_default(),
        });
    }
    let officers = participants(&candidates);
    let couples = round_couples(open, &couples, &officers, &station);
    Ok(AllocationInput {
        ministries,
        officers,
        couples,
    })
}

/// The confirmed couples of a round as the engine takes them (SPO-1): with
/// both spouses taking part, their joint list; with one, the other is a
/// spouse who stays at the station of their present ministry; with
/// neither, nothing to allocate. Whether posting together is mandatory is
/// the OM's answer for the two officers (`rotation::couples`).
fn round_couples(
    open: NaiveDate,
    couples: &[ConfirmedCouple],
    officers: &[Officer],
    station: &BTreeMap<String, String>,
) -> Vec<Couple> {
    let takes = |p: &Placed<EmployeeRow>| officers.iter().any(|o| o.code == p.record.code.as_str());
    let mut out = Vec::new();
    for k in couples {
        let (first, second, joint) = match (takes(&k.first), takes(&k.second)) {
            (true, true) => (&k.first, &k.second, k.row.joint.get().clone()),
            (true, false) => (&k.first, &k.second, Vec::new()),
            (false, true) => (&k.second, &k.first, Vec::new()),
            (false, false) => continue,
        };
        let (a, b) = (round_spouse(first, station), round_spouse(second, station));
        let terms = spouses_in_round(open, &a, &b);
        if terms.outcome.case.is_none() {
            continue;
        }
        out.push(Couple {
            first: first.record.code.to_string(),
            second: second.record.code.to_string(),
            second_station: (!takes(second)).then(|| b.station.to_owned()),
            joint,
            mandatory: terms.outcome.mandatory,
        });
    }
    out
}

/// A spouse as SPO-1 in a round takes them: cadre, present ministry (the
/// ministry above a body) and its station.
fn round_spouse<'a>(
    p: &'a Placed<EmployeeRow>,
    station: &'a BTreeMap<String, String>,
) -> RoundSpouse<'a> {
    let ministry = present_ministry(p).as_str();
    RoundSpouse {
        cadre: p.record.cadre,
        ministry,
        station: station.get(ministry).map_or("", String::as_str),
    }
}

/// Vacancies of one ministry and grade before the round.
#[derive(Serialize, ToSchema)]
pub struct RoundVacancy {
    pub ministry: String,
    pub grade: String,
    /// Sanctioned minus in position (PRF-3), over the ministry and its bodies.
    pub vacant: u32,
}

#[derive(Serialize, ToSchema)]
pub struct RoundVacancies {
    pub round_id: i64,
    /// Posts freed by the round itself (every officer who must rotate) are
    /// added by the allocation.
    pub items: Vec<RoundVacancy>,
}

/// Vacancies of a round
///
/// Per ministry and grade of the round: sanctioned minus in position
/// (PRF-3's working strength) over the ministry and the bodies under it,
/// before the round; the posts the round frees are added when it is run.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "Vacancies by ministry and grade", body = RoundVacancies),
        (status = 403, description = "For DoPT", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No ministry groups in force (`no_ministry_groups`)", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rotation/rounds/{id}/vacancies")]
pub async fn round_vacancies(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let round = load_round(&state, &who, id.into_inner()).await?;
    authorize(&who, Op::RunRotationAllocation)?;
    let input = allocation_input(&state, &round).await?;
    let items = input
        .ministries
        .iter()
        .flat_map(|m| {
            round.grades().iter().map(|g| RoundVacancy {
                ministry: m.id.clone(),
                grade: g.clone(),
                vacant: m.vacancies.get(g).copied().unwrap_or(0),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(RoundVacancies {
        round_id: round.id(),
        items,
    }))
}
