//! Walking a master sheet row by row below its header: item rows, 合计 and total rows, repeated
//! headers, notes and blanks.
//!
//! Merged cells are spread over the rows they cover. Where a merge was split (a table pasted
//! across page breaks) or is not recorded at all (.ods), an empty group-level cell continues the
//! group above it, and an empty category cell continues the category above it.

use rust_decimal::Decimal;

use super::header::{ColumnMap, Field, Labels, column_map, is_header_row};
use crate::model::{TotalKind, group_of};
use crate::text::{clean, collapse_spaced_chars, decimal_from_f64, parse_decimal, to_halfwidth};
use crate::workbook::{Grid, Value};

/// A cell position, 0-based (row, col).
pub type Pos = (u32, u32);

/// A text and the cell it was read from (the merge origin for spread values).
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub text: String,
    pub cell: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WeightCell {
    Missing,
    Number(Decimal),
    NotNumber(String),
}

/// One item row as it stands in the sheet, before names are split and checks run.
#[derive(Debug, Clone)]
pub struct RawItem {
    /// The id as written, cleaned.
    pub id_text: String,
    /// The normalised id, when the written one is well-formed.
    pub id: Option<String>,
    pub id_cell: Pos,
    /// Category level texts, outermost first (duplicates of a horizontal merge removed).
    pub levels: Vec<Placed>,
    pub basis: Option<String>,
    pub indicator: Option<Placed>,
    pub task: Option<String>,
    pub task_cell: Option<Pos>,
    /// The header text of the task column (`二级指标`), when the section has one.
    pub task_label: Option<String>,
    pub weight: WeightCell,
    pub weight_cell: Pos,
    pub deadline: Option<String>,
    pub leaders: String,
    pub departments: String,
    pub departments_cell: Pos,
    pub persons: String,
}

impl RawItem {
    /// The id used in messages and the model: normalised when well-formed, as written otherwise.
    pub fn key(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.id_text)
    }
}

#[derive(Debug, Clone)]
pub enum Row {
    Item(Box<RawItem>),
    Total {
        kind: TotalKind,
        label: String,
        declared: Option<Decimal>,
        weight_cell: Pos,
    },
    /// A row with a weight or a task but no id.
    MissingId {
        cell: Pos,
    },
}

/// The first header block of a sheet: its rows and the column map it gives.
pub fn locate(grid: &Grid, labels: &Labels) -> Option<(std::ops::Range<u32>, ColumnMap)> {
    let mut row = 0;
    while row < grid.height() {
        if is_header_row(grid, row, labels) {
            let start = row;
            while row < grid.height() && row - start < 3 && is_header_row(grid, row, labels) {
                row += 1;
            }
            if let Some(map) = column_map(grid, start..row, labels) {
                return Some((start..row, map));
            }
        } else {
            row += 1;
        }
    }
    None
}

/// The first text above the header: the table's title.
pub fn title_above(grid: &Grid, header_start: u32) -> Option<String> {
    (0..header_start).find_map(|row| {
        (0..grid.width())
            .map(|col| clean(&grid.raw(row, col).to_text()))
            .find(|t| !t.is_empty())
    })
}

/// A well-formed id in normal form (`1-1-1`), from spellings like `1－1－1`, `１-１`, `4.2`.
pub fn normalize_id(text: &str) -> Option<String> {
    let half: String = to_halfwidth(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '—' | '–' | '‐' | '‑' | '_' | '.' | '、' => '-',
            _ => c,
        })
        .collect();
    let parts: Vec<&str> = half.split('-').collect();
    let well_formed = !parts.is_empty()
        && parts.len() <= 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()));
    well_formed.then_some(half)
}

fn text_at(grid: &Grid, row: u32, col: Option<u32>) -> Option<Placed> {
    let col = col?;
    let text = clean(&grid.spread(row, col).to_text());
    (!text.is_empty()).then(|| Placed {
        text,
        cell: grid.origin(row, col),
    })
}

fn weight_at(grid: &Grid, row: u32, col: u32) -> WeightCell {
    // The weight is the cell's own value: a weight merged over several items would otherwise
    // count once per item.
    match grid.raw(row, col) {
        Value::Empty => WeightCell::Missing,
        Value::Number(n) => match decimal_from_f64(*n) {
            Some(d) => WeightCell::Number(d),
            None => WeightCell::NotNumber(n.to_string()),
        },
        Value::Text(t) if t.trim().is_empty() => WeightCell::Missing,
        Value::Text(t) => {
            let trimmed = t.trim();
            let unit_free = trimmed.strip_suffix('分').unwrap_or(trimmed);
            match parse_decimal(unit_free) {
                Some(d) => WeightCell::Number(d),
                None => WeightCell::NotNumber(trimmed.to_string()),
            }
        }
        other => WeightCell::NotNumber(other.to_text()),
    }
}

