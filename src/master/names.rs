//! Department names in a cell: who leads and who cooperates (`牵头：A；配合：B、C`,
//! `A（牵头）`), names for all units (`各县（市、区）`) and the lists they stand for, and a
//! joined pair of departments (`机关党委人事科` with two persons) repaired.

use std::collections::HashSet;

use indexmap::IndexMap;

use super::labels::Labels;
use crate::cell_text::{fold, split_names};

/// The names of one cell, told apart by the markers written in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marked {
    pub lead: Vec<String>,
    pub cooperating: Vec<String>,
    /// Names without a marker.
    pub plain: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Lead,
    Cooperating,
}

/// The marker a text starts with (`牵头：`, `配合单位:`), and the rest.
fn leading_marker<'t>(text: &'t str, labels: &Labels) -> Option<(Mark, &'t str)> {
    let (head, rest) = text.split_once(['：', ':'])?;
    let head = fold(head);
    if labels.lead_markers.contains(&head) {
        Some((Mark::Lead, rest))
    } else if labels.cooperating_markers.contains(&head) {
        Some((Mark::Cooperating, rest))
    } else {
        None
    }
}

/// A marker in brackets at the end of a name (`发改委（牵头）`), and the name without it.
fn trailing_marker(name: &str, labels: &Labels) -> Option<(Mark, String)> {
    let body = name.strip_suffix(['）', ')'])?;
    let open = body.rfind(['（', '('])?;
    let inner = fold(&body[open..]);
    let inner = inner.trim_start_matches('(');
    let mark = if labels.lead_markers.iter().any(|m| m == inner) {
        Mark::Lead
    } else if labels.cooperating_markers.iter().any(|m| m == inner) {
        Mark::Cooperating
    } else {
        return None;
    };
    Some((mark, body[..open].trim().to_string()))
}

/// The names of a department cell with their markers.
pub fn marked_names(text: &str, labels: &Labels) -> Marked {
    let mut out = Marked::default();
    for segment in text.split(['；', ';', '\n', '。']) {
        let (segment_mark, rest) = match leading_marker(segment.trim(), labels) {
            Some((mark, rest)) => (Some(mark), rest),
            None => (None, segment),
        };
        for name in split_names(rest) {
            let (mark, name) = match trailing_marker(&name, labels) {
                Some((mark, bare)) => (Some(mark), bare),
                None => (segment_mark, name),
            };
            let name = without_etc(&name);
            if name.is_empty() {
                continue;
            }
            match mark {
                Some(Mark::Lead) => out.lead.push(name),
                Some(Mark::Cooperating) => out.cooperating.push(name),
                None => out.plain.push(name),
            }
        }
    }
    out
}

/// A last name written with `等` (`市财政局等`, `市财政局等部门`): the name alone.
fn without_etc(name: &str) -> String {
    for tail in ["等部门", "等单位", "等科室", "等"] {
        if let Some(bare) = name.strip_suffix(tail)
            && bare.chars().count() >= 2
        {
            return bare.to_string();
        }
    }
    name.to_string()
}

/// Whether `name` stands for all units of a kind (`各县（市、区）`, `各科室`).
pub fn is_all_units(name: &str, labels: &Labels) -> bool {
    name.chars().count() <= 12
        && labels
            .all_units_prefixes
            .iter()
            .any(|p| !p.is_empty() && name.starts_with(p.as_str()) && name.len() > p.len())
}

/// Whether `text` is a row defining a name for all units without a note prefix:
/// `"各县（市、区）"指鲤城区、丰泽区…`.
pub fn is_units_definition(text: &str, labels: &Labels) -> bool {
    let t = text.trim().trim_start_matches(QUOTES);
    if !labels
        .all_units_prefixes
        .iter()
        .any(|p| !p.is_empty() && t.starts_with(p.as_str()))
    {
        return false;
    }
    let end = labels
        .units_intro
        .iter()
        .filter(|i| !matches!(i.as_str(), ":" | "："))
        .filter_map(|i| t.find(i.as_str()))
        .min();
    let Some(end) = end else {
        return false;
    };
    let token = t[..end].trim_end_matches(QUOTES).trim();
    !token.is_empty() && token.chars().count() <= 12 && units_in_note(t, token, labels).is_some()
}

/// Quotes around a token or a name in a note.
const QUOTES: [char; 10] = ['"', '”', '“', '\'', '’', '‘', '「', '」', '『', '』'];

/// The units a note lists for `token`: `注：各县（市、区）指鲤城区、丰泽区…。`, the token perhaps
/// in quotes, the list separated by 、，or spaces.
pub fn units_in_note(note: &str, token: &str, labels: &Labels) -> Option<Vec<String>> {
    let after = find_loosely(note, token)?;
    // The token may stand in quotes: `"各县（市、区）"指…`, `“各县（市、区）”指…`.
    let mut rest = note[after..].trim_start_matches(QUOTES).trim_start();
    // One introducing word, the longest that fits (`是指` before `是`), then perhaps a colon:
    // once only, for a list may begin with a name such as 即墨区 or 含山县.
    let mut intros: Vec<&String> = labels.units_intro.iter().collect();
    intros.sort_by_key(|i| std::cmp::Reverse(i.len()));
    if let Some(intro) = intros.iter().find(|i| rest.starts_with(i.as_str())) {
        rest = rest[intro.len()..].trim_start();
    }
    rest = rest.trim_start_matches(['：', ':']).trim_start();
    let end = rest.find(['。', '；', ';', '\n']).unwrap_or(rest.len());
    let units: Vec<String> = split_names(&rest[..end])
        .into_iter()
        .map(|u| {
            u.trim_matches(QUOTES)
                .trim_end_matches(['等', '.'])
                .to_string()
        })
        // `…` or `……` standing for names left out is not a unit.
        .filter(|u| u.chars().any(char::is_alphanumeric))
        .collect();
    (units.len() >= 2).then_some(units)
}

