//! Walking a master sheet row by row below its header: each row becomes a [`Raw`] row — blank,
//! header (a new one, or one repeated at a page break), note, 合计/total, or a candidate that is
//! later told to be a section heading or an item.
//!
//! Merged cells are seen through (`Grid::spread`). Where a merge was split (a table pasted
//! across page breaks) or is not recorded, an empty group-level cell (文件依据, 一级指标)
//! continues the group above it, and an empty category cell continues the category above it.

use std::ops::Range;

use rust_decimal::Decimal;

use super::header::{ColumnMap, column_map, is_header_row, table_width};
use super::labels::Labels;
use super::numbering::{Numbering, heading_numbering, normalize_id};
use crate::cell_text::{
    clean, collapse_spaced_chars, decimal_from_f64, parse_decimal, to_halfwidth,
};
use crate::model::{Role, TextColumn, TotalKind, group_of};
use crate::workbook::{Grid, Sheet, Value};

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
    /// A text read as a number (`8分`, `５`, `20%`): the number and the text.
    Text(Decimal, String),
    NotNumber(String),
}

impl WeightCell {
    pub fn number(&self) -> Option<Decimal> {
        match self {
            WeightCell::Number(d) | WeightCell::Text(d, _) => Some(*d),
            _ => None,
        }
    }
}

/// What a section heading row says.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    /// The heading as read across its text cells, points included.
    pub text: String,
    pub numbering: Option<Numbering>,
    pub cell: Pos,
    /// The figures a numbered heading carries for its items (`一、产业项目` with 总投资 30000 in
    /// D): each cell and its number, to be checked against its items' sum.
    pub figures: Vec<(Pos, Decimal)>,
}

/// A row that is a section heading or an item; which is decided once all rows are read.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The id cell's own text, normalised (empty when the cell is empty or has no id column).
    pub id: String,
    /// The id as seen through a merge (the id of the row above when merged down).
    pub id_spread: String,
    /// The id cell as written, for messages.
    pub id_written: String,
    pub id_cell: Pos,
    /// Category column levels, outermost first (duplicates of a horizontal merge removed).
    pub levels: Vec<Placed>,
    /// Texts by text column (index into the sheet's text columns).
    pub texts: Vec<(usize, Role, Placed)>,
    pub weight: WeightCell,
    pub weight_cell: Pos,
    /// The weight cell is a merge over several rows.
    pub weight_merged: bool,
    pub deadline: Option<String>,
    pub leaders: String,
    /// Department cells by role (departments, lead, cooperating).
    pub departments: Vec<(Role, String)>,
    pub departments_cell: Pos,
    /// The cell of each of `departments`, in the same order (where a name in it was written).
    pub departments_at: Vec<Pos>,
    pub persons: String,
    /// The row reads as a section heading (merged across, or a number and a name only).
    pub heading: Option<Heading>,
    pub hidden: bool,
}

impl Candidate {
    pub fn has_departments(&self) -> bool {
        self.departments.iter().any(|(_, t)| !t.trim().is_empty())
    }
}

#[derive(Debug, Clone)]
pub enum Raw {
    Blank,
    /// The first row of a header block; `repeated` when it repeats the block in force.
    Header {
        rows: Range<u32>,
        repeated: bool,
    },
    /// A later row of a header block.
    HeaderRest,
    Note(String),
    Total {
        kind: TotalKind,
        label: String,
        declared: Option<Decimal>,
        weight_cell: Pos,
    },
    Candidate(Box<Candidate>),
    /// A row with a weight or a task but no id, in a table whose items have ids.
    Other,
}

/// One walked row: its 0-based row, what it is and the header block in force.
#[derive(Debug, Clone)]
pub struct Row {
    pub row: u32,
    pub raw: Raw,
    pub header: usize,
}

/// The header blocks met while walking and the text columns they name.
#[derive(Debug, Clone, Default)]
pub struct Blocks {
    pub maps: Vec<ColumnMap>,
    pub rows: Vec<Range<u32>>,
    pub text_columns: Vec<TextColumn>,
    /// Per block, per column: the index into `text_columns` of a text column.
    pub text_index: Vec<Vec<Option<usize>>>,
}

