//! The one error type of the API, rendered as RFC 9457 problem details.
//!
//! Every variant has a stable machine-readable `code`. 5xx bodies say
//! nothing internal: the cause goes to the log with the request id.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use cscms_domain::rules::{self, Rule};
use cscms_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Declares [`ProblemCode`]: each variant's wire value and, from its doc
/// comment, its meaning (published in the contract).
macro_rules! problem_codes {
    ($( #[doc = $doc:literal] $variant:ident = $wire:literal, )*) => {
        /// The stable machine-readable `code` of every problem the API answers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProblemCode {
            $( #[doc = $doc] $variant, )*
        }

        impl ProblemCode {
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant,)*];

            /// The wire value (snake_case).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $wire,)*
                }
            }

            /// The code whose wire value is `wire`.
            pub fn from_wire(wire: &str) -> Option<ProblemCode> {
                Self::ALL.iter().copied().find(|c| c.as_str() == wire)
            }

            /// What the code means, for the contract.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $doc.trim(),)*
                }
            }
        }
    };
}

problem_codes! {
    /// The request carries no bearer token.
    MissingToken = "missing_token",
    /// The bearer token is malformed, expired, badly signed or names no usable principal.
    InvalidToken = "invalid_token",
    /// The Authorization header is not a bearer credential.
    InvalidRequest = "invalid_request",
    /// The caller sees the record (or the collection) but its role or scopes may not perform the operation.
    Forbidden = "forbidden",
    /// The record does not exist or is outside the caller's scope (never told apart).
    NotFound = "not_found",
    /// No operation is defined at this path.
    RouteNotFound = "route_not_found",
    /// The path exists but not for this method (see `Allow`).
    MethodNotAllowed = "method_not_allowed",
    /// One or more query parameters are invalid (see `errors`).
    InvalidQuery = "invalid_query",
    /// A path parameter is invalid.
    InvalidPath = "invalid_path",
    /// The body is not valid JSON.
    MalformedJson = "malformed_json",
    /// The body could not be read.
    UnreadableBody = "unreadable_body",
    /// The body names a field the operation does not know.
    UnknownField = "unknown_field",
    /// The body does not have the shape the operation reads (see `errors`).
    InvalidBody = "invalid_body",
    /// The request was read but its values break the rules (see `errors`).
    ValidationFailed = "validation_failed",
    /// The caller's role may not change these fields of the record (see `errors`).
    FieldNotEditable = "field_not_editable",
    /// Fields required for the step asked for are missing (see `errors`).
    Incomplete = "incomplete",
    /// The record's state does not allow the action (`current_state`, `allowed_actions`).
    InvalidTransition = "invalid_transition",
    /// The step rests on the vigilance clearance, which is denied or deferred (`clearance`, `rule`); the deciding officer may go ahead only by recording `clearance_override` with reasons (VIG-2).
    ClearanceWithheld = "clearance_withheld",
    /// A write needs `If-Match` with the version read.
    IfMatchRequired = "if_match_required",
    /// The record changed since the version in `If-Match`; read it again.
    StaleVersion = "stale_version",
    /// The record already exists.
    AlreadyExists = "already_exists",
    /// The webhook delivery is being attempted now; ask again once the attempt has ended.
    DeliveryInFlight = "delivery_in_flight",
    /// The profile must be submitted before any other service (PRF-1).
    ProfileNotSubmitted = "profile_not_submitted",
    /// The profile was taken as final at a validation round's deadline: it is not returned to the employee; the nodal officer corrects or validates it (PRF-2).
    DeemedFinal = "deemed_final",
    /// The advertisement is not open for applications (DEP-1).
    AdvertisementNotOpen = "advertisement_not_open",
    /// The employee has already applied to this advertisement (DEP-1).
    AlreadyApplied = "already_applied",
    /// A property return revises a version that is not the latest, or the year already has one (IPR-1).
    RevisionConflict = "revision_conflict",
    /// An APAR for this period is on record: correct it instead (CSS-2).
    AparExists = "apar_exists",
    /// The APAR's period overlaps another on record (CSS-2).
    AparOverlap = "apar_overlap",
    /// Another foreign-visit request of the employee's, awaiting a decision or granted, has days abroad in common with this one; the detail names it (FV-1).
    VisitOverlaps = "visit_overlaps",
    /// Approved applications already fill every vacancy the advertisement notifies (DEP-1).
    VacanciesFilled = "vacancies_filled",
    /// The applicant holds another approved deputation whose tenure has not run (DEP-1).
    OnDeputation = "on_deputation",
    /// DoPT has corrected this APAR; an import does not overwrite it (CSS-2).
    CorrectedByDopt = "corrected_by_dopt",
    /// An empanelment batch for this service and year exists.
    BatchExists = "batch_exists",
    /// The officer is already proposed in this batch (CSS-10).
    AlreadyProposed = "already_proposed",
    /// The batch has no proposals to run.
    NoProposals = "no_proposals",
    /// The panel engine refused the batch's inputs (CSS-3, CSS-4).
    RunRefused = "run_refused",
    /// Another run of the batch is under way.
    RunInProgress = "run_in_progress",
    /// Refusing a fee paid by Indian Postal Order is refusing the application (RTI-1, DoPT OM F.10/9/2008-IR of 26.04.2011).
    IpoRefusalNotAllowed = "ipo_refusal_not_allowed",
    /// The reply to this RTI request is already recorded.
    AlreadyReplied = "already_replied",
    /// Every seat of the DELPGE programme is taken (TRN-1: 50 seats, first come first served).
    SeatsFull = "seats_full",
    /// Another DELPGE programme is open: one programme at a time (TRN-1).
    ProgrammeOpen = "programme_open",
    /// The employee is not eligible for the programme: not working in a ministry, department or attached office (a PSU or an autonomous body), or not notified for their level or ministry (TRN-1).
    NotEligible = "not_eligible",
    /// IGNOU's time limit of the DELPGE programme has passed: nothing completed under it now can be reimbursed (TRN-1, para 7(ii)).
    ProgrammeClosed = "programme_closed",
    /// The employee is already enrolled in this programme (TRN-1).
    AlreadyEnrolled = "already_enrolled",
    /// A claim has already been filed for this enrolment (TRN-1).
    AlreadyClaimed = "already_claimed",
    /// The rotation round's window has opened: its terms can no longer be amended (ROT-1).
    RoundOpened = "round_opened",
    /// The rotation round has reached its allocation date: it can no longer be cancelled (ROT-1).
    RoundAllocated = "round_allocated",
    /// The rotation round was cancelled.
    RoundCancelled = "round_cancelled",
    /// Another rotation round of the cadre, not cancelled, takes officers of a grade of this one over days in common (from its window's opening to its orders): an officer would be allocated twice; the detail names it (ROT-1).
    RoundOverlaps = "round_overlaps",
    /// Preferences are taken only within the round's window; the detail names its dates (ROT-1).
    PreferenceWindowClosed = "preference_window_closed",
    /// The officer is not of the round's cadre and grades (ROT-1), or ROT-2 does not make them eligible (must rotate or may opt).
    NotInRound = "not_in_round",
    /// The round's allocation date has not come, or the round has no officers to allocate (ROT-1).
    AllocationNotDue = "allocation_not_due",
    /// Re-running the engine on the run's stored inputs does not give its stored result: it is not approved (ROT-1).
    RunNotReplayable = "run_not_replayable",
    /// A run of this round is approved already and its transfer orders issued (ROT-1).
    RoundApproved = "round_approved",
    /// A refusal of a posting with one's spouse, or the dismissal of a representation (against such a refusal, or against a rotation result), must give specific reasons; "no", "administrative reasons" and the like are not (SPO-1, OM 28034/9/2009-Estt.(A) paras 5 and 6; ROT-1).
    SpecificReasonsRequired = "specific_reasons_required",
    /// The employee has a spouse-posting request open (submitted, or represented against its refusal): one at a time; the detail names it (SPO-1).
    SpousePostingOpen = "spouse_posting_open",
    /// No couple of the rotation round names the officer (as the spouse to confirm it, or at all) (SPO-1).
    NoCouple = "no_couple",
    /// The rotation round has no approved allocation yet: there is no result to represent against (ROT-1).
    ResultNotApproved = "result_not_approved",
    /// No set of ministry groups is in force on the round's date (ROT-2).
    NoMinistryGroups = "no_ministry_groups",
    /// The body names a key twice (in any object, merge patches included).
    DuplicateKey = "duplicate_key",
    /// A concurrent write to the same record won; read it again and retry.
    WriteConflict = "write_conflict",
    /// Integration clients must send `Idempotency-Key` with this bulk write.
    IdempotencyKeyRequired = "idempotency_key_required",
    /// `Idempotency-Key` is not 1 to 255 visible ASCII characters.
    InvalidIdempotencyKey = "invalid_idempotency_key",
    /// A request with this `Idempotency-Key` is still being processed; retry shortly.
    IdempotencyKeyInUse = "idempotency_key_in_use",
    /// This `Idempotency-Key` was used with a different request (method, path or body).
    IdempotencyKeyReused = "idempotency_key_reused",
    /// The first request with this `Idempotency-Key` acted and was interrupted before its answer was kept; read the resource to see its effect, and send a new request with a new key.
    IdempotencyOutcomeUnknown = "idempotency_outcome_unknown",
    /// Too many requests of this kind; retry after `Retry-After` seconds.
    RateLimited = "rate_limited",
    /// The change-feed cursor is older than the changes kept: read in full and start again from `/v1/changes/latest`.
    CursorExpired = "cursor_expired",
    /// The body exceeds the size limit.
    PayloadTooLarge = "payload_too_large",
    /// The body is not `application/json`.
    UnsupportedMediaType = "unsupported_media_type",
    /// The database does not answer; try again shortly.
    ServiceUnavailable = "service_unavailable",
    /// A fault on the server; quote the request id.
    InternalError = "internal_error",
}

