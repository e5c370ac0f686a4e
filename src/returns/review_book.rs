//! Reading the assessment group's review workbook (identity kind `review`), laid out by
//! [`crate::form::review`]. It trusts nothing the signature does not cover: the rows are matched
//! by item and department, every locked cell is compared with what was issued (the master's
//! columns with the current master, the department's texts with those the identity carries),
//! and each input is checked — a 核定得分 from 0 to the item's weight with at most `[review]
//! decimals` places, a 核定说明 where it differs from the self-score, the sign-off, and the
//! 加减分 sheet ([`super::adjust`]). A row whose master content changed since issue makes the
//! review stale.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use crate::cell_text::{decimal_from_f64, parse_decimal, show};
use crate::finding::Code;
use crate::form::review::{self as form, Labels, locked_texts, master_fingerprint};
use crate::identity::{Identity, IssuedRow, Kind};
use crate::spec::Shown;
use crate::workbook::a1;
use crate::workbook::{self, Sheet, Value};

use super::cells::{cell_text, has_content, id_key, locked_text, same_text, value_text};
use super::findings::{At, Findings};
use super::locate::{self, Header};
use super::review::{Reviewed, ReviewedRow, row_label, rows_of};
use super::rules::{lenient_score, locked_changed, too_precise};
use super::signoff::{self, Naming};
use super::{Context, Return, Status};

