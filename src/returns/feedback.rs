//! Feedback: what a department gets back when its return has errors — a freshly issued, signed
//! workbook of the next round, prefilled with everything it submitted, each problem highlighted
//! at its cell with a note, and listed on a 问题清单 sheet. The writer is the template writer.

use crate::finding::Code;
use crate::form::feedback::{Mark, Prefill};
use crate::spec::Spec;

use super::Return;

/// The values and marks for a department's feedback workbook.
pub fn prefill(spec: &Spec, ret: &Return) -> Prefill {
    let mut out = Prefill::default();
    for (id, item) in &ret.items {
        let values = out.items.entry(id.clone()).or_default();
        for (key, cell) in &item.values {
            if !cell.text.is_empty() {
                values.insert(key.clone(), cell.text.clone());
            }
        }
    }
    for (key, cell) in &ret.signoff {
        if !cell.text.is_empty() {
            out.signoff.insert(key.clone(), cell.text.clone());
        }
    }
    for finding in &ret.findings {
        if finding.code == Code::DuplicateReturn {
            continue;
        }
        let key = finding.cell.as_ref().and_then(|cell| {
            let in_item = finding
                .item
                .as_ref()
                .and_then(|id| ret.items.get(id))
                .and_then(|item| item.values.iter().find(|(_, v)| &v.cell == cell))
                .map(|(k, _)| k.clone());
            in_item.or_else(|| {
                if finding.item.is_some() {
                    return None;
                }
                ret.signoff
                    .iter()
                    .find(|(_, v)| &v.cell == cell)
                    .map(|(k, _)| k.clone())
            })
        });
        // The new workbook already holds the issued text and rows: say so, not "restore it".
        let message = match finding.code {
            Code::LockedCellChanged | Code::ItemMissing => {
                let mut restored = finding.clone();
                restored.variant = Some(format!("{}.restored", finding.code));
                restored.message(spec)
            }
            _ => finding.message(spec),
        };
        let column = (finding.code == Code::LockedCellChanged && key.is_none())
            .then(|| finding.get("label").map(str::to_string))
            .flatten();
        out.marks.push(Mark {
            item: finding.item.clone(),
            key,
            column,
            message,
        });
    }
    out
}

/// The round of the feedback workbook answering `ret`: one past the return's, and never behind
/// the campaign's.
pub fn next_round(ret: &Return, campaign_round: u32) -> u32 {
    (ret.round.unwrap_or(campaign_round) + 1).max(campaign_round)
}

/// `<department>-<title>-第N轮.xlsx` (from the spec), safe on every OS; the title is cut when
/// the name would be too long, the department never.
pub fn file_name(spec: &Spec, title: &str, department: &str, round: u32) -> String {
    crate::cell_text::file_name_keeping(
        &spec.word("feedback.file"),
        &[
            ("department", department),
            ("title", title),
            ("round", &round.to_string()),
        ],
        "title",
    )
}
