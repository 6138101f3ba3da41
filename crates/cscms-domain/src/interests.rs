//! AOI-1 (seed 000 §3.6): the employee indicates areas of interest and is
//! sent on to iGOT Karmayogi for courses in them.
//!
//! The catalogue is reference data DoPT maintains in the shape iGOT tags its
//! courses: area → theme → sub-theme, each of a kind (behavioural,
//! functional, domain), each node linked to iGOT courses by course id.

use crate::employee::string_enum;
use crate::fields::FieldErrors;

string_enum!(
    /// Where a node sits in the catalogue.
    Level as "CatalogueLevel", "catalogue level" {
        Area = "area",
        Theme = "theme",
        SubTheme = "sub_theme",
    }
);

string_enum!(
    /// iGOT's kinds of competency.
    Kind as "CompetencyKind", "competency kind" {
        Behavioural = "behavioural",
        Functional = "functional",
        Domain = "domain",
    }
);

impl Level {
    /// The level a node's parent must be at; `None` for a top-level area.
    pub const fn parent_level(self) -> Option<Level> {
        match self {
            Level::Area => None,
            Level::Theme => Some(Level::Area),
            Level::SubTheme => Some(Level::Theme),
        }
    }
}

/// A catalogue node id: 2-60 of a-z, 0-9, '.', '_' and '-', starting with a
/// letter or digit (`behavioural.communication`).
pub fn valid_node_id(id: &str) -> bool {
    (2..=60).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// An iGOT course id (`do_3135912371232112641`): 3-64 of letters, digits
/// and '_'; it becomes a path segment of the deep link.
pub fn valid_course_id(id: &str) -> bool {
    (3..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The deep link iGOT opens a course at.
pub fn course_link(base_url: &str, course_id: &str) -> String {
    format!(
        "{}/app/toc/{course_id}/overview",
        base_url.trim_end_matches('/')
    )
}

/// A node's level and kind, as stored (its parent's, or a child's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeShape {
    pub level: Level,
    pub kind: Kind,
}

/// The faults of one node: its parent at the level above and of the same
/// kind (an area has none), course ids well formed and none twice.
pub fn check_node(
    level: Level,
    kind: Kind,
    parent_named: bool,
    parent: Option<NodeShape>,
    course_ids: &[String],
) -> FieldErrors {
    let mut errors = FieldErrors::new();
    match (level.parent_level(), parent_named, parent) {
        (None, true, _) => errors.push("parent_id", "an area has no parent"),
        (Some(above), false, _) => {
            errors.push("parent_id", format!("a {level} sits under a {above}"))
        }
        (Some(_), true, None) => errors.push("parent_id", "no such node in the catalogue"),
        (Some(above), true, Some(p)) => {
            if p.level != above {
                errors.push(
                    "parent_id",
                    format!("a {level} sits under a {above}, not a {}", p.level),
                );
            }
            if p.kind != kind {
                errors.push("kind", format!("the parent is {}", p.kind));
            }
        }
        (None, false, _) => {}
    }
    if course_ids.len() > 100 {
        errors.push("course_ids", "at most 100 courses");
    }
    for (i, c) in course_ids.iter().enumerate() {
        if !valid_course_id(c) {
            errors.push(
                format!("course_ids[{i}]"),
                "an iGOT course id: 3-64 letters, digits or '_'",
            );
        } else if course_ids[..i].contains(c) {
            errors.push(format!("course_ids[{i}]"), "named twice");
        }
    }
    errors
}

/// The faults an edit of a node would leave in its children, as stored:
/// each must still sit one level below it and be of its kind. So no branch
/// mixes kinds, and none can loop back on itself (levels only rise towards
/// the root).
pub fn check_children(level: Level, kind: Kind, children: &[NodeShape]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if let Some(c) = children
        .iter()
        .find(|c| c.level.parent_level() != Some(level))
    {
        errors.push(
            "level",
            format!("a {} below it would sit under a {level}", c.level),
        );
    }
    if let Some(c) = children.iter().find(|c| c.kind != kind) {
        errors.push("kind", format!("the nodes below it are {}", c.kind));
    }
    errors
}

/// One area the employee ranks, as the catalogue knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    Active,
    Withdrawn,
    Unknown,
}

/// The faults of an employee's ranked choice (AOI-1): at most `max` areas,
/// each in the catalogue and active, none twice, notes short.
pub fn check_choice(
    area_ids: &[&str],
    notes: &[Option<&str>],
    max: usize,
    known: impl Fn(&str) -> Known,
) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if area_ids.len() > max {
        errors.push("items", format!("at most {max} areas of interest"));
    }
    for (i, id) in area_ids.iter().enumerate() {
        let path = format!("items[{i}].area_id");
        if area_ids[..i].contains(id) {
            errors.push(path, "named twice");
            continue;
        }
        match known(id) {
            Known::Active => {}
            Known::Withdrawn => errors.push(path, "withdrawn from the catalogue"),
            Known::Unknown => errors.push(path, "not in the catalogue"),
        }
    }
    for (i, note) in notes.iter().enumerate() {
        if note.is_some_and(|n| n.trim().chars().count() > 500) {
            errors.push(format!("items[{i}].note"), "at most 500 characters");
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_is_area_theme_sub_theme_of_one_kind() {
        let area = NodeShape {
            level: Level::Area,
            kind: Kind::Behavioural,
        };
        let none: Vec<String> = vec![];
        assert!(check_node(Level::Area, Kind::Behavioural, false, None, &none).is_empty());
        assert_eq!(
            check_node(Level::Area, Kind::Domain, true, Some(area), &none).paths(),
            ["parent_id"]
        );
        assert!(check_node(Level::Theme, Kind::Behavioural, true, Some(area), &none).is_empty());
        assert_eq!(
            check_node(Level::SubTheme, Kind::Functional, true, Some(area), &none).paths(),
            ["parent_id", "kind"]
        );
        assert_eq!(
            check_node(Level::Theme, Kind::Behavioural, true, None, &none).paths(),
            ["parent_id"]
        );
        let courses = vec!["do_1".to_owned(), "do_1".to_owned(), "a/b".to_owned()];
        assert_eq!(
            check_node(Level::Theme, Kind::Behavioural, true, Some(area), &courses).paths(),
            ["course_ids[1]", "course_ids[2]"]
        );
    }

    #[test]
    fn deep_links_follow_the_base_url() {
        assert_eq!(
            course_link("https://portal.igotkarmayogi.gov.in/", "do_123"),
            "https://portal.igotkarmayogi.gov.in/app/toc/do_123/overview"
        );
    }

    #[test]
    fn a_choice_is_bounded_known_and_unrepeated() {
        let known = |id: &str| match id {
            "a" | "b" | "c" => Known::Active,
            "old" => Known::Withdrawn,
            _ => Known::Unknown,
        };
        assert!(check_choice(&["a", "b"], &[None, None], 2, known).is_empty());
        assert_eq!(
            check_choice(&["a", "b", "c"], &[None, None, None], 2, known).paths(),
            ["items"]
        );
        assert_eq!(
            check_choice(&["a", "a", "old", "zz"], &[None; 4], 5, known).paths(),
            ["items[1].area_id", "items[2].area_id", "items[3].area_id"]
        );
        assert!(valid_node_id("behavioural.communication") && !valid_node_id("Bad Id"));
    }

    #[test]
    fn an_edit_keeps_the_nodes_below_in_place() {
        let theme = NodeShape {
            level: Level::Theme,
            kind: Kind::Functional,
        };
        assert!(check_children(Level::Area, Kind::Functional, &[theme]).is_empty());
        assert!(check_children(Level::Theme, Kind::Functional, &[]).is_empty());
        // An area with a theme below it made a sub-theme (under that theme:
        // a loop), or made behavioural over a functional branch.
        assert_eq!(
            check_children(Level::SubTheme, Kind::Functional, &[theme]).paths(),
            ["level"]
        );
        assert_eq!(
            check_children(Level::Area, Kind::Behavioural, &[theme]).paths(),
            ["kind"]
        );
    }
}
