//! Advertisements of posts on deputation (DEP-1): published, amended and
//! closed by the borrowing organisation's sub-nodal officer; browsed by
//! employees with their eligibility (DEP-2).

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use cscms_domain::cursor;
use cscms_domain::deputation::{
    check_advert, AdvertAction, AdvertState, AdvertTerms, Eligibility, ADVERTISEMENT,
};
use cscms_domain::organisation::is_ministry;
use cscms_domain::principal::Principal;
use cscms_domain::scope::{org_visibility, Family};
use cscms_store::deputation::{
    AdvertContent, AdvertDoc, AdvertDocEligibility, AdvertFilter, AdvertRecord,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::extract::{body_errors, BodyRules, CheckedJson};
use crate::routes::workflow::{refused, today};
use crate::routes::{actor, paging, utc};
use crate::state::AppState;
use crate::versioning::{if_match, version_tag};

use super::views::*;

/// The terms of an advertisement, as published or amended.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvertisementTerms {
    #[validate(length(min = 3, max = 200))]
    #[schema(
        min_length = 3,
        max_length = 200,
        example = "Deputy Director (Administration)"
    )]
    pub post: String,
    /// 7th CPC pay level of the post: `1`-`18` or `13A`.
    #[schema(example = "10")]
    pub level: String,
    #[validate(range(min = 1, max = 500))]
    #[schema(minimum = 1, maximum = 500)]
    pub vacancies: u32,
    #[validate(length(min = 2, max = 200))]
    #[schema(min_length = 2, max_length = 200, example = "Bengaluru")]
    pub place: String,
    /// The State or Union Territory of the place of posting, by its name
    /// or an official spelling of it ("NCT of Delhi", "Orissa"); kept by
    /// its name. Never "All India".
    #[validate(length(min = 2, max = 60))]
    #[schema(min_length = 2, max_length = 60, example = "Karnataka")]
    pub place_state: String,
    /// Period of deputation, in years.
    #[validate(range(min = 1, max = 7))]
    #[schema(minimum = 1, maximum = 7, example = 3)]
    pub tenure_years: u32,
    pub eligibility: Eligibility,
    /// Applications are accepted up to and including this date (IST).
    pub last_date: NaiveDate,
    /// Documents each application must carry.
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "document_names"))]
    #[schema(max_items = 20, example = json!(["APARs of the last five years", "Vigilance clearance"]))]
    pub documents_required: Vec<String>,
}

fn document_names(docs: &[String]) -> Result<(), validator::ValidationError> {
    if docs
        .iter()
        .all(|d| (2..=200).contains(&d.trim().chars().count()))
    {
        Ok(())
    } else {
        Err(validator::ValidationError::new("invalid")
            .with_message("each document 2-200 characters".into()))
    }
}

// The stored document and the wire shape are each their own type: either
// may change without the other (a stored advertisement is read back as
// `AdvertDoc`, whatever the request looks like now).
impl From<AdvertisementTerms> for AdvertDoc {
    fn from(t: AdvertisementTerms) -> Self {
        AdvertDoc {
            post: t.post,
            level: t.level,
            vacancies: t.vacancies,
            place: t.place,
            // One spelling of each State (MACP-9's same station compares it).
            place_state: cscms_domain::place::state_or_ut(&t.place_state)
                .map_or(t.place_state, str::to_owned),
            tenure_years: t.tenure_years,
            eligibility: AdvertDocEligibility {
                cadres: t.eligibility.cadres,
                grades: t.eligibility.grades,
                min_level: t.eligibility.min_level,
                min_years_in_grade: t.eligibility.min_years_in_grade,
            },
            last_date: t.last_date,
            documents_required: t.documents_required,
        }
    }
}

impl From<AdvertDoc> for AdvertisementTerms {
    fn from(d: AdvertDoc) -> Self {
        AdvertisementTerms {
            post: d.post,
            level: d.level,
            vacancies: d.vacancies,
            place: d.place,
            place_state: d.place_state,
            tenure_years: d.tenure_years,
            eligibility: Eligibility {
                cadres: d.eligibility.cadres,
                grades: d.eligibility.grades,
                min_level: d.eligibility.min_level,
                min_years_in_grade: d.eligibility.min_years_in_grade,
            },
            last_date: d.last_date,
            documents_required: d.documents_required,
        }
    }
}

impl BodyRules for AdvertisementTerms {
    fn rule_errors(&self) -> Vec<FieldError> {
        let terms = AdvertTerms {
            level: &self.level,
            place_state: &self.place_state,
            eligibility: &self.eligibility,
            last_date: self.last_date,
            documents_required: &self.documents_required,
        };
        body_errors(check_advert(&terms, today()))
    }
}

