//! Finding things on a returned workbook, for every kind of workbook read: the sheet a person
//! sees that holds a form (the issued one first), its header row by the labels it must carry,
//! each column by its label (moved or inserted columns are found; a second column of an input's
//! label, or a hidden one, is a problem), where the table's rows end (the labels written below
//! it), and hidden sheets that hold a copy of a form.

use crate::finding::Code;
use crate::workbook::a1;
use crate::workbook::{self, Sheet, Value};

use super::cells::{label_key, row_label_keys};
use super::findings::{At, Findings};

/// How many rows from the top a header is looked for in.
const HEADER_ROWS: u32 = 30;
/// How many columns are read as a header.
const HEADER_COLS: u32 = 200;

/// The sheets a person sees (never the identity sheet), the one named `issued` first.
pub(super) fn visible_sheets<'b>(book: &'b workbook::Workbook, issued: &str) -> Vec<&'b Sheet> {
    let mut sheets: Vec<&Sheet> = book
        .sheets
        .iter()
        .filter(|s| s.name != crate::identity::SHEET_NAME)
        .filter(|s| s.visibility == workbook::Visibility::Visible)
        .collect();
    sheets.sort_by_key(|s| s.name != issued);
    sheets
}

/// The first sheet a person sees (the issued one first) where `header` finds its header.
pub(super) fn find_sheet<'b, T>(
    book: &'b workbook::Workbook,
    issued: &str,
    header: impl Fn(&Sheet) -> Option<T>,
) -> Option<(&'b Sheet, T)> {
    visible_sheets(book, issued)
        .into_iter()
        .find_map(|s| header(s).map(|h| (s, h)))
}

/// The row, among a sheet's first rows, that a person sees and that carries every label of
/// `labels`.
pub(super) fn header_row(sheet: &Sheet, labels: &[String]) -> Option<u32> {
    let keys: Vec<String> = labels.iter().map(|l| label_key(l)).collect();
    let width = sheet.grid.width().min(HEADER_COLS);
    (0..sheet.grid.height().min(HEADER_ROWS)).find(|&r| {
        let row = row_label_keys(sheet, r, width);
        !sheet.is_row_hidden(r) && keys.iter().all(|k| row.contains(k))
    })
}

/// A header row as returned: the label key of each of its cells.
pub(super) struct Header {
    pub(super) row: u32,
    keys: Vec<String>,
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

impl Header {
    pub(super) fn new(sheet: &Sheet, row: u32) -> Header {
        let width = sheet.grid.width().min(HEADER_COLS);
        Header {
            row,
            keys: row_label_keys(sheet, row, width),
        }
    }

    /// The columns carrying `label`.
    pub(super) fn cols_of(&self, label: &str) -> Vec<u32> {
        let key = label_key(label);
        (0..self.keys.len() as u32)
            .filter(|&c| self.keys[c as usize] == key)
            .collect()
    }

    /// The first column carrying `label`, else where it was issued.
    pub(super) fn col_or(&self, label: &str, issued: u32) -> u32 {
        self.cols_of(label).first().copied().unwrap_or(issued)
    }

    /// The one visible column of an input labelled `label` (else where it was issued).
    pub(super) fn input_col(
        &self,
        sheet: &Sheet,
        label: &str,
        issued: u32,
    ) -> Result<u32, ColumnProblem> {
        let found = self.cols_of(label);
        if let [first, second, ..] = found[..] {
            return Err(ColumnProblem::Duplicate {
                label: label.to_string(),
                cell: (self.row, second),
                first: (self.row, first),
            });
        }
        let col = found.first().copied().unwrap_or(issued);
        if sheet.is_col_hidden(col) {
            return Err(ColumnProblem::Hidden {
                label: label.to_string(),
                cell: (self.row, col),
            });
        }
        Ok(col)
    }
}

/// The finding of an input column that cannot be read as issued.
pub(super) fn column_problem(problem: &ColumnProblem, f: &mut Findings) {
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

/// The first row from `first` whose first cells hold one of the labels written below a table
/// (`below`): where the table's rows end; the sheet's height without one.
pub(super) fn table_end(sheet: &Sheet, first: u32, below: &[String]) -> u32 {
    let stops: Vec<String> = below.iter().map(|l| label_key(l)).collect();
    let width = sheet.grid.width().min(HEADER_COLS);
    (first..sheet.grid.height())
        .find(|&row| {
            // Only short cells can be the labels; item texts are skipped unfolded.
            (0..width.min(3)).any(|c| match sheet.grid.spread(row, c) {
                Value::Text(t) if t.len() <= 120 => stops.contains(&label_key(t)),
                _ => false,
            })
        })
        .unwrap_or(sheet.grid.height())
}

/// Where a sign-off field labelled `label` stands below `from`: the label's row and the first
/// filled cell to its right (else `value_col`, or the cell right of the label); `None` when no
/// label is found.
pub(super) fn signoff_cell(
    sheet: &Sheet,
    from: u32,
    label: &str,
    value_col: u32,
) -> Option<(u32, u32)> {
    let width = sheet.grid.width().min(HEADER_COLS);
    let key = label_key(label);
    let (row, label_col) = (from..sheet.grid.height()).find_map(|r| {
        (0..width.min(4))
            .find(|&c| label_key(&sheet.grid.raw(r, c).to_text()) == key)
            .map(|c| (r, c))
    })?;
    let col = (label_col + 1..width)
        .find(|&c| !sheet.grid.raw(row, c).is_empty())
        .unwrap_or(value_col.max(label_col + 1));
    Some((row, col))
}

/// A hidden sheet that holds a form (`holds_form` finds its header) is an error naming it:
/// what it holds is never read, and nobody who opens the workbook sees it.
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
            let at = At {
                cell: Some((row, 0)),
                value: Some(sheet.name.clone()),
                ..At::default()
            };
            f.error_on(&sheet.name, Code::SheetHidden, at);
        }
    }
}
