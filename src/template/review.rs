//! The assessment group's review workbook (`tianbao review`): sheet **核定表**, one row per item
//! and department with the master's columns, the department and what it returned (its
//! 自评得分, 完成情况, 扣分原因, 佐证材料 and the evidence files found beside the return) grey and
//! locked, then the reviewer's inputs 核定得分 (empty: as self-scored) and 核定说明; the
//! sign-off block (审核人, 审核日期) below; sheet **加减分** with empty rows of 部门, 类别, 分值,
//! 依据; a 填表说明; and the signed identity of kind `review`, which carries the department's
//! texts each row showed. The workbook is laid out by [`crate::form::review`], which the return
//! checker reads it back by.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, DocProperties, Format, FormatAlign, Formula, Note,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use super::print;
use crate::cell_text::render;
use crate::cell_text::{parse_decimal, show};
use crate::form::Form;
use crate::form::review::{
    self, ADJUST_FIRST_ROW, FIRST_ROW, LISTS_SHEET, Review, labels, master_fingerprint,
};
use crate::identity::{FORMAT_VERSION, Identity, IssuedRow, PROP_CAMPAIGN, PROP_KIND};
use crate::model::{Item, Role};
use crate::spec::{InputKind, Shown, Spec};
use crate::workbook::a1;
use crate::write::{base_format, height_for, print_setup, wrapped_lines};

/// One row of the review sheet: an item of a department and what the department returned for
/// it, as the sheet shows it (the texts of the shown inputs, then the evidence files found).
#[derive(Debug, Clone)]
pub struct ReviewRow<'a> {
    pub item: &'a Item,
    pub department: &'a str,
    pub values: Vec<String>,
    /// The 自评得分 shown, when the department's valid return gave one.
    pub self_score: Option<Decimal>,
}

/// The caps of the 加减分 categories in words: `加分 5 分、业务扣分 10 分`.
pub fn caps_text(spec: &Spec) -> String {
    spec.review
        .categories
        .iter()
        .map(|c| match c.cap {
            Some(cap) => render(
                &spec.word("review.cap"),
                &[("category", &c.name), ("cap", &show(cap))],
            ),
            None => render(&spec.word("review.cap_none"), &[("category", &c.name)]),
        })
        .collect::<Vec<_>>()
        .join(&spec.word("list.separator"))
}

/// Who issues the review workbook, and when.
#[derive(Debug, Clone)]
pub struct ReviewIssue<'a> {
    pub title: &'a str,
    pub campaign_id: &'a str,
    pub secret: &'a str,
    /// Sheet protection password; empty for none.
    pub password: &'a str,
    pub round: u32,
    /// RFC 3339 time of issue.
    pub issued_at: &'a str,
    /// The date in the subtitle, as people write it.
    pub date: &'a str,
    /// The period it reviews, when the campaign runs in periods: signed, so that a review of
    /// one period never counts in another.
    pub period: Option<&'a str>,
}

/// What an earlier review round entered, to carry into the next: 核定得分 and 核定说明 by (item,
/// department), the 加减分 entries (部门, 类别, 分值, 依据), the sign-off, and the rows whose
/// content changed since (highlighted, with a note).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewPrefill {
    pub scores: HashMap<(String, String), (String, String)>,
    pub adjustments: Vec<[String; 4]>,
    pub signoff: HashMap<String, String>,
    pub changed: HashSet<(String, String)>,
}

/// The fill of a row whose content changed since the earlier round.
const CHANGED_FILL: &str = "#FFEB9C";

