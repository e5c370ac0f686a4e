//! Checking one returned workbook: who issued it to whom (the signed identity, never the file
//! name), whether its locked cells and rows are as issued, and every input by the spec's rules.
//! Values are read leniently where a person's intent is clear ("1.5分", "１．５") and said so.

use std::collections::HashMap;

use indexmap::IndexMap;
use rust_decimal::Decimal;

use crate::finding::{Code, Finding, Severity, a1};
use crate::form::fill_in::FillIn;
use crate::identity::{Identity, Kind, PROP_DEPARTMENT, PROP_KIND};
use crate::model::Item;
use crate::spec::{InputKind, InputSpec, Shown};
use crate::text::{decimal_from_f64, fold, parse_decimal, show, to_halfwidth};
use crate::workbook::{self, OpenError, Sheet, Value};

use super::{CellValue, Context, ItemReturn, Return, Status};

/// Collects the findings of one return, as data.
pub(super) struct Findings {
    pub(super) file: String,
    pub(super) sheet: Option<String>,
    pub(super) list: Vec<Finding>,
}

/// One finding's particulars.
#[derive(Default)]
pub(super) struct At<'s> {
    pub(super) cell: Option<(u32, u32)>,
    pub(super) item: Option<&'s str>,
    /// The input or sign-off field, by key.
    pub(super) key: Option<&'s str>,
    pub(super) variant: Option<&'static str>,
    pub(super) value: Option<String>,
    pub(super) expected: Option<String>,
    pub(super) args: Vec<(&'s str, String)>,
}

impl Findings {
    pub(super) fn push(&mut self, severity: Severity, code: Code, at: At) {
        let mut f = Finding::new(severity, code);
        f.file = Some(self.file.clone());
        f.cell = at.cell.map(|(r, c)| a1(r, c));
        f.sheet = f.cell.as_ref().and(self.sheet.clone());
        f.item = at.item.map(str::to_string);
        f.key = at.key.map(str::to_string);
        f.variant = at.variant.map(str::to_string);
        f.value = at.value;
        f.expected = at.expected;
        f.args = at
            .args
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        self.list.push(f);
    }

    pub(super) fn error(&mut self, code: Code, at: At) {
        self.push(Severity::Error, code, at);
    }

    pub(super) fn warning(&mut self, code: Code, at: At) {
        self.push(Severity::Warning, code, at);
    }
}

/// The finding for a file that could not be read: `variant` says why, `value` holds the
/// technical detail (for the report and JSON).
pub fn refused(file: &str, code: Code, variant: Option<&str>, detail: &str) -> Finding {
    let mut f = Finding::error(code);
    f.file = Some(file.to_string());
    f.variant = variant.map(str::to_string);
    if !detail.is_empty() {
        f.value = Some(detail.to_string());
    }
    f
}

pub fn open_failure(file: &str, err: &OpenError) -> Finding {
    match err {
        OpenError::Encrypted { .. } => refused(file, Code::Encrypted, None, ""),
        OpenError::NotASpreadsheet { kind, .. } => {
            refused(file, Code::Unreadable, Some("unreadable.kind"), "")
                .arg("what_word", kind.word())
        }
        OpenError::Damaged { detail, format, .. } => {
            refused(file, Code::Unreadable, Some("unreadable.damaged"), detail)
                .arg("format", format.to_string())
        }
        OpenError::Io { source, .. } => refused(
            file,
            Code::Unreadable,
            Some("unreadable.io"),
            &source.to_string(),
        ),
        OpenError::TooLarge { detail, .. } => too_large(file, detail),
    }
}

/// The finding of a file over a limit: the limit's key under `[limits]` (found in the detail
/// the reader gives), its name in words, and the detail for the report.
pub fn too_large(file: &str, detail: &str) -> Finding {
    const KEYS: [&str; 6] = [
        "max_file_bytes",
        "max_archive_bytes",
        "max_files",
        "max_rows",
        "max_cols",
        "max_cell_chars",
    ];
    let key = KEYS
        .iter()
        .find(|k| detail.contains(&format!("limits.{k}")))
        .copied()
        .unwrap_or(if detail.contains("zip bomb") {
            "bomb"
        } else {
            "parts"
        });
    let mut f =
        refused(file, Code::TooLarge, None, detail).arg("limit_word", format!("limit.{key}"));
    if KEYS.contains(&key) {
        f = f.arg("limit", format!("limits.{key}"));
    } else {
        // A zip bomb's ratio and a workbook's internal parts have no setting to raise: the
        // message must not advise one.
        f.variant = Some("too_large.fixed".into());
    }
    if let Some(max) = after_word(detail, "limit of ").filter(|m| m.parse::<u64>().is_ok()) {
        f = f.arg("max", max);
    }
    let cell = after_word(detail, " at ")
        .or_else(|| after_word(detail, " cell "))
        .filter(|c| is_a1(c));
    if let Some(cell) = cell {
        f.sheet = detail
            .split_once("sheet \"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(name, _)| name.to_string());
        f.cell = Some(cell.to_string());
        f.variant = Some("too_large.cell".into());
    }
    f
}

/// The finding of a folder or zip refused whole for holding too many workbooks: `detail` is
/// `count limit which` as [`super::gather`] gives it, `which` naming the limit
/// (`department`: `limits.max_per_department`; `run`: `limits.max_files`).
pub fn too_many(file: &str, detail: &str) -> Finding {
    let mut parts = detail.split(' ');
    let count = parts.next().unwrap_or_default();
    let limit = parts.next().unwrap_or_default();
    let mut f = refused(file, Code::TooManyReturns, None, "")
        .arg("count", count)
        .arg("max", limit);
    f.value = Some(count.to_string());
    if parts.next() == Some("run") {
        f.variant = Some("too_many_returns.run".into());
    }
    f
}

/// The word after `marker` in a reader's detail, up to a space or comma.
fn after_word<'d>(detail: &'d str, marker: &str) -> Option<&'d str> {
    let (_, rest) = detail.split_once(marker)?;
    rest.split([' ', ',', ')']).next().filter(|w| !w.is_empty())
}

