//! Standard Webhooks 1.0 secrets and signatures (INT-2): a secret is
//! `whsec_` and the base64 of random bytes; a signature is `v1,` and the
//! base64 HMAC-SHA256, keyed with the secret's bytes, of
//! `{webhook-id}.{webhook-timestamp}.{body}`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub const PREFIX: &str = "whsec_";
/// Bytes of a new secret (the specification asks for 24 to 64).
const SECRET_BYTES: usize = 32;

/// A new secret, in the form given to the receiver.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    format!("{PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes of a secret; `None` if it is not one.
pub fn key(secret: &str) -> Option<Vec<u8>> {
    let bytes = STANDARD.decode(secret.strip_prefix(PREFIX)?).ok()?;
    (24..=64).contains(&bytes.len()).then_some(bytes)
}

/// `v1,` and the signature of a message with one secret.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(secret)?).ok()?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` header: one `v1,` entry per secret in use,
/// space-separated (the new secret first during a rotation's overlap).
pub fn header(secrets: &[&str], msg_id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let entries: Option<Vec<String>> = secrets
        .iter()
        .map(|s| sign(s, msg_id, timestamp, body))
        .collect();
    Some(entries?.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification and its
    /// reference libraries.
    #[test]
    fn the_specifications_example_signs_as_published() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sig = sign(
            secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            sig.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn secrets_are_whsec_and_32_random_bytes() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("whsec_"));
        assert_eq!(key(&a).map(|k| k.len()), Some(32));
        for bad in [
            "",
            "whsec_",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_!!!!",
            "whsec_c2hvcnQ=",
        ] {
            assert_eq!(key(bad), None, "{bad}");
        }
    }

    #[test]
    fn during_an_overlap_both_secrets_sign() {
        let (new, old) = (new_secret(), new_secret());
        let h = header(&[&new, &old], "msg_1", 1_700_000_000, b"{}").unwrap();
        let parts: Vec<&str> = h.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            Some(parts[0].to_owned()),
            sign(&new, "msg_1", 1_700_000_000, b"{}")
        );
        assert_eq!(
            Some(parts[1].to_owned()),
            sign(&old, "msg_1", 1_700_000_000, b"{}")
        );
        assert_ne!(parts[0], parts[1]);
    }
}
