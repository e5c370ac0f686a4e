//! Finding a master table's header and giving each of its columns a [`Role`].
//!
//! The header is the row (or two or three adjacent rows) with the most role labels; it must
//! name at least a department column and a text column. Each column takes the first role label
//! found from the header's bottom row up; a label tianbao does not know makes a text column
//! with that label; a grouping label (目标内容) over labelled cells names no column. Unlabelled
//! columns left of the first labelled one are category levels. A mapping given by the user
//! (`--map`, `[columns]`) overrides what was found.

use std::ops::Range;

use super::labels::{Labels, label_key};
use crate::cell_text::clean;
use crate::model::{Role, Why};
use crate::workbook::{Grid, Value};

/// Rows searched for the header.
const SEARCH_ROWS: u32 = 400;

/// A role given by the user for a column, by header label or column letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub key: String,
    pub role: Role,
}

/// Which column holds what, for the rows below one header block.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMap {
    pub roles: Vec<Role>,
    /// The header's own text per column (empty when none).
    pub labels: Vec<String>,
    /// 1-based level of each category column.
    pub levels: Vec<Option<u32>>,
    /// Why each column got its role.
    pub why: Vec<Why>,
}

impl ColumnMap {
    pub fn width(&self) -> u32 {
        self.roles.len() as u32
    }

    /// The first column of `role`.
    pub fn col(&self, role: Role) -> Option<u32> {
        self.roles.iter().position(|r| *r == role).map(|c| c as u32)
    }

    /// Every column of `role`, left to right.
    pub fn cols(&self, role: Role) -> impl Iterator<Item = u32> + '_ {
        self.roles
            .iter()
            .enumerate()
            .filter(move |(_, r)| **r == role)
            .map(|(c, _)| c as u32)
    }

    /// Category columns, outermost level first.
    pub fn category_cols(&self) -> Vec<u32> {
        let mut cols: Vec<(u32, u32)> = self
            .cols(Role::Category)
            .map(|c| (self.levels[c as usize].unwrap_or(0), c))
            .collect();
        cols.sort_unstable();
        cols.into_iter().map(|(_, c)| c).collect()
    }

    pub fn role(&self, col: u32) -> Role {
        self.roles
            .get(col as usize)
            .copied()
            .unwrap_or(Role::Ignored)
    }

    /// Whether the block names what a table needs: a department column and a text column.
    fn is_table(&self) -> bool {
        self.roles.iter().any(|r| r.names_departments())
            && self
                .roles
                .iter()
                .any(|r| r.is_text() || *r == Role::Category)
    }
}

/// The header found: its rows and the columns it gives.
#[derive(Debug, Clone)]
pub struct Found {
    pub rows: Range<u32>,
    pub map: ColumnMap,
}

/// What the best candidate row held, for the message when no header is found.
#[derive(Debug, Clone, Default)]
pub struct Diagnosis {
    /// 1-based row of the best candidate.
    pub row: u32,
    /// Its labels and the roles they name.
    pub found: Vec<(String, Role)>,
}

fn cell_text(grid: &Grid, row: u32, col: u32) -> String {
    match grid.spread(row, col) {
        Value::Text(t) => clean(t),
        Value::Empty => String::new(),
        other => other.to_text(),
    }
}

/// The distinct labels of `row` (a merge counted once, at its origin).
fn row_labels(grid: &Grid, row: u32, labels: &Labels) -> Vec<(String, Option<Role>)> {
    let mut out: Vec<(String, Option<Role>)> = Vec::new();
    for col in 0..grid.width() {
        let origin = grid.origin(row, col);
        if origin != (row, col) && origin.0 == row {
            continue;
        }
        let Value::Text(text) = grid.spread(row, col) else {
            continue;
        };
        if text.chars().count() > super::labels::MAX_LABEL_CHARS {
            continue;
        }
        let role = labels.role(text);
        if role.is_some() || labels.is_group_label(text) {
            let role = role.filter(|r| *r != Role::Text || !labels.is_group_label(text));
            if !out.iter().any(|(_, r)| r.is_some() && *r == role) {
                out.push((clean(text), role));
            }
        }
    }
    out
}

/// How many labels `row` carries: distinct roles plus grouping labels.
pub fn header_score(grid: &Grid, row: u32, labels: &Labels) -> usize {
    row_labels(grid, row, labels).len()
}

