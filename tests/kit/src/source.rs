//! A master table described as data (`samples/master-2023.toml`) and written as a workbook in the
//! layout offices use: title, two-row header, category and group cells merged over their rows,
//! 合计 rows and the final total.
//!
//! This is how `samples/master.xlsx` is built (`cargo run --example build_sample_master`), how the
//! tests make master tables in other layouts (names on one line, a header repeated at a page
//! break, the table on a second sheet), and how synthetic masters are made for benchmarks.

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use serde::{Deserialize, Serialize};

use tianbao::cell_text::parse_decimal;
use tianbao::write::{base_format, height_for, print_setup, run_format, wrapped_lines};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MasterSource {
    pub title: String,
    pub rows: Vec<SourceRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SourceRow {
    Item(SourceItem),
    /// A 合计 row adding up the categories since the previous one.
    Subtotal {
        label: String,
        value: String,
    },
    /// The final total row.
    Total {
        label: String,
        value: String,
    },
    /// An in-table header whose second row has only 序号 and 一级指标: the items below it carry
    /// one text, written across the 文件依据 … 二级指标 columns.
    Subheader,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceItem {
    pub id: String,
    /// 项目 texts, outermost first, points included (`职能工作目标 (68分)`).
    pub levels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// 一级指标; `**…**` marks bold runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Written as a number when it is one, as text otherwise (tests write bad weights too).
    pub weight: String,
    pub deadline: String,
    #[serde(default)]
    pub leaders: Vec<String>,
    pub departments: Vec<String>,
    pub persons: Vec<String>,
}

impl SourceItem {
    fn group(&self) -> String {
        tianbao::model::group_of(&self.id)
    }
}

impl MasterSource {
    pub fn from_toml(text: &str) -> Result<MasterSource, toml::de::Error> {
        toml::from_str(text)
    }

    pub fn items(&self) -> impl Iterator<Item = &SourceItem> {
        self.rows.iter().filter_map(|r| match r {
            SourceRow::Item(item) => Some(item),
            _ => None,
        })
    }

    pub fn items_mut(&mut self) -> impl Iterator<Item = &mut SourceItem> {
        self.rows.iter_mut().filter_map(|r| match r {
            SourceRow::Item(item) => Some(item),
            _ => None,
        })
    }
}

/// How to lay the table out: the variations real masters show.
#[derive(Debug, Clone)]
pub struct Layout {
    pub sheet_name: String,
    /// Between names in one cell: a line break, or a space as some offices type them.
    pub name_separator: String,
    /// Repeat the two header rows before these item ids, as a table pasted across page breaks;
    /// merged cells are split there and their continuation left empty.
    pub repeat_header_before: Vec<String>,
    /// Sheets before the table's sheet: (name, lines of text).
    pub sheets_before: Vec<(String, Vec<String>)>,
    /// Text rows between the title and the header (`单位：…`).
    pub rows_above: Vec<String>,
    /// Note rows after a blank row below the table (`注：…`).
    pub notes_below: Vec<String>,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            sheet_name: "考评表".into(),
            name_separator: "\n".into(),
            repeat_header_before: Vec::new(),
            sheets_before: Vec::new(),
            rows_above: Vec::new(),
            notes_below: Vec::new(),
        }
    }
}

// Columns of the standard layout.
const COL_LEVEL1: u16 = 0;
const COL_LEVEL2: u16 = 1;
const COL_ID: u16 = 2;
const COL_BASIS: u16 = 3;
const COL_INDICATOR: u16 = 4;
const COL_TASK: u16 = 5;
const COL_WEIGHT: u16 = 6;
const COL_DEADLINE: u16 = 7;
const COL_LEADERS: u16 = 8;
const COL_DEPARTMENTS: u16 = 9;
const COL_PERSONS: u16 = 10;
const WIDTHS: [f64; 11] = [7.0, 4.5, 7.0, 26.0, 26.0, 42.0, 6.0, 9.0, 8.0, 11.0, 8.0];

