//! Integration clients (INT-1, INT-2): the portals that call the API as
//! machines, what they may ask for, and the rules of the OAuth 2.0 client
//! credentials grant they obtain tokens with (RFC 6749 §4.4, RFC 7523,
//! RFC 9068). Pure rules; the keys, hashes and records live elsewhere.

use crate::employee::string_enum;
use crate::principal::scopes;

string_enum!(
    /// The portal a client belongs to (SPEC §0).
    Portal, "portal" {
        Sparrow = "sparrow",
        Pfms = "pfms",
        Eis = "eis",
        Ehrms = "ehrms",
        Igot = "igot",
        Other = "other",
    }
);

string_enum!(
    /// How a client proves who it is at the token endpoint: `private_key_jwt`
    /// (RFC 7523, a JWT signed with a key of its registered JWK Set) or
    /// `client_secret_basic` (RFC 6749 §2.3.1, HTTP Basic with a secret; development).
    AuthMethod, "authentication method" {
        PrivateKeyJwt = "private_key_jwt",
        ClientSecretBasic = "client_secret_basic",
    }
);

string_enum!(
    /// Whether a client may obtain and use tokens.
    ClientStatus, "client status" {
        Active = "active",
        Suspended = "suspended",
    }
);

/// The longest a client assertion may be valid ahead (RFC 7523 §3: the
/// server may refuse long-lived assertions): five minutes.
pub const MAX_ASSERTION_LIFETIME_SECS: u64 = 300;

/// The lifetime of an access token the service issues: fifteen minutes
/// (RFC 9068 tokens cannot be recalled once issued, so they are short).
pub const ACCESS_TOKEN_TTL_SECS: u64 = 900;

/// The type a client assertion is sent as (RFC 7523 §2.2).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Whether `name` is a scope integration clients can be granted.
pub fn is_known_scope(name: &str) -> bool {
    scopes::ALL.iter().any(|(s, _)| *s == name)
}

/// Why an item of the scopes a client is registered for is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisteredScopeRefusal {
    /// Item `at` is not a scope of the API.
    Unknown { at: usize },
    /// Item `at` repeats item `first`: each scope is named once.
    Repeated { at: usize, first: usize },
}

/// Checks the scopes a client is registered for (INT-2: scoped machine
/// credentials): each a scope of the API, and named once. Every item
/// refused, in order.
pub fn check_registered_scopes(items: &[String]) -> Vec<RegisteredScopeRefusal> {
    items
        .iter()
        .enumerate()
        .filter_map(|(at, s)| {
            if !is_known_scope(s) {
                Some(RegisteredScopeRefusal::Unknown { at })
            } else {
                items[..at]
                    .iter()
                    .position(|earlier| earlier == s)
                    .map(|first| RegisteredScopeRefusal::Repeated { at, first })
            }
        })
        .collect()
}

/// Why a token request's scope cannot be granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeRefusal {
    /// The request names a scope the client was not registered for.
    NotAllowed(String),
    /// The request's `scope` parameter is not a space-separated list of names.
    Malformed,
}

/// The scopes to grant: those requested (RFC 6749 §3.3, space-separated),
/// which must all be among the client's allowed ones; all the allowed ones
/// when none is requested. Sorted, without repeats.
pub fn grant_scopes(
    requested: Option<&str>,
    allowed: &[String],
) -> Result<Vec<String>, ScopeRefusal> {
    let mut granted: Vec<String> = match requested {
        None => allowed.to_vec(),
        Some(raw) => {
            // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.
            if raw.is_empty()
                || raw.split(' ').any(|s| {
                    s.is_empty()
                        || !s.bytes().all(|b| {
                            b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b)
                        })
                })
            {
                return Err(ScopeRefusal::Malformed);
            }
            let mut out = Vec::new();
            for s in raw.split(' ') {
                if !allowed.iter().any(|a| a == s) {
                    return Err(ScopeRefusal::NotAllowed(s.to_owned()));
                }
                out.push(s.to_owned());
            }
            out
        }
    };
    granted.sort();
    granted.dedup();
    Ok(granted)
}

/// Why a client assertion's claims are refused (RFC 7523 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssertionRefusal {
    /// `iss` and `sub` must both be the client id.
    NotTheClient,
    /// `exp` is in the past (beyond the leeway).
    Expired,
    /// `exp` is further ahead than [`MAX_ASSERTION_LIFETIME_SECS`].
    TooLongLived,
    /// `nbf` or `iat` lie in the future (beyond the leeway).
    NotYetValid,
    /// No `jti`, so a replay could not be told apart.
    NoJti,
}

