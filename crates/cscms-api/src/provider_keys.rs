//! The identity provider's (e-Parichay's) public keys as a JWK Set file,
//! several keys chosen by `kid`, read again when the file changes so the
//! provider can rotate its keys without a restart of CSCMS.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};

/// How often the file is looked at for a change.
const RECHECK: Duration = Duration::from_secs(2);

struct Keys {
    by_kid: HashMap<String, (Algorithm, DecodingKey)>,
    modified: Option<SystemTime>,
}

pub struct ProviderKeys {
    path: PathBuf,
    keys: RwLock<Keys>,
    checked: Mutex<Instant>,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The keys of the file: RSA (RS256) and EC P-256 (ES256) keys with a `kid`.
fn read(path: &Path) -> Result<Keys, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let set: JwkSet = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a JWK Set: {e}", path.display()))?;
    let mut by_kid = HashMap::new();
    for jwk in &set.keys {
        let alg = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => Algorithm::RS256,
            AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
                Algorithm::ES256
            }
            _ => continue,
        };
        let (Some(kid), Ok(key)) = (&jwk.common.key_id, DecodingKey::from_jwk(jwk)) else {
            continue;
        };
        by_kid.insert(kid.clone(), (alg, key));
    }
    if by_kid.is_empty() {
        return Err(format!(
            "{}: no RS256 or ES256 key with a kid",
            path.display()
        ));
    }
    Ok(Keys {
        by_kid,
        modified: modified(path),
    })
}

impl ProviderKeys {
    pub fn open(path: &Path) -> Result<Self, String> {
        Ok(Self {
            keys: RwLock::new(read(path)?),
            path: path.to_path_buf(),
            checked: Mutex::new(Instant::now()),
        })
    }

    /// Reads the file again if it changed (looked at every few seconds, or
    /// at once when `force`). A file that no longer reads keeps the keys in hand.
    fn refresh(&self, force: bool) {
        if let Ok(mut checked) = self.checked.lock() {
            if !force && checked.elapsed() < RECHECK {
                return;
            }
            *checked = Instant::now();
        }
        let now = modified(&self.path);
        if self.keys.read().map(|k| k.modified == now).unwrap_or(false) {
            return;
        }
        match read(&self.path) {
            Ok(keys) => {
                if let Ok(mut k) = self.keys.write() {
                    *k = keys;
                }
            }
            Err(e) => log::error!("identity provider keys: keeping the keys in hand: {e}"),
        }
    }

    /// The key named `kid`, with the one algorithm it verifies.
    pub fn get(&self, kid: &str) -> Option<(Algorithm, DecodingKey)> {
        self.refresh(false);
        let find = |s: &Self| s.keys.read().ok()?.by_kid.get(kid).cloned();
        find(self).or_else(|| {
            // A kid not seen yet: the provider may have just published it.
            self.refresh(true);
            find(self)
        })
    }
}
