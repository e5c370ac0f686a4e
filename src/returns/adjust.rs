//! The 加减分 sheet of a returned review workbook: found by its name, else by the labels of its
//! header; every entry in its numbered rows read and checked — 部门 of the master, 类别 of the
//! spec (a near one read so), 分值 above 0 and within the category's cap with at most `[review]
//! decimals` places, 依据 given — and each department's total per category within its cap. An
//! entry below the numbered rows or in a hidden row is an error and never counted.

use rust_decimal::Decimal;

use crate::cell_text::{decimal_from_f64, fold, parse_decimal, show};
use crate::finding::Code;
use crate::form::review::adjust_labels;
use crate::workbook::a1;
use crate::workbook::{self, Sheet, Value};

use super::Context;
use super::cells::{label_key, value_text};
use super::findings::{At, Findings};
use super::review::{Adjustment, Reviewed};
use super::rules::{lenient_score, too_precise};

/// A 加减分 sheet as found: the sheet, its header row and each column (序号, 部门, 类别, 分值,
/// 依据).
pub(super) type Found<'b> = (&'b Sheet, (u32, Vec<u32>));

/// The header row and columns (序号, 部门, 类别, 分值, 依据) of a 加减分 sheet, if `s` is one.
pub(super) fn header(ctx: &Context, s: &Sheet) -> Option<(u32, Vec<u32>)> {
    let labels: Vec<String> = adjust_labels(ctx.spec)
        .iter()
        .map(|l| label_key(l))
        .collect();
    (0..s.grid.height().min(30)).find_map(|r| {
        let row: Vec<String> = (0..s.grid.width().min(60))
            .map(|c| label_key(&s.grid.raw(r, c).to_text()))
            .collect();
        let cols: Option<Vec<u32>> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                row.iter()
                    .position(|x| x == l)
                    .map(|c| c as u32)
                    .or((i == 0).then_some(0))
            })
            .collect();
        cols.map(|cols| (r, cols))
    })
}

/// The 加减分 sheet: by its name, else the sheet whose header has its labels.
pub(super) fn find<'b>(ctx: &Context, book: &'b workbook::Workbook) -> Option<Found<'b>> {
    super::locate::find_sheet(book, &ctx.spec.review.adjust_sheet, |s| header(ctx, s))
}

/// Reads the entries of the 加减分 sheet `found` into `reviewed`; without one, the sheet is
/// missing.
pub(super) fn read(ctx: &Context, found: Option<Found>, reviewed: &mut Reviewed, f: &mut Findings) {
    let Some((sheet, (header, cols))) = found else {
        let at = At {
            expected: Some(ctx.spec.review.adjust_sheet.clone()),
            ..At::default()
        };
        f.error(Code::SheetMissing, at);
        return;
    };
    let saved = f.sheet.replace(sheet.name.clone());
    reviewed.adjust_sheet = Some(sheet.name.clone());
    reviewed.adjustments = entries(ctx, sheet, header, &cols, f);
    caps(ctx, &reviewed.adjustments, f);
    f.sheet = saved;
}

/// What an entry is checked against: the columns' labels, the master's departments, the
/// spec's categories, and the last numbered row.
struct Table<'a> {
    sheet: &'a Sheet,
    cols: &'a [u32],
    labels: Vec<String>,
    departments: Vec<&'a str>,
    categories: Vec<&'a str>,
    decimals: u32,
    end: u32,
}

/// Reads and checks the 加减分 entries: every row below the header with something in it.
fn entries(
    ctx: &Context<'_>,
    sheet: &Sheet,
    header: u32,
    cols: &[u32],
    f: &mut Findings,
) -> Vec<Adjustment> {
    let spec = ctx.spec;
    let table = Table {
        sheet,
        cols,
        labels: adjust_labels(spec),
        departments: ctx
            .master
            .departments()
            .iter()
            .map(|d| d.name.as_str())
            .collect(),
        categories: spec
            .review
            .categories
            .iter()
            .map(|c| c.name.as_str())
            .collect(),
        decimals: spec.review.decimals,
        end: numbered_end(sheet, header, cols[0]),
    };
    (header + 1..sheet.grid.height())
        .filter_map(|row| entry(ctx, &table, row, f))
        .collect()
}

