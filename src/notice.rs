//! The papers that go with the workbooks and after them: the notice each department receives
//! with its workbook and the sending list (发送清单) the office works through when it sends
//! them (`tianbao generate`); the reminder to a department that has not returned a usable
//! workbook and the list of reminders (催报清单) (`tianbao status --remind`).
//!
//! The letters come from `templates/notice.<language>.txt` and `templates/remind.<language>.txt`
//! (by the spec's language), the labels of the lists and the short sentences from the spec's
//! `[words]`. A line of a letter whose every placeholder is empty is left out (no `联系电话：`
//! without a number). Letters are written for Windows Notepad: UTF-8 with a byte-order mark and
//! CRLF line ends ([`windows_text`]).

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Workbook, XlsxError};

use crate::campaign::Config;
use crate::cell_text::render;
use crate::cell_text::show;
use crate::model::{Item, Part};
use crate::spec::Spec;
use crate::write::{
    Content, Planned, display_width, height_for, print_setup, wrapped_lines, write_planned,
};

const NOTICE_ZH: &str = include_str!("../templates/notice.zh.txt");
const NOTICE_EN: &str = include_str!("../templates/notice.en.txt");
const REMIND_ZH: &str = include_str!("../templates/remind.zh.txt");
const REMIND_EN: &str = include_str!("../templates/remind.en.txt");

/// The notice letter of the spec's language (Chinese for any but English).
pub fn notice_template(spec: &Spec) -> &'static str {
    if spec.language == "en" {
        NOTICE_EN
    } else {
        NOTICE_ZH
    }
}

/// The reminder letter of the spec's language.
pub fn remind_template(spec: &Spec) -> &'static str {
    if spec.language == "en" {
        REMIND_EN
    } else {
        REMIND_ZH
    }
}

/// Fills the `{name}` placeholders of a letter. A line with placeholders that all come out
/// empty is left out, and runs of blank lines become one.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in template.lines() {
        let names = placeholders(line);
        let known: Vec<&str> = names
            .iter()
            .filter_map(|n| args.iter().find(|(k, _)| k == n).map(|(_, v)| *v))
            .collect();
        if !names.is_empty() && known.len() == names.len() && known.iter().all(|v| v.is_empty()) {
            continue;
        }
        let rendered = render(line, args);
        let blank = rendered.trim().is_empty();
        if blank && lines.last().is_none_or(|l| l.trim().is_empty()) {
            continue;
        }
        lines.push(if blank {
            String::new()
        } else {
            rendered.trim_end().to_string()
        });
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// The placeholder names of a line.
fn placeholders(line: &str) -> Vec<&str> {
    line.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
        .collect()
}

/// A text as Windows Notepad (and every older editor in an office) reads it right: UTF-8 with a
/// byte-order mark, lines ending in CRLF.
pub fn windows_text(text: &str) -> Vec<u8> {
    // What departments wrote (names, cell values) reaches these letters: no escape sequence,
    // bell or bidirectional override goes into a file people open.
    let unified = crate::cell_text::for_document(text)
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let mut bytes = Vec::with_capacity(unified.len() + unified.lines().count() + 3);
    bytes.extend_from_slice(b"\xEF\xBB\xBF");
    for line in unified.split_inclusive('\n') {
        match line.strip_suffix('\n') {
            Some(body) => {
                bytes.extend_from_slice(body.as_bytes());
                bytes.extend_from_slice(b"\r\n");
            }
            None => bytes.extend_from_slice(line.as_bytes()),
        }
    }
    bytes
}

/// The date of a stored time (RFC 3339) in the local zone, as the spec writes dates
/// (`2024年1月5日`).
pub fn date_text(spec: &Spec, stamp: &str) -> String {
    match crate::time::local_date(stamp) {
        Some((y, m, d)) => render(
            &spec.word("papers.date"),
            &[
                ("year", &y.to_string()),
                ("month", &m.to_string()),
                ("day", &d.to_string()),
                ("mm", &format!("{m:02}")),
                ("dd", &format!("{d:02}")),
            ],
        ),
        None => stamp.to_string(),
    }
}

/// Who sends the papers, and what every one of them says: from the campaign's config, with
/// the spec's words where a setting is empty.
#[derive(Debug, Clone)]
pub struct Issuer {
    pub title: String,
    /// The deadline, or the spec's words for one still to come.
    pub deadline: String,
    /// Whom to ask, or the spec's words for the assessment office.
    pub contact: String,
    pub office: String,
    pub return_to: String,
    /// The date the papers are dated, as the spec writes dates.
    pub date: String,
}

