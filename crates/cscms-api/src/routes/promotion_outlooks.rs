//! ROT-2: DoPT records that an officer's promotion is likely within a year
//! (dated, under an order, audited). A record exempts the officer from
//! rotation from its date for the span in force (`rotation::params`), in
//! the per-employee decision and in every round.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Months, NaiveDate, Utc};
use cscms_domain::scope::{Family, Op};
use cscms_store::promotion_outlooks::{NewOutlook, OutlookRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::workflow::today;
use super::{actor, utc};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::scope::authorize;
use crate::state::AppState;

/// DoPT's record that promotion is likely within a year.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPromotionOutlook {
    /// The date of the record: it exempts from this day. Not after today
    /// (IST), nor before the officer joined Government or the entry grade.
    pub dated: NaiveDate,
    /// The order or file under which DoPT records it.
    #[validate(length(min = 3, max = 200))]
    #[schema(
        min_length = 3,
        max_length = 200,
        example = "DoPT File No. 5/3/2026-CS.I(DPC) dated 01.12.2026"
    )]
    pub order_ref: String,
    #[validate(length(max = 1000))]
    #[schema(
        max_length = 1000,
        example = "Select list of 2026 for Deputy Secretary"
    )]
    pub remarks: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PromotionOutlook {
    pub id: i64,
    pub employee_code: String,
    pub dated: NaiveDate,
    /// The last day it exempts (the span in force from `dated`, less a day).
    pub exempts_until: Option<NaiveDate>,
    pub order_ref: String,
    pub remarks: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct PromotionOutlooks {
    /// Oldest first.
    pub items: Vec<PromotionOutlook>,
}

fn view(r: OutlookRow) -> PromotionOutlook {
    let span = cscms_domain::rotation::params::exemptions()
        .at(r.dated)
        .map(|ex| Months::new(ex.value.promotion_within_months));
    PromotionOutlook {
        id: r.id,
        exempts_until: span
            .and_then(|s| r.dated.checked_add_months(s))
            .and_then(|d| d.pred_opt()),
        employee_code: r.employee_code.into(),
        dated: r.dated,
        order_ref: r.order_ref,
        remarks: r.remarks,
        recorded_by: r.recorded_by,
        recorded_at: utc(r.recorded_at),
    }
}

/// Record that promotion is likely
///
/// DoPT records that an officer's promotion is likely within a year
/// (ROT-2): from `dated`, for a year, the officer is exempt from rotation.
/// Audited; in the change feed as the officer's service record.
#[utoipa::path(tag = "rotation", security(("bearer" = [])), request_body = NewPromotionOutlook,
    params(("code" = String, Path, description = "Employee code")),
    responses((status = 201, description = "The record", body = PromotionOutlook),
        (status = 403, description = "Only DoPT records it", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Dated after today or before the officer joined Government or the entry grade (`body.dated`), no order", body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/employees/{code}/rotation/promotion-outlooks")]
pub async fn record(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    ValidJson(body): ValidJson<NewPromotionOutlook>,
) -> Result<HttpResponse, ApiError> {
    let (code, e) = super::visible_employee(&state, &who, Family::ServiceRecord, &code).await?;
    authorize(&who, Op::RecordPromotionOutlook)?;
    cscms_domain::rotation::check_outlook_date(
        body.dated,
        today(),
        e.joined_government_on,
        e.joined_entry_grade_on,
    )
    .map_err(|why| ApiError::invalid("body.dated", "invalid", why.message()))?;
    let new = NewOutlook {
        employee_code: code.clone(),
        org_id: e.org_id,
        dated: body.dated,
        order_ref: body.order_ref.trim().to_owned(),
        remarks: body
            .remarks
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty()),
        recorded_by: who.sub.clone(),
        recorded_at: Utc::now().naive_utc(),
    };
    let actor = actor(&who, &req);
    let key = code.as_str().to_owned();
    let id = state
        .db(move |c| cscms_store::promotion_outlooks::record(c, &actor, &new))
        .await?;
    let row = state
        .read(move |c| cscms_store::promotion_outlooks::of_employee(c, &key))
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::Internal("record just stored not found".into()))?;
    Ok(HttpResponse::Created().json(view(row)))
}

/// Records that promotion is likely
///
/// DoPT's records for an officer that promotion is likely within a year
/// (ROT-2), oldest first: read as the officer's service record.
#[utoipa::path(tag = "rotation", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code")),
    responses((status = 200, description = "The records", body = PromotionOutlooks)))]
#[get("/employees/{code}/rotation/promotion-outlooks")]
pub async fn list(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (code, _) = super::visible_employee(&state, &who, Family::ServiceRecord, &code).await?;
    let key = code.as_str().to_owned();
    let rows = state
        .read(move |c| cscms_store::promotion_outlooks::of_employee(c, &key))
        .await?;
    Ok(HttpResponse::Ok().json(PromotionOutlooks {
        items: rows.into_iter().map(view).collect(),
    }))
}
