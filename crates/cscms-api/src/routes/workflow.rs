//! What every approval workflow's handlers share: the action body, the step
//! record as shown, refusals as problems, and the clearance as JSON.

use chrono::{DateTime, Utc};
use cscms_domain::decision::Decision;
use cscms_domain::principal::Role;
use cscms_domain::vigilance::{condition, ClearanceOutcome, ClearanceOverride};
use cscms_domain::workflow::{Label, RefusalKind, Refused, Workflow};
use cscms_store::json::Json;
use cscms_store::steps::StepRow;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use validator::Validate;

use super::utc;
use crate::error::{ApiError, ProblemCode};

/// The body of a workflow action.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// Why: required to refuse or reject, optional otherwise.
    #[validate(length(min = 3, max = 1000))]
    #[schema(
        min_length = 3,
        max_length = 1000,
        example = "Visit dates clash with the budget session"
    )]
    pub reason: Option<String>,
    /// Only on a step that rests on the vigilance clearance (FV-1 grant,
    /// DEP-1 forward and approve) and only needed while the clearance is
    /// `denied` or `deferred`: the deciding officer's reasons for going
    /// ahead without it (VIG-2), kept with the step and in the audit trail.
    /// Without it such a step is refused (409 `clearance_withheld`).
    #[validate(length(min = 10, max = 1000))]
    #[schema(
        min_length = 10,
        max_length = 1000,
        example = "Charge memo withdrawn by order of 01.11.2026; fresh status awaited from AVD"
    )]
    pub clearance_override: Option<String>,
}

/// The decision record of one step.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    pub action: String,
    /// Null for the step that opened the record.
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor_sub: String,
    pub actor_role: Role,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
    /// The vigilance clearance fetched for this step (VIG-1): a decision
    /// with `clearance` (`cleared`, `denied`, `deferred`), `grounds` and `reasons`.
    #[schema(value_type = Option<cscms_domain::decision::Decision<cscms_domain::vigilance::ClearanceOutcome>>)]
    pub clearance: Option<Value>,
    /// The deciding officer's reasons for taking this step while the
    /// clearance was `denied` or `deferred` (VIG-2); null otherwise.
    pub clearance_override: Option<String>,
}

impl StepView {
    /// The store has read the steps (unreadable ones are a 500 there).
    pub fn list(rows: Vec<StepRow>) -> Result<Vec<StepView>, ApiError> {
        Ok(rows
            .into_iter()
            .map(|r| StepView {
                actor_role: r.actor_role,
                action: r.action,
                from_state: r.from_state,
                to_state: r.to_state,
                actor_sub: r.actor_sub,
                at: utc(r.at),
                reason: r.reason,
                clearance: r.clearance.map(Json::into_inner),
                clearance_override: r.clearance_override,
            })
            .collect())
    }
}

/// A refused move as a problem: 403 for a role that never takes the
/// action, 409 (with the state and what is allowed) for one not allowed
/// now, 422 for a missing reason.
pub fn refused(e: Refused) -> ApiError {
    match e.kind {
        RefusalKind::Role => ApiError::forbidden(format!("This role may not {}.", e.action)),
        RefusalKind::State => ApiError::InvalidTransition {
            action: e.action.into(),
            current: e.current.into(),
            allowed: e.allowed.into_iter().map(str::to_owned).collect(),
        },
        RefusalKind::ReasonRequired => ApiError::invalid(
            "body.reason",
            "required",
            format!("a reason is required to {}", e.action),
        ),
    }
}

/// The actions `role` may take on a record in `state`.
pub fn allowed<S: Label, A: Label>(w: &Workflow<S, A>, state: S, role: Role) -> Vec<A> {
    w.allowed(Some(state), role)
}

/// A clearance decision as the JSON recorded with a step and shown.
pub fn clearance_json(d: &Decision<ClearanceOutcome>) -> Result<Value, ApiError> {
    serde_json::to_value(d).map_err(|e| ApiError::Internal(format!("clearance: {e}")))
}

pub use crate::clearance::today;

/// A value stored as JSON text.
pub fn to_json<T: Serialize>(v: &T) -> Result<String, ApiError> {
    serde_json::to_string(v).map_err(|e| ApiError::Internal(format!("json: {e}")))
}

