//! The sheets a reviewed campaign adds after 考评表 ([`super::results`] computes them):
//! - **部门得分**: one row per department — 项数, 权重合计, 自评得分, 核定得分, each 加减分
//!   category, 实际得分, 得分率, 排名, 等次 — every figure a formula over 部门明细 and
//!   扣分情况说明 (and the row's own cells), with its exact value cached;
//! - **公示表**: ready to print (A4 portrait, its title, the header on every page, a note on how
//!   ranks are made and the 制表单位 / 制表日期 line under the table): the departments by rank
//!   with 满分, 基础分 (= 核定得分), 扣分, 加分, 实际得分, 得分率, 排名, 等次, each a formula
//!   over 部门得分;
//! - **扣分情况说明**: department by department, every 核定 change (自评得分 → 核定得分, with the
//!   change and the 核定说明) and every 加减分 entry (its category, signed points and basis).

use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::Ctx;
use super::results::{DepartmentResult, Unranked, publication_order};
use super::sheets::DetailPlaces;
use crate::cell_text::render;
use crate::cell_text::show;
use crate::returns::review::Adjustment;
use crate::spec::{AdjustKind, Spec};
use crate::style::Palette;
use crate::workbook::a1;
use crate::write::{Content, Planned, height_for, print_setup, wrapped_lines, write_planned};

/// Where the results sheets are, for the formulas between them.
struct Places {
    results: String,
    explain: String,
    /// 部门得分: the first and last department rows.
    first: u32,
    last: u32,
    /// 扣分情况说明: the rows of its entries (at least one row).
    entries: (u32, u32),
    detail: DetailPlaces,
    detail_sheet: String,
}

fn number(d: Decimal) -> f64 {
    show(d).parse().unwrap_or(0.0)
}

/// The letters of a column: `A`, `AB`.
fn letters(col: u16) -> String {
    a1(0, u32::from(col)).trim_end_matches('1').to_string()
}

/// `'Sheet'!$B$4:$B$20`.
fn column_range(sheet: &str, col: u16, (first, last): (u32, u32)) -> String {
    let col = letters(col);
    format!(
        "'{}'!${col}${}:${col}${}",
        sheet.replace('\'', "''"),
        first + 1,
        last + 1
    )
}

/// The title over `span` columns, the subtitle under it, and the header with its widths.
fn heading(
    sheet: &mut Worksheet,
    f: &Palette,
    title: &str,
    subtitle: &str,
    columns: &[(String, f64)],
) -> Result<(), XlsxError> {
    let last = columns.len().saturating_sub(1) as u16;
    sheet.merge_range(0, 0, 0, last, title, &f.title)?;
    sheet.set_row_height(0, 34)?;
    let total: f64 = columns.iter().map(|(_, w)| w).sum();
    if subtitle.is_empty() {
        sheet.set_row_height(1, 8)?;
    } else {
        sheet.merge_range(1, 0, 1, last, subtitle, &f.subtitle)?;
        sheet.set_row_height(1, height_for(wrapped_lines(subtitle, total)))?;
    }
    let mut lines = 1;
    for (col, (label, width)) in columns.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
        sheet.write_string_with_format(2, col as u16, label, &f.header)?;
        lines = lines.max(wrapped_lines(label, *width));
    }
    sheet.set_row_height(2, height_for(lines))?;
    Ok(())
}

/// `核定表：… （第 2 轮，审核人 …，审核日期 …）`: which review the results come from.
fn source_line(ctx: &Ctx) -> String {
    let Some((ret, _)) = ctx.collection.valid_review() else {
        return String::new();
    };
    render(
        &ctx.spec.word("compile.review_source"),
        &[
            ("file", &ctx.shown_path(&ret.path)),
            ("round", &ret.round.unwrap_or(0).to_string()),
            ("reviewer", ret.signoff_text("reviewer")),
            ("date", ret.signoff_text("date")),
        ],
    )
}

