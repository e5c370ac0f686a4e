//! Writing a department's fill-in workbook: its items with the master columns locked and grey,
//! the input columns white, unlocked and checked as people type, the sign-off block, the
//! 填表说明 sheet and the signed identity. Prefilled values (the demo, feedback rounds) go
//! through the same writer.

use std::collections::HashMap;

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, DocProperties, Format, FormatAlign, FormatBorder, Formula,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use crate::form::Form;
use crate::identity::{FORMAT_VERSION, Identity, IssuedRow, PROP_CAMPAIGN, PROP_DEPARTMENT};
use crate::model::{Item, Master};
use crate::spec::{InputKind, InputSpec, RequiredWhen, Shown, Spec, render};
use crate::text::{parse_decimal, show};
use crate::write::{base_format, height_for, print_setup, run_format, wrapped_lines};

/// Who issues the workbook, and how.
#[derive(Debug, Clone)]
pub struct Issue<'a> {
    pub title: &'a str,
    pub deadline: &'a str,
    pub contact: &'a str,
    /// Sheet protection password; empty for none.
    pub password: &'a str,
    pub campaign_id: &'a str,
    pub secret: &'a str,
    pub round: u32,
    /// RFC 3339 time of issue.
    pub issued_at: &'a str,
}

/// Values to put into input cells: by item id then input key, and the sign-off by key; plus,
/// for feedback, the problems to highlight.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prefill {
    pub items: HashMap<String, HashMap<String, String>>,
    pub signoff: HashMap<String, String>,
    pub marks: Vec<Mark>,
}

/// A problem to show in a feedback workbook: the cell is highlighted and carries the message as
/// a note, and the 问题清单 sheet lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// The item, or `None` for the sign-off block or the workbook as a whole.
    pub item: Option<String>,
    /// An input or sign-off key; `None` marks the item's row (its id cell).
    pub key: Option<String>,
    pub message: String,
}

/// Where each mark lands on the fill-in sheet (0-based row, col), if anywhere.
fn mark_positions(
    marks: &[Mark],
    items: &[&Item],
    layout: &SheetLayout,
) -> Vec<Option<(u32, u16)>> {
    marks
        .iter()
        .map(|mark| match (&mark.item, &mark.key) {
            (Some(id), key) => {
                let index = items.iter().position(|i| &i.id == id)?;
                let row = FIRST_ITEM_ROW + index as u32;
                let col = match key {
                    Some(key) => layout.input_col(key)?,
                    None => layout.shown_col(Shown::ID).unwrap_or(0),
                };
                Some((row, col))
            }
            (None, Some(key)) => layout
                .signoff
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, row)| (*row, layout.signoff_value_col)),
            (None, None) => None,
        })
        .collect()
}

/// The notes of marked cells, several problems of one cell joined.
type Notes = HashMap<(u32, u16), Vec<String>>;

/// The first row of items on the fill-in sheet (0-based): title, subtitle, header above it.
pub const FIRST_ITEM_ROW: u32 = 3;

/// Where things stand on a fill-in sheet: shared by the writer and the return reader.
#[derive(Debug, Clone)]
pub struct SheetLayout {
    pub shown: Vec<Shown>,
    /// Column of each input key.
    pub inputs: Vec<(String, u16)>,
    /// Row of each sign-off key, and the column of its value.
    pub signoff: Vec<(String, u32)>,
    pub signoff_value_col: u16,
    pub item_count: u32,
}

impl SheetLayout {
    pub fn new(form: &Form, spec: &Spec, item_count: usize) -> SheetLayout {
        let shown: Vec<Shown> = form.shown.iter().map(|c| c.shown).collect();
        let inputs = spec
            .inputs
            .iter()
            .enumerate()
            .map(|(i, input)| (input.key.clone(), (shown.len() + i) as u16))
            .collect();
        let item_count = item_count as u32;
        // After the items: the total row, a blank row, the sign-off title, then the fields.
        let first_signoff = FIRST_ITEM_ROW + item_count + 3;
        let signoff = spec
            .signoff
            .iter()
            .enumerate()
            .map(|(i, s)| (s.key.clone(), first_signoff + i as u32))
            .collect();
        SheetLayout {
            shown,
            inputs,
            signoff,
            signoff_value_col: 2,
            item_count,
        }
    }

