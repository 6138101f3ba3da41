//! Settings, read once from the environment at start and validated; every
//! bad value is reported with its variable name. Nothing reads the
//! environment after this.

use std::net::SocketAddr;
use std::path::PathBuf;

use cscms_store::DbUrl;

pub const DEFAULT_DATABASE: &str = "sqlite://./data/cscms.db";
pub const DEFAULT_SECRET_FILE: &str = "./data/jwt-secret";

/// How tokens are verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// HS256 with a shared secret given directly.
    Secret(String),
    /// HS256 with a secret kept in a file, created on first use (local runs).
    SecretFile(PathBuf),
    /// RS256/ES256 with an identity provider's public key (e-Parichay).
    PublicKey { alg: PublicAlg, pem_file: PathBuf },
    /// The identity provider's JWK Set file: several keys chosen by `kid`,
    /// read again when the file changes.
    Jwks(PathBuf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicAlg {
    Rs256,
    Es256,
}

#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub key: KeySource,
    pub issuer: String,
    pub audience: String,
    pub leeway_secs: u64,
}

/// The authorisation server side: tokens for integration clients (issue 15).
#[derive(Debug, Clone)]
pub struct OAuthSettings {
    /// The service's public base URL: the `iss` of its access tokens; the
    /// token endpoint is `{public_url}/oauth2/token` (the `aud` of assertions).
    pub public_url: String,
    /// Where the service's ES256 signing keys are kept (`active.pem`,
    /// `next.pem`, `retired.pem`) and the key sealing webhook secrets
    /// (`seal.key`), created on first start.
    pub key_dir: PathBuf,
    /// How long an instance trusts its last look at a client's status: a
    /// suspended or deleted client is refused within this many seconds.
    pub client_check_secs: u64,
}

impl OAuthSettings {
    pub fn token_endpoint(&self) -> String {
        format!("{}/oauth2/token", self.public_url)
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DbUrl,
    pub bind: SocketAddr,
    pub pool_size: u32,
    pub workers: usize,
    pub max_body_bytes: usize,
    pub jwt: JwtSettings,
    /// Browser origins allowed to call the API (CORS), e.g. the SPA's.
    pub cors_origins: Vec<String>,
    /// Addresses that read `/metrics` without a token (a Prometheus server).
    pub metrics_allow: Vec<std::net::IpAddr>,
    pub oauth: OAuthSettings,
    /// How long an `Idempotency-Key` holds its response.
    pub idempotency_ttl_secs: u64,
    /// MiB of employee list pages an instance keeps (0: none).
    pub list_cache_mib: usize,
    /// MiB of employee records an instance keeps (0: none).
    pub record_cache_mib: usize,
    pub rate_limits: crate::ratelimit::Policies,
    /// Days the change feed keeps a change (INT-2).
    pub change_retention_days: u32,
    /// Settings of the employee services (AOI-1).
    pub services: ServiceSettings,
    /// Webhook delivery (INT-2).
    pub webhooks: WebhookSettings,
}

/// How webhooks are delivered (INT-2, Standard Webhooks 1.0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Development only: subscriptions may use http and private or
    /// loopback addresses (`CSCMS_WEBHOOK_ALLOW_PRIVATE`).
    pub allow_private: bool,
    /// The delay before each attempt, the first usually zero.
    pub schedule: Vec<std::time::Duration>,
    /// How long one attempt may take, connection to response.
    pub timeout: std::time::Duration,
    /// Connections open at once to one subscription's receiver. Each
    /// subscription has its own pool, so a slow receiver holds only its
    /// own and never delays another's deliveries (a wait for a connection
    /// counts against the attempt's timeout).
    pub connections: usize,
    /// Whether this instance runs a delivery worker.
    pub worker: bool,
    /// Certificate authorities trusted for receivers besides the public
    /// web roots, e.g. a government CA (`CSCMS_WEBHOOK_CA_FILE`, PEM).
    pub extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            schedule: cscms_domain::webhook::STANDARD_SCHEDULE.to_vec(),
            timeout: std::time::Duration::from_secs(15),
            connections: 16,
            worker: true,
            extra_roots: Vec::new(),
        }
    }
}