impl Issuer {
    pub fn new(config: &Config, spec: &Spec, at: &str) -> Issuer {
        let or = |text: &str, fallback: String| {
            if text.trim().is_empty() {
                fallback
            } else {
                text.trim().to_string()
            }
        };
        Issuer {
            title: config.title.clone(),
            deadline: or(&config.deadline, spec.word("notice.no_deadline")),
            contact: or(&config.contact, spec.instructions.no_contact.clone()),
            office: config.office.trim().to_string(),
            return_to: config.return_to.trim().to_string(),
            date: date_text(spec, at),
        }
    }

    /// The signature line under a list: the office and the date, or the date alone.
    fn made_by(&self, spec: &Spec) -> String {
        if self.office.is_empty() {
            render(&spec.word("papers.made_on"), &[("date", &self.date)])
        } else {
            render(
                &spec.word("papers.made_by"),
                &[("office", &self.office), ("date", &self.date)],
            )
        }
    }
}

/// What one department's notice says.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub department: &'a str,
    /// The workbook's file name, as attached.
    pub file: &'a str,
    pub items: Vec<&'a Item>,
    /// Whether the master tells lead and cooperating departments apart.
    pub parts: bool,
    /// The department's private page on `tianbao serve`, when it has one.
    pub link: Option<&'a str>,
}

/// The item's text as a notice lists it: its task (or indicator), one line, at most `max`
/// characters.
fn excerpt(item: &Item, max: usize) -> String {
    let text = item
        .task()
        .or(item.indicator())
        .or_else(|| {
            item.texts
                .iter()
                .map(|t| t.text.as_str())
                .find(|t| !t.is_empty())
        })
        .unwrap_or("");
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        one_line.chars().take(max - 1).chain(['…']).collect()
    }
}

/// One line of a notice's item list: `1-2-1　加强大气污染防治……（权重 2 分）`.
pub fn item_line(spec: &Spec, item: &Item, department: &str, parts: bool) -> String {
    let id = item.id.as_str();
    let text = excerpt(item, 40);
    let Some(weight) = item.weight else {
        return render(
            &spec.word("notice.item_unweighted"),
            &[("id", id), ("text", &text)],
        );
    };
    let weight = show(weight);
    let part = match item.part_of(department) {
        Some(Part::Lead) if parts => spec.word("role.lead"),
        Some(Part::Cooperating) if parts => spec.word("role.cooperating"),
        _ => String::new(),
    };
    let key = if part.is_empty() {
        "notice.item"
    } else {
        "notice.item_part"
    };
    render(
        &spec.word(key),
        &[
            ("id", id),
            ("text", &text),
            ("weight", &weight),
            ("part", &part),
        ],
    )
}

/// The text of a department's notice.
pub fn notice_text(spec: &Spec, issuer: &Issuer, notice: &Notice) -> String {
    let items: Vec<String> = notice
        .items
        .iter()
        .map(|item| item_line(spec, item, notice.department, notice.parts))
        .collect();
    let weight: Decimal = notice.items.iter().filter_map(|i| i.weight).sum();
    let return_how = if issuer.return_to.is_empty() {
        render(
            &spec.word("notice.return_to_contact"),
            &[("contact", &issuer.contact)],
        )
    } else {
        render(
            &spec.word("notice.return_to"),
            &[("return_to", &issuer.return_to)],
        )
    };
    fill(
        notice_template(spec),
        &[
            ("title", &issuer.title),
            ("department", notice.department),
            ("file", notice.file),
            ("count", &notice.items.len().to_string()),
            ("weight", &show(weight)),
            ("items", &items.join("\n")),
            ("sheet", &spec.template.sheet),
            ("instructions_sheet", &spec.template.instructions_sheet),
            ("deadline", &issuer.deadline),
            ("contact", &issuer.contact),
            ("return_how", &return_how),
            ("link", notice.link.unwrap_or("")),
            ("office", &issuer.office),
            ("date", &issuer.date),
        ],
    )
}

/// How a row of the sending list stands against the files in the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Remark {
    /// The workbook in the folder is the one the current master and round make.
    Current,
    /// No workbook for the department in the folder.
    NotGenerated,
    /// The workbook in the folder was made from an earlier master or round (or is not one
    /// this campaign signed).
    Outdated,
}

