//! The service's own ES256 signing keys, which sign the access tokens of
//! integration clients (RFC 9068) and are published at
//! `/.well-known/jwks.json`.
//!
//! Three PKCS#8 PEM files in one directory (0700, files 0600):
//! `active.pem` signs; `next.pem` is published before it signs, so a
//! verifier that fetched the JWK Set before a rotation already knows it;
//! `retired.pem`, the key active before the last rotation, stays published
//! until the last token it signed has expired. Every instance reads the same
//! files (the embedded default keeps them next to the SQLite database) and
//! looks again when they change, so a rotation (`cscms keys rotate`) needs no
//! restart and fails no request.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use p256::SecretKey;
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use cscms_domain::client::ACCESS_TOKEN_TTL_SECS;

const ACTIVE: &str = "active.pem";
const NEXT: &str = "next.pem";
const RETIRED: &str = "retired.pem";

/// How often an instance looks at the key files for a rotation.
const RECHECK: Duration = Duration::from_secs(2);

/// A public key as verifiers know it.
#[derive(Clone)]
pub struct PublicKey {
    pub kid: String,
    pub decoding: DecodingKey,
    /// The RFC 7517 JWK.
    pub jwk: Value,
}

#[derive(Clone)]
struct SigningKey {
    encoding: EncodingKey,
    public: PublicKey,
}

#[derive(Clone)]
struct Keys {
    active: SigningKey,
    next: Option<PublicKey>,
    /// The previous active key and when it was retired.
    retired: Option<(PublicKey, SystemTime)>,
    /// What the files looked like when read (modification times).
    stamp: Vec<Option<SystemTime>>,
}

/// The key ring of one instance.
pub struct KeyRing {
    /// `None`: keys held in memory only (tests, tools).
    dir: Option<PathBuf>,
    keys: RwLock<Keys>,
    checked: Mutex<Instant>,
    /// How long a retired key stays published: the token lifetime and the
    /// clock leeway of verifiers.
    keep_retired: Duration,
}

fn new_secret() -> Result<SecretKey, String> {
    // A uniformly random 32-byte string is a valid P-256 scalar except with
    // negligible probability; try again in that case.
    for _ in 0..8 {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        if let Ok(key) = SecretKey::from_slice(&bytes) {
            return Ok(key);
        }
    }
    Err("could not generate a P-256 key".into())
}

fn pem_of(key: &SecretKey) -> Result<String, String> {
    key.to_pkcs8_pem(LineEnding::LF)
        .map(|p| p.to_string())
        .map_err(|e| format!("encoding a signing key: {e}"))
}

/// The RFC 7517 JWK of an ES256 public key, with its RFC 7638 thumbprint as `kid`.
fn public_of(key: &SecretKey) -> Result<PublicKey, String> {
    let point = key.public_key().to_encoded_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        return Err("a signing key has no affine point".into());
    };
    let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
    // RFC 7638 §3.2: the required members, lexically ordered, no spaces.
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
    let decoding =
        DecodingKey::from_ec_components(&x, &y).map_err(|e| format!("public key: {e}"))?;
    Ok(PublicKey {
        jwk: json!({"kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": kid, "use": "sig", "alg": "ES256"}),
        kid,
        decoding,
    })
}

fn signing_of(key: &SecretKey) -> Result<SigningKey, String> {
    let pem = pem_of(key)?;
    let encoding =
        EncodingKey::from_ec_pem(pem.as_bytes()).map_err(|e| format!("signing key: {e}"))?;
    Ok(SigningKey {
        encoding,
        public: public_of(key)?,
    })
}

fn read_key(path: &Path) -> Result<Option<SecretKey>, String> {
    read_text(path)?
        .map(|text| parse_key(path, &text))
        .transpose()
}

fn parse_key(path: &Path, text: &str) -> Result<SecretKey, String> {
    SecretKey::from_pkcs8_pem(text)
        .map_err(|e| format!("{}: not a PKCS#8 P-256 key: {e}", path.display()))
}

