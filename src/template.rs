//! Writing a department's fill-in workbook: its items with the master columns locked and grey,
//! the input columns white, unlocked and checked as people type, the sign-off block, the
//! 填表说明 sheet and the signed identity. Prefilled values (the demo, feedback rounds) go
//! through the same writer. The fill-in sheet prints on A4 landscape at a fixed, legible scale
//! ([`print`]), its header repeated on every page and its sign-off block on one page.

pub mod print;
pub mod review;

use std::collections::HashMap;

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, DocProperties, Format, FormatAlign, FormatBorder, Formula,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use crate::cell_text::render;
use crate::cell_text::{parse_decimal, show};
use crate::form::Form;
use crate::form::feedback::{Notes, mark_positions, notes};
use crate::form::fill_in::{self, FIRST_ITEM_ROW, FillIn, total_rows};
use crate::identity::{FORMAT_VERSION, Identity, PROP_CAMPAIGN, PROP_DEPARTMENT};
use crate::model::{Item, Master};
use crate::spec::{InputKind, InputSpec, Shown, Spec};
use crate::write::{base_format, height_for, print_setup, wrapped_lines};

/// What a feedback workbook adds (defined with the forms; named here for the writer's callers).
pub use crate::form::feedback::{Mark, Prefill};

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
    /// The period it is issued for, when the campaign runs in periods (signed).
    pub period: Option<&'a str>,
    /// RFC 3339 time of issue.
    pub issued_at: &'a str,
}

/// `<title>-<department>.xlsx`, safe on every OS; a title too long for a file name is cut, the
/// department never. Names of a batch are made unique with [`crate::cell_text::unique_file_names`].
pub fn file_name(title: &str, department: &str) -> String {
    crate::cell_text::file_name_keeping(
        "{title}-{department}.xlsx",
        &[("title", title), ("department", department)],
        "title",
    )
}

/// The file names of the workbooks of `departments`, one each and all different.
pub fn file_names(title: &str, departments: &[&str]) -> Vec<String> {
    crate::cell_text::unique_file_names(
        departments
            .iter()
            .map(|d| (d.to_string(), file_name(title, d)))
            .collect(),
    )
}

/// The palette's formats a fill-in or review workbook uses, by the names its writers use.
struct Formats {
    title: Format,
    subtitle: Format,
    header_master: Format,
    header_input: Format,
    locked: Format,
    locked_center: Format,
    input: Format,
    input_center: Format,
    computed: Format,
    computed_percent: Format,
    total_label: Format,
    total_value: Format,
    signoff_title: Format,
    required_mark: Format,
    condition_mark: Format,
    header_run: Format,
}

