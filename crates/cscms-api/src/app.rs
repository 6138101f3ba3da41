//! Builds the actix application from settled state: routes (through the
//! utoipa-aware registrar, so the contract cannot drift from the code),
//! error handling for actix's own failures, request ids and the log.

use std::sync::Arc;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName};
use actix_web::http::Method;
use actix_web::{middleware, web, App, HttpRequest, HttpResponse};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{ApiError, ProblemCode};
use crate::openapi::{add_error_responses, tidy, ApiDoc};
use crate::routes::{
    apars, audit, career, changes, clients, delpge, deputation, empanelment, employees, exgratia,
    foreign_visits, health, interests, ipr, me, oauth, organisations, prints, profile,
    promotion_outlooks, rotation, rti, rules, spouse_postings, surplus, telemetry, vigilance,
    webhooks, working_strength,
};
use crate::state::AppState;
use crate::{http_cache, request_id};

/// The routes, in one place: the served app and the contract both come
/// from this list. Serving registers them on a plain `App`: collecting the
/// contract while registering (utoipa's registrar) rebuilt every schema for
/// every worker and every test app.
macro_rules! routes {
    ($app:expr, $scope:path) => {
        $app.service(health::healthz)
            .service(health::readyz)
            .service(telemetry::metrics)
            .service(oauth::token)
            .service(oauth::metadata)
            .service(oauth::jwks)
            .service(
                $scope("/v1")
                    .service(me::me)
                    .service(organisations::list)
                    .service(organisations::get)
                    .service(organisations::create)
                    .service(organisations::onboard)
                    .service(employees::list)
                    .service(employees::get)
                    .service(ipr::file)
                    .service(ipr::record_received_return)
                    .service(ipr::list_own)
                    .service(ipr::year_return)
                    .service(ipr::list)
                    .service(vigilance::record)
                    .service(vigilance::current_status)
                    .service(vigilance::clearance_of)
                    .service(prints::check)
                    .service(profile::get)
                    .service(profile::get_pdf)
                    .service(profile::update)
                    .service(profile::submit)
                    .service(profile::validate)
                    .service(profile::return_for_correction)
                    .service(profile::pending)
                    .service(profile::open_round)
                    .service(profile::list_rounds)
                    .service(working_strength::get)
                    .service(working_strength::replace)
                    .service(audit::list)
                    .service(changes::list)
                    .service(changes::latest)
                    .service(rules::macp)
                    .service(rules::nfs)
                    .service(rules::fixation)
                    .service(rules::rotation_eligibility)
                    .service(rules::rotation_allocate)
                    .service(rules::spouse_posting_evaluate)
                    .service(career::employee_rotation)
                    .service(promotion_outlooks::record)
                    .service(promotion_outlooks::list)
                    .service(rotation::ministry_groups::groups)
                    .service(rotation::ministry_groups::create_groups)
                    .service(rotation::rounds::announce)
                    .service(rotation::rounds::list_rounds)
                    .service(rotation::rounds::get_round)
                    .service(rotation::rounds::amend)
                    .service(rotation::rounds::cancel)
                    .service(rotation::submissions::submissions)
                    .service(rotation::allocation::round_vacancies)
                    .service(rotation::runs::run_allocation)
                    .service(rotation::runs::get_run)
                    .service(rotation::runs::approve_run)
                    .service(rotation::runs::officer_result)
                    .service(rotation::representations::pending)
                    .service(rotation::representations::get_representation)
                    .service(rotation::representations::represent)
                    .service(rotation::representations::allow)
                    .service(rotation::representations::dismiss)
                    .service(rotation::preferences::my_rounds)
                    .service(rotation::preferences::preferences)
                    .service(rotation::preferences::give_preferences)
                    .service(rotation::couples::get_couple)
                    .service(rotation::couples::register)
                    .service(rotation::couples::confirm)
                    .service(rotation::couples::withdraw)
                    .service(career::employee_macp)
                    .service(career::employee_nfs)
                    .service(career::macp_due)
                    .service(apars::list)
                    .service(apars::create)
                    .service(apars::one)
                    .service(apars::correct)
                    .service(apars::import)
                    .service(empanelment::rules::score)
                    .service(empanelment::rules::eligibility)
                    .service(empanelment::batches::create_batch)
                    .service(empanelment::batches::list_batches)
                    .service(empanelment::batches::get_batch)
                    .service(empanelment::proposals::add_proposal)
                    .service(empanelment::proposals::list_proposals)
                    .service(empanelment::proposals::get_proposal)
                    .service(empanelment::proposals::replace_proposal)
                    .service(empanelment::runs::run)
                    .service(empanelment::runs::list_runs)
                    .service(empanelment::runs::get_run)
                    .service(empanelment::runs::run_inputs)
                    .service(empanelment::reviews::reviews)
                    // Named lists before `{id}`: the first matching path wins.
                    .service(foreign_visits::mine)
                    .service(foreign_visits::pending)
                    .service(foreign_visits::apply)
                    .service(foreign_visits::get)
                    .service(foreign_visits::grant)
                    .service(foreign_visits::refuse)
                    .service(foreign_visits::withdraw)
                    .service(spouse_postings::mine)
                    .service(spouse_postings::pending)
                    .service(spouse_postings::apply)
                    .service(spouse_postings::get)
                    .service(spouse_postings::grant)
                    .service(spouse_postings::refuse)
                    .service(spouse_postings::withdraw)
                    .service(spouse_postings::represent)
                    .service(spouse_postings::allow)
                    .service(spouse_postings::dismiss)
                    .service(deputation::publish)
                    .service(deputation::browse)
                    .service(deputation::get_advert)
                    .service(deputation::amend)
                    .service(deputation::close)
                    .service(deputation::apply)
                    .service(deputation::mine)
                    .service(deputation::pending_ministry)
                    .service(deputation::pending_dopt)
                    .service(deputation::received)
                    .service(deputation::get_application)
                    .service(deputation::forward)
                    .service(deputation::refuse)
                    .service(deputation::approve)
                    .service(deputation::reject)
                    .service(deputation::withdraw)
                    .service(surplus::draft)
                    .service(surplus::list)
                    .service(surplus::overdue)
                    .service(surplus::read)
                    .service(surplus::amend)
                    .service(surplus::submit)
                    .service(surplus::forward)
                    .service(surplus::take_up)
                    .service(surplus::issue_noc)
                    .service(surplus::issue_nac)
                    .service(surplus::return_requisition)
                    .service(surplus::nominate)
                    .service(surplus::appoint)
                    .service(exgratia::evaluate)
                    .service(exgratia::record)
                    .service(exgratia::list)
                    .service(exgratia::get_case)
                    // Named lists before `{id}`: the first matching path wins.
                    .service(rti::overdue)
                    .service(rti::list)
                    .service(rti::register)
                    .service(rti::get_request)
                    .service(rti::reply)
                    .service(interests::get_catalogue)
                    .service(interests::get_area)
                    .service(interests::put_area)
                    .service(interests::demand)
                    .service(interests::get_interests)
                    .service(interests::put_interests)
                    .service(delpge::notify)
                    .service(delpge::programmes)
                    .service(delpge::get_programme)
                    .service(delpge::enrol)
                    .service(delpge::file_claim)
                    // Named lists before `{id}`: the first matching path wins.
                    .service(delpge::pending)
                    .service(delpge::get_claim)
                    .service(delpge::approve)
                    .service(delpge::reject)
                    .service(delpge::ledger)
                    .service(clients::register)
                    .service(clients::list)
                    .service(clients::get)
                    .service(clients::suspend)
                    .service(clients::resume)
                    .service(clients::rotate)
                    .service(clients::remove)
                    .service(webhooks::create)
                    .service(webhooks::list)
                    .service(webhooks::get)
                    .service(webhooks::edit)
                    .service(webhooks::rotate)
                    .service(webhooks::disable)
                    .service(webhooks::enable)
                    .service(webhooks::remove)
                    .service(webhooks::deliveries)
                    .service(webhooks::redeliver)
                    .service(webhooks::ping),
            )
    };
}

