//! APAR records (CSS-2): SPARROW's bulk import, DoPT's entry and
//! correction, and the employee's own view. APARs are confidential: an
//! employee sees their own, DoPT all, nodal officers none.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use cscms_domain::empanelment::{
    Apar, AparGrade, ExpertPanelGrading, Grading, GradingSource, NumericGrade, Period,
    ReportingYear, Representation, RepresentationMisfit,
};
use cscms_domain::employee::EmployeeCode;
use cscms_domain::scope::{Family, Op};
use cscms_store::apars::{AparRow, AparSource, Refused, RepresentationChange, Written};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{actor, utc, visible_employee};
use crate::auth::Auth;
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::extract::{parse_value, ValidJson};
use crate::scope::authorize;
use crate::state::AppState;
use crate::versioning::{etag_header, if_match};

/// The Experts Panel's own grading of the period, where it differs from the
/// APAR; it prevails in the CSS-2 score.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpertPanelInput {
    pub grading: Grading,
    /// Why the panel differs (trend, unjustified down- or upgrading...).
    #[serde(default)]
    #[schema(example = "out of line with the officer's trend")]
    pub note: String,
}

/// A representation against the APAR that was accepted (CSS-8).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepresentationInput {
    /// When the representation was decided; after the period reported on.
    pub decided_on: NaiveDate,
    /// The grading before the representation. With `score_before`, one is
    /// needed, except in a DoPT correction, where the grade on record is taken.
    pub grading_before: Option<Grading>,
    #[schema(minimum = 1, maximum = 10)]
    pub score_before: Option<f64>,
    #[serde(default)]
    pub adverse_remarks_expunged: bool,
}

/// One APAR: its period, and a grading or a 1-10 score.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AparInput {
    #[schema(example = "2022-04-01")]
    pub from: NaiveDate,
    #[schema(example = "2023-03-31")]
    pub to: NaiveDate,
    /// Give this or `score`.
    pub grading: Option<Grading>,
    /// The overall grade on the 1-10 scale (decimals allowed), mapped to a
    /// grading by the dated bands of `docs/rules/empanelment.md`. Give this or `grading`.
    #[schema(minimum = 1, maximum = 10, example = 7.5)]
    pub score: Option<f64>,
    pub expert_panel: Option<ExpertPanelInput>,
    pub representation: Option<RepresentationInput>,
}

/// An APAR as parsed: the record, and a representation whose earlier grade
/// may still have to come from the record.
pub(crate) struct AparDraft {
    pub apar: Apar,
    pub representation: Option<RepresentationChange>,
}

impl AparDraft {
    /// The APAR with its representation, when the input names the earlier grade.
    pub(crate) fn complete(self, prefix: &str, errors: &mut Vec<FieldError>) -> Option<Apar> {
        let mut apar = self.apar;
        if let Some(r) = self.representation {
            let Some(before) = r.grade_before else {
                errors.push(FieldError::new(
                    format!("{prefix}.representation.grading_before"),
                    "required",
                    "give grading_before or score_before",
                ));
                return None;
            };
            apar.representation = Some(Representation {
                decided_on: r.decided_on,
                grade_before: before,
                adverse_remarks_expunged: r.adverse_remarks_expunged,
            });
        }
        Some(apar)
    }
}

/// A grade from `grading` or `score`, exactly one, valid on `on`.
fn grade(
    grading: Option<Grading>,
    score: Option<f64>,
    on: NaiveDate,
    (grading_field, score_field): (&str, &str),
    errors: &mut Vec<FieldError>,
) -> Option<AparGrade> {
    match (grading, score) {
        (Some(g), None) => Some(AparGrade::Grading(g)),
        (None, Some(v)) => match NumericGrade::new(v) {
            Err(e) => {
                errors.push(FieldError::new(score_field, "out_of_range", e.to_string()));
                None
            }
            Ok(n) => match n.grading(on) {
                Err(e) => {
                    errors.push(FieldError::new(score_field, "no_mapping", e.to_string()));
                    None
                }
                Ok(_) => Some(AparGrade::Numeric(n)),
            },
        },
        (Some(_), Some(_)) => {
            errors.push(FieldError::new(
                grading_field,
                "one_of",
                "give a grading or a score, not both",
            ));
            None
        }
        (None, None) => {
            errors.push(FieldError::new(
                grading_field,
                "required",
                "give a grading (outstanding, very_good, good, average) or a score (1-10)",
            ));
            None
        }
    }
}