/// Whether `row` looks like a header row (a header repeated mid-table, or a section's own).
pub fn is_header_row(grid: &Grid, row: u32, labels: &Labels) -> bool {
    !has_data(grid, row) && header_score(grid, row, labels) >= 2
}

/// A row with a number or a long text holds data, not labels.
fn has_data(grid: &Grid, row: u32) -> bool {
    (0..grid.width()).any(|col| match grid.raw(row, col) {
        Value::Number(_) => true,
        Value::Text(t) => t.chars().count() > 30,
        _ => false,
    })
}

/// The header block around its best row: adjacent label rows, up to three in all.
fn block_around(grid: &Grid, best: u32, labels: &Labels) -> Range<u32> {
    let joins = |row: u32| header_score(grid, row, labels) >= 1 && !has_data(grid, row);
    let mut start = best;
    let mut end = best + 1;
    while end - start < 3 {
        if start > 0 && joins(start - 1) {
            start -= 1;
        } else if end < grid.height() && joins(end) {
            end += 1;
        } else {
            break;
        }
    }
    start..end
}

/// Columns of the table: as far as its header reaches.
pub fn table_width(grid: &Grid, rows: Range<u32>) -> u32 {
    let mut width = 0;
    for row in rows.clone() {
        for col in 0..grid.width() {
            if !grid.raw(row, col).is_empty() {
                width = width.max(col + 1);
            }
        }
    }
    for rect in grid.merges() {
        if rect.first_row < rows.end && rect.last_row >= rows.start {
            width = width.max(rect.last_col + 1);
        }
    }
    width
}

/// Finds the header on `grid`: the given rows, or the best block found.
pub fn locate(
    grid: &Grid,
    labels: &Labels,
    rows: Option<Range<u32>>,
    mapping: &[Mapping],
) -> Result<Found, Diagnosis> {
    if let Some(rows) = rows {
        let width = table_width(grid, rows.clone());
        let map = column_map(grid, rows.clone(), width, labels, mapping);
        return if map.is_table() {
            Ok(Found { rows, map })
        } else {
            Err(diagnose(grid, rows.start, labels))
        };
    }
    let mut candidates: Vec<(usize, u32)> = (0..grid.height().min(SEARCH_ROWS))
        .map(|row| (header_score(grid, row, labels), row))
        .filter(|(score, row)| *score >= 1 && !has_data(grid, *row))
        .collect();
    // Most labels first; of equals, the first (a header repeated further down is the same).
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, row) in &candidates {
        let block = block_around(grid, row, labels);
        let width = table_width(grid, block.clone());
        let map = column_map(grid, block.clone(), width, labels, mapping);
        if map.is_table() {
            return Ok(Found { rows: block, map });
        }
    }
    Err(candidates
        .first()
        .map(|&(_, row)| diagnose(grid, row, labels))
        .unwrap_or_default())
}

fn diagnose(grid: &Grid, row: u32, labels: &Labels) -> Diagnosis {
    Diagnosis {
        row: row + 1,
        found: row_labels(grid, row, labels)
            .into_iter()
            .filter_map(|(label, role)| role.map(|r| (label, r)))
            .collect(),
    }
}

/// Builds the column map of a header block `rows`, `width` columns wide.
pub fn column_map(
    grid: &Grid,
    rows: Range<u32>,
    width: u32,
    labels: &Labels,
    mapping: &[Mapping],
) -> ColumnMap {
    let mut found = Vec::with_capacity(width as usize);
    let mut texts = Vec::with_capacity(width as usize);
    let mut why = Vec::with_capacity(width as usize);
    for col in 0..width {
        let (role, label) = column_role(grid, rows.clone(), col, labels);
        why.push(match role {
            None => Why::Unlabelled,
            Some(_) if labels.role(&label).is_none() => Why::OwnLabel,
            Some(_) => Why::Label,
        });
        found.push(role);
        texts.push(label);
    }
    let mut map = ColumnMap {
        levels: vec![None; found.len()],
        roles: unlabelled_roles(&found),
        labels: texts,
        why,
    };
    indicator_levels(&mut map, labels);
    categories_from_body(&mut map, grid, rows.end, labels);
    apply_mapping(&mut map, mapping);
    single_roles(&mut map);
    number_levels(&mut map);
    map
}

