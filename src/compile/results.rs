//! The results of a reviewed campaign, per department (pure; written by [`super::publish`]).
//!
//! - **权重合计**: the weights of the department's items (a shared item's whole weight for each of
//!   its departments); **自评得分** and **核定得分**: the sums of its *own* self-assessed and
//!   reviewed scores (a shared item counts the department's own score, not the item's
//!   aggregated one, which only the 考评表 shows);
//! - each 加减分 category's sum of its entries (positive), **加分** and **扣分** the sums over the
//!   bonus and the deduction categories; **实际得分** = 核定得分 + 加分 − 扣分;
//! - **得分率** = 实际得分 ÷ 权重合计, rounded half away from zero to four decimal places (0.01 %,
//!   as shown); none when the 权重合计 is 0, or when an item of the department has no score that
//!   counts (a partial compile): such a department is neither ranked nor graded;
//! - **排名** by 得分率, highest first, equal rates sharing a rank and the next rank skipping
//!   (1, 2, 2, 4); **等次** the first of the spec's grades whose minimum the rate reaches.
//!
//! Every figure is an exact decimal.

use rust_decimal::{Decimal, RoundingStrategy};

use super::Scores;
use crate::model::Master;
use crate::returns::review::Adjustment;
use crate::spec::{AdjustKind, ReviewSpec};

/// Decimal places of a 得分率 (a fraction: 0.9533 is 95.33 %).
pub const RATE_PLACES: u32 = 4;

/// Why a department has no 得分率.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unranked {
    /// Its items weigh nothing together.
    ZeroWeight,
    /// Items of it have no score that counts (`--allow-incomplete`).
    Incomplete,
}

/// One department's results.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentResult {
    pub department: String,
    pub items: usize,
    pub weight: Decimal,
    pub self_score: Decimal,
    pub reviewed: Decimal,
    /// Items without a reviewed (or self-assessed) score.
    pub unscored: usize,
    /// The sum of the department's entries per category of the spec, in its order.
    pub categories: Vec<Decimal>,
    pub bonus: Decimal,
    pub deduction: Decimal,
    pub actual: Decimal,
    pub rate: Option<Decimal>,
    pub unranked: Option<Unranked>,
    pub rank: Option<usize>,
    pub grade: Option<String>,
}

