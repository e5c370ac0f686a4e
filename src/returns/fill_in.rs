//! Reading a department's fill-in workbook (identity kind `return`), laid out by
//! [`crate::form::fill_in`]: whether it is out of date, where its sheet, columns and item rows
//! are (found by label and id, [`super::locate`]), whether its locked cells are as issued, every
//! input and the sign-off by the spec's rules ([`super::rules`]), whom the sign-off names, and
//! the evidence files its inputs name.

use std::collections::HashMap;

use indexmap::IndexMap;
use rust_decimal::Decimal;

use crate::cell_text::{parse_decimal, show};
use crate::finding::Code;
use crate::form::fill_in::{self, FillIn};
use crate::identity::Identity;
use crate::model::Item;
use crate::spec::{InputKind, Shown};
use crate::workbook::a1;
use crate::workbook::{self, Sheet};

use super::cells::{
    cell_text, has_content, id_key, locked_text, locked_texts, same_text, value_text,
};
use super::findings::{At, Findings};
use super::locate::{self, Header};
use super::rules::{check_date, check_number, check_score, check_text_input, locked_changed};
use super::signoff::{self, Naming};
use super::{CellValue, Context, EvidenceName, ItemReturn, Return, Status};

/// Reads a fill-in workbook whose identity verified: its items, sign-off and evidence names
/// into `ret`, its findings into `f`; the status it comes to.
pub(super) fn read(
    ctx: &Context,
    book: &workbook::Workbook,
    identity: &Identity,
    ret: &mut Return,
    f: &mut Findings,
) -> Status {
    ret.department = Some(identity.department.clone());
    ret.round = Some(identity.round);
    ret.issued_at = Some(identity.issued_at.clone());
    let department = identity.department.as_str();
    let stale = match stale_reason(ctx, identity) {
        Some(at) => {
            f.error(Code::StaleTemplate, at);
            true
        }
        None => false,
    };
    locate::hidden_forms(book, |s| header_row(ctx, s), f);
    let Some((sheet, header)) = locate::find_sheet(book, &identity.sheet, |s| header_row(ctx, s))
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
    let columns = columns(ctx, sheet, Header::new(sheet, header), f);
    // Only items the current master has are read: the workbook of an older master is stale.
    let items: Vec<&Item> = identity
        .rows
        .iter()
        .filter_map(|r| ctx.master.item(&r.item))
        .collect();
    let area = item_rows(ctx, sheet, &columns, identity, f);
    if !stale {
        locked_rows(ctx, sheet, &columns, identity, &items, &area, f);
    }
    for item in &items {
        if let Some(&row) = area.rows.get(item.id.as_str()) {
            let values = inputs(ctx, sheet, &columns, item, row, f);
            ret.items.insert(item.id.clone(), values);
        }
    }
    ret.signoff = signoff::read(
        sheet,
        area.end,
        &ctx.spec.signoff,
        fill_in::SIGNOFF_VALUE_COL,
        &Naming::Key,
        f,
    );
    // Whom the sign-off names: another department's seal or person makes the return invalid.
    f.list.extend(super::stamp::signoff_findings(
        ctx.roster(),
        department,
        &ret.signoff,
        &f.file,
        f.sheet.as_deref(),
    ));
    ret.evidence_names = evidence_names(ctx, ret);
    f.status()
}

/// The row of a fill-in sheet's header (one with the id's and the first input's labels) among
/// its first rows: a row a person sees, never a hidden copy above it.
fn header_row(ctx: &Context, sheet: &Sheet) -> Option<u32> {
    let labels = fill_in::header_labels(&ctx.form, ctx.spec)?;
    locate::header_row(sheet, &labels)
}

/// Why a workbook is out of date, if it is: its department's items changed in the master since
/// it was issued (naming them), the department no longer has items, or a later round began.
fn stale_reason<'i>(ctx: &Context, identity: &'i Identity) -> Option<At<'i>> {
    let department = identity.department.as_str();
    let current = fill_in::item_hashes(&ctx.form, ctx.master.items_of(department), department);
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
    if fill_in::fingerprint(&current) != identity.fingerprint {
        let changed = changed_items(&current, identity);
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

/// The items whose hash differs from the issued one, then the issued items now gone.
fn changed_items<'a>(current: &[(&'a str, String)], identity: &'a Identity) -> Vec<&'a str> {
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
    changed
}

