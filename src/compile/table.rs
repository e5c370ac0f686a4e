//! Sheet 考评表: the master sheet's own layout — title rows, header blocks with their merges,
//! category, group and item rows, 合计 and total rows, notes — with the score and deduction
//! columns appended.
//!
//! A header block repeated mid-table (a table pasted across pages) is dropped and the merges it
//! split are joined again, so the result is one table whose header the printer repeats on every
//! page; a header block with other columns (a section with its own header) is kept. Merges are
//! the master's where its format records them, and are recovered from structure where it does
//! not (.ods): header cells over the empty cells beside and below them, category cells over their
//! items, group cells (文件依据, 一级指标) over their group, labels of total and title rows over
//! the empty cells of their row.

use std::collections::HashMap;
use std::ops::Range;

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Format, FormatAlign, FormatBorder, Formula, Note, Workbook, Worksheet, XlsxError,
};

use super::{Ctx, ItemScore};
use crate::finding::a1;
use crate::master::header::{ColumnMap, Field, Labels, column_map, is_header_row};
use crate::master::table::locate;
use crate::model::{Item, TotalKind};
use crate::spec::render;
use crate::text::{clean, show};
use crate::workbook::{Grid, Rect, Value};
use crate::write::{FONT, base_format, height_for, print_setup, wrapped_lines};

/// What a row of the compiled sheet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Above the first header: the title and lines such as `单位：…`.
    Title,
    Header,
    /// An item: its index in `Master::items`.
    Item(usize),
    /// A 合计 or total row: its index in `Master::totals`.
    Total(usize),
    /// Anything else kept: notes below the table, rows without an id.
    Other,
}

/// One row of the compiled sheet.
#[derive(Debug, Clone)]
pub(super) struct Line {
    /// Its 0-based row in the master sheet.
    pub source: u32,
    pub kind: Kind,
    /// The header block in force (index into [`Plan::sections`]).
    pub section: usize,
}

/// A header block kept, and the columns it gives the rows below it.
#[derive(Debug, Clone)]
pub(super) struct Section {
    /// Its rows in the compiled sheet.
    pub rows: Range<usize>,
    pub map: ColumnMap,
    texts: Vec<Vec<String>>,
}

/// The compiled sheet's rows and merges, before anything is written.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub lines: Vec<Line>,
    pub sections: Vec<Section>,
    /// Columns of the master's table.
    pub width: u32,
    /// Merged regions in compiled-sheet rows, within the master's columns.
    pub merges: Vec<Rect>,
}

impl Plan {
    /// Index of the last item or total line: rows after it are below the table.
    fn table_end(&self) -> usize {
        self.lines
            .iter()
            .rposition(|l| matches!(l.kind, Kind::Item(_) | Kind::Total(_)))
            .unwrap_or(0)
    }
}

fn text(grid: &Grid, row: u32, col: u32) -> String {
    clean(&grid.spread(row, col).to_text())
}

fn blank_row(grid: &Grid, row: u32) -> bool {
    (0..grid.width()).all(|col| grid.spread(row, col).is_empty())
}

/// Columns of the table: as far as its first header reaches.
fn table_width(grid: &Grid, header: Range<u32>) -> u32 {
    let mut width = 0;
    for row in header.clone() {
        for col in 0..grid.width() {
            if !grid.raw(row, col).is_empty() {
                width = width.max(col + 1);
            }
        }
    }
    for rect in grid.merges() {
        if rect.first_row < header.end && rect.last_row >= header.start {
            width = width.max(rect.last_col + 1);
        }
    }
    width
}

fn block_texts(grid: &Grid, rows: Range<u32>, width: u32) -> Vec<Vec<String>> {
    rows.map(|row| (0..width).map(|col| text(grid, row, col)).collect())
        .collect()
}