impl WebhookSettings {
    /// How long a worker holds a claimed delivery: twice an attempt's
    /// timeout and then some (a batch's attempts run at once), so only a
    /// crashed or stalled worker loses its claim.
    pub fn lease(&self) -> std::time::Duration {
        self.timeout * 2 + std::time::Duration::from_secs(5)
    }
}

fn flag(
    get: &dyn Fn(&str) -> Option<String>,
    name: &str,
    default: bool,
    errors: &mut Vec<String>,
) -> bool {
    match get(name).as_deref().map(str::trim) {
        None => default,
        Some("true" | "1" | "on" | "yes") => true,
        Some("false" | "0" | "off" | "no") => false,
        Some(other) => {
            errors.push(format!("{name}: '{other}' is not true or false"));
            default
        }
    }
}

/// `CSCMS_WEBHOOK_CA_FILE`: the PEM certificates in the file, at least one.
fn ca_file(
    path: Option<String>,
    errors: &mut Vec<String>,
) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    let Some(path) = path.filter(|p| !p.trim().is_empty()) else {
        return Vec::new();
    };
    let certs: Result<Vec<_>, _> =
        rustls::pki_types::CertificateDer::pem_file_iter(path.trim()).and_then(Iterator::collect);
    match certs {
        Ok(certs) if !certs.is_empty() => certs,
        Ok(_) => {
            errors.push(format!(
                "CSCMS_WEBHOOK_CA_FILE: {path} holds no PEM certificate"
            ));
            Vec::new()
        }
        Err(e) => {
            errors.push(format!("CSCMS_WEBHOOK_CA_FILE: {path}: {e}"));
            Vec::new()
        }
    }
}

/// `CSCMS_WEBHOOK_SCHEDULE`: comma-separated durations, 1 to 20 of them.
fn schedule(raw: Option<String>, errors: &mut Vec<String>) -> Vec<std::time::Duration> {
    let Some(raw) = raw else {
        return cscms_domain::webhook::STANDARD_SCHEDULE.to_vec();
    };
    let parsed: Result<Vec<_>, _> = raw
        .split(',')
        .map(|d| humantime::parse_duration(d.trim()))
        .collect();
    match parsed {
        Ok(v) if (1..=20).contains(&v.len()) && v.iter().all(|d| d.as_secs() <= 7 * 86_400) => v,
        _ => {
            errors.push(format!(
                "CSCMS_WEBHOOK_SCHEDULE: '{raw}' is not 1 to 20 comma-separated durations of at most 7 days, e.g. 0s,5s,5m"
            ));
            cscms_domain::webhook::STANDARD_SCHEDULE.to_vec()
        }
    }
}

/// Settings of the employee services that are policy, not code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSettings {
    /// Where iGOT's course pages live; a course's deep link is
    /// `{base}/app/toc/{course id}/overview` (AOI-1).
    pub igot_base_url: String,
    /// How many areas of interest an employee may rank (AOI-1).
    pub max_interest_areas: usize,
}

pub const DEFAULT_IGOT_BASE_URL: &str = "https://portal.igotkarmayogi.gov.in";

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            igot_base_url: DEFAULT_IGOT_BASE_URL.to_owned(),
            max_interest_areas: 5,
        }
    }
}