/// Whether `text` is a cell reference such as `B5000`.
fn is_a1(text: &str) -> bool {
    let letters = text.chars().take_while(char::is_ascii_uppercase).count();
    letters > 0 && letters < text.len() && text[letters..].chars().all(|c| c.is_ascii_digit())
}

/// Checks an opened workbook. `ret` arrives with its provenance filled in.
pub fn check(ctx: &Context, book: &workbook::Workbook, mut ret: Return) -> Return {
    let mut f = Findings {
        file: ret.path.clone(),
        sheet: None,
        list: Vec::new(),
    };
    let identity = match Identity::read(book) {
        Ok(Some(identity)) => identity,
        Ok(None) => {
            f.error(Code::NotATemplate, At::default());
            return ret.finish(Status::Unrecognized, f.list);
        }
        Err(err) => {
            f.error(
                Code::SignatureInvalid,
                At {
                    value: Some(err.to_string()),
                    ..At::default()
                },
            );
            return ret.finish(Status::Unrecognized, f.list);
        }
    };
    if identity.campaign != ctx.campaign_id {
        f.error(
            Code::ForeignCampaign,
            At {
                value: Some(identity.campaign.clone()),
                expected: Some(ctx.campaign_id.to_string()),
                ..At::default()
            },
        );
        return ret.finish(Status::Unrecognized, f.list);
    }
    if !identity.verify(ctx.secret) {
        f.error(Code::SignatureInvalid, At::default());
        ret.signature_failed = true;
        ret.claimed = Some(identity.department.clone());
        return ret.finish(Status::Unrecognized, f.list);
    }
    // A valid identity in the wrong workbook: the hidden sheet copied from another
    // department's workbook, or between a department's workbook and the review workbook. The
    // document properties written beside it tell.
    let props = &book.custom_properties;
    let claimed_kind = props.get(PROP_KIND).map(String::as_str);
    let wrong = match identity.kind {
        Kind::Return => claimed_kind
            .map(|k| (identity.kind.as_str().to_string(), k.to_string()))
            .or_else(|| {
                props
                    .get(PROP_DEPARTMENT)
                    .filter(|d| **d != identity.department)
                    .map(|d| (identity.department.clone(), d.clone()))
            }),
        Kind::Review => props
            .get(PROP_DEPARTMENT)
            .map(|d| (identity.kind.as_str().to_string(), d.clone()))
            .or_else(|| {
                claimed_kind
                    .filter(|k| *k != Kind::Review.as_str())
                    .map(|k| (identity.kind.as_str().to_string(), k.to_string()))
            }),
    };
    if let Some((value, expected)) = wrong {
        f.error(
            Code::SignatureInvalid,
            At {
                value: Some(value),
                expected: Some(expected),
                ..At::default()
            },
        );
        return ret.finish(Status::Unrecognized, f.list);
    }
    if identity.kind == Kind::Review && !ret.in_review_folder {
        // The review workbook is the assessment group's: it counts only from where the office
        // puts it, never from a department's folder, upload or zip.
        f.error(
            Code::ReviewMisplaced,
            At {
                expected: Some(ctx.review_folder.clone()),
                ..At::default()
            },
        );
        return ret.finish(Status::Unrecognized, f.list);
    }
    if identity.period != ctx.period {
        // Another period's workbook (an earlier month's, sent again or put in the wrong
        // folder): never this period's return or review, whatever it holds.
        f.error(Code::PeriodOther, period_at(&identity, ctx));
        if identity.kind == Kind::Return {
            ret.claimed = Some(identity.department.clone());
        }
        return ret.finish(Status::Unrecognized, f.list);
    }
    if identity.kind == Kind::Review {
        return super::review::check(ctx, book, &identity, ret, f);
    }
    ret.department = Some(identity.department.clone());
    ret.round = Some(identity.round);
    ret.issued_at = Some(identity.issued_at.clone());
    let department = identity.department.as_str();

    let is_stale = match stale_reason(ctx, &identity) {
        Some(at) => {
            f.error(Code::StaleTemplate, at);
            true
        }
        None => false,
    };

    hidden_forms(book, |s| form_header(ctx, s), &mut f);
    let Some((sheet, columns, problems)) = find_sheet(ctx, book, &identity.sheet) else {
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
    column_problems(&problems, &mut f);
    let items: Vec<&Item> = identity
        .rows
        .iter()
        .filter_map(|r| ctx.master.item(&r.item))
        .collect();
    let issued_ids: Vec<&str> = identity.rows.iter().map(|r| r.item.as_str()).collect();
    let area = item_rows(ctx, sheet, &columns, &issued_ids, &mut f);
    for issued in &identity.rows {
        if !area.rows.contains_key(issued.item.as_str()) {
            f.error(
                Code::ItemMissing,
                At {
                    item: Some(&issued.item),
                    ..At::default()
                },
            );
        }
    }
    if !is_stale {
        let issued_hash: HashMap<&str, &str> = identity
            .rows
            .iter()
            .map(|r| (r.item.as_str(), r.hash.as_str()))
            .collect();
        for item in &items {
            let Some(&row) = area.rows.get(item.id.as_str()) else {
                continue;
            };
            // Fast path: the row's locked cells hash as issued.
            let texts: Vec<String> = columns
                .shown
                .iter()
                .map(|&(_, col)| locked_text(sheet, row, col))
                .collect();
            if issued_hash.get(item.id.as_str()) == Some(&crate::digest::row_hash(&texts).as_str())
            {
                continue;
            }
            locked_cells(ctx, sheet, &columns, item, department, row, &mut f);
        }
    }
    for item in &items {
        let Some(&row) = area.rows.get(item.id.as_str()) else {
            continue;
        };
        let values = inputs(ctx, sheet, &columns, item, row, &mut f);
        ret.items.insert(item.id.clone(), values);
    }
    // Only items the current master has are read: the workbook of an older master is stale.
    ret.signoff = signoff(ctx, sheet, area.end, &mut f);
    // Whom the sign-off names: another department's seal or person makes the return invalid.
    f.list.extend(super::stamp::signoff_findings(
        ctx.roster(),
        department,
        &ret.signoff,
        &f.file,
        f.sheet.as_deref(),
    ));
    ret.evidence_names = evidence_names(ctx, &ret);
    let status = if f.list.iter().any(|x| x.severity == Severity::Error) {
        Status::Invalid
    } else {
        Status::Valid
    };
    ret.finish(status, f.list)
}

/// Where a workbook of another period stands: its period and the current one (`无` / `none`
/// where either has none, told by the message's variant).
fn period_at<'i>(identity: &'i Identity, ctx: &Context) -> At<'i> {
    let review = identity.kind == Kind::Review;
    let variant = match (&identity.period, &ctx.period, review) {
        (Some(_), Some(_), false) => None,
        (None, Some(_), false) => Some("period_other.unperiodic"),
        (Some(_), None, false) => Some("period_other.no_periods"),
        (Some(_), Some(_), true) => Some("period_other.review"),
        (None, Some(_), true) => Some("period_other.review_unperiodic"),
        (Some(_), None, true) => Some("period_other.review_no_periods"),
        (None, None, _) => None,
    };
    At {
        variant,
        value: identity.period.clone(),
        expected: ctx.period.clone(),
        args: vec![("department", identity.department.clone())],
        ..At::default()
    }
}