/// Plans the compiled sheet from the master sheet `grid`; `None` when it has no table header.
pub(super) fn plan(grid: &Grid, labels: &Labels, master: &crate::model::Master) -> Option<Plan> {
    let (header, first_map) = locate(grid, labels)?;
    let width = table_width(grid, header.clone());
    let items: HashMap<u32, usize> = master
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.row.saturating_sub(1), i))
        .collect();
    let totals: HashMap<u32, usize> = master
        .totals
        .iter()
        .enumerate()
        .map(|(i, t)| (t.row.saturating_sub(1), i))
        .collect();
    let table_end = items
        .keys()
        .chain(totals.keys())
        .copied()
        .max()
        .unwrap_or(header.end);

    let mut lines: Vec<Line> = Vec::new();
    for row in 0..header.start {
        if lines.is_empty() && blank_row(grid, row) {
            continue;
        }
        lines.push(Line {
            source: row,
            kind: Kind::Title,
            section: 0,
        });
    }
    let mut sections = Vec::new();
    let add_section =
        |lines: &mut Vec<Line>, sections: &mut Vec<Section>, rows: Range<u32>, map: ColumnMap| {
            let start = lines.len();
            for row in rows.clone() {
                lines.push(Line {
                    source: row,
                    kind: Kind::Header,
                    section: sections.len(),
                });
            }
            sections.push(Section {
                rows: start..lines.len(),
                map,
                texts: block_texts(grid, rows, width),
            });
        };
    add_section(&mut lines, &mut sections, header.clone(), first_map);

    let mut blanks_below = Vec::new();
    let mut row = header.end;
    while row < grid.height() {
        if is_header_row(grid, row, labels) {
            let start = row;
            while row < grid.height() && row - start < 3 && is_header_row(grid, row, labels) {
                row += 1;
            }
            let texts = block_texts(grid, start..row, width);
            let in_force = sections.last().map(|s: &Section| &s.texts);
            if in_force == Some(&texts) {
                continue; // a header repeated at a page break
            }
            match column_map(grid, start..row, labels) {
                Some(map) => add_section(&mut lines, &mut sections, start..row, map),
                None => {
                    for source in start..row {
                        lines.push(Line {
                            source,
                            kind: Kind::Other,
                            section: sections.len() - 1,
                        });
                    }
                }
            }
            continue;
        }
        let kind = if let Some(&i) = items.get(&row) {
            Kind::Item(i)
        } else if let Some(&i) = totals.get(&row) {
            Kind::Total(i)
        } else if blank_row(grid, row) {
            // Blank rows inside the table go; below it they stay between notes.
            if row > table_end {
                blanks_below.push(row);
            }
            row += 1;
            continue;
        } else {
            Kind::Other
        };
        for source in blanks_below.drain(..) {
            lines.push(Line {
                source,
                kind: Kind::Other,
                section: sections.len() - 1,
            });
        }
        lines.push(Line {
            source: row,
            kind,
            section: sections.len() - 1,
        });
        row += 1;
    }

    let mut plan = Plan {
        lines,
        sections,
        width,
        merges: Vec::new(),
    };
    plan.merges = if grid.merges_known() {
        let mut merges = known_merges(grid, &plan);
        join_splits(grid, &plan, master, &mut merges);
        merges
    } else {
        recovered_merges(grid, &plan, master)
    };
    merge_lone_texts(grid, &mut plan);
    plan.merges.sort_by_key(|r| (r.first_row, r.first_col));
    Some(plan)
}

/// The master's merges in compiled-sheet rows, clipped to the table's columns.
fn known_merges(grid: &Grid, plan: &Plan) -> Vec<Rect> {
    let out: HashMap<u32, u32> = plan
        .lines
        .iter()
        .enumerate()
        .map(|(k, l)| (l.source, k as u32))
        .collect();
    let mut rects = Vec::new();
    for rect in grid.merges() {
        if rect.first_col >= plan.width {
            continue;
        }
        let last_row = rect.last_row.min(grid.height());
        let mut kept = (rect.first_row..=last_row).filter_map(|r| out.get(&r).copied());
        let Some(first) = kept.next() else {
            continue;
        };
        let last = kept.next_back().unwrap_or(first);
        let mapped = Rect {
            first_row: first,
            last_row: last,
            first_col: rect.first_col,
            last_col: rect.last_col.min(plan.width - 1),
        };
        if mapped.first_row != mapped.last_row || mapped.first_col != mapped.last_col {
            rects.push(mapped);
        }
    }
    rects
}

/// The region holding (row, col): a merge (with its index) or the cell alone.
fn region(rects: &[Rect], row: u32, col: u32) -> (Option<usize>, Rect) {
    match rects.iter().position(|r| r.contains(row, col)) {
        Some(i) => (Some(i), rects[i]),
        None => (
            None,
            Rect {
                first_row: row,
                first_col: col,
                last_row: row,
                last_col: col,
            },
        ),
    }
}

/// Columns whose empty cell continues the item above — category levels and group-level columns —
/// with whether the items `a` and `b` belong together there.
fn continuing_columns(map: &ColumnMap, a: &Item, b: &Item) -> Vec<(u32, bool)> {
    let mut columns = Vec::new();
    for (level, &col) in map.category.iter().enumerate() {
        let same = a.category.len() > level
            && b.category.len() > level
            && a.category[..=level] == b.category[..=level];
        columns.push((col, same));
    }
    let same_group = a.group == b.group;
    for (field, same) in [
        (Field::Basis, same_group && a.basis == b.basis),
        (Field::Indicator, same_group && a.indicator == b.indicator),
    ] {
        if let Some(col) = map.col(field) {
            columns.push((col, same));
        }
    }
    columns
}