impl Blocks {
    pub fn push(&mut self, rows: Range<u32>, map: ColumnMap) {
        let mut index = Vec::with_capacity(map.roles.len());
        for (col, role) in map.roles.iter().enumerate() {
            if !role.is_text() {
                index.push(None);
                continue;
            }
            let label = map.labels[col].clone();
            let found = self
                .text_columns
                .iter()
                .position(|t| t.role == *role && t.label == label);
            index.push(Some(found.unwrap_or_else(|| {
                self.text_columns.push(TextColumn { role: *role, label });
                self.text_columns.len() - 1
            })));
        }
        self.text_index.push(index);
        self.maps.push(map);
        self.rows.push(rows);
    }
}

/// What the walk needs besides the sheet.
pub struct Walk<'a> {
    pub sheet: &'a Sheet,
    pub labels: &'a Labels,
    pub mapping: &'a [super::header::Mapping],
}

fn grid<'a>(walk: &Walk<'a>) -> &'a Grid {
    &walk.sheet.grid
}

fn spread_text(grid: &Grid, row: u32, col: u32) -> String {
    clean(&grid.spread(row, col).to_text())
}

fn block_texts(grid: &Grid, rows: Range<u32>, width: u32) -> Vec<Vec<String>> {
    rows.map(|row| (0..width).map(|col| spread_text(grid, row, col)).collect())
        .collect()
}

/// Reads every row below the first header (`header`, mapped by `first`).
pub fn walk(walk: &Walk, header: Range<u32>, first: ColumnMap) -> (Vec<Row>, Blocks) {
    let grid = grid(walk);
    let width = first.width();
    let mut blocks = Blocks::default();
    blocks.push(header.clone(), first);
    let mut in_force = block_texts(grid, header.clone(), width);
    let mut rows: Vec<Row> = Vec::new();
    // The last candidate row (an index into `rows`): empty cells continue it.
    let mut previous: Option<usize> = None;
    let mut row = header.end;
    while row < grid.height() {
        let current = blocks.maps.len() - 1;
        if is_header_row(grid, row, walk.labels) {
            let start = row;
            while row < grid.height() && row - start < 3 && is_header_row(grid, row, walk.labels) {
                row += 1;
            }
            let texts = block_texts(grid, start..row, width);
            let repeated = texts == in_force;
            let map = column_map(
                grid,
                start..row,
                width.max(table_width(grid, start..row)),
                walk.labels,
                walk.mapping,
            );
            let is_block = repeated || map.roles.iter().any(|r| r.names_departments());
            if is_block && !repeated {
                let mut map = map;
                map.roles.truncate(width as usize);
                map.labels.truncate(width as usize);
                map.levels.truncate(width as usize);
                map.why.truncate(width as usize);
                blocks.push(start..row, map);
                in_force = texts;
            }
            for r in start..row {
                let raw = match (r == start, is_block) {
                    (true, true) => Raw::Header {
                        rows: start..row,
                        repeated,
                    },
                    (false, true) => Raw::HeaderRest,
                    (_, false) => Raw::Other,
                };
                rows.push(Row {
                    row: r,
                    raw,
                    header: blocks.maps.len() - 1,
                });
            }
            // The rows below a header repeated at a page break continue the ones above it.
            continue;
        }
        let before = previous.and_then(|i| match &rows[i].raw {
            Raw::Candidate(c) => Some(c.as_ref()),
            _ => None,
        });
        let raw = read_row(walk, &blocks, current, row, before);
        match &raw {
            Raw::Candidate(_) => previous = Some(rows.len()),
            Raw::Total { .. } => previous = None,
            _ => {}
        }
        rows.push(Row {
            row,
            raw,
            header: current,
        });
        row += 1;
    }
    (rows, blocks)
}

