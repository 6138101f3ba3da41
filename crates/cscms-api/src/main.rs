//! The `cscms` binary.

use std::process::ExitCode;

use actix_web::{web, HttpServer};
use clap::Parser;
use cscms_api::auth::{MintRequest, Verifier};
use cscms_api::cli::{Cli, Command, KeysAction};
use cscms_api::config::{KeySource, Settings};
use cscms_api::keys::KeyRing;
use cscms_api::oauth::Issuer;
use cscms_api::state::AppState;
use cscms_api::webhooks::seal::{self, Sealer};
use cscms_domain::principal::Role;
use cscms_store::{connect_pool, migrate, seed};

/// A request allocates and frees many small strings (headers, a row's
/// columns, the JSON); glibc's allocator took about 12% of an
/// authenticated read's CPU in `perf`, mimalloc less (bench/speed.md).
/// Built without transparent huge pages (the workspace's `no_thp`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn settings() -> Result<Settings, ExitCode> {
    Settings::from_env().map_err(|errors| {
        eprintln!("cscms: invalid configuration:");
        for e in errors {
            eprintln!("  {e}");
        }
        ExitCode::from(2)
    })
}

fn fail(what: &str, e: impl std::fmt::Display) -> ExitCode {
    eprintln!("cscms: {what}: {e}");
    ExitCode::FAILURE
}

/// A token the server would refuse is not minted: the role needs its
/// anchor, and the signing secret must be the server's, not a new one made
/// in whatever directory the command runs from.
fn check_token_request(
    s: &Settings,
    role: Role,
    employee: Option<&str>,
    org: Option<&str>,
) -> Result<(), ExitCode> {
    match role {
        Role::Employee if employee.is_none() => {
            return Err(fail("token", "--role employee needs --employee CODE"));
        }
        Role::NodalOfficer | Role::SubNodalOfficer if org.is_none() => {
            return Err(fail(
                "token",
                format!("--role {} needs --org ID", role.as_str()),
            ));
        }
        _ => {}
    }
    if let KeySource::SecretFile(path) = &s.jwt.key {
        if !path.exists() {
            return Err(fail(
                "token",
                format!(
                    "no signing secret at {}: run `cscms token` from the directory the server runs in, \
                     or set CSCMS_JWT_SECRET_FILE (or CSCMS_JWT_SECRET) as the server has it",
                    path.display()
                ),
            ));
        }
    }
    Ok(())
}

