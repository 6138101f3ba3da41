//! PRF-3: who is in position against an organisation's posts, and the
//! validator that names its working strength as read.
//!
//! The working strength shows two things: the sanctioned entries, versioned
//! as the nodal officer enters them, and the employees in position, counted
//! when read; every joining, leaving, move or promotion changes those
//! without touching the version. Its tag names both, so a copy a client
//! keeps is revalidated (and a write based on it refused) when either moves.

use std::collections::BTreeMap;
use std::fmt;

use crate::cadre::{self, Cadre};
use crate::profile::FINAL_MARK;

/// Employees in position per post: (cadre, functional grade) → how many. An
/// officer in a non-functional scale holds a post of the functional grade
/// (`SO_NFS` under `SO`): the scale has no posts of its own.
pub fn in_position_by_post<'a>(
    counts: impl IntoIterator<Item = &'a (Cadre, String, i64)>,
) -> BTreeMap<(&'static str, String), i64> {
    let mut by_post = BTreeMap::new();
    for (c, grade, n) in counts {
        *by_post
            .entry((c.as_str(), cadre::functional_grade(grade).to_owned()))
            .or_insert(0) += n;
    }
    by_post.retain(|_, n| *n != 0);
    by_post
}

/// The validator of a working strength as read: the version of its
/// sanctioned entries and a fingerprint of who is in position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrengthTag {
    /// The version of the sanctioned entries (0 until first entered).
    pub version: i64,
    /// FNV-1a (64 bits) of the counts in position, post by post: stable
    /// across builds and instances, unlike `std`'s hasher.
    pub in_position: u64,
}

impl StrengthTag {
    pub fn new<'a>(
        version: i64,
        counts: impl IntoIterator<Item = &'a (Cadre, String, i64)>,
    ) -> Self {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mut hash = OFFSET;
        for ((c, grade), n) in in_position_by_post(counts) {
            for b in format!("{c}:{grade}={n};").bytes() {
                hash = (hash ^ u64::from(b)).wrapping_mul(PRIME);
            }
        }
        Self {
            version,
            in_position: hash,
        }
    }
}

/// The tag's opaque text, `{version}-{fingerprint}`, quoted as an `ETag`.
impl fmt::Display for StrengthTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:016x}", self.version, self.in_position)
    }
}

/// What a write's `If-Match` names (PRF-4: no lost updates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// The working strength as read (its `ETag`): holds only while neither
    /// the sanctioned entries nor the counts in position have changed, for
    /// the nodal officer validates the two together (PRF-3).
    Read(StrengthTag),
    /// The `version` of the sanctioned entries alone (`"0"` before any were
    /// entered): holds while nobody else has entered them.
    Version(i64),
}

impl Precondition {
    /// The opaque text of an `If-Match` tag; `None` when it names neither.
    /// A tag read while the figures stood taken as final carries a mark
    /// after them (`-final-{digest}`, PRF-2), which guards nothing: the
    /// deadline moves the view, not the figures.
    pub fn parse(opaque: &str) -> Option<Self> {
        let version = |v: &str| v.parse::<i64>().ok().filter(|v| *v >= 0);
        let opaque = match opaque.split_once(&format!("-{FINAL_MARK}")) {
            Some((read, mark)) if !read.is_empty() && !mark.is_empty() => read,
            Some(_) => return None,
            None => opaque,
        };
        match opaque.split_once('-') {
            None => version(opaque).map(Precondition::Version),
            Some((v, fp)) if fp.len() == 16 => Some(Precondition::Read(StrengthTag {
                version: version(v)?,
                in_position: u64::from_str_radix(fp, 16).ok()?,
            })),
            Some(_) => None,
        }
    }

    /// Whether the write may go ahead on the working strength now `current`.
    pub fn holds(self, current: StrengthTag) -> bool {
        match self {
            Precondition::Read(tag) => tag == current,
            Precondition::Version(v) => v == current.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(rows: &[(&str, i64)]) -> Vec<(Cadre, String, i64)> {
        rows.iter()
            .map(|(g, n)| (Cadre::Css, (*g).to_owned(), *n))
            .collect()
    }

    #[test]
    fn the_tag_moves_with_the_version_and_with_who_is_in_position() {
        let before = StrengthTag::new(3, &counts(&[("SO", 2), ("US", 1)]));
        // The order rows come back in does not matter.
        assert_eq!(
            before,
            StrengthTag::new(3, &counts(&[("US", 1), ("SO", 2)]))
        );
        assert_ne!(
            before,
            StrengthTag::new(4, &counts(&[("SO", 2), ("US", 1)]))
        );
        // One joins, or one moves from SO to US: same version, new tag.
        assert_ne!(
            before,
            StrengthTag::new(3, &counts(&[("SO", 3), ("US", 1)]))
        );
        assert_ne!(
            before,
            StrengthTag::new(3, &counts(&[("SO", 1), ("US", 2)]))
        );
        // An SO granted the non-functional scale still holds an SO post.
        let nfs = StrengthTag::new(3, &counts(&[("SO", 1), ("SO_NFS", 1), ("US", 1)]));
        assert_eq!(before, nfs);
        // Pinned: a tag handed out by one build matches on the next.
        assert_eq!(
            StrengthTag::new(0, &counts(&[])).to_string(),
            "0-cbf29ce484222325"
        );
    }

    #[test]
    fn a_precondition_names_the_whole_read_or_the_version() {
        let now = StrengthTag::new(2, &counts(&[("SO", 2)]));
        let read = Precondition::parse(&now.to_string());
        assert_eq!(read, Some(Precondition::Read(now)));
        assert!(read.is_some_and(|p| p.holds(now)));
        let moved = StrengthTag::new(2, &counts(&[("SO", 3)]));
        assert!(read.is_some_and(|p| !p.holds(moved)));
        assert_eq!(Precondition::parse("2"), Some(Precondition::Version(2)));
        // The mark of figures taken as final guards nothing.
        assert_eq!(
            Precondition::parse(&format!("{now}-final-00ff")),
            Some(Precondition::Read(now))
        );
        assert!(Precondition::Version(2).holds(moved) && !Precondition::Version(1).holds(moved));
        for bad in [
            "",
            "x",
            "-1",
            "2-zz",
            "2-0123",
            "b0123456789abcdef",
            "2-3-4",
            "-final-00ff",
            "2-final-",
        ] {
            assert_eq!(Precondition::parse(bad), None, "{bad}");
        }
    }
}