/// Joins the merges a dropped header block split: the region above the break and the one below
/// it, when the cell below is empty (or repeats the text) and the items belong together.
fn join_splits(grid: &Grid, plan: &Plan, master: &crate::model::Master, rects: &mut Vec<Rect>) {
    for k in 1..plan.lines.len() {
        let (a, b) = (&plan.lines[k - 1], &plan.lines[k]);
        let (Kind::Item(ia), Kind::Item(ib)) = (a.kind, b.kind) else {
            continue;
        };
        if b.source == a.source + 1 {
            continue;
        }
        let map = &plan.sections[b.section].map;
        for (col, same) in continuing_columns(map, &master.items[ia], &master.items[ib]) {
            if !same {
                continue;
            }
            let (above_index, above) = region(rects, k as u32 - 1, col);
            let (below_index, below) = region(rects, k as u32, col);
            if below.first_row != k as u32
                || above.first_col != below.first_col
                || above.last_col != below.last_col
            {
                continue;
            }
            let above_text = text(
                grid,
                plan.lines[above.first_row as usize].source,
                above.first_col,
            );
            let below_text = clean(&grid.raw(b.source, below.first_col).to_text());
            if !below_text.is_empty() && below_text != above_text {
                continue;
            }
            let joined = Rect {
                first_row: above.first_row,
                last_row: below.last_row,
                ..above
            };
            let mut indexes: Vec<usize> =
                [above_index, below_index].into_iter().flatten().collect();
            indexes.sort_unstable();
            for i in indexes.into_iter().rev() {
                rects.remove(i);
            }
            rects.push(joined);
        }
    }
}

/// Header merges recovered from a block's texts: a cell spreads right over empty cells under the
/// same parent cell, then down over cells empty to the block's bottom. Master-sheet rows.
fn header_merges(grid: &Grid, rows: Range<u32>, width: u32) -> Vec<Rect> {
    let mut covered = std::collections::HashSet::new();
    let filled = |row: u32, col: u32| !grid.raw(row, col).is_empty();
    let mut parent: Vec<(u32, u32)> = vec![(0, width.saturating_sub(1)); width as usize];
    let mut rects = Vec::new();
    for row in rows.clone() {
        let mut spans: Vec<Option<(u32, u32)>> = vec![None; width as usize];
        let mut col = 0;
        while col < width {
            if covered.contains(&(row, col)) || !filled(row, col) {
                col += 1;
                continue;
            }
            let mut end = col;
            while end + 1 < width
                && !filled(row, end + 1)
                && !covered.contains(&(row, end + 1))
                && parent[end as usize + 1] == parent[col as usize]
            {
                end += 1;
            }
            let mut bottom = row;
            while bottom + 1 < rows.end
                && (col..=end)
                    .all(|c| !filled(bottom + 1, c) && !covered.contains(&(bottom + 1, c)))
            {
                bottom += 1;
            }
            for r in row..=bottom {
                for c in col..=end {
                    covered.insert((r, c));
                }
            }
            for span in &mut spans[col as usize..=end as usize] {
                *span = Some((col, end));
            }
            if bottom > row || end > col {
                rects.push(Rect {
                    first_row: row,
                    first_col: col,
                    last_row: bottom,
                    last_col: end,
                });
            }
            col = end + 1;
        }
        for (c, span) in spans.into_iter().enumerate() {
            if let Some(span) = span {
                parent[c] = span;
            }
        }
    }
    rects
}

/// Merges recovered from structure, for formats that do not record them (.ods).
fn recovered_merges(grid: &Grid, plan: &Plan, master: &crate::model::Master) -> Vec<Rect> {
    let mut rects = Vec::new();
    // Header blocks, and how wide each column's header cell is.
    let mut spans: Vec<HashMap<u32, u32>> = Vec::new();
    for section in &plan.sections {
        let first = section.rows.start;
        let source_start = plan.lines[first].source;
        let source_end = plan.lines[section.rows.end - 1].source + 1;
        let mut last_row_spans = HashMap::new();
        for rect in header_merges(grid, source_start..source_end, plan.width) {
            let mapped = Rect {
                first_row: rect.first_row - source_start + first as u32,
                last_row: rect.last_row - source_start + first as u32,
                ..rect
            };
            if mapped.contains(section.rows.end as u32 - 1, mapped.first_col) {
                last_row_spans.insert(mapped.first_col, mapped.last_col);
            }
            rects.push(mapped);
        }
        spans.push(last_row_spans);
    }
    // Total rows: the label over the empty cells up to the weight column.
    for (k, line) in plan.lines.iter().enumerate() {
        if let Kind::Total(_) = line.kind {
            let map = &plan.sections[line.section].map;
            let Some(weight) = map.col(Field::Weight) else {
                continue;
            };
            if let Some(col) = (0..weight).find(|&c| !grid.raw(line.source, c).is_empty())
                && (col + 1..weight).all(|c| grid.raw(line.source, c).is_empty())
                && weight > col + 1
            {
                rects.push(Rect {
                    first_row: k as u32,
                    first_col: col,
                    last_row: k as u32,
                    last_col: weight - 1,
                });
            }
        }
    }
    // Item rows, run by run (a run ends at any other row).
    let mut k = 0;
    while k < plan.lines.len() {
        if !matches!(plan.lines[k].kind, Kind::Item(_)) {
            k += 1;
            continue;
        }
        let start = k;
        while k < plan.lines.len() && matches!(plan.lines[k].kind, Kind::Item(_)) {
            k += 1;
        }
        item_run_merges(grid, plan, master, start..k, &spans, &mut rects);
    }
    rects
}

