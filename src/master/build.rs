//! From walked rows to the model: items with their ids, texts, weights and departments (lead
//! and cooperating, names for all units expanded), the category tree, the total rows, and the
//! findings of each.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use rust_decimal::Decimal;

use super::checks::{Report, looks_cut_off};
use super::ids::{self, Id, ItemRow};
use super::labels::Labels;
use super::names::{self, is_all_units, marked_names, units_for, units_in_note};
use super::rows::{Blocks, Candidate, Pos, Raw, Row, WeightCell};
use super::sections::{Decided, Section, Split};
use crate::cell_text::{show, split_names, split_points, trailing_points};
use crate::finding::{Code, Severity};
use crate::model::{Category, Item, ItemText, Parts, Role, TotalKind, TotalRow, group_of};

/// What building needs besides the rows.
pub struct Context<'a> {
    pub labels: &'a Labels,
    pub units: &'a IndexMap<String, Vec<String>>,
    pub first_leads: bool,
    pub sheet: &'a str,
}

/// The model's parts and what each walked row turned out to be.
pub struct Built {
    pub parts: Parts,
    pub decided: Vec<Decided>,
    pub sections: Vec<Section>,
    /// Walked row index of each total row.
    pub total_rows: Vec<usize>,
}

/// Notes of the table: whether one says the first listed leads, and their texts.
fn notes(rows: &[Row]) -> Vec<&str> {
    placed_notes(rows).into_iter().map(|(_, t)| t).collect()
}

/// The notes with the cell each starts in (its row, column A).
fn placed_notes(rows: &[Row]) -> Vec<(Pos, &str)> {
    rows.iter()
        .filter_map(|r| match &r.raw {
            Raw::Note(text) => Some(((r.row, 0), text.as_str())),
            _ => None,
        })
        .collect()
}

/// The candidate row at walked index `row`: every item is one.
fn candidate(rows: &[Row], row: usize) -> &Candidate {
    match &rows[row].raw {
        Raw::Candidate(c) => c.as_ref(),
        _ => unreachable!("items are candidate rows"),
    }
}

/// The items kept (those with an id), in order, with what each was built from.
#[derive(Default)]
struct Kept {
    items: Vec<Item>,
    /// The walked row of each item.
    rows: Vec<usize>,
    /// Each item's category path (its sections, group sections left out).
    paths: Vec<Vec<usize>>,
    /// Per item: the group section it lies in, if any.
    groups: Vec<Option<usize>>,
    /// Index among the split's items → index among the items kept.
    renumber: HashMap<usize, usize>,
}

/// Resolves the items' ids and builds each item that has one, with its departments; marks the
/// rows of those without one as other rows.
fn keep_items(
    ctx: &Context,
    rows: &[Row],
    blocks: &Blocks,
    item_rows: &[(usize, Vec<usize>)],
    sections: &[Section],
    decided: &mut [Decided],
    report: &mut Report,
) -> Kept {
    let id_rows: Vec<ItemRow> = item_rows
        .iter()
        .map(|(row, path)| ItemRow {
            candidate: candidate(rows, *row),
            path,
        })
        .collect();
    let resolved = ids::resolve(&id_rows, sections, report);
    let notes = notes(rows);
    let first_leads = ctx.first_leads || notes.iter().any(|n| ctx.labels.says_first_leads(n));
    let placed = placed_notes(rows);
    let mut units = Units::new(ctx, &placed);
    let mut kept = Kept::default();
    for (k, ((row, path), id)) in item_rows.iter().zip(resolved).enumerate() {
        let Some(id) = id else {
            decided[*row] = Decided::Other;
            continue;
        };
        let c = candidate(rows, *row);
        let (departments, lead_count) =
            responsible(ctx, c, blocks, rows[*row].header, first_leads, &mut units);
        let (departments, lead_count) = only_names(departments, lead_count, c, &id.id, report);
        // Group sections are not categories: the item carries the group's points.
        let group = path.iter().rev().copied().find(|&s| sections[s].group);
        let path: Vec<usize> = path
            .iter()
            .copied()
            .filter(|&s| !sections[s].group)
            .collect();
        let category = category_path(sections, &path, c);
        kept.renumber.insert(k, kept.items.len());
        decided[*row] = Decided::Item(kept.items.len());
        kept.rows.push(*row);
        kept.paths.push(path);
        kept.groups.push(group);
        let mut item = item_of(c, id, category, departments, lead_count);
        if let Some(g) = group
            && item.points.is_none()
        {
            item.points = sections[g].points;
        }
        kept.items.push(item);
    }
    units.report(report);
    kept
}

