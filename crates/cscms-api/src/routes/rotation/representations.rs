//! ROT-1: an officer's representation against their result in a round's
//! approved run, heard above the officer who approved it (SPO-1 para 6).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use cscms_domain::cursor::AtId;
use cscms_domain::principal::Principal;
use cscms_domain::rotation::representation::{
    approved_the_run, may_hear, reasons_suffice, RepAction, RepState, REPRESENTATION_TO,
    ROTATION_REPRESENTATION,
};
use cscms_domain::scope::{Family, Op, RecordPlace};
use cscms_store::rotation::representations::{NewRep, RepRecord};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::error::{ApiError, ProblemCode};
use crate::extract::ValidJson;
use crate::routes::workflow::{allowed, refused, ActionRequest, StepView};
use crate::routes::{actor, paging, utc, visible_employee};
use crate::scope::{authorize, ensure_visible};
use crate::state::AppState;

/// A representation against a rotation result.
#[derive(Serialize, ToSchema)]
pub struct RotationRepresentation {
    pub id: i64,
    pub round_id: i64,
    /// The approved run represented against.
    pub run_id: i64,
    pub employee_code: String,
    pub state: RepState,
    /// Who hears it: above the officer who approved the allocation.
    pub representation_to: String,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// What the caller may do now.
    pub allowed_actions: Vec<RepAction>,
    /// Every step with who took it, when and why.
    pub steps: Vec<StepView>,
}

#[derive(Serialize, ToSchema)]
pub struct RotationRepresentationList {
    pub items: Vec<RotationRepresentationSummary>,
    /// The next page, or null on the last one (also in `Link`).
    pub next: Option<String>,
}

/// A representation awaiting a hearing.
#[derive(Serialize, ToSchema)]
pub struct RotationRepresentationSummary {
    pub id: i64,
    pub round_id: i64,
    pub employee_code: String,
    pub employee_name: String,
    pub submitted_at: DateTime<Utc>,
}

async fn load_visible(state: &AppState, who: &Principal, id: i64) -> Result<RepRecord, ApiError> {
    let what = || format!("Representation {id}");
    let r = state
        .db(move |c| cscms_store::rotation::representations::get(c, id))
        .await?
        .ok_or_else(|| ApiError::not_found(what()))?;
    let place = RecordPlace {
        org: &r.row.org_id,
        org_parent: r.org_parent.as_ref(),
        employee: &r.row.employee_code,
        shared_with: None,
    };
    ensure_visible(who, Family::RotationPreference, place, what)?;
    Ok(r)
}

async fn view(
    state: &AppState,
    who: &Principal,
    r: RepRecord,
) -> Result<RotationRepresentation, ApiError> {
    let id = r.row.id;
    let steps = state
        .db(move |c| cscms_store::steps::for_record(c, ROTATION_REPRESENTATION.name, id))
        .await?;
    let current = r.row.state;
    // The approver is shown no action on it: they do not hear it.
    let actions = if approved_the_run(who, &r.row.approved_by) {
        Vec::new()
    } else {
        allowed(&ROTATION_REPRESENTATION, current, who.role)
    };
    Ok(RotationRepresentation {
        id,
        round_id: r.row.round_id,
        run_id: r.row.run_id,
        employee_code: r.row.employee_code.into(),
        state: current,
        representation_to: REPRESENTATION_TO.to_owned(),
        submitted_at: utc(r.row.submitted_at),
        updated_at: utc(r.row.updated_at),
        allowed_actions: actions,
        steps: StepView::list(steps)?,
    })
}