    pub fn input_col(&self, key: &str) -> Option<u16> {
        self.inputs.iter().find(|(k, _)| k == key).map(|(_, c)| *c)
    }

    pub fn shown_col(&self, shown: Shown) -> Option<u16> {
        self.shown
            .iter()
            .position(|s| *s == shown)
            .map(|c| c as u16)
    }

    pub fn width(&self) -> u16 {
        (self.shown.len() + self.inputs.len()) as u16
    }
}

/// `<title>-<department>.xlsx`, safe on every OS; a title too long for a file name is cut, the
/// department never. Names of a batch are made unique with [`crate::text::unique_file_names`].
pub fn file_name(title: &str, department: &str) -> String {
    crate::text::file_name_keeping(
        "{title}-{department}.xlsx",
        &[("title", title), ("department", department)],
        "title",
    )
}

/// The file names of the workbooks of `departments`, one each and all different.
pub fn file_names(title: &str, departments: &[&str]) -> Vec<String> {
    crate::text::unique_file_names(
        departments
            .iter()
            .map(|d| (d.to_string(), file_name(title, d)))
            .collect(),
    )
}

struct Formats {
    title: Format,
    subtitle: Format,
    header_master: Format,
    header_input: Format,
    locked: Format,
    locked_center: Format,
    input: Format,
    input_center: Format,
    total_label: Format,
    signoff_title: Format,
    required_mark: Format,
    header_run: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = base_format();
        let cell = base.clone().set_border(FormatBorder::Thin);
        let locked = cell.clone().set_background_color("#EDEDED").set_locked();
        let input = cell.clone().set_background_color("#FFFFFF").set_unlocked();
        Formats {
            title: base
                .clone()
                .set_font_size(15)
                .set_bold()
                .set_align(FormatAlign::Center),
            subtitle: base.clone().set_align(FormatAlign::Left),
            header_master: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color("#D9D9D9"),
            header_input: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color("#C6E0B4"),
            locked_center: locked.clone().set_align(FormatAlign::Center),
            locked,
            input_center: input.clone().set_align(FormatAlign::Center),
            input,
            total_label: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Right)
                .set_background_color("#EDEDED"),
            signoff_title: base.clone().set_bold().set_font_size(11),
            required_mark: run_format().set_bold().set_font_color("#C00000"),
            header_run: run_format().set_bold(),
        }
    }
}

/// Truncates to Excel's limit for validation texts.
fn limit(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        text
    } else {
        text.chars().take(max - 1).chain(['…']).collect()
    }
}

fn is_required(input: &InputSpec) -> bool {
    input.required || input.required_when.is_some()
}

/// An input's label; a required input's gets a red `*`.
fn write_label(
    sheet: &mut Worksheet,
    f: &Formats,
    (row, col): (u32, u16),
    input: &InputSpec,
    format: &Format,
) -> Result<(), XlsxError> {
    if is_required(input) {
        let runs = [
            (&f.header_run, input.label.as_str()),
            (&f.required_mark, "*"),
        ];
        sheet.write_rich_string_with_format(row, col, &runs, format)?;
    } else {
        sheet.write_string_with_format(row, col, &input.label, format)?;
    }
    Ok(())
}