/// The cell each item's indicator is shown in: its own, or its group's heading.
fn indicator_cells(
    candidates: &[&Candidate],
    groups: &[Option<usize>],
    sections: &[Section],
) -> Vec<Option<Pos>> {
    candidates
        .iter()
        .zip(groups)
        .map(|(c, group)| {
            c.texts
                .iter()
                .find(|(_, r, _)| *r == Role::Indicator)
                .map(|(_, _, p)| p.cell)
                .or_else(|| group.map(|g| sections[g].cell))
        })
        .collect()
}

pub fn build(
    ctx: &Context,
    rows: &[Row],
    blocks: &Blocks,
    split: Split,
    report: &mut Report,
) -> Built {
    let Split {
        mut decided,
        sections,
        items: item_rows,
    } = split;
    let Kept {
        mut items,
        rows: kept,
        paths,
        groups,
        renumber,
    } = keep_items(
        ctx,
        rows,
        blocks,
        &item_rows,
        &sections,
        &mut decided,
        report,
    );
    let sections = renumbered(sections, &renumber);
    let weighted = blocks.maps.iter().any(|m| m.col(Role::Weight).is_some());
    let candidates: Vec<&Candidate> = kept.iter().map(|&r| candidate(rows, r)).collect();
    names_repairs(&mut items, &candidates, report);
    item_checks(
        &mut items,
        &candidates,
        rows,
        blocks,
        &kept,
        weighted,
        report,
    );
    let categories = category_tree(&items, &candidates, &paths, &sections, ctx.sheet);
    report.category_points(&categories);
    report.group_points(&items, &indicator_cells(&candidates, &groups, &sections));
    let (totals, total_rows, weight_cells) = total_rows(rows, &decided, &items);
    if weighted {
        report.totals(&totals, &weight_cells, &items);
    }
    let parts = Parts {
        title: None,
        sheet: ctx.sheet.to_string(),
        columns: Vec::new(),
        text_columns: blocks.text_columns.clone(),
        items,
        categories,
        totals,
        weighted,
        id_label: None,
        labels: IndexMap::new(),
    };
    Built {
        parts,
        decided,
        sections,
        total_rows,
    }
}

/// Sections' item ranges after items without an id were dropped.
fn renumbered(mut sections: Vec<Section>, renumber: &HashMap<usize, usize>) -> Vec<Section> {
    for section in &mut sections {
        let kept: Vec<usize> = section
            .items
            .clone()
            .filter_map(|k| renumber.get(&k).copied())
            .collect();
        section.items = match (kept.first(), kept.last()) {
            (Some(&a), Some(&b)) => a..b + 1,
            _ => 0..0,
        };
    }
    sections
}

fn item_of(
    c: &Candidate,
    id: Id,
    category: Vec<String>,
    departments: Vec<String>,
    lead_count: usize,
) -> Item {
    let points = c
        .texts
        .iter()
        .find(|(_, r, _)| *r == Role::Indicator)
        .and_then(|(_, _, p)| trailing_points(&p.text))
        .map(|(points, _)| points);
    Item {
        group: group_of(&id.id),
        id: id.id,
        id_assigned: id.assigned,
        category,
        points,
        texts: c
            .texts
            .iter()
            .map(|(column, role, placed)| ItemText {
                column: *column,
                role: *role,
                text: placed.text.clone(),
            })
            .collect(),
        weight: match c.weight.number() {
            Some(d) if d >= Decimal::ZERO => Some(d),
            _ => None,
        },
        deadline: c.deadline.clone(),
        leaders: split_names(&c.leaders),
        departments,
        lead_count,
        persons: split_names(&c.persons),
        row: c.id_cell.0 + 1,
        hidden: c.hidden,
    }
}

