//! Reading master tables as offices make them: finding the table and its header by their labels,
//! spreading merged cells, recognising categories, groups, items and total rows, splitting
//! names, and checking that the table adds up.
//!
//! ```no_run
//! use tianbao::{master, spec::Spec};
//! let read = master::read_master(std::path::Path::new("samples/master.xlsx"), &Spec::builtin(), None)?;
//! assert_eq!(read.master.items.len(), 61);
//! # Ok::<(), tianbao::master::MasterError>(())
//! ```

mod checks;
pub mod header;
mod names;
pub mod source;
pub mod table;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rust_decimal::Decimal;

use crate::finding::Finding;
use crate::model::{Category, Item, Master, TotalKind, TotalRow, departments_of, group_of};
use crate::spec::Spec;
use crate::text::{split_names, split_points, trailing_points};
use crate::workbook::{self, OpenError, Visibility, Workbook};
use header::Labels;
use table::{RawItem, Row, WeightCell};

/// Why a master table could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum MasterError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("{path} has no sheet named \"{sheet}\"; its sheets are: {available}")]
    SheetNotFound {
        path: String,
        sheet: String,
        available: String,
    },
    #[error(
        "no table header found in {path} (sheets searched: {searched}); a header needs at least \
         the columns {needed}. Check that this is the master table, or name the sheet with --sheet"
    )]
    NoHeader {
        path: String,
        searched: String,
        needed: String,
    },
    #[error(
        "the table in {path}, sheet \"{sheet}\", has a header but no item rows below it (an item \
         row has an id such as 1-1-1 in the {id_label} column)"
    )]
    NoItems {
        path: String,
        sheet: String,
        id_label: String,
    },
}

/// A master table read, with everything worth telling about it.
#[derive(Debug, Clone)]
pub struct MasterRead {
    pub master: Master,
    pub findings: Vec<Finding>,
}

/// Reads the master table in the file at `path`.
pub fn read_master(
    path: &Path,
    spec: &Spec,
    sheet: Option<&str>,
) -> Result<MasterRead, MasterError> {
    let workbook = workbook::open(path)?;
    read_master_workbook(&path.display().to_string(), &workbook, spec, sheet)
}

