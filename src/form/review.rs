//! The assessment group's review workbook (核定表): its rows (one per item and department),
//! where its columns, sign-off and 加减分 table stand, the labels they are found by, and the
//! identity it carries (kind `review`: each row with the hash of its locked texts and the
//! department's texts it showed, and the fingerprint of the rows' master cells). The template
//! writer lays the workbook out by [`Review`]; the return checker reads it back by the same
//! definition.

use crate::identity::{IssuedRow, Kind, rows_fingerprint};
use crate::model::{Item, Master};
use crate::spec::{Shown, Spec};

use super::Form;

/// The kind of identity a review workbook carries.
pub const KIND: Kind = Kind::Review;

/// The first row of the review sheet's rows (0-based): title, subtitle and header above.
pub const FIRST_ROW: u32 = 3;
/// The first input row of the 加减分 sheet (0-based).
pub const ADJUST_FIRST_ROW: u32 = 3;
/// The hidden sheet holding the departments, for the 部门 dropdown of 加减分.
pub const LISTS_SHEET: &str = "_tianbao_lists";
/// The keys of the 加减分 columns, left to right (序号 is locked, the others are inputs).
pub const ADJUST_KEYS: [&str; 5] = ["no", "department", "category", "points", "basis"];
/// The column of a sign-off field's value (0-based).
pub const SIGNOFF_VALUE_COL: u16 = 2;

/// Where things stand on the review sheet: shared by the writer and the reader.
#[derive(Debug, Clone)]
pub struct Review {
    /// Master columns first (as many as the form shows).
    pub shown: usize,
    pub department_col: u16,
    /// The departments' inputs shown, by key, and their columns.
    pub inputs: Vec<(String, u16)>,
    pub found_col: u16,
    pub score_col: u16,
    pub note_col: u16,
    /// Row of each sign-off key (0-based), and the column of its value.
    pub signoff: Vec<(String, u32)>,
    pub signoff_value_col: u16,
}

impl Review {
    pub fn new(form: &Form, spec: &Spec, rows: usize) -> Review {
        let shown = form.shown.len();
        let department_col = shown as u16;
        let inputs: Vec<(String, u16)> = spec
            .review
            .shown_inputs
            .iter()
            .enumerate()
            .map(|(i, key)| (key.clone(), department_col + 1 + i as u16))
            .collect();
        let found_col = department_col + 1 + inputs.len() as u16;
        let first_signoff = FIRST_ROW + rows as u32 + 2;
        Review {
            shown,
            department_col,
            inputs,
            found_col,
            score_col: found_col + 1,
            note_col: found_col + 2,
            signoff: spec
                .review
                .signoff
                .iter()
                .enumerate()
                .map(|(i, s)| (s.key.clone(), first_signoff + i as u32))
                .collect(),
            signoff_value_col: SIGNOFF_VALUE_COL,
        }
    }

    pub fn width(&self) -> u16 {
        self.note_col + 1
    }
}

/// The labels of the review sheet's columns after the master's.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// 部门.
    pub department: String,
    /// The departments' inputs shown (`[review] shown_inputs`), in order.
    pub inputs: Vec<String>,
    /// 随表文件.
    pub found: String,
    /// 核定得分.
    pub score: String,
    /// 核定说明.
    pub note: String,
}

/// The labels of the review sheet's columns after the master's: 部门, the shown inputs, 随表文件,
/// 核定得分, 核定说明.
pub fn labels(spec: &Spec) -> Labels {
    let inputs = spec
        .review
        .shown_inputs
        .iter()
        .map(|key| {
            spec.inputs
                .iter()
                .find(|i| &i.key == key)
                .map(|i| i.label.clone())
                .unwrap_or_default()
        })
        .collect();
    Labels {
        department: spec.word("review.col.department"),
        inputs,
        found: spec.word("review.col.found"),
        score: spec.word("review.col.score"),
        note: spec.word("review.col.note"),
    }
}

