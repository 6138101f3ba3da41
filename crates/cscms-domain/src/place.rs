//! The States and Union Territories of India (First Schedule to the
//! Constitution, as it stands since 26.01.2020), by one spelling each.
//!
//! A place of posting is named with its State (the surplus proforma's
//! note (i) to item 5, SUR-1; a post on deputation, DEP-1), and whether a
//! post on deputation is in the officer's own station decides the
//! deputation allowance (MACP-9: a lower rate within the same station). Two spellings
//! of one State ("NCT of Delhi", "Delhi") must not make one station two, so
//! a State is taken only as one of these names or a spelling that names it
//! unambiguously, and kept as the name.

/// The 28 States, then the 8 Union Territories.
pub const STATES_AND_UTS: [&str; 36] = [
    "Andhra Pradesh",
    "Arunachal Pradesh",
    "Assam",
    "Bihar",
    "Chhattisgarh",
    "Goa",
    "Gujarat",
    "Haryana",
    "Himachal Pradesh",
    "Jharkhand",
    "Karnataka",
    "Kerala",
    "Madhya Pradesh",
    "Maharashtra",
    "Manipur",
    "Meghalaya",
    "Mizoram",
    "Nagaland",
    "Odisha",
    "Punjab",
    "Rajasthan",
    "Sikkim",
    "Tamil Nadu",
    "Telangana",
    "Tripura",
    "Uttar Pradesh",
    "Uttarakhand",
    "West Bengal",
    "Andaman and Nicobar Islands",
    "Chandigarh",
    "Dadra and Nagar Haveli and Daman and Diu",
    "Delhi",
    "Jammu and Kashmir",
    "Ladakh",
    "Lakshadweep",
    "Puducherry",
];

/// Other spellings in official use, each naming one State or UT: the
/// formal name of Delhi, and the names before the Orissa (Alteration of
/// Name) Act 2011, the Uttaranchal renaming of 2007, the Pondicherry
/// renaming of 2006 and the merger of the two UTs of the west coast in 2020.
const OTHER_SPELLINGS: &[(&str, &str)] = &[
    ("national capital territory of delhi", "Delhi"),
    ("nct of delhi", "Delhi"),
    ("nct delhi", "Delhi"),
    ("orissa", "Odisha"),
    ("uttaranchal", "Uttarakhand"),
    ("pondicherry", "Puducherry"),
    (
        "dadra and nagar haveli",
        "Dadra and Nagar Haveli and Daman and Diu",
    ),
    ("daman and diu", "Dadra and Nagar Haveli and Daman and Diu"),
    ("andaman & nicobar islands", "Andaman and Nicobar Islands"),
    ("jammu & kashmir", "Jammu and Kashmir"),
];

/// Spaces and case ignored: "tamil  nadu" is "Tamil Nadu".
fn key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The State or UT `name` names, by its one spelling; `None` for anything
/// else (a city, "All India", a State of another country).
pub fn state_or_ut(name: &str) -> Option<&'static str> {
    let k = key(name);
    STATES_AND_UTS
        .iter()
        .copied()
        .find(|s| s.to_lowercase() == k)
        .or_else(|| {
            OTHER_SPELLINGS
                .iter()
                .find(|(other, _)| *other == k)
                .map(|(_, s)| *s)
        })
}

/// Whether two places are one station: the same place name (case and
/// spacing aside) in the same State or UT. A State that is none of the
/// list's is compared as written.
pub fn same_station(place: (&str, &str), other: (&str, &str)) -> bool {
    let state = |s: &str| state_or_ut(s).map_or_else(|| key(s), |n| n.to_lowercase());
    key(place.0) == key(other.0) && state(place.1) == state(other.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_and_ut_is_its_own_name_and_other_spellings_name_one() {
        for s in STATES_AND_UTS {
            assert_eq!(state_or_ut(s), Some(s));
            assert_eq!(state_or_ut(&s.to_uppercase()), Some(s));
        }
        assert_eq!(state_or_ut("  NCT of  Delhi "), Some("Delhi"));
        assert_eq!(state_or_ut("Orissa"), Some("Odisha"));
        assert_eq!(
            state_or_ut("Daman and Diu"),
            Some("Dadra and Nagar Haveli and Daman and Diu")
        );
        for other in OTHER_SPELLINGS {
            assert!(STATES_AND_UTS.contains(&other.1), "{other:?}");
        }
        for not_one in ["All India", "India", "New Delhi", "Bengaluru", "Texas", ""] {
            assert_eq!(state_or_ut(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn one_station_by_any_spelling_of_its_state() {
        assert!(same_station(
            ("New Delhi", "Delhi"),
            ("new  delhi", "NCT of Delhi")
        ));
        assert!(!same_station(
            ("New Delhi", "Delhi"),
            ("Bengaluru", "Karnataka")
        ));
        assert!(!same_station(
            ("Aurangabad", "Maharashtra"),
            ("Aurangabad", "Bihar")
        ));
    }
}