/// Why a workbook is out of date, if it is: its department's items changed in the master since
/// it was issued (naming them), the department no longer has items, or a later round began.
fn stale_reason<'i>(ctx: &Context, identity: &'i Identity) -> Option<At<'i>> {
    let department = identity.department.as_str();
    let current: Vec<(&str, String)> = ctx
        .master
        .items_of(department)
        .map(|item| (item.id.as_str(), ctx.form.row_hash(item, department)))
        .collect();
    let fingerprint =
        crate::identity::rows_fingerprint(current.iter().map(|(id, hash)| (*id, hash.as_str())));
    let base = vec![
        ("department", department.to_string()),
        ("issued_at", identity.issued_at.clone()),
    ];
    if current.is_empty() {
        return Some(At {
            variant: Some("stale_template.gone"),
            args: base,
            ..At::default()
        });
    }
    if fingerprint != identity.fingerprint {
        let issued: HashMap<&str, &str> = identity
            .rows
            .iter()
            .map(|r| (r.item.as_str(), r.hash.as_str()))
            .collect();
        let now: HashMap<&str, &str> = current.iter().map(|(i, h)| (*i, h.as_str())).collect();
        let mut changed: Vec<&str> = current
            .iter()
            .filter(|(id, hash)| issued.get(id) != Some(&hash.as_str()))
            .map(|(id, _)| *id)
            .collect();
        changed.extend(
            identity
                .rows
                .iter()
                .filter(|r| !now.contains_key(r.item.as_str()))
                .map(|r| r.item.as_str()),
        );
        // Rows hashing as issued, none added or removed: the same content under another
        // fingerprint (one made by an earlier version), not stale.
        if !changed.is_empty() || current.len() != identity.rows.len() {
            let mut args = base.clone();
            args.push(("count", changed.len().to_string()));
            args.push(("items_list", crate::finding::list(changed.iter().copied())));
            return Some(At {
                variant: Some("stale_template.master"),
                args,
                ..At::default()
            });
        }
    }
    if identity.round < ctx.round {
        let mut args = base;
        args.push(("round", identity.round.to_string()));
        args.push(("current", ctx.round.to_string()));
        return Some(At {
            variant: Some("stale_template.round"),
            args,
            ..At::default()
        });
    }
    None
}

/// Where the master columns and inputs stand on the sheet as returned, found by header label
/// (columns may have been moved or inserted) and falling back to the issued positions.
pub struct Columns {
    pub header_row: u32,
    /// Each shown column of the form (by its index there) and where it stands.
    pub shown: Vec<(usize, u32)>,
    pub inputs: Vec<(String, u32)>,
}

impl Columns {
    fn shown_col(&self, form: &crate::form::Form, shown: Shown) -> Option<u32> {
        let index = form.position(shown)?;
        self.shown
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, c)| *c)
    }

    fn input_col(&self, key: &str) -> Option<u32> {
        self.inputs.iter().find(|(k, _)| k == key).map(|(_, c)| *c)
    }
}

/// A header label as compared: folded, without the required mark — a `*`, or a condition in
/// brackets that says when the input is required (`扣分原因（扣分时必填）`, `Reason for
/// deduction (required if points are deducted)`), so returns issued with either read alike.
pub(super) fn label_key(text: &str) -> String {
    let mut key = fold(text);
    loop {
        let trimmed = key.trim_end_matches('*');
        let condition = trimmed
            .strip_suffix(')')
            .and_then(|rest| rest.rfind('(').map(|open| (open, &rest[open + 1..])))
            .filter(|(open, inside)| {
                *open > 0 && (inside.contains("必填") || inside.contains("required"))
            });
        let next = match condition {
            Some((open, _)) => &trimmed[..open],
            None => trimmed,
        };
        if next.len() == key.len() {
            return key;
        }
        key = next.to_string();
    }
}

