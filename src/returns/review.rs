//! The assessment group's review workbook as returned (`tianbao review` wrote it, laid out by
//! [`crate::form::review`]): checked like any return, and then decided on like one.
//!
//! It is read like any return by the one checker ([`super::check`]): its 核定表 sheet by
//! [`super::review_book`], its 加减分 sheet by [`super::adjust`], into a [`Reviewed`]. This module
//! holds what a review holds, the texts its rows show, and which review counts.
//!
//! Which review counts ([`decide`]) follows the rule of the departments' returns: the newest
//! round, then the newest issue, then the newest file time, then the file name; the others are
//! superseded. A review replacing a valid one *of the same round* with other content (a copy
//! filled by someone else) waits for `validate --accept`; a later round, which only the office
//! issues (`tianbao review` again), replaces the earlier without. The review that counts is
//! stale — an error, so compile refuses it — when a row's master content or the department's
//! return it showed has changed since it was issued: `tianbao review` then issues the next
//! round, with what was entered carried over.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Context, DepartmentStatus, Return, Standing, Status};
use crate::cell_text::show;
use crate::finding::{Code, Finding};
use crate::spec::Spec;

/// The key replacements of the review are confirmed under (`validate --accept`), in place of a
/// department's name.
pub const CONFIRM_KEY: &str = "\u{1f}review";

/// One row of the review as returned: an item of a department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewedRow {
    pub item: String,
    pub department: String,
    /// The department's texts the row showed, as issued (signed).
    pub shown: Vec<String>,
    /// The 自评得分 shown, when the department's valid return gave one.
    pub self_score: Option<Decimal>,
    /// The 核定得分 entered; `None`: as self-scored.
    pub score: Option<Decimal>,
    /// The 核定说明.
    pub note: String,
    /// Where the 核定得分 and 核定说明 are (A1).
    pub score_cell: String,
    pub note_cell: String,
}

impl ReviewedRow {
    /// The score that counts for the department: the reviewed one, else its own.
    pub fn effective(&self) -> Option<Decimal> {
        self.score.or(self.self_score)
    }

    /// Whether the reviewer changed the department's score.
    pub fn changed(&self) -> bool {
        self.score.is_some() && self.score != self.self_score
    }
}

/// One bonus or deduction entry of the 加减分 sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    pub department: String,
    pub category: String,
    /// Positive; a deduction takes it away.
    pub points: Decimal,
    pub basis: String,
    /// 0-based row on the 加减分 sheet, and the column of the 分值.
    pub row: u32,
    pub col: u32,
    /// The cell of the 分值 (A1).
    pub cell: String,
}

/// What a review workbook holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reviewed {
    pub rows: Vec<ReviewedRow>,
    pub adjustments: Vec<Adjustment>,
    /// The 加减分 sheet's name as returned.
    pub adjust_sheet: Option<String>,
    /// The rows (item, department) whose master content changed since the review was issued,
    /// or that the current master has and the review had not.
    #[serde(default)]
    pub master_changed: Vec<(String, String)>,
}

impl Reviewed {
    pub fn row(&self, item: &str, department: &str) -> Option<&ReviewedRow> {
        self.rows
            .iter()
            .find(|r| r.item == item && r.department == department)
    }
}

/// The review that counts in a collection.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewStanding {
    /// Index into [`super::Collection::returns`].
    #[serde(skip)]
    pub chosen: usize,
    /// Valid or Invalid: the review that counts is one or the other.
    pub status: Status,
    pub file: String,
    pub round: u32,
    pub received: Option<String>,
    pub errors: usize,
    pub warnings: usize,
}

pub use crate::form::review::rows_of;

/// A row as people name it: `1-1-1（办公室）`.
pub fn row_label(spec: &Spec, item: &str, department: &str) -> String {
    crate::cell_text::render(
        &spec.word("review.row"),
        &[("item", item), ("department", department)],
    )
}