/// The longest text a category cell read from the body may hold.
const CATEGORY_MAX_CHARS: usize = 30;

/// Category columns the body shows: a column left of the task column whose label the spec does
/// not know (or that has none) and whose cells are merged down over runs of items, or whose
/// text repeats down runs of items. A category label (考评项目) over the only text column of a
/// table is its task.
fn categories_from_body(map: &mut ColumnMap, grid: &Grid, body: u32, labels: &Labels) {
    let Some(task) = map.col(Role::Task) else {
        // A category by its label with no other text column: the task.
        let texts = map.roles.iter().any(|r| r.is_text());
        if !texts
            && let Some(col) = map.cols(Role::Category).last()
            && map.why[col as usize] == Why::Label
        {
            map.roles[col as usize] = Role::Task;
            map.why[col as usize] = Why::OnlyText;
        }
        return;
    };
    let end = grid.height().min(body + SEARCH_ROWS);
    // Rows with a task text: the items (and perhaps a heading or two).
    let items: Vec<u32> = (body..end)
        .filter(|&row| {
            let text = cell_text(grid, row, task);
            !text.is_empty()
                && grid.origin(row, task).0 == row
                && labels.total_kind(&text).is_none()
                && !labels.is_note(&text)
        })
        .collect();
    if items.len() < 2 {
        return;
    }
    for col in 0..task {
        let c = col as usize;
        let unknown = matches!(map.why[c], Why::OwnLabel | Why::Unlabelled);
        if !unknown || !matches!(map.roles[c], Role::Text | Role::Category | Role::Ignored) {
            continue;
        }
        let texts: Vec<String> = items.iter().map(|&r| cell_text(grid, r, col)).collect();
        let short = texts
            .iter()
            .all(|t| t.chars().count() <= CATEGORY_MAX_CHARS && !labels.is_note(t));
        if !short || texts.iter().all(String::is_empty) {
            continue;
        }
        let merged = grid.merges().iter().any(|m| {
            m.first_col == col
                && m.last_col == col
                && m.last_row > m.first_row
                && items
                    .iter()
                    .filter(|&&r| (m.first_row..=m.last_row).contains(&r))
                    .count()
                    >= 2
        });
        let repeated = texts.windows(2).any(|w| !w[0].is_empty() && w[0] == w[1])
            && texts.iter().all(|t| !t.is_empty());
        let why = if merged {
            Why::MergedCells
        } else if repeated {
            Why::RepeatedText
        } else if filled_down(&texts) {
            Why::FilledDown
        } else {
            continue;
        };
        map.roles[c] = Role::Category;
        map.why[c] = why;
    }
}

/// Whether a column's texts on the item rows are written once at the top of each run: the
/// first item has one, some items below have none, and no name stands twice (each run's name
/// once).
fn filled_down(texts: &[String]) -> bool {
    let written: Vec<&String> = texts.iter().filter(|t| !t.is_empty()).collect();
    let distinct: std::collections::HashSet<&String> = written.iter().copied().collect();
    texts.first().is_some_and(|t| !t.is_empty())
        && written.len() < texts.len()
        && distinct.len() == written.len()
}

/// The role of column `col`: the first role label from the bottom row up; else its own text
/// (a text column); `None` (unlabelled) when only a grouping label stands over it.
fn column_role(grid: &Grid, rows: Range<u32>, col: u32, labels: &Labels) -> (Option<Role>, String) {
    let mut own_text = None;
    for row in rows.clone().rev() {
        let text = cell_text(grid, row, col);
        if text.is_empty() {
            continue;
        }
        let origin = grid.origin(row, col);
        if origin.1 < col && !labels.is_group_label(&text) {
            // The right part of a label merged across columns: one more category level under
            // 项目, else read as part of the column where the label starts.
            return match labels.role(&text) {
                Some(Role::Category) => (Some(Role::Category), text),
                _ => (Some(Role::Ignored), String::new()),
            };
        }
        let groups_below = labels.is_group_label(&text) && has_labels_below(grid, row, col, &rows);
        if groups_below {
            continue;
        }
        if let Some(role) = labels.role(&text)
            && (role != Role::Text || own_text.is_none())
        {
            return (Some(role), text);
        }
        own_text.get_or_insert(text);
    }
    match own_text {
        Some(text) => (Some(Role::Text), text),
        None => (None, String::new()),
    }
}

