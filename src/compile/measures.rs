//! The measures a spec names (`[[measures]]`), per item over its departments' valid returns:
//! numbers by sum, min, mean, the lead department's or the latest return's; texts joined, each
//! after its department; a computed input from the item's aggregated inputs (完成率 from the
//! summed 完成值 and the master's 目标值). And progress flags (`[progress]`): overdue or behind.

use rust_decimal::Decimal;

use crate::inputs::master_value;
use crate::model::{Item, Master};
use crate::returns::Collection;
use crate::rule::Value;
use crate::schedule::Flag;
use crate::spec::{Aggregate, InputKind, MeasureSpec, Spec};

/// One measure of one item.
#[derive(Debug, Clone, PartialEq)]
pub enum Measured {
    Number(Option<Decimal>),
    Text(String),
}

/// Each item's measures (in the spec's order) and progress flag.
#[derive(Debug, Clone, Default)]
pub struct Measures {
    pub items: Vec<Vec<Measured>>,
    pub flags: Vec<Option<Flag>>,
    /// Each item's departments without a valid return (missing or invalid): their figures are
    /// in none of its measures, and the table marks the item's cells with their names.
    pub lacking: Vec<Vec<String>>,
}

/// The departments' texts of `key` for `item`, from their valid returns, with when each came.
fn values<'a>(
    collection: &'a Collection,
    item: &'a Item,
    key: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str, Option<&'a str>)> + 'a {
    item.departments.iter().filter_map(move |d| {
        let ret = super::counted(collection, d)?;
        let text = ret.items.get(&item.id)?.values.get(key)?.text.trim();
        (!text.is_empty()).then_some((d.as_str(), text, ret.received.as_deref()))
    })
}

fn aggregate(rule: Aggregate, numbers: &[(Decimal, Option<&str>)]) -> Option<Decimal> {
    let values = numbers.iter().map(|(n, _)| *n);
    match rule {
        Aggregate::Sum => (!numbers.is_empty()).then(|| values.sum()),
        Aggregate::Min => values.min(),
        Aggregate::Mean => (!numbers.is_empty()).then(|| {
            (values.sum::<Decimal>() / Decimal::from(numbers.len()))
                .round_dp(4)
                .normalize()
        }),
        Aggregate::Lead => numbers.first().map(|(n, _)| *n),
        Aggregate::Latest => numbers.iter().max_by_key(|(_, at)| *at).map(|(n, _)| *n),
        Aggregate::Join => None,
    }
}

fn number_of(collection: &Collection, item: &Item, key: &str, rule: Aggregate) -> Option<Decimal> {
    let numbers: Vec<(Decimal, Option<&str>)> = values(collection, item, key)
        .filter_map(|(_, text, at)| crate::cell_text::parse_decimal(text).map(|n| (n, at)))
        .collect();
    aggregate(rule, &numbers)
}