/// A step of a request's workflow as every workflow takes it: the move is
/// checked first (so a refused move fetches nothing), then, for a request
/// of an employee, the vigilance clearance for its purpose is fetched and
/// recorded with the step (VIG-1); a step that rests on it is refused while
/// it is withheld unless the body overrides with reasons (VIG-2). The
/// caller stores the step.
pub async fn checked_step<S: Label, A: Label>(
    state: &crate::state::AppState,
    who: &cscms_domain::principal::Principal,
    workflow: &Workflow<S, A>,
    (current, action): (S, A),
    body: &ActionRequest,
    subject: Option<(
        &cscms_domain::employee::EmployeeCode,
        cscms_domain::vigilance::ClearancePurpose,
    )>,
) -> Result<cscms_domain::workflow::Step, ApiError> {
    let reason = body.reason.as_deref();
    workflow
        .apply(Some(current), action, who.role, reason)
        .map_err(refused)?;
    let rests = workflow.rests_on_clearance(action) && subject.is_some();
    let given = match body.clearance_override.as_deref() {
        None => None,
        Some(_) if !rests => {
            return Err(ApiError::invalid(
                "body.clearance_override",
                "not_applicable",
                format!(
                    "{} does not rest on the vigilance clearance: there is nothing to override",
                    action.label()
                ),
            ))
        }
        Some(text) => Some(
            ClearanceOverride::parse(text)
                .map_err(|m| ApiError::invalid("body.clearance_override", "invalid", m))?,
        ),
    };
    let (clearance, overridden) = match subject {
        Some((employee_code, purpose)) => {
            let cl = crate::clearance::for_employee(state, employee_code, purpose, today()).await?;
            // VIG-2: the domain decides whether the step may rest on it.
            let met = if rests {
                Some(condition(&cl.outcome, given).map_err(ApiError::ClearanceWithheld)?)
            } else {
                None
            };
            (
                Some(clearance_json(&cl)?),
                met.and_then(|m| m.override_reasons().map(str::to_owned)),
            )
        }
        None => (None, None),
    };
    let (_, mut step) = workflow
        .step(
            Some(current),
            action,
            who,
            reason,
            clearance,
            Utc::now().naive_utc(),
        )
        .map_err(refused)?;
    step.clearance_override = overridden;
    Ok(step)
}

/// A record whose workflow steps every handler takes the same way
/// ([`take_step`]): a foreign visit request, a deputation application, a
/// Surplus Cell requisition.
pub(crate) trait StepRecord: Sized {
    type State: Label;
    type Action: Label;
    type View: Serialize;
    /// The workflow the record moves through.
    fn workflow() -> &'static Workflow<Self::State, Self::Action>;
    /// Loads the record if the caller sees it; otherwise 404.
    async fn load(
        state: &crate::state::AppState,
        who: &cscms_domain::principal::Principal,
        id: i64,
    ) -> Result<Self, ApiError>;
    fn current(&self) -> Result<Self::State, ApiError>;
    /// The employee whose vigilance clearance each step fetches and
    /// records (VIG-1), with its purpose; by default none: a record whose
    /// requester is an office (SUR-1), or whose steps rest on no clearance
    /// (TRN-1).
    fn clearance_subject(
        &self,
    ) -> Option<(
        &cscms_domain::employee::EmployeeCode,
        cscms_domain::vigilance::ClearancePurpose,
    )> {
        None
    }
    /// Stores the step and the record's new state, audited.
    fn advance(
        c: &mut cscms_store::DbConn,
        actor: &cscms_store::audit::Actor,
        id: i64,
        step: &cscms_domain::workflow::Step,
    ) -> Result<(), cscms_store::StoreError>;
    /// The record as the caller is shown it.
    async fn view(
        self,
        state: &crate::state::AppState,
        who: &cscms_domain::principal::Principal,
    ) -> Result<Self::View, ApiError>;
    /// A check of the record's own beyond the workflow table, taken before
    /// the move (e.g. SUR-1: only the office that drafted a requisition
    /// submits it). None by default.
    fn may_take(
        &self,
        _who: &cscms_domain::principal::Principal,
        _action: Self::Action,
    ) -> Result<(), ApiError> {
        Ok(())
    }
    /// A check of the step's body beyond the workflow table (SPO-1 para 5:
    /// a refusal communicates specific reasons), taken once the table lets
    /// the caller's role take the action in the record's state, so that a
    /// caller who may not act hears 403 or 409 first. None by default.
    fn check_body(&self, _action: Self::Action, _body: &ActionRequest) -> Result<(), ApiError> {
        Ok(())
    }
    /// The answer carrying the view; a record with a version sends it as
    /// the `ETag`.
    fn respond(view: Self::View) -> actix_web::HttpResponse {
        actix_web::HttpResponse::Ok().json(view)
    }
}