/// Category names: the sections' names, then the category columns' texts, without points.
fn category_path(sections: &[Section], path: &[usize], c: &Candidate) -> Vec<String> {
    let mut names: Vec<String> = path.iter().map(|&s| sections[s].name.clone()).collect();
    let mut levels: Vec<String> = c.levels.iter().map(|l| split_points(&l.text).0).collect();
    levels.dedup();
    names.extend(levels);
    names
}

/// Names for all units met, and what they were expanded to.
struct Units<'a> {
    ctx: &'a Context<'a>,
    notes: &'a [(Pos, &'a str)],
    /// token → (first cell, units, or none known)
    met: IndexMap<String, (Pos, Option<Vec<String>>, usize)>,
    /// token → the two notes that define it differently.
    conflicts: IndexMap<String, (Pos, Pos)>,
}

impl<'a> Units<'a> {
    fn new(ctx: &'a Context<'a>, notes: &'a [(Pos, &'a str)]) -> Units<'a> {
        Units {
            ctx,
            notes,
            met: IndexMap::new(),
            conflicts: IndexMap::new(),
        }
    }

    /// The names `name` stands for: itself, or the units it names.
    fn expand(&mut self, name: String, cell: Pos) -> Vec<String> {
        if !is_all_units(&name, self.ctx.labels) {
            return vec![name];
        }
        let (ctx, notes) = (self.ctx, self.notes);
        let conflicts = &mut self.conflicts;
        let entry = self.met.entry(name.clone()).or_insert_with(|| {
            let defined: Vec<(Pos, Vec<String>)> = notes
                .iter()
                .filter_map(|(at, n)| units_in_note(n, &name, ctx.labels).map(|u| (*at, u)))
                .collect();
            if let Some((first, list)) = defined.first()
                && let Some((second, _)) = defined.iter().find(|(_, other)| other != list)
            {
                conflicts.insert(name.clone(), (*first, *second));
            }
            let list = units_for(&name, ctx.units)
                .cloned()
                .or_else(|| defined.into_iter().next().map(|(_, u)| u));
            (cell, list, 0)
        });
        entry.2 += 1;
        entry.1.clone().unwrap_or_else(|| vec![name])
    }

    fn report(&self, report: &mut Report) {
        for (token, (first, second)) in &self.conflicts {
            let sheet = report.sheet().to_string();
            let at = |p: &Pos| format!("{sheet}!{}", crate::workbook::a1(p.0, p.1));
            report.push(
                Severity::Error,
                Code::UnitsDefinedTwice,
                *second,
                None,
                &[
                    ("value", token),
                    ("first", &at(first)),
                    ("second", &at(second)),
                ],
            );
        }
        for (token, (cell, units, count)) in &self.met {
            let count = count.to_string();
            match units {
                Some(units) => report.push(
                    Severity::Warning,
                    Code::UnitsExpanded,
                    *cell,
                    None,
                    &[
                        ("value", token),
                        ("expected", &units.join("、")),
                        ("count", &count),
                        ("units", &units.len().to_string()),
                    ],
                ),
                None => report.push(
                    Severity::Error,
                    Code::UnitsUnknown,
                    *cell,
                    None,
                    &[("value", token), ("count", &count)],
                ),
            }
        }
    }
}

