//! The sheets beside 考评表: 得分概览 (scores per category and group, with a chart), 部门明细
//! (one row per item and department, traceable to the cell and file it came from) and 填报情况
//! (each department's return).

use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{Chart, ChartLegendPosition, Workbook, Worksheet, XlsxError};

use super::Ctx;
use super::table::{Placed, ranges};
use crate::cell_text::render;
use crate::cell_text::{show, split_points};
use crate::model::Category;
use crate::spec::InputKind;
use crate::style::Palette;
use crate::template::print::{Orientation, fitting_scale, total_points};
use crate::write::{Content, Planned, height_for, print_setup, wrapped_lines, write_planned};

/// The overview's chart: about as wide as its table, and the default-height rows it covers.
const CHART_WIDTH: u32 = 648;
const CHART_HEIGHT: u32 = 320;
const CHART_ROWS: u32 = 17;

fn number(d: Decimal) -> f64 {
    show(d).parse().unwrap_or(0.0)
}

/// The title over the first `span` columns in row 0 (those printed), and the column labels with
/// their widths in row 1.
fn heading(
    sheet: &mut Worksheet,
    f: &Palette,
    title: &str,
    columns: &[(String, f64)],
    span: usize,
) -> Result<(), XlsxError> {
    let last = span.min(columns.len()).saturating_sub(1) as u16;
    if last > 0 {
        sheet.merge_range(0, 0, 0, last, title, &f.title_sheet)?;
    } else {
        sheet.write_string_with_format(0, 0, title, &f.title_sheet)?;
    }
    sheet.set_row_height(0, 30)?;
    for (col, (label, width)) in columns.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
        sheet.write_string_with_format(1, col as u16, label, &f.header)?;
    }
    let lines = columns
        .iter()
        .map(|(label, width)| wrapped_lines(label, *width))
        .max()
        .unwrap_or(1);
    sheet.set_row_height(1, height_for(lines))?;
    Ok(())
}

/// Ids of every item in `category` and below it.
fn items_below(category: &Category, out: &mut Vec<String>) {
    out.extend(category.items.iter().cloned());
    for child in &category.children {
        items_below(child, out);
    }
}

/// (depth, category) in table order, depth first.
fn flatten(categories: &[Category], depth: usize, out: &mut Vec<(usize, Category)>) {
    for c in categories {
        out.push((depth, c.clone()));
        flatten(&c.children, depth + 1, out);
    }
}

/// A line of 得分概览: its name, its indent, the items it adds up.
#[derive(Debug, Clone, PartialEq)]
struct OverviewLine {
    name: String,
    indent: u8,
    ids: Vec<String>,
}

/// 得分概览's category lines, depth first, each named with its points; then the 合计 line of
/// all items when the master has one.
fn category_lines(master: &crate::model::Master) -> (Vec<OverviewLine>, Option<OverviewLine>) {
    let mut categories = Vec::new();
    flatten(master.categories(), 0, &mut categories);
    let lines = categories
        .iter()
        .map(|(depth, category)| {
            let mut ids = Vec::new();
            items_below(category, &mut ids);
            let name = match category.points {
                Some(points) => format!("{}（{}分）", category.name, show(points)),
                None => category.name.clone(),
            };
            OverviewLine {
                name,
                indent: (*depth as u8).min(8),
                ids,
            }
        })
        .collect();
    let total = master
        .totals()
        .iter()
        .find(|t| t.kind == crate::model::TotalKind::Total)
        .map(|total| OverviewLine {
            name: total.label.clone(),
            indent: 0,
            ids: master.items().iter().map(|i| i.id.clone()).collect(),
        });
    (lines, total)
}

/// 得分概览's group lines, in the master's order, each named with its first item's indicator.
fn group_lines(master: &crate::model::Master) -> Vec<OverviewLine> {
    let mut groups: indexmap::IndexMap<&str, Vec<&crate::model::Item>> = indexmap::IndexMap::new();
    for item in master.items() {
        groups.entry(item.group.as_str()).or_default().push(item);
    }
    groups
        .iter()
        .map(|(group, items)| {
            let about = items[0]
                .indicator()
                .map(|t| split_points(t).0)
                .unwrap_or_default();
            let about: String = if about.chars().count() > 28 {
                about.chars().take(27).chain(['…']).collect()
            } else {
                about
            };
            let name = if about.is_empty() {
                group.to_string()
            } else {
                format!("{group}　{about}")
            };
            let ids = items.iter().map(|i| i.id.clone()).collect();
            OverviewLine {
                name,
                indent: 0,
                ids,
            }
        })
        .collect()
}

