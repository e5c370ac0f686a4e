//! Item ids: as written where they identify the rows; qualified by their section where they
//! restart in each (`一-1`), or by their place where one id cell is merged over several items
//! (`3-1`, `3-2`); assigned where the table has none (`1`, `2` … or `一-1` in numbered sections).

use std::collections::{HashMap, HashSet};

use super::checks::Report;
use super::numbering::is_well_formed;
use super::rows::{Candidate, Pos};
use super::sections::Section;
use crate::finding::{Code, Severity};
use crate::workbook::a1;

/// An item's id and whether tianbao made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id {
    pub id: String,
    pub assigned: bool,
}

/// One item for id resolution: its candidate row and its section path.
pub struct ItemRow<'a> {
    pub candidate: &'a Candidate,
    pub path: &'a [usize],
}

/// The keys of an item's sections, outermost first; `None` when one of them has no key.
fn keys(sections: &[Section], path: &[usize]) -> Option<Vec<String>> {
    if path.is_empty() {
        return None;
    }
    path.iter().map(|&s| sections[s].key.clone()).collect()
}

/// The ids of `items`; `None` for an item without an id in a table whose items have ids.
pub fn resolve(items: &[ItemRow], sections: &[Section], report: &mut Report) -> Vec<Option<Id>> {
    if items.is_empty() {
        return Vec::new();
    }
    if !items.iter().any(|i| !i.candidate.id_spread.is_empty()) {
        return assign(items, sections, report);
    }
    let mut ids = merged_runs(items, report);
    for (item, id) in items.iter().zip(&ids) {
        if id.is_none() {
            report.push(
                Severity::Error,
                Code::IdMissing,
                item.candidate.id_cell,
                None,
                &[],
            );
        }
    }
    if has_duplicates(&ids) && !qualify(items, sections, &mut ids, report) {
        duplicates(items, &ids, report);
    }
    for (item, id) in items.iter().zip(&ids) {
        if let Some(id) = id
            && !id.assigned
            && !is_well_formed(&item.candidate.id_spread)
        {
            report.push(
                Severity::Error,
                Code::IdMalformed,
                item.candidate.id_cell,
                Some(&id.id),
                &[("value", &item.candidate.id_written)],
            );
        }
    }
    ids
}

/// Ids by table order, or by section keys and order within the innermost section.
fn assign(items: &[ItemRow], sections: &[Section], report: &mut Report) -> Vec<Option<Id>> {
    let mut within: HashMap<Vec<usize>, usize> = HashMap::new();
    let numbered = items.iter().all(|i| keys(sections, i.path).is_some());
    let ids = items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let id = if numbered {
                let count = within.entry(item.path.to_vec()).or_default();
                *count += 1;
                let mut parts = keys(sections, item.path).unwrap_or_default();
                parts.push(count.to_string());
                parts.join("-")
            } else {
                (n + 1).to_string()
            };
            Some(Id { id, assigned: true })
        })
        .collect();
    let first = items[0].candidate;
    let cell: Pos = (first.id_cell.0, first.id_cell.1);
    let count = items.len().to_string();
    report.push(
        Severity::Warning,
        Code::IdAssigned,
        cell,
        None,
        &[("count", &count)],
    );
    ids
}

/// Ids as written; an id cell merged down over several items numbers them `<id>-1`, `<id>-2`.
fn merged_runs(items: &[ItemRow], report: &mut Report) -> Vec<Option<Id>> {
    let mut ids: Vec<Option<Id>> = Vec::with_capacity(items.len());
    let mut k = 0;
    while k < items.len() {
        let c = items[k].candidate;
        if c.id.is_empty() {
            ids.push(None);
            k += 1;
            continue;
        }
        let mut end = k + 1;
        while end < items.len()
            && items[end].candidate.id.is_empty()
            && items[end].candidate.id_spread == c.id
        {
            end += 1;
        }
        if end - k == 1 {
            ids.push(Some(Id {
                id: c.id.clone(),
                assigned: false,
            }));
        } else {
            for n in 0..end - k {
                ids.push(Some(Id {
                    id: format!("{}-{}", c.id, n + 1),
                    assigned: false,
                }));
            }
            let last = format!("{}-{}", c.id, end - k);
            report.push(
                Severity::Warning,
                Code::IdQualified,
                c.id_cell,
                Some(&c.id),
                &[
                    ("value", &c.id),
                    ("expected", &format!("{}-1 … {last}", c.id)),
                ],
            );
        }
        k = end;
    }
    ids
}

fn has_duplicates(ids: &[Option<Id>]) -> bool {
    let mut seen = HashSet::new();
    ids.iter().flatten().any(|id| !seen.insert(id.id.as_str()))
}

/// Ids that restart in each section, qualified by the section keys: whether that made them
/// unique (then they are changed).
fn qualify(
    items: &[ItemRow],
    sections: &[Section],
    ids: &mut [Option<Id>],
    report: &mut Report,
) -> bool {
    let mut qualified = Vec::with_capacity(ids.len());
    for (item, id) in items.iter().zip(ids.iter()) {
        let Some(id) = id else {
            qualified.push(None);
            continue;
        };
        let Some(mut parts) = keys(sections, item.path) else {
            return false;
        };
        parts.push(id.id.clone());
        qualified.push(Some(Id {
            id: parts.join("-"),
            assigned: false,
        }));
    }
    if has_duplicates(&qualified) {
        return false;
    }
    let example = qualified
        .iter()
        .flatten()
        .next()
        .map(|i| i.id.clone())
        .unwrap_or_default();
    let cell = items[0].candidate.id_cell;
    report.push(
        Severity::Warning,
        Code::IdQualified,
        cell,
        None,
        &[("value", &items[0].candidate.id), ("expected", &example)],
    );
    ids.clone_from_slice(&qualified);
    true
}

fn duplicates(items: &[ItemRow], ids: &[Option<Id>], report: &mut Report) {
    let mut first: HashMap<&str, Pos> = HashMap::new();
    for (item, id) in items.iter().zip(ids) {
        let Some(id) = id else { continue };
        match first.get(id.id.as_str()) {
            Some(at) => {
                let at = format!("{}!{}", report.sheet(), a1(at.0, at.1));
                report.push(
                    Severity::Error,
                    Code::IdDuplicate,
                    item.candidate.id_cell,
                    Some(&id.id),
                    &[("id", &id.id), ("first", &at)],
                );
            }
            None => {
                first.insert(&id.id, item.candidate.id_cell);
            }
        }
    }
}