fn migrated_pool(s: &Settings) -> Result<cscms_store::DbPool, ExitCode> {
    let pool = connect_pool(&s.database, s.pool_size).map_err(|e| fail("database", e))?;
    let mut conn = pool.get().map_err(|e| fail("database", e))?;
    let applied = migrate::run_pending(&mut conn).map_err(|e| fail("migrations", e))?;
    if !applied.is_empty() {
        log::info!("applied migrations: {}", applied.join(", "));
    }
    Ok(pool)
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let run = || -> Result<(), ExitCode> {
        match cli.command.unwrap_or(Command::Serve { announce: false }) {
            Command::Openapi => {
                let json = cscms_api::openapi()
                    .to_pretty_json()
                    .map_err(|e| fail("openapi", e))?;
                println!("{json}");
            }
            Command::Migrate => {
                let s = settings()?;
                migrated_pool(&s)?;
                println!("migrations applied to {}", s.database.redacted());
            }
            Command::SeedDemo {
                employees,
                if_empty,
            } => {
                let s = settings()?;
                let pool = migrated_pool(&s)?;
                let mut conn = pool.get().map_err(|e| fail("database", e))?;
                let existing =
                    cscms_store::employees::count(&mut conn).map_err(|e| fail("seed", e))?;
                if if_empty && existing > 0 {
                    println!("demo data present ({existing} employees); nothing to do");
                    return Ok(());
                }
                let added = seed::demo(&mut conn, employees).map_err(|e| fail("seed", e))?;
                println!(
                    "seeded {} organisations, {} officers, {} employees, {} service events",
                    added.organisations, added.officers, added.employees, added.service_events
                );
            }
            Command::Recompute => {
                let s = settings()?;
                let pool = migrated_pool(&s)?;
                let mut conn = pool.get().map_err(|e| fail("database", e))?;
                let n = cscms_store::macp_due::recompute_all(&mut conn)
                    .map_err(|e| fail("recompute", e))?;
                println!("MACP due dates computed again for {n} employees");
            }
            Command::Token {
                role,
                sub,
                employee,
                org,
                scopes,
                ttl,
            } => {
                let s = settings()?;
                check_token_request(&s, role, employee.as_deref(), org.as_deref())?;
                let verifier = Verifier::new(&s.jwt).map_err(|e| fail("keys", e))?;
                let anchor = employee.clone().or_else(|| org.clone()).unwrap_or_default();
                let mut req = MintRequest::new(
                    role,
                    sub.unwrap_or_else(|| {
                        let anchor = if anchor.is_empty() {
                            "local".to_owned()
                        } else {
                            anchor.to_lowercase()
                        };
                        format!("{}:{anchor}", role.as_str())
                    }),
                );
                req.employee = employee;
                req.org = org;
                req.scopes = scopes;
                req.ttl_secs = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
                let token = verifier.mint(&req).map_err(|e| fail("token", e))?;
                println!("{token}");
            }
            Command::Keys { action } => {
                let s = settings()?;
                let dir = &s.oauth.key_dir;
                match action {
                    KeysAction::Rotate => {
                        let kid = cscms_api::keys::rotate(dir).map_err(|e| fail("keys", e))?;
                        println!("signing with {kid} (keys in {})", dir.display());
                    }
                    KeysAction::RotateSeal => {
                        let pool = migrated_pool(&s)?;
                        let mut conn = pool.get().map_err(|e| fail("database", e))?;
                        let reseal = |conn: &mut cscms_store::DbConn| {
                            let sealer = Sealer::open(dir).map_err(|e| fail("keys", e))?;
                            seal::reseal(conn, &sealer).map_err(|e| fail("database", e))
                        };
                        // What the retired key sealed is sealed under the
                        // current one before the retired key is dropped.
                        let first = reseal(&mut conn)?;
                        let kid = seal::rotate(dir).map_err(|e| fail("keys", e))?;
                        let then = reseal(&mut conn)?;
                        println!(
                            "sealing with {kid} (keys in {}); {} webhook subscriptions sealed again",
                            dir.display(),
                            then.sealed
                        );
                        let mut unopened = first.unopened;
                        unopened.extend(then.unopened);
                        unopened.sort_unstable();
                        unopened.dedup();
                        if !unopened.is_empty() {
                            eprintln!(
                                "cscms: keys: the secrets of webhook subscriptions {unopened:?} open with no key held: rotate those secrets"
                            );
                            return Err(ExitCode::FAILURE);
                        }
                    }
                    KeysAction::Show => {
                        let ring =
                            KeyRing::open(dir, s.jwt.leeway_secs).map_err(|e| fail("keys", e))?;
                        println!("{}", ring.jwks());
                    }
                }
            }
            Command::Serve { announce } => {
                let s = settings()?;
                serve(s, announce).map_err(|e| fail("server", e))?;
            }
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

#[actix_web::main]
async fn serve(s: Settings, announce: bool) -> std::io::Result<()> {
    let pool = migrated_pool(&s).map_err(|_| std::io::Error::other("database not ready"))?;
    let verifier = Verifier::new(&s.jwt).map_err(std::io::Error::other)?;
    let sample = if announce {
        verifier
            .mint(&MintRequest::new(Role::Dopt, "dopt:demo"))
            .ok()
    } else {
        None
    };
    let keys = KeyRing::open(&s.oauth.key_dir, s.jwt.leeway_secs).map_err(std::io::Error::other)?;
    let issuer = Issuer::new(&s.oauth, keys, &s.jwt.audience, s.jwt.leeway_secs);
    let sealer =
        std::sync::Arc::new(Sealer::open(&s.oauth.key_dir).map_err(std::io::Error::other)?);
    let state = web::Data::new(
        AppState::new(
            pool,
            &s.database,
            verifier,
            issuer,
            sealer,
            s.max_body_bytes,
        )
        .with_cors_origins(s.cors_origins.clone())
        .with_metrics_allow(s.metrics_allow.clone())
        .with_services(s.services.clone())
        .with_idempotency_ttl(s.idempotency_ttl_secs)
        .with_list_cache(s.list_cache_mib)
        .with_record_cache(s.record_cache_mib)
        .with_rate_limits(s.rate_limits)
        .with_webhooks(s.webhooks.clone()),
    );
    let sealer = state.sealer.clone();
    let resealed = state
        .db(move |c| cscms_api::webhooks::seal::reseal(c, &sealer))
        .await
        .map_err(|e| std::io::Error::other(format!("sealing webhook secrets: {e}")))?;
    if resealed.sealed > 0 {
        log::info!(
            "sealed the secrets of {} webhook subscriptions under key {}",
            resealed.sealed,
            state.sealer.kid()
        );
    }
    cscms_api::retention::spawn(state.clone(), s.change_retention_days);
    if s.webhooks.worker {
        cscms_api::webhooks::spawn(state.clone());
    }
    let server = HttpServer::new(move || cscms_api::app(state.clone()))
        .workers(s.workers)
        .shutdown_timeout(30)
        .bind(s.bind)?;
    let addr = server.addrs().first().copied().unwrap_or(s.bind);
    println!(
        "cscms ready on http://{addr} ({}), docs at http://{addr}/docs/",
        s.database.redacted()
    );
    if let Some(token) = sample {
        println!("try: curl -s -H \"Authorization: Bearer {token}\" http://{addr}/v1/me");
    }
    server.run().await
}
