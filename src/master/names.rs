//! Names in a cell: splitting them and repairing a joined pair of departments.
//!
//! `机关党委人事科` with two persons is two departments written without a separator. When a
//! cell has fewer departments than persons, a department name is split where one part is a
//! department the table names elsewhere.

use std::collections::HashSet;

/// Splits joined department names until `departments` has `persons` entries, using `known`
/// department names. Returns the repaired list, or `None` when no split explains the counts.
pub fn repair_joined(
    departments: &[String],
    persons: usize,
    known: &HashSet<String>,
) -> Option<Vec<String>> {
    if departments.is_empty() || departments.len() >= persons {
        return None;
    }
    let mut names = departments.to_vec();
    while names.len() < persons {
        // Only a name the table does not use elsewhere can be two names joined.
        let (index, parts) = names
            .iter()
            .enumerate()
            .filter(|(_, name)| !known.contains(*name))
            .find_map(|(i, name)| split_known(name, known).map(|p| (i, p)))?;
        names.splice(index..=index, parts);
    }
    (names.len() == persons).then_some(names)
}

/// Splits `name` in two where one side is a known name and both sides have at least two
/// characters; a split with both sides known wins.
fn split_known(name: &str, known: &HashSet<String>) -> Option<[String; 2]> {
    let boundaries: Vec<usize> = name.char_indices().map(|(i, _)| i).skip(2).collect();
    let mut one_known = None;
    for &at in &boundaries {
        let (left, right) = name.split_at(at);
        if right.chars().count() < 2 {
            continue;
        }
        match (known.contains(left), known.contains(right)) {
            (true, true) => return Some([left.to_string(), right.to_string()]),
            (true, false) | (false, true) if one_known.is_none() => {
                one_known = Some([left.to_string(), right.to_string()]);
            }
            _ => {}
        }
    }
    one_known
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> HashSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn joined_pair_splits_on_a_known_prefix() {
        let known = set(&["机关党委", "办公室", "法规科财科"]);
        assert_eq!(
            repair_joined(&strings(&["机关党委人事科"]), 2, &known),
            Some(strings(&["机关党委", "人事科"]))
        );
    }

    #[test]
    fn known_suffix_works_too_and_others_stay() {
        let known = set(&["办公室", "人事科"]);
        assert_eq!(
            repair_joined(&strings(&["办公室", "机关党委人事科"]), 3, &known),
            Some(strings(&["办公室", "机关党委", "人事科"]))
        );
    }

    #[test]
    fn no_known_part_means_no_repair() {
        let known = set(&["办公室"]);
        assert_eq!(repair_joined(&strings(&["法规科财科"]), 2, &known), None);
        assert_eq!(repair_joined(&strings(&["办公室"]), 1, &known), None);
    }
}