/// The cells of one line of 得分概览 in sheet row `row` — name, full points, score formula,
/// rate formula, remark — and the text lines the row needs.
fn overview_row(
    ctx: &Ctx,
    placed: &Placed,
    positions: &std::collections::HashMap<&str, usize>,
    row: u32,
    line: &OverviewLine,
) -> (Vec<Planned>, u32) {
    let (spec, master, f) = (ctx.spec, ctx.master, crate::style::palette());
    let indexes: Vec<usize> = line
        .ids
        .iter()
        .filter_map(|id| positions.get(id.as_str()).copied())
        .collect();
    let full = super::sum(indexes.iter().filter_map(|&i| master.items()[i].weight));
    let reviewed = ctx.scores.reviewed;
    let scores = || {
        indexes
            .iter()
            .map(|&i| ctx.scores.items[i].final_score(reviewed))
    };
    let got = super::sum(scores().flatten());
    let unscored = scores().filter(Option::is_none).count();
    // Nothing scored (a partial compile): 未评, not a score of 0.
    let rated = unscored < indexes.len();
    let not_rated = spec.word("compile.not_rated");
    let quoted = format!("\"{}\"", not_rated.replace('"', "\"\""));
    let rows = placed.rows_of(indexes.iter().copied());
    let score = if rows.is_empty() {
        Content::Number(0.0)
    } else {
        let cells = ranges(&rows, placed.score_col, Some(&placed.sheet));
        let formula = format!("=IF(COUNT({cells})=0,{quoted},SUM({cells}))");
        Content::formula(formula, if rated { show(got) } else { not_rated.clone() })
    };
    let (b, c) = (crate::workbook::a1(row, 1), crate::workbook::a1(row, 2));
    let rate = format!("=IF(ISNUMBER({c}),IF({b}=0,\"\",{c}/{b}),{c})");
    let cached_rate = if !rated && !rows.is_empty() {
        not_rated
    } else if full.is_zero() {
        String::new()
    } else {
        let value = got
            .checked_div(full)
            .unwrap_or_default()
            .round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero);
        show(value)
    };
    let remark = if unscored > 0 {
        render(
            &spec.word("compile.partial"),
            &[("count", &unscored.to_string())],
        )
    } else {
        String::new()
    };
    let lines = wrapped_lines(&line.name, 36.0 - 2.0 * f64::from(line.indent))
        .max(wrapped_lines(&remark, 26.0));
    let name_format = f.cell.clone().set_indent(line.indent);
    let cells = vec![
        Planned::owned(0, Content::Text(line.name.clone()), name_format),
        Planned::new(1, Content::Number(number(full)), &f.center),
        Planned::new(2, score, &f.center),
        Planned::new(3, Content::formula(rate, cached_rate), &f.rate),
        Planned::new(4, Content::Text(remark), &f.cell),
    ];
    (cells, lines)
}

/// The overview's column chart of the categories (full points beside the score) in rows
/// 2..=`last_row` of `sheet_name`.
fn overview_chart(spec: &crate::spec::Spec, sheet_name: &str, last_row: u32) -> Chart {
    let mut chart = Chart::new_column();
    for col in [1u16, 2] {
        chart
            .add_series()
            .set_name((sheet_name, 1, col))
            .set_categories((sheet_name, 2, 0, last_row, 0))
            .set_values((sheet_name, 2, col, last_row, col));
    }
    chart.title().set_name(&spec.word("compile.chart_title"));
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart.set_width(CHART_WIDTH).set_height(CHART_HEIGHT);
    chart
}

