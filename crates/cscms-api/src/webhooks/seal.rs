//! Webhook secrets sealed at rest (INT-2). A receiver trusts a message
//! signed with its subscription's secret, so the service must keep the
//! secret itself, not a hash of it (client secrets are hashes). It keeps it
//! sealed: XChaCha20-Poly1305 under a 32-byte key of its own, in
//! `seal.key` beside the signing keys (the same directory every instance
//! reads, made on first start), so a copy of the database or of a backup
//! cannot sign a message.
//!
//! A sealed secret reads `sealed:v1:{kid}:{nonce and ciphertext, base64url}`;
//! `kid` (the first 4 bytes of the key's SHA-256, in hex) names the key, so
//! an instance given another key says so instead of failing to verify.

use std::path::Path;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use cscms_store::webhooks::{self as queue, SealedSecret};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The key's file in the key directory.
pub const KEY_FILE: &str = "seal.key";

const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 24;
/// Binds a sealed value to its use: a value sealed under this key for
/// anything else does not open as a webhook secret.
const AAD: &[u8] = b"cscms webhook secret";

/// The sealing key of one instance.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
    kid: String,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer").field("kid", &self.kid).finish()
    }
}

impl Sealer {
    /// The key kept in `dir`, made there on first start (of instances
    /// starting together, the first to write it wins).
    pub fn open(dir: &Path) -> Result<Self, String> {
        let text = crate::keys::text_or_make(dir, KEY_FILE, || {
            Ok(format!("{}\n", STANDARD.encode(random::<32>())))
        })?;
        let bytes: [u8; 32] = STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                format!(
                    "{}: not a 32-byte key in base64",
                    dir.join(KEY_FILE).display()
                )
            })?;
        Ok(Self::of(bytes))
    }

    /// A key for this process only (tests and tools): what it seals opens
    /// nowhere else.
    pub fn ephemeral() -> Self {
        Self::of(random::<32>())
    }

    fn of(key: [u8; 32]) -> Self {
        let kid = Sha256::digest(key)[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self {
            cipher: XChaCha20Poly1305::new(&Key::from(key)),
            kid,
        }
    }

    /// `secret` sealed, with a nonce of its own.
    pub fn seal(&self, secret: &str) -> Result<SealedSecret, String> {
        let nonce = random::<NONCE_LEN>();
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: AAD,
                },
            )
            .map_err(|_| "sealing a webhook secret failed".to_owned())?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(SealedSecret::new(format!(
            "{PREFIX}{}:{}",
            self.kid,
            URL_SAFE_NO_PAD.encode(bytes)
        )))
    }

    /// The secret `sealed` keeps. A secret kept in the clear (`whsec_`,
    /// written before secrets were sealed and not yet sealed at start) is
    /// itself.
    pub fn open_secret(&self, sealed: &SealedSecret) -> Result<String, String> {
        let text = sealed.as_str();
        if text.starts_with(super::sign::PREFIX) {
            return Ok(text.to_owned());
        }
        let (kid, body) = text
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .ok_or("the stored secret is neither sealed nor a whsec_ secret")?;
        if kid != self.kid {
            return Err(format!(
                "the stored secret was sealed with key {kid}; this instance's {KEY_FILE} is key {}",
                self.kid
            ));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .ok()
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or("the stored secret's sealed text is damaged")?;
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce
            .try_into()
            .map_err(|_| "the stored secret's sealed text is damaged")?;
        let opened = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: AAD,
                },
            )
            .map_err(|_| "the stored secret does not open with this instance's key (damaged?)")?;
        String::from_utf8(opened).map_err(|_| "the stored secret is not text".to_owned())
    }
}

/// Seals every webhook secret still kept in the clear (written before
/// secrets were sealed), at start. Returns how many subscriptions it
/// sealed; instances starting together seal each one once.
pub async fn seal_the_clear(state: &crate::state::AppState) -> Result<usize, ApiError> {
    let rows = state.db(queue::unsealed).await?;
    let mut sealed = 0;
    for was in rows {
        let seal = |text: &str| {
            let secret = SealedSecret::new(text.to_owned());
            // A column already sealed stays as it is.
            if text.starts_with(super::sign::PREFIX) {
                state.sealer.seal(text)
            } else {
                Ok(secret)
            }
        };
        let secret = seal(&was.secret).map_err(ApiError::Internal)?;
        let previous = was
            .previous_secret
            .as_deref()
            .map(seal)
            .transpose()
            .map_err(ApiError::Internal)?;
        if state
            .db(move |c| queue::seal_in_place(c, &was, &secret, previous.as_ref()))
            .await?
        {
            sealed += 1;
        }
    }
    Ok(sealed)
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_to_itself_and_shows_nothing_of_it() {
        let sealer = Sealer::ephemeral();
        let secret = crate::webhooks::sign::new_secret();
        let (a, b) = (sealer.seal(&secret).unwrap(), sealer.seal(&secret).unwrap());
        assert!(a.as_str().starts_with(PREFIX), "{a:?}");
        assert_ne!(a, b, "each sealing has a nonce of its own");
        let key_part = secret.strip_prefix("whsec_").unwrap();
        assert!(!a.as_str().contains(key_part));
        assert_eq!(sealer.open_secret(&a).unwrap(), secret);
        assert_eq!(sealer.open_secret(&b).unwrap(), secret);
    }

    #[test]
    fn another_key_or_a_changed_byte_does_not_open() {
        let (ours, theirs) = (Sealer::ephemeral(), Sealer::ephemeral());
        let sealed = theirs
            .seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap();
        let e = ours.open_secret(&sealed).unwrap_err();
        assert!(e.contains(&theirs.kid) && e.contains(&ours.kid), "{e}");

        let text = ours.seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let text = text.as_str();
        let last = text.len() - 2;
        let flipped = if &text[last..=last] == "A" { "B" } else { "A" };
        let damaged = format!("{}{flipped}{}", &text[..last], &text[last + 1..]);
        assert!(ours.open_secret(&SealedSecret::new(damaged)).is_err());
        assert!(ours
            .open_secret(&SealedSecret::new("plain".into()))
            .is_err());
    }

    #[test]
    fn a_secret_kept_in_the_clear_is_itself() {
        let old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sealer = Sealer::ephemeral();
        assert_eq!(
            sealer.open_secret(&SealedSecret::new(old.into())).unwrap(),
            old
        );
    }

    #[test]
    fn the_key_is_made_once_private_to_its_owner_and_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let first = Sealer::open(dir.path()).unwrap();
        let sealed = first
            .seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap();
        let again = Sealer::open(dir.path()).unwrap();
        assert_eq!(first.kid, again.kid);
        assert_eq!(
            again.open_secret(&sealed).unwrap(),
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.path().join(KEY_FILE), "not a key\n").unwrap();
        assert!(Sealer::open(dir.path()).unwrap_err().contains(KEY_FILE));
    }
}