/// Reads a review workbook whose identity verified: its rows, 加减分 entries and sign-off into
/// `ret`, its findings into `f`; the status it comes to.
pub(super) fn read(
    ctx: &Context,
    book: &workbook::Workbook,
    identity: &Identity,
    ret: &mut Return,
    f: &mut Findings,
) -> Status {
    ret.kind = Kind::Review;
    ret.round = Some(identity.round);
    ret.issued_at = Some(identity.issued_at.clone());
    let changed = master_changes(ctx, identity);
    let master_stale = !changed.is_empty();
    if master_stale {
        stale_finding(ctx, identity, &changed, f);
    }
    locate::hidden_forms(
        book,
        |s| review_header(ctx, s).or_else(|| super::adjust::header(ctx, s).map(|(r, _)| r)),
        f,
    );
    let Some((sheet, header)) =
        locate::find_sheet(book, &identity.sheet, |s| review_header(ctx, s))
    else {
        let at = At {
            expected: Some(identity.sheet.clone()),
            ..At::default()
        };
        f.error(Code::SheetMissing, at);
        return Status::Invalid;
    };
    f.sheet = Some(sheet.name.clone());
    ret.sheet = Some(sheet.name.clone());
    let Some(columns) = columns(ctx, sheet, Header::new(sheet, header), f) else {
        let at = At {
            expected: Some(identity.sheet.clone()),
            ..At::default()
        };
        f.error(Code::SheetMissing, at);
        return Status::Invalid;
    };
    let mut reviewed = Reviewed {
        master_changed: changed,
        ..Reviewed::default()
    };
    let end = review_rows(
        ctx,
        identity,
        sheet,
        &columns,
        master_stale,
        f,
        &mut reviewed,
    );
    let place = ctx.spec.word("where.review_signoff");
    let naming = Naming::Label { place };
    let fields = &ctx.spec.review.signoff;
    ret.signoff = signoff::read(sheet, end, fields, form::SIGNOFF_VALUE_COL, &naming, f);
    below_the_table(sheet, &columns, end, &ret.signoff, f);
    let adjust = super::adjust::find(ctx, book);
    let read: Vec<&str> = [
        Some(sheet.name.as_str()),
        adjust.as_ref().map(|(a, _)| a.name.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    unexpected_sheets(ctx, book, &read, f);
    super::adjust::read(ctx, adjust, &mut reviewed, f);
    ret.review = Some(Box::new(reviewed));
    f.status()
}

/// The finding of a review whose rows' master content changed since it was issued.
fn stale_finding(
    ctx: &Context,
    identity: &Identity,
    changed: &[(String, String)],
    f: &mut Findings,
) {
    let labels: Vec<String> = changed
        .iter()
        .map(|(item, department)| row_label(ctx.spec, item, department))
        .collect();
    let at = At {
        variant: Some("review_stale.master"),
        args: vec![
            ("issued_at", identity.issued_at.clone()),
            ("count", changed.len().to_string()),
            (
                "rows_list",
                crate::finding::list(labels.iter().map(String::as_str)),
            ),
        ],
        ..At::default()
    };
    f.error(Code::ReviewStale, at);
}

/// The rows whose master content changed since the review was issued (a row gone, added, or
/// its master cells changed), as (item, department).
fn master_changes(ctx: &Context, identity: &Identity) -> Vec<(String, String)> {
    let form = &ctx.review_form;
    let current = rows_of(ctx.master);
    if master_fingerprint(form, current.iter().copied()) == identity.fingerprint {
        return Vec::new();
    }
    let mut changed = Vec::new();
    let mut issued = HashSet::new();
    for row in &identity.rows {
        let department = row.department.as_deref().unwrap_or("");
        issued.insert((row.item.as_str(), department));
        let values = row.values.as_deref().unwrap_or(&[]);
        let same = ctx
            .master
            .item(&row.item)
            .filter(|item| item.departments.iter().any(|d| d == department))
            .is_some_and(|item| {
                crate::digest::row_hash(&locked_texts(form, item, department, values)) == row.hash
            });
        if !same {
            changed.push((row.item.clone(), department.to_string()));
        }
    }
    for (item, department) in current {
        if !issued.contains(&(item.id.as_str(), department)) {
            changed.push((item.id.clone(), department.to_string()));
        }
    }
    changed
}

/// Where the columns of the review sheet stand as returned (found by label, else as issued).
struct Columns {
    header_row: u32,
    /// The master columns (by the form's index) and the rest, in the order of
    /// [`locked_texts`]: department, shown inputs, found files.
    locked: Vec<u32>,
    id: u32,
    department: u32,
    score: Option<u32>,
    note: Option<u32>,
}

/// The header row of a review sheet (the id's, 部门's and 核定得分's labels) among its first
/// rows, a row a person sees.
pub(super) fn review_header(ctx: &Context, s: &Sheet) -> Option<u32> {
    let labels = form::header_labels(&ctx.review_form, ctx.spec)?;
    locate::header_row(s, &labels)
}

/// The columns of the review sheet: the locked ones by label (else as issued), and the
/// reviewer's inputs, one visible column each (a duplicate or hidden one is a finding, and is
/// not read).
fn columns(ctx: &Context, sheet: &Sheet, header: Header, f: &mut Findings) -> Option<Columns> {
    let form = &ctx.review_form;
    let Labels {
        department,
        inputs,
        found,
        score,
        note,
    } = form::labels(ctx.spec);
    let layout = form::Review::new(form, ctx.spec, 0);
    let mut locked: Vec<u32> = form
        .shown
        .iter()
        .enumerate()
        .map(|(i, c)| header.col_or(&c.label, i as u32))
        .collect();
    let id = locked[form.position(Shown::ID)?];
    let department_col = header.col_or(&department, layout.department_col.into());
    locked.push(department_col);
    for (label, (_, issued)) in inputs.iter().zip(&layout.inputs) {
        locked.push(header.col_or(label, (*issued).into()));
    }
    locked.push(header.col_or(&found, layout.found_col.into()));
    let mut input = |label: &str, issued: u16| match header.input_col(sheet, label, issued.into()) {
        Ok(col) => Some(col),
        Err(problem) => {
            locate::column_problem(&problem, f);
            None
        }
    };
    let score = input(&score, layout.score_col);
    let note = input(&note, layout.note_col);
    Some(Columns {
        header_row: header.row,
        locked,
        id,
        department: department_col,
        score,
        note,
    })
}

/// A 核定得分 or 核定说明 below the review's rows (under or past its sign-off) is never read:
/// each one is an error naming its cell. The sign-off's own cells are not entries.
fn below_the_table(
    sheet: &Sheet,
    columns: &Columns,
    end: u32,
    signoff: &indexmap::IndexMap<String, super::CellValue>,
    f: &mut Findings,
) {
    let taken: HashSet<&str> = signoff.values().map(|c| c.cell.as_str()).collect();
    let cols: Vec<u32> = [columns.score, columns.note]
        .into_iter()
        .flatten()
        .collect();
    for row in end..sheet.grid.height() {
        for &col in &cols {
            if sheet.grid.raw(row, col).is_empty() || taken.contains(a1(row, col).as_str()) {
                continue;
            }
            f.error(
                Code::EntryOutside,
                At {
                    cell: Some((row, col)),
                    variant: Some("entry_outside.review"),
                    value: Some(value_text(sheet.grid.raw(row, col))),
                    args: vec![("row", (row + 1).to_string())],
                    ..At::default()
                },
            );
        }
    }
}

/// Reads and checks the review sheet's rows; returns the first row after them.
fn review_rows(
    ctx: &Context,
    identity: &Identity,
    sheet: &Sheet,
    columns: &Columns,
    master_stale: bool,
    f: &mut Findings,
    reviewed: &mut Reviewed,
) -> u32 {
    let issued: HashMap<(&str, &str), &IssuedRow> = identity
        .rows
        .iter()
        .map(|r| ((r.item.as_str(), r.department.as_deref().unwrap_or("")), r))
        .collect();
    let width = sheet.grid.width().min(200);
    let first = columns.header_row + 1;
    let end = locate::table_end(sheet, first, &form::below_rows_labels(ctx.spec));
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    for row in first..end {
        let id = id_key(sheet, row, columns.id);
        let department = cell_text(sheet, row, columns.department);
        let Some(issued_row) = issued.get(&(id.as_str(), department.as_str())) else {
            if has_content(sheet, row, width) {
                f.error(
                    Code::ItemUnexpected,
                    At {
                        cell: Some((row, columns.id)),
                        variant: Some("item_unexpected.review"),
                        value: Some(format!("{id} {department}").trim().to_string()),
                        args: vec![("row", (row + 1).to_string())],
                        ..At::default()
                    },
                );
            }
            continue;
        };
        if !first_of_its_row(&mut seen, issued_row, row, columns, &department, f) {
            continue;
        }
        hidden_entry(sheet, issued_row, row, columns, &department, f);
        let row = Row {
            sheet,
            issued: issued_row,
            row,
            department,
        };
        reviewed
            .rows
            .push(reviewed_row(ctx, &row, columns, master_stale, f));
    }
    for issued_row in &identity.rows {
        let department = issued_row.department.clone().unwrap_or_default();
        if !seen.contains_key(&(issued_row.item.clone(), department.clone())) {
            f.error(
                Code::ItemMissing,
                At {
                    item: Some(&issued_row.item),
                    variant: Some("item_missing.review"),
                    args: vec![("department", department)],
                    ..At::default()
                },
            );
        }
    }
    end
}

/// Whether `row` is the first of its item and department; a second one is a finding.
fn first_of_its_row(
    seen: &mut HashMap<(String, String), u32>,
    issued_row: &IssuedRow,
    row: u32,
    columns: &Columns,
    department: &str,
    f: &mut Findings,
) -> bool {
    let key = (issued_row.item.clone(), department.to_string());
    if let Some(&first) = seen.get(&key) {
        f.error(
            Code::ItemDuplicated,
            At {
                cell: Some((row, columns.id)),
                item: Some(&issued_row.item),
                variant: Some("item_duplicated.review"),
                expected: Some(a1(first, columns.id)),
                args: vec![("department", department.to_string())],
                ..At::default()
            },
        );
        return false;
    }
    seen.insert(key, row);
    true
}

/// An entry in a hidden row is an error: what a person sees and signs is not what is read.
fn hidden_entry(
    sheet: &Sheet,
    issued_row: &IssuedRow,
    row: u32,
    columns: &Columns,
    department: &str,
    f: &mut Findings,
) {
    if !sheet.is_row_hidden(row) {
        return;
    }
    let entered = [columns.score, columns.note]
        .into_iter()
        .flatten()
        .find(|&c| !sheet.grid.raw(row, c).is_empty());
    if let Some(col) = entered {
        f.error(
            Code::ItemHidden,
            At {
                cell: Some((row, col)),
                item: Some(&issued_row.item),
                variant: Some("item_hidden.review"),
                args: vec![
                    ("row", (row + 1).to_string()),
                    ("department", department.to_string()),
                ],
                ..At::default()
            },
        );
    }
}

/// One row of the review sheet being read: its issued row, where it is, its department.
struct Row<'r> {
    sheet: &'r Sheet,
    issued: &'r IssuedRow,
    row: u32,
    department: String,
}

/// One row read: its locked cells compared, its 核定得分 and 核定说明 checked.
fn reviewed_row(
    ctx: &Context,
    r: &Row,
    columns: &Columns,
    master_stale: bool,
    f: &mut Findings,
) -> ReviewedRow {
    let spec = ctx.spec;
    let values = r.issued.values.clone().unwrap_or_default();
    let item = ctx.master.item(&r.issued.item);
    let texts: Vec<String> = columns
        .locked
        .iter()
        .map(|&col| locked_text(r.sheet, r.row, col))
        .collect();
    if crate::digest::row_hash(&texts) != r.issued.hash {
        locked_cells(ctx, r, columns, &texts, &values, master_stale, f);
    }
    let score_key = spec.score_input().map(|i| i.key.as_str());
    let self_score = spec
        .review
        .shown_inputs
        .iter()
        .position(|k| Some(k.as_str()) == score_key)
        .and_then(|i| values.get(i))
        .and_then(|t| parse_decimal(t));
    let weight = item.and_then(|i| i.weight).unwrap_or_default();
    let score = columns
        .score
        .and_then(|col| reviewed_score(ctx, r, col, weight, f));
    let note = note(ctx, r, columns, self_score, score, &values, f);
    ReviewedRow {
        item: r.issued.item.clone(),
        department: r.department.clone(),
        shown: values,
        self_score,
        score,
        note,
        score_cell: columns.score.map(|c| a1(r.row, c)).unwrap_or_default(),
        note_cell: columns.note.map(|c| a1(r.row, c)).unwrap_or_default(),
    }
}

/// The locked cells of a row not as issued, each named: the master's columns (unless the
/// master changed, which is said once), the department, and the department's texts.
fn locked_cells(
    ctx: &Context,
    r: &Row,
    columns: &Columns,
    texts: &[String],
    values: &[String],
    master_stale: bool,
    f: &mut Findings,
) {
    let form = &ctx.review_form;
    let item = ctx.master.item(&r.issued.item);
    let labels = form::labels(ctx.spec);
    let shown = form.shown.len();
    for (i, (&col, actual)) in columns.locked.iter().zip(texts).enumerate() {
        let (label, expected) = if i < shown {
            if master_stale {
                continue;
            }
            let Some(item) = item else { continue };
            let column = &form.shown[i];
            (column.label.clone(), form.cell(column, item, &r.department))
        } else if i == shown {
            (labels.department.clone(), r.department.clone())
        } else {
            let j = i - shown - 1;
            let label = labels
                .inputs
                .get(j)
                .cloned()
                .unwrap_or_else(|| labels.found.clone());
            (label, values.get(j).cloned().unwrap_or_default())
        };
        let same = match (parse_decimal(actual), parse_decimal(&expected)) {
            (Some(a), Some(e)) => a == e,
            _ => same_text(actual, &expected),
        };
        if !same {
            let at = At {
                cell: Some((r.row, col)),
                item: Some(&r.issued.item),
                variant: Some("locked_cell_changed.review"),
                args: vec![("department", r.department.clone())],
                ..At::default()
            };
            locked_changed(f, at, label, actual.clone(), expected);
        }
    }
}

/// The 核定说明 of a row: no formula, within its length, and given where the 核定得分 differs
/// from the self-score.
fn note(
    ctx: &Context,
    r: &Row,
    columns: &Columns,
    self_score: Option<Decimal>,
    score: Option<Decimal>,
    values: &[String],
    f: &mut Findings,
) -> String {
    let spec = ctx.spec;
    let note_label = spec.word("review.col.note");
    let item = Some(r.issued.item.as_str());
    let note = match columns.note {
        Some(col) if formula_in(r, col, &note_label, f) => String::new(),
        Some(col) => value_text(r.sheet.grid.raw(r.row, col)),
        None => String::new(),
    };
    let cell = Some((r.row, columns.note.unwrap_or(0)));
    let count = note.chars().count();
    if count > spec.review.note_max_length as usize {
        let at = At {
            cell,
            item,
            value: Some(count.to_string()),
            args: vec![
                ("label", note_label.clone()),
                ("max", spec.review.note_max_length.to_string()),
                ("where", String::new()),
            ],
            ..At::default()
        };
        f.error(Code::TextTooLong, at);
    }
    if let Some(s) = score
        && Some(s) != self_score
        && note.trim().is_empty()
        && columns.note.is_some()
    {
        let own = self_score
            .map(show)
            .unwrap_or_else(|| values.first().cloned().unwrap_or_default());
        let at = At {
            cell,
            item,
            value: Some(show(s)),
            expected: Some(own),
            args: vec![("department", r.department.clone()), ("label", note_label)],
            ..At::default()
        };
        f.error(Code::ReviewReasonMissing, at);
    }
    note
}

/// Whether the reviewer's input at `col` of the row is a formula: its cached value is whatever
/// the last program stored, never read (an error).
fn formula_in(r: &Row, col: u32, label: &str, f: &mut Findings) -> bool {
    let Some(formula) = r.sheet.formulas.get(&(r.row, col)) else {
        return false;
    };
    let at = At {
        cell: Some((r.row, col)),
        item: Some(&r.issued.item),
        value: Some(format!("={formula}")),
        args: vec![("label", label.to_string())],
        ..At::default()
    };
    f.error(Code::FormulaInInput, at);
    true
}

/// A 核定得分 as entered: empty (as self-scored), or a number from 0 to the weight.
fn reviewed_score(
    ctx: &Context,
    r: &Row,
    col: u32,
    weight: Decimal,
    f: &mut Findings,
) -> Option<Decimal> {
    let (sheet, row) = (r.sheet, r.row);
    let label = ctx.spec.word("review.col.score");
    let decimals = ctx.spec.review.decimals;
    let item = Some(r.issued.item.as_str());
    if formula_in(r, col, &label, f) {
        return None;
    }
    let number = |value: Option<String>, variant, expected: Option<String>| At {
        cell: Some((row, col)),
        item,
        variant: Some(variant),
        value,
        expected,
        args: vec![
            ("label", label.clone()),
            ("max", show(weight)),
            ("decimals", decimals.to_string()),
            ("department", r.department.clone()),
        ],
        ..At::default()
    };
    let out_of_range =
        |value: String| number(Some(value), "out_of_range.review", Some(show(weight)));
    let value = match sheet.grid.raw(row, col) {
        Value::Empty => return None,
        Value::Text(t) if t.trim().is_empty() => return None,
        // A number past what a decimal holds (1e30, say) is out of range, never "as
        // self-scored".
        Value::Number(n) => match decimal_from_f64(*n) {
            Some(d) => d,
            None => {
                f.error(Code::OutOfRange, out_of_range(n.to_string()));
                return None;
            }
        },
        Value::Text(t) => match lenient_score(t) {
            Some((d, coerced)) => {
                if coerced {
                    let at = number(Some(t.clone()), "value_coerced.review", Some(show(d)));
                    f.warning(Code::ValueCoerced, at);
                }
                d
            }
            None => {
                let at = number(Some(t.clone()), "not_a_number.review", None);
                f.error(Code::NotANumber, at);
                return None;
            }
        },
        other => {
            let at = number(Some(other.to_text()), "not_a_number.review", None);
            f.error(Code::NotANumber, at);
            return None;
        }
    };
    if value < Decimal::ZERO || value > weight {
        f.error(Code::OutOfRange, out_of_range(show(value)));
        return None;
    }
    if let Some(rounded) = too_precise(value, decimals) {
        let at = number(
            Some(show(value)),
            "bad_precision.review",
            Some(show(rounded)),
        );
        f.error(Code::BadPrecision, at);
    }
    Some(value)
}

/// Sheets of a review workbook other than those it was issued with: whatever they hold is
/// never read, so any content there is an error naming the sheet and its first filled cell
/// (a 加减分(续) sheet of more entries, say). Hidden copies of the forms are said already.
fn unexpected_sheets(ctx: &Context, book: &workbook::Workbook, read: &[&str], f: &mut Findings) {
    let review = &ctx.spec.review;
    let issued = [
        crate::identity::SHEET_NAME,
        form::LISTS_SHEET,
        review.instructions_sheet.as_str(),
    ];
    for sheet in &book.sheets {
        let name = sheet.name.as_str();
        if issued.contains(&name) || read.contains(&name) {
            continue;
        }
        let hidden_form = sheet.visibility != workbook::Visibility::Visible
            && (review_header(ctx, sheet).is_some() || super::adjust::header(ctx, sheet).is_some());
        if hidden_form {
            continue;
        }
        let first = (0..sheet.grid.height()).find_map(|r| {
            (0..sheet.grid.width())
                .find(|&c| !sheet.grid.raw(r, c).is_empty())
                .map(|c| (r, c))
        });
        if let Some(cell) = first {
            let at = At {
                cell: Some(cell),
                value: Some(sheet.name.clone()),
                args: vec![
                    ("review_sheet", review.sheet.clone()),
                    ("adjust_sheet", review.adjust_sheet.clone()),
                ],
                ..At::default()
            };
            f.error_on(&sheet.name, Code::SheetUnexpected, at);
        }
    }
}