/// Every variable, its default and meaning (README's table mirrors this).
pub const VARIABLES: &[(&str, &str, &str)] = &[
    (
        "CSCMS_DATABASE_URL",
        DEFAULT_DATABASE,
        "postgres://user:pass@host/db, or sqlite://PATH",
    ),
    (
        "CSCMS_BIND",
        "127.0.0.1:8080",
        "address and port to listen on",
    ),
    (
        "CSCMS_DB_POOL_SIZE",
        "8",
        "database connections per instance (1-256)",
    ),
    (
        "CSCMS_WORKERS",
        "number of cores",
        "HTTP worker threads (1-256)",
    ),
    (
        "CSCMS_MAX_BODY_BYTES",
        "262144",
        "largest request body accepted (1024-67108864)",
    ),
    (
        "CSCMS_JWT_SECRET",
        "(unset)",
        "HS256 secret, at least 32 bytes",
    ),
    (
        "CSCMS_JWT_SECRET_FILE",
        DEFAULT_SECRET_FILE,
        "HS256 secret file, created on first start if missing",
    ),
    (
        "CSCMS_JWT_PUBLIC_KEY_FILE",
        "(unset)",
        "PEM public key of the identity provider (production)",
    ),
    (
        "CSCMS_JWT_JWKS_FILE",
        "(unset)",
        "the identity provider's JWK Set file (keys by kid, RS256/ES256), re-read when it changes",
    ),
    (
        "CSCMS_JWT_ALG",
        "RS256",
        "algorithm of the public key: RS256 or ES256",
    ),
    (
        "CSCMS_CORS_ORIGINS",
        "(none)",
        "comma-separated browser origins allowed to call the API, e.g. https://portal.example.gov.in",
    ),
    (
        "CSCMS_METRICS_ALLOW",
        "(none)",
        "comma-separated IP addresses (e.g. of the Prometheus server) that read /metrics without a token; otherwise a token with the scope metrics:read is needed",
    ),
    (
        "CSCMS_PUBLIC_URL",
        "http://127.0.0.1:8080",
        "the service's public base URL: issuer of its access tokens; the token endpoint is {this}/oauth2/token",
    ),
    (
        "CSCMS_SIGNING_KEY_DIR",
        "signing-keys next to the SQLite database (./data/signing-keys on PostgreSQL)",
        "the service's ES256 signing keys and seal.key (webhook secrets are sealed under it), created on first start; `cscms keys rotate` rotates the signing keys",
    ),
    (
        "CSCMS_CLIENT_CHECK_SECS",
        "30",
        "seconds an instance trusts its last look at a client's status (0-60): a suspended client is refused within this",
    ),
    (
        "CSCMS_IDEMPOTENCY_TTL_SECS",
        "86400",
        "seconds an Idempotency-Key holds its first response (60-604800)",
    ),
    (
        "CSCMS_LIST_CACHE_MIB",
        "16",
        "MiB of employee list pages an instance keeps while no write has changed them (0-1024; 0 keeps none)",
    ),
    (
        "CSCMS_RECORD_CACHE_MIB",
        "16",
        "MiB of employee records an instance keeps while no write has changed them (0-1024; 0 keeps none)",
    ),
    (
        "CSCMS_RATE_LIMITS",
        "on",
        "off leaves callers' quotas to a gateway in front of the service: no 429, no RateLimit headers (but for the public documents' limit)",
    ),
    (
        "CSCMS_RATE_LIMIT_USER",
        "600/60",
        "requests per window (seconds) for each person: QUOTA/SECONDS",
    ),
    (
        "CSCMS_RATE_LIMIT_CLIENT",
        "1200/60",
        "requests per window for each integration client",
    ),
    (
        "CSCMS_RATE_LIMIT_BULK",
        "6000/60",
        "requests per window for each bulk importer (a client with apar:write)",
    ),
    (
        "CSCMS_RATE_LIMIT_PUBLIC",
        "30/60",
        "requests per window from one address for the public documents (the contract, print verification), per instance; kept when CSCMS_RATE_LIMITS is off",
    ),
    (
        "CSCMS_CHANGE_RETENTION_DAYS",
        "30",
        "days the change feed keeps a change (1-3650); an older cursor gets 410",
    ),
    (
        "CSCMS_WEBHOOK_SCHEDULE",
        "0s,5s,5m,30m,2h,5h,10h,14h,20h,24h",
        "delay before each webhook attempt (Standard Webhooks); after the last fails the subscription is disabled",
    ),
    (
        "CSCMS_WEBHOOK_TIMEOUT_SECS",
        "15",
        "longest one webhook attempt may take (1-60)",
    ),
    (
        "CSCMS_WEBHOOK_CONNECTIONS",
        "16",
        "connections open at once to one subscription's receiver (1-256); each subscription has its own, so a slow receiver never delays another's",
    ),
    (
        "CSCMS_WEBHOOK_ALLOW_PRIVATE",
        "false",
        "development only: webhooks over http and to loopback or private addresses",
    ),
    (
        "CSCMS_WEBHOOK_WORKER",
        "true",
        "whether this instance delivers webhooks (any number of instances may)",
    ),
    (
        "CSCMS_WEBHOOK_CA_FILE",
        "(none)",
        "PEM file of certificate authorities trusted for webhook receivers besides the public web roots (e.g. a government CA)",
    ),
    (
        "CSCMS_IGOT_BASE_URL",
        DEFAULT_IGOT_BASE_URL,
        "base of iGOT course deep links: {base}/app/toc/{course id}/overview (AOI-1)",
    ),
    (
        "CSCMS_MAX_INTEREST_AREAS",
        "5",
        "areas of interest an employee may rank (1-20; AOI-1)",
    ),
    ("CSCMS_JWT_ISSUER", "cscms-local", "required iss claim"),
    ("CSCMS_JWT_AUDIENCE", "cscms-api", "required aud claim"),
    (
        "CSCMS_JWT_LEEWAY_SECS",
        "30",
        "clock skew allowed on exp/nbf (0-300)",
    ),
];

