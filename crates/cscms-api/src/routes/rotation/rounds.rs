//! ROT-1: rotation rounds. DoPT announces a round for a cadre and grades
//! with its dates ("timelines intimated through the portal", seed 000
//! §3.7), amends it only before the window opens and cancels it only
//! before the allocation.

use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use cscms_domain::cadre::{self, Cadre};
use cscms_domain::cursor;
use cscms_domain::principal::Principal;
use cscms_domain::rotation::round::{check_terms, Phase, RoundDates, RoundState, RoundTerms};
use cscms_domain::scope::Op;
use cscms_store::audit::Actor;
use cscms_store::json::Json;
use cscms_store::rotation::rounds::{RoundRow, RoundTermsRow, Written};
use cscms_store::{DbConn, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::extract::{body_errors, BodyRules, CheckedJson, ValidJson};
use crate::routes::workflow::today;
use crate::routes::{actor, paging, utc};
use crate::scope::authorize;
use crate::state::AppState;
use crate::versioning::{if_match, version_tag};

/// A round's terms, as DoPT announces or amends them.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationRoundTerms {
    pub cadre: Cadre,
    /// Grades of the cadre the round is for (ROT-2 must cover each).
    #[validate(length(max = 20))]
    #[schema(min_items = 1, max_items = 20, example = json!(["SO", "US"]))]
    pub grades: Vec<String>,
    /// Preferences open after the day the round is announced; close on or
    /// after they open; allocation after the close; orders on or after it.
    pub dates: RoundDates,
    /// The fewest ministries a list may name (1-30).
    #[schema(minimum = 1, maximum = 30, example = 3)]
    pub min_preferences: u32,
    /// The most ministries a list may name (1-30, not below the minimum).
    #[schema(minimum = 1, maximum = 30, example = 10)]
    pub max_preferences: u32,
}

impl RotationRoundTerms {
    fn terms(&self) -> RoundTerms<'_> {
        RoundTerms {
            cadre: self.cadre,
            grades: &self.grades,
            dates: self.dates,
            min_preferences: self.min_preferences,
            max_preferences: self.max_preferences,
        }
    }

    /// As stored: grade codes as the cadre structure spells them.
    fn row(&self) -> Result<RoundTermsRow, ApiError> {
        let grades: Vec<String> = self
            .grades
            .iter()
            .map(|g| cadre::grade(self.cadre, g).map(|g| g.code.clone()))
            .collect::<Result<_, _>>()
            .map_err(|e| ApiError::invalid("body.grades", "invalid", e.to_string()))?;
        Ok(RoundTermsRow {
            cadre: self.cadre,
            grades: Json::new(grades)?,
            preferences_open: self.dates.preferences_open,
            preferences_close: self.dates.preferences_close,
            allocation_on: self.dates.allocation_on,
            orders_on: self.dates.orders_on,
            min_preferences: i32::try_from(self.min_preferences).unwrap_or(i32::MAX),
            max_preferences: i32::try_from(self.max_preferences).unwrap_or(i32::MAX),
        })
    }
}

impl BodyRules for RotationRoundTerms {
    fn rule_errors(&self) -> Vec<FieldError> {
        body_errors(check_terms(&self.terms(), today()))
    }
}

/// A round as announced.
#[derive(Serialize, ToSchema)]
pub struct RotationRound {
    pub id: i64,
    pub cadre: Cadre,
    pub grades: Vec<String>,
    pub dates: RoundDates,
    pub min_preferences: u32,
    pub max_preferences: u32,
    pub state: RoundState,
    /// Where the round stands today (IST) by its dates; null once cancelled.
    pub phase: Option<Phase>,
    pub cancel_reason: Option<String>,
    /// The `ETag`'s version (past the phase it was announced in, the tag
    /// also names the phase: `"{version}-open"`).
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct RotationRoundList {
    pub items: Vec<RotationRound>,
    /// The next page, or null on the last one (also in `Link`).
    pub next: Option<String>,
}

/// A stored round with its dates.
pub(crate) struct Round {
    pub(crate) row: RoundRow,
    pub(crate) dates: RoundDates,
}

/// 409 `code` unless `ok`: where a round stands decides what may be done
/// with it (ROT-1).
fn gate(ok: bool, code: ProblemCode, detail: impl FnOnce() -> String) -> Result<(), ApiError> {
    if ok {
        return Ok(());
    }
    Err(ApiError::Conflict {
        code,
        detail: detail(),
    })
}

impl From<RoundRow> for Round {
    fn from(row: RoundRow) -> Self {
        let RoundTermsRow {
            preferences_open,
            preferences_close,
            allocation_on,
            orders_on,
            ..
        } = row.terms;
        let dates = RoundDates {
            preferences_open,
            preferences_close,
            allocation_on,
            orders_on,
        };
        Round { row, dates }
    }
}

impl Round {
    pub(crate) fn id(&self) -> i64 {
        self.row.id
    }

