//! Compiling the returns into the consolidated, scored workbook (`tianbao compile`).
//!
//! [`score`] makes each item's score from its departments' self-assessed scores by the
//! campaign's rule ([`Aggregation`]) in exact decimals; [`compile`] writes the workbook:
//! - **考评表**: the master sheet's own layout (title, header blocks and their merges, category,
//!   group and item rows, 合计 and total rows) with the score and deduction columns appended;
//!   totals are formulas with cached values ([`table`]);
//! - **部门明细**, **填报情况**, **得分概览**: where every number came from, who returned what, and
//!   the scores per category and group ([`sheets`]);
//! - **历次进展**, in a campaign that runs in periods: each item's measure per period, the change
//!   and the items that fell behind ([`history`]).
//!
//! Rules: `min` takes the lowest score, `mean` the average, `lead` the first listed department's.
//! A mean is exact when it terminates (the count has no prime factor but 2 and 5); otherwise it is
//! rounded half away from zero to 4 decimal places. An item is unscored when a department its
//! rule needs (`lead`: the first; otherwise all) has no valid return; totals add the scores shown.
//!
//! 考评表 is first and active, and is what prints: its print area the table and a footer block
//! (制表单位 / 审核人 / 制表日期, from the request's office and date); the other sheets have
//! their own print setup (部门明细 prints without its hash columns).
//!
//! The same inputs give the same cell contents: the generation time goes into the document
//! properties only.

pub mod history;
pub mod measures;
mod publish;
pub mod results;
mod sheets;
mod table;

use std::path::Path;

use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

pub use crate::campaign::Aggregation;
use crate::cell_text::render;
use crate::cell_text::show;
use crate::master_layout::Layout;
use crate::model::Master;
use crate::returns::{Collection, Return, Standing};
use crate::spec::Spec;

/// Why the compiled workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error(
        "no valid return from {}; run `tianbao validate` to see why, or compile without them with --allow-incomplete",
        .departments.join("、")
    )]
    Incomplete { departments: Vec<String> },
    #[error("cannot write the compiled workbook: {0}")]
    Write(#[from] XlsxError),
}

/// One department's part in an item.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub department: String,
    /// The department's standing.
    pub status: crate::returns::DepartmentStatus,
    /// Index into [`Collection::returns`] of the valid return used; `None` when there is none.
    pub source: Option<usize>,
    /// The department's self-assessed score, from its valid return.
    pub score: Option<Decimal>,
    /// With a review: the score that counts for the department — the reviewer's 核定得分, or
    /// its self-assessed score where the reviewer left it empty.
    pub reviewed: Option<Decimal>,
    /// The reviewer's 核定说明 (empty without one).
    pub review_note: String,
}

impl Part {
    /// Whether the reviewer changed the department's score.
    pub fn review_changed(&self) -> bool {
        self.reviewed.is_some() && self.reviewed != self.score
    }
}

/// An item's score by the rule, and the parts it was made from.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemScore {
    pub id: String,
    pub weight: Option<Decimal>,
    /// One per responsible department, in the master's order.
    pub parts: Vec<Part>,
    /// `None` when a department the rule needs has no valid return.
    pub score: Option<Decimal>,
    /// The departments the rule needs whose valid return is missing.
    pub lacking: Vec<String>,
    /// With a review: the rule over the parts' reviewed scores; `None` when a part the rule
    /// needs has neither a reviewed nor a self-assessed score.
    pub reviewed: Option<Decimal>,
}

impl ItemScore {
    /// Whether more than one department answers for the item.
    pub fn is_shared(&self) -> bool {
        self.parts.len() > 1
    }

    /// The score the totals add: the reviewed one when the campaign was reviewed.
    pub fn final_score(&self, reviewed: bool) -> Option<Decimal> {
        if reviewed { self.reviewed } else { self.score }
    }
}

/// Every item's score, in master order.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub rule: Aggregation,
    pub items: Vec<ItemScore>,
    /// Whether a valid review made the reviewed scores.
    pub reviewed: bool,
}

