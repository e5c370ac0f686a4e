//! Sheet 考评表: the master's own layout — title and preamble rows, header blocks with their
//! merges, section, item, 合计 and total rows, notes — written from the [`Layout`] the reader
//! made, with the score and deduction columns appended. Section rows show the score of their
//! items; totals are formulas with cached values.

use std::collections::HashMap;

use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Formula, Note, Workbook, Worksheet, XlsxError};

use super::{Ctx, ItemScore};
use crate::cell_text::render;
use crate::cell_text::show;
use crate::master_layout::{Layout, LayoutRow, RowKind};
use crate::model::{Role, TotalKind};
use crate::style::Palette;
use crate::template::print::{self, MIN_SCALE, Orientation, fitting_scale, total_points};
use crate::workbook::a1;
use crate::workbook::{Rect, Value};
use crate::write::{FONT, height_for, print_setup, wrapped_lines};

/// How a column of the master table is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    /// A category level (0 = outermost).
    Category(usize),
    Field(Role),
    Unknown,
}

/// Each column's treatment: its role in the first header block that gives it one.
fn columns_of(layout: &Layout) -> Vec<Column> {
    (0..layout.width as usize)
        .map(|col| {
            layout
                .headers
                .iter()
                .find_map(|h| match h.roles.get(col) {
                    Some(Role::Category) => Some(Column::Category(
                        h.roles[..col]
                            .iter()
                            .filter(|r| **r == Role::Category)
                            .count(),
                    )),
                    Some(Role::Ignored) | None => None,
                    Some(role) => Some(Column::Field(*role)),
                })
                .unwrap_or(Column::Unknown)
        })
        .collect()
}

/// A column appended to the master's: the self-assessed score and the departments' reasons
/// for deductions; with a review, the reviewed score and the reviewer's note beside the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Added {
    Score,
    Reviewed,
    ReviewNote,
    Deduction,
    /// The spec's measure of that index; `true` for a text.
    Measure(usize, bool),
    /// Progress: overdue or behind schedule.
    Flag,
}

impl Added {
    /// The columns after the master's: with a score, the score (and the review) and the
    /// reasons for deductions, then the measures; without one, the measures and, for progress
    /// reporting, the flags.
    fn of(reviewed: bool, spec: &crate::spec::Spec) -> Vec<Added> {
        let measures = spec.measures.iter().enumerate().map(|(i, m)| {
            let text = m.aggregate == crate::spec::Aggregate::Join;
            Added::Measure(i, text)
        });
        if spec.score_input().is_none() {
            let mut added: Vec<Added> = measures.collect();
            if spec.progress.is_some() {
                added.push(Added::Flag);
            }
            return added;
        }
        let mut added = Added::scored(reviewed);
        added.extend(measures);
        added
    }

    fn scored(reviewed: bool) -> Vec<Added> {
        if reviewed {
            vec![
                Added::Score,
                Added::Reviewed,
                Added::ReviewNote,
                Added::Deduction,
            ]
        } else {
            vec![Added::Score, Added::Deduction]
        }
    }

    fn width(self) -> f64 {
        match self {
            Added::Score | Added::Reviewed | Added::Measure(_, false) => 9.0,
            Added::ReviewNote | Added::Deduction | Added::Measure(_, true) => 24.0,
            Added::Flag => 14.0,
        }
    }

    /// Whether its texts may wrap onto more lines (a narrower column then).
    fn is_text(self) -> bool {
        matches!(
            self,
            Added::ReviewNote | Added::Deduction | Added::Measure(_, true) | Added::Flag
        )
    }