impl Formats {
    /// The fill-in and review workbooks' formats, from the palette.
    fn new() -> Formats {
        let p = crate::style::palette();
        Formats {
            title: p.title_form.clone(),
            subtitle: p.subtitle.clone(),
            header_master: p.header.clone(),
            header_input: p.header_input.clone(),
            locked: p.locked.clone(),
            locked_center: p.locked_center.clone(),
            input: p.input.clone(),
            input_center: p.input_center.clone(),
            computed: p.computed.clone(),
            computed_percent: p.computed_percent.clone(),
            total_label: p.total_label.clone(),
            total_value: p.total_value.clone(),
            signoff_title: p.signoff_title.clone(),
            required_mark: p.required_mark.clone(),
            condition_mark: p.condition_mark.clone(),
            header_run: p.header_run.clone(),
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

/// What follows an input's label in the header: a red `*` for a required input, the spec's
/// condition (`（扣分时必填）`) for one required only sometimes, nothing otherwise.
fn label_mark(spec: &Spec, input: &InputSpec) -> Option<String> {
    if input.required {
        return Some("*".into());
    }
    input.when_text(spec)
}

/// An input's label as the header shows it, in a column `width` units wide: the mark after
/// it, on a line of its own when the two do not fit one line.
fn label_text(spec: &Spec, input: &InputSpec, width: f64) -> (String, Option<String>) {
    let label = input.label.clone();
    let Some(mark) = label_mark(spec, input) else {
        return (label, None);
    };
    let together = format!("{label}{}", mark.trim_start());
    if mark == "*" || wrapped_lines(&together, width) == 1 {
        (label, Some(mark))
    } else {
        (label, Some(format!("\n{}", mark.trim_start())))
    }
}

/// Writes an input's label with its mark ([`label_text`]).
fn write_label(
    sheet: &mut Worksheet,
    f: &Formats,
    (row, col): (u32, u16),
    (label, mark): &(String, Option<String>),
    format: &Format,
) -> Result<(), XlsxError> {
    match mark {
        Some(mark) => {
            let mark_format = if mark == "*" {
                &f.required_mark
            } else {
                &f.condition_mark
            };
            let runs = [
                (&f.header_run, label.as_str()),
                (mark_format, mark.as_str()),
            ];
            sheet.write_rich_string_with_format(row, col, &runs, format)?;
        }
        None => {
            sheet.write_string_with_format(row, col, label, format)?;
        }
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
    let layout = FillIn::new(form, spec, items.len());
    let formats = Formats::new();
    let owned = sheet_args(spec, issue, department, &items);
    let args: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();

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
    let positions = mark_positions(marks, &items, form, &layout);
    let notes = notes(marks, &positions);

    let sheet = book.add_worksheet();
    sheet.set_name(&spec.template.sheet)?;
    let page = Page {
        master,
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
        problems.set_name(crate::form::feedback::problems_sheet(spec))?;
        write_problems(problems, &formats, spec, marks, &positions)?;
        protect(problems, issue.password);
    }

    let instructions = book.add_worksheet();
    instructions.set_name(&spec.template.instructions_sheet)?;
    write_instructions(instructions, &formats, spec, &args)?;
    protect(instructions, issue.password);

    let mut identity = identity(form, spec, issue, department, &items);
    identity.sign(issue.secret);
    identity.write(&mut book)?;
    book.save_to_buffer()
}

/// The texts a fill-in workbook's title, subtitle and instructions are rendered with: the
/// deadline and contact (or the spec's words for none), the item count and weight total.
fn sheet_args(
    spec: &Spec,
    issue: &Issue,
    department: &str,
    items: &[&Item],
) -> Vec<(&'static str, String)> {
    let weight_total: Decimal = items.iter().filter_map(|i| i.weight).sum();
    let or = |given: &str, none: &str| {
        if given.trim().is_empty() {
            none.to_string()
        } else {
            given.to_string()
        }
    };
    vec![
        ("title", issue.title.to_string()),
        ("department", department.to_string()),
        ("deadline", or(issue.deadline, &spec.template.no_deadline)),
        ("contact", or(issue.contact, &spec.instructions.no_contact)),
        ("count", items.len().to_string()),
        ("weight", show(weight_total)),
        ("sheet", spec.template.sheet.clone()),
    ]
}

/// The identity a department's fill-in workbook carries (unsigned).
fn identity(
    form: &Form,
    spec: &Spec,
    issue: &Issue,
    department: &str,
    items: &[&Item],
) -> Identity {
    let rows = fill_in::issued_rows(form, items, department);
    Identity {
        kind: fill_in::KIND,
        version: FORMAT_VERSION,
        campaign: issue.campaign_id.to_string(),
        fingerprint: crate::identity::rows_fingerprint(
            rows.iter().map(|r| (r.item.as_str(), r.hash.as_str())),
        ),
        department: department.to_string(),
        round: issue.round,
        period: issue.period.map(str::to_string),
        issued_at: issue.issued_at.to_string(),
        sheet: spec.template.sheet.clone(),
        rows,
        signature: String::new(),
    }
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
    master: &'p Master,
    form: &'p Form,
    spec: &'p Spec,
    layout: &'p FillIn,
    items: &'p [&'p Item],
    department: &'p str,
}

/// The fill-in sheet's columns as the print fitting sees them ([`print::fit`]): the long
/// texts (the master's task, indicator, basis and other texts; text inputs wider than 10
/// units) may be made narrower and wrap onto more lines. When even that cannot fit A4
/// landscape at [`print::MIN_SCALE`], master columns a department knows without reading are
/// hidden, in this order: 分管领导 (leaders), 责任人 (persons), 共同责任部门 (shared_with),
/// 本单位职责 (role), 完成时限 (deadline), 项目 (category), 文件依据 (basis). The id, indicator,
/// task, other text and weight columns and every input column always show (a return is read
/// from the input columns, and a hidden one is an error).
fn print_columns(page: &Page) -> Vec<print::Column> {
    use crate::model::Role;
    use crate::write::display_width;
    let Page {
        form,
        spec,
        items,
        department,
        ..
    } = *page;
    let shown = form.shown.iter().map(|c| {
        let min = match c.shown {
            Shown::Column(Role::Task) => 18.0,
            Shown::Column(Role::Indicator | Role::Basis | Role::Text) => 12.0,
            Shown::Column(Role::Category) => 10.0,
            _ => c.width,
        };
        // A text column is no wider than its texts need (one with little in it for this
        // department gives its room to the others); its label may take two lines.
        let width = match c.shown {
            Shown::Column(role) if role.is_text() => {
                let widest = items
                    .iter()
                    .flat_map(|item| {
                        form.cell(c, item, department)
                            .lines()
                            .map(display_width)
                            .collect::<Vec<_>>()
                    })
                    .fold(display_width(&c.label) / 2.0, f64::max);
                c.width.min(widest + 1.5).max(6.0)
            }
            _ => c.width,
        };
        let hide_rank = match c.shown {
            Shown::Column(Role::Leaders) => Some(0),
            Shown::Column(Role::Persons) => Some(1),
            Shown::SharedWith => Some(2),
            Shown::Part => Some(3),
            Shown::Column(Role::Deadline) => Some(4),
            Shown::Column(Role::Category) => Some(5),
            Shown::Column(Role::Basis) => Some(6),
            _ => None,
        };
        print::Column {
            width,
            min: min.min(width),
            hide_rank,
        }
    });
    let inputs = spec.inputs.iter().map(|input| {
        let width = input.width.unwrap_or(12.0);
        // Narrowed no further than its label's mark needs on a line of its own.
        let mark = label_mark(spec, input).map_or(0.0, |m| display_width(m.trim()) + 1.5);
        let min = match input.kind {
            InputKind::Text if width > 10.0 => (width * 0.4).max(10.0).max(mark),
            _ => width,
        };
        print::Column {
            width,
            min: min.min(width),
            hide_rank: None,
        }
    });
    shown.chain(inputs).collect()
}

/// Height of a row left at Excel's default (a blank row), in points.
const DEFAULT_ROW_HEIGHT: f64 = 15.0;

/// Row heights as set, kept to find where pages break.
struct Heights(Vec<f64>);

impl Heights {
    fn set(&mut self, sheet: &mut Worksheet, row: u32, height: f64) -> Result<(), XlsxError> {
        let row_index = row as usize;
        if self.0.len() <= row_index {
            self.0.resize(row_index + 1, DEFAULT_ROW_HEIGHT);
        }
        self.0[row_index] = height;
        sheet.set_row_height(row, height)?;
        Ok(())
    }
}

/// A fill-in sheet being written: the sheet, the palette, what it is made of, the notes of
/// marked cells, the fitted columns and the row heights set so far.
struct Writer<'w, 'p> {
    sheet: &'w mut Worksheet,
    f: &'w Formats,
    page: &'w Page<'p>,
    notes: &'w Notes,
    fitted: print::Fitted,
    heights: Heights,
    author: String,
    truncated: String,
}

impl Writer<'_, '_> {
    /// The format of a cell, highlighted when it is marked; its problems become a note shown
    /// when the cell is pointed at (a red triangle marks it), so that no note covers another or
    /// the cells when the workbook opens; 问题清单 lists them all.
    fn marked(&mut self, (row, col): (u32, u16), format: &Format) -> Result<Format, XlsxError> {
        let Some(messages) = self.notes.get(&(row, col)) else {
            return Ok(format.clone());
        };
        let text = messages.join("\n");
        let lines = wrapped_lines(&text, 40.0);
        let note = rust_xlsxwriter::Note::new(text)
            .set_author(&self.author)
            .add_author_prefix(false)
            .set_font_name(crate::write::FONT)
            .set_width(320)
            .set_height(20 + 18 * lines.min(20))
            .set_visible(false);
        self.sheet.insert_note(row, col, &note)?;
        Ok(format
            .clone()
            .set_background_color("#FFEB9C")
            .set_border(FormatBorder::Medium)
            .set_border_color("#C00000"))
    }

    /// Lines a text takes in its column; none in a hidden column.
    fn lines_in(&self, text: &str, col: usize) -> u32 {
        if self.fitted.hidden[col] {
            1
        } else {
            wrapped_lines(text, self.fitted.widths[col])
        }
    }

    fn height(&mut self, row: u32, height: f64) -> Result<(), XlsxError> {
        self.heights.set(self.sheet, row, height)
    }
}

fn fill_sheet(
    sheet: &mut Worksheet,
    f: &Formats,
    page: &Page,
    args: &[(&str, &str)],
    prefill: Option<&Prefill>,
    notes: &Notes,
) -> Result<(), XlsxError> {
    // A formula without a value (a computed cell whose inputs are empty) shows empty, not 0.
    sheet.set_formula_result_default("");
    let fitted = print::fit(
        &print_columns(page),
        print::Orientation::Landscape,
        print::FIXED_SCALE,
    );
    for (col, width) in fitted.widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
        if fitted.hidden[col] {
            sheet.set_column_hidden(col as u16)?;
        }
    }
    let spec = page.spec;
    let mut w = Writer {
        sheet,
        f,
        page,
        notes,
        fitted,
        heights: Heights(Vec::new()),
        author: spec.word("feedback.note_author"),
        truncated: spec.word("feedback.truncated"),
    };
    titles(&mut w, args)?;
    header(&mut w)?;
    for (i, item) in page.items.iter().enumerate() {
        let values = prefill.and_then(|p| p.items.get(&item.id));
        item_row(&mut w, FillIn::item_row(i), item, values)?;
    }
    let signoff_title_row = totals(&mut w, prefill)?;
    signoff_block(&mut w, signoff_title_row, prefill)?;
    pages(&mut w, signoff_title_row)
}

/// The title and subtitle over the whole width.
fn titles(w: &mut Writer, args: &[(&str, &str)]) -> Result<(), XlsxError> {
    let spec = w.page.spec;
    let last_col = w.page.layout.width() - 1;
    let title = render(&spec.template.title, args);
    w.sheet.merge_range(0, 0, 0, last_col, &title, &w.f.title)?;
    w.height(0, 30.0)?;
    let subtitle = render(&spec.template.subtitle, args);
    w.sheet
        .merge_range(1, 0, 1, last_col, &subtitle, &w.f.subtitle)?;
    w.height(1, 20.0)
}

/// The header: master columns grey, input columns green; required inputs marked with a red *,
/// inputs required only sometimes with the condition (扣分原因（扣分时必填）).
fn header(w: &mut Writer) -> Result<(), XlsxError> {
    let Page {
        form, spec, layout, ..
    } = *w.page;
    let header_row = fill_in::HEADER_ROW;
    let mut header_lines = 2;
    for (col, column) in form.shown.iter().enumerate() {
        w.sheet.write_string_with_format(
            header_row,
            col as u16,
            &column.label,
            &w.f.header_master,
        )?;
        header_lines = header_lines.max(w.lines_in(&column.label, col));
    }
    for (input, (_, col)) in spec.inputs.iter().zip(&layout.inputs) {
        let text = label_text(spec, input, w.fitted.widths[*col as usize]);
        write_label(w.sheet, w.f, (header_row, *col), &text, &w.f.header_input)?;
        let shown = format!("{}{}", text.0, text.1.as_deref().unwrap_or(""));
        header_lines = header_lines.max(w.lines_in(&shown, *col as usize));
    }
    w.height(header_row, height_for(header_lines))
}

/// What an input cell holds as written: a number where the input is numeric and the value
/// reads as one, else its text, or nothing.
#[derive(Debug, Clone, PartialEq)]
enum Written {
    Number(f64),
    Text(String),
    Blank,
}

fn written(value: &str, numeric: bool) -> Written {
    match (
        numeric,
        parse_decimal(value).and_then(|d| d.to_string().parse::<f64>().ok()),
    ) {
        (true, Some(n)) => Written::Number(n),
        _ if value.is_empty() => Written::Blank,
        _ => Written::Text(value.to_string()),
    }
}

/// Whether an input's cell is centred (choices, numbers, dates) rather than left as text.
fn centred(kind: InputKind) -> bool {
    matches!(
        kind,
        InputKind::Choice
            | InputKind::Score
            | InputKind::Number
            | InputKind::Percent
            | InputKind::Date
    )
}

/// One item row: its master cells locked, its inputs (prefilled with `values`) each with its
/// in-cell check, computed cells as formulas.
fn item_row(
    w: &mut Writer,
    row: u32,
    item: &Item,
    values: Option<&HashMap<String, String>>,
) -> Result<(), XlsxError> {
    let Page {
        form,
        spec,
        layout,
        department,
        ..
    } = *w.page;
    let f = w.f;
    let mut lines = 1;
    for (col, column) in form.shown.iter().enumerate() {
        let text = form.cell(column, item, department);
        let format = match column.shown {
            Shown::Column(role) if role.is_text() => &f.locked,
            _ => &f.locked_center,
        };
        let format = &w.marked((row, col as u16), format)?;
        let weight = item.weight.and_then(|w| w.to_string().parse::<f64>().ok());
        match weight.filter(|_| column.shown == Shown::WEIGHT) {
            Some(n) => w
                .sheet
                .write_number_with_format(row, col as u16, n, format)?,
            None => w
                .sheet
                .write_string_with_format(row, col as u16, &text, format)?,
        };
        lines = lines.max(w.lines_in(&text, col));
    }
    for (input, (key, col)) in spec.inputs.iter().zip(&layout.inputs) {
        if input.kind == InputKind::Computed {
            let format = if input.show_as == crate::spec::ShowAs::Percent {
                &f.computed_percent
            } else {
                &f.computed
            };
            computed_cell(w.sheet, w.page, input, (row, *col), values, format)?;
            continue;
        }
        let format = if centred(input.kind) {
            &f.input_center
        } else {
            &f.input
        };
        let format = &w.marked((row, *col), format)?;
        let value = values
            .and_then(|v| v.get(key))
            .map(|v| crate::write::cell_text(v, &w.truncated))
            .unwrap_or_default();
        match written(value.as_ref(), input.kind.is_numeric()) {
            Written::Number(n) => w.sheet.write_number_with_format(row, *col, n, format)?,
            Written::Blank => w.sheet.write_blank(row, *col, format)?,
            Written::Text(t) => w.sheet.write_string_with_format(row, *col, &t, format)?,
        };
        lines = lines.max(w.lines_in(value.as_ref(), *col as usize));
        add_validation(w.sheet, w.page, input, row, *col, item)?;
    }
    w.height(row, height_for(lines.max(2)))
}

/// Totals, each label beside its number: the score total (a formula with its value cached)
/// under the scores, its label over the master columns; then the weight total under the
/// weights. The score total comes first: a return's items end at its label. A spec without
/// a score has no score total. Returns the row of the sign-off title.
fn totals(w: &mut Writer, prefill: Option<&Prefill>) -> Result<u32, XlsxError> {
    let Page {
        spec,
        layout,
        items,
        ..
    } = *w.page;
    let score_key = spec.score_input().map(|i| i.key.as_str());
    let score_col = score_key.and_then(|k| layout.input_col(k));
    let total_row = FIRST_ITEM_ROW + items.len() as u32;
    if let (Some(score_key), Some(score_col)) = (score_key, score_col) {
        score_total(
            w.sheet,
            w.f,
            w.page,
            prefill,
            (total_row, score_col),
            score_key,
        )?;
    }
    w.height(total_row, 20.0)?;
    if let Some(col) = layout.shown_col(Shown::WEIGHT) {
        let row = total_row + u32::from(score_col.is_some());
        let label = spec.word("template.weight_total");
        match col {
            0 => {}
            1 => {
                w.sheet
                    .write_string_with_format(row, 0, &label, &w.f.total_label)?;
            }
            _ => {
                w.sheet
                    .merge_range(row, 0, row, col - 1, &label, &w.f.total_label)?;
            }
        }
        let total: Decimal = items.iter().filter_map(|i| i.weight).sum();
        let total = total.to_string().parse::<f64>().unwrap_or(0.0);
        w.sheet
            .write_number_with_format(row, col, total, &w.f.total_value)?;
        w.height(row, 20.0)?;
    }
    let signoff_title_row = total_row + total_rows(&layout.shown, score_col.is_some()) + 1;
    // Every row's height set, so that it prints the same in every program (pages fall alike).
    w.height(signoff_title_row - 1, DEFAULT_ROW_HEIGHT)?;
    Ok(signoff_title_row)
}

/// The last column a sign-off value spans, on a sheet whose last column is `last_col`.
fn signoff_value_end(value_col: u16, last_col: u16) -> u16 {
    (value_col + 2).min(last_col.max(value_col))
}

/// The sign-off block: its title, then each field's label over the first columns and its
/// value (prefilled, checked for length) beside it.
fn signoff_block(
    w: &mut Writer,
    title_row: u32,
    prefill: Option<&Prefill>,
) -> Result<(), XlsxError> {
    let Page { spec, layout, .. } = *w.page;
    let f = w.f;
    let value_col = layout.signoff_value_col;
    let value_end = signoff_value_end(value_col, layout.width() - 1);
    if !spec.signoff.is_empty() {
        // Over the block's width: a narrow first column would wrap it.
        let title = &spec.template.signoff_title;
        if value_end > 0 {
            w.sheet.merge_range(
                title_row,
                0,
                title_row,
                value_end,
                title,
                &w.f.signoff_title,
            )?;
        } else {
            w.sheet
                .write_string_with_format(title_row, 0, title, &w.f.signoff_title)?;
        }
        w.height(title_row, 20.0)?;
    }
    let label_width: f64 = w.fitted.widths[..usize::from(value_col.max(1))]
        .iter()
        .sum();
    for (input, (key, row)) in spec.signoff.iter().zip(&layout.signoff) {
        if value_col > 1 {
            w.sheet
                .merge_range(*row, 0, *row, value_col - 1, "", &w.f.total_label)?;
        }
        let text = label_text(spec, input, label_width);
        write_label(w.sheet, w.f, (*row, 0), &text, &w.f.total_label)?;
        let value = prefill
            .and_then(|p| p.signoff.get(key))
            .map(|v| crate::write::cell_text(v, &w.truncated))
            .unwrap_or_default();
        let value = value.as_ref();
        let format = w.marked((*row, value_col), &f.input)?;
        if value_end > value_col {
            w.sheet
                .merge_range(*row, value_col, *row, value_end, value, &format)?;
        } else {
            w.sheet
                .write_string_with_format(*row, value_col, value, &format)?;
        }
        if let Some(dv) = text_length_check(spec, &input.label, input.max_length)? {
            w.sheet
                .add_data_validation(*row, value_col, *row, value_col, &dv)?;
        }
        w.height(*row, 22.0)?;
    }
    Ok(())
}

/// The in-cell check of a text of at most `max` characters, when it has a most.
fn text_length_check(
    spec: &Spec,
    label: &str,
    max: Option<u32>,
) -> Result<Option<DataValidation>, XlsxError> {
    let Some(max) = max else {
        return Ok(None);
    };
    let message = render(
        &spec.validation.text_error,
        &[("label", label), ("max", &max.to_string())],
    );
    let dv = DataValidation::new()
        .allow_text_length(DataValidationRule::LessThanOrEqualTo(max))
        .set_error_title(&spec.validation.error_title)?
        .set_error_message(limit(message, 255))?;
    Ok(Some(dv))
}

/// How the sheet prints: the header frozen and repeated, A4 landscape at a fixed scale (no
/// shrinking to fit), the sign-off block on one page; the first input selected.
fn pages(w: &mut Writer, signoff_title_row: u32) -> Result<(), XlsxError> {
    let Page { spec, layout, .. } = *w.page;
    let header_row = fill_in::HEADER_ROW;
    let sheet = &mut *w.sheet;
    sheet.set_freeze_panes(FIRST_ITEM_ROW, 0)?;
    print_setup(sheet, Some((header_row, header_row)), &spec.template.footer)?;
    let [left, right, top, bottom, header, footer] = print::MARGINS;
    sheet.set_margins(left, right, top, bottom, header, footer);
    sheet.set_print_scale(w.fitted.scale);
    // The sign-off block on one page: a break before it where it would straddle two.
    if let Some((_, last)) = layout.signoff.last() {
        let block = signoff_title_row as usize..*last as usize + 1;
        let repeated = w.heights.0[header_row as usize];
        if let Some(row) = print::break_before(
            &w.heights.0,
            repeated,
            block,
            w.fitted.scale,
            print::Orientation::Landscape,
        ) {
            sheet.set_page_breaks(&[row])?;
        }
    }
    let first_input = layout.inputs.first().map_or(0, |(_, c)| *c);
    sheet.set_selection(FIRST_ITEM_ROW, first_input, FIRST_ITEM_ROW, first_input)?;
    Ok(())
}

/// The score total row: its label over the master columns, the sum under the scores.
fn score_total(
    sheet: &mut Worksheet,
    f: &Formats,
    page: &Page,
    prefill: Option<&Prefill>,
    (total_row, score_col): (u32, u16),
    score_key: &str,
) -> Result<(), XlsxError> {
    let Page {
        spec,
        layout,
        items,
        ..
    } = *page;
    let shown_count = layout.shown.len() as u16;
    let label_end = score_col.min(shown_count).saturating_sub(1);
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
            crate::workbook::a1(FIRST_ITEM_ROW, score_col as u32),
            crate::workbook::a1(total_row - 1, score_col as u32)
        );
        sheet.write_formula_with_format(
            total_row,
            score_col,
            Formula::new(range).set_result(show(cached)),
            &f.total_value,
        )?;
    }
    Ok(())
}