/// Where the master columns and inputs stand on the sheet as returned, found by header label
/// (columns may have been moved or inserted) and falling back to the issued positions.
struct Columns {
    header_row: u32,
    /// Each shown column of the form (by its index there) and where it stands.
    shown: Vec<(usize, u32)>,
    inputs: Vec<(String, u32)>,
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

/// The columns of the sheet: an input column that cannot be read as issued is a finding, and
/// is not read.
fn columns(ctx: &Context, sheet: &Sheet, header: Header, f: &mut Findings) -> Columns {
    let layout = FillIn::new(&ctx.form, ctx.spec, 0);
    let shown = ctx
        .form
        .shown
        .iter()
        .enumerate()
        .map(|(i, column)| (i, header.col_or(&column.label, i as u32)))
        .collect();
    let mut inputs = Vec::new();
    for (input, (key, issued)) in ctx.spec.inputs.iter().zip(&layout.inputs) {
        match header.input_col(sheet, &input.label, u32::from(*issued)) {
            Ok(col) => inputs.push((key.clone(), col)),
            Err(problem) => locate::column_problem(&problem, f),
        }
    }
    Columns {
        header_row: header.row,
        shown,
        inputs,
    }
}

/// The item rows found by id, and the first row after them.
struct Area {
    rows: HashMap<String, u32>,
    end: u32,
}

/// The item rows, by their id: a row twice, a hidden row, a row of no issued item and an issued
/// item with no row are findings.
fn item_rows(
    ctx: &Context,
    sheet: &Sheet,
    columns: &Columns,
    identity: &Identity,
    f: &mut Findings,
) -> Area {
    let id_col = columns.shown_col(&ctx.form, Shown::ID).unwrap_or(0);
    let width = sheet.grid.width().min(200);
    let first = columns.header_row + 1;
    let end = locate::table_end(sheet, first, &fill_in::below_items_labels(ctx.spec));
    let mut rows: HashMap<String, u32> = HashMap::new();
    for row in first..end {
        let id = id_key(sheet, row, id_col);
        let Some(issued) = identity.rows.iter().find(|r| r.item == id) else {
            if has_content(sheet, row, width) {
                f.error(
                    Code::ItemUnexpected,
                    At {
                        cell: Some((row, id_col)),
                        value: Some(cell_text(sheet, row, id_col)),
                        args: vec![("row", (row + 1).to_string())],
                        ..At::default()
                    },
                );
            }
            continue;
        };
        let issued_id = issued.item.as_str();
        let at = |expected: Option<String>, args| At {
            cell: Some((row, id_col)),
            item: Some(issued_id),
            expected,
            args,
            ..At::default()
        };
        if let Some(&first_row) = rows.get(issued_id) {
            f.error(
                Code::ItemDuplicated,
                at(Some(a1(first_row, id_col)), Vec::new()),
            );
            continue;
        }
        rows.insert(issued_id.to_string(), row);
        if sheet.is_row_hidden(row) {
            f.warning(
                Code::ItemHidden,
                at(None, vec![("row", (row + 1).to_string())]),
            );
        }
    }
    for issued in &identity.rows {
        if !rows.contains_key(issued.item.as_str()) {
            let at = At {
                item: Some(&issued.item),
                ..At::default()
            };
            f.error(Code::ItemMissing, at);
        }
    }
    Area { rows, end }
}

/// The locked cells of every item row found: as issued (the row's hash), else each cell
/// compared.
fn locked_rows(
    ctx: &Context,
    sheet: &Sheet,
    columns: &Columns,
    identity: &Identity,
    items: &[&Item],
    area: &Area,
    f: &mut Findings,
) {
    let issued_hash: HashMap<&str, &str> = identity
        .rows
        .iter()
        .map(|r| (r.item.as_str(), r.hash.as_str()))
        .collect();
    for item in items {
        let Some(&row) = area.rows.get(item.id.as_str()) else {
            continue;
        };
        // Fast path: the row's locked cells hash as issued.
        let texts = locked_texts(sheet, row, columns.shown.iter().map(|&(_, col)| col));
        if issued_hash.get(item.id.as_str()) == Some(&crate::digest::row_hash(&texts).as_str()) {
            continue;
        }
        locked_cells(ctx, sheet, columns, item, &identity.department, row, f);
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
            let at = At {
                cell: Some((row, col)),
                item: Some(&item.id),
                ..At::default()
            };
            locked_changed(f, at, column.label.clone(), actual, expected);
        }
    }
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
    for input in &ctx.spec.inputs {
        // A computed cell is the workbook's own formula: never read, compile computes it.
        if input.kind == InputKind::Computed {
            continue;
        }
        let Some(col) = columns.input_col(&input.key) else {
            continue;
        };
        let (text, read_score) = input_value(ctx, sheet, item, input, (row, col), f);
        if read_score.is_some() {
            score = read_score;
        }
        values.insert(
            input.key.clone(),
            CellValue {
                cell: a1(row, col),
                text,
            },
        );
    }
    required_by_rules(ctx, columns, item, row, &values, score, f);
    ItemReturn { row, values, score }
}

/// One input cell read and checked by its kind: its text as kept, and the score when it is the
/// score input.
fn input_value(
    ctx: &Context,
    sheet: &Sheet,
    item: &Item,
    input: &crate::spec::InputSpec,
    (row, col): (u32, u32),
    f: &mut Findings,
) -> (String, Option<Decimal>) {
    if let Some(formula) = sheet.formulas.get(&(row, col)) {
        // Its cached value is whatever the last program stored: never counted.
        let at = At {
            cell: Some((row, col)),
            item: Some(&item.id),
            value: Some(format!("={formula}")),
            args: vec![("label", input.label.clone())],
            ..At::default()
        };
        f.error(Code::FormulaInInput, at);
        return (String::new(), None);
    }
    let weight = item.weight.unwrap_or_default();
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
    let raw = sheet.grid.raw(row, col);
    let mut text = value_text(raw);
    let mut score = None;
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
    (text, score)
}

/// Inputs required by a rule over the other inputs and the master (扣分原因 when the score is
/// below the weight, 存在问题 when not complete …) and left empty.
fn required_by_rules(
    ctx: &Context,
    columns: &Columns,
    item: &Item,
    row: u32,
    values: &IndexMap<String, CellValue>,
    score: Option<Decimal>,
    f: &mut Findings,
) {
    let weight = item.weight.unwrap_or_default();
    for input in &ctx.spec.inputs {
        let (Some(rule), Some(col)) = (&input.rule, columns.input_col(&input.key)) else {
            continue;
        };
        let empty = values
            .get(&input.key)
            .is_none_or(|v| v.text.trim().is_empty());
        let env = |name: &str| row_value(ctx, item, values, score, name);
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

/// File names mentioned in the evidence inputs: tokens with a file extension.
fn evidence_names(ctx: &Context, ret: &Return) -> Vec<EvidenceName> {
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
                    if super::rules::looks_like_file_name(token) {
                        names.push(EvidenceName {
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