impl AssertionRefusal {
    pub fn describe(&self) -> &'static str {
        match self {
            AssertionRefusal::NotTheClient => {
                "the assertion's iss and sub must both be the client_id"
            }
            AssertionRefusal::Expired => "the assertion has expired",
            AssertionRefusal::TooLongLived => "the assertion's exp is more than 5 minutes ahead",
            AssertionRefusal::NotYetValid => "the assertion is not valid yet",
            AssertionRefusal::NoJti => "the assertion has no jti",
        }
    }
}

/// The time claims and identity of a client assertion, once its signature
/// and audience have been checked.
#[derive(Debug, Clone)]
pub struct AssertionClaims<'a> {
    pub iss: &'a str,
    pub sub: &'a str,
    pub exp: u64,
    pub nbf: Option<u64>,
    pub iat: Option<u64>,
    pub jti: Option<&'a str>,
}

/// RFC 7523 §3 checks of an assertion by `client_id` at `now` (seconds).
pub fn check_assertion(
    claims: &AssertionClaims<'_>,
    client_id: &str,
    now: u64,
    leeway: u64,
) -> Result<(), AssertionRefusal> {
    if claims.iss != client_id || claims.sub != client_id {
        return Err(AssertionRefusal::NotTheClient);
    }
    if claims.exp.saturating_add(leeway) < now {
        return Err(AssertionRefusal::Expired);
    }
    if claims.exp > now.saturating_add(MAX_ASSERTION_LIFETIME_SECS + leeway) {
        return Err(AssertionRefusal::TooLongLived);
    }
    let future = |t: Option<u64>| t.is_some_and(|t| t > now.saturating_add(leeway));
    if future(claims.nbf) || future(claims.iat) {
        return Err(AssertionRefusal::NotYetValid);
    }
    if claims.jti.is_none_or(|j| j.trim().is_empty()) {
        return Err(AssertionRefusal::NoJti);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        vec![scopes::APAR_WRITE.into(), scopes::EMPLOYEES_READ.into()]
    }

    #[test]
    fn a_client_is_registered_for_known_scopes_each_named_once() {
        let items = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(check_registered_scopes(&items(&["apar:write", "employees:read"])).is_empty());
        assert_eq!(
            check_registered_scopes(&items(&[
                "apar:write",
                "employees:read",
                "apar:write",
                "nonsense",
                "apar:write"
            ])),
            vec![
                RegisteredScopeRefusal::Repeated { at: 2, first: 0 },
                RegisteredScopeRefusal::Unknown { at: 3 },
                RegisteredScopeRefusal::Repeated { at: 4, first: 0 },
            ]
        );
    }

    #[test]
    fn a_request_grants_at_most_what_was_registered() {
        assert_eq!(grant_scopes(None, &allowed()).unwrap().len(), 2);
        assert_eq!(
            grant_scopes(Some("apar:write"), &allowed()).unwrap(),
            vec!["apar:write".to_owned()]
        );
        assert_eq!(
            grant_scopes(Some("apar:write apar:read"), &allowed()),
            Err(ScopeRefusal::NotAllowed("apar:read".into()))
        );
        for bad in ["", "apar:write  employees:read", "a\"b", " apar:write"] {
            assert_eq!(
                grant_scopes(Some(bad), &allowed()),
                Err(ScopeRefusal::Malformed),
                "{bad:?}"
            );
        }
        assert!(is_known_scope("apar:write") && !is_known_scope("admin"));
    }

    #[test]
    fn assertion_claims_by_rfc_7523() {
        let now = 1_800_000_000;
        let ok = AssertionClaims {
            iss: "sparrow-1",
            sub: "sparrow-1",
            exp: now + 60,
            nbf: None,
            iat: Some(now),
            jti: Some("a"),
        };
        assert_eq!(check_assertion(&ok, "sparrow-1", now, 30), Ok(()));
        let cases = [
            (
                AssertionClaims {
                    sub: "other",
                    ..ok.clone()
                },
                AssertionRefusal::NotTheClient,
            ),
            (
                AssertionClaims {
                    exp: now - 31,
                    ..ok.clone()
                },
                AssertionRefusal::Expired,
            ),
            (
                AssertionClaims {
                    exp: now + 331,
                    ..ok.clone()
                },
                AssertionRefusal::TooLongLived,
            ),
            (
                AssertionClaims {
                    iat: Some(now + 60),
                    ..ok.clone()
                },
                AssertionRefusal::NotYetValid,
            ),
            (
                AssertionClaims {
                    jti: None,
                    ..ok.clone()
                },
                AssertionRefusal::NoJti,
            ),
        ];
        for (claims, refusal) in cases {
            assert_eq!(check_assertion(&claims, "sparrow-1", now, 30), Err(refusal));
        }
        // Five minutes ahead is the limit, inclusive.
        let edge = AssertionClaims {
            exp: now + 300,
            ..ok
        };
        assert_eq!(check_assertion(&edge, "sparrow-1", now, 0), Ok(()));
    }
}