#[derive(Debug, Clone, Copy)]
enum Line<'a> {
    Title,
    Above(&'a str),
    HeaderTop,
    HeaderBottom {
        short: bool,
    },
    Item {
        item: &'a SourceItem,
        short: bool,
    },
    Sum {
        label: &'a str,
        value: &'a str,
        bold: bool,
    },
    Blank,
    Note(&'a str),
}

fn lines_of<'a>(source: &'a MasterSource, layout: &'a Layout) -> Vec<Line<'a>> {
    let mut lines = vec![Line::Title];
    lines.extend(layout.rows_above.iter().map(|t| Line::Above(t)));
    lines.extend([Line::HeaderTop, Line::HeaderBottom { short: false }]);
    let mut short = false;
    for row in &source.rows {
        match row {
            SourceRow::Item(item) => {
                if layout.repeat_header_before.contains(&item.id) {
                    lines.extend([Line::HeaderTop, Line::HeaderBottom { short }]);
                }
                lines.push(Line::Item { item, short });
            }
            SourceRow::Subheader => {
                short = true;
                lines.extend([Line::HeaderTop, Line::HeaderBottom { short }]);
            }
            SourceRow::Subtotal { label, value } => lines.push(Line::Sum {
                label,
                value,
                bold: false,
            }),
            SourceRow::Total { label, value } => lines.push(Line::Sum {
                label,
                value,
                bold: true,
            }),
        }
    }
    if !layout.notes_below.is_empty() {
        lines.push(Line::Blank);
        lines.extend(layout.notes_below.iter().map(|t| Line::Note(t)));
    }
    lines
}

/// A maximal run of consecutive item lines sharing a key.
struct Run {
    first: usize,
    last: usize,
    text: String,
    /// The same key as the run before a header break: a split merge, written empty.
    continuation: bool,
}

fn runs(lines: &[Line], key: impl Fn(&SourceItem, bool) -> Option<(String, String)>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut current: Option<(String, Run)> = None;
    let mut before_break: Option<String> = None;
    let mut only_headers_since = true;
    for (index, line) in lines.iter().enumerate() {
        let this = match line {
            Line::Item { item, short } => key(item, *short),
            _ => None,
        };
        match (&mut current, this) {
            (Some((k, run)), Some((key, _))) if *k == key && run.last + 1 == index => {
                run.last = index;
            }
            (_, next) => {
                if let Some((k, run)) = current.take() {
                    before_break = Some(k);
                    only_headers_since = true;
                    out.push(run);
                }
                if let Some((key, text)) = next {
                    let continuation = only_headers_since && before_break.as_ref() == Some(&key);
                    current = Some((
                        key,
                        Run {
                            first: index,
                            last: index,
                            text,
                            continuation,
                        },
                    ));
                } else if !matches!(line, Line::HeaderTop | Line::HeaderBottom { .. }) {
                    only_headers_since = false;
                }
            }
        }
    }
    if let Some((_, run)) = current {
        out.push(run);
    }
    out
}

struct Formats {
    title: Format,
    above: Format,
    header: Format,
    center: Format,
    left: Format,
    level: Format,
    stacked: Format,
    sum: Format,
    sum_bold: Format,
    note: Format,
    plain_run: Format,
    bold_run: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = base_format();
        let cell = base.clone().set_border(FormatBorder::Thin);
        Formats {
            title: base
                .clone()
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center),
            above: base.clone(),
            header: cell
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color("#D9D9D9"),
            center: cell.clone().set_align(FormatAlign::Center),
            left: cell.clone().set_align(FormatAlign::Left),
            // Category cells span many rows, often several pages: text at the top shows on
            // the page where the category starts.
            level: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::Top),
            stacked: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::Top)
                .set_rotation(270),
            sum: cell.clone().set_align(FormatAlign::Center),
            sum_bold: cell.clone().set_align(FormatAlign::Center).set_bold(),
            note: base.clone().set_text_wrap(),
            plain_run: run_format(),
            bold_run: run_format().set_bold(),
        }
    }
}

/// Writes `text` over the region, merging when it is more than one cell; `**…**` becomes bold.
fn put(
    sheet: &mut Worksheet,
    formats: &Formats,
    (r0, c0): (u32, u16),
    (r1, c1): (u32, u16),
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if (r0, c0) != (r1, c1) {
        sheet.merge_range(r0, c0, r1, c1, "", format)?;
    }
    let segments = rich_segments(text);
    if segments.iter().any(|(bold, _)| *bold) {
        let parts: Vec<(&Format, &str)> = segments
            .iter()
            .map(|(bold, s)| {
                let run = if *bold {
                    &formats.bold_run
                } else {
                    &formats.plain_run
                };
                (run, s.as_str())
            })
            .collect();
        sheet.write_rich_string_with_format(r0, c0, &parts, format)?;
    } else {
        sheet.write_string_with_format(r0, c0, text, format)?;
    }
    Ok(())
}

/// `a**b**c` → [(false,"a"), (true,"b"), (false,"c")], empty segments dropped.
fn rich_segments(text: &str) -> Vec<(bool, String)> {
    text.split("**")
        .enumerate()
        .filter(|(_, s)| !s.is_empty())
        .map(|(i, s)| (i % 2 == 1, s.to_string()))
        .collect()
}

/// Plain text of a source text: the bold markers removed.
pub fn plain(text: &str) -> String {
    text.replace("**", "")
}

