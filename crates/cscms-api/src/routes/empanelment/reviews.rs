//! Reviews due (CSS-8), from the latest run of every batch.

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use cscms_domain::empanelment::{self as emp, OfficerHistory, Proposal, ReviewDue, RunRecord};
use cscms_store::empanelment::{AparsSource, RunRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::corrupt;
use crate::auth::Auth;
use crate::error::{ApiError, FieldError};
use crate::scope::authorize;
use crate::state::AppState;
use cscms_domain::scope::Op;

/// `f` over the stored runs as the domain reads them.
pub(super) fn with_records<T>(rows: &[RunRow], f: impl FnOnce(&[RunRecord<'_>]) -> T) -> T {
    let parsed: Vec<_> = rows
        .iter()
        .map(|r| (&r.result.get().panel, r.inputs.get()))
        .collect();
    let proposals: Vec<Vec<Proposal>> = parsed
        .iter()
        .map(|(_, i)| i.proposals.iter().map(|p| p.proposal.clone()).collect())
        .collect();
    let records: Vec<RunRecord> = parsed
        .iter()
        .zip(&proposals)
        .map(|((panel, inputs), p)| RunRecord {
            run: panel,
            as_of: inputs.as_of,
            proposals: p,
        })
        .collect();
    f(&records)
}

/// Every officer's history from the stored runs, and the employees on
/// record among them, whose special review reads their APARs as they stand now.
fn histories(rows: &[RunRow]) -> (Vec<OfficerHistory>, Vec<String>) {
    let on_record = rows
        .iter()
        .flat_map(|r| &r.inputs.get().proposals)
        .filter(|p| p.apars_from == AparsSource::Store)
        .filter_map(|p| p.employee_code.as_ref().map(|c| c.as_str().to_owned()))
        .collect();
    (with_records(rows, emp::gather), on_record)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewsQuery {
    /// Regular reviews due in or before this empanelment year; every pending one when absent.
    #[param(minimum = 1996, maximum = 2100, example = 2026)]
    pub year: Option<i32>,
    /// Judge as of this date (YYYY-MM-DD): each batch's latest run taken
    /// by then, and the APARs as they stand; today in India (IST) when absent.
    pub as_of: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewList {
    pub year: Option<i32>,
    /// The date the reviews were judged as of (CSS-8).
    pub as_of: NaiveDate,
    pub items: Vec<ReviewDue>,
}

/// List reviews due
///
/// Officers whose review is due (CSS-8), from the latest run of every
/// batch: not empanelled → a first review 2 years (two APARs) on, a second
/// 2 years after that; a special review at once when an APAR counted then
/// has since changed materially on representation (read from the store for
/// employees on record). Empanelled officers are never listed.
#[utoipa::path(tag = "empanelment", security(("bearer" = [])), params(ReviewsQuery),
    responses(
        (status = 200, description = "Officers whose review is due", body = ReviewList),
        (status = 403, description = "Only DoPT, or a client with an empanelment scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/empanelment/reviews")]
pub async fn reviews(
    Auth(who): Auth,
    state: web::Data<AppState>,
    query: web::Query<ReviewsQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ReadEmpanelment)?;
    let year = query.year;
    if year.is_some_and(|y| !(1996..=2100).contains(&y)) {
        return Err(ApiError::bad_query(vec![FieldError::new(
            "query.year",
            "out_of_range",
            "from 1996 to 2100",
        )]));
    }
    let as_of = query.as_of.unwrap_or_else(crate::clearance::today);
    let rows = state
        .db(move |c| cscms_store::empanelment::latest_runs(c, Some(as_of)))
        .await?;
    let (mut officers, on_record) = histories(&rows);
    if !on_record.is_empty() {
        let current = state
            .db(move |c| cscms_store::apars::apars_of(c, &on_record))
            .await?;
        for o in &mut officers {
            if let Some(a) = current.get(&o.officer_id) {
                o.apars.clone_from(a);
            }
        }
    }
    let items = emp::reviews_due(&officers, year, as_of).map_err(|e| corrupt("reviews", e))?;
    Ok(HttpResponse::Ok().json(ReviewList { year, as_of, items }))
}