/// The routes through utoipa's registrar, for the contract.
fn documented<T>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    routes!(app, scope::scope)
}

/// The OpenAPI document of this build.
pub fn openapi() -> OpenApiDoc {
    // Made once: every worker and every test app would otherwise rebuild it.
    static API: std::sync::OnceLock<OpenApiDoc> = std::sync::OnceLock::new();
    API.get_or_init(|| {
        let (_, api) =
            documented(App::new().into_utoipa_app().openapi(ApiDoc::openapi())).split_for_parts();
        finish(api)
    })
    .clone()
}

fn finish(mut api: OpenApiDoc) -> OpenApiDoc {
    add_error_responses(&mut api);
    let api = crate::input::declare_limits(api);
    // The document is our own derive's output: a round trip through JSON
    // cannot fail, and if it ever did the untidied document is still valid.
    match tidy(api.clone()) {
        Ok(tidied) => tidied,
        Err(e) => {
            log::error!("openapi: tidying the contract failed: {e}");
            api
        }
    }
}

/// Path templates and their methods, to tell 404 from 405.
struct RouteTable(Vec<(Vec<String>, Vec<Method>)>);

impl RouteTable {
    fn new(api: &OpenApiDoc) -> Self {
        let mut routes = Vec::new();
        for (path, item) in &api.paths.paths {
            let mut methods = Vec::new();
            for (m, present) in [
                (Method::GET, item.get.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::PATCH, item.patch.is_some()),
                (Method::DELETE, item.delete.is_some()),
            ] {
                if present {
                    methods.push(m);
                }
            }
            if methods.contains(&Method::GET) {
                methods.push(Method::HEAD);
            }
            routes.push((path.split('/').map(str::to_owned).collect(), methods));
        }
        Self(routes)
    }