/// The labels a review sheet's header is found by: the id's, 部门's and 核定得分's.
pub fn header_labels(form: &Form, spec: &Spec) -> Option<[String; 3]> {
    let id = form.shown[form.position(Shown::ID)?].label.clone();
    let labels = labels(spec);
    Some([id, labels.department, labels.score])
}

/// The labels written below the review's rows, in the first columns: where the rows end (the
/// sign-off fields and title).
pub fn below_rows_labels(spec: &Spec) -> Vec<String> {
    let mut labels: Vec<String> = spec
        .review
        .signoff
        .iter()
        .map(|s| s.label.clone())
        .collect();
    labels.push(spec.review.signoff_title.clone());
    labels
}

/// The labels of the 加减分 columns ([`ADJUST_KEYS`]), left to right.
pub fn adjust_labels(spec: &Spec) -> Vec<String> {
    ADJUST_KEYS
        .iter()
        .map(|k| spec.word(&format!("review.col.{k}")))
        .collect()
}

/// The rows of a review of `master`: department by department (in the master's order), each
/// department's items in the master's order — a shared item once for each of its departments.
pub fn rows_of(master: &Master) -> Vec<(&Item, &str)> {
    master
        .departments()
        .iter()
        .flat_map(|d| master.items_of(&d.name).map(move |i| (i, d.name.as_str())))
        .collect()
}

/// The locked texts of a review row, left to right: the master's columns, the department, what
/// the department returned.
pub fn locked_texts(form: &Form, item: &Item, department: &str, values: &[String]) -> Vec<String> {
    let mut texts = form.row(item, department);
    texts.push(department.to_string());
    texts.extend(values.iter().cloned());
    texts
}

/// The key of a review row in the identity's fingerprint.
pub fn row_key(item: &str, department: &str) -> String {
    format!("{item}\u{1f}{department}")
}

/// The fingerprint of the master content of the review's rows (each row's master cells).
pub fn master_fingerprint<'a>(
    form: &Form,
    rows: impl IntoIterator<Item = (&'a Item, &'a str)>,
) -> String {
    let parts: Vec<(String, String)> = rows
        .into_iter()
        .map(|(item, department)| {
            (
                row_key(&item.id, department),
                form.row_hash(item, department),
            )
        })
        .collect();
    rows_fingerprint(parts.iter().map(|(k, h)| (k.as_str(), h.as_str())))
}

/// The row a review workbook's identity carries for the `index`th row: its item, 1-based row,
/// the hash of its locked texts, its department and the department's texts it showed.
pub fn issued_row(
    form: &Form,
    index: usize,
    item: &Item,
    department: &str,
    values: &[String],
) -> IssuedRow {
    IssuedRow {
        item: item.id.clone(),
        row: FIRST_ROW + index as u32 + 1,
        hash: crate::digest::row_hash(&locked_texts(form, item, department, values)),
        department: Some(department.to_string()),
        values: Some(values.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reviewers_columns_follow_the_departments() {
        let spec = Spec::builtin();
        let master = Master::new(crate::model::Parts::default());
        let form = Form::review(&master, &spec);
        let layout = Review::new(&form, &spec, 5);
        assert_eq!(layout.department_col as usize, form.shown.len());
        let inputs = spec.review.shown_inputs.len() as u16;
        assert_eq!(layout.found_col, layout.department_col + 1 + inputs);
        assert_eq!(
            (layout.score_col, layout.note_col),
            (layout.found_col + 1, layout.found_col + 2)
        );
        assert_eq!(layout.width(), layout.note_col + 1);
        assert_eq!(layout.signoff[0].1, FIRST_ROW + 5 + 2);
        assert_eq!(labels(&spec).inputs.len(), spec.review.shown_inputs.len());
        assert_eq!(adjust_labels(&spec).len(), ADJUST_KEYS.len());
    }

    #[test]
    fn row_keys_keep_item_and_department_apart() {
        assert_ne!(row_key("1-1", "办公室"), row_key("1", "-1办公室"));
    }
}