/// An input column a return cannot be read from as issued.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnProblem {
    /// A second column carries the input's label (cell of the second, of the first).
    Duplicate {
        label: String,
        cell: (u32, u32),
        first: (u32, u32),
    },
    /// The input's column is hidden: what a person sees and signs is not what would be read.
    Hidden { label: String, cell: (u32, u32) },
}

/// The row of a fill-in sheet's header (one with the id's and the score's labels) among its
/// first rows: a row a person sees, never a hidden copy above it.
fn form_header(ctx: &Context, sheet: &Sheet) -> Option<u32> {
    let form = &ctx.form;
    let id_label = label_key(&form.shown[form.position(Shown::ID)?].label);
    let score_label = label_key(&ctx.spec.inputs.first()?.label);
    (0..sheet.grid.height().min(30)).find(|&r| {
        let labels: Vec<String> = (0..sheet.grid.width().min(200))
            .map(|c| label_key(&sheet.grid.raw(r, c).to_text()))
            .collect();
        !sheet.is_row_hidden(r) && labels.contains(&id_label) && labels.contains(&score_label)
    })
}

/// A hidden sheet that holds a form (its header, so its inputs) is an error naming it: what
/// it holds is never read, and nobody who opens the workbook sees it.
pub(super) fn hidden_forms(
    book: &workbook::Workbook,
    holds_form: impl Fn(&Sheet) -> Option<u32>,
    f: &mut Findings,
) {
    let ours = [
        crate::identity::SHEET_NAME,
        crate::form::review::LISTS_SHEET,
    ];
    for sheet in &book.sheets {
        if sheet.visibility == workbook::Visibility::Visible || ours.contains(&sheet.name.as_str())
        {
            continue;
        }
        if let Some(row) = holds_form(sheet) {
            let saved = f.sheet.replace(sheet.name.clone());
            f.error(
                Code::SheetHidden,
                At {
                    cell: Some((row, 0)),
                    value: Some(sheet.name.clone()),
                    ..At::default()
                },
            );
            f.sheet = saved;
        }
    }
}

fn find_sheet<'b>(
    ctx: &Context,
    book: &'b workbook::Workbook,
    issued_name: &str,
) -> Option<(&'b Sheet, Columns, Vec<ColumnProblem>)> {
    let spec = ctx.spec;
    let form = &ctx.form;
    // Only a sheet a person sees is read: a hidden copy (whatever its name) never is.
    let mut sheets: Vec<&Sheet> = book
        .sheets
        .iter()
        .filter(|s| s.name != crate::identity::SHEET_NAME)
        .filter(|s| s.visibility == workbook::Visibility::Visible)
        .collect();
    // The issued sheet first.
    sheets.sort_by_key(|s| s.name != issued_name);
    let (sheet, header_row) = sheets
        .into_iter()
        .find_map(|s| form_header(ctx, s).map(|r| (s, r)))?;
    let layout = FillIn::new(form, spec, 0);
    let width = sheet.grid.width().min(200);
    let header: Vec<String> = (0..width)
        .map(|c| label_key(&sheet.grid.raw(header_row, c).to_text()))
        .collect();
    let cols_of = |label: &str| -> Vec<u32> {
        let key = label_key(label);
        (0..width).filter(|&c| header[c as usize] == key).collect()
    };
    let shown = form
        .shown
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let col = cols_of(&column.label).first().copied();
            (i, col.unwrap_or(i as u32))
        })
        .collect();
    let mut problems = Vec::new();
    let mut inputs = Vec::new();
    for (input, (key, issued)) in spec.inputs.iter().zip(&layout.inputs) {
        let found = cols_of(&input.label);
        if let [first, second, ..] = found[..] {
            problems.push(ColumnProblem::Duplicate {
                label: input.label.clone(),
                cell: (header_row, second),
                first: (header_row, first),
            });
            continue;
        }
        let col = found.first().copied().unwrap_or(u32::from(*issued));
        if sheet.is_col_hidden(col) {
            problems.push(ColumnProblem::Hidden {
                label: input.label.clone(),
                cell: (header_row, col),
            });
            continue;
        }
        inputs.push((key.clone(), col));
    }
    Some((
        sheet,
        Columns {
            header_row,
            shown,
            inputs,
        },
        problems,
    ))
}

/// The findings of input columns that cannot be read as issued.
fn column_problems(problems: &[ColumnProblem], f: &mut Findings) {
    for problem in problems {
        match problem {
            ColumnProblem::Duplicate { label, cell, first } => f.error(
                Code::InputColumnDuplicate,
                At {
                    cell: Some(*cell),
                    expected: Some(a1(first.0, first.1)),
                    args: vec![("label", label.clone())],
                    ..At::default()
                },
            ),
            ColumnProblem::Hidden { label, cell } => f.error(
                Code::InputColumnHidden,
                At {
                    cell: Some(*cell),
                    args: vec![("label", label.clone())],
                    ..At::default()
                },
            ),
        }
    }
}

/// The item rows found by id, and the first row after them.
struct Area {
    rows: HashMap<String, u32>,
    end: u32,
}

pub(super) fn cell_text(sheet: &Sheet, row: u32, col: u32) -> String {
    crate::text::clean(&sheet.grid.raw(row, col).to_text())
}