fn item_of<'a>(plan: &Plan, master: &'a crate::model::Master, k: usize) -> &'a Item {
    match plan.lines[k].kind {
        Kind::Item(i) => &master.items[i],
        _ => unreachable!("item runs hold item lines only"),
    }
}

/// Category, group and field merges over a run of consecutive item lines.
fn item_run_merges(
    grid: &Grid,
    plan: &Plan,
    master: &crate::model::Master,
    run: Range<usize>,
    spans: &[HashMap<u32, u32>],
    rects: &mut Vec<Rect>,
) {
    let section = plan.lines[run.start].section;
    let map = &plan.sections[section].map;
    let header_span = |col: u32| spans[section].get(&col).copied().unwrap_or(col);
    let mut push = |first: usize, last: usize, col: u32, last_col: u32| {
        if last > first || last_col > col {
            rects.push(Rect {
                first_row: first as u32,
                first_col: col,
                last_row: last as u32,
                last_col,
            });
        }
    };
    // Category levels: the items sharing the level's path; an item's last level spreads over the
    // level columns to its right.
    let last_level_col = map.category.last().copied().unwrap_or(0);
    for (level, &col) in map.category.iter().enumerate() {
        let key = |k: usize| {
            let item = item_of(plan, master, k);
            (item.category.len() > level).then(|| {
                let last = item.category.len() == level + 1;
                (item.category[..=level].to_vec(), last)
            })
        };
        let mut k = run.start;
        while k < run.end {
            let Some(this) = key(k) else {
                k += 1;
                continue;
            };
            let first = k;
            while k + 1 < run.end && key(k + 1).as_ref() == Some(&this) {
                k += 1;
            }
            let last_col = if this.1 { last_level_col } else { col };
            push(first, k, col, last_col);
            k += 1;
        }
    }
    // Group-level columns continue over their group while the cell below is empty or the same;
    // item-level columns (the hidden part of a merge) only while it is empty.
    let fields = [
        (Field::Basis, true),
        (Field::Indicator, true),
        (Field::Deadline, false),
        (Field::Leaders, false),
        (Field::Departments, false),
        (Field::Persons, false),
    ];
    let mut handled = Vec::new();
    for (field, same_text_continues) in fields {
        let Some(col) = map.col(field) else {
            continue;
        };
        handled.push(col);
        let last_col = header_span(col);
        let mut k = run.start;
        while k < run.end {
            let first = k;
            let head = text(grid, plan.lines[k].source, col);
            let group = &item_of(plan, master, k).group;
            while k + 1 < run.end && &item_of(plan, master, k + 1).group == group {
                let below = text(grid, plan.lines[k + 1].source, col);
                if below.is_empty() || (same_text_continues && below == head) {
                    k += 1;
                } else {
                    break;
                }
            }
            push(first, k, col, last_col);
            k += 1;
        }
    }
    // Other columns whose header cell is wider than one column.
    for (&col, &last_col) in &spans[section] {
        if last_col > col && !handled.contains(&col) && !map.category.contains(&col) {
            for k in run.clone() {
                push(k, k, col, last_col);
            }
        }
    }
}

/// A title or note row with one text and no merge: the text spreads over the table's width.
fn merge_lone_texts(grid: &Grid, plan: &mut Plan) {
    let end = plan.table_end();
    let mut added = Vec::new();
    for (k, line) in plan.lines.iter().enumerate() {
        let below = line.kind == Kind::Other && k > end;
        if line.kind != Kind::Title && !below {
            continue;
        }
        let row = k as u32;
        if plan
            .merges
            .iter()
            .any(|r| (r.first_row..=r.last_row).contains(&row))
        {
            continue;
        }
        let filled: Vec<u32> = (0..plan.width)
            .filter(|&c| !grid.raw(line.source, c).is_empty())
            .collect();
        if let [col] = filled[..]
            && col + 1 < plan.width
        {
            added.push(Rect {
                first_row: row,
                first_col: col,
                last_row: row,
                last_col: plan.width - 1,
            });
        }
    }
    plan.merges.extend(added);
}

/// How a column of the master table is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    /// A category level (0 = outermost).
    Category(usize),
    Field(Field),
    Unknown,
}

fn columns_of(plan: &Plan) -> Vec<Column> {
    (0..plan.width)
        .map(|col| {
            plan.sections
                .iter()
                .find_map(|s| {
                    if let Some(level) = s.map.category.iter().position(|&c| c == col) {
                        return Some(Column::Category(level));
                    }
                    s.map
                        .labels
                        .keys()
                        .find(|&&f| s.map.col(f) == Some(col))
                        .map(|&f| Column::Field(f))
                })
                .unwrap_or(Column::Unknown)
        })
        .collect()
}