/// Publish an advertisement
///
/// The sub-nodal officer publishes an advertisement of a post on deputation (DEP-1).
#[utoipa::path(tag = "deputation", security(("bearer" = [])), request_body = AdvertisementTerms,
    responses(
        (status = 201, description = "The new advertisement; `Location` names it and `ETag` is its version", body = AdvertisementView, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Only sub-nodal officers of onboarded organisations publish", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/deputation/advertisements")]
pub async fn publish(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    CheckedJson(body): CheckedJson<AdvertisementTerms>,
) -> Result<HttpResponse, ApiError> {
    let (_, step) = ADVERTISEMENT
        .step(
            None,
            AdvertAction::Publish,
            &who,
            None,
            None,
            Utc::now().naive_utc(),
        )
        .map_err(refused)?;
    let org = who
        .org
        .clone()
        .ok_or_else(|| ApiError::forbidden("No organisation in the token."))?;
    let terms = AdvertContent {
        last_date: body.last_date,
        content: AdvertDoc::from(body),
    };
    let actor = actor(&who, &req);
    let id = state
        .db(move |c| {
            let onboarded = cscms_store::organisations::get(c, &org)?
                .is_some_and(|o| !is_ministry(o.parent_id.as_ref()));
            if !onboarded {
                return Ok(None);
            }
            cscms_store::deputation::publish(c, &actor, &org, &terms, &step).map(Some)
        })
        .await?
        .ok_or_else(|| {
            ApiError::forbidden("The organisation has not been onboarded under a ministry.")
        })?;
    let a = load_advert(&state, &who, id).await?;
    let v = advert_view(a, &who, None)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/deputation/advertisements/{id}")))
        .insert_header(advert_tag(&v))
        .json(v))
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BrowseQuery {
    /// Employees: also list open advertisements they are not eligible for,
    /// with the reasons (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_ineligible: Option<bool>,
    /// From the `next` link of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1-200 (default 50): the advertisements looked at, of
    /// which the page shows those the caller may see.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// List advertisements
///
/// Advertisements. Employees: those open today that they are eligible for
/// (DEP-2), each with the eligibility decision. Sub-nodal officers: their
/// own; nodal officers: those of the bodies under them; DoPT and AVD: all.
/// Newest first, a page at a time.
#[utoipa::path(tag = "deputation", security(("bearer" = [])), params(BrowseQuery),
    responses((status = 200, description = "A page of the advertisements the caller may see, newest first; `Link` names the next page", body = AdvertisementList,
            headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        (status = 400, description = "A bad cursor or page size", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/deputation/advertisements")]
pub async fn browse(
    Auth(who): Auth,
    state: web::Data<AppState>,
    q: web::Query<BrowseQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let (limit, before) = paging::page_of(q.limit, q.cursor.as_deref(), cursor::id)?;
    let employee = match who.own_employee() {
        Some(_) => Some(own_employee(&state, &who).await?),
        None => None,
    };
    let filter = AdvertFilter {
        visible: org_visibility(&who, Family::Advertisement),
        open_on: employee.as_ref().map(|_| today()),
        before,
    };
    let rows = state
        .db(move |c| cscms_store::deputation::adverts(c, &filter, paging::fetch(limit)))
        .await?;
    let include_ineligible = q.include_ineligible;
    let (rows, next) = paging::page(
        rows,
        limit,
        "/v1/deputation/advertisements",
        |last| Some(last.row.id.to_string()),
        |cursor| BrowseQuery {
            include_ineligible,
            cursor: Some(cursor),
            limit: Some(limit),
        },
    )?;
    let mut items = Vec::new();
    for a in rows {
        if !sees_advert(&who, &a) {
            continue;
        }
        let check = match &employee {
            Some(e) => Some(judge(e, &terms_of(&a.row.content))),
            None => None,
        };
        let eligible = check.as_ref().is_none_or(|d| d.outcome.eligible);
        if eligible || include_ineligible == Some(true) {
            items.push(advert_view(a, &who, check.as_ref())?);
        }
    }
    Ok(paging::respond(
        next.clone(),
        &AdvertisementList { items, next },
    ))
}

/// Read an advertisement
///
/// One advertisement with every version; for an employee, with their
/// eligibility (DEP-2).
#[utoipa::path(tag = "deputation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Advertisement id")),
    responses((status = 200, description = "The advertisement with every version; `ETag` is its current version", body = AdvertisementView, headers(("ETag" = String, description = "The current version; once closed or lapsed, `\"{version}-closed\"` or `\"{version}-lapsed\"`; for an employee, a fingerprint of their eligibility joins it (`\"{version}-e{digest}\"`)")))))]
#[get("/deputation/advertisements/{id}")]
pub async fn get_advert(
    Auth(who): Auth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let a = load_advert(&state, &who, id).await?;
    let check = match who.own_employee() {
        Some(_) => {
            let e = own_employee(&state, &who).await?;
            Some(judge(&e, &terms_of(&a.row.content)))
        }
        None => None,
    };
    let versions = state
        .db(move |c| cscms_store::deputation::versions(c, id))
        .await?;
    let mut v = advert_view(a, &who, check.as_ref())?;
    v.history = versions
        .into_iter()
        .map(|r| {
            Ok(AdvertisementVersion {
                version: r.version,
                at: utc(r.at),
                by: r.by_sub,
                terms: terms_of(&r.content),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(HttpResponse::Ok().insert_header(advert_tag(&v)).json(v))
}

/// Amend an advertisement
///
/// The sub-nodal officer amends an open advertisement before its last
/// date (DEP-1). Needs `If-Match`; the earlier versions stay in the history.
#[utoipa::path(tag = "deputation", security(("bearer" = [])), request_body = AdvertisementTerms,
    params(("id" = i64, Path, description = "Advertisement id"),
        ("If-Match" = String, Header, description = "The ETag of the version amended")),
    responses(
        (status = 200, description = "The amended advertisement; `ETag` is its new version", body = AdvertisementView, headers(("ETag" = String))),
        (status = 403, description = "Not the publishing sub-nodal officer's role", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Closed or lapsed (`invalid_transition`, with `current_state`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Amended since it was read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[put("/deputation/advertisements/{id}")]
pub async fn amend(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    CheckedJson(body): CheckedJson<AdvertisementTerms>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let a = load_advert(&state, &who, id).await?;
    let current = advert_state(&a);
    let (_, step) = ADVERTISEMENT
        .step(
            Some(current),
            AdvertAction::Amend,
            &who,
            None,
            None,
            Utc::now().naive_utc(),
        )
        .map_err(refused)?;
    let expected = if_match(&req)?;
    if expected != a.row.version {
        return Err(ApiError::PreconditionFailed);
    }
    let terms = AdvertContent {
        last_date: body.last_date,
        content: AdvertDoc::from(body),
    };
    let actor = actor(&who, &req);
    state
        .db(move |c| cscms_store::deputation::amend(c, &actor, id, expected, &terms, &step))
        .await?;
    let a = load_advert(&state, &who, id).await?;
    let v = advert_view(a, &who, None)?;
    Ok(HttpResponse::Ok().insert_header(advert_tag(&v)).json(v))
}

/// An advertisement's `ETag`: its version (of its terms), and once it is
/// closed, or has lapsed with its last date (no write), that state too
/// (`"{version}-closed"`, `"{version}-lapsed"`): a copy read while it was
/// open is not answered 304. An employee's view also carries their
/// eligibility, judged on their record as of today (DEP-2), which moves
/// without a write to the advertisement: its fingerprint joins the mark
/// (`"{version}-e{digest}"`).
fn advert_tag(
    v: &AdvertisementView,
) -> (
    actix_web::http::header::HeaderName,
    actix_web::http::header::HeaderValue,
) {
    let state = (v.state != AdvertState::Open).then(|| v.state.as_str().to_owned());
    let check = v.eligibility_check.as_ref().map(|check| {
        format!(
            "e{}",
            crate::http_cache::digest_of(check.to_string().as_bytes())
        )
    });
    let mark = match (state, check) {
        (Some(state), Some(check)) => Some(format!("{state}-{check}")),
        (state, check) => state.or(check),
    };
    version_tag(v.version, mark)
}

/// The advertisement as a close answers it: with its version as the `ETag`.
async fn closed_view(
    _state: &AppState,
    who: &Principal,
    a: AdvertRecord,
) -> Result<AdvertisementView, ApiError> {
    advert_view(a, who, None)
}

// An advertisement's state is derived: an open one lapses after its last
// date (DEP-1), so the table sees `lapsed` where the row still says `open`.
crate::routes::workflow::step_record!(AdvertRecord {
    workflow: ADVERTISEMENT => (AdvertState, AdvertAction),
    view: AdvertisementView = closed_view,
    load: load_advert,
    state: |a| Ok(advert_state(a)),
    advance: cscms_store::deputation::advance_advert,
    more {
        fn respond(v: AdvertisementView) -> HttpResponse {
            HttpResponse::Ok()
                .insert_header(advert_tag(&v))
                .json(v)
        }
    }
});

crate::routes::workflow::step_handlers! {
    record: AdvertRecord, view: AdvertisementView, tag: "deputation", id: "Advertisement id";
    close: AdvertAction::Close, "/deputation/advertisements/{id}/close",
        "Close an advertisement",
        "The sub-nodal officer closes an open advertisement before its last date (DEP-1).",
        "The closed advertisement",
        403 "Not a sub-nodal officer",
        409 "Already closed or lapsed (`invalid_transition`, with `current_state`)";
}