impl Scores {
    pub fn get(&self, id: &str) -> Option<&ItemScore> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Sum of the self-assessed scores shown (unscored items add nothing).
    pub fn total(&self) -> Decimal {
        sum(self.items.iter().filter_map(|i| i.score))
    }

    /// Sum of the scores that count: the reviewed ones when reviewed.
    pub fn final_total(&self) -> Decimal {
        sum(self
            .items
            .iter()
            .filter_map(|i| i.final_score(self.reviewed)))
    }

    /// Items without a score that counts.
    pub fn unscored(&self) -> impl Iterator<Item = &ItemScore> {
        self.items
            .iter()
            .filter(|i| i.final_score(self.reviewed).is_none())
    }

    pub fn is_partial(&self) -> bool {
        self.unscored().next().is_some()
    }
}

/// Exact sum, saturating instead of overflowing (scores are far below the limit).
fn sum(values: impl Iterator<Item = Decimal>) -> Decimal {
    values
        .fold(Decimal::ZERO, |acc, v| acc.saturating_add(v))
        .normalize()
}

/// The mean of `values`: exact when it terminates, else rounded half away from zero to 4 places.
pub fn mean(values: &[Decimal]) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    let total = values
        .iter()
        .try_fold(Decimal::ZERO, |acc, v| acc.checked_add(*v))?;
    let quotient = total.checked_div(Decimal::from(values.len()))?;
    let mut rest = values.len();
    while rest.is_multiple_of(2) {
        rest /= 2;
    }
    while rest.is_multiple_of(5) {
        rest /= 5;
    }
    Some(if rest == 1 {
        quotient.normalize()
    } else {
        quotient
            .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    })
}

/// The item score from its departments' scores (in the master's department order) by `rule`.
pub fn aggregate(rule: Aggregation, scores: &[Decimal]) -> Option<Decimal> {
    match rule {
        Aggregation::Min => scores.iter().min().map(|d| d.normalize()),
        Aggregation::Mean => mean(scores),
        Aggregation::Lead => scores.first().map(|d| d.normalize()),
    }
}

/// The departments without a valid return (missing or invalid), in master order.
pub fn blockers(collection: &Collection) -> Vec<&Standing> {
    collection
        .departments
        .iter()
        .filter(|d| d.status != crate::returns::DepartmentStatus::Valid)
        .collect()
}

/// The return that is counted for `department`: its chosen return when that is valid. An
/// invalid, unrecognised or missing return counts for nothing, in every sheet and measure.
pub fn counted<'c>(collection: &'c Collection, department: &str) -> Option<&'c Return> {
    collection
        .departments
        .iter()
        .find(|s| s.department == department)
        .filter(|s| s.status == crate::returns::DepartmentStatus::Valid)
        .and_then(|s| s.chosen)
        .and_then(|i| collection.returns.get(i))
}

/// Scores every item of `master` from the valid returns in `collection`, and, when the
/// collection has a valid review, from the reviewed scores too.
pub fn score(master: &Master, collection: &Collection, rule: Aggregation) -> Scores {
    let review = collection.valid_review().map(|(_, r)| r);
    let items = master
        .items()
        .iter()
        .map(|item| score_item(item, collection, review, rule))
        .collect();
    Scores {
        rule,
        items,
        reviewed: review.is_some(),
    }
}