/// Reads the master table in an opened workbook; `path` names it in messages.
pub fn read_master_workbook(
    path: &str,
    workbook: &Workbook,
    spec: &Spec,
    sheet: Option<&str>,
) -> Result<MasterRead, MasterError> {
    let labels = Labels::new(&spec.master);
    let candidates: Vec<&workbook::Sheet> = match sheet {
        Some(name) => vec![workbook.sheet(name).ok_or_else(|| {
            MasterError::SheetNotFound {
                path: path.to_string(),
                sheet: name.to_string(),
                available: workbook
                    .sheets
                    .iter()
                    .map(|s| format!("\"{}\"", s.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })?],
        // Visible sheets first: a hidden sheet is more likely an old copy than the table.
        None => workbook
            .sheets
            .iter()
            .filter(|s| s.visibility == Visibility::Visible)
            .chain(
                workbook
                    .sheets
                    .iter()
                    .filter(|s| s.visibility != Visibility::Visible),
            )
            .collect(),
    };
    let found = candidates
        .iter()
        .find_map(|s| table::locate(&s.grid, &labels).map(|found| (*s, found)));
    let Some((sheet, (header_rows, map))) = found else {
        return Err(MasterError::NoHeader {
            path: path.to_string(),
            searched: candidates
                .iter()
                .map(|s| format!("\"{}\"", s.name))
                .collect::<Vec<_>>()
                .join(", "),
            needed: [
                &spec.master.id,
                &spec.master.weight,
                &spec.master.departments,
            ]
            .iter()
            .map(|l| l.first().cloned().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(", "),
        });
    };
    let title = table::title_above(&sheet.grid, header_rows.start);
    let rows = table::walk(&sheet.grid, header_rows.end, map, &labels);
    if !rows.iter().any(|r| matches!(r, Row::Item(_))) {
        return Err(MasterError::NoItems {
            path: path.to_string(),
            sheet: sheet.name.clone(),
            id_label: spec.master.id.first().cloned().unwrap_or_default(),
        });
    }
    Ok(build(title, &sheet.name, rows, spec))
}

/// Turns the walked rows into the model and runs the table's checks.
fn build(title: Option<String>, sheet: &str, rows: Vec<Row>, spec: &Spec) -> MasterRead {
    let mut report = checks::Report::new(sheet, spec);
    let raw_items: Vec<&RawItem> = rows
        .iter()
        .filter_map(|r| match r {
            Row::Item(item) => Some(item.as_ref()),
            _ => None,
        })
        .collect();

    // How many items name each department: the vocabulary for repairing joined names.
    let split: Vec<(Vec<String>, Vec<String>)> = raw_items
        .iter()
        .map(|raw| (split_names(&raw.departments), split_names(&raw.persons)))
        .collect();
    let mut occurrences: HashMap<&str, usize> = HashMap::new();
    for (departments, _) in &split {
        for name in departments.iter().collect::<HashSet<_>>() {
            *occurrences.entry(name.as_str()).or_default() += 1;
        }
    }

    let mut items = Vec::with_capacity(raw_items.len());
    for (raw, (departments, persons)) in raw_items.iter().zip(&split) {
        let mut departments = departments.clone();
        if departments.len() < persons.len() {
            // Names some other item uses too.
            let elsewhere: HashSet<String> = occurrences
                .iter()
                .filter(|(name, count)| {
                    **count > usize::from(departments.iter().any(|d| d == *name))
                })
                .map(|(name, _)| name.to_string())
                .collect();
            if let Some(repaired) = names::repair_joined(&departments, persons.len(), &elsewhere) {
                report.names_repaired(raw, &departments, &repaired);
                departments = repaired;
            }
        }
        if !departments.is_empty() && !persons.is_empty() && departments.len() != persons.len() {
            report.names_mismatch(raw, &departments, persons);
        }
        items.push(item_from(raw, departments, persons.clone()));
    }

    report.missing_ids(&rows);
    report.item_checks(&raw_items, &items);
    let categories = category_tree(&raw_items, &items, sheet);
    report.category_points(&categories);
    report.group_points(&raw_items, &items);

    let totals = total_rows(&rows, &items);
    report.totals(&rows, &totals, &items);

    let departments = departments_of(&items);
    MasterRead {
        master: Master::new(
            title,
            sheet.to_string(),
            items,
            categories,
            totals,
            departments,
        ),
        findings: report.into_findings(),
    }
}

fn item_from(raw: &RawItem, departments: Vec<String>, persons: Vec<String>) -> Item {
    let id = raw.key().to_string();
    Item {
        group: group_of(&id),
        id,
        category: raw.levels.iter().map(|l| split_points(&l.text).0).collect(),
        basis: raw.basis.clone(),
        indicator: raw.indicator.as_ref().map(|p| p.text.clone()),
        points: raw
            .indicator
            .as_ref()
            .and_then(|p| trailing_points(&p.text))
            .map(|(points, _)| points),
        task: raw.task.clone(),
        weight: match raw.weight {
            WeightCell::Number(d) if d >= Decimal::ZERO => Some(d),
            _ => None,
        },
        deadline: raw.deadline.clone(),
        leaders: split_names(&raw.leaders),
        departments,
        persons,
        row: raw.id_cell.0 + 1,
    }
}

/// Categories by their level names, with the points each level's cell declares.
fn category_tree(raw_items: &[&RawItem], items: &[Item], sheet: &str) -> Vec<Category> {
    let mut roots: Vec<Category> = Vec::new();
    for (raw, item) in raw_items.iter().zip(items) {
        let mut level = &mut roots;
        let depth = raw.levels.len();
        for (k, placed) in raw.levels.iter().enumerate() {
            let (name, points) = split_points(&placed.text);
            let index = match level.iter().position(|c| c.name == name) {
                Some(i) => i,
                None => {
                    level.push(Category {
                        name,
                        points,
                        weight: Decimal::ZERO,
                        cell: format!(
                            "{sheet}!{}",
                            crate::finding::a1(placed.cell.0, placed.cell.1)
                        ),
                        position: placed.cell,
                        children: Vec::new(),
                        items: Vec::new(),
                    });
                    level.len() - 1
                }
            };
            let node = &mut level[index];
            if node.points.is_none() {
                node.points = points;
            }
            node.weight = (node.weight + item.weight.unwrap_or_default()).normalize();
            if k + 1 == depth {
                node.items.push(item.id.clone());
            }
            level = &mut node.children;
        }
    }
    roots
}

/// The 合计 and total rows with the categories each adds up.
fn total_rows(rows: &[Row], items: &[Item]) -> Vec<TotalRow> {
    let mut totals = Vec::new();
    let mut item_index = 0;
    let mut since: Vec<String> = Vec::new();
    let mut all: Vec<String> = Vec::new();
    for row in rows {
        match row {
            Row::Item(_) => {
                if let Some(top) = items[item_index].category.first() {
                    for list in [&mut since, &mut all] {
                        if !list.contains(top) {
                            list.push(top.clone());
                        }
                    }
                }
                item_index += 1;
            }
            Row::Total {
                kind,
                label,
                declared,
                weight_cell,
            } => {
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
            }
            Row::MissingId { .. } => {}
        }
    }
    totals
}
