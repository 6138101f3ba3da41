//! ROT-2: ministries rotate between two groups. A set of groups must place
//! every ministry and department in exactly one group, and nothing else.

use std::collections::BTreeSet;

/// What is wrong with a proposed set, one message per problem.
pub fn check_groups(ministries: &[String], a: &[String], b: &[String]) -> Vec<String> {
    let known: BTreeSet<&str> = ministries.iter().map(String::as_str).collect();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for (name, group) in [("A", a), ("B", b)] {
        if group.is_empty() {
            problems.push(format!(
                "group {name} is empty: officers rotate between two groups"
            ));
        }
        for id in group {
            if !known.contains(id.as_str()) {
                problems.push(format!("{id} is not a ministry or department"));
            } else if !seen.insert(id.as_str()) {
                problems.push(format!("{id} is in more than one place"));
            }
        }
    }
    let missing: Vec<&str> = known.difference(&seen).copied().collect();
    if !missing.is_empty() {
        problems.push(format!("not in any group: {}", missing.join(", ")));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rot_2_every_ministry_in_exactly_one_group() {
        let all = v(&["MEA", "MHA", "MOF"]);
        assert!(check_groups(&all, &v(&["MHA"]), &v(&["MOF", "MEA"])).is_empty());
        let p = check_groups(&all, &v(&["MHA", "MOF"]), &v(&["MOF"]));
        assert_eq!(
            p,
            vec!["MOF is in more than one place", "not in any group: MEA"]
        );
        let p = check_groups(&all, &v(&["MHA", "MHA-NDMA"]), &v(&[]));
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].contains("MHA-NDMA") && p[1].contains("group B is empty"));
    }
}