/// One item's score over its departments' counted returns by `rule` (none while one it needs
/// has none), and its reviewed score when there is a `review`: the figure the score columns
/// show, and the one the history of periods shows for that period.
pub fn score_item(
    item: &crate::model::Item,
    collection: &Collection,
    review: Option<&crate::returns::review::Reviewed>,
    rule: Aggregation,
) -> ItemScore {
    let parts: Vec<Part> = item
        .departments
        .iter()
        .map(|department| part_of(item, department, collection, review))
        .collect();
    let needed = match rule {
        Aggregation::Lead => &parts[..parts.len().min(1)],
        Aggregation::Min | Aggregation::Mean => &parts[..],
    };
    let by = |of: fn(&Part) -> Option<Decimal>| -> (Vec<String>, Option<Decimal>) {
        let lacking: Vec<String> = needed
            .iter()
            .filter(|p| of(p).is_none())
            .map(|p| p.department.clone())
            .collect();
        let values: Vec<Decimal> = needed.iter().filter_map(of).collect();
        let score = if lacking.is_empty() {
            aggregate(rule, &values)
        } else {
            None
        };
        (lacking, score)
    };
    let (lacking, score) = by(|p| p.score);
    let reviewed = review.and_then(|_| by(|p| p.reviewed).1);
    ItemScore {
        id: item.id.clone(),
        weight: item.weight,
        parts,
        score,
        lacking,
        reviewed,
    }
}

/// One department's part of an item: its standing, its counted return's score, the reviewed
/// score and note.
fn part_of(
    item: &crate::model::Item,
    department: &str,
    collection: &Collection,
    review: Option<&crate::returns::review::Reviewed>,
) -> Part {
    let standing = collection
        .departments
        .iter()
        .find(|s| s.department == department);
    let source = standing
        .filter(|s| s.status == crate::returns::DepartmentStatus::Valid)
        .and_then(|s| s.chosen)
        .filter(|&i| i < collection.returns.len());
    let score = source
        .and_then(|i| collection.returns[i].items.get(&item.id))
        .and_then(|r| r.score);
    let row = review.and_then(|r| r.row(&item.id, department));
    Part {
        department: department.to_string(),
        status: standing.map_or(crate::returns::DepartmentStatus::Missing, |s| s.status),
        source,
        score,
        reviewed: review.and(row.and_then(|r| r.score).or(score)),
        review_note: row.map(|r| r.note.trim().to_string()).unwrap_or_default(),
    }
}

/// Everything the compiled workbook is made from.
pub struct Request<'a> {
    pub master: &'a Master,
    /// The master sheet's layout: 考评表 is written in it.
    pub layout: &'a Layout,
    pub spec: &'a Spec,
    pub collection: &'a Collection,
    pub aggregation: Aggregation,
    /// The campaign's title.
    pub title: &'a str,
    /// The office that compiles (制表单位 under the table); may be empty.
    pub office: &'a str,
    /// The date under the table (制表日期), as people write it: `2026-12-01`.
    pub date: &'a str,
    /// Compile even when departments have no valid return: their items stay blank.
    pub allow_incomplete: bool,
    /// RFC 3339; goes into the document properties only.
    pub generated_at: &'a str,
    /// Source files are shown relative to this folder (the campaign's) when they lie in it.
    pub base: Option<&'a Path>,
    /// The day progress is judged at (overdue, behind schedule).
    pub as_of: jiff::civil::Date,
    /// A campaign that runs in periods: each item's measure per period (the 历次进展 sheet).
    pub history: Option<&'a history::History>,
}

/// The compiled workbook, ready to be saved, and the scores in it (with a review, each
/// department's results too).
pub struct Compiled {
    pub book: Workbook,
    pub scores: Scores,
    pub results: Vec<results::DepartmentResult>,
    /// Each item's measures and progress flag.
    pub measures: measures::Measures,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("scores", &self.scores)
            .finish()
    }
}

impl Compiled {
    /// The workbook as bytes.
    pub fn to_bytes(&mut self) -> Result<Vec<u8>, CompileError> {
        Ok(self.book.save_to_buffer()?)
    }
}

/// What the sheet writers share.
struct Ctx<'a> {
    spec: &'a Spec,
    master: &'a Master,
    collection: &'a Collection,
    scores: &'a Scores,
    measures: &'a measures::Measures,
    title: &'a str,
    office: &'a str,
    date: &'a str,
    base: Option<&'a Path>,
}