/// Writes the fill-in workbook for `department`.
pub fn write_template(
    master: &Master,
    form: &Form,
    department: &str,
    spec: &Spec,
    issue: &Issue,
    prefill: Option<&Prefill>,
) -> Result<Vec<u8>, XlsxError> {
    let items: Vec<&Item> = master.items_of(department).collect();
    let layout = SheetLayout::new(form, spec, items.len());
    let formats = Formats::new();
    let weight_total: Decimal = items.iter().filter_map(|i| i.weight).sum();
    let deadline = if issue.deadline.trim().is_empty() {
        spec.template.no_deadline.as_str()
    } else {
        issue.deadline
    };
    let contact = if issue.contact.trim().is_empty() {
        spec.instructions.no_contact.as_str()
    } else {
        issue.contact
    };
    let count = items.len().to_string();
    let weight_text = show(weight_total);
    let args: Vec<(&str, &str)> = vec![
        ("title", issue.title),
        ("department", department),
        ("deadline", deadline),
        ("contact", contact),
        ("count", &count),
        ("weight", &weight_text),
        ("sheet", &spec.template.sheet),
    ];

    let mut book = Workbook::new();
    // Small workbooks by the thousand: fast compression matters more than the last kilobyte.
    book.set_zip_compression_level(1);
    book.set_properties(
        &DocProperties::new()
            .set_title(issue.title)
            .set_subject(department)
            .set_custom_property(PROP_CAMPAIGN, issue.campaign_id)
            .set_custom_property(PROP_DEPARTMENT, department),
    );

    let marks = prefill.map_or(&[][..], |p| p.marks.as_slice());
    let positions = mark_positions(marks, &items, &layout);
    let mut notes: Notes = HashMap::new();
    for (mark, position) in marks.iter().zip(&positions) {
        if let Some(position) = position {
            notes
                .entry(*position)
                .or_default()
                .push(mark.message.clone());
        }
    }

    let sheet = book.add_worksheet();
    sheet.set_name(&spec.template.sheet)?;
    let page = Page {
        form,
        spec,
        layout: &layout,
        items: &items,
        department,
    };
    fill_sheet(sheet, &formats, &page, &args, prefill, &notes)?;
    protect(sheet, issue.password);

    if !marks.is_empty() {
        let problems = book.add_worksheet();
        problems.set_name(spec.word("feedback.sheet"))?;
        write_problems(problems, &formats, spec, marks, &positions)?;
        protect(problems, issue.password);
    }

    let instructions = book.add_worksheet();
    instructions.set_name(&spec.template.instructions_sheet)?;
    write_instructions(instructions, &formats, spec, &args)?;
    protect(instructions, issue.password);

    let rows: Vec<IssuedRow> = items
        .iter()
        .enumerate()
        .map(|(i, item)| IssuedRow {
            item: item.id.clone(),
            row: FIRST_ITEM_ROW + i as u32 + 1,
            hash: form.row_hash(item, department),
        })
        .collect();
    let mut identity = Identity {
        version: FORMAT_VERSION,
        campaign: issue.campaign_id.to_string(),
        fingerprint: crate::identity::rows_fingerprint(
            rows.iter().map(|r| (r.item.as_str(), r.hash.as_str())),
        ),
        department: department.to_string(),
        round: issue.round,
        issued_at: issue.issued_at.to_string(),
        sheet: spec.template.sheet.clone(),
        rows,
        signature: String::new(),
    };
    identity.sign(issue.secret);
    identity.write(&mut book)?;
    book.save_to_buffer()
}

fn protect(sheet: &mut Worksheet, password: &str) {
    let options = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    };
    if password.is_empty() {
        sheet.protect();
    } else {
        sheet.protect_with_password(password);
    }
    sheet.protect_with_options(&options);
}

/// What a fill-in sheet is made of.
struct Page<'p> {
    form: &'p Form,
    spec: &'p Spec,
    layout: &'p SheetLayout,
    items: &'p [&'p Item],
    department: &'p str,
}