impl AparInput {
    /// Parses into an APAR, adding every bad field under `prefix` to `errors`.
    /// An APAR reports on a period served: one ending after `today` has
    /// not been written yet, and no representation is decided after today.
    pub(crate) fn parse(
        &self,
        prefix: &str,
        today: NaiveDate,
        errors: &mut Vec<FieldError>,
    ) -> Option<AparDraft> {
        let before = errors.len();
        let period = match Period::new(self.from, self.to) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(FieldError::new(
                    format!("{prefix}.to"),
                    "before_from",
                    e.to_string(),
                ));
                None
            }
        };
        if self.to > today {
            errors.push(FieldError::new(
                format!("{prefix}.to"),
                "after_today",
                format!(
                    "the period ends after today ({}): an APAR reports on a period served",
                    today.format("%d.%m.%Y")
                ),
            ));
        }
        let g = grade(
            self.grading,
            self.score,
            self.to,
            (&format!("{prefix}.grading"), &format!("{prefix}.score")),
            errors,
        );
        let representation = self.representation.as_ref().and_then(|r| {
            let p = format!("{prefix}.representation");
            if r.decided_on <= self.to {
                errors.push(FieldError::new(
                    format!("{p}.decided_on"),
                    "too_early",
                    "a representation is decided after the period the APAR reports on",
                ));
            } else if r.decided_on > today {
                errors.push(FieldError::new(
                    format!("{p}.decided_on"),
                    "after_today",
                    format!(
                        "a representation is recorded once decided, not after today ({})",
                        today.format("%d.%m.%Y")
                    ),
                ));
            }
            let grade_before = match (r.grading_before, r.score_before) {
                (None, None) => None,
                (g, s) => Some(grade(
                    g,
                    s,
                    self.to,
                    (&format!("{p}.grading_before"), &format!("{p}.score_before")),
                    errors,
                )?),
            };
            Some(RepresentationChange {
                decided_on: r.decided_on,
                grade_before,
                adverse_remarks_expunged: r.adverse_remarks_expunged,
            })
        });
        if errors.len() > before {
            return None;
        }
        Some(AparDraft {
            apar: Apar {
                period: period?,
                grade: g?,
                expert_panel: self.expert_panel.as_ref().map(|e| ExpertPanelGrading {
                    grading: e.grading,
                    note: e.note.trim().to_owned(),
                }),
                representation: None,
            },
            representation,
        })
    }
}

/// How CSS-2 counts an APAR.
#[derive(Serialize, ToSchema)]
pub struct CountedAs {
    pub grading: Grading,
    /// `expert_panel`, `apar` or `numeric_grade` (the score mapped by the bands in force).
    pub source: GradingSource,
    /// 9, 7, 5 or 0 (CSS-2).
    pub value: u64,
}