/// Whether a grouping label at (row, col) stands over labelled cells in the rows below it.
fn has_labels_below(grid: &Grid, row: u32, col: u32, rows: &Range<u32>) -> bool {
    let (origin_row, origin_col) = grid.origin(row, col);
    let span_end = grid
        .merges()
        .iter()
        .find(|r| r.first_row == origin_row && r.first_col == origin_col)
        .map_or(origin_col, |r| r.last_col);
    let below = grid
        .merges()
        .iter()
        .find(|r| r.first_row == origin_row && r.first_col == origin_col)
        .map_or(row + 1, |r| r.last_row + 1);
    (below..rows.end).any(|r| (origin_col..=span_end).any(|c| !grid.raw(r, c).is_empty()))
}

/// Unlabelled columns left of the first column of another role than category are category
/// levels (项目 over two columns); other unlabelled columns are ignored.
fn unlabelled_roles(found: &[Option<Role>]) -> Vec<Role> {
    let first = found
        .iter()
        .position(|r| r.is_some_and(|r| r != Role::Category))
        .unwrap_or(found.len());
    found
        .iter()
        .enumerate()
        .map(|(c, role)| match role {
            Some(role) => *role,
            None if c < first => Role::Category,
            None => Role::Ignored,
        })
        .collect()
}

/// With three or more indicator levels (一级/二级/三级指标), all but the last are category
/// levels and the last is the task.
fn indicator_levels(map: &mut ColumnMap, labels: &Labels) {
    let mut levelled: Vec<(u32, usize)> = map
        .labels
        .iter()
        .enumerate()
        .filter_map(|(c, label)| labels.level(label).map(|l| (l, c)))
        .collect();
    levelled.sort_unstable();
    levelled.dedup_by_key(|(level, _)| *level);
    if levelled.len() < 3 {
        return;
    }
    let (_, leaf) = levelled[levelled.len() - 1];
    for &(_, col) in &levelled[..levelled.len() - 1] {
        map.roles[col] = Role::Category;
        map.why[col] = Why::Levels;
    }
    for (c, role) in map.roles.iter_mut().enumerate() {
        if *role == Role::Task {
            *role = Role::Text;
            map.why[c] = Why::Levels;
        }
    }
    map.roles[leaf] = Role::Task;
    map.why[leaf] = Why::Levels;
}

/// Roles the user gave, by label (any column with that label) or column letter.
fn apply_mapping(map: &mut ColumnMap, mapping: &[Mapping]) {
    for m in mapping {
        let key = label_key(&m.key);
        let by_label: Vec<usize> = (0..map.labels.len())
            .filter(|&c| !map.labels[c].is_empty() && label_key(&map.labels[c]) == key)
            .collect();
        let cols = if by_label.is_empty() {
            column_index(&m.key)
                .filter(|&c| (c as usize) < map.roles.len())
                .map(|c| vec![c as usize])
                .unwrap_or_default()
        } else {
            by_label
        };
        for col in cols {
            map.roles[col] = m.role;
            map.why[col] = Why::Mapped;
        }
    }
}

/// A second column of a role there is one of (a second 权重) is read as a text column.
fn single_roles(map: &mut ColumnMap) {
    for role in [
        Role::Id,
        Role::Weight,
        Role::Deadline,
        Role::Leaders,
        Role::Persons,
    ] {
        let cols: Vec<u32> = map.cols(role).collect();
        for &col in cols.iter().skip(1) {
            map.roles[col as usize] = Role::Text;
            map.why[col as usize] = Why::Second;
        }
    }
}

fn number_levels(map: &mut ColumnMap) {
    let mut level = 0;
    for (c, role) in map.roles.iter().enumerate() {
        map.levels[c] = if *role == Role::Category {
            level += 1;
            Some(level)
        } else {
            None
        };
    }
}

/// 0-based column of a letter reference (`C`, `AB`); `None` when it is not one.
pub fn column_index(key: &str) -> Option<u32> {
    let key = key.trim();
    if key.is_empty() || key.len() > 3 || !key.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(
        key.bytes().fold(0u32, |n, b| {
            n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
        }) - 1,
    )
}