/// Widest line of `text` in column units.
fn line_width(text: &str) -> f64 {
    text.lines()
        .map(crate::write::display_width)
        .fold(0.0, f64::max)
}

/// A column's width from its kind and the widest single-cell text in it.
fn column_width(column: Column, widest: f64, levels: usize) -> f64 {
    let fit = |min: f64, max: f64| (widest + 1.5).clamp(min, max);
    match column {
        Column::Category(level) if level > 0 || levels == 1 => {
            if levels > 1 {
                5.3
            } else {
                fit(8.0, 14.0)
            }
        }
        Column::Category(_) => 8.0,
        Column::Field(Field::Task) => fit(12.0, 42.0),
        Column::Field(Field::Basis | Field::Indicator) => fit(12.0, 26.0),
        Column::Field(Field::Weight) => fit(6.5, 9.0),
        Column::Field(Field::Id) => fit(6.0, 10.0),
        Column::Field(_) => fit(6.0, 14.0),
        Column::Unknown => fit(6.0, 30.0),
    }
}

struct Formats {
    title: Format,
    above: Format,
    header: Format,
    header_added: Format,
    level: Format,
    level_middle: Format,
    stacked: Format,
    left: Format,
    center: Format,
    sum: Format,
    sum_bold: Format,
    score: Format,
    score_missing: Format,
    deduction: Format,
    deduction_missing: Format,
    note: Format,
}

/// Fill of the cells of unscored items.
const MISSING_FILL: &str = "#FFEB9C";

impl Formats {
    fn new() -> Formats {
        let base = base_format();
        let cell = base.clone().set_border(FormatBorder::Thin);
        let center = cell.clone().set_align(FormatAlign::Center);
        let left = cell.clone().set_align(FormatAlign::Left);
        Formats {
            title: base
                .clone()
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center),
            above: base.clone(),
            header: center.clone().set_bold().set_background_color("#D9D9D9"),
            header_added: center.clone().set_bold().set_background_color("#C6E0B4"),
            level: center.clone().set_align(FormatAlign::Top),
            level_middle: center.clone(),
            stacked: center.clone().set_align(FormatAlign::Top).set_rotation(270),
            sum: center.clone(),
            sum_bold: center.clone().set_bold(),
            score: center.clone(),
            score_missing: center.clone().set_background_color(MISSING_FILL),
            deduction: left.clone(),
            deduction_missing: left.clone().set_background_color(MISSING_FILL),
            left,
            center,
            note: base.clone(),
        }
    }
}

fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: &Value,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        Value::Empty => sheet.write_blank(row, col, format)?,
        Value::Number(n) => sheet.write_number_with_format(row, col, *n, format)?,
        Value::Bool(b) => sheet.write_boolean_with_format(row, col, *b, format)?,
        Value::Text(_) | Value::DateTime(_) | Value::Error(_) => {
            sheet.write_string_with_format(row, col, value.to_text(), format)?
        }
    };
    Ok(())
}

fn number(d: Decimal) -> f64 {
    show(d).parse().unwrap_or(0.0)
}

/// `L4:L43,L47` for the rows `rows` of column `col`, each prefixed by `sheet!` when given.
pub(super) fn ranges(rows: &[u32], col: u16, sheet: Option<&str>) -> String {
    let mut rows = rows.to_vec();
    rows.sort_unstable();
    rows.dedup();
    let prefix = sheet
        .map(|s| format!("'{}'!", s.replace('\'', "''")))
        .unwrap_or_default();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let start = rows[i];
        while i + 1 < rows.len() && rows[i + 1] == rows[i] + 1 {
            i += 1;
        }
        let end = rows[i];
        let cell = |row| a1(row, u32::from(col));
        parts.push(if start == end {
            format!("{prefix}{}", cell(start))
        } else {
            format!("{prefix}{}:{}", cell(start), cell(end))
        });
        i += 1;
    }
    parts.join(",")
}

/// Where the compiled sheet put the scores, for the sheets that refer to them.
pub(super) struct Placed {
    pub sheet: String,
    pub score_col: u16,
    /// Row of each master item (by index), when the sheet has it.
    pub item_rows: Vec<Option<u32>>,
}

impl Placed {
    /// The rows of the items with these indexes.
    pub fn rows_of(&self, items: impl IntoIterator<Item = usize>) -> Vec<u32> {
        items
            .into_iter()
            .filter_map(|i| self.item_rows.get(i).copied().flatten())
            .collect()
    }
}

/// The note on a shared item's score: each department's score and how the item's was made.
fn score_note(ctx: &Ctx, scored: &ItemScore) -> String {
    let spec = ctx.spec;
    let mut lines: Vec<String> = scored
        .parts
        .iter()
        .map(|p| {
            let score = match p.score {
                Some(s) => show(s),
                None => spec.word(&format!("status.{}", p.status)),
            };
            render(
                &spec.word("compile.note.part"),
                &[("department", &p.department), ("score", &score)],
            )
        })
        .collect();
    if let Some(score) = scored.score {
        let (key, lead) = match ctx.scores.rule {
            super::Aggregation::Min => ("compile.rule.min", ""),
            super::Aggregation::Mean => ("compile.rule.mean", ""),
            super::Aggregation::Lead => (
                "compile.rule.lead",
                scored.parts.first().map_or("", |p| p.department.as_str()),
            ),
        };
        lines.push(render(
            &spec.word(key),
            &[("score", &show(score)), ("department", lead)],
        ));
    }
    lines.join("\n")
}