fn fill_sheet(
    sheet: &mut Worksheet,
    f: &Formats,
    page: &Page,
    args: &[(&str, &str)],
    prefill: Option<&Prefill>,
    notes: &Notes,
) -> Result<(), XlsxError> {
    let Page {
        form,
        spec,
        layout,
        items,
        department,
    } = *page;
    let last_col = layout.width() - 1;
    let author = spec.word("feedback.note_author");
    let truncated = spec.word("feedback.truncated");
    // A marked cell: highlighted, with its problems as a note.
    let marked = |sheet: &mut Worksheet,
                  (row, col): (u32, u16),
                  format: &Format|
     -> Result<Format, XlsxError> {
        match notes.get(&(row, col)) {
            Some(messages) => {
                let text = messages.join("\n");
                let lines = wrapped_lines(&text, 40.0);
                let note = rust_xlsxwriter::Note::new(text)
                    .set_author(&author)
                    .add_author_prefix(false)
                    .set_width(320)
                    .set_height(20 + 18 * lines.min(20))
                    // A few problems show at once; many would cover the sheet (问题清单 lists all).
                    .set_visible(notes.len() <= 8);
                sheet.insert_note(row, col, &note)?;
                Ok(format
                    .clone()
                    .set_background_color("#FFEB9C")
                    .set_border(FormatBorder::Medium)
                    .set_border_color("#C00000"))
            }
            None => Ok(format.clone()),
        }
    };
    let mut widths: Vec<f64> = form.shown.iter().map(|c| c.width).collect();
    widths.extend(spec.inputs.iter().map(|i| i.width.unwrap_or(12.0)));
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }

    sheet.merge_range(
        0,
        0,
        0,
        last_col,
        &render(&spec.template.title, args),
        &f.title,
    )?;
    sheet.set_row_height(0, 30)?;
    sheet.merge_range(
        1,
        0,
        1,
        last_col,
        &render(&spec.template.subtitle, args),
        &f.subtitle,
    )?;
    sheet.set_row_height(1, 20)?;

    // Header: master columns grey, input columns green, required inputs marked with a red *.
    let header_row = FIRST_ITEM_ROW - 1;
    for (col, column) in form.shown.iter().enumerate() {
        sheet.write_string_with_format(header_row, col as u16, &column.label, &f.header_master)?;
    }
    for (input, (_, col)) in spec.inputs.iter().zip(&layout.inputs) {
        write_label(sheet, f, (header_row, *col), input, &f.header_input)?;
    }
    sheet.set_row_height(header_row, 30)?;

    let score_key = &spec.score_input().key;
    let score_col = layout.input_col(score_key).unwrap_or(0);
    for (i, item) in items.iter().enumerate() {
        let row = FIRST_ITEM_ROW + i as u32;
        let mut lines = 1;
        for (col, column) in form.shown.iter().enumerate() {
            let text = form.cell(column, item, department);
            let format = match column.shown {
                Shown::Column(role) if role.is_text() => &f.locked,
                _ => &f.locked_center,
            };
            let format = &marked(sheet, (row, col as u16), format)?;
            if column.shown == Shown::WEIGHT {
                match item.weight.and_then(|w| w.to_string().parse::<f64>().ok()) {
                    Some(w) => sheet.write_number_with_format(row, col as u16, w, format)?,
                    None => sheet.write_string_with_format(row, col as u16, &text, format)?,
                };
            } else {
                sheet.write_string_with_format(row, col as u16, &text, format)?;
            }
            lines = lines.max(wrapped_lines(&text, widths[col]));
        }
        let values = prefill.and_then(|p| p.items.get(&item.id));
        for (input, (key, col)) in spec.inputs.iter().zip(&layout.inputs) {
            let format = match input.kind {
                InputKind::Choice | InputKind::Score => &f.input_center,
                _ => &f.input,
            };
            let format = &marked(sheet, (row, *col), format)?;
            let value = values
                .and_then(|v| v.get(key))
                .map(|v| crate::write::cell_text(v, &truncated))
                .unwrap_or_default();
            let value = value.as_ref();
            match (
                input.kind,
                parse_decimal(value).and_then(|d| d.to_string().parse::<f64>().ok()),
            ) {
                (InputKind::Score, Some(n)) => {
                    sheet.write_number_with_format(row, *col, n, format)?
                }
                _ if value.is_empty() => sheet.write_blank(row, *col, format)?,
                _ => sheet.write_string_with_format(row, *col, value, format)?,
            };
            lines = lines.max(wrapped_lines(value, widths[*col as usize]));
            add_validation(sheet, spec, input, row, *col, item)?;
        }
        sheet.set_row_height(row, height_for(lines.max(2)))?;
    }

    // Total row: weights and the score total, a formula with its value cached.
    let total_row = FIRST_ITEM_ROW + items.len() as u32;
    let weight_col = layout.shown_col(Shown::WEIGHT);
    let label_end = weight_col.unwrap_or(1).saturating_sub(1);
    if label_end > 0 {
        sheet.merge_range(
            total_row,
            0,
            total_row,
            label_end,
            &spec.template.score_total,
            &f.total_label,
        )?;
    } else {
        sheet.write_string_with_format(total_row, 0, &spec.template.score_total, &f.total_label)?;
    }
    if let Some(col) = weight_col {
        let total: Decimal = items.iter().filter_map(|i| i.weight).sum();
        sheet.write_number_with_format(
            total_row,
            col,
            total.to_string().parse::<f64>().unwrap_or(0.0),
            &f.locked_center,
        )?;
    }
    if !items.is_empty() {
        let cached: Decimal = items
            .iter()
            .filter_map(|i| {
                prefill?
                    .items
                    .get(&i.id)?
                    .get(score_key)
                    .and_then(|v| parse_decimal(v))
            })
            .sum();
        let range = format!(
            "=SUM({}:{})",
            crate::finding::a1(FIRST_ITEM_ROW, score_col as u32),
            crate::finding::a1(total_row - 1, score_col as u32)
        );
        sheet.write_formula_with_format(
            total_row,
            score_col,
            Formula::new(range).set_result(show(cached)),
            &f.locked_center,
        )?;
    }

    // Sign-off block.
    let signoff_title_row = total_row + 2;
    if !spec.signoff.is_empty() {
        sheet.write_string_with_format(
            signoff_title_row,
            0,
            &spec.template.signoff_title,
            &f.signoff_title,
        )?;
    }
    let value_col = layout.signoff_value_col;
    let value_end = (value_col + 2).min(last_col.max(value_col));
    for (input, (key, row)) in spec.signoff.iter().zip(&layout.signoff) {
        if value_col > 1 {
            sheet.merge_range(*row, 0, *row, value_col - 1, "", &f.total_label)?;
        }
        write_label(sheet, f, (*row, 0), input, &f.total_label)?;
        let value = prefill
            .and_then(|p| p.signoff.get(key))
            .map(|v| crate::write::cell_text(v, &truncated))
            .unwrap_or_default();
        let value = value.as_ref();
        let format = marked(sheet, (*row, value_col), &f.input)?;
        if value_end > value_col {
            sheet.merge_range(*row, value_col, *row, value_end, value, &format)?;
        } else {
            sheet.write_string_with_format(*row, value_col, value, &format)?;
        }
        if let Some(max) = input.max_length {
            let dv = DataValidation::new()
                .allow_text_length(DataValidationRule::LessThanOrEqualTo(max))
                .set_error_title(&spec.validation.error_title)?
                .set_error_message(limit(
                    render(
                        &spec.validation.text_error,
                        &[("label", &input.label), ("max", &max.to_string())],
                    ),
                    255,
                ))?;
            sheet.add_data_validation(*row, value_col, *row, value_col, &dv)?;
        }
        sheet.set_row_height(*row, 22)?;
    }

    sheet.set_freeze_panes(FIRST_ITEM_ROW, 0)?;
    print_setup(sheet, Some((header_row, header_row)), &spec.template.footer)?;
    sheet.set_selection(
        FIRST_ITEM_ROW,
        layout.inputs.first().map_or(0, |(_, c)| *c),
        FIRST_ITEM_ROW,
        layout.inputs.first().map_or(0, |(_, c)| *c),
    )?;
    Ok(())
}