impl ProblemCode {
    /// The rule a refusal with this code rests on, where one rule decides
    /// it whatever the route (a code its meaning ties to two, or to a
    /// ground the refusal itself names, as `clearance_withheld`, has none).
    pub fn rule(self) -> Option<&'static Rule> {
        use ProblemCode::*;
        Some(match self {
            ProfileNotSubmitted => &rules::PRF_1,
            DeemedFinal => &rules::PRF_2,
            RevisionConflict => &rules::IPR_1,
            VisitOverlaps => &rules::FV_1,
            AdvertisementNotOpen | AlreadyApplied | VacanciesFilled | OnDeputation => &rules::DEP_1,
            AparExists | AparOverlap | CorrectedByDopt => &rules::CSS_2,
            AlreadyProposed => &rules::CSS_10,
            IpoRefusalNotAllowed => &rules::RTI_1,
            SeatsFull | ProgrammeOpen | NotEligible | ProgrammeClosed | AlreadyEnrolled
            | AlreadyClaimed => &rules::TRN_1,
            RoundOpened
            | RoundAllocated
            | RoundOverlaps
            | PreferenceWindowClosed
            | AllocationNotDue
            | RunNotReplayable
            | RoundApproved
            | ResultNotApproved => &rules::ROT_1,
            NoMinistryGroups => &rules::ROT_2,
            SpousePostingOpen | NoCouple => &rules::SPO_1,
            _ => return None,
        })
    }
}