    fn allowed(&self, path: &str) -> Option<&[Method]> {
        let segs: Vec<&str> = path.split('/').collect();
        self.0.iter().find_map(|(tpl, methods)| {
            let matches = tpl.len() == segs.len()
                && tpl
                    .iter()
                    .zip(&segs)
                    .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s);
            matches.then_some(methods.as_slice())
        })
    }
}

async fn fallback(
    req: HttpRequest,
    table: web::Data<Arc<RouteTable>>,
) -> Result<HttpResponse, ApiError> {
    match table.allowed(req.path()) {
        Some(allow) if !allow.contains(req.method()) => Err(ApiError::MethodNotAllowed {
            allow: allow.to_vec(),
        }),
        _ => Err(ApiError::RouteNotFound),
    }
}

/// CORS for the browser front ends on the configured origins. Tokens travel
/// in `Authorization`, never in cookies, so credentials are not allowed and
/// no origin is a wildcard. A request from another origin still reaches the
/// handler (same-origin browsers send `Origin` too); the browser withholds
/// the answer when no `Access-Control-Allow-Origin` names its origin.
fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::ACCEPT,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static(crate::idempotency::HEADER),
            HeaderName::from_static(request_id::HEADER),
            HeaderName::from_static("traceparent"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::WWW_AUTHENTICATE,
            HeaderName::from_static("idempotent-replayed"),
            HeaderName::from_static("ratelimit"),
            HeaderName::from_static("ratelimit-policy"),
            header::RETRY_AFTER,
            HeaderName::from_static(request_id::HEADER),
        ])
        .block_on_origin_mismatch(false)
        .max_age(600)
}