/// The in-cell check of one input cell, from the same spec the validator uses.
fn add_validation(
    sheet: &mut Worksheet,
    spec: &Spec,
    input: &InputSpec,
    row: u32,
    col: u16,
    item: &Item,
) -> Result<(), XlsxError> {
    let v = &spec.validation;
    let dv = match input.kind {
        InputKind::Choice => {
            let choices = input.choices.join("、");
            DataValidation::new()
                .allow_list_strings(&input.choices)?
                .set_input_title(&v.choice_title)?
                .set_input_message(limit(
                    render(&v.choice_prompt, &[("label", &input.label)]),
                    255,
                ))?
                .set_error_title(&v.error_title)?
                .set_error_message(limit(
                    render(&v.choice_error, &[("choices", &choices)]),
                    255,
                ))?
        }
        InputKind::Score => {
            let max = item.weight.unwrap_or_default();
            let max_text = show(max);
            let decimals = input.decimals.unwrap_or(2).to_string();
            let args = [("max", max_text.as_str()), ("decimals", decimals.as_str())];
            DataValidation::new()
                .allow_decimal_number(DataValidationRule::Between(
                    0.0,
                    max.to_string().parse::<f64>().unwrap_or(0.0),
                ))
                .set_input_title(&v.score_title)?
                .set_input_message(limit(render(&v.score_prompt, &args), 255))?
                .set_error_title(&v.error_title)?
                .set_error_message(limit(render(&v.score_error, &args), 255))?
        }
        InputKind::Text | InputKind::Phone => match input.max_length {
            Some(max) => DataValidation::new()
                .allow_text_length(DataValidationRule::LessThanOrEqualTo(max))
                .set_error_title(&v.error_title)?
                .set_error_message(limit(
                    render(
                        &v.text_error,
                        &[("label", &input.label), ("max", &max.to_string())],
                    ),
                    255,
                ))?,
            None => return Ok(()),
        },
    };
    sheet.add_data_validation(row, col, row, col, &dv)?;
    Ok(())
}