/// A computed cell: its formula over the row's inputs (the master's values as constants),
/// with the value the prefill gives cached; blank while an input it reads is empty.
fn computed_cell(
    sheet: &mut Worksheet,
    page: &Page,
    input: &InputSpec,
    (row, col): (u32, u16),
    values: Option<&HashMap<String, String>>,
    format: &Format,
) -> Result<(), XlsxError> {
    let Some(expr) = &input.expr else {
        return Ok(());
    };
    let item = &page.items[(row - FIRST_ITEM_ROW) as usize];
    let master = page.master;
    let mut inputs_read = Vec::new();
    let cell = |name: &str| -> Option<String> {
        match page.layout.input_col(name) {
            Some(c) => Some(crate::workbook::a1(row, u32::from(c))),
            None => crate::inputs::master_value(master, item, name)
                .number()
                .map(show),
        }
    };
    for name in expr.names() {
        if let Some(c) = page.layout.input_col(name) {
            inputs_read.push(crate::workbook::a1(row, u32::from(c)));
        }
    }
    let in_master = |name: &str| crate::inputs::master_value(master, item, name);
    let Some(text) = expr.excel_in(&cell, &in_master) else {
        sheet.write_blank(row, col, format)?;
        return Ok(());
    };
    let guard = inputs_read
        .iter()
        .map(|c| format!("{c}=\"\""))
        .collect::<Vec<_>>()
        .join(",");
    let formula = if guard.is_empty() {
        format!("=IFERROR({text},\"\")")
    } else {
        format!("=IF(OR({guard}),\"\",IFERROR({text},\"\"))")
    };
    let env = |name: &str| match values.and_then(|v| v.get(name)) {
        Some(v) if page.layout.input_col(name).is_some() => crate::inputs::lenient_number(v, "")
            .map_or(crate::rule::Value::Empty, |(d, _)| {
                crate::rule::Value::Number(d)
            }),
        _ => crate::inputs::master_value(master, item, name),
    };
    // Without a value (an input still empty) the cached result is the sheet's default, "".
    let formula = match expr.eval(&env) {
        Some(value) => Formula::new(formula).set_result(show(value)),
        None => Formula::new(formula),
    };
    sheet.write_formula_with_format(row, col, formula, format)?;
    Ok(())
}