    fn label(self, spec: &crate::spec::Spec) -> String {
        let key = match self {
            Added::Score => "compile.col.score",
            Added::Reviewed => "compile.col.reviewed",
            Added::ReviewNote => "compile.col.review_note",
            Added::Deduction => "compile.col.deduction",
            Added::Flag => "compile.col.flag",
            Added::Measure(i, _) => {
                return spec
                    .measures
                    .get(i)
                    .map(|m| super::measures::label(spec, m))
                    .unwrap_or_default();
            }
        };
        spec.word(key)
    }
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
        Column::Field(Role::Task) => fit(12.0, 42.0),
        Column::Field(Role::Basis | Role::Indicator | Role::Text) => fit(12.0, 26.0),
        Column::Field(Role::Weight) => fit(6.5, 9.0),
        Column::Field(Role::Id) => fit(6.0, 10.0),
        Column::Field(_) => fit(6.0, 14.0),
        Column::Unknown => fit(6.0, 30.0),
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
    /// The column of the scores that count (the reviewed ones when reviewed).
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

/// The note on a shared item's score (self-assessed or reviewed, `of` each part, `item` the
/// item's): each department's score and how the item's was made.
fn score_note(
    ctx: &Ctx,
    scored: &ItemScore,
    of: fn(&super::Part) -> Option<Decimal>,
    item: Option<Decimal>,
) -> String {
    let spec = ctx.spec;
    let mut lines: Vec<String> = scored
        .parts
        .iter()
        .map(|p| {
            let score = match of(p) {
                Some(s) => show(s),
                None => spec.word(&format!("status.{}", p.status)),
            };
            render(
                &spec.word("compile.note.part"),
                &[("department", &p.department), ("score", &score)],
            )
        })
        .collect();
    if let Some(score) = item {
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
        .find(|i| i.explains_score())
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

/// Where every cell of the layout goes: merges (title and note merges reaching the appended
/// columns), which cells a merge hides, column kinds and widths.
struct Geometry {
    added: Vec<Added>,
    merges: Vec<Rect>,
    origin_of: HashMap<(u32, u32), usize>,
    hidden: std::collections::HashSet<(u32, u32)>,
    columns: Vec<Column>,
    widths: Vec<f64>,
    orientation: Orientation,
}

impl Geometry {
    fn new(layout: &Layout, added: Vec<Added>) -> Geometry {
        let width = layout.width;
        let last_col = width + added.len() as u32 - 1;
        let table_end = layout.table_end();
        let mut merges = layout.merges.clone();
        for rect in &mut merges {
            let row = &layout.rows[rect.first_row as usize];
            let outside = row.kind == RowKind::Title
                || (row.kind == RowKind::Note && rect.first_row as usize > table_end);
            if outside && rect.first_row == rect.last_row && rect.last_col + 1 == width {
                rect.last_col = last_col;
            }
        }
        let mut origin_of = HashMap::new();
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
        let mut geometry = Geometry {
            added,
            merges,
            origin_of,
            hidden,
            columns: columns_of(layout),
            widths: Vec::new(),
            orientation: Orientation::Landscape,
        };
        let widths = geometry.column_widths(layout);
        (geometry.widths, geometry.orientation) =
            fit_to_page(&widths, &geometry.columns, &geometry.added);
        geometry
    }

    /// The column of an added column, if the sheet has it.
    fn col(&self, width: u32, added: Added) -> Option<u16> {
        self.added
            .iter()
            .position(|a| *a == added)
            .map(|i| (width as usize + i) as u16)
    }

    /// Widths from the widest single-cell text of item and header rows, then the two added.
    fn column_widths(&self, layout: &Layout) -> Vec<f64> {
        let levels = layout.headers[0]
            .roles
            .iter()
            .filter(|r| **r == Role::Category)
            .count();
        let mut widths: Vec<f64> = (0..layout.width)
            .map(|col| {
                let widest = layout
                    .rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| matches!(r.kind, RowKind::Item(_) | RowKind::Header))
                    .filter(|(k, _)| {
                        let k = *k as u32;
                        !self.hidden.contains(&(k, col))
                            && self
                                .origin_of
                                .get(&(k, col))
                                .is_none_or(|&i| self.merges[i].last_col == col)
                    })
                    .map(|(_, r)| line_width(&r.cell(col).to_text()))
                    .fold(0.0, f64::max);
                column_width(self.columns[col as usize], widest, levels)
            })
            .collect();
        widths.extend(self.added.iter().map(|a| a.width()));
        widths
    }

    fn span_width(&self, c0: u32, c1: u32) -> f64 {
        (c0..=c1).map(|c| self.widths[c as usize]).sum()
    }
}

/// The table on A4: portrait when its columns fit portrait at [`MIN_SCALE`] or more; else
/// landscape, its long texts (task, basis, indicator and other texts, the deduction column)
/// narrowed where needed so that, printed one page wide, Excel prints it at [`MIN_SCALE`] or
/// more (LibreOffice, whose columns are a little wider, a few percent less) — they wrap onto
/// more lines.
fn fit_to_page(widths: &[f64], columns: &[Column], added: &[Added]) -> (Vec<f64>, Orientation) {
    if fitting_scale(total_points(widths), Orientation::Portrait) >= MIN_SCALE {
        return (widths.to_vec(), Orientation::Portrait);
    }
    let fitting: Vec<print::Column> = widths
        .iter()
        .enumerate()
        .map(|(col, &width)| {
            let min = match columns.get(col) {
                Some(Column::Field(Role::Task)) => 24.0,
                Some(Column::Field(Role::Basis | Role::Indicator | Role::Text)) => 16.0,
                Some(Column::Unknown) => 12.0,
                None if added.get(col - columns.len()).is_some_and(|a| a.is_text()) => 16.0,
                _ => width,
            };
            print::Column {
                width,
                min: min.min(width),
                hide_rank: None,
            }
        })
        .collect();
    let fitted = print::fit(&fitting, Orientation::Landscape, print::FIT_TO_WIDTH);
    (fitted.widths, Orientation::Landscape)
}

/// Lines each row needs; a merge's lines are shared by the rows it spans.
struct Heights {
    needed: Vec<u32>,
    tall: Vec<(usize, usize, u32)>,
}

impl Heights {
    fn need(&mut self, k0: usize, k1: usize, lines: u32) {
        if k0 == k1 {
            self.needed[k0] = self.needed[k0].max(lines);
        } else {
            self.tall.push((k0, k1, lines));
        }
    }

    /// Each row's height in points: the lines it needs, a merge's shared by its rows.
    fn into_points(mut self, title_row: Option<usize>) -> Vec<f64> {
        for (k0, k1, lines) in std::mem::take(&mut self.tall) {
            let have: u32 = self.needed[k0..=k1].iter().sum();
            if lines > have {
                let rows = (k1 - k0 + 1) as u32;
                let extra = (lines - have).div_ceil(rows);
                for n in &mut self.needed[k0..=k1] {
                    *n += extra;
                }
            }
        }
        self.needed
            .iter()
            .enumerate()
            .map(|(k, lines)| {
                if Some(k) == title_row {
                    36.0
                } else {
                    height_for(*lines)
                }
            })
            .collect()
    }
}

/// What writing the sheet shares.
struct Writer<'a> {
    ctx: &'a Ctx<'a>,
    layout: &'a Layout,
    geometry: Geometry,
    f: &'static Palette,
    /// Sheet row of each item.
    item_rows: Vec<Option<u32>>,
    /// The items each total row adds up.
    total_items: Vec<Vec<usize>>,
    /// The text of each item's deduction column.
    deductions: Vec<String>,
    /// The text of each item's 核定说明 column (with a review).
    review_notes: Vec<String>,
    title_row: Option<usize>,
    table_end: usize,
}

/// One master cell to write: its column, value, format and the merge it starts.
struct MasterCell<'f> {
    col: u32,
    value: Value,
    format: &'f Format,
    rect: Option<Rect>,
}