crate::routes::workflow::step_record!(RepRecord {
    workflow: ROTATION_REPRESENTATION => (RepState, RepAction),
    view: RotationRepresentation = view,
    load: load_visible,
    stored_state: |r| r.row.state,
    advance: cscms_store::rotation::representations::advance,
    more {
        /// The officer who approved the run does not hear a representation
        /// against it (para 6 applied to rotation): refused before the table.
        fn may_take(&self, who: &Principal, action: RepAction) -> Result<(), ApiError> {
            if ROTATION_REPRESENTATION.role_may(action, who.role)
                && !may_hear(who, &self.row.approved_by)
            {
                return Err(ApiError::forbidden(
                    "The officer who approved the allocation does not hear representations against it.",
                ));
            }
            Ok(())
        }

        /// A dismissal gives specific reasons (the domain's rule, as for a
        /// refusal of a posting with one's spouse); a missing reason is the
        /// table's to answer.
        fn check_body(&self, action: RepAction, body: &ActionRequest) -> Result<(), ApiError> {
            reasons_suffice(action, body.reason.as_deref()).map_err(|e| ApiError::Unprocessable {
                code: ProblemCode::SpecificReasonsRequired,
                detail: e.message,
            })
        }
    }
});

/// The representation of the officer a path names in a round, if filed.
async fn find(
    state: &AppState,
    who: &Principal,
    code: &str,
    round: i64,
) -> Result<Option<i64>, ApiError> {
    let (code, _) = visible_employee(state, who, Family::RotationPreference, code).await?;
    state
        .db(move |c| cscms_store::rotation::representations::find(c, round, &code))
        .await
}

/// Read an officer's representation against their rotation result
///
/// The officer, the nodal officer of their ministry and DoPT read it; 404
/// until one is filed.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code"), ("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "The representation and its steps", body = RotationRepresentation)))]
#[get("/employees/{code}/rotation/rounds/{id}/representation")]
pub async fn get_representation(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (code, round) = path.into_inner();
    let id = find(&state, &who, &code, round).await?.ok_or_else(|| {
        ApiError::not_found(format!("A representation in rotation round {round}"))
    })?;
    crate::routes::workflow::show::<RepRecord>(&state, &who, id).await
}

/// Represent against one's rotation result
///
/// The officer represents, with reasons, against their result in the
/// round's approved run (ROT-1); once per round. It is heard by a DoPT
/// officer other than the one who approved the allocation (para 6 of OM
/// 28034/9/2009-Estt.(A): one level above the deciding authority).
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = ActionRequest,
    params(("code" = String, Path, description = "Employee code"), ("id" = i64, Path, description = "Round id")),
    responses((status = 201, description = "The representation; `Location` names it", body = RotationRepresentation, headers(("Location" = String))),
        (status = 403, description = "Only the officer represents", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No approved run yet (`result_not_approved`), or already represented (`already_exists`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/employees/{code}/rotation/rounds/{id}/representation")]
pub async fn represent(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    ValidJson(body): ValidJson<ActionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (code, round) = path.into_inner();
    let (code, employee) =
        visible_employee(&state, &who, Family::RotationPreference, &code).await?;
    authorize(&who, Op::RepresentAgainstRotation)?;
    if who.own_employee() != Some(&code) {
        return Err(ApiError::forbidden(
            Op::RepresentAgainstRotation.grant().refusal,
        ));
    }
    let key = code.clone();
    let (run, existing) = state
        .db(move |c| {
            let run = cscms_store::rotation::runs::approved_run(c, round)?;
            let existing = cscms_store::rotation::representations::find(c, round, &key)?;
            Ok((run, existing))
        })
        .await?;
    let run = run.ok_or_else(|| ApiError::Conflict {
        code: ProblemCode::ResultNotApproved,
        detail: format!("Rotation round {round} has no approved allocation to represent against."),
    })?;
    if let Some(id) = existing {
        return Err(ApiError::Conflict {
            code: ProblemCode::AlreadyExists,
            detail: format!("The representation in rotation round {round} is {id}."),
        });
    }
    let now = Utc::now().naive_utc();
    let (to, step) = ROTATION_REPRESENTATION
        .step(
            None,
            RepAction::Represent,
            &who,
            body.reason.as_deref(),
            None,
            now,
        )
        .map_err(refused)?;
    let new = NewRep {
        round_id: round,
        run_id: run.run.id,
        employee_code: code.clone(),
        org_id: employee.org_id,
        state: to,
        approved_by: run.approved_by,
        submitted_at: now,
        updated_at: now,
    };
    let actor = actor(&who, &req);
    let id = state
        .db(move |c| cscms_store::rotation::representations::file(c, &actor, &new, &step))
        .await?;
    let r = load_visible(&state, &who, id).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/v1/employees/{code}/rotation/rounds/{round}/representation"),
        ))
        .json(view(&state, &who, r).await?))
}