/// 得分率: `actual / weight` rounded to [`RATE_PLACES`], `None` for a weight of 0.
pub fn rate(actual: Decimal, weight: Decimal) -> Option<Decimal> {
    if weight.is_zero() {
        return None;
    }
    actual.checked_div(weight).map(|r| {
        r.round_dp_with_strategy(RATE_PLACES, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    })
}

/// Competition ranks of `rates`, highest first: equal rates share a rank, the next skips
/// (1, 2, 2, 4); `None` where there is no rate.
pub fn ranks(rates: &[Option<Decimal>]) -> Vec<Option<usize>> {
    rates
        .iter()
        .map(|rate| {
            let rate = (*rate)?;
            Some(
                1 + rates
                    .iter()
                    .flatten()
                    .filter(|other| **other > rate)
                    .count(),
            )
        })
        .collect()
}

/// Each department's results, in the master's order.
pub fn departments(
    master: &Master,
    review: &ReviewSpec,
    scores: &Scores,
    adjustments: &[Adjustment],
) -> Vec<DepartmentResult> {
    let mut results: Vec<DepartmentResult> = master
        .departments()
        .iter()
        .map(|d| department_result(master, review, scores, adjustments, &d.name))
        .collect();
    let rates: Vec<Option<Decimal>> = results.iter().map(|r| r.rate).collect();
    for (result, rank) in results.iter_mut().zip(ranks(&rates)) {
        result.rank = rank;
    }
    results
}

/// One department's sums, 加减分 per category, 实际得分, 得分率 and 等次 (its rank is set by
/// [`departments`] once all are known).
fn department_result(
    master: &Master,
    review: &ReviewSpec,
    scores: &Scores,
    adjustments: &[Adjustment],
    department: &str,
) -> DepartmentResult {
    let mut self_score = Decimal::ZERO;
    let mut reviewed = Decimal::ZERO;
    let mut unscored = 0;
    let mut items = 0;
    let mut weight = Decimal::ZERO;
    for (item, scored) in master.items().iter().zip(&scores.items) {
        let Some(part) = scored.parts.iter().find(|p| p.department == department) else {
            continue;
        };
        items += 1;
        weight += item.weight.unwrap_or_default();
        self_score += part.score.unwrap_or_default();
        match part.reviewed {
            Some(score) => reviewed += score,
            None => unscored += 1,
        }
    }
    let categories: Vec<Decimal> = review
        .categories
        .iter()
        .map(|c| {
            adjustments
                .iter()
                .filter(|a| a.department == department && a.category == c.name)
                .map(|a| a.points)
                .sum::<Decimal>()
                .normalize()
        })
        .collect();
    let of_kind = |kind: AdjustKind| -> Decimal {
        review
            .categories
            .iter()
            .zip(&categories)
            .filter(|(c, _)| c.kind == kind)
            .map(|(_, sum)| *sum)
            .sum::<Decimal>()
            .normalize()
    };
    let bonus = of_kind(AdjustKind::Bonus);
    let deduction = of_kind(AdjustKind::Deduction);
    let actual = (reviewed + bonus - deduction).normalize();
    let unranked = if weight.is_zero() {
        Some(Unranked::ZeroWeight)
    } else if unscored > 0 {
        Some(Unranked::Incomplete)
    } else {
        None
    };
    let rate = unranked.is_none().then(|| rate(actual, weight)).flatten();
    DepartmentResult {
        department: department.to_string(),
        items,
        weight: weight.normalize(),
        self_score: self_score.normalize(),
        reviewed: reviewed.normalize(),
        unscored,
        categories,
        bonus,
        deduction,
        actual,
        rate,
        unranked,
        rank: None,
        grade: rate.map(|r| review.grade(r).to_string()),
    }
}

/// The departments in the order of the 公示表: by rank, the unranked last; ties and the
/// unranked in the master's order.
pub fn publication_order(results: &[DepartmentResult]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by_key(|&i| (results[i].rank.unwrap_or(usize::MAX), i));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn ties_share_a_rank_and_the_next_skips() {
        let rates = [
            Some(d("0.9")),
            Some(d("0.95")),
            Some(d("0.9")),
            None,
            Some(d("0.8")),
            Some(d("0.95")),
        ];
        assert_eq!(
            ranks(&rates),
            vec![Some(3), Some(1), Some(3), None, Some(5), Some(1)]
        );
        assert_eq!(ranks(&[]), Vec::<Option<usize>>::new());
    }

    #[test]
    fn a_rate_is_rounded_to_a_hundredth_of_a_percent() {
        assert_eq!(rate(d("9"), d("12")), Some(d("0.75")));
        assert_eq!(rate(d("2"), d("3")), Some(d("0.6667")));
        assert_eq!(rate(d("1"), d("3")), Some(d("0.3333")));
        // Half away from zero: 0.12345 → 0.1235 (and a negative score with deductions).
        assert_eq!(rate(d("0.12345"), d("1")), Some(d("0.1235")));
        assert_eq!(rate(d("-0.12345"), d("1")), Some(d("-0.1235")));
        assert_eq!(rate(d("5"), d("0")), None);
        // With a bonus above the weight.
        assert_eq!(rate(d("12.5"), d("12")), Some(d("1.0417")));
    }

    #[test]
    fn grades_follow_the_thresholds() {
        let spec = crate::spec::Spec::builtin();
        let grade = |r: &str| spec.review.grade(d(r)).to_string();
        assert_eq!(grade("1.02"), "优秀");
        assert_eq!(grade("0.95"), "优秀");
        assert_eq!(grade("0.9499"), "良好");
        assert_eq!(grade("0.85"), "良好");
        assert_eq!(grade("0.8499"), "合格");
        assert_eq!(grade("0.6"), "合格");
        assert_eq!(grade("0.5999"), "不合格");
        assert_eq!(grade("-0.1"), "不合格");
    }

    #[test]
    fn the_publication_is_by_rank_with_the_unranked_last() {
        let result = |rank: Option<usize>| DepartmentResult {
            department: String::new(),
            items: 0,
            weight: Decimal::ZERO,
            self_score: Decimal::ZERO,
            reviewed: Decimal::ZERO,
            unscored: 0,
            categories: Vec::new(),
            bonus: Decimal::ZERO,
            deduction: Decimal::ZERO,
            actual: Decimal::ZERO,
            rate: None,
            unranked: None,
            rank,
            grade: None,
        };
        let results = [
            result(None),
            result(Some(2)),
            result(Some(1)),
            result(Some(2)),
        ];
        assert_eq!(publication_order(&results), vec![2, 1, 3, 0]);
    }
}
