//! Verification codes of prints (PRF-5): each print carries a short code,
//! derived from an HMAC-SHA256 signature over the document's identity, its
//! version and the print time, and recorded in the database. An office that
//! receives a paper copy asks `GET /v1/prints/{code}` whether it was issued
//! and whether it is still the current version. The database is the
//! authority; the key only makes codes impossible to guess.

use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use cscms_domain::principal::Principal;
use cscms_store::prints::PrintRow;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::ApiError;
use crate::state::AppState;

/// Crockford's base 32: no I, L, O or U, so a code read off paper is
/// typed back unambiguously.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 12 characters of 5 bits: 60 bits of the signature.
const LEN: usize = 12;

/// Signs prints with a key of its own.
pub struct Signer {
    key: [u8; 32],
}

impl Signer {
    /// A signer with a fresh random key.
    pub fn random() -> Self {
        Self {
            key: rand::random(),
        }
    }

    /// The code of a print, e.g. `7GQ4-M2KD-9XRA`. The nonce tells apart two
    /// prints of one version within the same second.
    pub fn code(
        &self,
        document: &str,
        reference: &str,
        version: i64,
        at: DateTime<Utc>,
        nonce: u64,
    ) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(m) => m,
            // HMAC accepts keys of any length.
            Err(_) => return String::new(),
        };
        mac.update(
            format!(
                "{document}\n{reference}\n{version}\n{}\n{nonce}",
                at.to_rfc3339()
            )
            .as_bytes(),
        );
        let digest = mac.finalize().into_bytes();
        let mut bits: u128 = 0;
        for b in digest.iter().take(16) {
            bits = (bits << 8) | u128::from(*b);
        }
        let chars: String = (0..LEN)
            .map(|i| {
                let idx = ((bits >> (128 - 5 * (i + 1))) & 0x1f) as usize;
                char::from(ALPHABET[idx])
            })
            .collect();
        group(&chars)
    }
}

/// The print desk of one server: its signer. Public look-ups of codes are
/// limited per client address by the rate limiter (`crate::ratelimit`,
/// policy `address`): the codes are unguessable, so the limit only keeps
/// the endpoint from being hammered.
pub struct PrintDesk {
    signer: Signer,
}

impl Default for PrintDesk {
    fn default() -> Self {
        Self {
            signer: Signer::random(),
        }
    }
}

/// A print recorded in the register.
pub struct Issued {
    pub code: String,
    pub at: DateTime<Utc>,
}

/// Records a print of `document` `reference` at `version` and returns its
/// code, for the print to carry. For a `HEAD` (`req`) nothing is recorded:
/// HEAD is safe (RFC 9110 §9.2.1) and the print is never delivered, so its
/// code, made all the same for the print to have its length, verifies
/// nothing.
pub async fn issue(
    state: &AppState,
    who: &Principal,
    req: &HttpRequest,
    (document, reference, version): (&'static str, &str, i64),
) -> Result<Issued, ApiError> {
    // Whole seconds: what the register stores is what the code signs.
    let now = Utc::now();
    let at = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let code = state
        .prints
        .signer
        .code(document, reference, version, at, rand::random());
    if crate::http_cache::is_head(req) {
        return Ok(Issued { code, at });
    }
    let row = PrintRow {
        code: code.clone(),
        document: document.to_owned(),
        reference: reference.to_owned(),
        version,
        printed_at: at.naive_utc(),
        printed_by: who.sub.clone(),
    };
    state
        .db(move |c| cscms_store::prints::record(c, &row))
        .await?;
    Ok(Issued { code, at })
}

fn group(chars: &str) -> String {
    chars
        .as_bytes()
        .chunks(4)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed by a person: case, spaces and hyphens do not matter, and
/// the letters Crockford's alphabet reads as digits (O, I, L) are accepted.
/// `None` for anything that cannot be a code.
pub fn normalise(input: &str) -> Option<String> {
    let mut out = String::with_capacity(LEN);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    (out.len() == LEN).then(|| group(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_depend_on_every_part_and_read_back() {
        let s = Signer::random();
        let at = Utc::now();
        let code = s.code("profile", "CSS-000001", 3, at, 7);
        assert_eq!(code.len(), 14);
        assert_eq!(
            normalise(&code.to_lowercase().replace('-', " ")),
            Some(code.clone())
        );
        assert_eq!(code, s.code("profile", "CSS-000001", 3, at, 7));
        assert_ne!(code, s.code("profile", "CSS-000001", 4, at, 7));
        assert_ne!(code, s.code("profile", "CSS-000002", 3, at, 7));
        assert_ne!(code, s.code("ipr", "CSS-000001", 3, at, 7));
        assert_ne!(code, s.code("profile", "CSS-000001", 3, at, 8));
        assert_ne!(
            code,
            Signer::random().code("profile", "CSS-000001", 3, at, 7)
        );
    }

    #[test]
    fn what_cannot_be_a_code_is_refused() {
        assert_eq!(normalise("ABC"), None);
        assert_eq!(
            normalise("ABCD-EFGH-JKMU"),
            None,
            "U is not in the alphabet"
        );
        assert_eq!(
            normalise("abcd-efgh-jkmo").as_deref(),
            Some("ABCD-EFGH-JKM0")
        );
    }
}
