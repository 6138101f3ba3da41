//! Webhook secrets sealed at rest (INT-2). A receiver trusts a message
//! signed with its subscription's secret, so the service must keep the
//! secret itself, not a hash of it (client secrets are hashes). It keeps it
//! sealed: XChaCha20-Poly1305 under a 32-byte key of its own, in
//! `seal.key` beside the signing keys (the same directory every instance
//! reads, made on first start), so a copy of the database or of a backup
//! cannot sign a message.
//!
//! A sealed secret reads `sealed:v1:{kid}:{nonce and ciphertext, base64url}`;
//! `kid` (the first 4 bytes of the key's SHA-256, in hex) names the key it
//! was sealed under. `cscms keys rotate-seal` makes a new `seal.key`, keeps
//! the one before as `seal-retired.key` and seals every secret again under
//! the new key; a running instance that meets a key it does not hold reads
//! the files again first, so a rotation stops no delivery.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use cscms_store::webhooks::{self as queue, SealedSecret};
use cscms_store::{DbConn, StoreError};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::keys::Placing;

/// The key that seals, in the key directory.
pub const KEY_FILE: &str = "seal.key";
/// The key before the last rotation: it still opens what it sealed.
pub const RETIRED_FILE: &str = "seal-retired.key";

const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 24;
/// Binds a sealed value to its use: a value sealed under this key for
/// anything else does not open as a webhook secret.
const AAD: &[u8] = b"cscms webhook secret";

struct SealKey {
    kid: String,
    cipher: XChaCha20Poly1305,
}

impl SealKey {
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

    fn read(path: &Path, text: &str) -> Result<Self, String> {
        let bytes: [u8; 32] = STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| format!("{}: not a 32-byte key in base64", path.display()))?;
        Ok(Self::of(bytes))
    }
}

struct SealKeys {
    current: SealKey,
    retired: Option<SealKey>,
}

impl SealKeys {
    fn load(dir: &Path) -> Result<Self, String> {
        let current = crate::keys::text_or_make(dir, KEY_FILE, || Ok(new_key_text()))?;
        let retired_path = dir.join(RETIRED_FILE);
        Ok(Self {
            current: SealKey::read(&dir.join(KEY_FILE), &current)?,
            retired: crate::keys::read_text(&retired_path)?
                .map(|text| SealKey::read(&retired_path, &text))
                .transpose()?,
        })
    }

    fn by_kid(&self, kid: &str) -> Option<&SealKey> {
        std::iter::once(&self.current)
            .chain(&self.retired)
            .find(|k| k.kid == kid)
    }
}

/// The sealing keys of one instance.
pub struct Sealer {
    /// `None`: a key held in memory only (tests and tools).
    dir: Option<PathBuf>,
    keys: RwLock<Arc<SealKeys>>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer").field("kid", &self.kid()).finish()
    }
}

impl Sealer {
    /// The keys kept in `dir`, `seal.key` made there on first start (of
    /// instances starting together, the first to write it wins).
    pub fn open(dir: &Path) -> Result<Self, String> {
        Ok(Self {
            keys: RwLock::new(Arc::new(SealKeys::load(dir)?)),
            dir: Some(dir.to_path_buf()),
        })
    }

    /// A key for this process only (tests and tools): what it seals opens
    /// nowhere else.
    pub fn ephemeral() -> Self {
        Self {
            keys: RwLock::new(Arc::new(SealKeys {
                current: SealKey::of(random::<32>()),
                retired: None,
            })),
            dir: None,
        }
    }

    fn keys(&self) -> Arc<SealKeys> {
        self.keys
            .read()
            .map_or_else(|poisoned| poisoned.into_inner().clone(), |k| k.clone())
    }

    /// The id of the key that seals.
    pub fn kid(&self) -> String {
        self.keys().current.kid.clone()
    }

    /// `secret` sealed under the current key, with a nonce of its own.
    pub fn seal(&self, secret: &str) -> Result<SealedSecret, String> {
        let keys = self.keys();
        let nonce = random::<NONCE_LEN>();
        let sealed = keys
            .current
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
            keys.current.kid,
            URL_SAFE_NO_PAD.encode(bytes)
        )))
    }

    /// The secret `sealed` keeps. A secret kept in the clear (`whsec_`,
    /// written before secrets were sealed and not yet sealed at start) is
    /// itself. A key this instance does not hold sends it to the files
    /// first: another process may have rotated them.
    pub fn open_secret(&self, sealed: &SealedSecret) -> Result<String, String> {
        let text = sealed.as_str();
        if text.starts_with(super::sign::PREFIX) {
            return Ok(text.to_owned());
        }
        let (kid, body) = text
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .ok_or("the stored secret is neither sealed nor a whsec_ secret")?;
        let mut keys = self.keys();
        if keys.by_kid(kid).is_none() {
            if let Some(dir) = &self.dir {
                match SealKeys::load(dir) {
                    Ok(fresh) => {
                        keys = Arc::new(fresh);
                        if let Ok(mut held) = self.keys.write() {
                            *held = keys.clone();
                        }
                    }
                    Err(e) => log::error!("reading the sealing keys: {e}"),
                }
            }
        }
        let key = keys.by_kid(kid).ok_or_else(|| {
            format!(
                "the stored secret was sealed with key {kid}; this instance holds {} ({KEY_FILE}, {RETIRED_FILE})",
                std::iter::once(&keys.current)
                    .chain(&keys.retired)
                    .map(|k| k.kid.as_str())
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        })?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .ok()
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or("the stored secret's sealed text is damaged")?;
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce
            .try_into()
            .map_err(|_| "the stored secret's sealed text is damaged")?;
        let opened = key
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: AAD,
                },
            )
            .map_err(|_| "the stored secret does not open with its key (damaged?)")?;
        String::from_utf8(opened).map_err(|_| "the stored secret is not text".to_owned())
    }

    /// `column` as it should be kept: sealed under the current key. `None`
    /// when it already is; an error when it does not open.
    fn resealed(&self, column: &str) -> Result<Option<SealedSecret>, String> {
        let current = format!("{PREFIX}{}:", self.kid());
        if column.starts_with(&current) {
            return Ok(None);
        }
        let secret = self.open_secret(&SealedSecret::new(column.to_owned()))?;
        self.seal(&secret).map(Some)
    }
}