/// A workflow record that also prints (PRF-5): its read answers the PDF
/// when `Accept` asks for it ([`read`]).
pub(crate) trait Printed: StepRecord {
    /// The record as printed, registered for verification.
    async fn print(
        self,
        state: &crate::state::AppState,
        who: &cscms_domain::principal::Principal,
        req: &actix_web::HttpRequest,
    ) -> Result<actix_web::HttpResponse, ApiError>;
}

/// The one read of a printable workflow record: the JSON view, or with
/// `Accept: application/pdf` the print; either marked `Vary: Accept`.
pub(crate) async fn read<R: Printed>(
    state: &crate::state::AppState,
    who: &cscms_domain::principal::Principal,
    req: &actix_web::HttpRequest,
    id: i64,
) -> Result<actix_web::HttpResponse, ApiError> {
    if super::wants_pdf(req) {
        let r = R::load(state, who, id).await?;
        return super::negotiated(r.print(state, who, req).await);
    }
    super::negotiated(show::<R>(state, who, id).await)
}

/// The one step handler of every workflow: loads the record the caller
/// sees, checks the move, fetches and records the clearance (if any), stores the
/// step audited, and answers the record as it now stands.
pub(crate) async fn take_step<R: StepRecord>(
    state: &crate::state::AppState,
    who: &cscms_domain::principal::Principal,
    req: &actix_web::HttpRequest,
    id: i64,
    action: R::Action,
    body: ActionRequest,
) -> Result<actix_web::HttpResponse, ApiError> {
    let r = R::load(state, who, id).await?;
    r.may_take(who, action)?;
    let current = r.current()?;
    // Role and state first; then the record's own reading of the body.
    R::workflow()
        .permits(Some(current), action, who.role)
        .map_err(refused)?;
    r.check_body(action, &body)?;
    let step = checked_step(
        state,
        who,
        R::workflow(),
        (current, action),
        &body,
        r.clearance_subject(),
    )
    .await?;
    let actor = super::actor(who, req);
    match state.db(move |c| R::advance(c, &actor, id, &step)).await {
        // Another step moved the record between the read and the write. The
        // caller sent no `If-Match`: answer as the step is answered from the
        // state it finds now (409 `invalid_transition` with it), never 412.
        Err(ApiError::PreconditionFailed) => {
            let now = R::load(state, who, id).await?.current()?;
            R::workflow()
                .permits(Some(now), action, who.role)
                .map_err(refused)?;
            Err(ApiError::Conflict {
                code: ProblemCode::WriteConflict,
                detail: "Another step moved this record at the same time; read it again and retry."
                    .into(),
            })
        }
        done => {
            done?;
            show::<R>(state, who, id).await
        }
    }
}

/// The record a step's path names by its id.
pub(crate) async fn by_id<A>(
    _state: &crate::state::AppState,
    _who: &cscms_domain::principal::Principal,
    id: i64,
    _action: A,
    _body: &ActionRequest,
) -> Result<i64, ApiError> {
    Ok(id)
}

/// The one read of a workflow record: the record the caller sees, as shown.
pub(crate) async fn show<R: StepRecord>(
    state: &crate::state::AppState,
    who: &cscms_domain::principal::Principal,
    id: i64,
) -> Result<actix_web::HttpResponse, ApiError> {
    let r = R::load(state, who, id).await?;
    Ok(R::respond(r.view(state, who).await?))
}