/// The line under a printed table: the office and the date, or the date alone.
fn made_by(ctx: &Ctx) -> String {
    if ctx.office.is_empty() {
        render(&ctx.spec.word("papers.made_on"), &[("date", ctx.date)])
    } else {
        render(
            &ctx.spec.word("papers.made_by"),
            &[("office", ctx.office), ("date", ctx.date)],
        )
    }
}

/// Writes 部门得分, 公示表 and 扣分情况说明 (in that order) into `book`.
pub(super) fn write(
    book: &mut Workbook,
    ctx: &Ctx,
    results: &[DepartmentResult],
    adjustments: &[Adjustment],
) -> Result<(), XlsxError> {
    let spec = ctx.spec;
    let entries = explained(ctx, adjustments);
    let places = Places {
        results: spec.word("compile.results_sheet"),
        explain: spec.word("compile.explain_sheet"),
        first: 3,
        last: 3 + results.len().max(1) as u32 - 1,
        entries: (3, 3 + entries.len().max(1) as u32 - 1),
        detail: DetailPlaces::of(ctx),
        detail_sheet: spec.word("compile.detail_sheet"),
    };
    let cols = results_sheet(book, ctx, results, &places)?;
    publicity(book, ctx, results, &places, &cols)?;
    explain(book, ctx, &entries, &places)?;
    Ok(())
}

/// The columns of 部门得分 that 公示表 refers to.
struct ResultCols {
    weight: u16,
    reviewed: u16,
    /// 加分 and 扣分: the single category's column or the kind's total; none without one.
    bonus: Option<u16>,
    deduction: Option<u16>,
    actual: u16,
    rate: u16,
    rank: u16,
    grade: u16,
}

/// The columns of 部门得分: labels with widths, and where each figure goes.
struct ResultsColumns {
    labels: Vec<(String, f64)>,
    first_category: u16,
    bonus_cols: Vec<u16>,
    deduction_cols: Vec<u16>,
    cols: ResultCols,
    remark: u16,
}

/// 部门得分's columns: 序号, 部门, 项数, the sums, one per 加减分 category, a total per kind
/// with more than one category, 实际得分, 得分率, 排名, 等次, 备注.
fn results_columns(spec: &Spec) -> ResultsColumns {
    let review = &spec.review;
    let word = |key: &str| spec.word(key);
    let mut labels: Vec<(String, f64)> = vec![
        (word("compile.col.no"), 5.0),
        (word("report.col.department"), 14.0),
        (word("compile.col.items"), 6.0),
        (word("compile.col.weight_total"), 8.0),
        (word("compile.col.score_total"), 8.0),
        (word("compile.col.reviewed"), 8.0),
    ];
    let first_category = labels.len() as u16;
    for c in &review.categories {
        labels.push((c.name.clone(), 8.0));
    }
    let kind_cols = |kind: AdjustKind| -> Vec<u16> {
        review
            .categories
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == kind)
            .map(|(i, _)| first_category + i as u16)
            .collect()
    };
    let (bonus_cols, deduction_cols) = (
        kind_cols(AdjustKind::Bonus),
        kind_cols(AdjustKind::Deduction),
    );
    let mut total_col = |key: &str, single: &[u16]| -> Option<u16> {
        match single.len() {
            0 => None,
            1 => single.first().copied(),
            _ => {
                labels.push((word(key), 8.0));
                Some(labels.len() as u16 - 1)
            }
        }
    };
    let bonus = total_col("compile.col.bonus_total", &bonus_cols);
    let deduction = total_col("compile.col.deduction_total", &deduction_cols);
    let actual = labels.len() as u16;
    for (key, width) in [
        ("compile.col.actual", 8.0),
        ("compile.col.rate", 8.0),
        ("compile.col.rank", 6.0),
        ("compile.col.grade", 7.0),
        ("compile.col.remark", 20.0),
    ] {
        labels.push((word(key), width));
    }
    let cols = ResultCols {
        weight: 3,
        reviewed: 5,
        bonus,
        deduction,
        actual,
        rate: actual + 1,
        rank: actual + 2,
        grade: actual + 3,
    };
    ResultsColumns {
        labels,
        first_category,
        bonus_cols,
        deduction_cols,
        cols,
        remark: actual + 4,
    }
}

