//! Cells of a returned sheet as text: the way their author sees them, as a locked cell is
//! compared with what was issued, and as a header label is matched (folded, without the
//! required mark). Shared by every kind of workbook read.

use crate::cell_text::{fold, to_halfwidth};
use crate::workbook::{self, Sheet, Value};

/// A cell's text, cleaned of stray spaces.
pub(super) fn cell_text(sheet: &Sheet, row: u32, col: u32) -> String {
    crate::cell_text::clean(&sheet.grid.raw(row, col).to_text())
}

/// A cell as text, the way its author sees it.
pub(super) fn value_text(value: &Value) -> String {
    match value {
        Value::Number(n) => workbook::format_number(*n),
        Value::DateTime(s) => s.split('T').next().unwrap_or(s).to_string(),
        other => crate::cell_text::clean(&other.to_text()),
    }
}

/// A locked cell's text as compared with what was issued.
pub(super) fn locked_text(sheet: &Sheet, row: u32, col: u32) -> String {
    match sheet.grid.raw(row, col) {
        Value::Number(n) => workbook::format_number(*n),
        other => crate::cell_text::clean(&other.to_text()),
    }
}

/// The locked texts of a row at `cols`, as its hash is made.
pub(super) fn locked_texts(
    sheet: &Sheet,
    row: u32,
    cols: impl IntoIterator<Item = u32>,
) -> Vec<String> {
    cols.into_iter()
        .map(|col| locked_text(sheet, row, col))
        .collect()
}

/// An item id as typed, compared with the issued ones: half-width, without spaces.
pub(super) fn id_key(sheet: &Sheet, row: u32, col: u32) -> String {
    to_halfwidth(&cell_text(sheet, row, col)).replace(' ', "")
}

/// Whether anything is in the first `width` cells of `row`.
pub(super) fn has_content(sheet: &Sheet, row: u32, width: u32) -> bool {
    (0..width).any(|c| !sheet.grid.raw(row, c).is_empty())
}

/// Compared as people see it: no white space, half-width.
pub(super) fn same_text(a: &str, b: &str) -> bool {
    a == b || fold(a) == fold(b)
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

/// The label keys of the first `width` cells of `row`.
pub(super) fn row_label_keys(sheet: &Sheet, row: u32, width: u32) -> Vec<String> {
    (0..width)
        .map(|c| label_key(&sheet.grid.raw(row, c).to_text()))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_shown_around_the_change() {
        let base = "一".repeat(60);
        let (a, e) = differing_parts(&format!("{base}（已调整）"), &base);
        assert_eq!(a, format!("…{}（已调整）", "一".repeat(12)));
        assert_eq!(e, format!("…{}", "一".repeat(12)));
        assert_eq!(differing_parts("短", "长"), ("短".into(), "长".into()));
    }

    #[test]
    fn labels_match_without_their_required_marks() {
        assert_eq!(label_key("扣分原因（扣分时必填）"), label_key("扣分原因"));
        assert_eq!(label_key("自评得分*"), label_key("自评得分"));
        assert_eq!(
            label_key("Reason for deduction (required if points are deducted)"),
            label_key("Reason for deduction")
        );
        assert_ne!(label_key("备注（总表）"), label_key("备注"));
    }
}
