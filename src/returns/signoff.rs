//! A returned sign-off block (填报人, 联系电话 … on a fill-in sheet; 审核人, 审核日期 on a review
//! sheet): each field found by its label below the table ([`super::locate::signoff_cell`]) and
//! its value checked by the field's rules.

use indexmap::IndexMap;

use crate::finding::Code;
use crate::spec::InputSpec;
use crate::workbook::Sheet;
use crate::workbook::a1;

use super::CellValue;
use super::cells::value_text;
use super::findings::{At, Findings};
use super::locate::signoff_cell;
use super::rules::check_text_input;

/// How a sign-off's findings name the field.
pub(super) enum Naming {
    /// By its key (a fill-in sheet's: the feedback workbook marks the field).
    Key,
    /// By its label, and where the block is (`where`: the review's sign-off).
    Label { place: String },
}

impl Naming {
    /// The variant of a required field left empty.
    fn missing(&self) -> &'static str {
        match self {
            Naming::Key => "required_missing_signoff",
            Naming::Label { .. } => "required_missing.review_signoff",
        }
    }
}

/// Reads and checks the sign-off `fields` below row `from`; a field whose label is not found
/// reads empty (at `from`, `value_col`).
pub(super) fn read(
    sheet: &Sheet,
    from: u32,
    fields: &[InputSpec],
    value_col: u16,
    naming: &Naming,
    f: &mut Findings,
) -> IndexMap<String, CellValue> {
    let mut out = IndexMap::new();
    let value_col = u32::from(value_col);
    for input in fields {
        let found = signoff_cell(sheet, from, &input.label, value_col);
        let (row, col) = found.unwrap_or((from, value_col));
        let text = if found.is_some() {
            value_text(sheet.grid.raw(row, col))
        } else {
            String::new()
        };
        let at = |value: Option<String>, expected: Option<String>| {
            let mut at = At {
                cell: Some((row, col)),
                value,
                expected,
                ..At::default()
            };
            match naming {
                Naming::Key => at.key = Some(&input.key),
                Naming::Label { place } => {
                    at.args = vec![("label", input.label.clone()), ("where", place.clone())];
                }
            }
            at
        };
        // Messages about the sign-off name no item.
        let before = f.list.len();
        check_text_input(input, &text, f, &at);
        for finding in &mut f.list[before..] {
            if finding.code == Code::RequiredMissing {
                finding.variant = Some(naming.missing().into());
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