fn results_sheet(
    book: &mut Workbook,
    ctx: &Ctx,
    results: &[DepartmentResult],
    places: &Places,
) -> Result<ResultCols, XlsxError> {
    let spec = ctx.spec;
    let sheet = book.add_worksheet();
    sheet.set_name(&places.results)?;
    // A formula without a cached value (an unranked department's 排名) shows empty, not 0.
    sheet.set_formula_result_default("");
    let columns = results_columns(spec);
    heading(
        sheet,
        crate::style::palette(),
        &render(&spec.word("compile.results_title"), &[("title", ctx.title)]),
        &source_line(ctx),
        &columns.labels,
    )?;
    for (n, result) in results.iter().enumerate() {
        let row = places.first + n as u32;
        write_planned(
            sheet,
            row,
            &result_row(spec, &columns, places, row, n, result),
        )?;
        let remark = result_remark(spec, result);
        let lines = wrapped_lines(&remark, 20.0).max(wrapped_lines(&result.department, 14.0));
        sheet.set_row_height(row, height_for(lines))?;
    }
    sheet.set_freeze_panes(3, 2)?;
    print_setup(sheet, Some((2, 2)), &spec.template.footer)?;
    Ok(columns.cols)
}

/// The cells of department `n` of 部门得分 in sheet row `row`: every figure a formula over
/// 部门明细, 扣分情况说明 and the row's own cells, its exact value cached.
fn result_row(
    spec: &Spec,
    columns: &ResultsColumns,
    places: &Places,
    row: u32,
    n: usize,
    result: &DepartmentResult,
) -> Vec<Planned> {
    let f = crate::style::palette();
    let detail = &places.detail;
    let detail_rows = (detail.first_row, detail.last_row);
    let departments = column_range(&places.detail_sheet, detail.department, detail_rows);
    let explain_departments = column_range(&places.explain, 1, places.entries);
    let explain_categories = column_range(&places.explain, 2, places.entries);
    let explain_points = column_range(&places.explain, 6, places.entries);
    let cell = |col: u16| a1(row, u32::from(col));
    let b = format!("$B{}", row + 1);
    let sumif = |col: u16| {
        format!(
            "=SUMIF({departments},{b},{})",
            column_range(&places.detail_sheet, col, detail_rows)
        )
    };
    let formula = |col: u16, text: String, value: Decimal, format| {
        Planned::new(col, Content::formula(text, show(value)), format)
    };
    let mut cells = vec![
        Planned::new(0, Content::Number((n + 1) as f64), &f.center),
        Planned::new(1, Content::Text(result.department.clone()), &f.center),
        Planned::new(2, Content::Number(result.items as f64), &f.center),
        formula(3, sumif(detail.weight), result.weight, &f.center),
        formula(4, sumif(detail.score), result.self_score, &f.center),
        match detail.reviewed {
            Some(col) => formula(5, sumif(col), result.reviewed, &f.center),
            None => Planned::new(5, Content::Number(number(result.reviewed)), &f.center),
        },
    ];
    let categories = spec.review.categories.iter().zip(&result.categories);
    for (i, (category, sum)) in categories.enumerate() {
        let col = columns.first_category + i as u16;
        let sign = if category.kind == AdjustKind::Deduction {
            "-"
        } else {
            ""
        };
        // The category's name is its header's.
        let header = format!("{}$3", letters(col));
        let text = format!(
            "={sign}SUMIFS({explain_points},{explain_departments},{b},{explain_categories},{header})"
        );
        cells.push(formula(col, text, *sum, &f.center));
    }
    let sum_of = |cols: &[u16]| cols.iter().map(|&c| cell(c)).collect::<Vec<_>>().join(",");
    let kinds = [
        (&columns.bonus_cols, columns.cols.bonus, result.bonus),
        (
            &columns.deduction_cols,
            columns.cols.deduction,
            result.deduction,
        ),
    ];
    for (kind_cols, total, value) in kinds {
        if kind_cols.len() > 1 {
            let text = format!("=SUM({})", sum_of(kind_cols));
            cells.push(formula(total.unwrap_or(0), text, value, &f.center));
        }
    }
    let mut actual_text = format!("={}", cell(5));
    for &c in &columns.bonus_cols {
        actual_text.push_str(&format!("+{}", cell(c)));
    }
    for &c in &columns.deduction_cols {
        actual_text.push_str(&format!("-{}", cell(c)));
    }
    let actual = columns.cols.actual;
    cells.push(formula(actual, actual_text, result.actual, &f.bold_center));
    cells.extend(result_standing(spec, &columns.cols, places, row, result));
    let remark = result_remark(spec, result);
    cells.push(Planned::new(columns.remark, Content::Text(remark), &f.cell));
    cells
}