/// The whole application for one worker.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = cors(&state.cors_origins);
    let mut api = openapi();
    let table = web::Data::new(Arc::new(RouteTable::new(&api)));
    // The served contract names the server that serves it (its public URL,
    // the tokens' issuer), so the docs page's "Try it out" and a client
    // generated from the live document call this server; the committed file
    // names the local `make run` server.
    api.servers = Some(vec![utoipa::openapi::server::ServerBuilder::new()
        .url(state.oauth.issuer.clone())
        .description(Some("This server"))
        .build()]);
    // The contract and its viewer come first: the `/v1` scope would
    // otherwise claim `/v1/openapi.json`.
    let app = routes!(
        App::new().service(SwaggerUi::new("/docs/{_:.*}").url("/v1/openapi.json", api)),
        web::scope
    );
    // Bodies are read as bytes (extract.rs); without this actix stops them
    // at its own default of 256 KiB, whatever CSCMS_MAX_BODY_BYTES says.
    let payload = web::PayloadConfig::new(state.max_body_bytes);
    app.app_data(state)
        .app_data(payload)
        .app_data(table)
        .app_data(web::QueryConfig::default().error_handler(|e, _| {
            ApiError::BadRequest {
                code: ProblemCode::InvalidQuery,
                detail: "One or more query parameters are invalid.".into(),
                errors: vec![crate::error::FieldError::new(
                    "query",
                    "invalid",
                    e.to_string(),
                )],
            }
            .into()
        }))
        .app_data(web::PathConfig::default().error_handler(|e, _| {
            ApiError::BadRequest {
                code: ProblemCode::InvalidPath,
                detail: "A path parameter is invalid.".into(),
                errors: vec![crate::error::FieldError::new(
                    "path",
                    "invalid",
                    e.to_string(),
                )],
            }
            .into()
        }))
        .service(web::resource("/docs").get(|| async {
            HttpResponse::PermanentRedirect()
                .insert_header(("Location", "/docs/"))
                .finish()
        }))
        .default_service(web::to(fallback))
        // Innermost: the read it makes for `If-Match: *` is the router's alone.
        .wrap(http_cache::IfMatchAny)
        .wrap(middleware::from_fn(crate::idempotency::layer))
        .wrap_fn(http_cache::conditional)
        // Outside idempotency: a replayed answer counts against the quota
        // too; outside the conditional layer: its 304 carries the headers.
        .wrap(middleware::from_fn(crate::ratelimit::layer))
        .wrap(middleware::Compress::default())
        .wrap_fn(|mut req, srv| {
            // Only Swagger UI's assets are compressed (1.5 MB of script):
            // API bodies stay identity-coded, so an ETag names one byte
            // sequence and no response mixes secrets with compression.
            if !req.path().starts_with("/docs/") {
                req.headers_mut().remove(header::ACCEPT_ENCODING);
            }
            srv.call(req)
        })
        // Paths and queries held to the text rule before routing (inside
        // CORS and the request id, so refusals carry both).
        .wrap(middleware::from_fn(crate::input::screen))
        .wrap(cors)
        .wrap_fn(|req, srv| {
            let id = request_id::assign(&req);
            let fut = srv.call(req);
            async move { fut.await.map(|res| request_id::finish(&id, res)) }
        })
        // Outside the request id: counts every answer as it was sent.
        .wrap(middleware::from_fn(crate::telemetry::layer))
        // The trace id of a valid `traceparent` joins the line to the
        // caller's trace; a malformed header is ignored (`-`).
        .wrap(
            middleware::Logger::new("%{x-request-id}o %a \"%r\" %s %b %Dms trace=%{trace}xi")
                .custom_request_replace("trace", |req| {
                    req.headers()
                        .get(request_id::TRACEPARENT)
                        .and_then(|v| v.to_str().ok())
                        .and_then(request_id::trace_id)
                        .unwrap_or_else(|| "-".to_owned())
                }),
        )
}