pub(crate) fn read_text(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// How a key file is written.
#[derive(Clone, Copy)]
pub(crate) enum Placing {
    /// In place of the file there (a rotation).
    Replace,
    /// Only if there is none: of instances starting together on a fresh
    /// directory, the first to write a file wins and the others read it.
    IfAbsent,
}

/// Writes a key file readable by its owner only, atomically (a reader sees
/// the old file or the new, never half of one), through a temporary file of
/// this writer's own. Returns `false` when `IfAbsent` found a file there.
pub(crate) fn write_file(dir: &Path, name: &str, text: &str, how: Placing) -> Result<bool, String> {
    let tmp = dir.join(format!(
        ".{name}.{}.{:016x}.tmp",
        std::process::id(),
        rand::rng().next_u64()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(&tmp)
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    let target = dir.join(name);
    let placed = match how {
        Placing::Replace => std::fs::rename(&tmp, &target).map(|()| true),
        // A hard link, unlike a rename, never replaces a file there.
        Placing::IfAbsent => match std::fs::hard_link(&tmp, &target) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        },
    };
    let _ = std::fs::remove_file(&tmp);
    placed.map_err(|e| format!("{}: {e}", target.display()))
}

/// The key in `dir/name`, made there if there is none.
fn read_or_make(dir: &Path, name: &str) -> Result<SecretKey, String> {
    let text = text_or_make(dir, name, || pem_of(&new_secret()?))?;
    parse_key(&dir.join(name), &text)
}

/// The text of the key file `dir/name`; if there is none, `make`'s is
/// written there first. Of instances starting together on a fresh
/// directory, the first to write wins and the others read its file.
pub(crate) fn text_or_make(
    dir: &Path,
    name: &str,
    make: impl FnOnce() -> Result<String, String>,
) -> Result<String, String> {
    ensure_dir(dir)?;
    let path = dir.join(name);
    if let Some(text) = read_text(&path)? {
        return Ok(text);
    }
    let text = make()?;
    if write_file(dir, name, &text, Placing::IfAbsent)? {
        return Ok(text);
    }
    read_text(&path)?.ok_or_else(|| format!("{}: vanished while starting", path.display()))
}

fn ensure_dir(dir: &Path) -> Result<(), String> {
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    Ok(())
}

fn stamp(dir: &Path) -> Vec<Option<SystemTime>> {
    [ACTIVE, NEXT, RETIRED]
        .iter()
        .map(|f| {
            std::fs::metadata(dir.join(f))
                .and_then(|m| m.modified())
                .ok()
        })
        .collect()
}

/// Reads the key files, creating the active and next keys on first start.
fn load(dir: &Path) -> Result<Keys, String> {
    ensure_dir(dir)?;
    let active = read_or_make(dir, ACTIVE)?;
    let next = read_or_make(dir, NEXT)?;
    let retired = match read_key(&dir.join(RETIRED))? {
        Some(k) => {
            let at = std::fs::metadata(dir.join(RETIRED))
                .and_then(|m| m.modified())
                .map_err(|e| format!("{RETIRED}: {e}"))?;
            Some((public_of(&k)?, at))
        }
        None => None,
    };
    Ok(Keys {
        active: signing_of(&active)?,
        next: Some(public_of(&next)?),
        retired,
        stamp: stamp(dir),
    })
}

/// Rotates the keys in `dir`: the active key is retired, the next one
/// becomes active (it has been published since the last rotation) and a new
/// next key is made. Returns the new active key's `kid`.
pub fn rotate(dir: &Path) -> Result<String, String> {
    ensure_dir(dir)?;
    let active = read_key(&dir.join(ACTIVE))?;
    let next = match read_key(&dir.join(NEXT))? {
        Some(k) => k,
        None => new_secret()?,
    };
    // Retired is written anew, so its modification time is the rotation's.
    if let Some(active) = &active {
        write_file(dir, RETIRED, &pem_of(active)?, Placing::Replace)?;
    }
    write_file(dir, ACTIVE, &pem_of(&next)?, Placing::Replace)?;
    write_file(dir, NEXT, &pem_of(&new_secret()?)?, Placing::Replace)?;
    Ok(public_of(&next)?.kid)
}

impl KeyRing {
    /// The key ring kept in `dir`, created there on first start.
    pub fn open(dir: &Path, leeway_secs: u64) -> Result<Self, String> {
        Ok(Self {
            keys: RwLock::new(load(dir)?),
            dir: Some(dir.to_path_buf()),
            checked: Mutex::new(Instant::now()),
            keep_retired: Duration::from_secs(ACCESS_TOKEN_TTL_SECS + leeway_secs),
        })
    }

    /// Keys generated in memory for this process only (tests and tools).
    pub fn ephemeral() -> Result<Self, String> {
        Ok(Self {
            keys: RwLock::new(Keys {
                active: signing_of(&new_secret()?)?,
                next: Some(public_of(&new_secret()?)?),
                retired: None,
                stamp: Vec::new(),
            }),
            dir: None,
            checked: Mutex::new(Instant::now()),
            keep_retired: Duration::from_secs(ACCESS_TOKEN_TTL_SECS),
        })
    }

    /// Looks at the files again if a while has passed (or `now` is set),
    /// and reloads them if they changed. A failed reload keeps the keys in
    /// hand and is logged: a half-written rotation must not stop signing.
    pub fn refresh(&self, force: bool) {
        let Some(dir) = &self.dir else { return };
        if let Ok(mut checked) = self.checked.lock() {
            if !force && checked.elapsed() < RECHECK {
                return;
            }
            *checked = Instant::now();
        }
        let current = stamp(dir);
        let unchanged = self
            .keys
            .read()
            .map(|k| k.stamp == current)
            .unwrap_or(false);
        if unchanged {
            return;
        }
        match load(dir) {
            Ok(keys) => {
                if let Ok(mut k) = self.keys.write() {
                    *k = keys;
                }
            }
            Err(e) => log::error!("signing keys: keeping the keys in hand: {e}"),
        }
    }

    fn snapshot(&self) -> Result<Keys, String> {
        self.keys
            .read()
            .map(|k| k.clone())
            .map_err(|_| "signing keys unavailable".to_owned())
    }

    /// The active key: its `kid` and encoding key.
    pub fn signer(&self) -> Result<(String, EncodingKey), String> {
        self.refresh(false);
        let k = self.snapshot()?;
        Ok((k.active.public.kid, k.active.encoding))
    }

    /// The published key with this `kid`, if any (looking at the files
    /// again at once when the kid is not known: another instance may have
    /// rotated).
    pub fn verifying(&self, kid: &str) -> Option<PublicKey> {
        self.refresh(false);
        let find = |k: &Keys| {
            std::iter::once(&k.active.public)
                .chain(k.next.as_ref())
                .chain(k.retired.as_ref().map(|(p, _)| p))
                .find(|p| p.kid == kid)
                .cloned()
        };
        let keys = self.snapshot().ok()?;
        find(&keys).or_else(|| {
            self.refresh(true);
            self.snapshot().ok().and_then(|k| find(&k))
        })
    }

    /// The JWK Set to publish: active, next, and the retired key while
    /// tokens it signed may still be in use.
    pub fn jwks(&self) -> Value {
        self.refresh(false);
        let Ok(k) = self.snapshot() else {
            return json!({"keys": []});
        };
        let retired = k
            .retired
            .as_ref()
            .filter(|(_, at)| at.elapsed().map_or(true, |age| age < self.keep_retired));
        let keys: Vec<&Value> = std::iter::once(&k.active.public.jwk)
            .chain(k.next.as_ref().map(|p| &p.jwk))
            .chain(retired.map(|(p, _)| &p.jwk))
            .collect();
        json!({ "keys": keys })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_start_makes_two_keys_private_to_their_owner() {
        let dir = tempfile::tempdir().unwrap();
        let ring = KeyRing::open(&dir.path().join("keys"), 30).unwrap();
        let jwks = ring.jwks();
        assert_eq!(jwks["keys"].as_array().unwrap().len(), 2, "active and next");
        #[cfg(unix)]
        for f in [ACTIVE, NEXT] {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("keys").join(f))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
        // Opened again, the same keys.
        let again = KeyRing::open(&dir.path().join("keys"), 30).unwrap();
        assert_eq!(again.jwks(), jwks);
    }

    #[test]
    fn instances_starting_together_agree_on_one_key_ring() {
        // Several instances started at once on a fresh embedded database
        // each find no keys and make their own; one set must win, and every
        // instance must sign and publish with it.
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let keys = dir.path().join("signing-keys");
            let start = std::sync::Barrier::new(6);
            let rings: Vec<Result<KeyRing, String>> = std::thread::scope(|s| {
                let started: Vec<_> = (0..6)
                    .map(|_| {
                        s.spawn(|| {
                            start.wait();
                            KeyRing::open(&keys, 30)
                        })
                    })
                    .collect();
                started.into_iter().map(|t| t.join().unwrap()).collect()
            });
            let on_disk = KeyRing::open(&keys, 30).unwrap().jwks();
            for ring in rings {
                let ring = ring.expect("every instance starts");
                assert_eq!(ring.jwks(), on_disk, "each instance has the keys on disk");
            }
        }
    }

    #[test]
    fn rotation_promotes_the_published_next_key_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let ring = KeyRing::open(dir.path(), 30).unwrap();
        let (old, _) = ring.signer().unwrap();
        let next = ring.jwks()["keys"][1]["kid"].as_str().unwrap().to_owned();
        let promoted = rotate(dir.path()).unwrap();
        assert_eq!(
            promoted, next,
            "the key that signs next was published before"
        );
        ring.refresh(true);
        assert_eq!(ring.signer().unwrap().0, next);
        let kids: Vec<String> = ring.jwks()["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(kids.len(), 3);
        assert!(kids.contains(&old), "the retired key stays published");
        assert!(ring.verifying(&old).is_some());
    }
}