/// 考评表 is what the compiled workbook prints (the sheet active when it opens): on A4 in the
/// orientation [`fit_to_page`] chose, one page wide (its widths make that a scale of about
/// [`MIN_SCALE`] or more); the master's header rows on every page; the print area the table,
/// its notes and the footer block.
fn print_table(
    sheet: &mut Worksheet,
    spec: &crate::spec::Spec,
    (repeat_first, repeat_last): (u32, u32),
    (last_row, last_col): (u32, u16),
    orientation: Orientation,
) -> Result<(), XlsxError> {
    print_setup(
        sheet,
        Some((repeat_first, repeat_last)),
        &spec.template.footer,
    )?;
    let [left, right, top, bottom, header, footer] = print::MARGINS;
    sheet.set_margins(left, right, top, bottom, header, footer);
    if orientation == Orientation::Portrait {
        sheet.set_portrait();
    }
    sheet.set_print_area(0, 0, last_row, last_col)?;
    sheet.set_active(true);
    Ok(())
}

/// Writes 考评表 into `book`. Rows are written in order, each with its height already known,
/// so the sheet is kept in low-memory mode (a table of tens of thousands of rows is streamed).
pub(super) fn write(book: &mut Workbook, ctx: &Ctx, layout: &Layout) -> Result<Placed, XlsxError> {
    let spec = ctx.spec;
    let sheet_name = spec.word("compile.table_sheet");
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(&sheet_name)?;
    let w = Writer::new(ctx, layout);
    for (col, width) in w.geometry.widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    let header = &layout.headers[0].rows;
    let last_col = (layout.width as usize + w.geometry.added.len() - 1) as u16;
    // The footer block (制表单位 / 审核人 / 制表日期) a row below everything of the master's.
    let footer_row = layout.rows.len() as u32 + 1;
    print_table(
        sheet,
        spec,
        (header.start as u32, header.end as u32 - 1),
        (footer_row, last_col),
        w.geometry.orientation,
    )?;
    sheet.set_freeze_panes(header.end as u32, 0)?;
    let heights = w.heights();
    for (k, row) in layout.rows.iter().enumerate() {
        sheet.set_row_height(k as u32, heights[k])?;
        for cell in w.master_cells(k, row) {
            w.emit(sheet, k, row, &cell)?;
        }
        w.added_cells(sheet, k, row)?;
    }
    let footer = render(
        &spec.word("compile.footer"),
        &[("office", ctx.office), ("date", ctx.date)],
    );
    sheet.set_row_height(footer_row, 28)?;
    sheet.merge_range(footer_row, 0, footer_row, last_col, &footer, &w.f.note)?;
    let counted = if ctx.scores.reviewed {
        Added::Reviewed
    } else {
        Added::Score
    };
    Ok(Placed {
        sheet: sheet_name,
        score_col: w
            .geometry
            .col(layout.width, counted)
            .unwrap_or(layout.width as u16),
        item_rows: w.item_rows,
    })
}