/// Writes the review workbook of `rows`.
pub fn write_review(
    form: &Form,
    spec: &Spec,
    rows: &[ReviewRow],
    departments: &[&str],
    issue: &ReviewIssue,
    prefill: &ReviewPrefill,
) -> Result<Vec<u8>, XlsxError> {
    let layout = Review::new(form, spec, rows.len());
    let f = super::Formats::new();
    let owned = review_args(spec, issue, departments.len(), rows.len());
    let args: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(render(&spec.review.title, &args))
            .set_custom_property(PROP_CAMPAIGN, issue.campaign_id)
            .set_custom_property(PROP_KIND, review::KIND.as_str()),
    );

    let sheet = book.add_worksheet();
    sheet.set_name(&spec.review.sheet)?;
    let fitted = print::fit(
        &print_columns(form, spec, &layout),
        print::Orientation::Landscape,
        print::FIT_TO_WIDTH,
    );
    let page = Page {
        f: &f,
        form,
        spec,
        layout: &layout,
        widths: fitted.widths,
    };
    review_sheet(sheet, &page, rows, &args, prefill)?;
    protect(sheet, issue.password, true);

    let sheet = book.add_worksheet();
    sheet.set_name(&spec.review.adjust_sheet)?;
    adjust_sheet(sheet, &f, spec, departments.len(), &args, prefill)?;
    protect(sheet, issue.password, false);

    let sheet = book.add_worksheet();
    sheet.set_name(&spec.review.instructions_sheet)?;
    instructions(sheet, &f, spec, &args)?;
    protect(sheet, issue.password, false);

    lists_sheet(book.add_worksheet(), departments)?;
    let mut identity = identity(form, spec, rows, issue);
    identity.sign(issue.secret);
    identity.write(&mut book)?;
    book.save_to_buffer()
}

/// The texts the review workbook's titles and instructions are rendered with.
fn review_args(
    spec: &Spec,
    issue: &ReviewIssue,
    departments: usize,
    rows: usize,
) -> Vec<(&'static str, String)> {
    vec![
        ("title", issue.title.to_string()),
        ("round", issue.round.to_string()),
        ("departments", departments.to_string()),
        ("rows", rows.to_string()),
        ("date", issue.date.to_string()),
        ("caps", caps_text(spec)),
        ("decimals", spec.review.decimals.to_string()),
        ("sheet", spec.review.sheet.clone()),
        ("adjust_sheet", spec.review.adjust_sheet.clone()),
        ("signoff_title", spec.review.signoff_title.clone()),
    ]
}

/// The hidden sheet of the departments, for the 部门 dropdown of 加减分.
fn lists_sheet(lists: &mut Worksheet, departments: &[&str]) -> Result<(), XlsxError> {
    lists.set_name(LISTS_SHEET)?;
    for (i, department) in departments.iter().enumerate() {
        lists.write_string(i as u32, 0, *department)?;
    }
    lists.protect();
    lists.set_hidden(true);
    Ok(())
}

/// The identity the review workbook carries (unsigned): each row with the department's texts
/// it shows, and the fingerprint of the rows' master content.
fn identity(form: &Form, spec: &Spec, rows: &[ReviewRow], issue: &ReviewIssue) -> Identity {
    let issued: Vec<IssuedRow> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| review::issued_row(form, i, r.item, r.department, &r.values))
        .collect();
    Identity {
        kind: review::KIND,
        version: FORMAT_VERSION,
        campaign: issue.campaign_id.to_string(),
        fingerprint: master_fingerprint(form, rows.iter().map(|r| (r.item, r.department))),
        department: String::new(),
        round: issue.round,
        period: issue.period.map(str::to_string),
        issued_at: issue.issued_at.to_string(),
        sheet: spec.review.sheet.clone(),
        rows: issued,
        signature: String::new(),
    }
}

fn protect(sheet: &mut Worksheet, password: &str, filter: bool) {
    let options = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        use_autofilter: filter,
        ..ProtectionOptions::default()
    };
    if password.is_empty() {
        sheet.protect();
    } else {
        sheet.protect_with_password(password);
    }
    sheet.protect_with_options(&options);
}

/// The review sheet's columns as the print fitting sees them: long texts may be narrowed.
fn print_columns(form: &Form, spec: &Spec, layout: &Review) -> Vec<print::Column> {
    let mut columns: Vec<print::Column> = form
        .shown
        .iter()
        .map(|c| {
            let min = match c.shown {
                Shown::Column(Role::Task) => 18.0,
                Shown::Column(Role::Indicator | Role::Basis | Role::Text) => 10.0,
                _ => c.width,
            };
            print::Column {
                width: c.width,
                min: min.min(c.width),
                hide_rank: None,
            }
        })
        .collect();
    let fixed = |width: f64| print::Column {
        width,
        min: width,
        hide_rank: None,
    };
    columns.push(fixed(10.0));
    for (key, _) in &layout.inputs {
        let input = spec.inputs.iter().find(|i| &i.key == key);
        columns.push(match input.map(|i| i.kind) {
            Some(InputKind::Score) => fixed(8.0),
            Some(InputKind::Choice) => fixed(9.0),
            _ => {
                let width = input.and_then(|i| i.width).unwrap_or(16.0).min(22.0);
                print::Column {
                    width,
                    min: 10.0f64.min(width),
                    hide_rank: None,
                }
            }
        });
    }
    columns.push(print::Column {
        width: 14.0,
        min: 10.0,
        hide_rank: None,
    });
    columns.push(fixed(9.0));
    columns.push(print::Column {
        width: 24.0,
        min: 14.0,
        hide_rank: None,
    });
    columns
}

