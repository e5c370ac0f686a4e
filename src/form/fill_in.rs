//! The fill-in workbook a department gets: where its items, inputs, totals and sign-off stand on
//! the fill-in sheet, the labels the sheet is found by, and the identity it carries (kind
//! `return`: each item row with the hash of its locked cells, and the fingerprint of them all).
//! The template writer lays the sheet out by [`FillIn`]; the return checker reads it back by the
//! same definition.

use crate::identity::{IssuedRow, Kind, rows_fingerprint};
use crate::model::Item;
use crate::spec::{Shown, Spec};

use super::Form;

/// The kind of identity a fill-in workbook carries.
pub const KIND: Kind = Kind::Return;

/// The first row of items on the fill-in sheet (0-based): title, subtitle, header above it.
pub const FIRST_ITEM_ROW: u32 = 3;

/// The header row of the fill-in sheet (0-based).
pub const HEADER_ROW: u32 = FIRST_ITEM_ROW - 1;

/// The column of a sign-off field's value (0-based): its label spans the columns before it.
pub const SIGNOFF_VALUE_COL: u16 = 2;

/// The rows under the items: the score total (with a score input), and the weight total where
/// items have weights.
pub fn total_rows(shown: &[Shown], scored: bool) -> u32 {
    u32::from(scored) + u32::from(shown.contains(&Shown::WEIGHT))
}

/// Where things stand on a fill-in sheet: shared by the writer and the return reader.
#[derive(Debug, Clone)]
pub struct FillIn {
    pub shown: Vec<Shown>,
    /// Column of each input key.
    pub inputs: Vec<(String, u16)>,
    /// Row of each sign-off key, and the column of its value.
    pub signoff: Vec<(String, u32)>,
    pub signoff_value_col: u16,
    pub item_count: u32,
}

impl FillIn {
    pub fn new(form: &Form, spec: &Spec, item_count: usize) -> FillIn {
        let shown: Vec<Shown> = form.shown.iter().map(|c| c.shown).collect();
        let inputs = spec
            .inputs
            .iter()
            .enumerate()
            .map(|(i, input)| (input.key.clone(), (shown.len() + i) as u16))
            .collect();
        let item_count = item_count as u32;
        // After the items: the total rows, a blank row, the sign-off title, then the fields.
        let scored = spec.score_input().is_some();
        let first_signoff = FIRST_ITEM_ROW + item_count + total_rows(&shown, scored) + 2;
        let signoff = spec
            .signoff
            .iter()
            .enumerate()
            .map(|(i, s)| (s.key.clone(), first_signoff + i as u32))
            .collect();
        FillIn {
            shown,
            inputs,
            signoff,
            signoff_value_col: SIGNOFF_VALUE_COL,
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

    /// The row of the `index`th item (0-based).
    pub fn item_row(index: usize) -> u32 {
        FIRST_ITEM_ROW + index as u32
    }
}

/// The labels a fill-in sheet's header is found by: the id's and the first input's.
pub fn header_labels(form: &Form, spec: &Spec) -> Option<[String; 2]> {
    let id = form.shown[form.position(Shown::ID)?].label.clone();
    let first_input = spec.inputs.first()?.label.clone();
    Some([id, first_input])
}

/// The labels written below the items, in the first columns: where the item rows end (the
/// score total, the sign-off fields and title, the weight total).
pub fn below_items_labels(spec: &Spec) -> Vec<String> {
    let mut labels = vec![spec.template.score_total.clone()];
    labels.extend(spec.signoff.iter().map(|s| s.label.clone()));
    labels.push(spec.template.signoff_title.clone());
    labels.push(spec.word("template.weight_total"));
    labels
}

/// Each item issued to `department` with the hash of its locked cells as the form shows them.
pub fn item_hashes<'i>(
    form: &Form,
    items: impl IntoIterator<Item = &'i Item>,
    department: &str,
) -> Vec<(&'i str, String)> {
    items
        .into_iter()
        .map(|item| (item.id.as_str(), form.row_hash(item, department)))
        .collect()
}

/// The fingerprint of a department's items and their hashes ([`item_hashes`]).
pub fn fingerprint(hashes: &[(&str, String)]) -> String {
    rows_fingerprint(hashes.iter().map(|(id, hash)| (*id, hash.as_str())))
}

/// The rows a fill-in workbook's identity carries: each item, its 1-based row, its hash.
pub fn issued_rows(form: &Form, items: &[&Item], department: &str) -> Vec<IssuedRow> {
    item_hashes(form, items.iter().copied(), department)
        .into_iter()
        .enumerate()
        .map(|(i, (item, hash))| IssuedRow {
            item: item.to_string(),
            row: FillIn::item_row(i) + 1,
            hash,
            department: None,
            values: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_follow_the_score_and_the_weight() {
        assert_eq!(total_rows(&[Shown::ID], false), 0);
        assert_eq!(total_rows(&[Shown::ID], true), 1);
        assert_eq!(total_rows(&[Shown::ID, Shown::WEIGHT], true), 2);
        assert_eq!(total_rows(&[Shown::WEIGHT], false), 1);
    }

    #[test]
    fn the_sign_off_follows_the_items_totals_and_a_blank_row() {
        let spec = Spec::builtin();
        let master = crate::model::Master::new(crate::model::Parts::default());
        let form = Form::new(&master, &spec);
        let layout = FillIn::new(&form, &spec, 4);
        let scored = u32::from(spec.score_input().is_some());
        let totals = total_rows(&layout.shown, scored == 1);
        let (_, first) = &layout.signoff[0];
        assert_eq!(*first, FIRST_ITEM_ROW + 4 + totals + 2);
        assert_eq!(
            layout.width() as usize,
            layout.shown.len() + spec.inputs.len()
        );
        let (key, col) = &layout.inputs[0];
        assert_eq!(layout.input_col(key), Some(*col));
        assert_eq!(*col as usize, layout.shown.len());
    }
}