/// 得分概览: full points, score and rate per category and per group; a column chart of the
/// categories. Scores are formulas over 考评表's score cells, with cached values.
pub(super) fn overview(book: &mut Workbook, ctx: &Ctx, placed: &Placed) -> Result<(), XlsxError> {
    let spec = ctx.spec;
    let f = crate::style::palette();
    let sheet_name = spec.word("compile.overview_sheet");
    let sheet = book.add_worksheet();
    sheet.set_name(&sheet_name)?;
    let columns = |first: &str| {
        vec![
            (spec.word(first), 36.0),
            (spec.word("compile.col.full"), 9.0),
            (spec.word("compile.col.got"), 9.0),
            (spec.word("compile.col.rate"), 9.0),
            (spec.word("compile.col.remark"), 26.0),
        ]
    };
    let title = render(
        &spec.word("compile.overview_title"),
        &[("title", ctx.title)],
    );
    heading(sheet, f, &title, &columns("compile.col.category"), 5)?;
    let positions: std::collections::HashMap<&str, usize> = ctx
        .master
        .items()
        .iter()
        .enumerate()
        .map(|(i, item)| (item.id.as_str(), i))
        .collect();
    let write_row = |sheet: &mut Worksheet, row: u32, line: &OverviewLine| {
        let (cells, lines) = overview_row(ctx, placed, &positions, row, line);
        write_planned(sheet, row, &cells)?;
        sheet.set_row_height(row, height_for(lines)).map(|_| ())
    };
    let (categories, total) = category_lines(ctx.master);
    let mut row = 2;
    for line in categories.iter().chain(&total) {
        write_row(sheet, row, line)?;
        row += 1;
    }
    let last_category_row = 1 + categories.len() as u32;
    // The chart below the table and as wide as it, so the sheet prints one page wide.
    row += 1;
    if last_category_row >= 2 {
        sheet.insert_chart(
            row,
            0,
            &overview_chart(spec, &sheet_name, last_category_row),
        )?;
        row += CHART_ROWS;
    }
    // Groups, from a new printed page.
    row += 1;
    sheet.set_page_breaks(&[row])?;
    for (col, (label, _)) in columns("compile.col.group").iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, label, &f.header)?;
    }
    row += 1;
    for line in &group_lines(ctx.master) {
        write_row(sheet, row, line)?;
        row += 1;
    }
    // Portrait at a fixed scale, so the page break before the groups holds in every program.
    print_setup(sheet, None, &spec.template.footer)?;
    sheet.set_portrait();
    let widths: Vec<f64> = columns("compile.col.category")
        .iter()
        .map(|(_, w)| *w)
        .collect();
    sheet.set_print_scale(fitting_scale(total_points(&widths), Orientation::Portrait));
    Ok(())
}

/// Where 部门明细 keeps what the results sheets add up: its rows (0-based, first and last) and
/// the columns of the department, the weight, the self-assessed and the reviewed score.
#[derive(Debug, Clone, Copy)]
pub(super) struct DetailPlaces {
    pub first_row: u32,
    pub last_row: u32,
    pub department: u16,
    pub weight: u16,
    pub score: u16,
    pub reviewed: Option<u16>,
}

impl DetailPlaces {
    pub fn of(ctx: &Ctx) -> DetailPlaces {
        let spec = ctx.spec;
        let parts: usize = ctx.master.items().iter().map(|i| i.departments.len()).sum();
        let score = spec
            .inputs
            .iter()
            .position(|i| i.kind == InputKind::Score)
            .unwrap_or(0);
        DetailPlaces {
            first_row: 2,
            last_row: (2 + parts).max(3) as u32 - 1,
            department: 1,
            weight: 3,
            score: (4 + score) as u16,
            reviewed: ctx
                .scores
                .reviewed
                .then_some((4 + spec.inputs.len()) as u16),
        }
    }
}