/// What the review sheet is written from: the palette, the form of its rows, the spec, where
/// things stand and the fitted column widths.
struct Page<'p> {
    f: &'p super::Formats,
    form: &'p Form,
    spec: &'p Spec,
    layout: &'p Review,
    widths: Vec<f64>,
}

fn review_sheet(
    sheet: &mut Worksheet,
    page: &Page,
    rows: &[ReviewRow],
    args: &[(&str, &str)],
    prefill: &ReviewPrefill,
) -> Result<(), XlsxError> {
    let Page {
        f, spec, layout, ..
    } = *page;
    let last_col = layout.width() - 1;
    for (col, width) in page.widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    let title = render(&spec.review.title, args);
    sheet.merge_range(0, 0, 0, last_col, &title, &f.title)?;
    sheet.set_row_height(0, 30)?;
    let subtitle = render(&spec.review.subtitle, args);
    sheet.merge_range(1, 0, 1, last_col, &subtitle, &f.subtitle)?;
    sheet.set_row_height(1, 20)?;
    let header = FIRST_ROW - 1;
    review_header(sheet, page)?;
    for (i, r) in rows.iter().enumerate() {
        review_row(sheet, page, FIRST_ROW + i as u32, r, prefill)?;
    }
    let end = FIRST_ROW + rows.len() as u32;
    if !rows.is_empty() {
        sheet.autofilter(header, 0, end - 1, last_col)?;
    }
    review_signoff(sheet, page, end + 1, prefill)?;
    sheet.set_freeze_panes(FIRST_ROW, 0)?;
    print_setup(sheet, Some((header, header)), &spec.template.footer)?;
    let last_row = layout.signoff.last().map_or(end, |(_, r)| *r);
    sheet.set_print_area(0, 0, last_row, last_col)?;
    sheet.set_active(true);
    sheet.set_selection(FIRST_ROW, layout.score_col, FIRST_ROW, layout.score_col)?;
    Ok(())
}

/// The header: the master's columns and the department's texts grey, the reviewer's inputs
/// green; 核定说明 with its condition in red, on a line of its own.
fn review_header(sheet: &mut Worksheet, page: &Page) -> Result<(), XlsxError> {
    let Page {
        f,
        form,
        spec,
        layout,
        ref widths,
    } = *page;
    let header = FIRST_ROW - 1;
    let review::Labels {
        department,
        inputs,
        found,
        score,
        note,
    } = labels(spec);
    let mut lines = 2;
    let mut head = |sheet: &mut Worksheet, col: u16, text: &str, format: &Format| {
        lines = lines.max(wrapped_lines(text, widths[col as usize]));
        sheet
            .write_string_with_format(header, col, text, format)
            .map(|_| ())
    };
    for (col, column) in form.shown.iter().enumerate() {
        head(sheet, col as u16, &column.label, &f.header_master)?;
    }
    head(sheet, layout.department_col, &department, &f.header_master)?;
    for ((_, col), label) in layout.inputs.iter().zip(&inputs) {
        head(sheet, *col, label, &f.header_master)?;
    }
    head(sheet, layout.found_col, &found, &f.header_master)?;
    head(sheet, layout.score_col, &score, &f.header_input)?;
    let condition = spec.word("review.note_required");
    sheet.write_rich_string_with_format(
        header,
        layout.note_col,
        &[
            (&f.header_run, note.as_str()),
            (&f.condition_mark, &format!("\n{condition}")),
        ],
        &f.header_input,
    )?;
    lines = lines.max(1 + wrapped_lines(&condition, widths[layout.note_col as usize]));
    sheet.set_row_height(header, height_for(lines))?;
    Ok(())
}

/// How a locked cell of a review row is written: left-aligned (a long text) or centred, and
/// as a number (the weight, the self-score) or a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LockedCell {
    long: bool,
    number: bool,
}