/// 得分率, 排名, 等次 of a department's row of 部门得分: none for one that is not ranked.
fn result_standing(
    spec: &Spec,
    cols: &ResultCols,
    places: &Places,
    row: u32,
    result: &DepartmentResult,
) -> Vec<Planned> {
    let f = crate::style::palette();
    if let Some(Unranked::Incomplete) = result.unranked {
        return [cols.rate, cols.rank, cols.grade]
            .map(|col| Planned::new(col, Content::Blank, &f.center))
            .into();
    }
    let cell = |col: u16| a1(row, u32::from(col));
    let rates = column_range(&places.results, cols.rate, (places.first, places.last));
    let rate_text = format!(
        "=IF({}=0,\"\",ROUND({}/{},{}))",
        cell(cols.weight),
        cell(cols.actual),
        cell(cols.weight),
        super::results::RATE_PLACES
    );
    let cached = result.rate.map(show).filter(|c| !c.is_empty());
    let rate = cell(cols.rate);
    let rank_text = format!("=IF(ISNUMBER({rate}),RANK({rate},{rates}),\"\")");
    let review = &spec.review;
    let mut grades = format!(
        "\"{}\"",
        escape(review.grades.last().map_or("", |g| &g.name))
    );
    for g in review.grades.iter().rev().skip(1) {
        grades = format!(
            "IF({rate}>={},\"{}\",{grades})",
            show(g.min / Decimal::ONE_HUNDRED),
            escape(&g.name)
        );
    }
    let grade_text = format!("=IF(ISNUMBER({rate}),{grades},\"\")");
    let formula = |text: String, cached: Option<String>| Content::Formula { text, cached };
    vec![
        Planned::new(cols.rate, formula(rate_text, cached), &f.percent),
        Planned::new(
            cols.rank,
            formula(rank_text, result.rank.map(|r| r.to_string())),
            &f.bold_center,
        ),
        Planned::new(
            cols.grade,
            formula(grade_text, result.grade.clone()),
            &f.center,
        ),
    ]
}

/// The 备注 of a department's row of 部门得分: why it is not ranked, if it is not.
fn result_remark(spec: &Spec, result: &DepartmentResult) -> String {
    match result.unranked {
        Some(Unranked::ZeroWeight) => spec.word("compile.remark.zero_weight"),
        Some(Unranked::Incomplete) => render(
            &spec.word("compile.remark.incomplete"),
            &[("count", &result.unscored.to_string())],
        ),
        None => String::new(),
    }
}

/// A text inside a formula's quotes.
fn escape(text: &str) -> String {
    text.replace('"', "\"\"")
}

