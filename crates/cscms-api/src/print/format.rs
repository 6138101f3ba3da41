//! How a print writes dates, times and money: the way a Government of India
//! office does (dd.mm.yyyy, IST with the zone named, rupees grouped the
//! Indian way).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// `03.02.1984`.
pub fn dmy(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// `28.11.2026 19:45 IST`: users are in India, whatever the server's zone.
pub fn ist(t: DateTime<Utc>) -> String {
    match FixedOffset::east_opt(5 * 3600 + 1800) {
        Some(zone) => format!("{} IST", t.with_timezone(&zone).format("%d.%m.%Y %H:%M")),
        // +05:30 is always a valid offset; this arm is never taken.
        None => format!("{} UTC", t.format("%d.%m.%Y %H:%M")),
    }
}

/// `₹1,23,400`: the last three digits, then groups of two (lakh, crore).
pub fn rupees(amount: u64) -> String {
    let digits = amount.to_string();
    let (head, tail) = digits.split_at(digits.len().saturating_sub(3));
    let mut groups: Vec<&str> = Vec::new();
    let mut rest = head;
    while rest.len() > 2 {
        let (h, t) = rest.split_at(rest.len() - 2);
        groups.push(t);
        rest = h;
    }
    if !rest.is_empty() {
        groups.push(rest);
    }
    groups.reverse();
    groups.push(tail);
    format!("₹{}", groups.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupees_are_grouped_in_lakhs_and_crores() {
        assert_eq!(rupees(0), "₹0");
        assert_eq!(rupees(999), "₹999");
        assert_eq!(rupees(1000), "₹1,000");
        assert_eq!(rupees(123_400), "₹1,23,400");
        assert_eq!(rupees(2_500_000), "₹25,00,000");
        assert_eq!(rupees(12_345_678_901), "₹12,34,56,78,901");
    }

    #[test]
    fn dates_and_times_as_an_indian_office_writes_them() {
        let d = NaiveDate::from_ymd_opt(1984, 2, 3).unwrap();
        assert_eq!(dmy(d), "03.02.1984");
        let t = d.and_hms_opt(20, 15, 0).unwrap().and_utc();
        assert_eq!(ist(t), "04.02.1984 01:45 IST");
    }
}