fn locked_cell(page: &Page, col: usize) -> LockedCell {
    let Page {
        form, spec, layout, ..
    } = *page;
    let col16 = col as u16;
    let score_key = spec.score_input().map_or("", |i| i.key.as_str());
    let text_role = form
        .shown
        .get(col)
        .is_some_and(|c| matches!(c.shown, Shown::Column(role) if role.is_text()));
    let long_input = layout
        .inputs
        .iter()
        .find(|(_, c)| *c == col16)
        .and_then(|(k, _)| spec.inputs.iter().find(|i| &i.key == k))
        .is_some_and(|i| i.kind == InputKind::Text);
    let is_weight = form
        .shown
        .get(col)
        .is_some_and(|c| c.shown == Shown::WEIGHT);
    let is_score = layout
        .inputs
        .iter()
        .any(|(k, c)| *c == col16 && k == score_key);
    LockedCell {
        long: text_role || long_input || col16 == layout.found_col,
        number: is_weight || is_score,
    }
}

/// A text as a number of the sheet, when it reads as one.
fn number_of(text: &str) -> Option<f64> {
    parse_decimal(text).and_then(|d| d.to_string().parse::<f64>().ok())
}

/// One row: its locked texts (highlighted when its content changed since the earlier round),
/// then 核定得分 and 核定说明 as entered before, each with its in-cell check.
fn review_row(
    sheet: &mut Worksheet,
    page: &Page,
    row: u32,
    r: &ReviewRow,
    prefill: &ReviewPrefill,
) -> Result<(), XlsxError> {
    let Page {
        f,
        form,
        layout,
        ref widths,
        ..
    } = *page;
    let key = (r.item.id.clone(), r.department.to_string());
    let changed = prefill.changed.contains(&key);
    let fill = |format: &Format| {
        if changed {
            format.clone().set_background_color(CHANGED_FILL)
        } else {
            format.clone()
        }
    };
    let mut lines = 1;
    let texts = review::locked_texts(form, r.item, r.department, &r.values);
    for (col, text) in texts.iter().enumerate() {
        let how = locked_cell(page, col);
        let format = fill(if how.long {
            &f.locked
        } else {
            &f.locked_center
        });
        match number_of(text).filter(|_| how.number) {
            Some(n) => sheet.write_number_with_format(row, col as u16, n, &format)?,
            None => sheet.write_string_with_format(row, col as u16, text, &format)?,
        };
        lines = lines.max(wrapped_lines(text, widths[col]));
    }
    let (score, note) = prefill.scores.get(&key).cloned().unwrap_or_default();
    match number_of(&score) {
        Some(n) => sheet.write_number_with_format(row, layout.score_col, n, &f.input_center)?,
        None if score.is_empty() => sheet.write_blank(row, layout.score_col, &f.input_center)?,
        None => sheet.write_string_with_format(row, layout.score_col, &score, &f.input_center)?,
    };
    if note.is_empty() {
        sheet.write_blank(row, layout.note_col, &f.input)?;
    } else {
        sheet.write_string_with_format(row, layout.note_col, &note, &f.input)?;
    }
    lines = lines.max(wrapped_lines(&note, widths[layout.note_col as usize]));
    if changed {
        changed_note(sheet, page.spec, row, layout.score_col)?;
    }
    row_checks(sheet, page, row, r)?;
    sheet.set_row_height(row, height_for(lines.max(2)))?;
    Ok(())
}

/// The note on a row whose content changed since the earlier round.
fn changed_note(sheet: &mut Worksheet, spec: &Spec, row: u32, col: u16) -> Result<(), XlsxError> {
    let text = spec.word("review.changed_note");
    let note = Note::new(&text)
        .set_author(spec.word("feedback.note_author"))
        .add_author_prefix(false)
        .set_font_name(crate::write::FONT)
        .set_width(280)
        .set_height(20 + 18 * wrapped_lines(&text, 36.0).min(10))
        .set_visible(false);
    sheet.insert_note(row, col, &note)?;
    Ok(())
}