fn read_row(
    walk: &Walk,
    blocks: &Blocks,
    block: usize,
    row: u32,
    previous: Option<&Candidate>,
) -> Raw {
    let grid = grid(walk);
    let map = &blocks.maps[block];
    let width = map.width();
    if (0..width).all(|col| grid.spread(row, col).is_empty()) {
        return Raw::Blank;
    }
    let label_end = map.col(Role::Weight).unwrap_or(width).max(1);
    let first_text = (0..label_end)
        .map(|col| spread_text(grid, row, col))
        .find(|t| !t.is_empty());
    if let Some(text) = &first_text
        && let Some(kind) = walk.labels.total_kind(text)
    {
        let weight_col = map.col(Role::Weight).unwrap_or(width.saturating_sub(1));
        return Raw::Total {
            kind,
            label: text.clone(),
            declared: weight_at(grid, row, weight_col).number(),
            weight_cell: (row, weight_col),
        };
    }
    let any_text = (0..width)
        .map(|col| spread_text(grid, row, col))
        .find(|t| !t.is_empty());
    if let Some(text) = any_text
        && (walk.labels.is_note(&text) || super::names::is_units_definition(&text, walk.labels))
    {
        return Raw::Note(text);
    }
    let candidate = read_candidate(walk, blocks, block, row, previous);
    if !has_content(&candidate) {
        return Raw::Other;
    }
    Raw::Candidate(Box::new(candidate))
}

fn has_content(c: &Candidate) -> bool {
    !c.id_spread.is_empty()
        || c.texts.iter().any(|(_, _, p)| !p.text.is_empty())
        || c.has_departments()
        || c.weight != WeightCell::Missing
        || !c.levels.is_empty()
}

/// The weight is the cell's own value: a weight merged over several items would otherwise
/// count once per item.
pub fn weight_at(grid: &Grid, row: u32, col: u32) -> WeightCell {
    match grid.raw(row, col) {
        Value::Empty => WeightCell::Missing,
        Value::Number(n) => match decimal_from_f64(*n) {
            Some(d) => WeightCell::Number(d),
            None => WeightCell::NotNumber(n.to_string()),
        },
        Value::Text(t) if t.trim().is_empty() => WeightCell::Missing,
        Value::Text(t) => lenient_weight(t),
        other => WeightCell::NotNumber(other.to_text()),
    }
}

/// A weight typed as text: `2`, `8分`, `５`, `6 分`, `20%`.
fn lenient_weight(text: &str) -> WeightCell {
    let trimmed = text.trim();
    let half = to_halfwidth(trimmed);
    let bare = half.trim();
    let bare = bare
        .strip_suffix('分')
        .or_else(|| bare.strip_suffix('%'))
        .unwrap_or(bare)
        .trim();
    match parse_decimal(bare) {
        Some(d) => WeightCell::Text(d, trimmed.to_string()),
        None => WeightCell::NotNumber(trimmed.to_string()),
    }
}

fn text_at(grid: &Grid, row: u32, col: u32) -> Option<Placed> {
    let text = spread_text(grid, row, col);
    (!text.is_empty()).then(|| Placed {
        text,
        cell: grid.origin(row, col),
    })
}