/// 部门明细: one row per (item, department) with what the department returned and where from
/// (with a review, its reviewed score and the reviewer's note after what it returned).
pub(super) fn detail(book: &mut Workbook, ctx: &Ctx) -> Result<(), XlsxError> {
    let spec = ctx.spec;
    // One row per (item, department): tens of thousands at scale, written in row order, so the
    // sheet streams its rows to a temporary file instead of holding them.
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(spec.word("compile.detail_sheet"))?;
    let parts: usize = ctx.master.items().iter().map(|i| i.departments.len()).sum();
    let scale_rows = parts > 5_000;
    let (columns, fixed) = detail_columns(spec, ctx.scores.reviewed);
    heading(
        sheet,
        crate::style::palette(),
        &render(&spec.word("compile.detail_title"), &[("title", ctx.title)]),
        &columns,
        fixed + 2,
    )?;
    let mut row = 2;
    for (item, scored) in ctx.master.items().iter().zip(&ctx.scores.items) {
        for part in &scored.parts {
            let (cells, texts) = detail_row(ctx, item, part, fixed);
            write_planned(sheet, row, &cells)?;
            // Row heights fit the texts of a detail of a usual size; at tens of thousands of rows
            // each height would cost as much memory as its cells, and the rows stay one line.
            if !scale_rows {
                sheet.set_row_height(row, height_for(detail_lines(&texts, &columns, fixed)))?;
            }
            row += 1;
        }
    }
    let last_col = columns.len() as u16 - 1;
    sheet.autofilter(1, 0, row.max(3) - 1, last_col)?;
    sheet.set_freeze_panes(2, 2)?;
    // Printed: what was returned and from which file and cell; the hashes (for checking a file
    // by machine) stay on screen only.
    print_setup(sheet, Some((1, 1)), &spec.template.footer)?;
    sheet.set_print_area(0, 0, row.max(3) - 1, (fixed + 1) as u16)?;
    Ok(())
}

/// 部门明细's columns with their widths — 指标, 部门, 状态, 权重, the inputs, 核定得分 and its
/// note when reviewed, then where each figure came from — and how many come before the latter.
fn detail_columns(spec: &crate::spec::Spec, reviewed: bool) -> (Vec<(String, f64)>, usize) {
    let mut columns: Vec<(String, f64)> = vec![
        (spec.word("compile.col.item"), 7.0),
        (spec.word("report.col.department"), 11.0),
        (spec.word("report.col.status"), 6.0),
        (spec.word("compile.col.weight"), 6.0),
    ];
    for input in &spec.inputs {
        let width = match input.kind {
            InputKind::Score => 8.0,
            _ => input.width.unwrap_or(14.0).min(36.0),
        };
        columns.push((input.label.clone(), width));
    }
    if reviewed {
        columns.push((spec.word("compile.col.reviewed"), 8.0));
        columns.push((spec.word("compile.col.review_note"), 24.0));
    }
    let fixed = columns.len();
    columns.extend([
        (spec.word("compile.col.file"), 28.0),
        (spec.word("compile.col.cell"), 10.0),
        (spec.word("compile.col.sha256"), 18.0),
        (spec.word("compile.col.evidence"), 26.0),
    ]);
    (columns, fixed)
}

/// The cells of one (item, department) row of 部门明细, and the texts its height fits.
fn detail_row(
    ctx: &Ctx,
    item: &crate::model::Item,
    part: &super::Part,
    fixed: usize,
) -> (Vec<Planned>, Vec<String>) {
    let (spec, f) = (ctx.spec, crate::style::palette());
    let ret = part.source.map(|i| &ctx.collection.returns[i]);
    let returned = ret.and_then(|r| r.items.get(&item.id));
    let mut texts: Vec<String> = vec![
        item.id.clone(),
        part.department.clone(),
        spec.word(&format!("status.{}", part.status)),
        String::new(),
    ];
    let mut cells: Vec<Planned> = (0..3)
        .map(|col| Planned::new(col, Content::Text(texts[col as usize].clone()), &f.center))
        .collect();
    let weight = item
        .weight
        .map_or(Content::Blank, |w| Content::Number(number(w)));
    cells.push(Planned::new(3, weight, &f.center));
    for (n, input) in spec.inputs.iter().enumerate() {
        let col = (4 + n) as u16;
        let value = returned
            .and_then(|r| r.values.get(&input.key))
            .map(|c| c.text.clone())
            .unwrap_or_default();
        cells.push(match (input.kind, returned.and_then(|r| r.score)) {
            (InputKind::Score, Some(score)) => {
                Planned::new(col, Content::Number(number(score)), &f.center)
            }
            (InputKind::Choice, _) => Planned::new(col, Content::Text(value.clone()), &f.center),
            _ => Planned::new(col, Content::Text(value.clone()), &f.cell),
        });
        texts.push(value);
    }
    if ctx.scores.reviewed {
        let col = (4 + spec.inputs.len()) as u16;
        let score = part
            .reviewed
            .map_or(Content::Blank, |s| Content::Number(number(s)));
        cells.push(Planned::new(col, score, &f.center));
        let note = Content::Text(part.review_note.clone());
        cells.push(Planned::new(col + 1, note, &f.cell));
        texts.push(part.reviewed.map(show).unwrap_or_default());
        texts.push(part.review_note.clone());
    }
    for (n, text) in detail_provenance(ctx, item, ret).into_iter().enumerate() {
        let format = if n >= 2 { &f.small } else { &f.cell };
        let col = (fixed + n) as u16;
        cells.push(Planned::new(col, Content::Text(text.clone()), format));
        texts.push(text);
    }
    (cells, texts)
}