impl Serialize for ProblemCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The schema lists every code, and its description what each means, so an
/// integrator can switch on them.
impl utoipa::PartialSchema for ProblemCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let mut description = String::from("Stable machine-readable code; clients branch on this.");
        for code in ProblemCode::ALL {
            description.push_str(&format!("\n- `{}`: {}", code.as_str(), code.meaning()));
        }
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(ProblemCode::ALL.iter().map(|c| c.as_str())))
            .description(Some(description))
            .into()
    }
}

impl ToSchema for ProblemCode {}

/// One bad field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Where the value is: `body.name`, `query.limit`, `path.code`.
    pub field: String,
    /// A stable code for the kind of failure (`required`, `invalid`, `too_long`...).
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem details object.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:cscms:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[schema(inline)]
    pub code: ProblemCode,
    /// The request id, also sent as `X-Request-Id`; quote it to the help desk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For validation failures: every bad field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For refused state transitions: the state the record is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// For refused state transitions: what the caller may do instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
    /// For `clearance_withheld`: the clearance outcome (`denied` or `deferred`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "denied")]
    pub clearance: Option<String>,
    /// The rule the refusal rests on, where one does: for
    /// `clearance_withheld`, `VIG-2` for a denial and `VIG-1` for a
    /// deferral; for the other codes whose meaning names one rule, that rule
    /// (`profile_not_submitted`: `PRF-1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "VIG-2")]
    pub rule: Option<String>,
    /// With `rule`: the order it rests on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "DoPT OM No. 11012/11/2007-Estt.A dated 27.09.2011")]
    pub citation: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: no usable credentials. `challenge` is the `WWW-Authenticate` value.
    #[error("unauthenticated: {detail}")]
    Unauthenticated {
        code: ProblemCode,
        detail: String,
        challenge: String,
    },
    /// 403: authenticated, but the role may not do this.
    #[error("forbidden: {detail}")]
    Forbidden { code: ProblemCode, detail: String },
    /// 404: absent, or outside the caller's scope (never told apart).
    #[error("not found: {0}")]
    NotFound(String),
    #[error("no such route")]
    RouteNotFound,
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<Method> },
    /// 400: the request could not be read (syntax, unknown field, bad parameter).
    #[error("bad request: {detail}")]
    BadRequest {
        code: ProblemCode,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 422: the request was read but its values break the rules.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("payload over {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("conflict: {detail}")]
    Conflict { code: ProblemCode, detail: String },
    /// 422: the request conflicts with an earlier one (an idempotency key reused).
    #[error("unprocessable: {detail}")]
    Unprocessable { code: ProblemCode, detail: String },
    /// 409: the record's state does not allow the action.
    #[error("cannot {action} in state {current}")]
    InvalidTransition {
        action: String,
        current: String,
        allowed: Vec<String>,
    },
    /// 409: the step rests on the vigilance clearance, which is withheld (VIG-2).
    #[error("clearance withheld: {0}")]
    ClearanceWithheld(cscms_domain::vigilance::Withheld),
    /// 403: the caller may see the record but not change these fields.
    #[error("fields not editable")]
    FieldsForbidden(Vec<FieldError>),
    /// 422: required fields are missing for the step asked for.
    #[error("incomplete")]
    Incomplete {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 428: a write needs `If-Match`.
    #[error("If-Match required")]
    PreconditionRequired,
    /// 412: the `If-Match` version is not the current one.
    #[error("stale If-Match")]
    PreconditionFailed,
    /// 429: the caller has used its requests for now; retry after the wait.
    #[error("rate limited")]
    TooManyRequests { retry_after_secs: u64 },
    /// 410: what the request points at is no longer kept (an expired feed cursor).
    #[error("gone: {detail}")]
    Gone { detail: String },
    /// 503: the database does not answer.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: a fault; the text is logged, never sent.
    #[error("internal: {0}")]
    Internal(String),
    /// An error of the token endpoint: RFC 6749 §5.2 JSON, which OAuth
    /// clients expect, not a problem document.
    #[error("oauth {}: {description}", error.as_str())]
    OAuth {
        error: OAuthErrorCode,
        description: String,
    },
}

/// The `error` values of RFC 6749 §5.2 the token endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OAuthErrorCode {
    /// A parameter is missing, repeated or malformed, or two ways of client authentication were used.
    InvalidRequest,
    /// Client authentication failed: unknown or suspended client, wrong secret, or an assertion that is badly signed, expired, too long-lived, for another audience or replayed (RFC 7523 §3.2). 401 with `WWW-Authenticate`.
    InvalidClient,
    /// The grant is not valid.
    InvalidGrant,
    /// The client may not use this grant or authentication method.
    UnauthorizedClient,
    /// Only `client_credentials` is supported.
    UnsupportedGrantType,
    /// A requested scope is unknown or beyond those the client is registered for.
    InvalidScope,
}

impl OAuthErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            OAuthErrorCode::InvalidRequest => "invalid_request",
            OAuthErrorCode::InvalidClient => "invalid_client",
            OAuthErrorCode::InvalidGrant => "invalid_grant",
            OAuthErrorCode::UnauthorizedClient => "unauthorized_client",
            OAuthErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorCode::InvalidScope => "invalid_scope",
        }
    }
}