fn parse_num<T: std::str::FromStr + PartialOrd + Copy + std::fmt::Display>(
    get: &dyn Fn(&str) -> Option<String>,
    name: &str,
    default: T,
    range: (T, T),
    errors: &mut Vec<String>,
) -> T {
    match get(name) {
        None => default,
        Some(raw) => match raw.trim().parse::<T>() {
            Ok(v) if v >= range.0 && v <= range.1 => v,
            _ => {
                errors.push(format!(
                    "{name}: '{raw}' is not a number from {} to {}",
                    range.0, range.1
                ));
                default
            }
        },
    }
}

/// IP addresses, each written out: no ranges, so the list says exactly who.
fn metrics_allow(raw: Option<String>, errors: &mut Vec<String>) -> Vec<std::net::IpAddr> {
    let mut addresses = Vec::new();
    for a in raw.iter().flat_map(|r| r.split(',')).map(str::trim) {
        match a.parse() {
            Ok(ip) => addresses.push(ip),
            Err(_) if a.is_empty() => {}
            Err(_) => errors.push(format!(
                "CSCMS_METRICS_ALLOW: '{a}' is not an IP address like 10.0.0.7"
            )),
        }
    }
    addresses
}

/// `scheme://host[:port]` each; never `*`: every origin is named.
fn cors_origins(raw: Option<String>, errors: &mut Vec<String>) -> Vec<String> {
    let mut origins = Vec::new();
    for origin in raw.iter().flat_map(|r| r.split(',')).map(str::trim) {
        let well_formed = origin.split_once("://").is_some_and(|(scheme, rest)| {
            matches!(scheme, "http" | "https")
                && !rest.is_empty()
                && !rest.contains(['/', '*', ' ', '?', '#'])
        });
        if well_formed {
            origins.push(origin.to_owned());
        } else if !origin.is_empty() {
            errors.push(format!(
                "CSCMS_CORS_ORIGINS: '{origin}' is not an origin like https://portal.example.gov.in"
            ));
        }
    }
    origins
}

impl Settings {
    /// Reads settings through `get` (the process environment in production,
    /// a map in tests). Returns every problem at once.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, Vec<String>> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let mut errors = Vec::new();