/// Category levels of `row`: a new value starts a new branch; an empty cell continues the level
/// above unless a level further out already changed.
fn levels_at(grid: &Grid, row: u32, cols: &[u32], prev: &[Placed]) -> Vec<Placed> {
    let mut levels = Vec::new();
    let mut changed = false;
    for (k, &col) in cols.iter().enumerate() {
        let text = collapse_spaced_chars(&spread_text(grid, row, col));
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

fn read_candidate(
    walk: &Walk,
    blocks: &Blocks,
    block: usize,
    row: u32,
    previous: Option<&Candidate>,
) -> Candidate {
    let grid = grid(walk);
    let map = &blocks.maps[block];
    let id_col = map.col(Role::Id);
    let id_written = id_col
        .map(|c| clean(&grid.raw(row, c).to_text()))
        .unwrap_or_default();
    let id_spread = id_col
        .map(|c| normalize_id(&spread_text(grid, row, c)))
        .unwrap_or_default();
    let id = normalize_id(&id_written);
    let group = group_of(&id_spread);
    let same_group = previous.filter(|p| !group.is_empty() && group_of(&p.id_spread) == group);
    // Without merge information an empty item-level cell may be the hidden part of a merge too.
    let inherit_items = !grid.merges_known();
    let prev_levels: Vec<Placed> = previous.map(|p| p.levels.clone()).unwrap_or_default();
    let mut levels = levels_at(grid, row, &map.category_cols(), &prev_levels);
    let full_levels = levels.clone();
    levels.dedup_by(|a, b| a.text == b.text);
    let texts = texts_at(grid, row, map, &blocks.text_index[block], same_group);
    let single = |role: Role, from: Option<String>| {
        let col = map.col(role)?;
        text_at(grid, row, col)
            .map(|p| p.text)
            .or(if inherit_items { from } else { None })
    };
    let weight_col = map.col(Role::Weight).unwrap_or(u32::MAX);
    let departments = department_cells(grid, row, map, inherit_items, same_group);
    let departments_at: Vec<Pos> = map
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| r.names_departments())
        .map(|(col, _)| (row, col as u32))
        .collect();
    let departments_cell = departments_at.first().copied().unwrap_or((row, 0));
    let mut candidate = Candidate {
        id,
        id_spread,
        id_written,
        id_cell: (row, id_col.unwrap_or(0)),
        levels: full_levels,
        texts,
        weight: if weight_col == u32::MAX {
            WeightCell::Missing
        } else {
            weight_at(grid, row, weight_col)
        },
        weight_cell: (
            row,
            if weight_col == u32::MAX {
                0
            } else {
                weight_col
            },
        ),
        weight_merged: weight_col != u32::MAX && merged_down(grid, row, weight_col),
        deadline: single(Role::Deadline, same_group.and_then(|p| p.deadline.clone())),
        leaders: single(Role::Leaders, same_group.map(|p| p.leaders.clone())).unwrap_or_default(),
        departments,
        departments_cell,
        departments_at,
        persons: single(Role::Persons, same_group.map(|p| p.persons.clone())).unwrap_or_default(),
        heading: None,
        hidden: walk.sheet.is_row_hidden(row),
    };
    candidate.heading = heading_of(grid, row, map, &candidate);
    candidate
}

/// Whether (row, col) lies in a merge spanning several rows.
fn merged_down(grid: &Grid, row: u32, col: u32) -> bool {
    let origin = grid.origin(row, col);
    grid.merges()
        .iter()
        .any(|r| (r.first_row, r.first_col) == origin && r.last_row > r.first_row)
}

/// Texts of the text columns; group-level ones (文件依据, 一级指标) continue the group above
/// when empty (the hidden part of a merge the format did not record, or split at a page break).
fn texts_at(
    grid: &Grid,
    row: u32,
    map: &ColumnMap,
    index: &[Option<usize>],
    same_group: Option<&Candidate>,
) -> Vec<(usize, Role, Placed)> {
    let mut texts = Vec::new();
    for (col, role) in map.roles.iter().enumerate() {
        let Some(column) = index.get(col).copied().flatten() else {
            continue;
        };
        let placed = text_at(grid, row, col as u32).or_else(|| {
            let group_level = matches!(role, Role::Basis | Role::Indicator);
            same_group
                .filter(|_| group_level)
                .and_then(|p| p.texts.iter().find(|(c, _, _)| *c == column))
                .filter(|(_, _, placed)| !placed.text.is_empty())
                .map(|(_, _, placed)| placed.clone())
        });
        // Empty texts too: every text column of the header has its place.
        texts.push((
            column,
            *role,
            placed.unwrap_or(Placed {
                text: String::new(),
                cell: (row, col as u32),
            }),
        ));
    }
    texts
}

fn department_cells(
    grid: &Grid,
    row: u32,
    map: &ColumnMap,
    inherit: bool,
    same_group: Option<&Candidate>,
) -> Vec<(Role, String)> {
    let mut cells = Vec::new();
    for (col, role) in map.roles.iter().enumerate() {
        if !role.names_departments() {
            continue;
        }
        let text = spread_text(grid, row, col as u32);
        let text = if text.is_empty() && inherit {
            same_group
                .and_then(|p| p.departments.iter().find(|(r, _)| r == role))
                .map(|(_, t)| t.clone())
                .unwrap_or_default()
        } else {
            text
        };
        cells.push((*role, text));
    }
    cells
}

/// Whether the row reads as a section heading: one text merged across most of the table, or a
/// number and a name (perhaps with points in the weight column) and nothing else.
fn heading_of(grid: &Grid, row: u32, map: &ColumnMap, c: &Candidate) -> Option<Heading> {
    let width = map.width();
    let filled: Vec<u32> = (0..width)
        .filter(|&col| !grid.raw(row, col).is_empty() || grid.origin(row, col).0 < row)
        .filter(|&col| !grid.spread(row, col).is_empty())
        .collect();
    if let Some(h) = merged_across(grid, row, width, &filled) {
        return Some(h);
    }
    let empty = |role: Role| {
        map.col(role)
            .is_none_or(|col| grid.spread(row, col).is_empty())
    };
    if c.has_departments()
        || !empty(Role::Deadline)
        || !empty(Role::Leaders)
        || !empty(Role::Persons)
    {
        return None;
    }
    let weight_col = map.col(Role::Weight);
    let (figures, named): (Vec<u32>, Vec<u32>) = filled
        .iter()
        .copied()
        .filter(|&col| Some(col) != weight_col && grid.origin(row, col).0 == row)
        .partition(|&col| col > 0 && figure(grid, row, col).is_some());
    if named.is_empty() || named.len() > 2 {
        return None;
    }
    let text: Vec<String> = named
        .iter()
        .map(|&col| spread_text(grid, row, col))
        .collect();
    // `一、` and `党的建设` in two cells read `一、党的建设`; `一` and `…` read `一 …`.
    let text = match text.as_slice() {
        [number, name] if number.ends_with(['、', '.', '．']) => format!("{number}{name}"),
        _ => text.join(" "),
    };
    let numbering = heading_numbering(&text);
    let first_col = named[0];
    let leading = first_col <= map.col(Role::Id).unwrap_or(0);
    let lone_short = named.len() == 1 && leading && text.chars().count() <= 40;
    // Figures beside the name (the section's subtotals) only beside a heading numbered as
    // sections are (`一、`, `（一）`), never beside an item's `1`.
    let section_numbered = numbering
        .as_ref()
        .is_some_and(|n| n.style < super::numbering::Style::Arabic);
    let figures_allowed = section_numbered && leading;
    if !figures.is_empty() && !figures_allowed {
        return None;
    }
    let figures = figures
        .iter()
        .filter_map(|&col| Some(((row, col), figure(grid, row, col)?)))
        .collect();
    (numbering.is_some() || lone_short).then_some(Heading {
        text,
        numbering,
        cell: (row, first_col),
        figures,
    })
}

/// The number a cell holds as a figure: a number, or a text that is only one (`30,000`).
fn figure(grid: &Grid, row: u32, col: u32) -> Option<Decimal> {
    let text = spread_text(grid, row, col);
    crate::cell_text::parse_decimal(&text.replace([',', '，'], ""))
}

/// One text merged over at least half of the table's columns (and two or more).
fn merged_across(grid: &Grid, row: u32, width: u32, filled: &[u32]) -> Option<Heading> {
    let first = *filled.first()?;
    let origin = grid.origin(row, first);
    let rect = grid
        .merges()
        .iter()
        .find(|r| (r.first_row, r.first_col) == origin)?;
    let span = rect.last_col - rect.first_col + 1;
    let all_inside = filled.iter().all(|&col| grid.origin(row, col) == origin);
    (all_inside && span >= 2 && span * 2 >= width && rect.last_row == rect.first_row).then(|| {
        let text = spread_text(grid, row, first);
        Heading {
            numbering: heading_numbering(&text),
            text,
            cell: origin,
            figures: Vec::new(),
        }
    })
}