/// The body of an RFC 6749 §5.2 error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OAuthError {
    pub error: OAuthErrorCode,
    pub error_description: String,
}

impl ApiError {
    pub fn oauth(error: OAuthErrorCode, description: impl Into<String>) -> Self {
        ApiError::OAuth {
            error,
            description: description.into(),
        }
    }
}

impl ApiError {
    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::NotFound(what.into())
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        ApiError::Forbidden {
            code: ProblemCode::Forbidden,
            detail: detail.into(),
        }
    }

    pub fn bad_query(errors: Vec<FieldError>) -> Self {
        ApiError::BadRequest {
            code: ProblemCode::InvalidQuery,
            detail: "One or more query parameters are invalid.".into(),
            errors,
        }
    }

    /// Bad fields, as a 422, listed by field.
    pub fn validation(mut errors: Vec<FieldError>) -> Self {
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(errors)
    }

    /// A single bad field, as a 422.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn code(&self) -> ProblemCode {
        match self {
            ApiError::Unauthenticated { code, .. }
            | ApiError::Forbidden { code, .. }
            | ApiError::BadRequest { code, .. }
            | ApiError::Conflict { code, .. }
            | ApiError::Unprocessable { code, .. } => *code,
            ApiError::NotFound(_) => ProblemCode::NotFound,
            ApiError::InvalidTransition { .. } => ProblemCode::InvalidTransition,
            ApiError::ClearanceWithheld(_) => ProblemCode::ClearanceWithheld,
            ApiError::FieldsForbidden(_) => ProblemCode::FieldNotEditable,
            ApiError::Incomplete { .. } => ProblemCode::Incomplete,
            ApiError::PreconditionRequired => ProblemCode::IfMatchRequired,
            ApiError::PreconditionFailed => ProblemCode::StaleVersion,
            ApiError::RouteNotFound => ProblemCode::RouteNotFound,
            ApiError::MethodNotAllowed { .. } => ProblemCode::MethodNotAllowed,
            ApiError::Validation(_) => ProblemCode::ValidationFailed,
            ApiError::PayloadTooLarge { .. } => ProblemCode::PayloadTooLarge,
            ApiError::UnsupportedMediaType => ProblemCode::UnsupportedMediaType,
            ApiError::TooManyRequests { .. } => ProblemCode::RateLimited,
            ApiError::Gone { .. } => ProblemCode::CursorExpired,
            ApiError::Unavailable(_) => ProblemCode::ServiceUnavailable,
            ApiError::Internal(_) => ProblemCode::InternalError,
            // Not a problem document; the nearest code, for logs only.
            ApiError::OAuth { error, .. } => match error {
                OAuthErrorCode::InvalidClient => ProblemCode::InvalidToken,
                _ => ProblemCode::InvalidRequest,
            },
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated { .. } => "Authentication required",
            ApiError::Forbidden { .. } => "Not permitted",
            ApiError::NotFound(_) => "Not found",
            ApiError::InvalidTransition { .. } => "Action not allowed in this state",
            ApiError::ClearanceWithheld(_) => "Vigilance clearance withheld",
            ApiError::FieldsForbidden(_) => "Fields not editable by this role",
            ApiError::Incomplete { .. } => "Required fields missing",
            ApiError::PreconditionRequired => "If-Match required",
            ApiError::PreconditionFailed => "Version has changed",
            ApiError::RouteNotFound => "No such route",
            ApiError::MethodNotAllowed { .. } => "Method not allowed",
            ApiError::BadRequest { .. } => "Bad request",
            ApiError::Validation(_) => "Validation failed",
            ApiError::PayloadTooLarge { .. } => "Request body too large",
            ApiError::UnsupportedMediaType => "Unsupported media type",
            ApiError::Conflict { .. } => "Conflict",
            ApiError::Unprocessable {
                code: ProblemCode::SpecificReasonsRequired,
                ..
            } => "Specific reasons required",
            ApiError::Unprocessable { .. } => "Request does not match its idempotency key",
            ApiError::TooManyRequests { .. } => "Too many requests",
            ApiError::Gone { .. } => "No longer kept",
            ApiError::Unavailable(_) => "Service unavailable",
            ApiError::Internal(_) => "Internal error",
            ApiError::OAuth { .. } => "Token request refused",
        }
    }

    /// What the client is told. Server faults say nothing of their cause.
    fn detail(&self) -> String {
        match self {
            ApiError::Unauthenticated { detail, .. }
            | ApiError::Forbidden { detail, .. }
            | ApiError::BadRequest { detail, .. }
            | ApiError::Conflict { detail, .. }
            | ApiError::Unprocessable { detail, .. } => detail.clone(),
            ApiError::Gone { detail } => detail.clone(),
            ApiError::NotFound(what) => format!("{what} was not found."),
            ApiError::InvalidTransition {
                action,
                current,
                allowed,
            } => format!(
                "Cannot {action} while {current}; allowed now: {}.",
                if allowed.is_empty() {
                    "nothing".to_owned()
                } else {
                    allowed.join(", ")
                }
            ),
            ApiError::ClearanceWithheld(w) => {
                let mut d = w.text.clone();
                if let Some(first) = d.get(..1).map(str::to_uppercase) {
                    d.replace_range(..1, &first);
                }
                format!("{d}.")
            }
            ApiError::FieldsForbidden(errors) => format!(
                "This role may not change: {}.",
                errors
                    .iter()
                    .map(|e| e.field.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ApiError::Incomplete { detail, .. } => detail.clone(),
            ApiError::PreconditionRequired => {
                "Send If-Match with the ETag of the version you read, so no change is lost.".into()
            }
            ApiError::PreconditionFailed => {
                "The record changed since you read it; read it again and reapply your change."
                    .into()
            }
            ApiError::RouteNotFound => "No operation is defined at this path.".into(),
            ApiError::MethodNotAllowed { allow } => format!(
                "This path accepts {}.",
                allow
                    .iter()
                    .map(Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ApiError::Validation(errors) => {
                format!("{} field(s) are invalid; see errors.", errors.len())
            }
            ApiError::PayloadTooLarge { limit } => {
                format!("The request body exceeds the limit of {limit} bytes.")
            }
            ApiError::UnsupportedMediaType => "Send the request body as application/json.".into(),
            ApiError::TooManyRequests { retry_after_secs } => {
                format!("Too many requests; try again in {retry_after_secs} s.")
            }
            ApiError::Unavailable(_) => {
                "The service cannot reach its database; try again shortly.".into()
            }
            ApiError::Internal(_) => {
                "The request failed on the server; quote the request id when reporting it.".into()
            }
            ApiError::OAuth { description, .. } => description.clone(),
        }
    }

    /// The problem body, with the request id when known.
    pub fn problem(&self, request_id: Option<&str>) -> Problem {
        let errors = match self {
            ApiError::Validation(errors)
            | ApiError::BadRequest { errors, .. }
            | ApiError::FieldsForbidden(errors)
            | ApiError::Incomplete { errors, .. } => errors.clone(),
            _ => Vec::new(),
        };
        let (current_state, allowed_actions) = match self {
            ApiError::InvalidTransition {
                current, allowed, ..
            } => (Some(current.clone()), Some(allowed.clone())),
            _ => (None, None),
        };
        let (clearance, rule) = match self {
            ApiError::ClearanceWithheld(w) => (Some(w.clearance.as_str().to_owned()), Some(w.rule)),
            _ => (None, self.code().rule().copied()),
        };
        Problem {
            type_: format!("urn:cscms:problem:{}", self.code()),
            title: self.title().into(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            code: self.code(),
            request_id: request_id.map(str::to_owned),
            errors,
            current_state,
            allowed_actions,
            clearance,
            rule: rule.map(|r| r.id.to_owned()),
            citation: rule.map(|r| r.citation.to_owned()),
        }
    }

    /// The full response: status, problem body and the headers the status needs.
    pub fn to_response(&self, request_id: Option<&str>) -> HttpResponse {
        if let ApiError::OAuth { error, description } = self {
            let mut res = HttpResponse::build(self.status_code());
            // RFC 6749 §5.1, §5.2: never cached; 401 names the scheme.
            res.insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header((header::PRAGMA, "no-cache"));
            if *error == OAuthErrorCode::InvalidClient {
                res.insert_header((
                    header::WWW_AUTHENTICATE,
                    "Basic realm=\"cscms\", error=\"invalid_client\"",
                ));
            }
            return res.json(OAuthError {
                error: *error,
                error_description: description.clone(),
            });
        }
        let mut res = HttpResponse::build(self.status_code());
        res.content_type(PROBLEM_JSON);
        match self {
            ApiError::Unauthenticated { challenge, .. } => {
                if let Ok(v) = HeaderValue::from_str(challenge) {
                    res.insert_header((header::WWW_AUTHENTICATE, v));
                }
            }
            ApiError::MethodNotAllowed { allow } => {
                let list = allow
                    .iter()
                    .map(Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", ");
                if let Ok(v) = HeaderValue::from_str(&list) {
                    res.insert_header((header::ALLOW, v));
                }
            }
            ApiError::TooManyRequests { retry_after_secs } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        res.json(self.problem(request_id))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::InvalidTransition { .. } | ApiError::ClearanceWithheld(_) => {
                StatusCode::CONFLICT
            }
            ApiError::FieldsForbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Incomplete { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Gone { .. } => StatusCode::GONE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::OAuth { error, .. } => match error {
                OAuthErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
                _ => StatusCode::BAD_REQUEST,
            },
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.to_response(None)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(detail) => ApiError::Conflict {
                code: ProblemCode::AlreadyExists,
                detail,
            },
            // Every code the store refuses with is one of ours (checked by
            // `every_store_refusal_is_a_problem_code`).
            StoreError::Refused { code, detail } => ApiError::Conflict {
                code: ProblemCode::from_wire(code).unwrap_or(ProblemCode::WriteConflict),
                detail,
            },
            StoreError::Stale => ApiError::PreconditionFailed,
            StoreError::KeyHeld => ApiError::Conflict {
                code: ProblemCode::IdempotencyKeyInUse,
                detail:
                    "A request with this Idempotency-Key is still being processed; retry shortly."
                        .into(),
            },
            e if e.is_write_race() => ApiError::Conflict {
                code: ProblemCode::WriteConflict,
                detail:
                    "Another request changed this record at the same time; read it again and retry."
                        .into(),
            },
            e if e.is_busy() => ApiError::Unavailable(e.to_string()),
            StoreError::Pool(_) | StoreError::Connect(_) => ApiError::Unavailable(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    /// A domain parser's field errors as a 422, each path under `prefix`
    /// (`body.properties[0].location.state`).
    pub fn fields(prefix: &str, errors: cscms_domain::fields::FieldErrors) -> Self {
        ApiError::Validation(
            errors
                .into_vec()
                .into_iter()
                .map(|e| FieldError::new(format!("{prefix}.{}", e.path), e.rule, e.message))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_store_refusal_is_a_problem_code() {
        for code in cscms_store::refusals::ALL {
            assert!(ProblemCode::from_wire(code).is_some(), "{code}");
        }
    }

    #[test]
    fn server_faults_hide_their_cause() {
        let e = ApiError::Internal("disk full at /var/lib/secret".into());
        let p = e.problem(Some("r1"));
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("disk"));
        let e = ApiError::from(StoreError::Connect(
            "postgres: password authentication failed".into(),
        ));
        assert!(!e.problem(None).detail.contains("password"));
        assert_eq!(e.code().as_str(), "service_unavailable");
    }

    /// A code whose meaning names exactly one rule carries it (with its
    /// order); one naming none, or two, carries none.
    #[test]
    fn a_refusal_names_the_rule_its_meaning_names() {
        let mut with_rule = 0;
        for code in ProblemCode::ALL {
            let named: std::collections::BTreeSet<&str> = code
                .meaning()
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .filter(|w| rules::by_id(w).is_some())
                .collect();
            let want = match (named.len(), code) {
                (_, ProblemCode::ClearanceWithheld) | (0, _) | (2.., _) => None,
                _ => named.first().copied(),
            };
            assert_eq!(code.rule().map(|r| r.id), want, "{code}: {:?}", named);
            with_rule += usize::from(want.is_some());
        }
        assert!(with_rule >= 30, "only {with_rule} codes name a rule");
        let p = ApiError::Conflict {
            code: ProblemCode::ProfileNotSubmitted,
            detail: String::new(),
        }
        .problem(None);
        assert_eq!(p.rule.as_deref(), Some("PRF-1"));
        assert!(p.citation.is_some_and(|c| c.contains("21/04/2022-CSCMS")));
        let p = ApiError::NotFound("x".into()).problem(None);
        assert!(p.rule.is_none() && p.citation.is_none());
    }

    #[test]
    fn every_code_has_a_distinct_snake_case_wire_value_and_a_meaning() {
        let mut seen = std::collections::HashSet::new();
        for code in ProblemCode::ALL {
            let wire = code.as_str();
            assert!(seen.insert(wire), "{wire} twice");
            assert!(
                wire.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{wire}"
            );
            assert!(!code.meaning().is_empty(), "{wire}");
            assert_eq!(serde_json::to_value(code).unwrap(), wire);
        }
    }
}