/// The in-cell check of one input cell, from the same spec the validator uses.
fn add_validation(
    sheet: &mut Worksheet,
    page: &Page,
    input: &InputSpec,
    row: u32,
    col: u16,
    item: &Item,
) -> Result<(), XlsxError> {
    let spec = page.spec;
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
                .allow_decimal_number(DataValidationRule::Between(0.0, to_f64(max)))
                .set_input_title(&v.score_title)?
                .set_input_message(limit(render(&v.score_prompt, &args), 255))?
                .set_error_title(&v.error_title)?
                .set_error_message(limit(render(&v.score_error, &args), 255))?
        }
        InputKind::Number | InputKind::Percent => number_validation(page, input, item)?,
        InputKind::Date => DataValidation::new()
            .allow_date(DataValidationRule::Between(
                rust_xlsxwriter::ExcelDateTime::from_ymd(1990, 1, 1)?,
                rust_xlsxwriter::ExcelDateTime::from_ymd(2100, 12, 31)?,
            ))
            .set_input_title(limit(input.label.clone(), 32))?
            .set_input_message(spec.word("template.validation.date_prompt"))?
            .set_error_title(&v.error_title)?
            .set_error_message(spec.word("template.validation.date_error"))?,
        InputKind::Computed => return Ok(()),
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

