//! The feedback workbook: a fill-in workbook of the next round, prefilled with what the
//! department returned, that adds marks — each problem highlighted at its cell with a note, and
//! listed on a 问题清单 sheet. The return checker makes the [`Prefill`] from a return; the
//! template writer writes it (the demo and carried periods prefill the same way, without marks).

use std::collections::HashMap;

use crate::model::Item;
use crate::spec::{Shown, Spec};

use super::Form;
use super::fill_in::FillIn;

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
    /// An input or sign-off key; `None` marks the item's row (its id cell), or the master
    /// column labelled `column`.
    pub key: Option<String>,
    /// The label of a master column of the form (a locked cell that was changed).
    pub column: Option<String>,
    pub message: String,
}

/// The name of the sheet listing the problems (问题清单).
pub fn problems_sheet(spec: &Spec) -> String {
    spec.word("feedback.sheet")
}

/// Where each mark lands on the fill-in sheet (0-based row, col), if anywhere.
pub fn mark_positions(
    marks: &[Mark],
    items: &[&Item],
    form: &Form,
    layout: &FillIn,
) -> Vec<Option<(u32, u16)>> {
    let master_col = |label: &str| {
        form.shown
            .iter()
            .position(|c| c.label == label)
            .map(|i| i as u16)
    };
    marks
        .iter()
        .map(|mark| match (&mark.item, &mark.key) {
            (Some(id), key) => {
                let index = items.iter().position(|i| &i.id == id)?;
                let row = FillIn::item_row(index);
                let col = match (key, &mark.column) {
                    (Some(key), _) => layout.input_col(key)?,
                    (None, Some(label)) => master_col(label)
                        .or_else(|| layout.shown_col(Shown::ID))
                        .unwrap_or(0),
                    (None, None) => layout.shown_col(Shown::ID).unwrap_or(0),
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
pub type Notes = HashMap<(u32, u16), Vec<String>>;

/// The notes of the marks placed at `positions` ([`mark_positions`]), in the marks' order.
pub fn notes(marks: &[Mark], positions: &[Option<(u32, u16)>]) -> Notes {
    let mut notes: Notes = HashMap::new();
    for (mark, position) in marks.iter().zip(positions) {
        if let Some(position) = position {
            notes
                .entry(*position)
                .or_default()
                .push(mark.message.clone());
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(item: Option<&str>, key: Option<&str>, message: &str) -> Mark {
        Mark {
            item: item.map(str::to_string),
            key: key.map(str::to_string),
            column: None,
            message: message.into(),
        }
    }

    #[test]
    fn marks_land_on_inputs_sign_off_or_nowhere() {
        let layout = FillIn {
            shown: vec![Shown::ID, Shown::WEIGHT],
            inputs: vec![("score".into(), 2), ("reason".into(), 3)],
            signoff: vec![("person".into(), 9)],
            signoff_value_col: 2,
            item_count: 1,
        };
        let form = Form {
            shown: Vec::new(),
            lead_word: String::new(),
            cooperating_word: String::new(),
        };
        let item = Item {
            id: "1".into(),
            id_assigned: false,
            category: Vec::new(),
            group: "1".into(),
            points: None,
            texts: Vec::new(),
            weight: None,
            deadline: None,
            leaders: Vec::new(),
            departments: Vec::new(),
            lead_count: 0,
            persons: Vec::new(),
            row: 1,
            hidden: false,
        };
        let marks = [
            mark(Some("1"), Some("reason"), "a"),
            mark(Some("1"), None, "b"),
            mark(None, Some("person"), "c"),
            mark(None, None, "d"),
            mark(Some("2"), None, "e"),
            mark(Some("1"), Some("reason"), "f"),
        ];
        let positions = mark_positions(&marks, &[&item], &form, &layout);
        assert_eq!(
            positions,
            vec![
                Some((3, 3)),
                Some((3, 0)),
                Some((9, 2)),
                None,
                None,
                Some((3, 3))
            ]
        );
        let notes = notes(&marks, &positions);
        assert_eq!(notes[&(3, 3)], vec!["a".to_string(), "f".to_string()]);
        assert_eq!(notes.len(), 3);
    }
}