/// Writes the master table as an .xlsx workbook.
pub fn write_master(source: &MasterSource, layout: &Layout) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    // A fixed creation time keeps the bytes reproducible.
    let created = ExcelDateTime::from_ymd(2023, 1, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&source.title)
            .set_creation_datetime(&created),
    );
    for (name, text) in &layout.sheets_before {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        sheet.set_column_width(0, 80)?;
        for (row, line) in text.iter().enumerate() {
            sheet.write_string(row as u32, 0, line)?;
        }
    }
    let formats = Formats::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(&layout.sheet_name)?;
    for (col, width) in WIDTHS.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    let lines = lines_of(source, layout);
    let mut heights: Vec<u32> = vec![1; lines.len()];
    let sep = layout.name_separator.as_str();
    let mut first_header = None;

    for (index, line) in lines.iter().enumerate() {
        let row = index as u32;
        match line {
            Line::Title => {
                put(
                    sheet,
                    &formats,
                    (row, 0),
                    (row, COL_PERSONS),
                    &source.title,
                    &formats.title,
                )?;
                sheet.set_row_height(row, 36)?;
            }
            Line::Above(text) => {
                put(
                    sheet,
                    &formats,
                    (row, 0),
                    (row, COL_PERSONS),
                    text,
                    &formats.above,
                )?;
            }
            Line::HeaderTop => {
                first_header.get_or_insert(row);
                let h = &formats.header;
                put(
                    sheet,
                    &formats,
                    (row, COL_LEVEL1),
                    (row + 1, COL_LEVEL2),
                    "项目",
                    h,
                )?;
                put(
                    sheet,
                    &formats,
                    (row, COL_ID),
                    (row, COL_TASK),
                    "目标内容",
                    h,
                )?;
                put(
                    sheet,
                    &formats,
                    (row, COL_WEIGHT),
                    (row + 1, COL_WEIGHT),
                    "权重",
                    h,
                )?;
                put(
                    sheet,
                    &formats,
                    (row, COL_DEADLINE),
                    (row + 1, COL_DEADLINE),
                    "完成时限",
                    h,
                )?;
                put(
                    sheet,
                    &formats,
                    (row, COL_LEADERS),
                    (row, COL_PERSONS),
                    "责任分解",
                    h,
                )?;
            }
            Line::HeaderBottom { short } => {
                let h = &formats.header;
                put(sheet, &formats, (row, COL_ID), (row, COL_ID), "序号", h)?;
                if *short {
                    put(
                        sheet,
                        &formats,
                        (row, COL_BASIS),
                        (row, COL_TASK),
                        "一级指标",
                        h,
                    )?;
                } else {
                    put(
                        sheet,
                        &formats,
                        (row, COL_BASIS),
                        (row, COL_BASIS),
                        "文件依据",
                        h,
                    )?;
                    put(
                        sheet,
                        &formats,
                        (row, COL_INDICATOR),
                        (row, COL_INDICATOR),
                        "一级指标",
                        h,
                    )?;
                    put(
                        sheet,
                        &formats,
                        (row, COL_TASK),
                        (row, COL_TASK),
                        "二级指标",
                        h,
                    )?;
                }
                put(
                    sheet,
                    &formats,
                    (row, COL_LEADERS),
                    (row, COL_LEADERS),
                    "分管领导",
                    h,
                )?;
                put(
                    sheet,
                    &formats,
                    (row, COL_DEPARTMENTS),
                    (row, COL_DEPARTMENTS),
                    "责任部门",
                    h,
                )?;
                put(
                    sheet,
                    &formats,
                    (row, COL_PERSONS),
                    (row, COL_PERSONS),
                    "责任人",
                    h,
                )?;
            }
            Line::Item { item, short } => {
                let c = &formats.center;
                put(sheet, &formats, (row, COL_ID), (row, COL_ID), &item.id, c)?;
                if *short {
                    let text = item.indicator.as_deref().unwrap_or_default();
                    put(
                        sheet,
                        &formats,
                        (row, COL_BASIS),
                        (row, COL_TASK),
                        text,
                        &formats.left,
                    )?;
                    let width = WIDTHS[3] + WIDTHS[4] + WIDTHS[5];
                    heights[index] = heights[index].max(wrapped_lines(&plain(text), width));
                } else {
                    let task = item.task.as_deref().unwrap_or_default();
                    put(
                        sheet,
                        &formats,
                        (row, COL_TASK),
                        (row, COL_TASK),
                        task,
                        &formats.left,
                    )?;
                    heights[index] = heights[index].max(wrapped_lines(task, WIDTHS[5]));
                }
                match parse_decimal(&item.weight).and_then(|d| d.to_string().parse::<f64>().ok()) {
                    Some(n) => sheet.write_number_with_format(row, COL_WEIGHT, n, c)?,
                    None => sheet.write_string_with_format(row, COL_WEIGHT, &item.weight, c)?,
                };
                put(
                    sheet,
                    &formats,
                    (row, COL_DEADLINE),
                    (row, COL_DEADLINE),
                    &item.deadline,
                    c,
                )?;
                for (col, names) in [
                    (COL_LEADERS, &item.leaders),
                    (COL_DEPARTMENTS, &item.departments),
                    (COL_PERSONS, &item.persons),
                ] {
                    let text = names.join(sep);
                    put(sheet, &formats, (row, col), (row, col), &text, c)?;
                    heights[index] = heights[index].max(wrapped_lines(&text, WIDTHS[col as usize]));
                }
            }
            Line::Sum { label, value, bold } => {
                let f = if *bold {
                    &formats.sum_bold
                } else {
                    &formats.sum
                };
                put(
                    sheet,
                    &formats,
                    (row, COL_LEVEL1),
                    (row, COL_TASK),
                    label,
                    f,
                )?;
                match parse_decimal(value).and_then(|d: Decimal| d.to_string().parse::<f64>().ok())
                {
                    Some(n) => sheet.write_number_with_format(row, COL_WEIGHT, n, f)?,
                    None => sheet.write_string_with_format(row, COL_WEIGHT, *value, f)?,
                };
                for col in COL_DEADLINE..=COL_PERSONS {
                    sheet.write_blank(row, col, f)?;
                }
                heights[index] = 2;
            }
            Line::Blank => {}
            Line::Note(text) => {
                put(
                    sheet,
                    &formats,
                    (row, 0),
                    (row, COL_PERSONS),
                    text,
                    &formats.note,
                )?;
            }
        }
    }

    // Merged category and group cells, and the row heights their text needs.
    let mut region = |sheet: &mut Worksheet,
                      runs: Vec<Run>,
                      cols: (u16, u16),
                      format: &Format,
                      lines_needed: &dyn Fn(&str) -> u32|
     -> Result<(), XlsxError> {
        for run in runs {
            let text = if run.continuation {
                ""
            } else {
                run.text.as_str()
            };
            put(
                sheet,
                &formats,
                (run.first as u32, cols.0),
                (run.last as u32, cols.1),
                text,
                format,
            )?;
            let need = lines_needed(&plain(text));
            let have: u32 = heights[run.first..=run.last].iter().sum();
            if need > have {
                let rows = (run.last - run.first + 1) as u32;
                let extra = (need - have).div_ceil(rows);
                for h in &mut heights[run.first..=run.last] {
                    *h += extra;
                }
            }
        }
        Ok(())
    };
    let two_levels = |item: &SourceItem| item.levels.len() >= 2;
    region(
        sheet,
        runs(&lines, |item, _| {
            two_levels(item).then(|| (item.levels[0].clone(), item.levels[0].clone()))
        }),
        (COL_LEVEL1, COL_LEVEL1),
        &formats.level,
        &|t| wrapped_lines(t, WIDTHS[0]),
    )?;
    region(
        sheet,
        runs(&lines, |item, _| {
            (item.levels.len() == 1).then(|| (item.levels[0].clone(), item.levels[0].clone()))
        }),
        (COL_LEVEL1, COL_LEVEL2),
        &formats.center,
        &|t| wrapped_lines(t, WIDTHS[0] + WIDTHS[1]),
    )?;
    region(
        sheet,
        runs(&lines, |item, _| {
            two_levels(item).then(|| (item.levels[..2].join("\u{1}"), item.levels[1].clone()))
        }),
        (COL_LEVEL2, COL_LEVEL2),
        &formats.stacked,
        &|t| t.chars().count() as u32,
    )?;
    for (col, field) in [
        (
            COL_BASIS,
            (|i: &SourceItem| i.basis.clone()) as fn(&SourceItem) -> Option<String>,
        ),
        (COL_INDICATOR, |i: &SourceItem| i.indicator.clone()),
    ] {
        let group_runs = runs(&lines, |item, short| {
            if short {
                return None;
            }
            let text = field(item).unwrap_or_default();
            Some((format!("{}\u{1}{text}", item.group()), text))
        });
        region(sheet, group_runs, (col, col), &formats.left, &|t| {
            wrapped_lines(t, WIDTHS[col as usize])
        })?;
    }

    for (index, line) in lines.iter().enumerate() {
        if matches!(
            line,
            Line::Item { .. } | Line::Sum { .. } | Line::HeaderTop | Line::HeaderBottom { .. }
        ) {
            sheet.set_row_height(index as u32, height_for(heights[index]))?;
        }
    }
    let header = first_header.unwrap_or(1);
    print_setup(sheet, Some((header, header + 1)), "&C第 &P 页 / 共 &N 页")?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rich_segments_alternate() {
        assert_eq!(
            rich_segments("a**b**c"),
            vec![(false, "a".into()), (true, "b".into()), (false, "c".into())]
        );
        assert_eq!(rich_segments("**b**"), vec![(true, "b".into())]);
        assert_eq!(plain("a**b**"), "ab");
    }
}