    pub(crate) fn cadre(&self) -> Cadre {
        self.row.terms.cadre
    }

    pub(crate) fn grades(&self) -> &[String] {
        self.row.terms.grades.get()
    }

    pub(crate) fn min_preferences(&self) -> u32 {
        u32::try_from(self.row.terms.min_preferences).unwrap_or(0)
    }

    pub(crate) fn max_preferences(&self) -> u32 {
        u32::try_from(self.row.terms.max_preferences).unwrap_or(0)
    }

    /// Where the round stands on `on` by its dates; none once cancelled.
    pub(crate) fn phase(&self, on: NaiveDate) -> Option<Phase> {
        (self.row.state == RoundState::Announced).then(|| self.dates.phase(on))
    }

    pub(crate) fn view(&self) -> RotationRound {
        let r = &self.row;
        RotationRound {
            id: r.id,
            cadre: self.cadre(),
            grades: self.grades().to_vec(),
            dates: self.dates,
            min_preferences: self.min_preferences(),
            max_preferences: self.max_preferences(),
            state: r.state,
            phase: self.phase(today()),
            cancel_reason: r.cancel_reason.clone(),
            version: r.version,
            created_by: r.created_by.clone(),
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }

    pub(crate) fn not_cancelled(&self) -> Result<(), ApiError> {
        let r = &self.row;
        gate(
            r.state != RoundState::Cancelled,
            ProblemCode::RoundCancelled,
            || {
                format!(
                    "Rotation round {} was cancelled: {}",
                    r.id,
                    r.cancel_reason.as_deref().unwrap_or("no reason recorded")
                )
            },
        )
    }

    /// 409 naming the window's dates unless preferences are taken today (ROT-1).
    pub(crate) fn window_open(&self) -> Result<(), ApiError> {
        let on = today();
        gate(
            self.dates.phase(on) == Phase::Open,
            ProblemCode::PreferenceWindowClosed,
            || {
                format!(
                    "Preferences in rotation round {} are taken from {} (ROT-1); today is {}.",
                    self.id(),
                    self.dates.window(),
                    on.format("%d.%m.%Y")
                )
            },
        )
    }

    /// Terms are amended only before the window opens (ROT-1: never
    /// changed silently once officers may act on them).
    fn amendable(&self) -> Result<(), ApiError> {
        gate(
            self.dates.phase(today()) == Phase::Announced,
            ProblemCode::RoundOpened,
            || {
                format!(
                    "Rotation round {} opened for preferences on {}: it can no longer be amended.",
                    self.id(),
                    self.dates.preferences_open.format("%d.%m.%Y")
                )
            },
        )
    }

    /// A round is cancelled only before its allocation date (ROT-1).
    fn cancellable(&self) -> Result<(), ApiError> {
        gate(
            self.dates.phase(today()) != Phase::Allocation,
            ProblemCode::RoundAllocated,
            || {
                format!(
                    "Rotation round {} reached its allocation on {}: it can no longer be cancelled.",
                    self.id(),
                    self.dates.allocation_on.format("%d.%m.%Y")
                )
            },
        )
    }

    /// The allocation is run on or after its date (ROT-1).
    pub(crate) fn allocation_due(&self) -> Result<(), ApiError> {
        gate(
            self.dates.phase(today()) == Phase::Allocation,
            ProblemCode::AllocationNotDue,
            || {
                format!(
                    "Rotation round {} is allocated on or after {}.",
                    self.id(),
                    self.dates.allocation_on.format("%d.%m.%Y")
                )
            },
        )
    }
}

/// A round with its `ETag`: its version, and once the date has moved it
/// past the phase it was announced in (ROT-1: no write does that) the phase
/// too, `"{version}-open"`, `"-closed"`, `"-allocation"`: a copy read in an
/// earlier phase is not answered 304.
fn respond(status: StatusCode, round: &Round) -> HttpResponse {
    let view = round.view();
    let mark = match view.phase {
        Some(Phase::Open) => Some("open"),
        Some(Phase::Closed) => Some("closed"),
        Some(Phase::Allocation) => Some("allocation"),
        Some(Phase::Announced) | None => None,
    };
    HttpResponse::build(status)
        .insert_header(version_tag(round.row.version, mark.map(str::to_owned)))
        .json(view)
}

/// A round, to any signed-in caller (rounds are announced to all); 404
/// when there is none.
pub(crate) async fn round(state: &AppState, id: i64) -> Result<Round, ApiError> {
    state
        .read(move |c| cscms_store::rotation::rounds::get(c, id))
        .await?
        .map(Round::from)
        .ok_or_else(|| ApiError::not_found(format!("Rotation round {id}")))
}

/// A round for a caller who may read rounds; 404 when there is none.
pub(crate) async fn load_round(
    state: &AppState,
    who: &Principal,
    id: i64,
) -> Result<Round, ApiError> {
    authorize(who, Op::ReadRotationRounds)?;
    round(state, id).await
}

/// Announce a rotation round
///
/// DoPT announces a round for a cadre and grades with its dates (ROT-1):
/// the window for preferences, the allocation and the orders, and the
/// length of the lists it takes. Audited; the round is at version 1.
/// A round that takes officers of a grade another round of the cadre (not
/// cancelled) takes, over days in common from its window's opening to its
/// orders, is 409 `round_overlaps`: an officer would be allocated twice.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = RotationRoundTerms,
    responses(
        (status = 201, description = "The round; `Location` names it", body = RotationRound, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Only DoPT announces rounds", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another round of the cadre, not cancelled, takes a grade of this one over days in common (`round_overlaps`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Dates out of order, a grade ROT-2 does not cover, list lengths out of range", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/rotation/rounds")]
pub async fn announce(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    CheckedJson(body): CheckedJson<RotationRoundTerms>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ManageRotationRounds)?;
    let terms = body.row()?;
    let actor = actor(&who, &req);
    let written = state
        .db(move |c| {
            cscms_store::rotation::rounds::create(c, &actor, &terms, Utc::now().naive_utc())
        })
        .await?;
    let id = written_id(written)?;
    let round = load_round(&state, &who, id).await?;
    let mut res = respond(StatusCode::CREATED, &round);
    if let Ok(v) = format!("/v1/rotation/rounds/{id}").parse() {
        res.headers_mut()
            .insert(actix_web::http::header::LOCATION, v);
    }
    Ok(res)
}

/// The round written, or 409 `round_overlaps` naming the round its terms
/// overlap (ROT-1).
fn written_id(written: Written) -> Result<i64, ApiError> {
    match written {
        Written::Done(id) => Ok(id),
        Written::Overlaps(other) => Err(ApiError::Conflict {
            code: ProblemCode::RoundOverlaps,
            detail: format!(
                "ROT-1: rotation round {other} of the cadre takes officers of a grade of this round over days in common (from the window's opening to the orders); an officer would be allocated twice. Cancel round {other}, or give dates or grades apart from it."
            ),
        }),
    }
}

/// List rotation rounds
///
/// Every round announced, newest first, with where each stands today, a
/// page at a time.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), params(paging::PageQuery),
    responses((status = 200, description = "A page of the rounds, newest first; `Link` names the next page", body = RotationRoundList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Rounds are for people of the cadres and offices", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rotation/rounds")]
pub async fn list_rounds(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<paging::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadRotationRounds)?;
    let (limit, before) = paging::page_of(q.limit, q.cursor.as_deref(), cursor::id)?;
    let rows = state
        .read(move |c| {
            cscms_store::rotation::rounds::list(c, None, None, before, paging::fetch(limit))
        })
        .await?;
    let (rows, next) = paging::page(
        rows,
        limit,
        "/v1/rotation/rounds",
        |last| Some(last.id.to_string()),
        |cursor| paging::PageQuery::at(cursor, limit),
    )?;
    let items = rows.into_iter().map(|r| Round::from(r).view()).collect();
    Ok(paging::respond(
        next.clone(),
        &RotationRoundList { items, next },
    ))
}

/// Read a rotation round
///
/// One round with its dates and where it stands today.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, description = "The round; `ETag` is its version, with its phase once the date has moved it on (`\"{version}-open\"`, `-closed`, `-allocation`)", body = RotationRound, headers(("ETag" = String))),
        (status = 403, description = "Rounds are for people of the cadres and offices", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/rotation/rounds/{id}")]
pub async fn get_round(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let round = load_round(&state, &who, id.into_inner()).await?;
    Ok(respond(StatusCode::OK, &round))
}

/// The one path of DoPT's changes to a round: the round read, the caller
/// allowed, `If-Match`, the round not cancelled; then `check` on where it
/// stands gives what to store, `write` stores it (audited) at the version
/// read or answers why not, and the round is answered as it now stands.
async fn change_round<T, W>(
    state: &AppState,
    who: &Principal,
    req: &HttpRequest,
    id: i64,
    check: impl FnOnce(&Round) -> Result<T, ApiError>,
    write: W,
) -> Result<HttpResponse, ApiError>
where
    T: Send + 'static,
    W: FnOnce(&mut DbConn, &Actor, i64, T, NaiveDateTime) -> Result<Written, StoreError>
        + Send
        + 'static,
{
    let round = load_round(state, who, id).await?;
    authorize(who, Op::ManageRotationRounds)?;
    let expected = if_match(req)?;
    round.not_cancelled()?;
    let change = check(&round)?;
    let actor = actor(who, req);
    let written = state
        .db(move |c| write(c, &actor, expected, change, Utc::now().naive_utc()))
        .await?;
    written_id(written)?;
    let round = load_round(state, who, id).await?;
    Ok(respond(StatusCode::OK, &round))
}

/// Amend a rotation round
///
/// New terms for a round whose window has not opened (ROT-1: never
/// changed silently once officers may act on it). Needs `If-Match`. Audited
/// with the terms before and after. New terms overlapping another round of
/// the cadre, not cancelled, are 409 `round_overlaps`, as on announcing.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = RotationRoundTerms,
    params(("id" = i64, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 200, description = "The amended round; `ETag` names its new version", body = RotationRound, headers(("ETag" = String))),
        (status = 403, description = "Only DoPT amends rounds", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The window has opened (`round_opened`), the round was cancelled (`round_cancelled`), or the new terms overlap another round of the cadre (`round_overlaps`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[put("/rotation/rounds/{id}")]
pub async fn amend(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    CheckedJson(body): CheckedJson<RotationRoundTerms>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let check = |r: &Round| {
        r.amendable()?;
        body.row()
    };
    change_round(&state, &who, &req, id, check, move |c, a, v, terms, at| {
        cscms_store::rotation::rounds::amend(c, a, id, v, &terms, at)
    })
    .await
}

/// Why a round is cancelled.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRound {
    #[validate(length(min = 3, max = 1000))]
    #[schema(
        min_length = 3,
        max_length = 1000,
        example = "Groups of ministries to be revised first"
    )]
    pub reason: String,
}

/// Cancel a rotation round
///
/// Cancels a round before its allocation date (ROT-1), with a reason.
/// Needs `If-Match`. Audited; preferences given stay on record.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = CancelRound,
    params(("id" = i64, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 200, description = "The cancelled round", body = RotationRound, headers(("ETag" = String))),
        (status = 403, description = "Only DoPT cancels rounds", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The allocation date has come (`round_allocated`) or the round is cancelled already (`round_cancelled`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/rotation/rounds/{id}/cancel")]
pub async fn cancel(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<CancelRound>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let check = |r: &Round| {
        r.cancellable()?;
        Ok(body.reason.trim().to_owned())
    };
    change_round(&state, &who, &req, id, check, move |c, a, v, reason, at| {
        cscms_store::rotation::rounds::cancel(c, a, id, v, &reason, at).map(|()| Written::Done(id))
    })
    .await
}