        let database = DbUrl::parse(&get("CSCMS_DATABASE_URL").unwrap_or(DEFAULT_DATABASE.into()))
            .unwrap_or_else(|e| {
                errors.push(format!("CSCMS_DATABASE_URL: {e}"));
                DbUrl::Sqlite(PathBuf::from("./data/cscms.db"))
            });
        let bind_raw = get("CSCMS_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind = bind_raw.parse::<SocketAddr>().unwrap_or_else(|_| {
            errors.push(format!(
                "CSCMS_BIND: '{bind_raw}' is not HOST:PORT (e.g. 127.0.0.1:8080)"
            ));
            SocketAddr::from(([127, 0, 0, 1], 8080))
        });
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let pool_size = parse_num(&get, "CSCMS_DB_POOL_SIZE", 8u32, (1, 256), &mut errors);
        let workers = parse_num(&get, "CSCMS_WORKERS", cores, (1, 256), &mut errors);
        let max_body_bytes = parse_num(
            &get,
            "CSCMS_MAX_BODY_BYTES",
            262_144usize,
            (1024, 64 << 20),
            &mut errors,
        );
        let leeway_secs = parse_num(&get, "CSCMS_JWT_LEEWAY_SECS", 30u64, (0, 300), &mut errors);

        let jwks_file = get("CSCMS_JWT_JWKS_FILE");
        if jwks_file.is_some()
            && (get("CSCMS_JWT_SECRET").is_some() || get("CSCMS_JWT_PUBLIC_KEY_FILE").is_some())
        {
            errors.push(
                "CSCMS_JWT_JWKS_FILE is set with CSCMS_JWT_SECRET or CSCMS_JWT_PUBLIC_KEY_FILE; choose one"
                    .into(),
            );
        }
        let key = match (
            get("CSCMS_JWT_SECRET"),
            get("CSCMS_JWT_PUBLIC_KEY_FILE"),
            get("CSCMS_JWT_SECRET_FILE"),
        ) {
            (Some(_), Some(_), _) => {
                errors.push(
                    "CSCMS_JWT_SECRET and CSCMS_JWT_PUBLIC_KEY_FILE are both set; choose one"
                        .into(),
                );
                KeySource::SecretFile(DEFAULT_SECRET_FILE.into())
            }
            (Some(secret), None, _) => {
                if secret.len() < 32 {
                    errors.push("CSCMS_JWT_SECRET: must be at least 32 bytes".into());
                }
                KeySource::Secret(secret)
            }
            (None, Some(pem), _) => {
                let alg = match get("CSCMS_JWT_ALG").as_deref().unwrap_or("RS256") {
                    "RS256" => PublicAlg::Rs256,
                    "ES256" => PublicAlg::Es256,
                    other => {
                        errors.push(format!("CSCMS_JWT_ALG: '{other}' is not RS256 or ES256"));
                        PublicAlg::Rs256
                    }
                };
                KeySource::PublicKey {
                    alg,
                    pem_file: pem.into(),
                }
            }
            (None, None, file) => {
                KeySource::SecretFile(file.unwrap_or_else(|| DEFAULT_SECRET_FILE.into()).into())
            }
        };
        let key = match jwks_file {
            Some(file) => KeySource::Jwks(file.into()),
            None => key,
        };
        let jwt = JwtSettings {
            key,
            issuer: get("CSCMS_JWT_ISSUER").unwrap_or_else(|| "cscms-local".into()),
            audience: get("CSCMS_JWT_AUDIENCE").unwrap_or_else(|| "cscms-api".into()),
            leeway_secs,
        };
        let cors_origins = cors_origins(get("CSCMS_CORS_ORIGINS"), &mut errors);
        let metrics_allow = metrics_allow(get("CSCMS_METRICS_ALLOW"), &mut errors);
        let igot_base_url = get("CSCMS_IGOT_BASE_URL")
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .unwrap_or_else(|| DEFAULT_IGOT_BASE_URL.to_owned());
        let well_formed = igot_base_url
            .split_once("://")
            .is_some_and(|(scheme, rest)| {
                matches!(scheme, "http" | "https")
                    && !rest.is_empty()
                    && !rest.contains(['*', ' ', '?', '#'])
            });
        if !well_formed {
            errors.push(format!(
                "CSCMS_IGOT_BASE_URL: '{igot_base_url}' is not a URL like https://portal.igotkarmayogi.gov.in"
            ));
        }
        let services = ServiceSettings {
            igot_base_url,
            max_interest_areas: parse_num(
                &get,
                "CSCMS_MAX_INTEREST_AREAS",
                5usize,
                (1, 20),
                &mut errors,
            ),
        };
        let public_url = get("CSCMS_PUBLIC_URL")
            .unwrap_or_else(|| "http://127.0.0.1:8080".into())
            .trim()
            .trim_end_matches('/')
            .to_owned();
        let url_ok = public_url.split_once("://").is_some_and(|(scheme, rest)| {
            matches!(scheme, "http" | "https")
                && !rest.is_empty()
                && !rest.contains(['?', '#', ' '])
        });
        if !url_ok {
            errors.push(format!(
                "CSCMS_PUBLIC_URL: '{public_url}' is not a URL like https://cscms.dopt.gov.in"
            ));
        }
        let key_dir = get("CSCMS_SIGNING_KEY_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| match &database {
                DbUrl::Sqlite(path) => path
                    .parent()
                    .map_or_else(|| PathBuf::from("signing-keys"), |d| d.join("signing-keys")),
                DbUrl::Postgres(_) => PathBuf::from("./data/signing-keys"),
            });
        let oauth = OAuthSettings {
            public_url,
            key_dir,
            client_check_secs: parse_num(
                &get,
                "CSCMS_CLIENT_CHECK_SECS",
                30u64,
                (0, 60),
                &mut errors,
            ),
        };
        let idempotency_ttl_secs = parse_num(
            &get,
            "CSCMS_IDEMPOTENCY_TTL_SECS",
            86_400u64,
            (60, 604_800),
            &mut errors,
        );
        let list_cache_mib = parse_num(
            &get,
            "CSCMS_LIST_CACHE_MIB",
            crate::state::DEFAULT_LIST_CACHE_MIB,
            (0, 1024),
            &mut errors,
        );
        let record_cache_mib = parse_num(
            &get,
            "CSCMS_RECORD_CACHE_MIB",
            crate::state::DEFAULT_RECORD_CACHE_MIB,
            (0, 1024),
            &mut errors,
        );
        let mut rate_limits = crate::ratelimit::Policies {
            enabled: flag(&get, "CSCMS_RATE_LIMITS", true, &mut errors),
            ..crate::ratelimit::Policies::default()
        };
        for (name, slot) in [
            ("CSCMS_RATE_LIMIT_USER", &mut rate_limits.user),
            ("CSCMS_RATE_LIMIT_CLIENT", &mut rate_limits.client),
            ("CSCMS_RATE_LIMIT_BULK", &mut rate_limits.bulk),
            ("CSCMS_RATE_LIMIT_PUBLIC", &mut rate_limits.public),
        ] {
            if let Some(raw) = get(name) {
                match crate::ratelimit::Policy::parse(&raw) {
                    Some(p) => *slot = p,
                    None => {
                        errors.push(format!("{name}: '{raw}' is not QUOTA/SECONDS, e.g. 600/60"))
                    }
                }
            }
        }
        let change_retention_days = parse_num(
            &get,
            "CSCMS_CHANGE_RETENTION_DAYS",
            30u32,
            (1, 3650),
            &mut errors,
        );
        let webhooks = WebhookSettings {
            allow_private: flag(&get, "CSCMS_WEBHOOK_ALLOW_PRIVATE", false, &mut errors),
            schedule: schedule(get("CSCMS_WEBHOOK_SCHEDULE"), &mut errors),
            timeout: std::time::Duration::from_secs(parse_num(
                &get,
                "CSCMS_WEBHOOK_TIMEOUT_SECS",
                15u64,
                (1, 60),
                &mut errors,
            )),
            connections: parse_num(
                &get,
                "CSCMS_WEBHOOK_CONNECTIONS",
                16usize,
                (1, 256),
                &mut errors,
            ),
            worker: flag(&get, "CSCMS_WEBHOOK_WORKER", true, &mut errors),
            extra_roots: ca_file(get("CSCMS_WEBHOOK_CA_FILE"), &mut errors),
        };
        if errors.is_empty() {
            Ok(Settings {
                webhooks,
                database,
                bind,
                pool_size,
                workers,
                max_body_bytes,
                jwt,
                cors_origins,
                metrics_allow,
                services,
                oauth,
                idempotency_ttl_secs,
                list_cache_mib,
                record_cache_mib,
                rate_limits,
                change_retention_days,
            })
        } else {
            Err(errors)
        }
    }

    pub fn from_env() -> Result<Self, Vec<String>> {
        Self::from_lookup(&|k| std::env::var(k).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)]) -> Result<Settings, Vec<String>> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(&|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_local_sqlite_and_a_secret_file() {
        let s = with(&[]).unwrap();
        assert!(matches!(s.database, DbUrl::Sqlite(_)));
        assert!(matches!(s.jwt.key, KeySource::SecretFile(_)));
        assert_eq!(s.bind.port(), 8080);
    }

    #[test]
    fn service_settings() {
        let s = with(&[]).unwrap();
        assert_eq!(s.services, ServiceSettings::default());
        let s = with(&[
            ("CSCMS_IGOT_BASE_URL", "https://igot.example.gov.in/"),
            ("CSCMS_MAX_INTEREST_AREAS", "3"),
        ])
        .unwrap();
        assert_eq!(s.services.igot_base_url, "https://igot.example.gov.in");
        assert_eq!(s.services.max_interest_areas, 3);
        let errs = with(&[
            ("CSCMS_IGOT_BASE_URL", "ftp://x"),
            ("CSCMS_MAX_INTEREST_AREAS", "0"),
        ])
        .unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    #[test]
    fn every_bad_value_is_named() {
        let errs = with(&[
            ("CSCMS_BIND", "nowhere"),
            ("CSCMS_DB_POOL_SIZE", "0"),
            ("CSCMS_JWT_SECRET", "short"),
            ("CSCMS_DATABASE_URL", "mysql://x/y"),
        ])
        .unwrap_err();
        for name in [
            "CSCMS_BIND",
            "CSCMS_DB_POOL_SIZE",
            "CSCMS_JWT_SECRET",
            "CSCMS_DATABASE_URL",
        ] {
            assert!(errs.iter().any(|e| e.starts_with(name)), "{name}: {errs:?}");
        }
    }

    /// The README's table of settings names every variable read here, each
    /// once, with the default the code has (backticks aside; "unset" and
    /// "none" alike).
    #[test]
    fn the_readme_table_mirrors_the_variables() {
        let readme = include_str!("../../../README.md");
        let normal = |d: &str| {
            let d = d.replace('`', "");
            match d.trim_matches(|c| c == '(' || c == ')') {
                "unset" | "none" => "(none)".to_owned(),
                _ => d,
            }
        };
        let mut table: HashMap<&str, String> = HashMap::new();
        for row in readme.lines().filter(|l| l.starts_with("| `CSCMS_")) {
            let cells: Vec<&str> = row.split(" | ").collect();
            let name = cells[0].trim_start_matches("| ").trim_matches('`');
            assert!(
                table.insert(name, normal(cells[1])).is_none(),
                "{name} twice in the README"
            );
        }
        assert_eq!(table.len(), VARIABLES.len(), "README: {:?}", table.keys());
        // And every variable this file reads is in the list.
        let source = include_str!("config.rs");
        let code = source.split("#[cfg(test)]").next().unwrap_or(source);
        let read: std::collections::BTreeSet<&str> = code
            .split('"')
            .filter(|t| {
                t.starts_with("CSCMS_") && t.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            })
            .collect();
        let listed: std::collections::BTreeSet<&str> = VARIABLES.iter().map(|v| v.0).collect();
        assert_eq!(read, listed, "the variables read and those listed");
        for (name, default, _) in VARIABLES {
            assert_eq!(
                table.get(name),
                Some(&normal(default)),
                "{name}: the README's default"
            );
        }
    }
}
