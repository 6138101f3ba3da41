//! The `cscms` command: serve (default), migrate, token, seed-demo, recompute, openapi, keys.

use clap::{Parser, Subcommand};
use cscms_domain::principal::Role;

#[derive(Debug, Parser)]
#[command(name = "cscms", version, about = "CSCMS API server and tools")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (creates and migrates the database first).
    Serve {
        /// Print a sample curl line with a DoPT token once listening (local use).
        #[arg(long)]
        announce: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Mint a bearer token the server accepts (HS256 configurations only).
    Token {
        /// Role: employee (with --employee), nodal_officer or
        /// sub_nodal_officer (with --org), avd, dopt, integration (with --scope).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Subject; defaults to a name made from the role and anchor.
        #[arg(long)]
        sub: Option<String>,
        /// Employee code (role employee).
        #[arg(long)]
        employee: Option<String>,
        /// Organisation id (nodal and sub-nodal officers).
        #[arg(long)]
        org: Option<String>,
        /// Scope of an integration client; repeat for several.
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// Lifetime, e.g. 30m, 8h, 7d.
        #[arg(long, default_value = "8h", value_parser = humantime::parse_duration)]
        ttl: std::time::Duration,
    },
    /// Load demo data (idempotent): ministries, officers and employees.
    SeedDemo {
        /// Employees the demo should hold in all.
        #[arg(long, default_value_t = 200)]
        employees: usize,
        /// Do nothing if any employee exists.
        #[arg(long)]
        if_empty: bool,
    },
    /// Compute again what is kept derived from the records (each
    /// employee's MACP due dates), after a dated rule parameter changed.
    Recompute,
    /// Print the OpenAPI document.
    Openapi,
    /// The service's keys: the signing keys (access tokens of integration
    /// clients) and the key sealing webhook secrets.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Make the published next key the signing key, publish a new next key,
    /// and keep the previous one published until its last token expires.
    /// Running servers pick the change up within seconds.
    Rotate,
    /// Make a new key to seal webhook secrets with (seal.key), keep the
    /// one before as seal-retired.key, and seal every secret again under
    /// the new key. Running servers pick the new key up when they meet it.
    RotateSeal,
    /// Print the public JWK Set (as /.well-known/jwks.json serves it).
    Show,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|_| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("one of {}", all.join(", "))
    })
}
