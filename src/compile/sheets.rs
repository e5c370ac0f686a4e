//! The sheets beside 考评表: 得分概览 (scores per category and group, with a chart), 部门明细
//! (one row per item and department, traceable to the cell and file it came from) and 填报情况
//! (each department's return).

use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{Chart, ChartLegendPosition, Formula, Workbook, Worksheet, XlsxError};

use super::Ctx;
use super::table::{Placed, ranges};
use crate::model::Category;
use crate::spec::{InputKind, render};
use crate::style::Palette;
use crate::template::print::{Orientation, fitting_scale, total_points};
use crate::text::{show, split_points};
use crate::write::{height_for, print_setup, wrapped_lines};

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

/// 得分概览: full points, score and rate per category and per group; a column chart of the
/// categories. Scores are formulas over 考评表's score cells, with cached values.
pub(super) fn overview(book: &mut Workbook, ctx: &Ctx, placed: &Placed) -> Result<(), XlsxError> {
    let spec = ctx.spec;
    let master = ctx.master;
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
    heading(
        sheet,
        f,
        &render(
            &spec.word("compile.overview_title"),
            &[("title", ctx.title)],
        ),
        &columns("compile.col.category"),
        5,
    )?;
    let positions: std::collections::HashMap<&str, usize> = master
        .items()
        .iter()
        .enumerate()
        .map(|(i, item)| (item.id.as_str(), i))
        .collect();
    let index_of = |id: &str| positions.get(id).copied();

    // One row: name, full points, score formula, rate formula, remark.
    let write_row = |sheet: &mut Worksheet,
                     row: u32,
                     name: &str,
                     indent: u8,
                     ids: &[String]|
     -> Result<(), XlsxError> {
        let indexes: Vec<usize> = ids.iter().filter_map(|id| index_of(id)).collect();
        let full = super::sum(indexes.iter().filter_map(|&i| master.items()[i].weight));
        let reviewed = ctx.scores.reviewed;
        let got = super::sum(
            indexes
                .iter()
                .filter_map(|&i| ctx.scores.items[i].final_score(reviewed)),
        );
        let unscored = indexes
            .iter()
            .filter(|&&i| ctx.scores.items[i].final_score(reviewed).is_none())
            .count();
        let name_format = f.cell.clone().set_indent(indent);
        sheet.write_string_with_format(row, 0, name, &name_format)?;
        sheet.write_number_with_format(row, 1, number(full), &f.center)?;
        // Nothing scored (a partial compile): 未评, not a score of 0.
        let rated = unscored < indexes.len();
        let not_rated = spec.word("compile.not_rated");
        let quoted = format!("\"{}\"", not_rated.replace('"', "\"\""));
        let rows = placed.rows_of(indexes.iter().copied());
        if rows.is_empty() {
            sheet.write_number_with_format(row, 2, 0.0, &f.center)?;
        } else {
            let cells = ranges(&rows, placed.score_col, Some(&placed.sheet));
            let formula = format!("=IF(COUNT({cells})=0,{quoted},SUM({cells}))");
            let cached = if rated { show(got) } else { not_rated.clone() };
            sheet.write_formula_with_format(
                row,
                2,
                Formula::new(formula).set_result(cached),
                &f.center,
            )?;
        }
        let b = crate::finding::a1(row, 1);
        let c = crate::finding::a1(row, 2);
        let rate = Formula::new(format!("=IF(ISNUMBER({c}),IF({b}=0,\"\",{c}/{b}),{c})"));
        let rate = if !rated && !rows.is_empty() {
            rate.set_result(not_rated)
        } else if full.is_zero() {
            rate.set_result("")
        } else {
            let value = got
                .checked_div(full)
                .unwrap_or_default()
                .round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero);
            rate.set_result(show(value))
        };
        sheet.write_formula_with_format(row, 3, rate, &f.rate)?;
        let remark = if unscored > 0 {
            render(
                &spec.word("compile.partial"),
                &[("count", &unscored.to_string())],
            )
        } else {
            String::new()
        };
        sheet.write_string_with_format(row, 4, &remark, &f.cell)?;
        let lines =
            wrapped_lines(name, 36.0 - 2.0 * f64::from(indent)).max(wrapped_lines(&remark, 26.0));
        sheet.set_row_height(row, height_for(lines))?;
        Ok(())
    };

    let mut categories = Vec::new();
    flatten(master.categories(), 0, &mut categories);
    let mut row = 2;
    for (depth, category) in &categories {
        let mut ids = Vec::new();
        items_below(category, &mut ids);
        let name = match category.points {
            Some(points) => format!("{}（{}分）", category.name, show(points)),
            None => category.name.clone(),
        };
        write_row(sheet, row, &name, (*depth as u8).min(8), &ids)?;
        row += 1;
    }
    let last_category_row = row - 1;
    if let Some(total) = master
        .totals()
        .iter()
        .find(|t| t.kind == crate::model::TotalKind::Total)
    {
        let ids: Vec<String> = master.items().iter().map(|i| i.id.clone()).collect();
        write_row(sheet, row, &total.label, 0, &ids)?;
        row += 1;
    }

    // A column chart of the categories (full points beside the score), below their table and
    // as wide as it, so the sheet prints one page wide.
    row += 1;
    if last_category_row >= 2 {
        let mut chart = Chart::new_column();
        for col in [1u16, 2] {
            chart
                .add_series()
                .set_name((sheet_name.as_str(), 1, col))
                .set_categories((sheet_name.as_str(), 2, 0, last_category_row, 0))
                .set_values((sheet_name.as_str(), 2, col, last_category_row, col));
        }
        chart.title().set_name(&spec.word("compile.chart_title"));
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.set_width(CHART_WIDTH).set_height(CHART_HEIGHT);
        sheet.insert_chart(row, 0, &chart)?;
        row += CHART_ROWS;
    }

    // Groups, from a new printed page.
    row += 1;
    sheet.set_page_breaks(&[row])?;
    for (col, (label, _)) in columns("compile.col.group").iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, label, &f.header)?;
    }
    row += 1;
    let mut groups: indexmap::IndexMap<&str, Vec<String>> = indexmap::IndexMap::new();
    for item in master.items() {
        groups
            .entry(item.group.as_str())
            .or_default()
            .push(item.id.clone());
    }
    for (group, ids) in &groups {
        let first = index_of(&ids[0]).map(|i| &master.items()[i]);
        let about = first
            .and_then(|i| i.indicator())
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
        write_row(sheet, row, &name, 0, ids)?;
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
    let f = crate::style::palette();
    // One row per (item, department): tens of thousands at scale, written in row order, so the
    // sheet streams its rows to a temporary file instead of holding them.
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(spec.word("compile.detail_sheet"))?;
    let parts: usize = ctx.master.items().iter().map(|i| i.departments.len()).sum();
    let scale_rows = parts > 5_000;
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
    let reviewed = ctx.scores.reviewed;
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
    heading(
        sheet,
        f,
        &render(&spec.word("compile.detail_title"), &[("title", ctx.title)]),
        &columns,
        fixed + 2,
    )?;
    let mut row = 2;
    for (item, scored) in ctx.master.items().iter().zip(&ctx.scores.items) {
        for part in &scored.parts {
            let ret = part.source.map(|i| &ctx.collection.returns[i]);
            let returned = ret.and_then(|r| r.items.get(&item.id));
            let mut texts: Vec<String> = vec![
                item.id.clone(),
                part.department.clone(),
                spec.word(&format!("status.{}", part.status)),
            ];
            sheet.write_string_with_format(row, 0, &texts[0], &f.center)?;
            sheet.write_string_with_format(row, 1, &texts[1], &f.center)?;
            sheet.write_string_with_format(row, 2, &texts[2], &f.center)?;
            match item.weight {
                Some(w) => sheet.write_number_with_format(row, 3, number(w), &f.center)?,
                None => sheet.write_blank(row, 3, &f.center)?,
            };
            texts.push(String::new());
            for (n, input) in spec.inputs.iter().enumerate() {
                let col = (4 + n) as u16;
                let value = returned
                    .and_then(|r| r.values.get(&input.key))
                    .map(|c| c.text.clone())
                    .unwrap_or_default();
                match (input.kind, returned.and_then(|r| r.score)) {
                    (InputKind::Score, Some(score)) => {
                        sheet.write_number_with_format(row, col, number(score), &f.center)?;
                    }
                    _ => {
                        let format = if input.kind == InputKind::Choice {
                            &f.center
                        } else {
                            &f.cell
                        };
                        sheet.write_string_with_format(row, col, &value, format)?;
                    }
                }
                texts.push(value);
            }
            if reviewed {
                let col = (4 + spec.inputs.len()) as u16;
                match part.reviewed {
                    Some(score) => {
                        sheet.write_number_with_format(row, col, number(score), &f.center)?
                    }
                    None => sheet.write_blank(row, col, &f.center)?,
                };
                sheet.write_string_with_format(row, col + 1, &part.review_note, &f.cell)?;
                texts.push(part.reviewed.map(show).unwrap_or_default());
                texts.push(part.review_note.clone());
            }
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
            let provenance = [
                ret.map(|r| ctx.shown_path(&r.path)).unwrap_or_default(),
                place,
                ret.map(|r| r.sha256.clone()).unwrap_or_default(),
                evidence.join("\n"),
            ];
            for (n, text) in provenance.iter().enumerate() {
                let format = if n >= 2 { &f.small } else { &f.cell };
                sheet.write_string_with_format(row, (fixed + n) as u16, text, format)?;
                texts.push(text.clone());
            }
            // Row heights fit the texts of a detail of a usual size; at tens of thousands of rows
            // each height would cost as much memory as its cells, and the rows stay one line.
            if scale_rows {
                row += 1;
                continue;
            }
            let lines = texts
                .iter()
                .zip(&columns)
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
                .unwrap_or(1);
            sheet.set_row_height(row, height_for(lines))?;
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
        for (col, text) in texts.iter().enumerate() {
            let format = if col == 1 { &f.center } else { &f.cell };
            sheet.write_string_with_format(row, col as u16, text, format)?;
        }
        let items = department.map_or(0, |d| d.items);
        sheet.write_number_with_format(row, counts as u16, items as f64, &f.center)?;
        let score = ret.map(|r| {
            super::sum(
                ctx.master
                    .items_of(&standing.department)
                    .filter_map(|item| r.items.get(&item.id).and_then(|i| i.score)),
            )
        });
        match score {
            Some(score) => {
                sheet.write_number_with_format(row, counts as u16 + 1, number(score), &f.center)?
            }
            None => sheet.write_blank(row, counts as u16 + 1, &f.center)?,
        };
        let weight = department.map_or(Decimal::ZERO, |d| d.weight);
        sheet.write_number_with_format(row, counts as u16 + 2, number(weight), &f.center)?;
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
