//! Calls a live server through the generated Rust client: the contract's
//! types must carry real responses, not just compile. Exits non-zero on the
//! first check that fails.
use cscms_client::apis::{configuration::Configuration, employees_api, identity_api, rules_api};
use cscms_client::models;
use std::process::ExitCode;

fn config(base: &str, token: &str) -> Configuration {
    Configuration {
        base_path: base.to_owned(),
        bearer_access_token: Some(token.to_owned()),
        ..Configuration::default()
    }
}

async fn run() -> Result<(), String> {
    let env = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let base = env("CSCMS_BASE_URL")?;
    let dopt = config(&base, &env("CSCMS_DOPT_TOKEN")?);

    let me = identity_api::get_me(&dopt)
        .await
        .map_err(|e| format!("GET /v1/me: {e}"))?;
    check(
        me.role == "dopt",
        &format!("GET /v1/me names the role ({})", me.role),
    )?;

    let page = employees_api::get_employees(&dopt, None, None, None, None, None, Some(3))
        .await
        .map_err(|e| format!("GET /v1/employees: {e}"))?;
    check(
        page.items.len() == 3,
        "GET /v1/employees?limit=3 gives three",
    )?;
    let first = &page.items[0];
    let one = employees_api::get_employees_code(&dopt, &first.code)
        .await
        .map_err(|e| format!("GET /v1/employees/{}: {e}", first.code))?;
    check(
        one.code == first.code,
        "the employee read is the one listed",
    )?;

    let missing = employees_api::get_employees_code(&dopt, "CSS-999999").await;
    check(
        matches!(&missing, Err(cscms_client::apis::Error::ResponseError(r)) if r.status.as_u16() == 404),
        "an unknown employee is a 404 error",
    )?;

    // MACPS clarification 3, illustration (A): the 3rd upgrade on 01.10.2012.
    let request: models::MacpRequest = serde_json::from_value(serde_json::json!({
        "as_of": "2013-01-01", "joined_entry_grade_on": "1982-10-01", "entry": {"scale": "4000-6000"},
        "events": [{"kind": "acp", "on": "1999-08-09", "to": {"scale": "4500-7000"}},
                   {"kind": "acp", "on": "2006-10-01", "to": {"scale": "5000-8000"}}]
    }))
    .map_err(|e| format!("the MACP request does not fit the generated type: {e}"))?;
    let decision = rules_api::post_rules_macp_evaluate(&dopt, request, None)
        .await
        .map_err(|e| format!("POST /v1/rules/macp/evaluate: {e}"))?;
    let third = decision.upgrades.iter().find(|u| u.number == 3);
    check(
        third.map(|u| u.due_on.to_string()).as_deref() == Some("2012-10-01"),
        "the 3rd upgrade falls due on 2012-10-01",
    )?;
    Ok(())
}

fn check(condition: bool, what: &str) -> Result<(), String> {
    if condition {
        println!("ok: {what}");
        Ok(())
    } else {
        Err(format!("failed: {what}"))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