fn measure(
    spec: &Spec,
    master: &Master,
    collection: &Collection,
    item: &Item,
    m: &MeasureSpec,
) -> Measured {
    let Some(input) = spec.input(&m.input) else {
        return Measured::Text(String::new());
    };
    if m.aggregate == Aggregate::Join {
        let found: Vec<(&str, &str, Option<&str>)> = values(collection, item, &input.key).collect();
        let text = match found.as_slice() {
            [(_, text, _)] if item.departments.len() == 1 => text.to_string(),
            _ => found
                .iter()
                .map(|(d, text, _)| format!("{d}：{text}"))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        return Measured::Text(text);
    }
    if input.kind == InputKind::Computed {
        let env = |name: &str| match spec.input(name) {
            Some(i) => {
                let rule = spec
                    .measures
                    .iter()
                    .find(|x| x.input == i.key)
                    .map_or(Aggregate::Sum, |x| x.aggregate);
                number_of(collection, item, &i.key, rule).map_or(Value::Empty, Value::Number)
            }
            None => master_value(master, item, name),
        };
        let value = input.expr.as_ref().and_then(|e| e.eval(&env));
        return Measured::Number(value.map(|v| v.round_dp(4).normalize()));
    }
    Measured::Number(number_of(collection, item, &input.key, m.aggregate))
}

/// An item's figure of `input` as the compiled table shows it, defined once for every sheet
/// (the table, the history of periods): a score by the campaign's scoring `rule` (none while a
/// department it needs has no valid return); an input the spec measures by its
/// `[[measures]]` aggregate; any other figure by the scoring rule's aggregate.
pub fn figure(
    spec: &Spec,
    master: &Master,
    collection: &Collection,
    item: &Item,
    input: &crate::spec::InputSpec,
    rule: crate::campaign::Aggregation,
) -> Option<Decimal> {
    if input.kind == InputKind::Score {
        return super::score_item(item, collection, None, rule).score;
    }
    match spec.measures.iter().find(|m| m.input == input.key) {
        Some(m) => match measure(spec, master, collection, item, m) {
            Measured::Number(n) => n,
            Measured::Text(_) => None,
        },
        None => {
            let by = match rule {
                crate::campaign::Aggregation::Min => Aggregate::Min,
                crate::campaign::Aggregation::Mean => Aggregate::Mean,
                crate::campaign::Aggregation::Lead => Aggregate::Lead,
            };
            number_of(collection, item, &input.key, by)
        }
    }
}

/// Whether every department of `item` with a valid return calls it complete.
fn complete(spec: &Spec, collection: &Collection, item: &Item) -> bool {
    let Some(p) = &spec.progress else {
        return false;
    };
    let Some(status) = &p.status else {
        return false;
    };
    let said: Vec<&str> = values(collection, item, status)
        .map(|(_, t, _)| t)
        .collect();
    !said.is_empty()
        && said.len() == item.departments.len()
        && said.iter().all(|s| p.complete.iter().any(|c| c == s))
}

/// The measures and flags of every item of `master`, judged at `today`.
pub fn measures(
    spec: &Spec,
    master: &Master,
    collection: &Collection,
    today: jiff::civil::Date,
) -> Measures {
    let items = master
        .items()
        .iter()
        .map(|item| {
            spec.measures
                .iter()
                .map(|m| measure(spec, master, collection, item, m))
                .collect()
        })
        .collect();
    let flags = master
        .items()
        .iter()
        .map(|item| {
            let p = spec.progress.as_ref()?;
            let percent = number_of(collection, item, &p.percent, Aggregate::Min);
            crate::schedule::flag(
                item.deadline.as_deref(),
                percent,
                complete(spec, collection, item),
                today,
                p.tolerance,
            )
        })
        .collect();
    let lacking = master
        .items()
        .iter()
        .map(|item| {
            item.departments
                .iter()
                .filter(|d| super::counted(collection, d).is_none())
                .cloned()
                .collect()
        })
        .collect();
    Measures {
        items,
        flags,
        lacking,
    }
}

/// A measure's column label: its own, else its input's.
pub fn label(spec: &Spec, m: &MeasureSpec) -> String {
    m.label
        .clone()
        .or_else(|| spec.input(&m.input).map(|i| i.label.clone()))
        .unwrap_or_else(|| m.input.clone())
}

/// A flag in words (`逾期（完成时限 2024年6月底前）`, `滞后（进度 40%，序时进度 50%）`).
pub fn flag_text(spec: &Spec, flag: &Flag) -> String {
    match flag {
        Flag::Overdue { deadline } => {
            crate::cell_text::render(&spec.word("progress.overdue"), &[("deadline", deadline)])
        }
        Flag::Behind {
            percent: None,
            expected,
        } => crate::cell_text::render(
            &spec.word("progress.unreported"),
            &[("expected", &crate::cell_text::show(*expected))],
        ),
        Flag::Behind {
            percent: Some(percent),
            expected,
        } => crate::cell_text::render(
            &spec.word("progress.behind"),
            &[
                ("percent", &crate::cell_text::show(*percent)),
                ("expected", &crate::cell_text::show(*expected)),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn an_unreported_item_reads_unreported_never_zero_percent() {
        let spec = Spec::builtin_language("progress").unwrap();
        let fifty = Decimal::from(50);
        let unreported = Flag::Behind {
            percent: None,
            expected: fifty,
        };
        assert_eq!(flag_text(&spec, &unreported), "未报（序时进度 50%）");
        let behind = Flag::Behind {
            percent: Some(Decimal::ZERO),
            expected: fifty,
        };
        assert_eq!(flag_text(&spec, &behind), "滞后（进度 0%，序时进度 50%）");
    }

    #[test]
    fn numbers_aggregate_exactly() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let numbers = [
            (d("1.5"), Some("2024-01-02")),
            (d("1.5"), Some("2024-01-01")),
            (d("0.1"), None),
        ];
        assert_eq!(aggregate(Aggregate::Sum, &numbers), Some(d("3.1")));
        assert_eq!(aggregate(Aggregate::Min, &numbers), Some(d("0.1")));
        assert_eq!(aggregate(Aggregate::Mean, &numbers), Some(d("1.0333")));
        assert_eq!(aggregate(Aggregate::Lead, &numbers), Some(d("1.5")));
        assert_eq!(aggregate(Aggregate::Latest, &numbers), Some(d("1.5")));
        assert_eq!(aggregate(Aggregate::Sum, &[]), None);
    }
}