/// The 问题清单 sheet of a feedback workbook: every problem, where it is, what to do.
fn write_problems(
    sheet: &mut Worksheet,
    f: &Formats,
    spec: &Spec,
    marks: &[Mark],
    positions: &[Option<(u32, u16)>],
) -> Result<(), XlsxError> {
    let count = marks.len().to_string();
    let heading = render(
        &spec.word("feedback.heading"),
        &[("sheet", &spec.template.sheet), ("count", &count)],
    );
    sheet.merge_range(0, 0, 0, 3, &heading, &f.title.clone().set_font_size(13))?;
    sheet.set_row_height(0, 30)?;
    let widths = [6.0, 12.0, 10.0, 90.0];
    let labels = [
        "feedback.col.no",
        "feedback.col.place",
        "feedback.col.item",
        "feedback.col.problem",
    ];
    for (col, (width, label)) in widths.iter().zip(labels).enumerate() {
        sheet.set_column_width(col as u16, *width)?;
        sheet.write_string_with_format(1, col as u16, spec.word(label), &f.header_master)?;
    }
    for (i, (mark, position)) in marks.iter().zip(positions).enumerate() {
        let row = 2 + i as u32;
        let place = position
            .map(|(r, c)| {
                format!(
                    "{}!{}",
                    spec.template.sheet,
                    crate::finding::a1(r, u32::from(c))
                )
            })
            .unwrap_or_default();
        sheet.write_number_with_format(row, 0, (i + 1) as f64, &f.locked_center)?;
        sheet.write_string_with_format(row, 1, &place, &f.locked_center)?;
        sheet.write_string_with_format(
            row,
            2,
            mark.item.as_deref().unwrap_or(""),
            &f.locked_center,
        )?;
        sheet.write_string_with_format(row, 3, &mark.message, &f.locked)?;
        sheet.set_row_height(row, height_for(wrapped_lines(&mark.message, 90.0)))?;
    }
    sheet.set_freeze_panes(2, 0)?;
    print_setup(sheet, Some((1, 1)), &spec.template.footer)?;
    Ok(())
}

fn write_instructions(
    sheet: &mut Worksheet,
    f: &Formats,
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
    // (marker, text, is a heading)
    let mut entries: Vec<(String, String, bool)> = spec
        .instructions
        .lines
        .iter()
        .enumerate()
        .map(|(i, template)| (format!("{}.", i + 1), render(template, args), false))
        .collect();
    entries.push((String::new(), String::new(), false));
    entries.push((String::new(), spec.instructions.rules_heading.clone(), true));
    let rules = &spec.instructions.rules;
    for input in spec.inputs.iter().chain(&spec.signoff) {
        let max = input.max_length.map(|m| m.to_string()).unwrap_or_default();
        let decimals = input.decimals.unwrap_or(2).to_string();
        let choices = input.choices.join("、");
        let rule_args = [
            ("label", input.label.as_str()),
            ("max", max.as_str()),
            ("decimals", decimals.as_str()),
            ("choices", choices.as_str()),
        ];
        let mut content = match input.kind {
            InputKind::Choice => render(&rules.choice, &rule_args),
            InputKind::Score => render(&rules.score, &rule_args),
            InputKind::Phone => render(&rules.phone, &rule_args),
            InputKind::Text if input.max_length.is_none() => format!("{}：", input.label),
            InputKind::Text => render(&rules.text, &rule_args),
        };
        if input.required {
            content.push_str(&rules.required);
        } else if input.required_when == Some(RequiredWhen::ScoreBelowWeight) {
            content.push_str(&rules.required_when_score_below_weight);
        }
        entries.push(("•".into(), content, false));
    }
    for (i, (marker, content, heading)) in entries.iter().enumerate() {
        let row = 2 + i as u32;
        sheet.write_string_with_format(row, 0, marker, &text)?;
        let format = if *heading { &f.signoff_title } else { &text };
        sheet.write_string_with_format(row, 1, content, format)?;
        sheet.set_row_height(row, height_for(wrapped_lines(content, 100.0)))?;
    }
    print_setup(sheet, None, &spec.template.footer)?;
    sheet.set_portrait();
    Ok(())
}
