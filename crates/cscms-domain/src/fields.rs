//! Field-level validation: every bad field of an input, by path, in one answer,
//! so a form can be corrected in one round trip.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One bad field: its path in the input (`properties[1].location.state`),
/// the kind of rule it fails (`invalid`, `length`, `range`, `email`) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub path: String,
    #[serde(skip)]
    pub rule: &'static str,
    pub message: String,
}

/// All the bad fields of one input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.push_rule(path, "invalid", message);
    }

    /// A failure of a named kind of rule, which the API reports as the
    /// field's `code`.
    pub fn push_rule(
        &mut self,
        path: impl Into<String>,
        rule: &'static str,
        message: impl Into<String>,
    ) {
        self.0.push(FieldError {
            path: path.into(),
            rule,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds every fault of `other`, after these.
    pub fn append(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// The bad paths, in the order found.
    pub fn paths(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.path.as_str()).collect()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok(value)` when nothing was found wrong.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, Self> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid fields: ")?;
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.path, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

/// Trimmed, non-empty, length-bounded text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text(String);

impl Text {
    /// Upper bound for any free text of this module (characters).
    pub const MAX: usize = 2000;

    pub fn parse(s: &str, max_chars: usize) -> Result<Self, String> {
        let t = s.trim();
        if t.is_empty() {
            Err("must not be empty".to_owned())
        } else if t.chars().count() > max_chars.min(Self::MAX) {
            Err(format!(
                "must be at most {} characters",
                max_chars.min(Self::MAX)
            ))
        } else {
            Ok(Self(t.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Text {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s, Self::MAX)
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Required text at `path`.
pub(crate) fn text(errs: &mut FieldErrors, path: &str, s: &str, max: usize) -> Option<Text> {
    Text::parse(s, max).map_err(|m| errs.push(path, m)).ok()
}

/// Optional text at `path`: absent or blank is `None`, not an error.
pub(crate) fn opt_text(
    errs: &mut FieldErrors,
    path: &str,
    s: Option<&str>,
    max: usize,
) -> Option<Text> {
    match s {
        Some(s) if !s.trim().is_empty() => text(errs, path, s, max),
        _ => None,
    }
}

/// A `YYYY-MM-DD` date at `path`.
pub(crate) fn date(errs: &mut FieldErrors, path: &str, s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| errs.push(path, format!("'{s}' is not a date (YYYY-MM-DD)")))
        .ok()
}

/// One of a closed set of values at `path`; the message lists the set.
pub(crate) fn choice<E>(errs: &mut FieldErrors, path: &str, s: &str, all: &[E]) -> Option<E>
where
    E: FromStr + fmt::Display,
    E::Err: fmt::Display,
{
    s.trim()
        .parse::<E>()
        .map_err(|e| {
            let allowed: Vec<String> = all.iter().map(ToString::to_string).collect();
            errs.push(path, format!("{e}; one of: {}", allowed.join(", ")));
        })
        .ok()
}

/// `dd.mm.yyyy`, the way orders write dates.
pub(crate) fn dmy(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(Text::parse("  Delhi ", 10).unwrap().as_str(), "Delhi");
        assert!(Text::parse("   ", 10).is_err());
        assert!(Text::parse("abcdef", 5).is_err());
        assert!(serde_json::from_str::<Text>("\" \"").is_err());
    }

    #[test]
    fn errors_collect_every_path() {
        let mut e = FieldErrors::new();
        assert!(date(&mut e, "a", "2024-02-30").is_none());
        assert!(text(&mut e, "b", "", 5).is_none());
        assert_eq!(e.paths(), ["a", "b"]);
        assert!(e.to_string().contains("a: '2024-02-30' is not a date"));
        assert!(e.finish(()).is_err());
    }
}