/// Where `token` ends in `text` (a byte offset), matched as people vary it: full- or half-width
/// brackets and letters (`各县(市、区)`), and `、` `，` `,` alike (`各县（市，区）`).
fn find_loosely(text: &str, token: &str) -> Option<usize> {
    fn loose(c: char) -> char {
        match c {
            '，' | ',' => '、',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        }
    }
    let wanted: Vec<char> = token.chars().map(loose).collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    (0..chars.len()).find_map(|start| {
        let found = chars.get(start..start + wanted.len())?;
        let same = found.iter().zip(&wanted).all(|((_, c), w)| loose(*c) == *w);
        same.then(|| {
            chars
                .get(start + wanted.len())
                .map_or(text.len(), |(at, _)| *at)
        })
    })
}

/// The list for an all-units `token` from the office's lists (matched as folded text).
pub fn units_for<'a>(
    token: &str,
    units: &'a IndexMap<String, Vec<String>>,
) -> Option<&'a Vec<String>> {
    let key = fold(token);
    units
        .iter()
        .find(|(name, _)| fold(name) == key)
        .map(|(_, list)| list)
}

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
    use crate::spec::Spec;

    fn set(names: &[&str]) -> HashSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn labels() -> Labels {
        Labels::new(&Spec::builtin().master)
    }

    #[test]
    fn a_note_may_introduce_its_list_by_a_word_of_two_characters() {
        let l = labels();
        let token = "各县（市、区）";
        for note in [
            "注：‘各县（市、区）’是指鲤城区，丰泽区，洛江区。",
            "注：各县（市、区）系指鲤城区、丰泽区、洛江区",
            "各县（市、区）指的是：鲤城区 丰泽区 洛江区",
        ] {
            assert_eq!(
                units_in_note(note, token, &l),
                Some(strings(&["鲤城区", "丰泽区", "洛江区"])),
                "{note}"
            );
        }
        // A list beginning with a name that starts like an introducing word keeps it.
        assert_eq!(
            units_in_note("注：各区指即墨区、崂山区。", "各区", &l),
            Some(strings(&["即墨区", "崂山区"]))
        );
    }

    #[test]
    fn markers_tell_lead_from_cooperating() {
        let l = labels();
        let m = marked_names("牵头：市发改委；配合：市财政局、市商务局", &l);
        assert_eq!(m.lead, strings(&["市发改委"]));
        assert_eq!(m.cooperating, strings(&["市财政局", "市商务局"]));
        assert!(m.plain.is_empty());
        let m = marked_names("市发改委（牵头）、市财政局", &l);
        assert_eq!(m.lead, strings(&["市发改委"]));
        assert_eq!(m.plain, strings(&["市财政局"]));
        let m = marked_names("办公室\n审批科", &l);
        assert_eq!(m.plain, strings(&["办公室", "审批科"]));
        let m = marked_names("市发改委、市财政局等部门", &l);
        assert_eq!(m.plain, strings(&["市发改委", "市财政局"]));
    }

    #[test]
    fn all_units_names_and_their_lists() {
        let l = labels();
        assert!(is_all_units("各县（市、区）", &l));
        assert!(is_all_units("各科室", &l));
        assert!(!is_all_units("各", &l));
        assert!(!is_all_units("办公室", &l));
        let note = "注：各县（市、区）指鲤城区、丰泽区、洛江区等。排在第一位的为牵头单位。";
        assert_eq!(
            units_in_note(note, "各县（市、区）", &l),
            Some(strings(&["鲤城区", "丰泽区", "洛江区"]))
        );
        assert_eq!(units_in_note("注：各科室按时报送。", "各科室", &l), None);
        // The note may write the token with other brackets or commas than the cells do, and
        // introduce the list by any of the usual words, the token in any quotes.
        let want = Some(strings(&["鲤城区", "丰泽区", "洛江区"]));
        for note in [
            "注：\"各县(市、区)\"包括鲤城区、丰泽区、洛江区。",
            "注：“各县（市，区）”包括鲤城区、丰泽区、洛江区。",
            "“各县（市、区）”含鲤城区、丰泽区、洛江区",
            "说明：1.‘各县（市、区）’即鲤城区，丰泽区，洛江区；2.其他。",
            "注：本表中「各县（市、区）」指：鲤城区、丰泽区、洛江区。",
        ] {
            assert_eq!(units_in_note(note, "各县（市、区）", &l), want, "{note}");
        }
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