/// One row of the sending list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    pub department: String,
    pub persons: Vec<String>,
    /// The workbook's file name.
    pub file: String,
    /// The notice, relative to the list (`通知/办公室.txt`).
    pub notice: String,
    pub items: usize,
    pub weight: Decimal,
    pub remark: Remark,
    /// The department's private page on `tianbao serve`, when it has one.
    pub link: Option<String>,
}

/// A cell of a list workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Count(usize),
    Number(Decimal),
}

impl Cell {
    fn shown(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Number(d) => show(*d),
        }
    }
}

/// A printable list: a title row, a line under it, a header and the rows, signed below.
#[derive(Debug, Clone)]
pub struct Table {
    pub sheet: String,
    pub title: String,
    pub subtitle: String,
    pub header: Vec<String>,
    /// The widest each column may grow (its text wraps beyond); 40 where not given.
    pub widest: Vec<f64>,
    pub rows: Vec<Vec<Cell>>,
    pub signature: String,
    /// The page footer (`&C第 &P 页 / 共 &N 页`).
    pub footer: String,
}

/// The 0-based row of a list's header; its rows follow.
pub const LIST_HEADER_ROW: u32 = 2;

/// Widest a column of a list grows where its table does not say (its text wraps beyond).
const MAX_COLUMN_WIDTH: f64 = 40.0;

/// Writes a list workbook: A4 landscape, one page wide, the header repeated on every page,
/// columns as wide as their content (up to a limit, wrapping beyond).
pub fn table_workbook(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(&table.sheet)?;
    let palette = crate::style::palette();
    let columns = table.header.len().max(2);
    let last = (columns - 1) as u16;
    let widths = column_widths(table);
    for (c, width) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *width)?;
    }
    let total: f64 = widths.iter().sum();

    sheet.merge_range(0, 0, 0, last, &table.title, &palette.title_list)?;
    sheet.set_row_height(0, 30)?;
    sheet.merge_range(1, 0, 1, last, &table.subtitle, &palette.plain)?;
    sheet.set_row_height(1, height_for(wrapped_lines(&table.subtitle, total)))?;
    let mut header_lines = 1;
    for (c, label) in table.header.iter().enumerate() {
        sheet.write_string_with_format(LIST_HEADER_ROW, c as u16, label, &palette.header)?;
        header_lines = header_lines.max(wrapped_lines(label, widths[c]));
    }
    sheet.set_row_height(LIST_HEADER_ROW, height_for(header_lines))?;
    let mut row = LIST_HEADER_ROW;
    for cells in &table.rows {
        row += 1;
        let (planned, lines) = list_row(cells, &widths);
        write_planned(sheet, row, &planned)?;
        sheet.set_row_height(row, height_for(lines).max(20.0))?;
    }
    if !table.signature.is_empty() {
        row += 2;
        sheet.merge_range(row, 0, row, last, &table.signature, &palette.signature)?;
    }
    sheet.set_freeze_panes(LIST_HEADER_ROW + 1, 0)?;
    print_setup(
        sheet,
        Some((LIST_HEADER_ROW, LIST_HEADER_ROW)),
        &table.footer,
    )?;
    book.save_to_buffer()
}

/// A list's column widths: as wide as their content (at least 6, at most the table's limit).
fn column_widths(table: &Table) -> Vec<f64> {
    (0..table.header.len().max(2))
        .map(|c| {
            let content = std::iter::once(table.header.get(c).cloned().unwrap_or_default())
                .chain(table.rows.iter().filter_map(|r| r.get(c)).map(Cell::shown))
                .map(|t| t.lines().map(display_width).fold(0.0_f64, |a, b| a.max(b)))
                .fold(0.0_f64, f64::max);
            let widest = table.widest.get(c).copied().unwrap_or(MAX_COLUMN_WIDTH);
            (content + 2.0).clamp(6.0, widest.max(6.0))
        })
        .collect()
}