impl<'a> Writer<'a> {
    fn new(ctx: &'a Ctx<'a>, layout: &'a Layout) -> Writer<'a> {
        let master = ctx.master;
        let mut item_rows = vec![None; master.items().len()];
        for (k, row) in layout.rows.iter().enumerate() {
            if let RowKind::Item(i) = row.kind {
                item_rows[i] = Some(k as u32);
            }
        }
        let total_items = master
            .totals()
            .iter()
            .map(|t| {
                master
                    .items()
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
        let deductions = ctx
            .scores
            .items
            .iter()
            .map(|scored| {
                match (
                    scored.final_score(ctx.scores.reviewed),
                    scored.lacking.is_empty(),
                ) {
                    (None, false) => render(
                        &ctx.spec.word("compile.unscored"),
                        &[("departments", &scored.lacking.join("、"))],
                    ),
                    _ => deductions(ctx, scored),
                }
            })
            .collect();
        let review_notes = ctx
            .scores
            .items
            .iter()
            .map(|s| review_note(ctx, s))
            .collect();
        Writer {
            ctx,
            layout,
            geometry: Geometry::new(layout, Added::of(ctx.scores.reviewed, ctx.spec)),
            review_notes,
            f: crate::style::palette(),
            item_rows,
            total_items,
            deductions,
            title_row: layout.rows.iter().position(|r| r.kind == RowKind::Title),
            table_end: layout.table_end(),
        }
    }

    /// The format of a master cell.
    fn format(&self, k: usize, row: &LayoutRow, col: u32, value: &Value) -> &Format {
        let f = &self.f;
        let inside = k <= self.table_end && row.kind != RowKind::Title;
        match &row.kind {
            RowKind::Title if Some(k) == self.title_row => &f.title,
            RowKind::Title => &f.plain,
            RowKind::Header => &f.header,
            RowKind::Total(t) if self.ctx.master.totals()[*t].kind == TotalKind::Total => {
                &f.bold_center
            }
            RowKind::Total(_) => &f.center,
            RowKind::Section { .. } => &f.section,
            RowKind::Item(_) => match self.geometry.columns[col as usize] {
                Column::Category(level) => {
                    let wide = self
                        .geometry
                        .origin_of
                        .get(&(k as u32, col))
                        .is_some_and(|&i| {
                            let r = self.geometry.merges[i];
                            r.last_col > r.first_col
                        });
                    if wide {
                        &f.center
                    } else if level > 0 {
                        &f.stacked
                    } else {
                        &f.level
                    }
                }
                Column::Field(role) if role.is_text() => &f.left,
                Column::Unknown if line_width(&value.to_text()) > 24.0 => &f.left,
                _ => &f.center,
            },
            RowKind::Other if inside => &f.left,
            RowKind::Note | RowKind::Other => &f.plain,
        }
    }

    /// A total row's label with the partial mark when some of its items are unscored.
    fn total_label(&self, t: usize, value: &Value) -> Value {
        let reviewed = self.ctx.scores.reviewed;
        let unscored = self.total_items[t]
            .iter()
            .filter(|&&i| self.ctx.scores.items[i].final_score(reviewed).is_none())
            .count();
        if unscored == 0 {
            return value.clone();
        }
        let partial = render(
            &self.ctx.spec.word("compile.partial"),
            &[("count", &unscored.to_string())],
        );
        Value::Text(format!("{}{partial}", value.to_text()))
    }

    /// The master cells of row `k` to write (the hidden parts of merges left out).
    fn master_cells(&self, k: usize, row: &LayoutRow) -> Vec<MasterCell<'_>> {
        let r = k as u32;
        let mut cells = Vec::new();
        for col in 0..self.layout.width {
            if self.geometry.hidden.contains(&(r, col)) {
                continue;
            }
            let rect = self
                .geometry
                .origin_of
                .get(&(r, col))
                .map(|&i| self.geometry.merges[i]);
            let mut value = row.cell(col).clone();
            if let RowKind::Total(t) = row.kind
                && matches!(value, Value::Text(_))
                && (0..col).all(|c| row.cell(c).is_empty())
            {
                value = self.total_label(t, &value);
            }
            let format = self.format(k, row, col, &value);
            cells.push(MasterCell {
                col,
                value,
                format,
                rect,
            });
        }
        cells
    }

    /// Whether row `k` is outside the table (title, notes below), where empty cells stay bare.
    fn bare(&self, k: usize, row: &LayoutRow) -> bool {
        row.kind == RowKind::Title
            || (matches!(row.kind, RowKind::Note | RowKind::Other) && k > self.table_end)
    }

    fn emit(
        &self,
        sheet: &mut Worksheet,
        k: usize,
        row: &LayoutRow,
        cell: &MasterCell,
    ) -> Result<(), XlsxError> {
        if let Some(rect) = cell.rect {
            sheet.merge_range(
                rect.first_row,
                rect.first_col as u16,
                rect.last_row,
                rect.last_col as u16,
                "",
                cell.format,
            )?;
        }
        if cell.value.is_empty() && self.bare(k, row) {
            return Ok(());
        }
        write_value(sheet, k as u32, cell.col as u16, &cell.value, cell.format)
    }

    /// The height of every row: the lines of its texts, a merge's shared by its rows.
    fn heights(&self) -> Vec<f64> {
        let mut heights = Heights {
            needed: vec![1; self.layout.rows.len()],
            tall: Vec::new(),
        };
        // A column the sheet does not have needs no lines (its width 0 is never asked).
        let width_of = |added: Added| {
            self.geometry
                .col(self.layout.width, added)
                .map(|c| self.geometry.widths[c as usize])
        };
        let deduction_width = width_of(Added::Deduction);
        let note_width = width_of(Added::ReviewNote);
        for (k, row) in self.layout.rows.iter().enumerate() {
            if Some(k) == self.title_row {
                continue;
            }
            for cell in self.master_cells(k, row) {
                let shown = cell.value.to_text();
                if shown.is_empty() {
                    continue;
                }
                let (r1, c1) = cell
                    .rect
                    .map_or((k as u32, cell.col), |x| (x.last_row, x.last_col));
                let lines = if std::ptr::eq(cell.format, &self.f.stacked) {
                    shown.chars().filter(|c| !c.is_whitespace()).count() as u32
                } else {
                    wrapped_lines(&shown, self.geometry.span_width(cell.col, c1))
                };
                heights.need(k, r1 as usize, lines);
            }
            if let RowKind::Item(i) = row.kind {
                if let Some(width) = deduction_width {
                    heights.need(k, k, wrapped_lines(&self.deductions[i], width));
                }
                if let Some(width) = note_width {
                    heights.need(k, k, wrapped_lines(&self.review_notes[i], width));
                }
                for (n, added) in self.geometry.added.iter().enumerate() {
                    let width = self.geometry.widths[self.layout.width as usize + n];
                    let text = match added {
                        Added::Measure(m, true) => match self.ctx.measures.items[i].get(*m) {
                            Some(super::measures::Measured::Text(text)) => text.clone(),
                            _ => continue,
                        },
                        Added::Flag => match &self.ctx.measures.flags[i] {
                            Some(flag) => super::measures::flag_text(self.ctx.spec, flag),
                            None => continue,
                        },
                        _ => continue,
                    };
                    heights.need(k, k, wrapped_lines(&text, width));
                }
            }
        }
        heights.into_points(self.title_row)
    }

    /// A measure's cell of item `i`: a number (a computed share as a percentage) or a text.
    fn measure_cell(
        &self,
        sheet: &mut Worksheet,
        (r, col): (u32, u16),
        i: usize,
        m: usize,
    ) -> Result<(), XlsxError> {
        let f = &self.f;
        let measured = self.ctx.measures.items.get(i).and_then(|row| row.get(m));
        let percent = self
            .ctx
            .spec
            .measures
            .get(m)
            .and_then(|spec| self.ctx.spec.input(&spec.input))
            .is_some_and(|input| input.show_as == crate::spec::ShowAs::Percent);
        let lacking = self.ctx.measures.lacking.get(i).filter(|l| !l.is_empty());
        if let Some(lacking) = lacking {
            // A figure made without some departments is marked, and says whose are not in it.
            let note = render(
                &self.ctx.spec.word("compile.measure_lacking"),
                &[("departments", &lacking.join("、"))],
            );
            sheet.insert_note(
                r,
                col,
                &Note::new(note)
                    .add_author_prefix(false)
                    .set_font_name(FONT)
                    .set_width(220)
                    .set_height(40),
            )?;
        }
        match measured {
            Some(super::measures::Measured::Number(Some(n))) => {
                let format = match (lacking, percent) {
                    (Some(_), true) => &f
                        .percent
                        .clone()
                        .set_background_color(crate::style::MARK_FILL),
                    (Some(_), false) => &f.missing_center,
                    (None, true) => &f.percent,
                    (None, false) => &f.center,
                };
                sheet.write_number_with_format(r, col, number(*n), format)?;
            }
            Some(super::measures::Measured::Text(text)) if !text.is_empty() => {
                let format = if lacking.is_some() {
                    &f.missing_left
                } else {
                    &f.left
                };
                sheet.write_string_with_format(r, col, text, format)?;
            }
            Some(super::measures::Measured::Text(_)) => {
                sheet.write_blank(r, col, &f.left)?;
            }
            _ => {
                sheet.write_blank(r, col, &f.missing_center)?;
            }
        }
        Ok(())
    }

    /// The added columns of row `k`.
    fn added_cells(
        &self,
        sheet: &mut Worksheet,
        k: usize,
        row: &LayoutRow,
    ) -> Result<(), XlsxError> {
        let r = k as u32;
        let f = &self.f;
        let columns: Vec<(Added, u16)> = self
            .geometry
            .added
            .iter()
            .enumerate()
            .map(|(i, a)| (*a, (self.layout.width as usize + i) as u16))
            .collect();
        match &row.kind {
            RowKind::Header => self.added_header(sheet, k)?,
            RowKind::Item(i) => self.item_score(sheet, k, *i)?,
            RowKind::Total(t) => {
                let format = if self.ctx.master.totals()[*t].kind == TotalKind::Total {
                    &f.bold_center
                } else {
                    &f.center
                };
                for (added, col) in columns {
                    match added {
                        Added::Score | Added::Reviewed => {
                            self.sum_of(sheet, r, col, added, &self.total_items[*t], format)?
                        }
                        _ => {
                            sheet.write_blank(r, col, format)?;
                        }
                    }
                }
            }
            RowKind::Section { items } => {
                let items: Vec<usize> = items.clone().collect();
                for (added, col) in columns {
                    match added {
                        Added::Score | Added::Reviewed => {
                            self.sum_of(sheet, r, col, added, &items, &f.bold_center)?
                        }
                        _ => {
                            sheet.write_blank(r, col, &f.section)?;
                        }
                    }
                }
            }
            RowKind::Other if k <= self.table_end => {
                for (_, col) in columns {
                    sheet.write_blank(r, col, &f.left)?;
                }
            }
            RowKind::Title | RowKind::Other | RowKind::Note => {}
        }
        Ok(())
    }

    /// The added columns' labels, over the first row of each header block.
    fn added_header(&self, sheet: &mut Worksheet, k: usize) -> Result<(), XlsxError> {
        let Some(block) = self.layout.headers.iter().find(|h| h.rows.start == k) else {
            return Ok(());
        };
        let width = self.layout.width as usize;
        let (row, last) = (k as u32, block.rows.end as u32 - 1);
        for (i, added) in self.geometry.added.iter().enumerate() {
            let col = (width + i) as u16;
            let label = added.label(self.ctx.spec);
            if last > row {
                sheet.merge_range(row, col, last, col, &label, &self.f.header_input)?;
            } else {
                sheet.write_string_with_format(row, col, &label, &self.f.header_input)?;
            }
        }
        Ok(())
    }

    /// The sum of the scores (self-assessed, or reviewed) of `items` as a formula over their
    /// rows in column `col`, with its cached value.
    fn sum_of(
        &self,
        sheet: &mut Worksheet,
        r: u32,
        col: u16,
        added: Added,
        items: &[usize],
        format: &Format,
    ) -> Result<(), XlsxError> {
        let rows: Vec<u32> = items
            .iter()
            .filter_map(|&i| self.item_rows.get(i).copied().flatten())
            .collect();
        let scores = &self.ctx.scores.items;
        let total = super::sum(items.iter().filter_map(|&i| match added {
            Added::Reviewed => scores[i].reviewed,
            _ => scores[i].score,
        }));
        if rows.is_empty() {
            sheet.write_number_with_format(r, col, 0.0, format)?;
        } else {
            let formula =
                Formula::new(format!("=SUM({})", ranges(&rows, col, None))).set_result(show(total));
            sheet.write_formula_with_format(r, col, formula, format)?;
        }
        Ok(())
    }

    fn item_score(&self, sheet: &mut Worksheet, k: usize, i: usize) -> Result<(), XlsxError> {
        let (ctx, f) = (self.ctx, &self.f);
        let r = k as u32;
        let scored = &ctx.scores.items[i];
        for (n, added) in self.geometry.added.iter().enumerate() {
            let col = (self.layout.width as usize + n) as u16;
            let value = match added {
                Added::Score => scored.score,
                Added::Reviewed => scored.reviewed,
                _ => None,
            };
            let counted = scored.final_score(ctx.scores.reviewed).is_some();
            match added {
                Added::Score | Added::Reviewed => match value {
                    Some(score) => {
                        sheet.write_number_with_format(r, col, number(score), &f.center)?;
                    }
                    None => {
                        sheet.write_blank(r, col, &f.missing_center)?;
                    }
                },
                Added::Measure(m, _) => self.measure_cell(sheet, (r, col), i, *m)?,
                Added::Flag => {
                    let flag = ctx.measures.flags.get(i).cloned().flatten();
                    let text = flag
                        .as_ref()
                        .map(|flag| super::measures::flag_text(ctx.spec, flag))
                        .unwrap_or_default();
                    let format = if flag.is_some() { &f.flagged } else { &f.left };
                    sheet.write_string_with_format(r, col, &text, format)?;
                }
                Added::ReviewNote | Added::Deduction => {
                    let text = if *added == Added::Deduction {
                        &self.deductions[i]
                    } else {
                        &self.review_notes[i]
                    };
                    let format = if counted { &f.left } else { &f.missing_left };
                    sheet.write_string_with_format(r, col, text, format)?;
                }
            }
            // A note says how a shared item's score was made, where its departments' differ.
            let note = match added {
                Added::Score if scored.is_shared() && !parts_agree(scored, |p| p.score) => {
                    Some(score_note(ctx, scored, |p| p.score, scored.score))
                }
                Added::Reviewed if scored.is_shared() && !parts_agree(scored, |p| p.reviewed) => {
                    Some(score_note(ctx, scored, |p| p.reviewed, scored.reviewed))
                }
                _ => None,
            };
            if let Some(note) = note {
                let height = 20 + 16 * note.lines().count() as u32;
                sheet.insert_note(
                    r,
                    col,
                    &Note::new(note)
                        .add_author_prefix(false)
                        .set_font_name(FONT)
                        .set_width(220)
                        .set_height(height),
                )?;
            }
        }
        Ok(())
    }
}

/// The 核定说明 of an item: the reviewer's note alone for one department, `部门：…` lines for a
/// shared item.
fn review_note(ctx: &Ctx, scored: &ItemScore) -> String {
    let notes: Vec<&super::Part> = scored
        .parts
        .iter()
        .filter(|p| !p.review_note.is_empty())
        .collect();
    if !scored.is_shared() {
        return notes
            .first()
            .map(|p| p.review_note.clone())
            .unwrap_or_default();
    }
    notes
        .iter()
        .map(|p| {
            render(
                &ctx.spec.word("compile.note.part"),
                &[("department", &p.department), ("score", &p.review_note)],
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether every department of an item has the same score `of` (then the item's says all).
fn parts_agree(scored: &ItemScore, of: fn(&super::Part) -> Option<Decimal>) -> bool {
    let first = scored.parts.first().and_then(of);
    first.is_some() && scored.parts.iter().all(|p| of(p) == first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_join_consecutive_rows() {
        assert_eq!(ranges(&[3, 4, 5, 9], 11, None), "L4:L6,L10");
        assert_eq!(ranges(&[7], 0, Some("考评表")), "'考评表'!A8");
    }
}