/// The in-cell checks of a row's inputs: 核定得分 from 0 to the item's weight (the self-score
/// in the prompt), 核定说明 of at most its length.
fn row_checks(
    sheet: &mut Worksheet,
    page: &Page,
    row: u32,
    r: &ReviewRow,
) -> Result<(), XlsxError> {
    let Page { spec, layout, .. } = *page;
    let v = &spec.validation;
    let decimals = spec.review.decimals.to_string();
    let max = r.item.weight.unwrap_or_default();
    let max_text = show(max);
    let self_text = r
        .self_score
        .map(show)
        .unwrap_or_else(|| r.values.first().cloned().unwrap_or_default());
    let prompt_args = [
        ("max", max_text.as_str()),
        ("decimals", decimals.as_str()),
        ("self", self_text.as_str()),
    ];
    let dv = DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(
            0.0,
            max.to_string().parse::<f64>().unwrap_or(0.0),
        ))
        .set_input_title(spec.word("review.validation.score_title"))?
        .set_input_message(limit(
            render(&spec.word("review.validation.score_prompt"), &prompt_args),
            255,
        ))?
        .set_error_title(&v.error_title)?
        .set_error_message(limit(
            render(&spec.word("review.validation.score_error"), &prompt_args),
            255,
        ))?;
    sheet.add_data_validation(row, layout.score_col, row, layout.score_col, &dv)?;
    let label = spec.word("review.col.note");
    let dv = text_length_check(spec, &label, spec.review.note_max_length)?;
    sheet.add_data_validation(row, layout.note_col, row, layout.note_col, &dv)?;
    Ok(())
}

/// The in-cell check of a text of at most `max` characters.
fn text_length_check(spec: &Spec, label: &str, max: u32) -> Result<DataValidation, XlsxError> {
    let v = &spec.validation;
    DataValidation::new()
        .allow_text_length(DataValidationRule::LessThanOrEqualTo(max))
        .set_error_title(&v.error_title)?
        .set_error_message(limit(
            render(
                &v.text_error,
                &[("label", label), ("max", &max.to_string())],
            ),
            255,
        ))
}

/// The sign-off block below the rows: its title, then each field's label (a red * where
/// required) and its value, as entered before.
fn review_signoff(
    sheet: &mut Worksheet,
    page: &Page,
    title_row: u32,
    prefill: &ReviewPrefill,
) -> Result<(), XlsxError> {
    let Page {
        f, spec, layout, ..
    } = *page;
    let last_col = layout.width() - 1;
    let value_col = layout.signoff_value_col;
    let value_end = (value_col + 2).min(last_col);
    let title = &spec.review.signoff_title;
    sheet.merge_range(title_row, 0, title_row, value_end, title, &f.signoff_title)?;
    sheet.set_row_height(title_row, 20)?;
    let truncated = spec.word("feedback.truncated");
    for (input, (key, row)) in spec.review.signoff.iter().zip(&layout.signoff) {
        sheet.merge_range(*row, 0, *row, value_col - 1, "", &f.total_label)?;
        if input.required {
            let runs = [
                (&f.header_run, input.label.as_str()),
                (&f.condition_mark, "*"),
            ];
            sheet.write_rich_string_with_format(*row, 0, &runs, &f.total_label)?;
        } else {
            sheet.write_string_with_format(*row, 0, &input.label, &f.total_label)?;
        }
        let value = prefill.signoff.get(key).cloned().unwrap_or_default();
        let value = crate::write::cell_text(&value, &truncated);
        sheet.merge_range(*row, value_col, *row, value_end, &value, &f.input)?;
        if let Some(max) = input.max_length {
            let dv = text_length_check(spec, &input.label, max)?;
            sheet.add_data_validation(*row, value_col, *row, value_col, &dv)?;
        }
        sheet.set_row_height(*row, 22)?;
    }
    Ok(())
}

/// The widths of the 加减分 columns (序号, 部门, 类别, 分值, 依据).
const ADJUST_WIDTHS: [f64; 5] = [6.0, 16.0, 12.0, 9.0, 60.0];