/// One row's entry, when it has one that is complete and reads.
fn entry(ctx: &Context, t: &Table, row: u32, f: &mut Findings) -> Option<Adjustment> {
    let (sheet, cols) = (t.sheet, t.cols);
    let entered = *cols[1..]
        .iter()
        .find(|&&c| !sheet.grid.raw(row, c).is_empty())?;
    let row_no = (row + 1).to_string();
    if !seen(t, row, entered, &row_no, f) || formulas(t, row, &row_no, f) {
        return None;
    }
    let at = |col: u32, key: usize, value: Option<String>, variant: &'static str| At {
        cell: Some((row, col)),
        variant: Some(variant),
        value,
        args: vec![
            ("label", t.labels[key].clone()),
            ("row", row_no.clone()),
            ("decimals", t.decimals.to_string()),
        ],
        ..At::default()
    };
    let text = |key: usize| value_text(sheet.grid.raw(row, cols[key]));
    // 部门 and 类别: one of the list, a near one read so.
    let mut choose = |key: usize, list: &[&str], variant: &'static str| -> Option<String> {
        let value = text(key);
        if value.trim().is_empty() {
            f.error(
                Code::RequiredMissing,
                at(cols[key], key, None, "required_missing.adjust"),
            );
            return None;
        }
        if list.contains(&value.as_str()) {
            return Some(value);
        }
        match list.iter().find(|c| fold(c) == fold(&value)) {
            Some(choice) => {
                let mut a = at(cols[key], key, Some(value.clone()), "value_coerced.adjust");
                a.expected = Some(choice.to_string());
                f.warning(Code::ValueCoerced, a);
                Some(choice.to_string())
            }
            None => {
                f.error(
                    Code::ChoiceInvalid,
                    at(cols[key], key, Some(value), variant),
                );
                None
            }
        }
    };
    let department = choose(1, &t.departments, "choice_invalid.adjust_department");
    let category = choose(2, &t.categories, "choice_invalid.adjust_category");
    let points = points(ctx, t, row, category.as_deref(), f, &at);
    let basis = basis(ctx, t, row, f, &at);
    let points_col = cols[3];
    Some(Adjustment {
        department: department?,
        category: category?,
        points: points?.normalize(),
        basis,
        row,
        col: points_col,
        cell: a1(row, points_col),
    })
}

/// Whether an entry in `row` is in the table's rows as a person sees them: one below the
/// numbered rows, or in a hidden row, is an error and never counted.
fn seen(t: &Table, row: u32, entered: u32, row_no: &str, f: &mut Findings) -> bool {
    let unseen = if row >= t.end {
        Some((Code::EntryOutside, "entry_outside.adjust"))
    } else if t.sheet.is_row_hidden(row) {
        Some((Code::ItemHidden, "item_hidden.adjust"))
    } else {
        None
    };
    let Some((code, variant)) = unseen else {
        return true;
    };
    f.error(
        code,
        At {
            cell: Some((row, entered)),
            variant: Some(variant),
            value: Some(value_text(t.sheet.grid.raw(row, entered))),
            args: vec![
                ("row", row_no.to_string()),
                ("last", t.end.to_string()),
                ("sheet", t.sheet.name.clone()),
            ],
            ..At::default()
        },
    );
    false
}

/// Whether an input of the entry in `row` is a formula (each one an error).
fn formulas(t: &Table, row: u32, row_no: &str, f: &mut Findings) -> bool {
    let mut formula = false;
    for (key, &col) in t.cols.iter().enumerate().skip(1) {
        if let Some(text) = t.sheet.formulas.get(&(row, col)) {
            f.error(
                Code::FormulaInInput,
                At {
                    cell: Some((row, col)),
                    value: Some(format!("={text}")),
                    variant: Some("formula_in_input.adjust"),
                    args: vec![
                        ("label", t.labels[key].clone()),
                        ("row", row_no.to_string()),
                    ],
                    ..At::default()
                },
            );
            formula = true;
        }
    }
    formula
}