fn item_rows(
    ctx: &Context,
    sheet: &Sheet,
    columns: &Columns,
    issued: &[&str],
    f: &mut Findings,
) -> Area {
    let id_col = columns.shown_col(&ctx.form, Shown::ID).unwrap_or(0);
    let total_label = label_key(&ctx.spec.template.score_total);
    let signoff_labels: Vec<String> = ctx
        .spec
        .signoff
        .iter()
        .map(|s| label_key(&s.label))
        .chain([label_key(&ctx.spec.template.signoff_title)])
        .chain([label_key(&ctx.spec.word("template.weight_total"))])
        .collect();
    let width = sheet.grid.width().min(200);
    let mut rows: HashMap<String, u32> = HashMap::new();
    let mut end = sheet.grid.height();
    let first = columns.header_row + 1;
    for row in first..sheet.grid.height() {
        // Only short cells can be the total or sign-off labels; item texts are skipped unfolded.
        let first_texts: Vec<String> = (0..width.min(3))
            .filter_map(|c| match sheet.grid.spread(row, c) {
                Value::Text(t) if t.len() <= 120 => Some(label_key(t)),
                _ => None,
            })
            .collect();
        if first_texts.contains(&total_label)
            || first_texts.iter().any(|t| signoff_labels.contains(t))
        {
            end = row;
            break;
        }
        let id = cell_text(sheet, row, id_col);
        let id_key = to_halfwidth(&id).replace(' ', "");
        if let Some(issued_id) = issued.iter().find(|i| **i == id_key) {
            if let Some(&first_row) = rows.get(*issued_id) {
                f.error(
                    Code::ItemDuplicated,
                    At {
                        cell: Some((row, id_col)),
                        item: Some(issued_id),
                        expected: Some(a1(first_row, id_col)),
                        ..At::default()
                    },
                );
            } else {
                rows.insert(issued_id.to_string(), row);
                if sheet.is_row_hidden(row) {
                    f.warning(
                        Code::ItemHidden,
                        At {
                            cell: Some((row, id_col)),
                            item: Some(issued_id),
                            args: vec![("row", (row + 1).to_string())],
                            ..At::default()
                        },
                    );
                }
            }
        } else {
            let has_content = (0..width).any(|c| !sheet.grid.raw(row, c).is_empty());
            if has_content {
                f.error(
                    Code::ItemUnexpected,
                    At {
                        cell: Some((row, id_col)),
                        value: Some(id),
                        args: vec![("row", (row + 1).to_string())],
                        ..At::default()
                    },
                );
            }
        }
    }
    Area { rows, end }
}

/// Compared as people see it: no white space, half-width.
pub(super) fn same_text(a: &str, b: &str) -> bool {
    a == b || fold(a) == fold(b)
}

/// A locked cell's text as compared with what was issued.
pub(super) fn locked_text(sheet: &Sheet, row: u32, col: u32) -> String {
    match sheet.grid.raw(row, col) {
        Value::Number(n) => workbook::format_number(*n),
        other => crate::text::clean(&other.to_text()),
    }
}

fn locked_cells(
    ctx: &Context,
    sheet: &Sheet,
    columns: &Columns,
    item: &Item,
    department: &str,
    row: u32,
    f: &mut Findings,
) {
    for &(index, col) in &columns.shown {
        let column = &ctx.form.shown[index];
        let shown = column.shown;
        let expected = ctx.form.cell(column, item, department);
        let actual = locked_text(sheet, row, col);
        let same = if shown == Shown::WEIGHT {
            match (parse_decimal(&actual), item.weight) {
                (Some(a), Some(w)) => a == w.normalize(),
                _ => same_text(&actual, &expected),
            }
        } else if shown == Shown::ID {
            true // rows are matched by id; a changed id is an unexpected row
        } else {
            same_text(&actual, &expected)
        };
        if !same {
            let label = column.label.clone();
            let (shown_actual, shown_expected) = differing_parts(&actual, &expected);
            f.error(
                Code::LockedCellChanged,
                At {
                    cell: Some((row, col)),
                    item: Some(&item.id),
                    value: Some(actual),
                    expected: Some(expected),
                    args: vec![
                        ("label", label),
                        ("value", shown_actual),
                        ("expected", shown_expected),
                    ],
                    ..At::default()
                },
            );
        }
    }
}

