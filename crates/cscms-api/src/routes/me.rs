//! Who the caller is, as the service sees them.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::employees::EmployeeSummary;
use super::organisations::Organisation;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub sub: String,
    #[schema(example = "employee")]
    pub role: String,
    /// Organisation of a nodal or sub-nodal officer.
    pub organisation: Option<Organisation>,
    /// The employee record of an employee.
    pub employee: Option<EmployeeSummary>,
    /// Scopes of an integration client.
    pub scopes: Vec<String>,
}

/// Who am I
///
/// The authenticated caller, with their organisation or employee record.
#[utoipa::path(tag = "identity", security(("bearer" = [])), responses((status = 200, description = "The caller", body = Me)))]
#[get("/me")]
pub async fn me(Auth(who): Auth, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let org_id = who.org.clone();
    let code = who.own_employee().cloned();
    let (org, emp) = state
        .read(move |c| {
            let org = match org_id {
                Some(id) => cscms_store::organisations::get(c, &id)?,
                None => None,
            };
            let emp = match code {
                Some(code) => cscms_store::employees::get(c, &code)?,
                None => None,
            };
            Ok((org, emp))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Me {
        sub: who.sub,
        role: who.role.as_str().to_owned(),
        organisation: org.map(Organisation::from),
        employee: emp.map(|p| EmployeeSummary::from(p.record)),
        scopes: who.scopes,
    }))
}