/// The 加减分 sheet: a title, the caps, the header, and empty input rows.
fn adjust_sheet(
    sheet: &mut Worksheet,
    f: &super::Formats,
    spec: &Spec,
    departments: usize,
    args: &[(&str, &str)],
    prefill: &ReviewPrefill,
) -> Result<(), XlsxError> {
    for (col, width) in ADJUST_WIDTHS.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    let title = render(&spec.review.adjust_title, args);
    sheet.merge_range(0, 0, 0, 4, &title, &f.title)?;
    sheet.set_row_height(0, 30)?;
    let subtitle = render(&spec.review.adjust_subtitle, args);
    sheet.merge_range(1, 0, 1, 4, &subtitle, &f.subtitle)?;
    let total: f64 = ADJUST_WIDTHS.iter().sum();
    sheet.set_row_height(1, height_for(wrapped_lines(&subtitle, total)))?;
    let header = ADJUST_FIRST_ROW - 1;
    for (col, label) in review::adjust_labels(spec).iter().enumerate() {
        if col > 0 {
            let runs = [(&f.header_run, label.as_str()), (&f.condition_mark, "*")];
            sheet.write_rich_string_with_format(header, col as u16, &runs, &f.header_input)?;
        } else {
            sheet.write_string_with_format(header, col as u16, label, &f.header_master)?;
        }
    }
    sheet.set_row_height(header, 22)?;
    let count = adjust_rows(spec, prefill);
    adjust_entries(sheet, f, spec, count, prefill)?;
    adjust_checks(sheet, spec, departments, count)?;
    let first = ADJUST_FIRST_ROW;
    sheet.set_freeze_panes(first, 0)?;
    print_setup(sheet, Some((header, header)), &spec.template.footer)?;
    sheet.set_portrait();
    sheet.set_selection(first, 1, first, 1)?;
    Ok(())
}

/// How many numbered rows the 加减分 sheet has: the spec's, and ten more than the entries
/// carried from an earlier round.
fn adjust_rows(spec: &Spec, prefill: &ReviewPrefill) -> u32 {
    let entries = prefill.adjustments.len() as u32;
    spec.review.adjust_rows.max(entries + 10)
}

/// The numbered rows, with the entries of an earlier round in the first.
fn adjust_entries(
    sheet: &mut Worksheet,
    f: &super::Formats,
    spec: &Spec,
    count: u32,
    prefill: &ReviewPrefill,
) -> Result<(), XlsxError> {
    let truncated = spec.word("feedback.truncated");
    for i in 0..count {
        let row = ADJUST_FIRST_ROW + i;
        sheet.write_number_with_format(row, 0, f64::from(i + 1), &f.locked_center)?;
        let values = prefill.adjustments.get(i as usize);
        for col in 1..5u16 {
            let text = values.map(|v| v[col as usize - 1].as_str()).unwrap_or("");
            let format = if col == 4 { &f.input } else { &f.input_center };
            match (col, number_of(text)) {
                (3, Some(n)) => sheet.write_number_with_format(row, col, n, format)?,
                _ if text.is_empty() => sheet.write_blank(row, col, format)?,
                _ => {
                    let text = crate::write::cell_text(text, &truncated);
                    sheet.write_string_with_format(row, col, text.as_ref(), format)?
                }
            };
        }
        let basis = values.map_or("", |v| v[3].as_str());
        let lines = wrapped_lines(basis, ADJUST_WIDTHS[4]).max(1);
        sheet.set_row_height(row, height_for(lines))?;
    }
    Ok(())
}

/// The in-cell checks of the 加减分 rows: 部门 from the departments (on the hidden list
/// sheet), 类别 from the categories, 分值 within the chosen category's cap, 依据's length.
fn adjust_checks(
    sheet: &mut Worksheet,
    spec: &Spec,
    departments: usize,
    count: u32,
) -> Result<(), XlsxError> {
    let v = &spec.validation;
    let (first, last) = (ADJUST_FIRST_ROW, ADJUST_FIRST_ROW + count - 1);
    let list = format!("='{LISTS_SHEET}'!$A$1:$A${}", departments.max(1));
    let dv = DataValidation::new()
        .allow_list_formula(Formula::new(list))
        .set_input_title(spec.word("review.col.department"))?
        .set_input_message(spec.word("review.validation.department_prompt"))?
        .set_error_title(&v.error_title)?
        .set_error_message(spec.word("review.validation.department_error"))?;
    sheet.add_data_validation(first, 1, last, 1, &dv)?;
    let names: Vec<String> = spec
        .review
        .categories
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let choices = names.join(&spec.word("list.separator"));
    let prompt = render(
        &spec.word("review.validation.category_prompt"),
        &[("choices", &choices)],
    );
    let dv = DataValidation::new()
        .allow_list_strings(&names)?
        .set_input_title(spec.word("review.col.category"))?
        .set_input_message(limit(prompt, 255))?
        .set_error_title(&v.error_title)?
        .set_error_message(limit(
            render(&v.choice_error, &[("choices", &choices)]),
            255,
        ))?;
    sheet.add_data_validation(first, 2, last, 2, &dv)?;
    let decimals = spec.review.decimals.to_string();
    let caps = caps_text(spec);
    let prompt_args = [("decimals", decimals.as_str()), ("caps", caps.as_str())];
    let dv = DataValidation::new()
        .allow_custom(Formula::new(points_rule(spec, first)))
        .set_input_title(spec.word("review.col.points"))?
        .set_input_message(limit(
            render(&spec.word("review.validation.points_prompt"), &prompt_args),
            255,
        ))?
        .set_error_title(&v.error_title)?
        .set_error_message(limit(
            render(&spec.word("review.validation.points_error"), &prompt_args),
            255,
        ))?;
    sheet.add_data_validation(first, 3, last, 3, &dv)?;
    let label = spec.word("review.col.basis");
    let dv = text_length_check(spec, &label, spec.review.basis_max_length)?;
    sheet.add_data_validation(first, 4, last, 4, &dv)?;
    Ok(())
}

