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
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet, XlsxError};

use super::Ctx;
use super::results::{DepartmentResult, Unranked, publication_order};
use super::sheets::DetailPlaces;
use crate::finding::a1;
use crate::returns::review::Adjustment;
use crate::spec::{AdjustKind, render};
use crate::style::Palette;
use crate::text::show;
use crate::write::{height_for, print_setup, wrapped_lines};

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

fn results_sheet(
    book: &mut Workbook,
    ctx: &Ctx,
    results: &[DepartmentResult],
    places: &Places,
) -> Result<ResultCols, XlsxError> {
    let spec = ctx.spec;
    let review = &spec.review;
    let f = crate::style::palette();
    let sheet = book.add_worksheet();
    sheet.set_name(&places.results)?;
    // A formula without a cached value (an unranked department's 排名) shows empty, not 0.
    sheet.set_formula_result_default("");
    let word = |key: &str| spec.word(key);
    let mut columns: Vec<(String, f64)> = vec![
        (word("compile.col.no"), 5.0),
        (word("report.col.department"), 14.0),
        (word("compile.col.items"), 6.0),
        (word("compile.col.weight_total"), 8.0),
        (word("compile.col.score_total"), 8.0),
        (word("compile.col.reviewed"), 8.0),
    ];
    let first_category = columns.len() as u16;
    for c in &review.categories {
        columns.push((c.name.clone(), 8.0));
    }
    let count = |kind| review.categories.iter().filter(|c| c.kind == kind).count();
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
    let mut total_col = |kind: AdjustKind, key: &str, single: &[u16]| -> Option<u16> {
        match count(kind) {
            0 => None,
            1 => single.first().copied(),
            _ => {
                columns.push((word(key), 8.0));
                Some(columns.len() as u16 - 1)
            }
        }
    };
    let bonus = total_col(AdjustKind::Bonus, "compile.col.bonus_total", &bonus_cols);
    let deduction = total_col(
        AdjustKind::Deduction,
        "compile.col.deduction_total",
        &deduction_cols,
    );
    let actual = columns.len() as u16;
    columns.push((word("compile.col.actual"), 8.0));
    columns.push((word("compile.col.rate"), 8.0));
    columns.push((word("compile.col.rank"), 6.0));
    columns.push((word("compile.col.grade"), 7.0));
    columns.push((word("compile.col.remark"), 20.0));
    let (rate_col, rank_col, grade_col, remark_col) =
        (actual + 1, actual + 2, actual + 3, actual + 4);
    heading(
        sheet,
        f,
        &render(&word("compile.results_title"), &[("title", ctx.title)]),
        &source_line(ctx),
        &columns,
    )?;
    let detail = &places.detail;
    let detail_rows = (detail.first_row, detail.last_row);
    let departments = column_range(&places.detail_sheet, detail.department, detail_rows);
    let explain_departments = column_range(&places.explain, 1, places.entries);
    let explain_categories = column_range(&places.explain, 2, places.entries);
    let explain_points = column_range(&places.explain, 6, places.entries);
    let rates = column_range(&places.results, rate_col, (places.first, places.last));
    let cell = |row: u32, col: u16| a1(row, u32::from(col));
    for (n, result) in results.iter().enumerate() {
        let row = places.first + n as u32;
        let b = format!("$B{}", row + 1);
        sheet.write_number_with_format(row, 0, (n + 1) as f64, &f.center)?;
        sheet.write_string_with_format(row, 1, &result.department, &f.center)?;
        sheet.write_number_with_format(row, 2, result.items as f64, &f.center)?;
        let sumif = |col: u16| {
            format!(
                "=SUMIF({departments},{b},{})",
                column_range(&places.detail_sheet, col, detail_rows)
            )
        };
        let formula = |sheet: &mut Worksheet, col: u16, text: String, value: Decimal, format| {
            sheet
                .write_formula_with_format(
                    row,
                    col,
                    Formula::new(text).set_result(show(value)),
                    format,
                )
                .map(|_| ())
        };
        formula(sheet, 3, sumif(detail.weight), result.weight, &f.center)?;
        formula(sheet, 4, sumif(detail.score), result.self_score, &f.center)?;
        match detail.reviewed {
            Some(col) => formula(sheet, 5, sumif(col), result.reviewed, &f.center)?,
            None => sheet
                .write_number_with_format(row, 5, number(result.reviewed), &f.center)
                .map(|_| ())?,
        }
        for (i, (category, sum)) in review.categories.iter().zip(&result.categories).enumerate() {
            let col = first_category + i as u16;
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
            formula(sheet, col, text, *sum, &f.center)?;
        }
        let sum_of = |cols: &[u16]| -> String {
            cols.iter()
                .map(|&c| cell(row, c))
                .collect::<Vec<_>>()
                .join(",")
        };
        if count(AdjustKind::Bonus) > 1 {
            let col = bonus.unwrap_or(0);
            formula(
                sheet,
                col,
                format!("=SUM({})", sum_of(&bonus_cols)),
                result.bonus,
                &f.center,
            )?;
        }
        if count(AdjustKind::Deduction) > 1 {
            let col = deduction.unwrap_or(0);
            let text = format!("=SUM({})", sum_of(&deduction_cols));
            formula(sheet, col, text, result.deduction, &f.center)?;
        }
        let mut actual_text = format!("={}", cell(row, 5));
        for &c in &bonus_cols {
            actual_text.push_str(&format!("+{}", cell(row, c)));
        }
        for &c in &deduction_cols {
            actual_text.push_str(&format!("-{}", cell(row, c)));
        }
        formula(sheet, actual, actual_text, result.actual, &f.bold_center)?;
        // 得分率, 排名, 等次: none for a department that is not ranked.
        let rate = cell(row, rate_col);
        match result.unranked {
            Some(Unranked::Incomplete) => {
                for col in [rate_col, rank_col, grade_col] {
                    sheet.write_blank(row, col, &f.center)?;
                }
            }
            _ => {
                let text = format!(
                    "=IF({}=0,\"\",ROUND({}/{},{}))",
                    cell(row, 3),
                    cell(row, actual),
                    cell(row, 3),
                    super::results::RATE_PLACES
                );
                let cached = result.rate.map(show).unwrap_or_default();
                let written = Formula::new(text);
                let written = if cached.is_empty() {
                    written
                } else {
                    written.set_result(cached)
                };
                sheet.write_formula_with_format(row, rate_col, written, &f.percent)?;
                let rank = Formula::new(format!("=IF(ISNUMBER({rate}),RANK({rate},{rates}),\"\")"));
                let rank = match result.rank {
                    Some(r) => rank.set_result(r.to_string()),
                    None => rank,
                };
                sheet.write_formula_with_format(row, rank_col, rank, &f.bold_center)?;
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
                let grade = Formula::new(format!("=IF(ISNUMBER({rate}),{grades},\"\")"));
                let grade = match &result.grade {
                    Some(g) => grade.set_result(g),
                    None => grade,
                };
                sheet.write_formula_with_format(row, grade_col, grade, &f.center)?;
            }
        }
        let remark = match result.unranked {
            Some(Unranked::ZeroWeight) => word("compile.remark.zero_weight"),
            Some(Unranked::Incomplete) => render(
                &word("compile.remark.incomplete"),
                &[("count", &result.unscored.to_string())],
            ),
            None => String::new(),
        };
        sheet.write_string_with_format(row, remark_col, &remark, &f.cell)?;
        let lines = wrapped_lines(&remark, 20.0).max(wrapped_lines(&result.department, 14.0));
        sheet.set_row_height(row, height_for(lines))?;
    }
    sheet.set_freeze_panes(3, 2)?;
    print_setup(sheet, Some((2, 2)), &spec.template.footer)?;
    Ok(ResultCols {
        weight: 3,
        reviewed: 5,
        bonus,
        deduction,
        actual,
        rate: rate_col,
        rank: rank_col,
        grade: grade_col,
    })
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
    let refer = |row: u32, col: u16| {
        format!(
            "='{}'!{}",
            places.results.replace('\'', "''"),
            a1(row, u32::from(col))
        )
    };
    let order = publication_order(results);
    for (n, &i) in order.iter().enumerate() {
        let result = &results[i];
        let row = 3 + n as u32;
        let source = places.first + i as u32;
        sheet.write_number_with_format(row, 0, (n + 1) as f64, &f.center)?;
        sheet.write_formula_with_format(
            row,
            1,
            Formula::new(refer(source, 1)).set_result(&result.department),
            &f.center,
        )?;
        let numbers: [(u16, Option<u16>, Decimal, &Format); 5] = [
            (2, Some(cols.weight), result.weight, &f.center),
            (3, Some(cols.reviewed), result.reviewed, &f.center),
            (4, cols.deduction, result.deduction, &f.center),
            (5, cols.bonus, result.bonus, &f.center),
            (6, Some(cols.actual), result.actual, &f.bold_center),
        ];
        for (col, from, value, format) in numbers {
            match from {
                Some(from) => sheet.write_formula_with_format(
                    row,
                    col,
                    Formula::new(refer(source, from)).set_result(show(value)),
                    format,
                )?,
                None => sheet.write_number_with_format(row, col, 0.0, format)?,
            };
        }
        // 得分率, 排名, 等次 as 部门得分 has them (empty for a department not ranked).
        let empty_if_none = |formula: Formula, value: Option<String>| match value {
            Some(v) => formula.set_result(v),
            None => formula,
        };
        let wrap = |col: u16| {
            let r = refer(source, col);
            let inner = &r[1..];
            Formula::new(format!("=IF({inner}=\"\",\"\",{inner})"))
        };
        sheet.write_formula_with_format(
            row,
            7,
            empty_if_none(wrap(cols.rate), result.rate.map(show)),
            &f.percent,
        )?;
        sheet.write_formula_with_format(
            row,
            8,
            empty_if_none(wrap(cols.rank), result.rank.map(|r| r.to_string())),
            &f.bold_center,
        )?;
        sheet.write_formula_with_format(
            row,
            9,
            empty_if_none(wrap(cols.grade), result.grade.clone()),
            &f.center,
        )?;
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
        sheet.write_number_with_format(row, 0, (n + 1) as f64, &f.center)?;
        sheet.write_string_with_format(row, 1, &e.department, &f.center)?;
        sheet.write_string_with_format(row, 2, &e.category, &f.center)?;
        sheet.write_string_with_format(row, 3, &e.item, &f.cell)?;
        let is_change = !e.item.is_empty();
        match (is_change, e.own) {
            (true, Some(own)) => sheet.write_number_with_format(row, 4, number(own), &f.center)?,
            (true, None) => sheet.write_string_with_format(row, 4, &e.own_word, &f.center)?,
            (false, _) => sheet.write_blank(row, 4, &f.center)?,
        };
        match e.reviewed {
            Some(r) => sheet.write_number_with_format(row, 5, number(r), &f.center)?,
            None => sheet.write_blank(row, 5, &f.center)?,
        };
        match (is_change, e.points) {
            (true, Some(points)) => sheet.write_formula_with_format(
                row,
                6,
                Formula::new(format!("={}-{}", a1(row, 5), a1(row, 4))).set_result(show(points)),
                &f.bold_center,
            )?,
            (_, Some(points)) => {
                sheet.write_number_with_format(row, 6, number(points), &f.bold_center)?
            }
            (_, None) => sheet.write_blank(row, 6, &f.center)?,
        };
        sheet.write_string_with_format(row, 7, &e.reason, &f.cell)?;
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