/// The representation a hearing's path names: the officer's in the round.
/// Nothing filed: the table says why not (403 for the role, 409 `new`).
async fn filed(
    state: &AppState,
    who: &Principal,
    (code, round): (String, i64),
    action: RepAction,
    body: &ActionRequest,
) -> Result<i64, ApiError> {
    if let Some(id) = find(state, who, &code, round).await? {
        return Ok(id);
    }
    ROTATION_REPRESENTATION
        .apply(None, action, who.role, body.reason.as_deref())
        .map_err(refused)?;
    Err(ApiError::not_found(format!(
        "A representation in rotation round {round}"
    )))
}

crate::routes::workflow::step_handlers! {
    record: RepRecord, view: RotationRepresentation, tag: "rotation",
    path: (String, i64) = filed,
    params: (("code" = String, Path, description = "Employee code"), ("id" = i64, Path, description = "Round id"));
    allow: RepAction::Allow, "/employees/{code}/rotation/rounds/{id}/representation/allow",
        "Allow a representation against a rotation result",
        "A DoPT officer other than the approver allows the representation. The\nofficer's posting is then changed by a fresh order; this records the decision.",
        "The representation allowed",
        403 "Only DoPT, and not the officer who approved the allocation",
        409 "Not awaiting a hearing (`invalid_transition`, with `current_state` and `allowed_actions`)";
    dismiss: RepAction::Dismiss, "/employees/{code}/rotation/rounds/{id}/representation/dismiss",
        "Dismiss a representation against a rotation result",
        "A DoPT officer other than the approver dismisses it, giving specific\nreasons as a refusal must (paras 5 and 6 of OM 28034/9/2009-Estt.(A)):\na missing reason is 422 `validation_failed`; one that says nothing of\nthe case (\"no\", \"administrative reasons\") is 422 `specific_reasons_required`.",
        "The representation dismissed",
        403 "Only DoPT, and not the officer who approved the allocation",
        409 "Not awaiting a hearing (`invalid_transition`, with `current_state` and `allowed_actions`)",
        422 "No reason given (`validation_failed`), or none specific (`specific_reasons_required`)";
}

/// Representations against rotation results awaiting a hearing
///
/// DoPT's queue, oldest first, a page at a time.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of the representations awaiting a hearing, oldest first; `Link` names the next page", body = RotationRepresentationList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "For DoPT", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rotation/representations/pending")]
pub async fn pending(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::HearRotationRepresentations)?;
    let (limit, after) = paging::page_of(q.limit, q.cursor.as_deref(), AtId::parse)?;
    let rows = state
        .db(move |c| {
            cscms_store::rotation::representations::pending(c, after, paging::fetch(limit))
        })
        .await?;
    let (rows, next) = paging::page(
        rows,
        limit,
        "/v1/rotation/representations/pending",
        |(last, _)| AtId::after(last.submitted_at, last.id),
        |cursor| paging::PageQuery::at(cursor, limit),
    )?;
    let items = rows
        .into_iter()
        .map(|(r, name)| RotationRepresentationSummary {
            id: r.id,
            round_id: r.round_id,
            employee_code: r.employee_code.into(),
            employee_name: name,
            submitted_at: utc(r.submitted_at),
        })
        .collect();
    Ok(paging::respond(
        next.clone(),
        &RotationRepresentationList { items, next },
    ))
}