/// The 分值 of an entry: a number above 0, at most the category's cap (without one, the
/// table's full points), with at most the review's decimals.
fn points<'s>(
    ctx: &Context,
    t: &Table,
    row: u32,
    category: Option<&str>,
    f: &mut Findings,
    at: &dyn Fn(u32, usize, Option<String>, &'static str) -> At<'s>,
) -> Option<Decimal> {
    let spec = ctx.spec;
    let col = t.cols[3];
    let p = match t.sheet.grid.raw(row, col) {
        Value::Empty => None,
        Value::Text(t) if t.trim().is_empty() => None,
        Value::Number(n) => match decimal_from_f64(*n) {
            Some(d) => Some(Ok(d)),
            None => {
                // Past what a decimal holds (1e30): out of range, never dropped unsaid.
                let mut a = at(col, 3, Some(n.to_string()), "out_of_range.adjust_max");
                a.expected = Some(show(spec.master.expected_total));
                f.error(Code::OutOfRange, a);
                return None;
            }
        },
        Value::Text(text) => Some(
            lenient_score(text)
                .map(|(d, coerced)| {
                    if coerced {
                        let mut a = at(col, 3, Some(text.clone()), "value_coerced.adjust");
                        a.expected = Some(show(d));
                        f.warning(Code::ValueCoerced, a);
                    }
                    d
                })
                .ok_or_else(|| text.clone()),
        ),
        other => Some(Err(other.to_text())),
    };
    let p = match p {
        None => {
            f.error(
                Code::RequiredMissing,
                at(col, 3, None, "required_missing.adjust"),
            );
            return None;
        }
        Some(Err(text)) => {
            f.error(
                Code::NotANumber,
                at(col, 3, Some(text), "not_a_number.adjust"),
            );
            return None;
        }
        Some(Ok(p)) => p,
    };
    // One entry never exceeds its category's cap per department, nor, without a cap, the
    // table's full points.
    let most = category
        .and_then(|c| spec.review.category(c))
        .and_then(|c| c.cap)
        .unwrap_or(spec.master.expected_total);
    if p <= Decimal::ZERO {
        f.error(
            Code::OutOfRange,
            at(col, 3, Some(show(p)), "out_of_range.adjust"),
        );
        return None;
    }
    if p > most {
        let mut a = at(col, 3, Some(show(p)), "out_of_range.adjust_max");
        a.expected = Some(show(most));
        f.error(Code::OutOfRange, a);
        return None;
    }
    if let Some(rounded) = too_precise(p, t.decimals) {
        let mut a = at(col, 3, Some(show(p)), "bad_precision.adjust");
        a.expected = Some(show(rounded));
        f.error(Code::BadPrecision, a);
    }
    Some(p)
}

/// The 依据 of an entry: given, within its length.
fn basis<'s>(
    ctx: &Context,
    t: &Table,
    row: u32,
    f: &mut Findings,
    at: &dyn Fn(u32, usize, Option<String>, &'static str) -> At<'s>,
) -> String {
    let col = t.cols[4];
    let basis = value_text(t.sheet.grid.raw(row, col));
    if basis.trim().is_empty() {
        f.error(
            Code::RequiredMissing,
            at(col, 4, None, "required_missing.adjust"),
        );
    }
    let count = basis.chars().count();
    let max = ctx.spec.review.basis_max_length;
    if count > max as usize {
        f.error(
            Code::TextTooLong,
            At {
                cell: Some((row, col)),
                value: Some(count.to_string()),
                args: vec![
                    ("label", t.labels[4].clone()),
                    ("max", max.to_string()),
                    ("where", String::new()),
                ],
                ..At::default()
            },
        );
    }
    basis
}

/// The first row past a 加减分 table: its rows are those below the header numbered 1, 2, 3 …
/// in the 序号 column, as issued.
fn numbered_end(sheet: &Sheet, header: u32, number_col: u32) -> u32 {
    let mut row = header + 1;
    let mut expected = Decimal::ONE;
    while row < sheet.grid.height() {
        let number = match sheet.grid.raw(row, number_col) {
            Value::Number(n) => decimal_from_f64(*n),
            Value::Text(t) => parse_decimal(t.trim()),
            _ => None,
        };
        if number != Some(expected) {
            break;
        }
        row += 1;
        expected += Decimal::ONE;
    }
    row
}

/// Each department's total per category within the category's cap: the entry that passes it
/// is an error naming the total, the cap and the rows.
fn caps(ctx: &Context, adjustments: &[Adjustment], f: &mut Findings) {
    let mut totals: indexmap::IndexMap<(&str, &str), Vec<&Adjustment>> = indexmap::IndexMap::new();
    for a in adjustments {
        totals
            .entry((a.department.as_str(), a.category.as_str()))
            .or_default()
            .push(a);
    }
    for ((department, category), entries) in totals {
        let Some(cap) = ctx.spec.review.category(category).and_then(|c| c.cap) else {
            continue;
        };
        let total: Decimal = entries.iter().map(|a| a.points).sum();
        if total <= cap {
            continue;
        }
        let mut running = Decimal::ZERO;
        let Some(over) = entries.iter().find(|a| {
            running += a.points;
            running > cap
        }) else {
            continue;
        };
        let (row, col) = (over.row, over.col);
        f.error(
            Code::AdjustOverCap,
            At {
                cell: Some((row, col)),
                value: Some(show(total)),
                expected: Some(show(cap)),
                args: vec![
                    ("department", department.to_string()),
                    ("category", category.to_string()),
                    (
                        "rows_list",
                        crate::finding::list(
                            entries
                                .iter()
                                .map(|a| (a.row + 1).to_string())
                                .collect::<Vec<_>>()
                                .iter()
                                .map(String::as_str),
                        ),
                    ),
                ],
                ..At::default()
            },
        );
    }
}