/// Where a row of 部门明细 came from: the file, its sheet and score cell, the file's SHA-256,
/// and the evidence filed with the item.
fn detail_provenance(
    ctx: &Ctx,
    item: &crate::model::Item,
    ret: Option<&crate::returns::Return>,
) -> [String; 4] {
    let spec = ctx.spec;
    let returned = ret.and_then(|r| r.items.get(&item.id));
    let score_cell = returned
        .and_then(|r| {
            r.values
                .get(spec.score_input().map_or("", |i| i.key.as_str()))
        })
        .map(|c| c.cell.clone());
    let place = match (ret.and_then(|r| r.sheet.clone()), score_cell) {
        (Some(sheet_name), Some(cell)) => format!("{sheet_name}!{cell}"),
        (None, Some(cell)) => cell,
        _ => String::new(),
    };
    let evidence: Vec<String> = ret
        .map(|r| {
            r.evidence
                .iter()
                .filter(|e| e.item == item.id)
                .map(|e| format!("{} {}", e.name, e.sha256))
                .collect()
        })
        .unwrap_or_default();
    [
        ret.map(|r| ctx.shown_path(&r.path)).unwrap_or_default(),
        place,
        ret.map(|r| r.sha256.clone()).unwrap_or_default(),
        evidence.join("\n"),
    ]
}

/// The text lines a row of 部门明细 needs for `texts` in `columns`.
fn detail_lines(texts: &[String], columns: &[(String, f64)], fixed: usize) -> u32 {
    texts
        .iter()
        .zip(columns)
        .enumerate()
        .map(|(col, (text, (_, width)))| {
            // Hashes are set smaller: about 1.6 times as many characters fit a line.
            let width = if col >= fixed + 2 {
                width * 1.6
            } else {
                *width
            };
            wrapped_lines(text, width)
        })
        .max()
        .unwrap_or(1)
}

/// 填报情况: each department's standing, file, time, sign-off, item count and totals.
pub(super) fn returns(book: &mut Workbook, ctx: &Ctx) -> Result<(), XlsxError> {
    let spec = ctx.spec;
    let f = crate::style::palette();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(spec.word("compile.status_sheet"))?;
    let mut columns: Vec<(String, f64)> = vec![
        (spec.word("report.col.department"), 12.0),
        (spec.word("report.col.status"), 7.0),
        (spec.word("compile.col.file"), 34.0),
        (spec.word("report.col.received"), 19.0),
    ];
    for field in &spec.signoff {
        columns.push((field.label.clone(), 12.0));
    }
    let counts = columns.len();
    columns.extend([
        (spec.word("compile.col.items"), 6.0),
        (spec.word("compile.col.score_total"), 9.0),
        (spec.word("compile.col.weight_total"), 9.0),
    ]);
    heading(
        sheet,
        f,
        &render(&spec.word("compile.status_title"), &[("title", ctx.title)]),
        &columns,
        columns.len(),
    )?;
    for (row, standing) in (2..).zip(&ctx.collection.departments) {
        let (cells, texts) = returns_row(ctx, standing, counts as u16);
        write_planned(sheet, row, &cells)?;
        let lines = texts
            .iter()
            .zip(&columns)
            .map(|(text, (_, width))| wrapped_lines(text, *width))
            .max()
            .unwrap_or(1);
        sheet.set_row_height(row, height_for(lines))?;
    }
    sheet.set_freeze_panes(2, 1)?;
    print_setup(sheet, Some((1, 1)), &spec.template.footer)?;
    Ok(())
}