/// An APAR on record.
#[derive(Serialize, ToSchema)]
pub struct AparView {
    pub id: i64,
    #[schema(example = "CSS-000001")]
    pub employee_code: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The reporting year (April to March) the period ends in.
    pub reporting_year: ReportingYear,
    pub grading: Option<Grading>,
    pub score: Option<f64>,
    pub expert_panel: Option<ExpertPanelGrading>,
    pub representation: Option<Representation>,
    pub counted_as: CountedAs,
    /// `sparrow` (imported) or `dopt` (entered or corrected by DoPT).
    #[schema(example = "sparrow")]
    pub source: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<&AparRow> for AparView {
    type Error = ApiError;
    fn try_from(r: &AparRow) -> Result<Self, ApiError> {
        let apar = r.apar()?;
        let (grading, source) = apar
            .effective_grading()
            .map_err(|e| ApiError::Internal(format!("apar {}: {e}", r.id)))?;
        let (g, score) = match apar.grade {
            AparGrade::Grading(g) => (Some(g), None),
            AparGrade::Numeric(n) => (None, Some(n.get())),
        };
        Ok(Self {
            id: r.id,
            employee_code: r.employee_code.as_str().to_owned(),
            from: r.period_from,
            to: r.period_to,
            reporting_year: ReportingYear::containing(r.period_to),
            grading: g,
            score,
            expert_panel: apar.expert_panel,
            representation: apar.representation,
            counted_as: CountedAs {
                grading,
                source,
                value: grading.value(),
            },
            source: r.source.as_str().to_owned(),
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct AparList {
    pub items: Vec<AparView>,
}

/// One row of an import: an employee's APAR.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AparImportRow {
    #[schema(example = "CSS-000001")]
    pub employee_code: String,
    #[schema(example = "2022-04-01")]
    pub from: NaiveDate,
    #[schema(example = "2023-03-31")]
    pub to: NaiveDate,
    pub grading: Option<Grading>,
    #[schema(minimum = 1, maximum = 10, example = 7.5)]
    pub score: Option<f64>,
    pub expert_panel: Option<ExpertPanelInput>,
    pub representation: Option<RepresentationInput>,
}

/// A bulk import from SPARROW.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AparImport {
    /// 1 to 10,000 rows, within the body limit (`CSCMS_MAX_BODY_BYTES`,
    /// 256 KiB unless configured: about 2,500 rows of this shape; 10,000
    /// rows need about 1 MiB). Each row is checked and answered on its own:
    /// a bad row is reported by its index and does not stop the others. The
    /// rules every body meets at the boundary (no control characters, text
    /// within its length, dates from 1900 to 2100, no key named twice) are
    /// checked over the whole body first: a value breaking one refuses the
    /// request (422 naming `body.rows[i]…`, or 400 `duplicate_key`), so
    /// nothing of a malformed batch is half imported.
    #[validate(length(min = 1, max = 10000))]
    #[schema(value_type = Vec<AparImportRow>, min_items = 1, max_items = 10000)]
    pub rows: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Created,
    Updated,
    /// The same values were already on record: nothing written.
    Unchanged,
    Rejected,
}

#[derive(Serialize, ToSchema)]
pub struct RowResult {
    /// Position of the row in `rows`, from 0.
    pub index: usize,
    pub status: RowStatus,
    /// The row's employee; left out only when the row gave no valid code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_code: Option<String>,
    /// The APAR's id, unless rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Why a row was rejected: every bad field, as `body.rows[i].field`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    /// One result per row, in the order sent.
    pub results: Vec<RowResult>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

/// An APAR reports on service rendered: not from before joining.
fn before_joining(prefix: &str, joined: NaiveDate) -> FieldError {
    FieldError::new(
        format!("{prefix}.from"),
        "before_joining",
        format!(
            "the period begins before the employee joined Government on {}",
            joined.format("%d.%m.%Y")
        ),
    )
}

fn refusal(prefix: &str, r: &Refused) -> FieldError {
    match r {
        Refused::Unfit(e) => unfit(prefix, e),
        Refused::BeforeJoining(joined) => before_joining(prefix, *joined),
        Refused::UnknownEmployee => FieldError::new(
            format!("{prefix}.employee_code"),
            "unknown_employee",
            "no employee has this code",
        ),
        Refused::NotFound => FieldError::new(prefix, "not_found", "no such APAR"),
        Refused::Exists(o) | Refused::Overlaps(o) => FieldError::new(
            prefix,
            "overlaps",
            format!(
                "the period overlaps the APAR on record for {} to {} (id {})",
                o.from, o.to, o.id
            ),
        ),
        Refused::CorrectedByDopt(o) => FieldError::new(
            prefix,
            "corrected_by_dopt",
            format!(
                "DoPT entered or corrected this APAR (id {}, version {}); an import does not overwrite it",
                o.id, o.version
            ),
        ),
    }
}

fn parse_row(
    value: serde_json::Value,
    prefix: &str,
    today: NaiveDate,
) -> Result<(EmployeeCode, Apar), Vec<FieldError>> {
    let row: AparImportRow = parse_value(value, prefix).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let code = EmployeeCode::parse(&row.employee_code)
        .map_err(|e| {
            errors.push(FieldError::new(
                format!("{prefix}.employee_code"),
                "invalid",
                e.to_string(),
            ))
        })
        .ok();
    let input = AparInput {
        from: row.from,
        to: row.to,
        grading: row.grading,
        score: row.score,
        expert_panel: row.expert_panel,
        representation: row.representation,
    };
    let apar = input
        .parse(prefix, today, &mut errors)
        .and_then(|d| d.complete(prefix, &mut errors));
    match (code, apar) {
        (Some(code), Some(a)) if errors.is_empty() => Ok((code, a)),
        _ => {
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            Err(errors)
        }
    }
}

/// Import APARs in bulk
///
/// Imports APARs in bulk (SPARROW, scope `apar:write`). Idempotent per
/// employee and period: a row already on record with the same values is
/// `unchanged`; with a changed grade it is `updated` (audited with before
/// and after). The Experts Panel grading and representation on record are
/// kept when a row leaves them out. A row overlapping another period of the
/// employee, naming an unknown employee, or changing an APAR DoPT corrected
/// is `rejected` with its errors; the other rows are still written.
/// Rows that touch the same APAR are taken in the order sent, each seeing
/// what the ones before it wrote. The request is written in one
/// transaction, with one audit row and change event per change (an APAR
/// two rows change has two, as if they were sent one by one).
/// Answers 200 with one result per row.
#[utoipa::path(tag = "apars", security(("bearer" = [])), request_body = AparImport,
    responses(
        (status = 200, body = ImportReport, description = "Per-row results, in the order sent"),
        (status = 403, description = "Only an integration client with the scope apar:write imports", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/apars/import")]
pub async fn import(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<AparImport>,
) -> Result<HttpResponse, ApiError> {
    authorize(&who, Op::ImportApars)?;
    let mut results = Vec::with_capacity(body.rows.len());
    let mut ready = Vec::new();
    let mut indices = Vec::new();
    // One day for the whole request, read once.
    let today = crate::clearance::today();
    for (index, value) in body.rows.into_iter().enumerate() {
        // A row refused as it is read still names its employee, when it can.
        let named = value
            .get("employee_code")
            .and_then(serde_json::Value::as_str)
            .and_then(|c| EmployeeCode::parse(c).ok())
            .map(|c| c.as_str().to_owned());
        match parse_row(value, &format!("body.rows[{index}]"), today) {
            Ok(row) => {
                indices.push(index);
                ready.push(row);
            }
            Err(errors) => results.push(RowResult {
                index,
                status: RowStatus::Rejected,
                employee_code: named,
                id: None,
                version: None,
                errors,
            }),
        }
    }
    let actor = actor(&who, &req);
    let (written, ready) = state
        .db(move |c| {
            let w = cscms_store::apars::import_all(c, &actor, &ready, AparSource::Sparrow)?;
            Ok((w, ready))
        })
        .await?;
    for ((index, (code, _)), outcome) in indices.into_iter().zip(ready).zip(written) {
        let prefix = format!("body.rows[{index}]");
        let (status, row, errors) = match &outcome {
            Ok(Written::Created(r)) => (RowStatus::Created, Some(r), vec![]),
            Ok(Written::Updated(r)) => (RowStatus::Updated, Some(r), vec![]),
            Ok(Written::Unchanged(r)) => (RowStatus::Unchanged, Some(r), vec![]),
            Err(refused) => (RowStatus::Rejected, None, vec![refusal(&prefix, refused)]),
        };
        results.push(RowResult {
            index,
            status,
            employee_code: Some(code.as_str().to_owned()),
            id: row.map(|r| r.id),
            version: row.map(|r| r.version),
            errors,
        });
    }
    results.sort_by_key(|r| r.index);
    let count = |s: RowStatus| results.iter().filter(|r| r.status == s).count();
    Ok(HttpResponse::Ok().json(ImportReport {
        created: count(RowStatus::Created),
        updated: count(RowStatus::Updated),
        unchanged: count(RowStatus::Unchanged),
        rejected: count(RowStatus::Rejected),
        results,
    }))
}

/// The field of a representation that does not fit a corrected APAR (CSS-8).
fn unfit(prefix: &str, e: &RepresentationMisfit) -> FieldError {
    let (field, code) = match e {
        RepresentationMisfit::TooEarly { .. } => ("decided_on", "too_early"),
        RepresentationMisfit::GradeBeforeUnmapped(_) => ("grading_before", "no_mapping"),
    };
    FieldError::new(
        format!("{prefix}.representation.{field}"),
        code,
        format!("{e} (a representation kept from the record must fit the corrected period too)"),
    )
}

fn refused(code: &str, r: Refused) -> ApiError {
    match r {
        Refused::Unfit(e) => ApiError::validation(vec![unfit("body", &e)]),
        Refused::BeforeJoining(joined) => {
            ApiError::validation(vec![before_joining("body", joined)])
        }
        Refused::UnknownEmployee => ApiError::not_found(format!("Employee {code}")),
        Refused::NotFound => ApiError::not_found(format!("The APAR of employee {code}")),
        Refused::Exists(o) => ApiError::Conflict {
            code: ProblemCode::AparExists,
            detail: format!(
                "An APAR for {} to {} is on record (id {}); correct it with PUT.",
                o.from, o.to, o.id
            ),
        },
        Refused::Overlaps(o) => ApiError::Conflict {
            code: ProblemCode::AparOverlap,
            detail: format!(
                "The period overlaps the APAR on record for {} to {} (id {}).",
                o.from, o.to, o.id
            ),
        },
        Refused::CorrectedByDopt(o) => ApiError::Conflict {
            code: ProblemCode::CorrectedByDopt,
            detail: format!("DoPT corrected the APAR (id {}).", o.id),
        },
    }
}

/// List an employee's APARs
///
/// An employee's APARs, oldest first: the employee their own, DoPT anyone's.
#[utoipa::path(tag = "apars", security(("bearer" = [])),
    params(("code" = String, Path, description = "Employee code, e.g. CSS-000001")),
    responses((status = 200, description = "The employee's APARs, oldest first", body = AparList)))]
#[get("/employees/{code}/apars")]
pub async fn list(
    Auth(who): Auth,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (_, _, rows) = super::visible_employee_with(&state, &who, Family::Apar, &code, |c, e| {
        cscms_store::apars::list_for(c, &e.code)
    })
    .await?;
    let items = rows
        .iter()
        .map(AparView::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(AparList { items }))
}

/// Enter an APAR (DoPT)
///
/// DoPT enters one APAR. An APAR for the same period, or an overlapping
/// one, is a conflict: correct it with PUT. Audited.
#[utoipa::path(tag = "apars", security(("bearer" = [])), request_body = AparInput,
    params(("code" = String, Path, description = "Employee code, e.g. CSS-000001")),
    responses(
        (status = 201, description = "The new APAR; `Location` names it", body = AparView, headers(("Location" = String))),
        (status = 403, description = "Only DoPT enters APARs", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An APAR for this period (`apar_exists`), or an overlapping one (`apar_overlap`), is on record", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[post("/employees/{code}/apars")]
pub async fn create(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    ValidJson(body): ValidJson<AparInput>,
) -> Result<HttpResponse, ApiError> {
    let (code, _) = visible_employee(&state, &who, Family::Apar, &code).await?;
    authorize(&who, Op::WriteApar)?;
    let mut errors = Vec::new();
    let apar = body
        .parse("body", crate::clearance::today(), &mut errors)
        .and_then(|d| d.complete("body", &mut errors));
    let Some(apar) = apar.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let actor = actor(&who, &req);
    let key = code.clone();
    let written = state
        .db(move |c| cscms_store::apars::create(c, &actor, &key, &apar))
        .await?
        .map_err(|r| refused(code.as_str(), r))?;
    let view = AparView::try_from(written.row())?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/v1/employees/{}/apars/{}", view.employee_code, view.id),
        ))
        .insert_header(etag_header(view.version))
        .json(view))
}

/// Read one APAR
///
/// One APAR of an employee, with its version as the `ETag` that a
/// correction names in `If-Match`: the employee their own, DoPT anyone's.
#[utoipa::path(tag = "apars", security(("bearer" = [])),
    params(
        ("code" = String, Path, description = "Employee code, e.g. CSS-000001"),
        ("id" = i64, Path, description = "The APAR's id"),
    ),
    responses(
        (status = 200, description = "The APAR", body = AparView,
            headers(("ETag" = String, description = "The APAR's version, e.g. \"2\""))),
        (status = 404, description = "No such APAR of this employee, or not in the caller's scope", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[get("/employees/{code}/apars/{id}")]
pub async fn one(
    Auth(who): Auth,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (code, id) = path.into_inner();
    let (code, _, row) =
        super::visible_employee_with(&state, &who, Family::Apar, &code, move |c, e| {
            cscms_store::apars::one_of(c, &e.code, id)
        })
        .await?;
    let row = row.ok_or_else(|| ApiError::not_found(format!("APAR {id} of employee {code}")))?;
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(row.version))
        .json(AparView::try_from(&row)?))
}

/// Correct an APAR (DoPT)
///
/// DoPT corrects an APAR: the values given replace those on record. With a
/// `representation` (CSS-8), the grade on record becomes its earlier grade
/// unless one is given; without one, a representation on record is kept.
/// Either must fit the corrected period: decided after it ends, its earlier
/// grade a grading then (422 `too_early` or `no_mapping` on the
/// representation's field otherwise). `If-Match` names the version
/// corrected (the `ETag` of the APAR as read): 412 if it has changed since.
/// Audited with before and after.
#[utoipa::path(tag = "apars", security(("bearer" = [])), request_body = AparInput,
    params(
        ("code" = String, Path, description = "Employee code, e.g. CSS-000001"),
        ("id" = i64, Path, description = "The APAR's id"),
    ),
    responses(
        (status = 200, description = "The corrected APAR", body = AparView,
            headers(("ETag" = String, description = "The APAR's new version"))),
        (status = 403, description = "Only DoPT corrects APARs", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new period overlaps another APAR on record (`apar_overlap`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
#[put("/employees/{code}/apars/{id}")]
pub async fn correct(
    Auth(who): Auth,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    ValidJson(body): ValidJson<AparInput>,
) -> Result<HttpResponse, ApiError> {
    let (code, id) = path.into_inner();
    let (code, _) = visible_employee(&state, &who, Family::Apar, &code).await?;
    authorize(&who, Op::WriteApar)?;
    let expected = if_match(&req)?;
    let mut errors = Vec::new();
    let Some(draft) = body.parse("body", crate::clearance::today(), &mut errors) else {
        return Err(ApiError::validation(errors));
    };
    let actor = actor(&who, &req);
    let key = code.clone();
    let written = state
        .db(move |c| {
            let (apar, rep) = (&draft.apar, draft.representation);
            cscms_store::apars::correct(c, &actor, &key, (id, expected), apar, rep)
        })
        .await?
        .map_err(|r| refused(code.as_str(), r))?;
    let row = written.row();
    Ok(HttpResponse::Ok()
        .insert_header(etag_header(row.version))
        .json(AparView::try_from(row)?))
}