/// Two long texts shortened around where they differ, so a message shows the change and not
/// two paragraphs: `…审批时间。（已按实际调整）` against `…审批时间。`.
pub fn differing_parts(actual: &str, expected: &str) -> (String, String) {
    const CONTEXT: usize = 12;
    const MAX: usize = 40;
    let a: Vec<char> = actual.chars().collect();
    let e: Vec<char> = expected.chars().collect();
    if a.len() <= MAX && e.len() <= MAX {
        return (actual.to_string(), expected.to_string());
    }
    let prefix = a.iter().zip(&e).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(e[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let start = prefix.saturating_sub(CONTEXT);
    let cut = |chars: &[char]| -> String {
        let end = (chars.len() - suffix + CONTEXT).min(chars.len());
        let middle: String = chars[start..end].iter().collect();
        let middle: String = if middle.chars().count() > MAX * 2 {
            middle.chars().take(MAX * 2).chain(['…']).collect()
        } else {
            middle
        };
        let head = if start > 0 { "…" } else { "" };
        let tail = if end < chars.len() { "…" } else { "" };
        format!("{head}{middle}{tail}")
    };
    (cut(&a), cut(&e))
}

/// Reads and checks the inputs of one item row.
fn inputs(
    ctx: &Context,
    sheet: &Sheet,
    columns: &Columns,
    item: &Item,
    row: u32,
    f: &mut Findings,
) -> ItemReturn {
    let mut values = IndexMap::new();
    let mut score = None;
    let weight = item.weight.unwrap_or_default();
    for input in &ctx.spec.inputs {
        // A computed cell is the workbook's own formula: never read, compile computes it.
        if input.kind == InputKind::Computed {
            continue;
        }
        let Some(col) = columns.input_col(&input.key) else {
            continue;
        };
        let raw = sheet.grid.raw(row, col);
        if let Some(formula) = sheet.formulas.get(&(row, col)) {
            // Its cached value is whatever the last program stored: never counted.
            f.error(
                Code::FormulaInInput,
                At {
                    cell: Some((row, col)),
                    item: Some(&item.id),
                    value: Some(format!("={formula}")),
                    args: vec![("label", input.label.clone())],
                    ..At::default()
                },
            );
            values.insert(
                input.key.clone(),
                CellValue {
                    cell: a1(row, col),
                    text: String::new(),
                },
            );
            continue;
        }
        let at = |value: Option<String>, expected: Option<String>| At {
            cell: Some((row, col)),
            item: Some(&item.id),
            key: Some(&input.key),
            value,
            expected,
            args: vec![
                ("max", show(weight)),
                ("decimals", input.decimals.unwrap_or(2).to_string()),
            ],
            ..At::default()
        };
        let mut text = value_text(raw);
        match input.kind {
            InputKind::Score => score = check_score(input, raw, &text, weight, f, &at),
            InputKind::Number | InputKind::Percent => {
                let bounds = crate::inputs::bounds(input, ctx.master, item);
                let unit = crate::inputs::unit(input, ctx.master, item);
                if let Some(n) = check_number(input, raw, &text, bounds, &unit, f, &at) {
                    text = show(n);
                }
            }
            InputKind::Date => {
                if let Some(date) = check_date(input, &text, f, &at) {
                    text = date;
                }
            }
            _ => check_text_input(input, &text, f, &at),
        }
        values.insert(
            input.key.clone(),
            CellValue {
                cell: a1(row, col),
                text,
            },
        );
    }
    // Required by a rule over the other inputs and the master (扣分原因 when the score is
    // below the weight, 存在问题 when not complete …).
    for input in &ctx.spec.inputs {
        let (Some(rule), Some(col)) = (&input.rule, columns.input_col(&input.key)) else {
            continue;
        };
        let empty = values
            .get(&input.key)
            .is_none_or(|v| v.text.trim().is_empty());
        let env = |name: &str| row_value(ctx, item, &values, score, name);
        if empty && rule.holds(&env) {
            let mut at = At {
                cell: Some((row, col)),
                item: Some(&item.id),
                key: Some(&input.key),
                value: score.map(show),
                args: vec![("max", show(weight))],
                ..At::default()
            };
            if !input.explains_score() {
                at.variant = Some("required_when.rule");
                at.args
                    .push(("when", input.when_text(ctx.spec).unwrap_or_default()));
            }
            f.error(Code::RequiredWhen, at);
        }
    }
    ItemReturn { row, values, score }
}

/// What a rule reads in a row: an input's value (a number where it reads as one), or the
/// master's for the item.
fn row_value(
    ctx: &Context,
    item: &Item,
    values: &IndexMap<String, CellValue>,
    score: Option<Decimal>,
    name: &str,
) -> crate::rule::Value {
    use crate::rule::Value;
    match ctx.spec.input(name) {
        Some(input) if input.kind == InputKind::Score => score.map_or(Value::Empty, Value::Number),
        Some(input) => match values.get(name).map(|v| v.text.trim()) {
            None | Some("") => Value::Empty,
            Some(text) if input.kind.is_numeric() => {
                parse_decimal(text).map_or_else(|| Value::Text(text.to_string()), Value::Number)
            }
            Some(text) => Value::Text(text.to_string()),
        },
        None => crate::inputs::master_value(ctx.master, item, name),
    }
}

/// A number or percent input: read leniently (units, `%`, full-width digits, thousands
/// separators, with a warning), within its bounds for the item, with at most its decimals.
fn check_number<'s>(
    input: &InputSpec,
    raw: &Value,
    text: &str,
    (min, max): (Option<Decimal>, Option<Decimal>),
    unit: &str,
    f: &mut Findings,
    at: &dyn Fn(Option<String>, Option<String>) -> At<'s>,
) -> Option<Decimal> {
    let variant = if input.kind == InputKind::Percent {
        "percent"
    } else {
        "number"
    };
    let at = |value: Option<String>, expected: Option<String>, code: &'static str| {
        let mut a = at(value, expected);
        a.variant = Some(match (code, variant) {
            ("out_of_range", "percent") => "out_of_range.percent",
            ("out_of_range", _) => "out_of_range.number",
            ("not_a_number", "percent") => "not_a_number.percent",
            ("not_a_number", _) => "not_a_number.number",
            _ => code,
        });
        if code == "value_coerced" || code == "required_missing" || code == "bad_precision" {
            a.variant = None;
        }
        a.args.retain(|(k, _)| *k != "max");
        a.args
            .push(("min", min.map(show).unwrap_or_else(|| "-∞".into())));
        a.args
            .push(("max", max.map(show).unwrap_or_else(|| "∞".into())));
        a.args.push(("unit", unit.to_string()));
        a
    };
    let value = match raw {
        Value::Empty => None,
        Value::Text(t) if t.trim().is_empty() => None,
        Value::Number(n) => Some(decimal_from_f64(*n)),
        Value::Text(t) => Some(crate::inputs::lenient_number(t, unit).map(|(d, coerced)| {
            if coerced {
                f.warning(
                    Code::ValueCoerced,
                    at(Some(t.clone()), Some(show(d)), "value_coerced"),
                );
            }
            d
        })),
        _ => Some(None),
    };
    let value = match value {
        None => {
            if input.required {
                f.error(Code::RequiredMissing, at(None, None, "required_missing"));
            }
            return None;
        }
        Some(None) => {
            f.error(
                Code::NotANumber,
                at(Some(text.to_string()), None, "not_a_number"),
            );
            return None;
        }
        Some(Some(d)) => d,
    };
    if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
        f.error(
            Code::OutOfRange,
            at(Some(show(value)), max.map(show), "out_of_range"),
        );
        return Some(value);
    }
    let decimals = input.decimals.unwrap_or(2);
    if value.normalize().scale() > decimals {
        let rounded = value.round_dp(decimals).normalize();
        f.error(
            Code::BadPrecision,
            at(Some(show(value)), Some(show(rounded)), "bad_precision"),
        );
    }
    Some(value)
}