fn publicity(
    book: &mut Workbook,
    ctx: &Ctx,
    results: &[DepartmentResult],
    places: &Places,
    cols: &ResultCols,
) -> Result<(), XlsxError> {
    let spec = ctx.spec;
    let f = crate::style::palette();
    let sheet = book.add_worksheet();
    sheet.set_name(spec.word("compile.publicity_sheet"))?;
    sheet.set_formula_result_default("");
    let word = |key: &str| spec.word(key);
    let columns: Vec<(String, f64)> = vec![
        (word("compile.col.no"), 5.0),
        (word("compile.col.unit"), 18.0),
        (word("compile.col.full"), 7.0),
        (word("compile.col.base"), 7.5),
        (word("compile.col.deduction_points"), 7.0),
        (word("compile.col.bonus_points"), 7.0),
        (word("compile.col.actual"), 8.0),
        (word("compile.col.rate"), 8.5),
        (word("compile.col.rank"), 6.0),
        (word("compile.col.grade"), 7.0),
    ];
    heading(
        sheet,
        f,
        &render(&word("compile.publicity_title"), &[("title", ctx.title)]),
        "",
        &columns,
    )?;
    let order = publication_order(results);
    for (n, &i) in order.iter().enumerate() {
        let result = &results[i];
        let row = 3 + n as u32;
        let source = places.first + i as u32;
        write_planned(sheet, row, &publicity_row(places, cols, n, source, result))?;
        sheet.set_row_height(
            row,
            height_for(wrapped_lines(&result.department, 18.0)).max(20.0),
        )?;
    }
    let last_col = columns.len() as u16 - 1;
    let end = 3 + order.len() as u32;
    let total: f64 = columns.iter().map(|(_, w)| w).sum();
    let note = render(&word("compile.publicity_note"), &[("office", ctx.office)]);
    sheet.merge_range(end + 1, 0, end + 1, last_col, &note, &f.note)?;
    sheet.set_row_height(end + 1, height_for(wrapped_lines(&note, total)))?;
    let footer = made_by(ctx);
    sheet.merge_range(end + 3, 0, end + 3, last_col, &footer, &f.note)?;
    sheet.set_row_height(end + 3, 24)?;
    print_setup(sheet, Some((2, 2)), &spec.template.footer)?;
    let [left, right, top, bottom, header, footer_margin] = crate::template::print::MARGINS;
    sheet.set_margins(left, right, top, bottom, header, footer_margin);
    sheet.set_portrait();
    sheet.set_print_area(0, 0, end + 3, last_col)?;
    sheet.set_freeze_panes(3, 0)?;
    Ok(())
}