/// The departments of an item, lead first, and how many lead.
fn responsible(
    ctx: &Context,
    c: &Candidate,
    blocks: &Blocks,
    header: usize,
    first_leads: bool,
    units: &mut Units,
) -> (Vec<String>, usize) {
    let has_cooperating_column = blocks.maps[header].col(Role::Cooperating).is_some();
    // Each name with the cell it was written in, so a finding about it names that cell.
    let mut lead: Vec<(String, Pos)> = Vec::new();
    let mut cooperating: Vec<(String, Pos)> = Vec::new();
    for (k, (role, text)) in c.departments.iter().enumerate() {
        let at = c
            .departments_at
            .get(k)
            .copied()
            .unwrap_or(c.departments_cell);
        let placed = |names: Vec<String>| names.into_iter().map(move |n| (n, at));
        let marked = marked_names(text, ctx.labels);
        lead.extend(placed(marked.lead));
        cooperating.extend(placed(marked.cooperating));
        let plain = placed(marked.plain);
        match role {
            Role::Cooperating => cooperating.extend(plain),
            Role::Departments if !has_cooperating_column && !lead.is_empty() => {
                cooperating.extend(plain)
            }
            Role::Departments if !has_cooperating_column && first_leads => {
                let mut plain = plain.into_iter();
                lead.extend(plain.next());
                cooperating.extend(plain);
            }
            _ => lead.extend(plain),
        }
    }
    let lead: Vec<String> = lead
        .into_iter()
        .flat_map(|(n, at)| units.expand(n, at))
        .collect();
    let cooperating: Vec<String> = cooperating
        .into_iter()
        .flat_map(|(n, at)| units.expand(n, at))
        .collect();
    let mut departments: Vec<String> = Vec::new();
    for name in lead {
        if !departments.contains(&name) {
            departments.push(name);
        }
    }
    let lead_count = departments.len();
    for name in cooperating {
        if !departments.contains(&name) {
            departments.push(name);
        }
    }
    (departments, lead_count)
}

/// The responsible units that are names: one that is empty, only dots or punctuation (`..` of
/// `../../逃逸科` split at `/`) is a warning naming the cell and the item, and no workbook is
/// made for it; the other units of the cell are kept (an item left with none is
/// `departments_missing`).
fn only_names(
    departments: Vec<String>,
    lead_count: usize,
    c: &Candidate,
    id: &str,
    report: &mut Report,
) -> (Vec<String>, usize) {
    let mut kept = Vec::new();
    let mut kept_leads = 0;
    for (i, name) in departments.into_iter().enumerate() {
        if is_a_unit_name(&name) {
            kept_leads += usize::from(i < lead_count);
            kept.push(name);
        } else {
            report.push(
                Severity::Warning,
                Code::DepartmentInvalid,
                c.departments_cell,
                Some(id),
                &[("value", &name)],
            );
        }
    }
    (kept, kept_leads)
}

/// Whether `name` can name a unit: some letter or digit in it (`..`, `…`, `、、` cannot).
/// Characters a file name cannot hold are made safe where a name becomes a file.
pub fn is_a_unit_name(name: &str) -> bool {
    name.chars().any(char::is_alphanumeric)
}

/// Joined department names repaired against the persons (`机关党委人事科` with two persons),
/// and departments that cannot be paired with their persons.
fn names_repairs(items: &mut [Item], candidates: &[&Candidate], report: &mut Report) {
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    for item in items.iter() {
        for name in item.departments.iter().collect::<HashSet<_>>() {
            *occurrences.entry(name.clone()).or_default() += 1;
        }
    }
    for (item, c) in items.iter_mut().zip(candidates) {
        let persons = item.persons.len();
        if item.departments.len() < persons && item.lead_count == item.departments.len() {
            let elsewhere: HashSet<String> = occurrences
                .iter()
                .filter(|(name, count)| **count > usize::from(item.departments.contains(name)))
                .map(|(name, _)| name.clone())
                .collect();
            if let Some(repaired) = names::repair_joined(&item.departments, persons, &elsewhere) {
                report.push(
                    Severity::Warning,
                    Code::NamesRepaired,
                    c.departments_cell,
                    Some(&item.id),
                    &[
                        ("value", &item.departments.join(" ")),
                        ("expected", &repaired.join("、")),
                    ],
                );
                item.lead_count = repaired.len();
                item.departments = repaired;
            }
        }
        if !item.departments.is_empty() && persons > 0 && item.departments.len() != persons {
            report.push(
                Severity::Warning,
                Code::NamesMismatch,
                c.departments_cell,
                Some(&item.id),
                &[
                    ("departments", &item.departments.len().to_string()),
                    ("persons", &persons.to_string()),
                    ("value", &item.departments.join("、")),
                    ("expected", &item.persons.join("、")),
                ],
            );
        }
    }
}

