//! The assessment group's review workbook as returned (`tianbao review` wrote it, laid out by
//! [`crate::form::review`]): checked like any return, and then decided on like one.
//!
//! Reading a review ([`check`]) trusts nothing the signature does not cover: the rows are
//! matched by item and department, every locked cell is compared with what was issued (the
//! master's columns with the current master, the department's texts with those the identity
//! carries), and each input is checked — a 核定得分 from 0 to the item's weight with at most
//! `[review] decimals` places, a 核定说明 where it differs from the self-score, each 加减分 entry
//! complete (部门 of the master, 类别 of the spec, 分值 above 0, 依据), every department's total
//! per category within the category's cap, the sign-off.
//!
//! Which review counts ([`decide`]) follows the rule of the departments' returns: the newest
//! round, then the newest issue, then the newest file time, then the file name; the others are
//! superseded. A review replacing a valid one *of the same round* with other content (a copy
//! filled by someone else) waits for `validate --accept`; a later round, which only the office
//! issues (`tianbao review` again), replaces the earlier without. The review that counts is
//! stale — an error, so compile refuses it — when a row's master content or the department's
//! return it showed has changed since it was issued: `tianbao review` then issues the next
//! round, with what was entered carried over.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::check::{At, Findings, cell_text, label_key, locked_text, same_text, value_text};
use super::{Context, DepartmentStatus, Return, Standing, Status};
use crate::finding::{Code, Finding, a1};
use crate::form::review::{ADJUST_KEYS, Review, locked_texts, master_fingerprint};
use crate::identity::{Identity, Kind};
use crate::spec::{Shown, Spec};
use crate::text::{decimal_from_f64, fold, parse_decimal, show, to_halfwidth};
use crate::workbook::{self, Sheet, Value};

/// The key replacements of the review are confirmed under (`validate --accept`), in place of a
/// department's name.
pub const CONFIRM_KEY: &str = "\u{1f}review";

/// One row of the review as returned: an item of a department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewedRow {
    pub item: String,
    pub department: String,
    /// The department's texts the row showed, as issued (signed).
    pub shown: Vec<String>,
    /// The 自评得分 shown, when the department's valid return gave one.
    pub self_score: Option<Decimal>,
    /// The 核定得分 entered; `None`: as self-scored.
    pub score: Option<Decimal>,
    /// The 核定说明.
    pub note: String,
    /// Where the 核定得分 and 核定说明 are (A1).
    pub score_cell: String,
    pub note_cell: String,
}

impl ReviewedRow {
    /// The score that counts for the department: the reviewed one, else its own.
    pub fn effective(&self) -> Option<Decimal> {
        self.score.or(self.self_score)
    }

    /// Whether the reviewer changed the department's score.
    pub fn changed(&self) -> bool {
        self.score.is_some() && self.score != self.self_score
    }
}

/// One bonus or deduction entry of the 加减分 sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    pub department: String,
    pub category: String,
    /// Positive; a deduction takes it away.
    pub points: Decimal,
    pub basis: String,
    /// 0-based row on the 加减分 sheet, and the column of the 分值.
    pub row: u32,
    pub col: u32,
    /// The cell of the 分值 (A1).
    pub cell: String,
}

/// What a review workbook holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reviewed {
    pub rows: Vec<ReviewedRow>,
    pub adjustments: Vec<Adjustment>,
    /// The 加减分 sheet's name as returned.
    pub adjust_sheet: Option<String>,
    /// The rows (item, department) whose master content changed since the review was issued,
    /// or that the current master has and the review had not.
    #[serde(default)]
    pub master_changed: Vec<(String, String)>,
}

impl Reviewed {
    pub fn row(&self, item: &str, department: &str) -> Option<&ReviewedRow> {
        self.rows
            .iter()
            .find(|r| r.item == item && r.department == department)
    }
}

/// The review that counts in a collection.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewStanding {
    /// Index into [`super::Collection::returns`].
    #[serde(skip)]
    pub chosen: usize,
    /// Valid or Invalid: the review that counts is one or the other.
    pub status: Status,
    pub file: String,
    pub round: u32,
    pub received: Option<String>,
    pub errors: usize,
    pub warnings: usize,
}

pub use crate::form::review::rows_of;

/// A row as people name it: `1-1-1（办公室）`.
pub fn row_label(spec: &Spec, item: &str, department: &str) -> String {
    crate::spec::render(
        &spec.word("review.row"),
        &[("item", item), ("department", department)],
    )
}