/// The in-cell rule of 分值 (its first cell at `first`): above 0 and at most the chosen
/// category's cap (the largest cap before one is chosen).
fn points_rule(spec: &Spec, first: u32) -> String {
    let d = a1(first, 3);
    let c = format!("$C{}", first + 1);
    let widest = spec
        .review
        .categories
        .iter()
        .map(|c| c.cap.unwrap_or(Decimal::from(1_000_000)))
        .max()
        .unwrap_or(Decimal::ONE_HUNDRED);
    let mut cap = show(widest);
    for category in spec.review.categories.iter().rev() {
        let limit = category.cap.map_or_else(|| "1000000".to_string(), show);
        cap = format!(
            "IF({c}=\"{}\",{limit},{cap})",
            category.name.replace('"', "\"\"")
        );
    }
    format!("=AND(ISNUMBER({d}),{d}>0,{d}<={cap})")
}

fn instructions(
    sheet: &mut Worksheet,
    f: &super::Formats,
    spec: &Spec,
    args: &[(&str, &str)],
) -> Result<(), XlsxError> {
    let text = base_format().set_font_size(11).set_align(FormatAlign::Top);
    sheet.set_column_width(0, 4)?;
    sheet.set_column_width(1, 100)?;
    sheet.write_string_with_format(
        0,
        1,
        &spec.instructions.heading,
        &f.title.clone().set_align(FormatAlign::Left),
    )?;
    sheet.set_row_height(0, 30)?;
    for (i, line) in spec.review.instructions.iter().enumerate() {
        let row = 2 + i as u32;
        let content = render(line, args);
        sheet.write_string_with_format(row, 0, format!("{}.", i + 1), &text)?;
        sheet.write_string_with_format(row, 1, &content, &text)?;
        sheet.set_row_height(row, height_for(wrapped_lines(&content, 100.0)))?;
    }
    print_setup(sheet, None, &spec.template.footer)?;
    sheet.set_portrait();
    Ok(())
}

/// Truncates to Excel's limit for validation texts.
fn limit(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        text
    } else {
        text.chars().take(max - 1).chain(['…']).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_capped_by_the_chosen_category() {
        let spec = Spec::builtin();
        let rule = points_rule(&spec, ADJUST_FIRST_ROW);
        assert!(rule.starts_with("=AND(ISNUMBER(D4),D4>0,D4<="), "{rule}");
        for category in &spec.review.categories {
            assert!(
                rule.contains(&format!("IF($C4=\"{}\"", category.name)),
                "{rule}"
            );
        }
    }

    #[test]
    fn ten_rows_more_than_the_entries_carried() {
        let spec = Spec::builtin();
        let mut prefill = ReviewPrefill::default();
        assert_eq!(
            adjust_rows(&spec, &prefill),
            spec.review.adjust_rows.max(10)
        );
        prefill.adjustments = vec![Default::default(); 200];
        assert_eq!(adjust_rows(&spec, &prefill), 210);
    }

    #[test]
    fn numbers_and_long_texts_of_a_review_row() {
        assert_eq!(number_of("1.5"), Some(1.5));
        assert_eq!(number_of("未交"), None);
    }
}