/// A row of a list in columns `widths` wide, and the text lines it needs.
fn list_row(cells: &[Cell], widths: &[f64]) -> (Vec<Planned>, u32) {
    let palette = crate::style::palette();
    let (text, number) = (&palette.cell, &palette.center);
    let mut lines = 1;
    let planned = widths
        .iter()
        .enumerate()
        .map(|(c, width)| {
            let col = c as u16;
            match cells.get(c) {
                Some(Cell::Text(t)) => {
                    // File names and persons from the returns: no control or bidi character.
                    let t = crate::cell_text::for_document(t);
                    lines = lines.max(wrapped_lines(&t, *width));
                    Planned::new(col, Content::Text(t.into_owned()), text)
                }
                Some(Cell::Count(n)) => Planned::new(col, Content::Number(*n as f64), number),
                Some(Cell::Number(d)) => {
                    let value = d.to_f64().unwrap_or_default();
                    Planned::new(col, Content::Number(value), number)
                }
                None => Planned::new(col, Content::Blank, text),
            }
        })
        .collect();
    (planned, lines)
}

/// The sending list workbook.
pub fn sending_list(spec: &Spec, issuer: &Issuer, rows: &[ListRow]) -> Result<Vec<u8>, XlsxError> {
    let w = |key: &str| spec.word(key);
    // The column of the departments' web links only when one has a link.
    let links = rows.iter().any(|r| r.link.is_some());
    let mut header: Vec<String> = [
        "outbox.col.no",
        "outbox.col.department",
        "outbox.col.persons",
        "outbox.col.file",
        "outbox.col.items",
        "outbox.col.weight",
        "outbox.col.notice",
        "outbox.col.sent",
        "outbox.col.remark",
    ]
    .iter()
    .map(|k| w(k))
    .collect();
    if links {
        header.insert(7, w("outbox.col.link"));
    }
    let separator = w("list.separator");
    let cells = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let remark = match r.remark {
                Remark::Current => String::new(),
                Remark::NotGenerated => w("outbox.remark.not_generated"),
                Remark::Outdated => w("outbox.remark.outdated"),
            };
            let mut row = vec![
                Cell::Count(i + 1),
                Cell::Text(r.department.clone()),
                Cell::Text(r.persons.join(&separator)),
                Cell::Text(r.file.clone()),
                Cell::Count(r.items),
                Cell::Number(r.weight),
                Cell::Text(r.notice.clone()),
                Cell::Text(String::new()),
                Cell::Text(render(&remark, &[("department", &r.department)])),
            ];
            if links {
                row.insert(7, Cell::Text(r.link.clone().unwrap_or_default()));
            }
            row
        })
        .collect();
    table_workbook(&Table {
        sheet: w("outbox.list_sheet"),
        title: render(&w("outbox.list_title"), &[("title", &issuer.title)]),
        subtitle: render(
            &w("outbox.list_subtitle"),
            &[
                ("deadline", &issuer.deadline),
                ("contact", &issuer.contact),
                ("count", &rows.len().to_string()),
            ],
        ),
        header,
        widest: if links {
            vec![6.0, 20.0, 20.0, 60.0, 8.0, 10.0, 30.0, 52.0, 10.0, 36.0]
        } else {
            vec![6.0, 20.0, 20.0, 60.0, 8.0, 10.0, 30.0, 10.0, 36.0]
        },
        rows: cells,
        signature: issuer.made_by(spec),
        footer: spec.template.footer.clone(),
    })
}

/// Why a department is reminded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Nothing came back.
    Missing,
    /// Its workbook came back with errors to fix.
    Invalid,
    /// Only a file that cannot be used as its workbook came back (a copy whose signature does
    /// not verify, another campaign's workbook).
    Unusable,
}

impl Standing {
    fn word(self) -> &'static str {
        match self {
            Standing::Missing => "remind.state.missing",
            Standing::Invalid => "remind.state.invalid",
            Standing::Unusable => "remind.state.unusable",
        }
    }
}

/// What one reminder says.
#[derive(Debug, Clone, PartialEq)]
pub struct Reminder {
    pub department: String,
    /// Its persons, from the master.
    pub persons: Vec<String>,
    /// The phone of the sign-off of what came back (empty when nothing did, or it is empty).
    pub phone: String,
    /// Who filled in what came back.
    pub filler: String,
    pub standing: Standing,
    /// The workbook it was sent.
    pub workbook: String,
    /// The file that came back (its name), empty when nothing did.
    pub file: String,
    /// When it came back, in local time.
    pub received: String,
    /// The errors found, as messages.
    pub problems: Vec<String>,
    /// The feedback workbook prepared for it (file name), or empty.
    pub feedback: String,
    /// The reminder's file name.
    pub reminder: String,
}