/// A date input: as `YYYY-MM-DD`, or a finding.
fn check_date<'s>(
    input: &InputSpec,
    text: &str,
    f: &mut Findings,
    at: &dyn Fn(Option<String>, Option<String>) -> At<'s>,
) -> Option<String> {
    if text.trim().is_empty() {
        if input.required {
            f.error(Code::RequiredMissing, at(None, None));
        }
        return None;
    }
    let date = crate::inputs::parse_date(text);
    if date.is_none() {
        f.error(Code::DateInvalid, at(Some(text.to_string()), None));
    }
    date
}

/// A cell as text, the way its author sees it.
pub(super) fn value_text(value: &Value) -> String {
    match value {
        Value::Number(n) => workbook::format_number(*n),
        Value::DateTime(s) => s.split('T').next().unwrap_or(s).to_string(),
        other => crate::text::clean(&other.to_text()),
    }
}

/// A score typed leniently: "1.5分", "１．５", " 2 ", "+1", "1.", "-0". Returns the number and
/// whether it needed leniency (then the return says how it was read).
pub fn lenient_score(text: &str) -> Option<(Decimal, bool)> {
    if let Some(d) = parse_decimal(text)
        && text.trim() == text
        && to_halfwidth(text) == text
        && !(d.is_zero() && text.starts_with('-'))
    {
        return Some((d, false));
    }
    let half = to_halfwidth(text);
    let t = half.trim();
    let t = t.strip_suffix('分').unwrap_or(t).trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let t = t.strip_suffix('.').unwrap_or(t);
    parse_decimal(t).map(|d| (if d.is_zero() { Decimal::ZERO } else { d }, true))
}

fn check_score<'s>(
    input: &InputSpec,
    raw: &Value,
    text: &str,
    weight: Decimal,
    f: &mut Findings,
    at: &dyn Fn(Option<String>, Option<String>) -> At<'s>,
) -> Option<Decimal> {
    let value = match raw {
        Value::Empty => None,
        Value::Text(t) if t.trim().is_empty() => None,
        Value::Number(n) => Some(decimal_from_f64(*n)),
        Value::Text(t) => match lenient_score(t) {
            Some((d, coerced)) => {
                if coerced {
                    f.warning(Code::ValueCoerced, at(Some(t.clone()), Some(show(d))));
                }
                Some(Some(d))
            }
            None => Some(None),
        },
        _ => Some(None),
    };
    let value = match value {
        None => {
            if input.required {
                f.error(Code::RequiredMissing, at(None, None));
            }
            return None;
        }
        Some(None) => {
            f.error(Code::NotANumber, at(Some(text.to_string()), None));
            return None;
        }
        Some(Some(d)) => d,
    };
    if value < Decimal::ZERO || value > weight {
        f.error(Code::OutOfRange, at(Some(show(value)), Some(show(weight))));
        return Some(value);
    }
    let decimals = input.decimals.unwrap_or(2);
    if value.normalize().scale() > decimals {
        let rounded = value.round_dp(decimals).normalize();
        f.error(
            Code::BadPrecision,
            at(Some(show(value)), Some(show(rounded))),
        );
    }
    Some(value)
}

pub(super) fn check_text_input<'s>(
    input: &InputSpec,
    text: &str,
    f: &mut Findings,
    at: &dyn Fn(Option<String>, Option<String>) -> At<'s>,
) {
    if text.trim().is_empty() {
        if input.required {
            f.error(Code::RequiredMissing, at(None, None));
        }
        return;
    }
    match input.kind {
        InputKind::Choice => {
            if !input.choices.iter().any(|c| c == text) {
                match input.choices.iter().find(|c| fold(c) == fold(text)) {
                    Some(choice) => f.warning(
                        Code::ValueCoerced,
                        at(Some(text.to_string()), Some(choice.clone())),
                    ),
                    None => f.error(
                        Code::ChoiceInvalid,
                        at(Some(text.to_string()), Some(input.choices.join("、"))),
                    ),
                }
            }
        }
        InputKind::Phone => {
            if !plausible_phone(text) {
                f.error(Code::PhoneInvalid, at(Some(text.to_string()), None));
            }
        }
        InputKind::Text
        | InputKind::Score
        | InputKind::Number
        | InputKind::Percent
        | InputKind::Date
        | InputKind::Computed => {}
    }
    if let Some(max) = input.max_length {
        let count = text.chars().count();
        if count > max as usize {
            let mut a = at(Some(count.to_string()), None);
            a.args.retain(|(k, _)| *k != "max");
            a.args.push(("max", max.to_string()));
            f.error(Code::TextTooLong, a);
        }
    }
}