/// Checks of each item on its own: weight, departments, task text, hidden row; and weights
/// written as fractions of one (percent cells) read as percentages.
fn item_checks(
    items: &mut [Item],
    candidates: &[&Candidate],
    rows: &[Row],
    blocks: &Blocks,
    kept: &[usize],
    weighted: bool,
    report: &mut Report,
) {
    for ((item, c), &row) in items.iter().zip(candidates).zip(kept) {
        let id = item.id.as_str();
        if weighted {
            weight_check(c, id, report);
        }
        if item.departments.is_empty() {
            report.push(
                Severity::Error,
                Code::DepartmentsMissing,
                c.departments_cell,
                Some(id),
                &[],
            );
        }
        let map = &blocks.maps[rows[row].header];
        if let Some(col) = map.col(Role::Task) {
            let label = &map.labels[col as usize];
            match item.task() {
                None => report.push(
                    Severity::Warning,
                    Code::TaskEmpty,
                    (c.id_cell.0, col),
                    Some(id),
                    &[("label", label)],
                ),
                Some(task) if looks_cut_off(task) => {
                    let tail: String = task
                        .chars()
                        .rev()
                        .take(6)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect();
                    report.push(
                        Severity::Warning,
                        Code::TextUnterminated,
                        (c.id_cell.0, col),
                        Some(id),
                        &[("label", label), ("value", &tail)],
                    );
                }
                Some(_) => {}
            }
        }
        if item.hidden {
            report.push(
                Severity::Warning,
                Code::RowHidden,
                c.id_cell,
                Some(id),
                &[("row", &item.row.to_string())],
            );
        }
    }
    if weighted {
        percent_weights(items, candidates, report);
    }
}

fn weight_check(c: &Candidate, id: &str, report: &mut Report) {
    let cell = c.weight_cell;
    match &c.weight {
        WeightCell::Missing if !c.weight_merged => {
            report.push(Severity::Error, Code::WeightMissing, cell, Some(id), &[])
        }
        WeightCell::Missing => {}
        WeightCell::NotNumber(value) => report.push(
            Severity::Error,
            Code::WeightNotNumber,
            cell,
            Some(id),
            &[("value", value)],
        ),
        WeightCell::Number(d) | WeightCell::Text(d, _) if *d < Decimal::ZERO => report.push(
            Severity::Error,
            Code::WeightNegative,
            cell,
            Some(id),
            &[("value", &show(*d))],
        ),
        WeightCell::Text(d, text) => report.push(
            Severity::Warning,
            Code::WeightText,
            cell,
            Some(id),
            &[("value", text), ("expected", &show(*d))],
        ),
        WeightCell::Number(_) => {}
    }
    if c.weight_merged && c.weight != WeightCell::Missing {
        report.push(Severity::Error, Code::WeightMerged, cell, Some(id), &[]);
    }
}

/// Every weight a fraction of one and all adding up to one: percent cells (25% stored as 0.25).
fn percent_weights(items: &mut [Item], candidates: &[&Candidate], report: &mut Report) {
    let weights: Vec<Decimal> = items.iter().filter_map(|i| i.weight).collect();
    let fractions = weights.len() == items.len()
        && weights.len() >= 2
        && weights.iter().all(|w| *w <= Decimal::ONE)
        && weights.iter().sum::<Decimal>() == Decimal::ONE;
    if !fractions {
        return;
    }
    for item in items.iter_mut() {
        item.weight = item.weight.map(|w| (w * Decimal::ONE_HUNDRED).normalize());
    }
    let cell = candidates.first().map_or((0, 0), |c| c.weight_cell);
    report.push(Severity::Warning, Code::WeightPercent, cell, None, &[]);
}