/// The text of a reminder.
pub fn reminder_text(spec: &Spec, issuer: &Issuer, r: &Reminder) -> String {
    let w = |key: &str| spec.word(key);
    let count = r.problems.len().to_string();
    let args: Vec<(&str, &str)> = vec![
        ("title", &issuer.title),
        ("deadline", &issuer.deadline),
        ("date", &issuer.date),
        ("workbook", &r.workbook),
        ("file", &r.file),
        ("received", &r.received),
        ("count", &count),
        ("feedback", &r.feedback),
    ];
    let (body, closing) = match r.standing {
        Standing::Missing => ("remind.body.missing", "remind.closing.missing"),
        Standing::Invalid if !r.feedback.is_empty() => {
            ("remind.body.invalid", "remind.closing.feedback")
        }
        Standing::Invalid => ("remind.body.invalid", "remind.closing.invalid"),
        Standing::Unusable => ("remind.body.unusable", "remind.closing.unusable"),
    };
    let problems: Vec<String> = r
        .problems
        .iter()
        .enumerate()
        .map(|(i, message)| {
            render(
                &w("remind.problem"),
                &[("n", &(i + 1).to_string()), ("message", message)],
            )
        })
        .collect();
    fill(
        remind_template(spec),
        &[
            ("title", &issuer.title),
            ("department", &r.department),
            ("persons", &r.persons.join(&w("list.separator"))),
            ("phone", &r.phone),
            ("filler", &r.filler),
            ("state", &w(r.standing.word())),
            ("deadline", &issuer.deadline),
            ("body", &render(&w(body), &args)),
            ("problems", &problems.join("\n")),
            ("closing", &render(&w(closing), &args)),
            ("contact", &issuer.contact),
            ("office", &issuer.office),
            ("date", &issuer.date),
        ],
    )
}