/// The department's texts a review row shows for `item`: each `[review] shown_inputs` value of
/// its valid return `ret` (the 自评得分 in its exact form; without a valid return, the
/// department's standing, `未交` or `有误`, in its place), then the evidence files found beside
/// the return (a named one that is missing marked so); and the self-score.
pub fn shown_values(
    spec: &Spec,
    status: DepartmentStatus,
    ret: Option<&Return>,
    item: &str,
) -> (Vec<String>, Option<Decimal>) {
    let score_key = spec.score_input().map_or("", |i| i.key.as_str());
    let returned = ret.and_then(|r| r.items.get(item));
    let mut values: Vec<String> = spec
        .review
        .shown_inputs
        .iter()
        .map(|key| match returned {
            None if key == score_key => spec.word(&format!("status.{}", status.as_str())),
            None => String::new(),
            Some(r) if key == score_key => r.score.map(show).unwrap_or_else(|| {
                r.values
                    .get(key)
                    .map(|c| c.text.clone())
                    .unwrap_or_default()
            }),
            Some(r) => r
                .values
                .get(key)
                .map(|c| c.text.clone())
                .unwrap_or_default(),
        })
        .map(|t| crate::text::clean(&t))
        .collect();
    let found = ret
        .map(|r| {
            let missing = spec.word("review.not_found");
            r.evidence
                .iter()
                .filter(|e| e.item == item)
                .map(|e| e.name.clone())
                .chain(
                    r.findings
                        .iter()
                        .filter(|f| {
                            f.code == Code::EvidenceMissing && f.item.as_deref() == Some(item)
                        })
                        .map(|f| format!("{}{missing}", f.value.as_deref().unwrap_or(""))),
                )
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    values.push(crate::text::clean(&found));
    (values, returned.and_then(|r| r.score))
}

/// The texts every row of a review of the collection's current standing shows.
pub fn current_values(
    spec: &Spec,
    returns: &[Return],
    departments: &[Standing],
    item: &str,
    department: &str,
) -> (Vec<String>, Option<Decimal>) {
    let standing = departments.iter().find(|s| s.department == department);
    let status = standing.map_or(DepartmentStatus::Missing, |s| s.status);
    let ret = standing
        .filter(|s| s.status == DepartmentStatus::Valid)
        .and_then(|s| s.chosen)
        .and_then(|i| returns.get(i));
    shown_values(spec, status, ret, item)
}

/// Checks a review workbook whose identity verified.
pub(super) fn check(
    ctx: &Context,
    book: &workbook::Workbook,
    identity: &Identity,
    mut ret: Return,
    mut f: Findings,
) -> Return {
    ret.kind = Kind::Review;
    ret.round = Some(identity.round);
    ret.issued_at = Some(identity.issued_at.clone());
    let spec = ctx.spec;
    let changed = master_changes(ctx, identity);
    let master_stale = !changed.is_empty();
    let labels: Vec<String> = changed
        .iter()
        .map(|(item, department)| row_label(spec, item, department))
        .collect();
    if master_stale {
        f.error(
            Code::ReviewStale,
            At {
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
            },
        );
    }
    super::check::hidden_forms(
        book,
        |s| review_header(ctx, s).or_else(|| adjust_header(ctx, s).map(|(r, _)| r)),
        &mut f,
    );
    let Some((sheet, columns)) = find_review_sheet(ctx, book, &identity.sheet, &mut f) else {
        f.error(
            Code::SheetMissing,
            At {
                expected: Some(identity.sheet.clone()),
                ..At::default()
            },
        );
        return ret.finish(Status::Invalid, f.list);
    };
    f.sheet = Some(sheet.name.clone());
    ret.sheet = Some(sheet.name.clone());
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
        &mut f,
        &mut reviewed,
    );
    ret.signoff = signoff(ctx, sheet, end, &mut f);
    below_the_table(sheet, &columns, end, &ret.signoff, &mut f);
    let adjust = find_adjust_sheet(ctx, book);
    let read: Vec<&str> = [
        Some(sheet.name.as_str()),
        adjust.as_ref().map(|(a, _, _)| a.name.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    unexpected_sheets(ctx, book, &read, &mut f);
    match adjust {
        Some((adjust, header, cols)) => {
            f.sheet = Some(adjust.name.clone());
            reviewed.adjust_sheet = Some(adjust.name.clone());
            reviewed.adjustments = adjustments(ctx, adjust, header, &cols, &mut f);
            caps(ctx, &reviewed.adjustments, &mut f);
            f.sheet = Some(sheet.name.clone());
        }
        None => f.error(
            Code::SheetMissing,
            At {
                expected: Some(spec.review.adjust_sheet.clone()),
                ..At::default()
            },
        ),
    }
    ret.review = Some(Box::new(reviewed));
    let status = if f
        .list
        .iter()
        .any(|x| x.severity == crate::finding::Severity::Error)
    {
        Status::Invalid
    } else {
        Status::Valid
    };
    ret.finish(status, f.list)
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
fn review_header(ctx: &Context, s: &Sheet) -> Option<u32> {
    let form = &ctx.review_form;
    let crate::form::review::Labels {
        department, score, ..
    } = crate::form::review::labels(ctx.spec);
    let id_label = label_key(&form.shown[form.position(Shown::ID)?].label);
    let (department_key, score_key) = (label_key(&department), label_key(&score));
    (0..s.grid.height().min(30)).find(|&r| {
        let labels: Vec<String> = (0..s.grid.width().min(200))
            .map(|c| label_key(&s.grid.raw(r, c).to_text()))
            .collect();
        !s.is_row_hidden(r)
            && labels.contains(&id_label)
            && labels.contains(&department_key)
            && labels.contains(&score_key)
    })
}

/// The header row and columns (序号, 部门, 类别, 分值, 依据) of a 加减分 sheet, if `s` is one.
fn adjust_header(ctx: &Context, s: &Sheet) -> Option<(u32, Vec<u32>)> {
    let labels: Vec<String> = ADJUST_KEYS
        .iter()
        .map(|k| label_key(&ctx.spec.word(&format!("review.col.{k}"))))
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

/// Sheets of a review workbook other than those it was issued with: whatever they hold is
/// never read, so any content there is an error naming the sheet and its first filled cell
/// (a 加减分(续) sheet of more entries, say). Hidden copies of the forms are said already.
fn unexpected_sheets(ctx: &Context, book: &workbook::Workbook, read: &[&str], f: &mut Findings) {
    let review = &ctx.spec.review;
    let issued = [
        crate::identity::SHEET_NAME,
        crate::form::review::LISTS_SHEET,
        review.instructions_sheet.as_str(),
    ];
    for sheet in &book.sheets {
        let name = sheet.name.as_str();
        if issued.contains(&name) || read.contains(&name) {
            continue;
        }
        let hidden_form = sheet.visibility != workbook::Visibility::Visible
            && (review_header(ctx, sheet).is_some() || adjust_header(ctx, sheet).is_some());
        if hidden_form {
            continue;
        }
        let first = (0..sheet.grid.height()).find_map(|r| {
            (0..sheet.grid.width())
                .find(|&c| !sheet.grid.raw(r, c).is_empty())
                .map(|c| (r, c))
        });
        if let Some(cell) = first {
            let saved = f.sheet.replace(sheet.name.clone());
            f.error(
                Code::SheetUnexpected,
                At {
                    cell: Some(cell),
                    value: Some(sheet.name.clone()),
                    args: vec![
                        ("review_sheet", review.sheet.clone()),
                        ("adjust_sheet", review.adjust_sheet.clone()),
                    ],
                    ..At::default()
                },
            );
            f.sheet = saved;
        }
    }
}

fn find_review_sheet<'b>(
    ctx: &Context,
    book: &'b workbook::Workbook,
    issued: &str,
    f: &mut Findings,
) -> Option<(&'b Sheet, Columns)> {
    let spec = ctx.spec;
    let form = &ctx.review_form;
    let crate::form::review::Labels {
        department,
        inputs,
        found,
        score,
        note,
    } = crate::form::review::labels(spec);
    // Only a sheet a person sees is read; the issued one first.
    let mut sheets: Vec<&Sheet> = book
        .sheets
        .iter()
        .filter(|s| s.name != crate::identity::SHEET_NAME)
        .filter(|s| s.visibility == workbook::Visibility::Visible)
        .collect();
    sheets.sort_by_key(|s| s.name != issued);
    let (sheet, header_row) = sheets
        .into_iter()
        .find_map(|s| review_header(ctx, s).map(|r| (s, r)))?;
    let layout = Review::new(form, spec, 0);
    let width = sheet.grid.width().min(200);
    let header: Vec<String> = (0..width)
        .map(|c| label_key(&sheet.grid.raw(header_row, c).to_text()))
        .collect();
    let cols_of = |label: &str| -> Vec<u32> {
        let key = label_key(label);
        (0..width).filter(|&c| header[c as usize] == key).collect()
    };
    let at = |label: &str, issued: u16| cols_of(label).first().copied().unwrap_or(issued.into());
    let mut locked: Vec<u32> = form
        .shown
        .iter()
        .enumerate()
        .map(|(i, c)| at(&c.label, i as u16))
        .collect();
    let id = locked[form.position(Shown::ID)?];
    let department_col = at(&department, layout.department_col);
    locked.push(department_col);
    for (label, (_, issued)) in inputs.iter().zip(&layout.inputs) {
        locked.push(at(label, *issued));
    }
    locked.push(at(&found, layout.found_col));
    f.sheet = Some(sheet.name.clone());
    // The reviewer's inputs: one visible column each.
    let mut input = |label: &str, issued: u16| -> Option<u32> {
        let found = cols_of(label);
        if let [first, second, ..] = found[..] {
            f.error(
                Code::InputColumnDuplicate,
                At {
                    cell: Some((header_row, second)),
                    expected: Some(a1(header_row, first)),
                    args: vec![("label", label.to_string())],
                    ..At::default()
                },
            );
            return None;
        }
        let col = found.first().copied().unwrap_or(issued.into());
        if sheet.is_col_hidden(col) {
            f.error(
                Code::InputColumnHidden,
                At {
                    cell: Some((header_row, col)),
                    args: vec![("label", label.to_string())],
                    ..At::default()
                },
            );
            return None;
        }
        Some(col)
    };
    let score = input(&score, layout.score_col);
    let note = input(&note, layout.note_col);
    Some((
        sheet,
        Columns {
            header_row,
            locked,
            id,
            department: department_col,
            score,
            note,
        },
    ))
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
    let spec = ctx.spec;
    let form = &ctx.review_form;
    let note_label = spec.word("review.col.note");
    let signoff_labels: Vec<String> = spec
        .review
        .signoff
        .iter()
        .map(|s| label_key(&s.label))
        .chain([label_key(&spec.review.signoff_title)])
        .collect();
    let issued: HashMap<(&str, &str), &crate::identity::IssuedRow> = identity
        .rows
        .iter()
        .map(|r| ((r.item.as_str(), r.department.as_deref().unwrap_or("")), r))
        .collect();
    let width = sheet.grid.width().min(200);
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    let mut end = sheet.grid.height();
    for row in columns.header_row + 1..sheet.grid.height() {
        let first_texts: Vec<String> = (0..width.min(3))
            .filter_map(|c| match sheet.grid.spread(row, c) {
                Value::Text(t) if t.len() <= 120 => Some(label_key(t)),
                _ => None,
            })
            .collect();
        if first_texts.iter().any(|t| signoff_labels.contains(t)) {
            end = row;
            break;
        }
        let id = to_halfwidth(&cell_text(sheet, row, columns.id)).replace(' ', "");
        let department = cell_text(sheet, row, columns.department);
        let Some(issued_row) = issued.get(&(id.as_str(), department.as_str())) else {
            let has_content = (0..width).any(|c| !sheet.grid.raw(row, c).is_empty());
            if has_content {
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
        let key = (id.clone(), department.clone());
        if let Some(&first) = seen.get(&key) {
            f.error(
                Code::ItemDuplicated,
                At {
                    cell: Some((row, columns.id)),
                    item: Some(&issued_row.item),
                    variant: Some("item_duplicated.review"),
                    expected: Some(a1(first, columns.id)),
                    args: vec![("department", department.clone())],
                    ..At::default()
                },
            );
            continue;
        }
        seen.insert(key, row);
        if sheet.is_row_hidden(row) {
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
                            ("department", department.clone()),
                        ],
                        ..At::default()
                    },
                );
            }
        }
        let values = issued_row.values.clone().unwrap_or_default();
        let item = ctx.master.item(&issued_row.item);
        // Locked cells: as issued, else each one named.
        let texts: Vec<String> = columns
            .locked
            .iter()
            .map(|&col| locked_text(sheet, row, col))
            .collect();
        if crate::digest::row_hash(&texts) != issued_row.hash {
            let crate::form::review::Labels {
                department: department_label,
                inputs: input_labels,
                found: found_label,
                ..
            } = crate::form::review::labels(spec);
            let shown = form.shown.len();
            for (i, (&col, actual)) in columns.locked.iter().zip(&texts).enumerate() {
                let (label, expected) = if i < shown {
                    if master_stale {
                        continue;
                    }
                    let Some(item) = item else { continue };
                    let column = &form.shown[i];
                    (column.label.clone(), form.cell(column, item, &department))
                } else if i == shown {
                    (department_label.clone(), department.clone())
                } else {
                    let j = i - shown - 1;
                    let label = input_labels
                        .get(j)
                        .cloned()
                        .unwrap_or_else(|| found_label.clone());
                    (label, values.get(j).cloned().unwrap_or_default())
                };
                let same = match (parse_decimal(actual), parse_decimal(&expected)) {
                    (Some(a), Some(e)) => a == e,
                    _ => same_text(actual, &expected),
                };
                if !same {
                    let (shown_actual, shown_expected) =
                        super::check::differing_parts(actual, &expected);
                    f.error(
                        Code::LockedCellChanged,
                        At {
                            cell: Some((row, col)),
                            item: Some(&issued_row.item),
                            variant: Some("locked_cell_changed.review"),
                            value: Some(actual.clone()),
                            expected: Some(expected),
                            args: vec![
                                ("label", label),
                                ("value", shown_actual),
                                ("expected", shown_expected),
                                ("department", department.clone()),
                            ],
                            ..At::default()
                        },
                    );
                }
            }
        }
        let self_score = spec
            .review
            .shown_inputs
            .iter()
            .position(|k| Some(k.as_str()) == spec.score_input().map(|i| i.key.as_str()))
            .and_then(|i| values.get(i))
            .and_then(|t| parse_decimal(t));
        let weight = item.and_then(|i| i.weight).unwrap_or_default();
        let score = columns.score.and_then(|col| {
            reviewed_score(
                ctx,
                sheet,
                row,
                col,
                &issued_row.item,
                &department,
                weight,
                f,
            )
        });
        let note = match columns.note {
            Some(col) => {
                if let Some(formula) = sheet.formulas.get(&(row, col)) {
                    f.error(
                        Code::FormulaInInput,
                        At {
                            cell: Some((row, col)),
                            item: Some(&issued_row.item),
                            value: Some(format!("={formula}")),
                            args: vec![("label", note_label.clone())],
                            ..At::default()
                        },
                    );
                    String::new()
                } else {
                    value_text(sheet.grid.raw(row, col))
                }
            }
            None => String::new(),
        };
        let note_col = columns.note.unwrap_or(0);
        let count = note.chars().count();
        if count > spec.review.note_max_length as usize {
            f.error(
                Code::TextTooLong,
                At {
                    cell: Some((row, note_col)),
                    item: Some(&issued_row.item),
                    value: Some(count.to_string()),
                    args: vec![
                        ("label", note_label.clone()),
                        ("max", spec.review.note_max_length.to_string()),
                        ("where", String::new()),
                    ],
                    ..At::default()
                },
            );
        }
        if let Some(s) = score
            && Some(s) != self_score
            && note.trim().is_empty()
            && columns.note.is_some()
        {
            f.error(
                Code::ReviewReasonMissing,
                At {
                    cell: Some((row, note_col)),
                    item: Some(&issued_row.item),
                    value: Some(show(s)),
                    expected: Some(
                        self_score
                            .map(show)
                            .unwrap_or_else(|| values.first().cloned().unwrap_or_default()),
                    ),
                    args: vec![
                        ("department", department.clone()),
                        ("label", note_label.clone()),
                    ],
                    ..At::default()
                },
            );
        }
        reviewed.rows.push(ReviewedRow {
            item: issued_row.item.clone(),
            department: department.clone(),
            shown: values,
            self_score,
            score,
            note,
            score_cell: columns.score.map(|c| a1(row, c)).unwrap_or_default(),
            note_cell: columns.note.map(|c| a1(row, c)).unwrap_or_default(),
        });
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

/// A 核定得分 as entered: empty (as self-scored), or a number from 0 to the weight.
#[allow(clippy::too_many_arguments)]
fn reviewed_score(
    ctx: &Context,
    sheet: &Sheet,
    row: u32,
    col: u32,
    item: &str,
    department: &str,
    weight: Decimal,
    f: &mut Findings,
) -> Option<Decimal> {
    let label = ctx.spec.word("review.col.score");
    let decimals = ctx.spec.review.decimals;
    let args = || {
        vec![
            ("label", label.clone()),
            ("max", show(weight)),
            ("decimals", decimals.to_string()),
            ("department", department.to_string()),
        ]
    };
    if let Some(formula) = sheet.formulas.get(&(row, col)) {
        f.error(
            Code::FormulaInInput,
            At {
                cell: Some((row, col)),
                item: Some(item),
                value: Some(format!("={formula}")),
                args: vec![("label", label.clone())],
                ..At::default()
            },
        );
        return None;
    }
    let number = |value: Option<String>, variant| At {
        cell: Some((row, col)),
        item: Some(item),
        variant: Some(variant),
        value,
        args: args(),
        ..At::default()
    };
    let out_of_range = |f: &mut Findings, value: String| {
        let mut at = number(Some(value), "out_of_range.review");
        at.expected = Some(show(weight));
        f.error(Code::OutOfRange, at);
    };
    let value = match sheet.grid.raw(row, col) {
        Value::Empty => return None,
        Value::Text(t) if t.trim().is_empty() => return None,
        // A number past what a decimal holds (1e30, say) is out of range, never "as
        // self-scored".
        Value::Number(n) => match decimal_from_f64(*n) {
            Some(d) => d,
            None => {
                out_of_range(f, n.to_string());
                return None;
            }
        },
        Value::Text(t) => match super::check::lenient_score(t) {
            Some((d, coerced)) => {
                if coerced {
                    let mut at = number(Some(t.clone()), "value_coerced.review");
                    at.expected = Some(show(d));
                    f.warning(Code::ValueCoerced, at);
                }
                d
            }
            None => {
                f.error(
                    Code::NotANumber,
                    number(Some(t.clone()), "not_a_number.review"),
                );
                return None;
            }
        },
        other => {
            f.error(
                Code::NotANumber,
                number(Some(other.to_text()), "not_a_number.review"),
            );
            return None;
        }
    };
    if value < Decimal::ZERO || value > weight {
        out_of_range(f, show(value));
        return None;
    }
    if value.normalize().scale() > decimals {
        let mut at = number(Some(show(value)), "bad_precision.review");
        at.expected = Some(show(value.round_dp(decimals).normalize()));
        f.error(Code::BadPrecision, at);
    }
    Some(value)
}

/// The review's sign-off, found by label below its rows (the value the first filled cell to
/// the right of the label), each field checked.
fn signoff(
    ctx: &Context,
    sheet: &Sheet,
    from: u32,
    f: &mut Findings,
) -> indexmap::IndexMap<String, super::CellValue> {
    let mut out = indexmap::IndexMap::new();
    let width = sheet.grid.width().min(200);
    for input in &ctx.spec.review.signoff {
        let key = label_key(&input.label);
        let found = (from..sheet.grid.height()).find_map(|r| {
            (0..width.min(4))
                .find(|&c| label_key(&sheet.grid.raw(r, c).to_text()) == key)
                .map(|c| (r, c))
        });
        let (row, col) = match found {
            Some((row, label_col)) => {
                let value_col = (label_col + 1..width)
                    .find(|&c| !sheet.grid.raw(row, c).is_empty())
                    .unwrap_or(2.max(label_col + 1));
                (row, value_col)
            }
            None => (from, 2),
        };
        let text = if found.is_some() {
            value_text(sheet.grid.raw(row, col))
        } else {
            String::new()
        };
        let at = |value: Option<String>, expected: Option<String>| At {
            cell: Some((row, col)),
            value,
            expected,
            args: vec![
                ("label", input.label.clone()),
                ("where", ctx.spec.word("where.review_signoff")),
            ],
            ..At::default()
        };
        let before = f.list.len();
        super::check::check_text_input(input, &text, f, &at);
        for finding in &mut f.list[before..] {
            if finding.code == Code::RequiredMissing {
                finding.variant = Some("required_missing.review_signoff".into());
            }
        }
        out.insert(
            input.key.clone(),
            super::CellValue {
                cell: a1(row, col),
                text,
            },
        );
    }
    out
}

/// The 加减分 sheet: by its name, else the sheet whose header has its labels; with the header
/// row and each column (序号, 部门, 类别, 分值, 依据).
fn find_adjust_sheet<'b>(
    ctx: &Context,
    book: &'b workbook::Workbook,
) -> Option<(&'b Sheet, u32, Vec<u32>)> {
    // Only a sheet a person sees; the issued one first.
    let mut sheets: Vec<&Sheet> = book
        .sheets
        .iter()
        .filter(|s| s.name != crate::identity::SHEET_NAME)
        .filter(|s| s.visibility == workbook::Visibility::Visible)
        .collect();
    sheets.sort_by_key(|s| s.name != ctx.spec.review.adjust_sheet);
    sheets
        .into_iter()
        .find_map(|s| adjust_header(ctx, s).map(|(r, cols)| (s, r, cols)))
}

/// Reads and checks the 加减分 entries: every row below the header with something in it.
fn adjustments(
    ctx: &Context,
    sheet: &Sheet,
    header: u32,
    cols: &[u32],
    f: &mut Findings,
) -> Vec<Adjustment> {
    let spec = ctx.spec;
    let labels: Vec<String> = ADJUST_KEYS
        .iter()
        .map(|k| spec.word(&format!("review.col.{k}")))
        .collect();
    let departments: Vec<&str> = ctx
        .master
        .departments()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    let categories: Vec<&str> = spec
        .review
        .categories
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let decimals = spec.review.decimals;
    let end = table_end(sheet, header, cols[0]);
    let mut out = Vec::new();
    for row in header + 1..sheet.grid.height() {
        let inputs = &cols[1..];
        let Some(&entered) = inputs.iter().find(|&&c| !sheet.grid.raw(row, c).is_empty()) else {
            continue;
        };
        let row_no = (row + 1).to_string();
        // An entry is read only from the table's rows as a person sees them: one below the
        // numbered rows, or in a hidden row, is an error and never counted.
        let unseen = if row >= end {
            Some((Code::EntryOutside, "entry_outside.adjust"))
        } else if sheet.is_row_hidden(row) {
            Some((Code::ItemHidden, "item_hidden.adjust"))
        } else {
            None
        };
        if let Some((code, variant)) = unseen {
            f.error(
                code,
                At {
                    cell: Some((row, entered)),
                    variant: Some(variant),
                    value: Some(value_text(sheet.grid.raw(row, entered))),
                    args: vec![
                        ("row", row_no.clone()),
                        ("last", end.to_string()),
                        ("sheet", sheet.name.clone()),
                    ],
                    ..At::default()
                },
            );
            continue;
        }
        let at = |col: u32, key: usize, value: Option<String>, variant: &'static str| At {
            cell: Some((row, col)),
            variant: Some(variant),
            value,
            args: vec![
                ("label", labels[key].clone()),
                ("row", row_no.clone()),
                ("decimals", decimals.to_string()),
            ],
            ..At::default()
        };
        let mut formula = false;
        for (key, &col) in cols.iter().enumerate().skip(1) {
            if let Some(text) = sheet.formulas.get(&(row, col)) {
                f.error(
                    Code::FormulaInInput,
                    At {
                        cell: Some((row, col)),
                        value: Some(format!("={text}")),
                        variant: Some("formula_in_input.adjust"),
                        args: vec![("label", labels[key].clone()), ("row", row_no.clone())],
                        ..At::default()
                    },
                );
                formula = true;
            }
        }
        if formula {
            continue;
        }
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
        let department = choose(1, &departments, "choice_invalid.adjust_department");
        let category = choose(2, &categories, "choice_invalid.adjust_category");
        let points_col = cols[3];
        let points = match sheet.grid.raw(row, points_col) {
            Value::Empty => {
                f.error(
                    Code::RequiredMissing,
                    at(points_col, 3, None, "required_missing.adjust"),
                );
                None
            }
            Value::Text(t) if t.trim().is_empty() => {
                f.error(
                    Code::RequiredMissing,
                    at(points_col, 3, None, "required_missing.adjust"),
                );
                None
            }
            Value::Number(n) => match decimal_from_f64(*n) {
                Some(d) => Some(d),
                None => {
                    // Past what a decimal holds (1e30): out of range, never dropped unsaid.
                    let mut a = at(
                        points_col,
                        3,
                        Some(n.to_string()),
                        "out_of_range.adjust_max",
                    );
                    a.expected = Some(show(spec.master.expected_total));
                    f.error(Code::OutOfRange, a);
                    None
                }
            },
            Value::Text(t) => match super::check::lenient_score(t) {
                Some((d, coerced)) => {
                    if coerced {
                        let mut a = at(points_col, 3, Some(t.clone()), "value_coerced.adjust");
                        a.expected = Some(show(d));
                        f.warning(Code::ValueCoerced, a);
                    }
                    Some(d)
                }
                None => {
                    f.error(
                        Code::NotANumber,
                        at(points_col, 3, Some(t.clone()), "not_a_number.adjust"),
                    );
                    None
                }
            },
            other => {
                f.error(
                    Code::NotANumber,
                    at(points_col, 3, Some(other.to_text()), "not_a_number.adjust"),
                );
                None
            }
        };
        // One entry never exceeds its category's cap per department, nor, without a cap,
        // the table's full points.
        let most = category
            .as_deref()
            .and_then(|c| spec.review.category(c))
            .and_then(|c| c.cap)
            .unwrap_or(spec.master.expected_total);
        let points = points.filter(|p| {
            if *p <= Decimal::ZERO {
                f.error(
                    Code::OutOfRange,
                    at(points_col, 3, Some(show(*p)), "out_of_range.adjust"),
                );
                return false;
            }
            if *p > most {
                let mut a = at(points_col, 3, Some(show(*p)), "out_of_range.adjust_max");
                a.expected = Some(show(most));
                f.error(Code::OutOfRange, a);
                return false;
            }
            if p.normalize().scale() > decimals {
                let mut a = at(points_col, 3, Some(show(*p)), "bad_precision.adjust");
                a.expected = Some(show(p.round_dp(decimals).normalize()));
                f.error(Code::BadPrecision, a);
            }
            true
        });
        let basis = text(4);
        if basis.trim().is_empty() {
            f.error(
                Code::RequiredMissing,
                at(cols[4], 4, None, "required_missing.adjust"),
            );
        }
        let count = basis.chars().count();
        if count > spec.review.basis_max_length as usize {
            f.error(
                Code::TextTooLong,
                At {
                    cell: Some((row, cols[4])),
                    value: Some(count.to_string()),
                    args: vec![
                        ("label", labels[4].clone()),
                        ("max", spec.review.basis_max_length.to_string()),
                        ("where", String::new()),
                    ],
                    ..At::default()
                },
            );
        }
        if let (Some(department), Some(category), Some(points)) = (department, category, points) {
            out.push(Adjustment {
                department,
                category,
                points: points.normalize(),
                basis,
                row,
                col: points_col,
                cell: a1(row, points_col),
            });
        }
    }
    out
}

/// The first row past a 加减分 table: its rows are those below the header numbered 1, 2, 3 …
/// in the 序号 column, as issued.
fn table_end(sheet: &Sheet, header: u32, number_col: u32) -> u32 {
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

/// How many entries differ between two reviews.
fn differences(a: &Reviewed, b: &Reviewed) -> usize {
    let mut count = 0;
    for row in &a.rows {
        match b.row(&row.item, &row.department) {
            Some(other) if other.score == row.score && other.note == row.note => {}
            _ => count += 1,
        }
    }
    let key = |x: &Adjustment| {
        (
            x.department.clone(),
            x.category.clone(),
            x.points,
            x.basis.clone(),
        )
    };
    let mut left: Vec<_> = a.adjustments.iter().map(key).collect();
    let mut right: Vec<_> = b.adjustments.iter().map(key).collect();
    left.sort();
    right.sort();
    if left != right {
        count += left.len().max(right.len()).max(1);
    }
    count
}

/// Which review counts, the others superseded; the one that counts checked against the
/// departments' returns as they stand now.
pub(super) fn decide(
    ctx: &Context,
    returns: &mut [Return],
    departments: &[Standing],
) -> Option<ReviewStanding> {
    let mut candidates: Vec<usize> = returns
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_review() && matches!(r.status, Status::Valid | Status::Invalid))
        .map(|(i, _)| i)
        .collect();
    candidates.sort_by(|&a, &b| super::preferred(&returns[a], &returns[b]));
    let winner = *candidates.first()?;
    let word = ctx.spec.word("review.issued_to");
    for &loser in &candidates[1..] {
        let (w, l) = (&returns[winner], &returns[loser]);
        let mut f = Finding::warning(Code::DuplicateReturn)
            .arg("department", &word)
            .arg("round", w.round.unwrap_or(0).to_string())
            .arg("other", l.round.unwrap_or(0).to_string())
            .arg("why_word", format!("review.why.{}", why(w, l)));
        f.variant = Some("duplicate_return.review".into());
        f.file = Some(l.path.clone());
        f.value = Some(l.path.clone());
        f.expected = Some(w.path.clone());
        let l = &mut returns[loser];
        l.status = Status::Superseded;
        l.findings.push(f);
    }
    // A copy of the same round filled otherwise waits for a person's word.
    let unconfirmed = candidates[1..].iter().find_map(|&i| {
        let (w, l) = (&returns[winner], &returns[i]);
        let confirmed = ctx.confirmed.iter().any(|(d, new, replaced)| {
            d == CONFIRM_KEY && new == &w.sha256 && replaced == &l.sha256
        });
        let count = match (&w.review, &l.review) {
            (Some(a), Some(b)) => differences(a, b),
            _ => 0,
        };
        (l.round == w.round && l.errors() == 0 && l.sha256 != w.sha256 && !confirmed && count > 0)
            .then(|| (l.path.clone(), count))
    });
    if let Some((path, count)) = unconfirmed {
        let w = &mut returns[winner];
        let mut f = Finding::error(Code::ReplacementUnconfirmed)
            .arg("department", &word)
            .arg("count", count.to_string());
        f.variant = Some("replacement_unconfirmed.review".into());
        f.file = Some(w.path.clone());
        f.value = Some(w.path.clone());
        f.expected = Some(path);
        w.status = Status::Invalid;
        w.findings.push(f);
    }
    // Stale: a department's return it showed is no longer what counts.
    let changed: Vec<String> = returns[winner]
        .review
        .as_ref()
        .map(|reviewed| {
            reviewed
                .rows
                .iter()
                .filter(|row| {
                    let (now, _) =
                        current_values(ctx.spec, returns, departments, &row.item, &row.department);
                    now != row.shown
                })
                .map(|row| row_label(ctx.spec, &row.item, &row.department))
                .collect()
        })
        .unwrap_or_default();
    let w = &mut returns[winner];
    if !changed.is_empty() {
        let mut f = Finding::error(Code::ReviewStale)
            .arg("issued_at", w.issued_at.clone().unwrap_or_default())
            .arg("count", changed.len().to_string())
            .arg(
                "rows_list",
                crate::finding::list(changed.iter().map(String::as_str)),
            );
        f.variant = Some("review_stale.returns".into());
        f.file = Some(w.path.clone());
        w.status = Status::Invalid;
        w.findings.push(f);
    }
    let errors = w.errors();
    Some(ReviewStanding {
        chosen: winner,
        status: w.status,
        file: w.path.clone(),
        round: w.round.unwrap_or(0),
        received: w.received.clone(),
        errors,
        warnings: w.findings.len() - errors,
    })
}

/// Why `w` counts rather than `l`, as a word key's last part.
fn why(w: &Return, l: &Return) -> &'static str {
    match super::why_chosen(w, l) {
        "duplicate_return.newer_round" => "newer_round",
        "duplicate_return.newer_issue" => "newer_issue",
        "duplicate_return.newer_file" => "newer_file",
        "duplicate_return.same_content" => "same_content",
        _ => "file_name",
    }
}

/// Whether a finding is one [`decide`] makes (dropped when the receipts are decided again).
pub fn is_decided(finding: &Finding) -> bool {
    finding.code == Code::ReviewStale && finding.variant.as_deref() == Some("review_stale.returns")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(score: Option<&str>, own: Option<&str>) -> ReviewedRow {
        ReviewedRow {
            item: "1".into(),
            department: "办公室".into(),
            shown: Vec::new(),
            self_score: own.and_then(parse_decimal),
            score: score.and_then(parse_decimal),
            note: String::new(),
            score_cell: String::new(),
            note_cell: String::new(),
        }
    }

    #[test]
    fn an_empty_reviewed_score_is_the_self_score() {
        assert_eq!(row(None, Some("1.5")).effective(), parse_decimal("1.5"));
        assert!(!row(None, Some("1.5")).changed());
        assert_eq!(row(Some("1"), Some("1.5")).effective(), parse_decimal("1"));
        assert!(row(Some("1"), Some("1.5")).changed());
        assert!(!row(Some("1.5"), Some("1.50")).changed());
        // A department without a valid return: only the reviewer's score counts.
        assert_eq!(row(None, None).effective(), None);
        assert!(row(Some("0"), None).changed());
    }

    #[test]
    fn differences_count_entries_and_rows() {
        let a = Reviewed {
            rows: vec![row(Some("1"), Some("2"))],
            ..Reviewed::default()
        };
        let mut b = a.clone();
        assert_eq!(differences(&a, &b), 0);
        b.rows[0].score = parse_decimal("1.5");
        assert_eq!(differences(&a, &b), 1);
        b.adjustments.push(Adjustment {
            department: "办公室".into(),
            category: "加分".into(),
            points: Decimal::ONE,
            basis: "x".into(),
            row: 3,
            col: 3,
            cell: "D4".into(),
        });
        assert_eq!(differences(&a, &b), 2);
    }
}
