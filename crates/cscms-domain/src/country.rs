//! Countries as ISO 3166-1 has them (the `celes` tables), for what an
//! officer names abroad: the countries of a private foreign visit (FV-1),
//! the country of a property held abroad (IPR-1). A name that is no
//! country ("Narnia", "Europe") is refused, and two names of one country
//! ("UK", "United Kingdom") are one.

/// India's ISO 3166-1 code, and names of it the tables lack.
const INDIA: &str = "IN";
const INDIA_NAMES: &[&str] = &["bharat", "republicofindia"];

/// Short names in common use in India that the tables lack (or that are
/// no longer than a two-letter code), with the ISO 3166-1 code they name.
const SHORT_NAMES: &[(&str, &str)] = &[("uk", "GB"), ("uae", "AE")];

/// A name as looked up: ASCII letters and digits only, in lower case.
fn key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The country an application names: an ISO 3166-1 country by its name, a
/// common alias or its three-letter code, as the `celes` tables hold them
/// (case, spaces, punctuation and a leading "the" aside). Two-letter and
/// numeric codes are not taken, so that a word ("No", "In") or a slip of
/// the keyboard never names a country; nor is a place that is none.
pub fn country(name: &str) -> Option<celes::Country> {
    let key = key(name);
    if let Some((_, alpha2)) = SHORT_NAMES.iter().find(|(k, _)| *k == key) {
        return celes::Country::from_alpha2(alpha2).ok();
    }
    if key.len() < 3 || key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse()
        .or_else(|_| key.strip_prefix("the").unwrap_or(&key).parse())
        .ok()
}

/// Whether `name` names India itself.
pub fn is_india(name: &str) -> bool {
    country(name).is_some_and(|c| c.alpha2 == INDIA) || INDIA_NAMES.contains(&key(name).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_are_named_as_iso_3166_1_names_them() {
        let named = [
            ("Nepal", "NP"),
            ("Bhutan", "BT"),
            ("Sri Lanka", "LK"),
            ("Bangladesh", "BD"),
            ("USA", "US"),
            ("United States", "US"),
            ("United States of America", "US"),
            ("UK", "GB"),
            ("United Kingdom", "GB"),
            ("UAE", "AE"),
            ("United Arab Emirates", "AE"),
            ("Netherlands", "NL"),
            ("The Netherlands", "NL"),
            ("South Korea", "KR"),
            ("Russia", "RU"),
            ("Viet Nam", "VN"),
            ("Vietnam", "VN"),
            ("Iran", "IR"),
            ("Germany", "DE"),
            ("france", "FR"),
            ("Singapore", "SG"),
            ("Saudi Arabia", "SA"),
            ("Maldives", "MV"),
            ("Myanmar", "MM"),
            ("Japan", "JP"),
            ("China", "CN"),
            ("Turkey", "TR"),
            ("Tanzania", "TZ"),
            ("GBR", "GB"),
        ];
        let mut missed = vec![];
        for (name, alpha2) in named {
            if country(name).map(|c| c.alpha2) != Some(alpha2) {
                missed.push(name);
            }
        }
        assert!(missed.is_empty(), "not found: {missed:?}");
        for none in ["Narnia", "Atlantis", "NO", "in", "356", "", "  ", "Europe"] {
            assert!(country(none).is_none(), "{none:?}");
        }
    }

    #[test]
    fn india_by_any_of_its_names() {
        for name in ["India", " INDIA ", "IND", "Bharat", "Republic of India"] {
            assert!(is_india(name), "{name}");
        }
        for name in ["Indonesia", "Nepal", "IN", "Narnia"] {
            assert!(!is_india(name), "{name}");
        }
    }
}