/// What [`reseal`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Resealed {
    /// Subscriptions whose secrets are now sealed under the current key.
    pub sealed: usize,
    /// Subscriptions with a secret that does not open (its key is gone):
    /// their deliveries fail until the secret is rotated.
    pub unopened: Vec<i64>,
}

/// Seals under the current key every webhook secret kept in the clear
/// (written before secrets were sealed) or under the retired key, at start
/// and after a rotation. Instances doing it at once seal each row once: a
/// row is written only if it still holds what was read.
pub fn reseal(conn: &mut DbConn, sealer: &Sealer) -> Result<Resealed, StoreError> {
    let mut done = Resealed::default();
    for was in queue::all_secrets(conn)? {
        let columns = sealer.resealed(&was.secret).and_then(|secret| {
            let previous = was
                .previous_secret
                .as_deref()
                .map(|p| sealer.resealed(p))
                .transpose()?
                .flatten();
            Ok((secret, previous))
        });
        match columns {
            Ok((None, None)) => {}
            Ok((secret, previous)) => {
                let keep = |column: &str| SealedSecret::new(column.to_owned());
                let secret = secret.unwrap_or_else(|| keep(&was.secret));
                let previous = previous.or_else(|| was.previous_secret.as_deref().map(keep));
                if queue::seal_in_place(conn, &was, &secret, previous.as_ref())? {
                    done.sealed += 1;
                }
            }
            Err(e) => {
                log::error!("webhook subscription {}: {e}", was.id);
                done.unopened.push(was.id);
            }
        }
    }
    Ok(done)
}

/// Rotates the sealing key in `dir`: the current key becomes the retired
/// one and a new key seals. Returns the new key's id. What the key retired
/// before this one sealed no longer opens, so the caller seals everything
/// under the current key first ([`reseal`]) and again after.
pub fn rotate(dir: &Path) -> Result<String, String> {
    let current = crate::keys::text_or_make(dir, KEY_FILE, || Ok(new_key_text()))?;
    crate::keys::write_file(dir, RETIRED_FILE, &current, Placing::Replace)?;
    let next = new_key_text();
    crate::keys::write_file(dir, KEY_FILE, &next, Placing::Replace)?;
    Ok(SealKey::read(&dir.join(KEY_FILE), &next)?.kid)
}

/// The id of the key a sealed column was sealed under; `None` for a
/// secret in the clear.
pub fn kid_of(column: &str) -> Option<&str> {
    column
        .strip_prefix(PREFIX)?
        .split_once(':')
        .map(|(kid, _)| kid)
}

fn new_key_text() -> String {
    format!("{}\n", STANDARD.encode(random::<32>()))
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
        assert!(e.contains(&theirs.kid()) && e.contains(&ours.kid()), "{e}");

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
        assert_eq!(first.kid(), again.kid());
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

    #[test]
    fn after_a_rotation_both_keys_open_on_every_instance() {
        let dir = tempfile::tempdir().unwrap();
        let running = Sealer::open(dir.path()).unwrap();
        let before = running
            .seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap();
        let kid = rotate(dir.path()).unwrap();
        assert_ne!(kid, running.kid());
        // Another process seals under the new key; the running instance,
        // meeting a key it does not hold, reads the files again.
        let rotated = Sealer::open(dir.path()).unwrap();
        assert_eq!(rotated.kid(), kid);
        let after = rotated
            .seal("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0")
            .unwrap();
        assert_eq!(kid_of(after.as_str()), Some(kid.as_str()));
        assert_eq!(
            running.open_secret(&after).unwrap(),
            "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"
        );
        assert_eq!(
            running.kid(),
            kid,
            "it seals under the new key from then on"
        );
        assert_eq!(
            rotated.open_secret(&before).unwrap(),
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "the retired key still opens what it sealed"
        );
        // A second rotation retires the new key: the first no longer opens.
        rotate(dir.path()).unwrap();
        let e = Sealer::open(dir.path())
            .unwrap()
            .open_secret(&before)
            .unwrap_err();
        assert!(e.contains(RETIRED_FILE), "{e}");
    }
}