/// A mobile (11 digits from 1), a landline (7–8 digits, with an area code 0xx(x) or not), a
/// service number, optionally with +86, an extension and the separators people type.
pub fn plausible_phone(text: &str) -> bool {
    let half = to_halfwidth(text);
    // Several numbers separated by 、 / ; are fine if each is.
    let parts: Vec<&str> = half
        .split(['、', '/', ';', '；', ',', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    !parts.is_empty() && parts.iter().all(|p| one_phone(p))
}

fn one_phone(text: &str) -> bool {
    let (main, ext) = match text.find(['转', 'x', 'X']) {
        Some(i) => (&text[..i], Some(&text[i..])),
        None => (text, None),
    };
    if let Some(ext) = ext {
        let digits: String = ext.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() || digits.len() > 6 {
            return false;
        }
    }
    if main
        .chars()
        .any(|c| !(c.is_ascii_digit() || " -()（）+".contains(c)))
    {
        return false;
    }
    let mut digits: String = main.chars().filter(char::is_ascii_digit).collect();
    if main.trim_start().starts_with('+') {
        match digits.strip_prefix("86") {
            Some(rest) => digits = rest.to_string(),
            None => return false,
        }
    }
    let n = digits.len();
    let mobile = n == 11 && digits.starts_with('1');
    let landline_with_area = digits.starts_with('0') && (10..=12).contains(&n);
    let local = !digits.starts_with('0') && (n == 7 || n == 8);
    let service = n == 5 && digits.starts_with('1');
    mobile || landline_with_area || local || service
}

/// The sign-off block: each field found by its label below the items, the value being the first
/// filled cell to the right of the label.
fn signoff(
    ctx: &Context,
    sheet: &Sheet,
    from: u32,
    f: &mut Findings,
) -> IndexMap<String, CellValue> {
    let mut out = IndexMap::new();
    let width = sheet.grid.width().min(200);
    let layout = FillIn::new(&ctx.form, ctx.spec, 0);
    for input in &ctx.spec.signoff {
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
                    .unwrap_or(u32::from(layout.signoff_value_col).max(label_col + 1));
                (row, value_col)
            }
            None => (from, u32::from(layout.signoff_value_col)),
        };
        let text = if found.is_some() {
            value_text(sheet.grid.raw(row, col))
        } else {
            String::new()
        };
        let at = |value: Option<String>, expected: Option<String>| At {
            cell: Some((row, col)),
            key: Some(&input.key),
            value,
            expected,
            ..At::default()
        };
        // Messages about the sign-off name no item.
        let before = f.list.len();
        check_text_input(input, &text, f, &at);
        for finding in &mut f.list[before..] {
            if finding.code == Code::RequiredMissing {
                finding.variant = Some("required_missing_signoff".into());
            }
        }
        out.insert(
            input.key.clone(),
            CellValue {
                cell: a1(row, col),
                text,
            },
        );
    }
    out
}

/// File names mentioned in the evidence inputs: tokens with a file extension.
fn evidence_names(ctx: &Context, ret: &Return) -> Vec<super::EvidenceName> {
    let keys: Vec<&str> = ctx
        .spec
        .inputs
        .iter()
        .filter(|i| i.evidence)
        .map(|i| i.key.as_str())
        .collect();
    let mut names = Vec::new();
    for (id, item) in &ret.items {
        for key in &keys {
            if let Some(v) = item.values.get(*key) {
                for token in v
                    .text
                    .split(|c: char| "\n、,，;；".contains(c))
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                {
                    if looks_like_file_name(token) {
                        names.push(super::EvidenceName {
                            item: id.clone(),
                            key: key.to_string(),
                            name: token.to_string(),
                            cell: v.cell.clone(),
                        });
                    }
                }
            }
        }
    }
    names
}

pub fn looks_like_file_name(token: &str) -> bool {
    match token.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.trim().is_empty()
                && (1..=5).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
                && ext.chars().any(|c| c.is_ascii_alphabetic())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_people_type() {
        for ok in [
            "13800000000",
            "138 0000 0000",
            "0595-22345678",
            "(0595)22345678",
            "22345678",
            "+86 138-0000-0000",
            "0595-22345678转8001",
            "13800000000、0595-22345678",
            "１３８００００００００",
            "12345",
        ] {
            assert!(plausible_phone(ok), "{ok}");
        }
        for bad in [
            "无",
            "138",
            "1380000000000",
            "abc12345678",
            "",
            "0595",
            "+1 2025550100",
        ] {
            assert!(!plausible_phone(bad), "{bad}");
        }
    }

    #[test]
    fn long_texts_are_shown_around_the_change() {
        let base = "一".repeat(60);
        let (a, e) = differing_parts(&format!("{base}（已调整）"), &base);
        assert_eq!(a, format!("…{}（已调整）", "一".repeat(12)));
        assert_eq!(e, format!("…{}", "一".repeat(12)));
        assert_eq!(differing_parts("短", "长"), ("短".into(), "长".into()));
    }

    #[test]
    fn lenient_scores() {
        assert_eq!(lenient_score("1.5"), Some((Decimal::new(15, 1), false)));
        assert_eq!(lenient_score("1.5分"), Some((Decimal::new(15, 1), true)));
        assert_eq!(lenient_score("１．５"), Some((Decimal::new(15, 1), true)));
        assert_eq!(lenient_score(" 2 "), Some((Decimal::new(2, 0), true)));
        assert_eq!(lenient_score("满分"), None);
        assert_eq!(lenient_score("1.5.2"), None);
        assert_eq!(lenient_score("0_1"), None);
        assert_eq!(lenient_score("+1"), Some((Decimal::new(1, 0), true)));
        assert_eq!(lenient_score("1."), Some((Decimal::new(1, 0), true)));
        assert_eq!(lenient_score("-0"), Some((Decimal::ZERO, true)));
        assert_eq!(lenient_score("-1"), Some((Decimal::new(-1, 0), false)));
    }

    #[test]
    fn file_names_in_evidence() {
        assert!(looks_like_file_name("会议纪要.pdf"));
        assert!(looks_like_file_name("照片1.JPG"));
        assert!(!looks_like_file_name("见附件"));
        assert!(!looks_like_file_name("1.5"));
        assert!(!looks_like_file_name("详见第3.2节"));
    }
}