fn to_f64(d: Decimal) -> f64 {
    d.to_string().parse::<f64>().unwrap_or(0.0)
}

/// The in-cell check of a number or percent: between its bounds for the item, in its unit.
fn number_validation(
    page: &Page,
    input: &InputSpec,
    item: &Item,
) -> Result<DataValidation, XlsxError> {
    let spec = page.spec;
    let (min, max) = crate::inputs::bounds(input, page.master, item);
    let unit = crate::inputs::unit(input, page.master, item);
    let decimals = input.decimals.unwrap_or(2).to_string();
    let (min_text, max_text) = (
        min.map(show).unwrap_or_default(),
        max.map(show).unwrap_or_default(),
    );
    let args = [
        ("label", input.label.as_str()),
        ("min", min_text.as_str()),
        ("max", max_text.as_str()),
        ("unit", unit.as_str()),
        ("decimals", decimals.as_str()),
    ];
    let key = match (min, max) {
        (Some(_), Some(_)) => "between",
        (Some(_), None) => "at_least",
        (None, Some(_)) => "at_most",
        (None, None) => "any",
    };
    let rule = match (min, max) {
        (Some(a), Some(b)) => DataValidationRule::Between(to_f64(a), to_f64(b)),
        (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(to_f64(a)),
        (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(to_f64(b)),
        (None, None) => DataValidationRule::Between(-1e15, 1e15),
    };
    let prompt = render(
        &spec.word(&format!("template.validation.number_{key}")),
        &args,
    );
    DataValidation::new()
        .allow_decimal_number(rule)
        .set_input_title(limit(input.label.clone(), 32))?
        .set_input_message(limit(prompt.clone(), 255))?
        .set_error_title(&spec.validation.error_title)?
        .set_error_message(limit(prompt, 255))
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
                    crate::workbook::a1(r, u32::from(c))
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
            InputKind::Number => render(&spec.word("template.rule.number"), &rule_args),
            InputKind::Percent => render(&spec.word("template.rule.percent"), &rule_args),
            InputKind::Date => render(&spec.word("template.rule.date"), &rule_args),
            InputKind::Computed => render(&spec.word("template.rule.computed"), &rule_args),
        };
        if input.required {
            content.push_str(&rules.required);
        } else if input.explains_score() {
            content.push_str(&rules.required_when_score_below_weight);
        } else if let Some(when) = input.when_text(spec) {
            content.push_str(&when);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_written_as_numbers_only_where_numeric() {
        assert_eq!(written("1.5", true), Written::Number(1.5));
        assert_eq!(written("1.5", false), Written::Text("1.5".into()));
        assert_eq!(written("", true), Written::Blank);
        assert_eq!(written("满分", true), Written::Text("满分".into()));
        assert!(centred(InputKind::Score) && !centred(InputKind::Text));
    }

    #[test]
    fn a_sign_off_value_spans_three_columns_where_there_are() {
        assert_eq!(signoff_value_end(2, 10), 4);
        assert_eq!(signoff_value_end(2, 3), 3);
        assert_eq!(signoff_value_end(2, 1), 2);
    }

    #[test]
    fn the_sheet_says_when_deadline_and_contact_are_not_set() {
        let spec = Spec::builtin();
        let issue = Issue {
            title: "考评",
            deadline: " ",
            contact: "办公室 张三",
            password: "",
            campaign_id: "c",
            secret: "s",
            round: 1,
            period: None,
            issued_at: "2024-01-01T00:00:00Z",
        };
        let args = sheet_args(&spec, &issue, "水科", &[]);
        let get = |k: &str| args.iter().find(|(key, _)| *key == k).unwrap().1.clone();
        assert_eq!(get("deadline"), spec.template.no_deadline);
        assert_eq!(get("contact"), "办公室 张三");
        assert_eq!((get("count"), get("weight")), ("0".into(), "0".into()));
    }

    #[test]
    fn input_labels_carry_their_marks() {
        let spec = Spec::builtin();
        let required = spec.inputs.iter().find(|i| i.required).unwrap();
        let (label, mark) = label_text(&spec, required, 20.0);
        assert_eq!(
            (label.as_str(), mark.as_deref()),
            (required.label.as_str(), Some("*"))
        );
        assert_eq!(limit("一二三四".into(), 3), "一二…");
    }
}