/// The cells of the `n`th department of 公示表, whose row of 部门得分 is `source`: each a
/// formula over 部门得分 with its value cached.
fn publicity_row(
    places: &Places,
    cols: &ResultCols,
    n: usize,
    source: u32,
    result: &DepartmentResult,
) -> Vec<Planned> {
    let f = crate::style::palette();
    let refer = |col: u16| {
        format!(
            "='{}'!{}",
            places.results.replace('\'', "''"),
            a1(source, u32::from(col))
        )
    };
    let mut cells = vec![
        Planned::new(0, Content::Number((n + 1) as f64), &f.center),
        Planned::new(
            1,
            Content::formula(refer(1), result.department.clone()),
            &f.center,
        ),
    ];
    let numbers: [(u16, Option<u16>, Decimal, &'static Format); 5] = [
        (2, Some(cols.weight), result.weight, &f.center),
        (3, Some(cols.reviewed), result.reviewed, &f.center),
        (4, cols.deduction, result.deduction, &f.center),
        (5, cols.bonus, result.bonus, &f.center),
        (6, Some(cols.actual), result.actual, &f.bold_center),
    ];
    for (col, from, value, format) in numbers {
        let content = match from {
            Some(from) => Content::formula(refer(from), show(value)),
            None => Content::Number(0.0),
        };
        cells.push(Planned::new(col, content, format));
    }
    // 得分率, 排名, 等次 as 部门得分 has them (empty for a department not ranked).
    let wrap = |col: u16, cached: Option<String>| {
        let r = refer(col);
        let inner = &r[1..];
        Content::Formula {
            text: format!("=IF({inner}=\"\",\"\",{inner})"),
            cached,
        }
    };
    cells.extend([
        Planned::new(7, wrap(cols.rate, result.rate.map(show)), &f.percent),
        Planned::new(
            8,
            wrap(cols.rank, result.rank.map(|r| r.to_string())),
            &f.bold_center,
        ),
        Planned::new(9, wrap(cols.grade, result.grade.clone()), &f.center),
    ]);
    cells
}

/// One line of 扣分情况说明.
struct Entry {
    department: String,
    category: String,
    item: String,
    own: Option<Decimal>,
    /// The department's standing when it had no self-assessed score.
    own_word: String,
    reviewed: Option<Decimal>,
    /// The signed change: reviewed − own, +bonus, −deduction.
    points: Option<Decimal>,
    reason: String,
}

/// Every 核定 change and 加减分 entry, department by department (the master's order): its
/// changes in item order, then its entries in the categories' order.
fn explained(ctx: &Ctx, adjustments: &[Adjustment]) -> Vec<Entry> {
    let spec = ctx.spec;
    let review_word = spec.word("compile.kind.review");
    let mut out = Vec::new();
    for department in ctx.master.departments() {
        for (item, scored) in ctx.master.items().iter().zip(&ctx.scores.items) {
            let Some(part) = scored
                .parts
                .iter()
                .find(|p| p.department == department.name)
            else {
                continue;
            };
            if !part.review_changed() {
                continue;
            }
            let text = item.task().or(item.indicator()).unwrap_or("");
            let text: String = if text.chars().count() > 40 {
                text.chars().take(39).chain(['…']).collect()
            } else {
                text.to_string()
            };
            out.push(Entry {
                department: department.name.clone(),
                category: review_word.clone(),
                item: format!("{}　{text}", item.id).trim().to_string(),
                own: part.score,
                own_word: spec.word(&format!("status.{}", part.status)),
                reviewed: part.reviewed,
                points: match (part.reviewed, part.score) {
                    (Some(r), Some(s)) => Some((r - s).normalize()),
                    _ => None,
                },
                reason: part.review_note.clone(),
            });
        }
        for category in &spec.review.categories {
            for a in adjustments
                .iter()
                .filter(|a| a.department == department.name && a.category == category.name)
            {
                let points = match category.kind {
                    AdjustKind::Bonus => a.points,
                    AdjustKind::Deduction => -a.points,
                };
                out.push(Entry {
                    department: department.name.clone(),
                    category: category.name.clone(),
                    item: String::new(),
                    own: None,
                    own_word: String::new(),
                    reviewed: None,
                    points: Some(points),
                    reason: a.basis.clone(),
                });
            }
        }
    }
    out
}

fn explain(
    book: &mut Workbook,
    ctx: &Ctx,
    entries: &[Entry],
    places: &Places,
) -> Result<(), XlsxError> {
    let spec = ctx.spec;
    let f = crate::style::palette();
    let sheet = book.add_worksheet();
    sheet.set_name(&places.explain)?;
    let word = |key: &str| spec.word(key);
    let columns: Vec<(String, f64)> = vec![
        (word("compile.col.no"), 5.0),
        (word("report.col.department"), 12.0),
        (word("compile.col.category"), 9.0),
        (word("compile.col.item_text"), 28.0),
        (word("compile.col.score"), 8.0),
        (word("compile.col.reviewed"), 8.0),
        (word("compile.col.points"), 7.0),
        (word("compile.col.reason"), 38.0),
    ];
    let adjusted = entries.iter().filter(|e| e.item.is_empty()).count();
    let subtitle = render(
        &word("compile.explain_subtitle"),
        &[
            ("changes", &(entries.len() - adjusted).to_string()),
            ("entries", &adjusted.to_string()),
            ("source", &source_line(ctx)),
        ],
    );
    heading(
        sheet,
        f,
        &render(&word("compile.explain_title"), &[("title", ctx.title)]),
        &subtitle,
        &columns,
    )?;
    let widths: Vec<f64> = columns.iter().map(|(_, w)| *w).collect();
    if entries.is_empty() {
        sheet.merge_range(3, 0, 3, 7, &word("compile.none"), &f.center)?;
    }
    for (n, e) in entries.iter().enumerate() {
        let row = 3 + n as u32;
        write_planned(sheet, row, &explain_row(row, n, e))?;
        let lines = wrapped_lines(&e.item, widths[3])
            .max(wrapped_lines(&e.reason, widths[7]))
            .max(wrapped_lines(&e.department, widths[1]));
        sheet.set_row_height(row, height_for(lines))?;
    }
    let end = 3 + entries.len().max(1) as u32;
    let footer = made_by(ctx);
    sheet.merge_range(end + 1, 0, end + 1, 7, &footer, &f.note)?;
    sheet.set_row_height(end + 1, 24)?;
    print_setup(sheet, Some((2, 2)), &spec.template.footer)?;
    sheet.set_print_area(0, 0, end + 1, 7)?;
    sheet.set_freeze_panes(3, 0)?;
    Ok(())
}

/// The cells of entry `n` of 扣分情况说明 in sheet row `row`: a 核定 change's points are the
/// formula 核定得分 − 自评得分.
fn explain_row(row: u32, n: usize, e: &Entry) -> Vec<Planned> {
    let f = crate::style::palette();
    let text = |t: &str| Content::Text(t.to_string());
    let is_change = !e.item.is_empty();
    let own = match (is_change, e.own) {
        (true, Some(own)) => Content::Number(number(own)),
        (true, None) => text(&e.own_word),
        (false, _) => Content::Blank,
    };
    let reviewed = e
        .reviewed
        .map_or(Content::Blank, |r| Content::Number(number(r)));
    let points = match (is_change, e.points) {
        (true, Some(points)) => Planned::new(
            6,
            Content::formula(format!("={}-{}", a1(row, 5), a1(row, 4)), show(points)),
            &f.bold_center,
        ),
        (_, Some(points)) => Planned::new(6, Content::Number(number(points)), &f.bold_center),
        (_, None) => Planned::new(6, Content::Blank, &f.center),
    };
    vec![
        Planned::new(0, Content::Number((n + 1) as f64), &f.center),
        Planned::new(1, text(&e.department), &f.center),
        Planned::new(2, text(&e.category), &f.center),
        Planned::new(3, text(&e.item), &f.cell),
        Planned::new(4, own, &f.center),
        Planned::new(5, reviewed, &f.center),
        points,
        Planned::new(7, text(&e.reason), &f.cell),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Places {
        Places {
            results: "部门得分".into(),
            explain: "扣分情况说明".into(),
            first: 3,
            last: 4,
            entries: (3, 5),
            detail: DetailPlaces {
                first_row: 2,
                last_row: 20,
                department: 1,
                weight: 3,
                score: 4,
                reviewed: Some(5),
            },
            detail_sheet: "部门明细".into(),
        }
    }

    fn result(unranked: Option<Unranked>) -> DepartmentResult {
        DepartmentResult {
            department: "办公室".into(),
            items: 4,
            weight: Decimal::from(10),
            self_score: Decimal::from(9),
            reviewed: Decimal::new(85, 1),
            unscored: 1,
            categories: vec![Decimal::ONE, Decimal::ZERO, Decimal::new(5, 1)],
            bonus: Decimal::ONE,
            deduction: Decimal::new(5, 1),
            actual: Decimal::from(9),
            rate: Some(Decimal::new(9, 1)),
            unranked,
            rank: Some(2),
            grade: Some("良好".into()),
        }
    }

    fn content(cells: &[Planned], col: u16) -> &Content {
        &cells.iter().find(|c| c.col == col).unwrap().content
    }

    #[test]
    fn results_columns_add_a_total_for_a_kind_of_two_categories() {
        let columns = results_columns(&Spec::builtin());
        // 加分 alone is its own total; 业务扣分 and 公共扣分 get 扣分合计 after them.
        assert_eq!(columns.bonus_cols, vec![6]);
        assert_eq!(columns.deduction_cols, vec![7, 8]);
        assert_eq!(
            (columns.cols.bonus, columns.cols.deduction),
            (Some(6), Some(9))
        );
        assert_eq!(columns.cols.actual, 10);
        assert_eq!(columns.remark, 14);
        assert_eq!(columns.labels.len(), 15);
    }

    #[test]
    fn a_result_row_sums_the_detail_and_takes_deductions_off() {
        let spec = Spec::builtin();
        let columns = results_columns(&spec);
        let cells = result_row(&spec, &columns, &places(), 3, 0, &result(None));
        assert_eq!(content(&cells, 0), &Content::Number(1.0));
        assert_eq!(
            content(&cells, 3),
            &Content::formula(
                "=SUMIF('部门明细'!$B$3:$B$21,$B4,'部门明细'!$D$3:$D$21)",
                "10"
            )
        );
        assert_eq!(content(&cells, 9), &Content::formula("=SUM(H4,I4)", "0.5"));
        assert_eq!(content(&cells, 10), &Content::formula("=F4+G4-H4-I4", "9"));
        assert_eq!(content(&cells, 14), &Content::Text(String::new()));
    }

    #[test]
    fn an_incomplete_department_has_no_standing_and_says_why() {
        let spec = Spec::builtin();
        let columns = results_columns(&spec);
        let incomplete = result(Some(Unranked::Incomplete));
        let cells = result_row(&spec, &columns, &places(), 3, 0, &incomplete);
        for col in 11..=13 {
            assert_eq!(content(&cells, col), &Content::Blank);
        }
        let Content::Text(remark) = content(&cells, 14) else {
            panic!("a remark");
        };
        assert!(remark.contains('1'), "{remark}");
    }

    #[test]
    fn publicity_refers_to_the_results_row() {
        let columns = results_columns(&Spec::builtin());
        let cells = publicity_row(&places(), &columns.cols, 0, 4, &result(None));
        assert_eq!(
            content(&cells, 1),
            &Content::formula("='部门得分'!B5", "办公室")
        );
        assert_eq!(
            content(&cells, 8),
            &Content::Formula {
                text: "=IF('部门得分'!M5=\"\",\"\",'部门得分'!M5)".into(),
                cached: Some("2".into())
            }
        );
    }

    #[test]
    fn an_explained_change_is_a_formula_and_an_entry_a_number() {
        let change = Entry {
            department: "水科".into(),
            category: "核定".into(),
            item: "1-1-1".into(),
            own: Some(Decimal::from(2)),
            own_word: String::new(),
            reviewed: Some(Decimal::new(15, 1)),
            points: Some(Decimal::new(-5, 1)),
            reason: "材料不全".into(),
        };
        let cells = explain_row(3, 0, &change);
        assert_eq!(content(&cells, 6), &Content::formula("=F4-E4", "-0.5"));
        let entry = Entry {
            item: String::new(),
            own: None,
            reviewed: None,
            ..change
        };
        let cells = explain_row(4, 1, &entry);
        assert_eq!(content(&cells, 4), &Content::Blank);
        assert_eq!(content(&cells, 6), &Content::Number(-0.5));
    }
}