impl Ctx<'_> {
    /// A return's path as shown: relative to the campaign folder when inside it.
    fn shown_path(&self, path: &str) -> String {
        if let Some(base) = self.base {
            let prefix = format!("{}{}", base.display(), std::path::MAIN_SEPARATOR);
            if let Some(rest) = path.strip_prefix(&prefix)
                && !base.as_os_str().is_empty()
            {
                return rest.to_string();
            }
        }
        path.to_string()
    }
}

/// Writes the compiled workbook; refuses when a department has no valid return, unless
/// `allow_incomplete`.
pub fn compile(request: &Request) -> Result<Compiled, CompileError> {
    let blocked = blockers(request.collection);
    if !blocked.is_empty() && !request.allow_incomplete {
        return Err(CompileError::Incomplete {
            departments: blocked.iter().map(|s| s.department.clone()).collect(),
        });
    }
    let master = request.master;
    let scores = score(master, request.collection, request.aggregation);
    let measured = measures::measures(request.spec, master, request.collection, request.as_of);
    let ctx = Ctx {
        spec: request.spec,
        master,
        collection: request.collection,
        scores: &scores,
        measures: &measured,
        title: request.title,
        office: request.office,
        date: request.date,
        base: request.base,
    };

    let mut book = Workbook::new();
    // At scale most of the save is deflating sheet XML; the fastest level costs little size.
    book.set_zip_compression_level(1);
    let mut properties = DocProperties::new()
        .set_title(render(
            &request.spec.word("compile.doc_title"),
            &[("title", request.title)],
        ))
        .set_comment(format!(
            "generated by tianbao at {}; total {}",
            request.generated_at,
            show(scores.total())
        ))
        .set_custom_property("tianbao.generated_at", request.generated_at);
    if let Ok(created) = ExcelDateTime::parse_from_str(request.generated_at) {
        properties = properties.set_creation_datetime(&created);
    }
    book.set_properties(&properties);
    let placed = table::write(&mut book, &ctx, request.layout)?;
    let mut results = Vec::new();
    if let Some((_, reviewed)) = request.collection.valid_review() {
        results =
            results::departments(master, &request.spec.review, &scores, &reviewed.adjustments);
        publish::write(&mut book, &ctx, &results, &reviewed.adjustments)?;
    }
    if let Some(history) = request.history {
        history::write(&mut book, request.spec, request.title, history)?;
    }
    if request.spec.score_input().is_some() {
        sheets::overview(&mut book, &ctx, &placed)?;
    }
    sheets::detail(&mut book, &ctx)?;
    sheets::returns(&mut book, &ctx)?;
    Ok(Compiled {
        book,
        scores,
        results,
        measures: measured,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn rules_pick_lowest_mean_or_lead() {
        let scores = [d("2"), d("1.5"), d("1.75")];
        assert_eq!(aggregate(Aggregation::Min, &scores), Some(d("1.5")));
        assert_eq!(aggregate(Aggregation::Lead, &scores), Some(d("2")));
        assert_eq!(aggregate(Aggregation::Mean, &scores), Some(d("1.75")));
        assert_eq!(aggregate(Aggregation::Min, &[]), None);
    }

    #[test]
    fn a_mean_is_exact_when_it_terminates_and_rounded_to_four_places_otherwise() {
        assert_eq!(mean(&[d("1"), d("2")]), Some(d("1.5")));
        assert_eq!(mean(&[d("1.25"), d("1.5")]).map(show), Some("1.375".into()));
        assert_eq!(
            mean(&[
                d("0.01"),
                d("0"),
                d("0"),
                d("0"),
                d("0"),
                d("0"),
                d("0"),
                d("0")
            ])
            .map(show),
            Some("0.00125".into())
        );
        assert_eq!(
            mean(&[d("1"), d("1"), d("2")]).map(show),
            Some("1.3333".into())
        );
        assert_eq!(
            mean(&[d("2"), d("2"), d("1")]).map(show),
            Some("1.6667".into())
        );
        assert_eq!(mean(&[d("3"), d("3"), d("3")]).map(show), Some("3".into()));
    }
}