/// Reads every row below the first header.
pub fn walk(grid: &Grid, header_end: u32, first_map: ColumnMap, labels: &Labels) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut map = first_map;
    let mut prev_levels: Vec<Placed> = Vec::new();
    let mut prev_item: Option<RawItem> = None;
    let mut row = header_end;
    while row < grid.height() {
        if is_header_row(grid, row, labels) {
            // A header repeated mid-table (a page break), possibly with its own columns.
            let start = row;
            while row < grid.height() && row - start < 3 && is_header_row(grid, row, labels) {
                row += 1;
            }
            if let Some(next) = column_map(grid, start..row, labels) {
                map = next;
            }
            continue;
        }
        let weight_col = map.col(Field::Weight).unwrap_or(0);
        let id_col = map.col(Field::Id).unwrap_or(0);
        let first_text = (0..weight_col.max(id_col + 1))
            .map(|col| clean(&grid.spread(row, col).to_text()))
            .find(|t| !t.is_empty());
        if let Some(text) = &first_text {
            if let Some(kind) = labels.total_kind(text) {
                let declared = match weight_at(grid, row, weight_col) {
                    WeightCell::Number(d) => Some(d),
                    _ => None,
                };
                rows.push(Row::Total {
                    kind,
                    label: text.clone(),
                    declared,
                    weight_cell: (row, weight_col),
                });
                prev_levels.clear();
                prev_item = None;
                row += 1;
                continue;
            }
            if labels.is_note(text) {
                row += 1;
                continue;
            }
        }
        let id_text = clean(&grid.spread(row, id_col).to_text());
        if id_text.is_empty() {
            let has_weight = !grid.raw(row, weight_col).is_empty();
            let has_task = map
                .col(Field::Task)
                .is_some_and(|c| !grid.raw(row, c).is_empty());
            if has_weight || has_task {
                rows.push(Row::MissingId {
                    cell: (row, id_col),
                });
            }
            row += 1;
            continue;
        }
        let item = read_item(grid, row, &map, id_text, &prev_levels, prev_item.as_ref());
        prev_levels = item.1;
        prev_item = Some(item.0.clone());
        rows.push(Row::Item(Box::new(item.0)));
        row += 1;
    }
    rows
}

/// Category levels of `row`: a new value starts a new branch; an empty cell continues the level
/// above unless a level further out already changed.
fn levels_at(grid: &Grid, row: u32, map: &ColumnMap, prev: &[Placed]) -> Vec<Placed> {
    let mut levels = Vec::new();
    let mut changed = false;
    for (k, &col) in map.category.iter().enumerate() {
        let text = collapse_spaced_chars(&clean(&grid.spread(row, col).to_text()));
        if !text.is_empty() {
            if prev.get(k).map(|p| &p.text) != Some(&text) {
                changed = true;
            }
            levels.push(Placed {
                text,
                cell: grid.origin(row, col),
            });
        } else if !changed && k < prev.len() {
            levels.push(prev[k].clone());
        } else {
            break;
        }
    }
    levels
}

fn read_item(
    grid: &Grid,
    row: u32,
    map: &ColumnMap,
    id_text: String,
    prev_levels: &[Placed],
    prev: Option<&RawItem>,
) -> (RawItem, Vec<Placed>) {
    let id_col = map.col(Field::Id).unwrap_or(0);
    let id = normalize_id(&id_text);
    let group = group_of(id.as_deref().unwrap_or(&id_text));
    let same_group = prev.filter(|p| group_of(p.key()) == group);
    // Without merge information an empty item-level cell may be the hidden part of a merge too.
    let inherit_items = !grid.merges_known();

    let levels_full = levels_at(grid, row, map, prev_levels);
    let mut levels = levels_full.clone();
    levels.dedup_by(|a, b| a.text == b.text);

    let text = |field: Field| text_at(grid, row, map.col(field));
    // Group-level cells (文件依据, 一级指标) continue the group above when empty: the hidden
    // part of a merge the format did not record, or a merge split at a page break.
    let basis = text(Field::Basis).map(|p| p.text).or_else(|| {
        map.col(Field::Basis)
            .and(same_group)
            .and_then(|p| p.basis.clone())
    });
    let indicator = text(Field::Indicator).or_else(|| {
        map.col(Field::Indicator)
            .and(same_group)
            .and_then(|p| p.indicator.clone())
    });
    let inherit = |field: Field, from: Option<String>| {
        text(field)
            .map(|p| p.text)
            .or(if inherit_items && map.col(field).is_some() {
                from
            } else {
                None
            })
    };
    let task = text(Field::Task);
    let weight_col = map.col(Field::Weight).unwrap_or(0);
    let departments_col = map.col(Field::Departments).unwrap_or(0);
    let item = RawItem {
        id_text,
        id,
        id_cell: (row, id_col),
        levels,
        basis,
        indicator,
        task_cell: map.col(Field::Task).map(|c| (row, c)),
        task: task.map(|p| p.text),
        task_label: map.labels.get(&Field::Task).cloned(),
        weight: weight_at(grid, row, weight_col),
        weight_cell: (row, weight_col),
        deadline: inherit(Field::Deadline, same_group.and_then(|p| p.deadline.clone())),
        leaders: inherit(Field::Leaders, same_group.map(|p| p.leaders.clone())).unwrap_or_default(),
        departments: inherit(
            Field::Departments,
            same_group.map(|p| p.departments.clone()),
        )
        .unwrap_or_default(),
        departments_cell: (row, departments_col),
        persons: inherit(Field::Persons, same_group.map(|p| p.persons.clone())).unwrap_or_default(),
    };
    (item, levels_full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_normalise_common_spellings() {
        assert_eq!(normalize_id("1-1-1").as_deref(), Some("1-1-1"));
        assert_eq!(normalize_id("１－１－１").as_deref(), Some("1-1-1"));
        assert_eq!(normalize_id("4.2").as_deref(), Some("4-2"));
        assert_eq!(normalize_id(" 10 - 1 ").as_deref(), Some("10-1"));
        assert_eq!(normalize_id("9").as_deref(), Some("9"));
        assert_eq!(normalize_id("1--1"), None);
        assert_eq!(normalize_id("一-1"), None);
        assert_eq!(normalize_id("1-1-1-1-1"), None);
    }
}