/// The department's texts a review row shows for `item`: each `[review] shown_inputs` value of
/// its valid return `ret` (the 自评得分 in its exact form; without a valid return, the
/// department's standing, `未交` or `有误`, in its place), then the evidence files found beside
/// the return (a named one that is missing marked so); and the self-score.
pub fn shown_values(
    spec: &Spec,
    status: DepartmentStatus,
    ret: Option<&Return>,
    item: &str,
) -> (Vec<String>, Option<Decimal>) {
    let score_key = spec.score_input().map_or("", |i| i.key.as_str());
    let returned = ret.and_then(|r| r.items.get(item));
    let mut values: Vec<String> = spec
        .review
        .shown_inputs
        .iter()
        .map(|key| match returned {
            None if key == score_key => spec.word(&format!("status.{}", status.as_str())),
            None => String::new(),
            Some(r) if key == score_key => r.score.map(show).unwrap_or_else(|| {
                r.values
                    .get(key)
                    .map(|c| c.text.clone())
                    .unwrap_or_default()
            }),
            Some(r) => r
                .values
                .get(key)
                .map(|c| c.text.clone())
                .unwrap_or_default(),
        })
        .map(|t| crate::cell_text::clean(&t))
        .collect();
    let found = ret
        .map(|r| {
            let missing = spec.word("review.not_found");
            r.evidence
                .iter()
                .filter(|e| e.item == item)
                .map(|e| e.name.clone())
                .chain(
                    r.findings
                        .iter()
                        .filter(|f| {
                            f.code == Code::EvidenceMissing && f.item.as_deref() == Some(item)
                        })
                        .map(|f| format!("{}{missing}", f.value.as_deref().unwrap_or(""))),
                )
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    values.push(crate::cell_text::clean(&found));
    (values, returned.and_then(|r| r.score))
}

/// The texts every row of a review of the collection's current standing shows.
pub fn current_values(
    spec: &Spec,
    returns: &[Return],
    departments: &[Standing],
    item: &str,
    department: &str,
) -> (Vec<String>, Option<Decimal>) {
    let standing = departments.iter().find(|s| s.department == department);
    let status = standing.map_or(DepartmentStatus::Missing, |s| s.status);
    let ret = standing
        .filter(|s| s.status == DepartmentStatus::Valid)
        .and_then(|s| s.chosen)
        .and_then(|i| returns.get(i));
    shown_values(spec, status, ret, item)
}

/// How many entries differ between two reviews.
fn differences(a: &Reviewed, b: &Reviewed) -> usize {
    let mut count = 0;
    for row in &a.rows {
        match b.row(&row.item, &row.department) {
            Some(other) if other.score == row.score && other.note == row.note => {}
            _ => count += 1,
        }
    }
    let key = |x: &Adjustment| {
        (
            x.department.clone(),
            x.category.clone(),
            x.points,
            x.basis.clone(),
        )
    };
    let mut left: Vec<_> = a.adjustments.iter().map(key).collect();
    let mut right: Vec<_> = b.adjustments.iter().map(key).collect();
    left.sort();
    right.sort();
    if left != right {
        count += left.len().max(right.len()).max(1);
    }
    count
}

/// Which review counts, the others superseded; the one that counts checked against the
/// departments' returns as they stand now.
pub(super) fn decide(
    ctx: &Context,
    returns: &mut [Return],
    departments: &[Standing],
) -> Option<ReviewStanding> {
    let mut candidates: Vec<usize> = returns
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_review() && matches!(r.status, Status::Valid | Status::Invalid))
        .map(|(i, _)| i)
        .collect();
    candidates.sort_by(|&a, &b| super::preferred(&returns[a], &returns[b]));
    let winner = *candidates.first()?;
    let word = ctx.spec.word("review.issued_to");
    for &loser in &candidates[1..] {
        let f = superseded(&word, &returns[winner], &returns[loser]);
        let l = &mut returns[loser];
        l.status = Status::Superseded;
        l.findings.push(f);
    }
    if let Some(f) = unconfirmed(ctx, &word, returns, winner, &candidates[1..]) {
        let w = &mut returns[winner];
        w.status = Status::Invalid;
        w.findings.push(f);
    }
    // Stale: a department's return it showed is no longer what counts.
    let changed = changed_returns(ctx, returns, departments, winner);
    let w = &mut returns[winner];
    if !changed.is_empty() {
        let mut f = Finding::error(Code::ReviewStale)
            .arg("issued_at", w.issued_at.clone().unwrap_or_default())
            .arg("count", changed.len().to_string())
            .arg(
                "rows_list",
                crate::finding::list(changed.iter().map(String::as_str)),
            );
        f.variant = Some("review_stale.returns".into());
        f.file = Some(w.path.clone());
        w.status = Status::Invalid;
        w.findings.push(f);
    }
    let errors = w.errors();
    Some(ReviewStanding {
        chosen: winner,
        status: w.status,
        file: w.path.clone(),
        round: w.round.unwrap_or(0),
        received: w.received.clone(),
        errors,
        warnings: w.findings.len() - errors,
    })
}

/// The finding on a review superseded by `w`: which one is used, and why.
fn superseded(word: &str, w: &Return, l: &Return) -> Finding {
    let mut f = Finding::warning(Code::DuplicateReturn)
        .arg("department", word)
        .arg("round", w.round.unwrap_or(0).to_string())
        .arg("other", l.round.unwrap_or(0).to_string())
        .arg(
            "why_word",
            format!("review.why.{}", super::Why::of(w, l).key()),
        );
    f.variant = Some("duplicate_return.review".into());
    f.file = Some(l.path.clone());
    f.value = Some(l.path.clone());
    f.expected = Some(w.path.clone());
    f
}

/// A copy of the same round filled otherwise waits for a person's word: the finding on the
/// review that counts, when one does.
fn unconfirmed(
    ctx: &Context,
    word: &str,
    returns: &[Return],
    winner: usize,
    losers: &[usize],
) -> Option<Finding> {
    let w = &returns[winner];
    let (path, count) = losers.iter().find_map(|&i| {
        let l = &returns[i];
        let confirmed = ctx.confirmed.iter().any(|(d, new, replaced)| {
            d == CONFIRM_KEY && new == &w.sha256 && replaced == &l.sha256
        });
        let count = match (&w.review, &l.review) {
            (Some(a), Some(b)) => differences(a, b),
            _ => 0,
        };
        (l.round == w.round && l.errors() == 0 && l.sha256 != w.sha256 && !confirmed && count > 0)
            .then(|| (l.path.clone(), count))
    })?;
    let mut f = Finding::error(Code::ReplacementUnconfirmed)
        .arg("department", word)
        .arg("count", count.to_string());
    f.variant = Some("replacement_unconfirmed.review".into());
    f.file = Some(w.path.clone());
    f.value = Some(w.path.clone());
    f.expected = Some(path);
    Some(f)
}

/// The rows of the review that counts whose department's return is no longer what it showed.
fn changed_returns(
    ctx: &Context,
    returns: &[Return],
    departments: &[Standing],
    winner: usize,
) -> Vec<String> {
    let Some(reviewed) = returns[winner].review.as_ref() else {
        return Vec::new();
    };
    reviewed
        .rows
        .iter()
        .filter(|row| {
            let (now, _) =
                current_values(ctx.spec, returns, departments, &row.item, &row.department);
            now != row.shown
        })
        .map(|row| row_label(ctx.spec, &row.item, &row.department))
        .collect()
}

/// Whether a finding is one [`decide`] makes (dropped when the receipts are decided again).
pub fn is_decided(finding: &Finding) -> bool {
    finding.code == Code::ReviewStale && finding.variant.as_deref() == Some("review_stale.returns")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell_text::parse_decimal;

    fn row(score: Option<&str>, own: Option<&str>) -> ReviewedRow {
        ReviewedRow {
            item: "1".into(),
            department: "办公室".into(),
            shown: Vec::new(),
            self_score: own.and_then(parse_decimal),
            score: score.and_then(parse_decimal),
            note: String::new(),
            score_cell: String::new(),
            note_cell: String::new(),
        }
    }

    #[test]
    fn an_empty_reviewed_score_is_the_self_score() {
        assert_eq!(row(None, Some("1.5")).effective(), parse_decimal("1.5"));
        assert!(!row(None, Some("1.5")).changed());
        assert_eq!(row(Some("1"), Some("1.5")).effective(), parse_decimal("1"));
        assert!(row(Some("1"), Some("1.5")).changed());
        assert!(!row(Some("1.5"), Some("1.50")).changed());
        // A department without a valid return: only the reviewer's score counts.
        assert_eq!(row(None, None).effective(), None);
        assert!(row(Some("0"), None).changed());
    }

    #[test]
    fn differences_count_entries_and_rows() {
        let a = Reviewed {
            rows: vec![row(Some("1"), Some("2"))],
            ..Reviewed::default()
        };
        let mut b = a.clone();
        assert_eq!(differences(&a, &b), 0);
        b.rows[0].score = parse_decimal("1.5");
        assert_eq!(differences(&a, &b), 1);
        b.adjustments.push(Adjustment {
            department: "办公室".into(),
            category: "加分".into(),
            points: Decimal::ONE,
            basis: "x".into(),
            row: 3,
            col: 3,
            cell: "D4".into(),
        });
        assert_eq!(differences(&a, &b), 2);
    }
}