/// The cells of a department's row of 填报情况 — its standing, file, time and sign-off, then
/// its item count, score and weight from column `counts` — and the texts its height fits.
fn returns_row(
    ctx: &Ctx,
    standing: &crate::returns::Standing,
    counts: u16,
) -> (Vec<Planned>, Vec<String>) {
    let (spec, f) = (ctx.spec, crate::style::palette());
    let department = ctx
        .master
        .departments()
        .iter()
        .find(|d| d.name == standing.department);
    let ret = standing
        .chosen
        .filter(|_| standing.status == crate::returns::DepartmentStatus::Valid)
        .map(|i| &ctx.collection.returns[i]);
    let file = standing
        .file
        .as_deref()
        .map(|p| ctx.shown_path(p))
        .unwrap_or_default();
    let mut texts = vec![
        standing.department.clone(),
        spec.word(&format!("status.{}", standing.status.as_str())),
        file,
        standing.received.clone().unwrap_or_default(),
    ];
    for field in &spec.signoff {
        texts.push(
            ret.map(|r| r.signoff_text(&field.key).to_string())
                .unwrap_or_default(),
        );
    }
    let mut cells: Vec<Planned> = texts
        .iter()
        .enumerate()
        .map(|(col, text)| {
            let format = if col == 1 { &f.center } else { &f.cell };
            Planned::new(col as u16, Content::Text(text.clone()), format)
        })
        .collect();
    let items = department.map_or(0, |d| d.items);
    let score = ret.map(|r| {
        super::sum(
            ctx.master
                .items_of(&standing.department)
                .filter_map(|item| r.items.get(&item.id).and_then(|i| i.score)),
        )
    });
    let weight = department.map_or(Decimal::ZERO, |d| d.weight);
    cells.extend([
        Planned::new(counts, Content::Number(items as f64), &f.center),
        Planned::new(
            counts + 1,
            score.map_or(Content::Blank, |s| Content::Number(number(s))),
            &f.center,
        ),
        Planned::new(counts + 2, Content::Number(number(weight)), &f.center),
    ]);
    (cells, texts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;

    fn sample() -> crate::model::Master {
        let bytes = crate::demo::SAMPLE_MASTER.to_vec();
        let book = crate::workbook::open_bytes("master.xlsx", bytes).unwrap();
        crate::master::read_master_workbook(
            "master.xlsx",
            &book,
            &Spec::builtin(),
            &Default::default(),
        )
        .unwrap()
        .master
    }

    #[test]
    fn category_lines_are_depth_first_with_points_and_a_total_of_every_item() {
        let master = sample();
        let (lines, total) = category_lines(&master);
        assert!(!lines.is_empty());
        assert_eq!(lines[0].indent, 0);
        assert!(lines.iter().any(|l| l.indent > 0), "{lines:?}");
        assert!(lines.iter().all(|l| !l.ids.is_empty()));
        if let Some(total) = total {
            assert_eq!(total.ids.len(), master.items().len());
        }
    }

    #[test]
    fn group_lines_cover_every_item_once() {
        let master = sample();
        let groups = group_lines(&master);
        let ids: usize = groups.iter().map(|g| g.ids.len()).sum();
        assert_eq!(ids, master.items().len());
        assert!(
            groups.iter().all(|g| g.name.chars().count() <= 28 + 1 + 20),
            "{groups:?}"
        );
    }

    #[test]
    fn detail_columns_put_the_provenance_last_and_the_review_before_it() {
        let spec = Spec::builtin();
        let (plain, fixed) = detail_columns(&spec, false);
        let (reviewed, fixed_reviewed) = detail_columns(&spec, true);
        assert_eq!(fixed, 4 + spec.inputs.len());
        assert_eq!(fixed_reviewed, fixed + 2);
        assert_eq!(plain.len(), fixed + 4);
        assert_eq!(reviewed.len(), fixed_reviewed + 4);
    }

    #[test]
    fn a_hash_needs_fewer_lines_than_text_of_its_length() {
        let columns: Vec<(String, f64)> = (0..3).map(|c| (c.to_string(), 10.0)).collect();
        let long = "x".repeat(60);
        let blank = String::new();
        // With no column before the provenance, column 2 (the SHA-256) is set smaller.
        let as_hash = detail_lines(&[blank.clone(), blank.clone(), long.clone()], &columns, 0);
        let as_text = detail_lines(&[blank.clone(), long, blank], &columns, 0);
        assert!(as_hash < as_text, "{as_hash} {as_text}");
    }
}