/// The deduction reasons of an item's departments: the text alone for one department,
/// `部门：…` lines for a shared item.
fn deductions(ctx: &Ctx, scored: &ItemScore) -> String {
    // The input that explains a score below the weight (扣分原因 in the built-in specs).
    let Some(key) = ctx
        .spec
        .inputs
        .iter()
        .find(|i| i.required_when == Some(crate::spec::RequiredWhen::ScoreBelowWeight))
        .map(|i| i.key.as_str())
    else {
        return String::new();
    };
    let mut lines = Vec::new();
    for part in &scored.parts {
        let Some(ret) = part.source.map(|i| &ctx.collection.returns[i]) else {
            continue;
        };
        let reason = ret
            .items
            .get(&scored.id)
            .and_then(|r| r.values.get(key))
            .map(|c| c.text.trim().to_string())
            .unwrap_or_default();
        if reason.is_empty() {
            continue;
        }
        lines.push(if scored.is_shared() {
            render(
                &ctx.spec.word("compile.note.part"),
                &[("department", &part.department), ("score", &reason)],
            )
        } else {
            reason
        });
    }
    lines.join("\n")
}

/// Writes 考评表 into `book`.
pub(super) fn write(
    book: &mut Workbook,
    ctx: &Ctx,
    plan: &Plan,
    grid: &Grid,
) -> Result<Placed, XlsxError> {
    let spec = ctx.spec;
    let master = ctx.master;
    let sheet_name = spec.word("compile.table_sheet");
    let sheet = book.add_worksheet();
    sheet.set_name(&sheet_name)?;
    let f = Formats::new();
    let width = plan.width;
    let score_col = width;
    let deduction_col = width + 1;
    let last_col = deduction_col;
    let table_end = plan.table_end();

    // Title and note merges that reach the table's right edge reach the appended columns too.
    let mut merges = plan.merges.clone();
    for rect in &mut merges {
        let line = &plan.lines[rect.first_row as usize];
        let outside = line.kind == Kind::Title
            || (line.kind == Kind::Other && rect.first_row as usize > table_end);
        if outside && rect.first_row == rect.last_row && rect.last_col + 1 == width {
            rect.last_col = last_col;
        }
    }
    let mut origin_of: HashMap<(u32, u32), usize> = HashMap::new();
    let mut hidden = std::collections::HashSet::new();
    for (i, rect) in merges.iter().enumerate() {
        origin_of.insert((rect.first_row, rect.first_col), i);
        for r in rect.first_row..=rect.last_row {
            for c in rect.first_col..=rect.last_col {
                if (r, c) != (rect.first_row, rect.first_col) {
                    hidden.insert((r, c));
                }
            }
        }
    }

    // Column widths from the widest single-cell text of item and header rows.
    let columns = columns_of(plan);
    let levels = plan.sections[0].map.category.len();
    let mut widths: Vec<f64> = Vec::new();
    for (col, &column) in columns.iter().enumerate() {
        let col = col as u32;
        let widest = plan
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(l.kind, Kind::Item(_) | Kind::Header))
            .filter(|(k, _)| {
                let k = *k as u32;
                !hidden.contains(&(k, col))
                    && origin_of
                        .get(&(k, col))
                        .is_none_or(|&i| merges[i].last_col == col)
            })
            .map(|(_, l)| line_width(&text(grid, l.source, col)))
            .fold(0.0, f64::max);
        widths.push(column_width(column, widest, levels));
    }
    widths.push(9.0);
    widths.push(24.0);
    for (col, w) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *w)?;
    }
    let span_width = |c0: u32, c1: u32| -> f64 { (c0..=c1).map(|c| widths[c as usize]).sum() };

    let title_row = plan.lines.iter().position(|l| l.kind == Kind::Title);
    let mut needed: Vec<u32> = vec![1; plan.lines.len()];
    let mut tall: Vec<(usize, usize, u32)> = Vec::new();
    let mut need = |k0: usize, k1: usize, lines: u32, needed: &mut Vec<u32>| {
        if k0 == k1 {
            needed[k0] = needed[k0].max(lines);
        } else {
            tall.push((k0, k1, lines));
        }
    };

    let mut item_rows: Vec<Option<u32>> = vec![None; master.items.len()];
    let total_items: Vec<Vec<usize>> = master
        .totals
        .iter()
        .map(|t| {
            master
                .items
                .iter()
                .enumerate()
                .filter(|(_, item)| {
                    t.kind == TotalKind::Total
                        || item.category.first().is_some_and(|c| t.covers.contains(c))
                })
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    for (k, line) in plan.lines.iter().enumerate() {
        if let Kind::Item(i) = line.kind {
            item_rows[i] = Some(k as u32);
        }
    }

    for (k, line) in plan.lines.iter().enumerate() {
        let row = k as u32;
        let inside = k <= table_end && line.kind != Kind::Title;
        for col in 0..width {
            if hidden.contains(&(row, col)) {
                continue;
            }
            let rect = origin_of.get(&(row, col)).map(|&i| merges[i]);
            let mut value = grid.spread(line.source, col).clone();
            let format = match line.kind {
                Kind::Title => {
                    if Some(k) == title_row {
                        &f.title
                    } else {
                        &f.above
                    }
                }
                Kind::Header => &f.header,
                Kind::Total(t) => {
                    let bold = master.totals[t].kind == TotalKind::Total;
                    let is_label = matches!(value, Value::Text(_))
                        && (0..col).all(|c| grid.spread(line.source, c).is_empty());
                    if is_label {
                        let unscored = total_items[t]
                            .iter()
                            .filter(|&&i| ctx.scores.items[i].score.is_none())
                            .count();
                        if unscored > 0 {
                            value = Value::Text(format!(
                                "{}{}",
                                value.to_text(),
                                render(
                                    &spec.word("compile.partial"),
                                    &[("count", &unscored.to_string())]
                                )
                            ));
                        }
                    }
                    if bold { &f.sum_bold } else { &f.sum }
                }
                Kind::Item(_) => match columns[col as usize] {
                    Column::Category(level) => {
                        let wide = rect.is_some_and(|r| r.last_col > r.first_col);
                        if wide {
                            &f.level_middle
                        } else if level > 0 {
                            &f.stacked
                        } else {
                            &f.level
                        }
                    }
                    Column::Field(Field::Basis | Field::Indicator | Field::Task) => &f.left,
                    Column::Unknown if line_width(&value.to_text()) > 24.0 => &f.left,
                    _ => &f.center,
                },
                Kind::Other if inside => &f.left,
                Kind::Other => &f.note,
            };
            let (r1, c1) = rect.map_or((row, col), |r| (r.last_row, r.last_col));
            if let Some(rect) = rect {
                sheet.merge_range(
                    rect.first_row,
                    rect.first_col as u16,
                    rect.last_row,
                    rect.last_col as u16,
                    "",
                    format,
                )?;
            }
            let bare = matches!(line.kind, Kind::Title) || (line.kind == Kind::Other && !inside);
            if value.is_empty() && bare {
                continue;
            }
            write_value(sheet, row, col as u16, &value, format)?;
            let shown = value.to_text();
            if shown.is_empty() || Some(k) == title_row {
                continue;
            }
            let lines = if std::ptr::eq(format, &f.stacked) {
                shown.chars().filter(|c| !c.is_whitespace()).count() as u32
            } else {
                wrapped_lines(&shown, span_width(col, c1))
            };
            need(k, r1 as usize, lines, &mut needed);
        }

        // The appended columns.
        let (score_col, deduction_col) = (score_col as u16, deduction_col as u16);
        match line.kind {
            Kind::Header => {
                let section = &plan.sections[line.section];
                if section.rows.start == k {
                    let last = section.rows.end as u32 - 1;
                    for (col, key) in [
                        (score_col, "compile.col.score"),
                        (deduction_col, "compile.col.deduction"),
                    ] {
                        let label = spec.word(key);
                        if last > row {
                            sheet.merge_range(row, col, last, col, &label, &f.header_added)?;
                        } else {
                            sheet.write_string_with_format(row, col, &label, &f.header_added)?;
                        }
                    }
                }
            }
            Kind::Item(i) => {
                let scored = &ctx.scores.items[i];
                let reasons = deductions(ctx, scored);
                match scored.score {
                    Some(score) => {
                        sheet.write_number_with_format(row, score_col, number(score), &f.score)?;
                        sheet.write_string_with_format(
                            row,
                            deduction_col,
                            &reasons,
                            &f.deduction,
                        )?;
                        need(
                            k,
                            k,
                            wrapped_lines(&reasons, widths[deduction_col as usize]),
                            &mut needed,
                        );
                    }
                    None => {
                        sheet.write_blank(row, score_col, &f.score_missing)?;
                        let text = if scored.lacking.is_empty() {
                            reasons
                        } else {
                            render(
                                &spec.word("compile.unscored"),
                                &[("departments", &scored.lacking.join("、"))],
                            )
                        };
                        sheet.write_string_with_format(
                            row,
                            deduction_col,
                            &text,
                            &f.deduction_missing,
                        )?;
                        need(
                            k,
                            k,
                            wrapped_lines(&text, widths[deduction_col as usize]),
                            &mut needed,
                        );
                    }
                }
                if scored.is_shared() {
                    let note = score_note(ctx, scored);
                    let height = 20 + 16 * note.lines().count() as u32;
                    sheet.insert_note(
                        row,
                        score_col,
                        &Note::new(note)
                            .add_author_prefix(false)
                            .set_font_name(FONT)
                            .set_width(220)
                            .set_height(height),
                    )?;
                }
            }
            Kind::Total(t) => {
                let rows = item_rows_of(&item_rows, &total_items[t]);
                let total = super::sum(
                    total_items[t]
                        .iter()
                        .filter_map(|&i| ctx.scores.items[i].score),
                );
                let format = if master.totals[t].kind == TotalKind::Total {
                    &f.sum_bold
                } else {
                    &f.sum
                };
                if rows.is_empty() {
                    sheet.write_number_with_format(row, score_col, 0.0, format)?;
                } else {
                    let formula = Formula::new(format!("=SUM({})", ranges(&rows, score_col, None)))
                        .set_result(show(total));
                    sheet.write_formula_with_format(row, score_col, formula, format)?;
                }
                sheet.write_blank(row, deduction_col, format)?;
            }
            Kind::Other if inside => {
                sheet.write_blank(row, score_col, &f.left)?;
                sheet.write_blank(row, deduction_col, &f.left)?;
            }
            Kind::Title | Kind::Other => {}
        }
    }

    // Rows of a merge share the lines its text needs.
    for (k0, k1, lines) in tall {
        let have: u32 = needed[k0..=k1].iter().sum();
        if lines > have {
            let rows = (k1 - k0 + 1) as u32;
            let extra = (lines - have).div_ceil(rows);
            for n in &mut needed[k0..=k1] {
                *n += extra;
            }
        }
    }
    for (k, lines) in needed.iter().enumerate() {
        let height = if Some(k) == title_row {
            36.0
        } else {
            height_for(*lines)
        };
        sheet.set_row_height(k as u32, height)?;
    }

    let header = &plan.sections[0].rows;
    print_setup(
        sheet,
        Some((header.start as u32, header.end as u32 - 1)),
        &spec.template.footer,
    )?;
    sheet.set_freeze_panes(header.end as u32, 0)?;
    Ok(Placed {
        sheet: sheet_name,
        score_col: score_col as u16,
        item_rows,
    })
}

fn item_rows_of(item_rows: &[Option<u32>], items: &[usize]) -> Vec<u32> {
    items
        .iter()
        .filter_map(|&i| item_rows.get(i).copied().flatten())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;

    fn sample() -> (crate::workbook::Workbook, crate::model::Master) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/master.xlsx");
        let book = crate::workbook::open(&path).unwrap();
        let read =
            crate::master::read_master_workbook("master.xlsx", &book, &Spec::builtin(), None)
                .unwrap();
        (book, read.master)
    }

    /// The sample's cells without its merges, as an .ods reads.
    fn without_merges(grid: &Grid) -> Grid {
        let rows = (0..grid.height())
            .map(|r| (0..grid.width()).map(|c| grid.raw(r, c).clone()).collect())
            .collect();
        Grid::new(rows, None)
    }

    #[test]
    fn the_sample_keeps_every_row_and_merge() {
        let (book, master) = sample();
        let grid = &book.sheet(&master.sheet).unwrap().grid;
        let labels = Labels::new(&Spec::builtin().master);
        let plan = plan(grid, &labels, &master).unwrap();
        assert_eq!(plan.lines.len() as u32, grid.height());
        assert!(
            plan.lines
                .iter()
                .enumerate()
                .all(|(k, l)| l.source == k as u32)
        );
        let mut expected: Vec<Rect> = grid.merges().to_vec();
        expected.sort_by_key(|r| (r.first_row, r.first_col));
        assert_eq!(plan.merges, expected);
        assert_eq!(plan.sections.len(), 2, "the short section's header stays");
    }

    #[test]
    fn merges_are_recovered_from_structure_when_the_format_has_none() {
        let (book, master) = sample();
        let grid = &book.sheet(&master.sheet).unwrap().grid;
        let labels = Labels::new(&Spec::builtin().master);
        let known = plan(grid, &labels, &master).unwrap();
        let bare = without_merges(grid);
        let read = crate::master::read_master_workbook(
            "master.ods",
            &crate::workbook::Workbook {
                format: crate::workbook::Format::Ods,
                sheets: vec![crate::workbook::Sheet {
                    name: master.sheet.clone(),
                    visibility: crate::workbook::Visibility::Visible,
                    grid: bare.clone(),
                    formulas: Default::default(),
                }],
                custom_properties: Default::default(),
            },
            &Spec::builtin(),
            None,
        )
        .unwrap();
        let recovered = plan(&bare, &labels, &read.master).unwrap();
        assert_eq!(recovered.merges, known.merges);
    }

    #[test]
    fn ranges_join_consecutive_rows() {
        assert_eq!(ranges(&[3, 4, 5, 9], 11, None), "L4:L6,L10");
        assert_eq!(ranges(&[7], 0, Some("考评表")), "'考评表'!A8");
    }
}