/// Categories by their names, with the points each declares (a section row, or the level cell).
fn category_tree(
    items: &[Item],
    candidates: &[&Candidate],
    paths: &[Vec<usize>],
    sections: &[Section],
    sheet: &str,
) -> Vec<Category> {
    let mut roots: Vec<Category> = Vec::new();
    for ((item, c), path) in items.iter().zip(candidates).zip(paths) {
        let places = category_places(c, path, sections);
        let mut level = &mut roots;
        for (k, (name, points, cell)) in places.iter().enumerate() {
            let index = match level.iter().position(|cat| &cat.name == name) {
                Some(i) => i,
                None => {
                    level.push(Category {
                        name: name.clone(),
                        points: *points,
                        weight: Decimal::ZERO,
                        cell: format!("{sheet}!{}", crate::workbook::a1(cell.0, cell.1)),
                        position: *cell,
                        children: Vec::new(),
                        items: Vec::new(),
                    });
                    level.len() - 1
                }
            };
            let node = &mut level[index];
            if node.points.is_none() {
                node.points = *points;
            }
            node.weight = (node.weight + item.weight.unwrap_or_default()).normalize();
            if k + 1 == places.len() {
                node.items.push(item.id.clone());
            }
            level = &mut node.children;
        }
    }
    roots
}

/// (name, declared points, cell) of each category level of an item: its sections, then its
/// category columns.
fn category_places(
    c: &Candidate,
    path: &[usize],
    sections: &[Section],
) -> Vec<(String, Option<Decimal>, Pos)> {
    let mut places: Vec<(String, Option<Decimal>, Pos)> = path
        .iter()
        .map(|&s| {
            (
                sections[s].name.clone(),
                sections[s].points,
                sections[s].cell,
            )
        })
        .collect();
    let mut last: Option<String> = None;
    for level in &c.levels {
        let (name, points) = split_points(&level.text);
        if last.as_ref() == Some(&name) {
            continue;
        }
        last = Some(name.clone());
        places.push((name, points, level.cell));
    }
    places
}

/// The 合计 and total rows with the categories each adds up; a lone 合计 after the last item is
/// the grand total. Also each one's walked row and weight cell.
fn total_rows(
    rows: &[Row],
    decided: &[Decided],
    items: &[Item],
) -> (Vec<TotalRow>, Vec<usize>, Vec<Pos>) {
    let mut totals = Vec::new();
    let mut at = Vec::new();
    let mut cells = Vec::new();
    let mut since: Vec<String> = Vec::new();
    let mut all: Vec<String> = Vec::new();
    for (k, row) in rows.iter().enumerate() {
        if let Decided::Item(i) = decided[k] {
            if let Some(top) = items[i].category.first() {
                for list in [&mut since, &mut all] {
                    if !list.contains(top) {
                        list.push(top.clone());
                    }
                }
            }
            continue;
        }
        let Raw::Total {
            kind,
            label,
            declared,
            weight_cell,
        } = &row.raw
        else {
            continue;
        };
        let covers = match kind {
            TotalKind::Subtotal => std::mem::take(&mut since),
            TotalKind::Total => {
                since.clear();
                all.clone()
            }
        };
        totals.push(TotalRow {
            kind: *kind,
            label: label.clone(),
            declared: *declared,
            covers,
            row: weight_cell.0 + 1,
        });
        at.push(k);
        cells.push(*weight_cell);
    }
    let last_item_row = items.iter().map(|i| i.row).max().unwrap_or(0);
    if let [only] = totals.as_mut_slice()
        && only.kind == TotalKind::Subtotal
        && only.row > last_item_row
    {
        only.kind = TotalKind::Total;
        only.covers = all;
    }
    (totals, at, cells)
}