/// A record family plugged into the one step path: its [`StepRecord`]
/// from a small table — the workflow with its state and action types, the
/// view and the function that shows it, the scoped load, the state (as
/// stored, or derived by an expression of the record), whose clearance each
/// step fetches (none where omitted), the store's audited advance, and any
/// further methods (`may_take`, `check_body`, `respond`).
macro_rules! step_record {
    ($record:ty {
        workflow: $workflow:path => ($state:ty, $action:ty),
        view: $view:ty = $show:path,
        load: $load:path,
        $(stored_state: |$r:ident| $stored:expr,)?
        $(state: |$d:ident| $derived:expr,)?
        $(clearance: |$c:ident| $subject:expr,)?
        advance: $advance:path
        $(, more { $($more:item)* })? $(,)?
    }) => {
        impl crate::routes::workflow::StepRecord for $record {
            type State = $state;
            type Action = $action;
            type View = $view;

            fn workflow() -> &'static cscms_domain::workflow::Workflow<$state, $action> {
                &$workflow
            }

            async fn load(
                state: &crate::state::AppState,
                who: &cscms_domain::principal::Principal,
                id: i64,
            ) -> Result<Self, crate::error::ApiError> {
                $load(state, who, id).await
            }

            fn current(&self) -> Result<$state, crate::error::ApiError> {
                $(let $r = self;
                Ok($stored))?
                $(let $d = self;
                $derived)?
            }

            $(fn clearance_subject(&self) -> Option<(&cscms_domain::employee::EmployeeCode, cscms_domain::vigilance::ClearancePurpose)> {
                let $c = self;
                $subject
            })?

            fn advance(
                c: &mut cscms_store::DbConn,
                actor: &cscms_store::audit::Actor,
                id: i64,
                step: &cscms_domain::workflow::Step,
            ) -> Result<(), cscms_store::StoreError> {
                $advance(c, actor, id, step)
            }

            async fn view(
                self,
                state: &crate::state::AppState,
                who: &cscms_domain::principal::Principal,
            ) -> Result<$view, crate::error::ApiError> {
                $show(state, who, self).await
            }

            $($($more)*)?
        }
    };
}
pub(crate) use step_record;

/// The handlers of a record's workflow steps, one `POST` each, all taken
/// by [`take_step`] on `record`: per step its name, action, path, summary,
/// description, what the 200 answers, and the problems it may answer. The
/// record is named by `{id}` in the path, or by other path parameters
/// (`path: Type = locate`, with their `params`) that `locate` turns into
/// the record's id.
macro_rules! step_handlers {
    (record: $record:ident, view: $view:ident, tag: $tag:literal, id: $id:literal;
     $($steps:tt)+) => {
        crate::routes::workflow::step_handlers! {
            record: $record, view: $view, tag: $tag,
            path: i64 = crate::routes::workflow::by_id,
            params: (("id" = i64, Path, description = $id));
            $($steps)+
        }
    };
    (record: $record:ident, view: $view:ident, tag: $tag:literal,
     path: $key:ty = $locate:path, params: $params:tt;
     $($name:ident: $action:expr, $path:literal, $summary:literal, $doc:literal, $done:literal
        $(, $status:literal $problem:literal)*;)+) => {
        $(
            #[doc = $summary]
            #[doc = ""]
            #[doc = $doc]
            #[utoipa::path(summary = $summary, description = $doc, tag = $tag, security(("bearer" = [])),
                request_body = crate::routes::workflow::ActionRequest,
                params $params,
                responses((status = 200, description = $done, body = $view)
                    $(, (status = $status, description = $problem, body = crate::error::Problem, content_type = "application/problem+json"))*))]
            #[post($path)]
            pub async fn $name(
                crate::auth::Auth(who): crate::auth::Auth,
                state: actix_web::web::Data<crate::state::AppState>,
                req: actix_web::HttpRequest,
                path: actix_web::web::Path<$key>,
                crate::extract::ValidJson(body): crate::extract::ValidJson<crate::routes::workflow::ActionRequest>,
            ) -> Result<actix_web::HttpResponse, crate::error::ApiError> {
                let id = $locate(&state, &who, path.into_inner(), $action, &body).await?;
                crate::routes::workflow::take_step::<$record>(&state, &who, &req, id, $action, body).await
            }
        )+
    };
}
pub(crate) use step_handlers;