/// The list of reminders workbook; `at` is the time of the check, in local time.
pub fn reminder_list(
    spec: &Spec,
    issuer: &Issuer,
    at: &str,
    reminders: &[Reminder],
) -> Result<Vec<u8>, XlsxError> {
    let w = |key: &str| spec.word(key);
    let header = [
        "remind.col.no",
        "remind.col.department",
        "remind.col.state",
        "remind.col.persons",
        "remind.col.phone",
        "remind.col.file",
        "remind.col.received",
        "remind.col.problems",
        "remind.col.reminder",
        "remind.col.done",
    ]
    .iter()
    .map(|k| w(k))
    .collect();
    let separator = w("list.separator");
    let missing = reminders
        .iter()
        .filter(|r| r.standing != Standing::Invalid)
        .count();
    let rows = reminders
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                Cell::Count(i + 1),
                Cell::Text(r.department.clone()),
                Cell::Text(w(r.standing.word())),
                Cell::Text(r.persons.join(&separator)),
                Cell::Text(r.phone.clone()),
                Cell::Text(r.file.clone()),
                Cell::Text(r.received.clone()),
                if r.standing == Standing::Missing {
                    Cell::Text(String::new())
                } else {
                    Cell::Count(r.problems.len())
                },
                Cell::Text(r.reminder.clone()),
                Cell::Text(String::new()),
            ]
        })
        .collect();
    table_workbook(&Table {
        sheet: w("remind.list_sheet"),
        title: render(&w("remind.list_title"), &[("title", &issuer.title)]),
        subtitle: render(
            &w("remind.list_subtitle"),
            &[
                ("at", at),
                ("missing", &missing.to_string()),
                ("invalid", &(reminders.len() - missing).to_string()),
                ("deadline", &issuer.deadline),
            ],
        ),
        header,
        widest: vec![6.0, 20.0, 16.0, 20.0, 18.0, 40.0, 18.0, 8.0, 24.0, 14.0],
        rows,
        signature: issuer.made_by(spec),
        footer: spec.template.footer.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_fits_its_content_within_its_limits_and_a_short_row_is_blank_beyond() {
        let table = Table {
            sheet: "s".into(),
            title: "t".into(),
            subtitle: String::new(),
            header: vec!["部门".into(), "份数".into(), "说明".into()],
            widest: vec![40.0, 40.0, 10.0],
            rows: vec![vec![
                Cell::Text("水科".into()),
                Cell::Count(2),
                Cell::Text("很长的说明文字很长的说明文字".into()),
            ]],
            signature: String::new(),
            footer: String::new(),
        };
        let widths = column_widths(&table);
        assert!((6.0..8.0).contains(&widths[0]), "{widths:?}");
        assert_eq!(widths[2], 10.0, "at most the table's limit");
        let (cells, lines) = list_row(&table.rows[0], &widths);
        assert_eq!(cells[1].content, crate::write::Content::Number(2.0));
        assert!(lines > 1, "the long text wraps");
        let (cells, _) = list_row(&[Cell::Text("\u{202e}x".into())], &widths);
        // A bidirectional control from a return is shown, not obeyed.
        let raw = crate::write::Content::Text("\u{202e}x".into());
        assert_ne!(cells[0].content, raw);
        assert_eq!(cells[2].content, crate::write::Content::Blank);
    }

    #[test]
    fn lines_whose_placeholders_are_all_empty_are_left_out() {
        let text = fill(
            "A\n电话：{phone}\n{a}{b}\n\n\n{office}\nZ {x}\n",
            &[
                ("phone", ""),
                ("a", ""),
                ("b", "1"),
                ("office", ""),
                ("x", ""),
            ],
        );
        assert_eq!(text, "A\n1\n");
        let text = fill("{x}\n\n{y}\n", &[("x", "a"), ("y", "b")]);
        assert_eq!(text, "a\n\nb\n");
        // Unknown placeholders stay, and keep their line.
        assert_eq!(fill("{unknown}\n", &[]), "{unknown}\n");
    }

    #[test]
    fn windows_text_has_a_bom_and_crlf() {
        assert_eq!(windows_text("a\nb\r\nc\n"), b"\xEF\xBB\xBFa\r\nb\r\nc\r\n");
        assert_eq!(windows_text("a"), b"\xEF\xBB\xBFa");
    }

    #[test]
    fn windows_text_shows_control_and_bidi_characters_escaped() {
        let bytes = windows_text("科\u{1b}[2J\u{7}室\u{202E}txt.exe\n");
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\u{feff}科\\u{1b}[2J\\u{7}室\\u{202e}txt.exe\r\n"
        );
    }

    #[test]
    fn dates_read_as_the_spec_writes_them() {
        let zh = Spec::builtin();
        let en = Spec::builtin_language("en").unwrap();
        // Noon UTC is the same date in every zone from UTC-11 to UTC+11.
        assert_eq!(date_text(&zh, "2024-01-05T12:00:00Z"), "2024年1月5日");
        assert_eq!(date_text(&en, "2024-01-05T12:00:00Z"), "2024-01-05");
    }

    #[test]
    fn every_letter_placeholder_is_given() {
        let zh = Spec::builtin();
        let en = Spec::builtin_language("en").unwrap();
        let config = crate::campaign::tests::config();
        for spec in [&zh, &en] {
            let issuer = Issuer::new(&config, spec, "2024-01-05T12:00:00Z");
            let notice = notice_text(
                spec,
                &issuer,
                &Notice {
                    department: "办公室",
                    file: "t-办公室.xlsx",
                    items: Vec::new(),
                    parts: false,
                    link: None,
                },
            );
            assert!(!notice.contains('{'), "{notice}");
            // No link: no line about the web; with one, the line with it.
            assert!(!notice.contains("http"), "{notice}");
            let linked = notice_text(
                spec,
                &issuer,
                &Notice {
                    department: "办公室",
                    file: "t-办公室.xlsx",
                    items: Vec::new(),
                    parts: false,
                    link: Some("http://pc-01:8080/d/0123"),
                },
            );
            assert!(linked.contains("http://pc-01:8080/d/0123 "), "{linked}");
            for standing in [Standing::Missing, Standing::Invalid, Standing::Unusable] {
                let text = reminder_text(
                    spec,
                    &issuer,
                    &Reminder {
                        department: "办公室".into(),
                        persons: vec!["张三".into()],
                        phone: "0595-1".into(),
                        filler: String::new(),
                        standing,
                        workbook: "w.xlsx".into(),
                        file: "f.xlsx".into(),
                        received: "2024-01-08 09:00".into(),
                        problems: vec!["p".into()],
                        feedback: String::new(),
                        reminder: "办公室.txt".into(),
                    },
                );
                assert!(!text.contains('{'), "{text}");
            }
        }
    }
}
