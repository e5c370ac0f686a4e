//! What an input means for one item: its bounds and unit (a number, the item's weight or a
//! master column's value), the values its rules and formulas read, and how its typed value is
//! read (numbers with units or full-width digits, dates as people write them). The template
//! writer, the return checker and compile share these, so that the in-cell check, the
//! validator and the compiled figures cannot disagree.

use rust_decimal::Decimal;

use crate::model::{Item, Master};
use crate::rule::{Value, column_name};
use crate::spec::{Bound, InputKind, InputSpec};

/// The value `name` has for `item` in the master: `weight`, `deadline`, `target` (the text of
/// its target column, `≤25`), or a master column's text (`[目标值]`, matched on its label as
/// people see it, else on the target role's own names); empty when there is none.
pub fn master_value(master: &Master, item: &Item, name: &str) -> Value {
    let text_of = |index: usize| {
        Some(item.text_of(index).trim().to_string())
            .filter(|t| !t.is_empty())
            .map_or(Value::Empty, Value::Text)
    };
    match name {
        "target" => target_column(master).map_or(Value::Empty, text_of),
        "weight" => item.weight.map_or(Value::Empty, Value::Number),
        "deadline" => item
            .deadline
            .clone()
            .filter(|d| !d.trim().is_empty())
            .map_or(Value::Empty, Value::Text),
        _ => {
            let Some(label) = column_name(name) else {
                return Value::Empty;
            };
            labelled(master, label).map_or(Value::Empty, text_of)
        }
    }
}

/// The master's first target column (index into [`Master::text_columns`]).
fn target_column(master: &Master) -> Option<usize> {
    master
        .text_columns()
        .iter()
        .position(|c| c.role == crate::model::Role::Target)
}

/// The text column a rule names `[label]`: the one with that label, else — for a name of the
/// target role (`[目标值]` where the master says 年度目标值) — the target column.
fn labelled(master: &Master, label: &str) -> Option<usize> {
    let wanted = fold(label);
    master
        .text_columns()
        .iter()
        .position(|c| fold(&c.label) == wanted)
        .or_else(|| {
            (crate::model::Role::parse(label) == Some(crate::model::Role::Target))
                .then(|| target_column(master))?
        })
}

/// Whether the master has every column a name in `names` needs.
pub fn missing_columns<'a>(
    master: &Master,
    names: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    names
        .into_iter()
        .filter_map(|name| match name {
            "target" if target_column(master).is_none() => {
                Some(crate::model::Role::Target.chinese()[0].to_string())
            }
            _ => column_name(name)
                .filter(|label| labelled(master, label).is_none())
                .map(str::to_string),
        })
        .collect()
}

fn fold(text: &str) -> String {
    crate::cell_text::to_halfwidth(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A bound for `item`: the number, the weight, or the column's number; none when the column
/// holds no number.
pub fn bound(bound: Option<&Bound>, master: &Master, item: &Item) -> Option<Decimal> {
    match bound? {
        Bound::Number(n) => Some(*n),
        Bound::Name(name) => master_value(master, item, name).number(),
    }
}

/// The bounds of a numeric input for `item`: a score from 0 to the weight, a percent from 0
/// to 100, a number as its spec says (`None`: unbounded on that side).
pub fn bounds(
    input: &InputSpec,
    master: &Master,
    item: &Item,
) -> (Option<Decimal>, Option<Decimal>) {
    match input.kind {
        InputKind::Score => (Some(Decimal::ZERO), Some(item.weight.unwrap_or_default())),
        InputKind::Percent => (
            Some(bound(input.min.as_ref(), master, item).unwrap_or(Decimal::ZERO)),
            Some(bound(input.max.as_ref(), master, item).unwrap_or(Decimal::ONE_HUNDRED)),
        ),
        _ => (
            bound(input.min.as_ref(), master, item),
            bound(input.max.as_ref(), master, item),
        ),
    }
}

/// The unit of a number input for `item` (`吨`, or the item's in a `[单位]` column).
pub fn unit(input: &InputSpec, master: &Master, item: &Item) -> String {
    match input.unit.as_deref() {
        None => String::new(),
        Some(name) if column_name(name).is_some() => match master_value(master, item, name) {
            Value::Text(t) => t,
            _ => String::new(),
        },
        Some(word) => word.to_string(),
    }
}

/// A number typed leniently: `1,200`, `１２０`, ` 95 `, `95%` (a percent), `120吨` (its unit);
/// with whether leniency was needed.
pub fn lenient_number(text: &str, unit: &str) -> Option<(Decimal, bool)> {
    if let Some(d) = crate::cell_text::parse_decimal(text)
        && text.trim() == text
    {
        return Some((d, false));
    }
    let half = crate::cell_text::to_halfwidth(text);
    let mut t = half.trim();
    for suffix in [unit, "%", "％"] {
        if !suffix.is_empty() {
            t = t.strip_suffix(suffix).unwrap_or(t).trim();
        }
    }
    let plain: String = t.chars().filter(|c| *c != ',').collect();
    let plain = plain.strip_prefix('+').unwrap_or(&plain);
    crate::cell_text::parse_decimal(plain).map(|d| (d, true))
}

/// A date as people type it: `2024-03-15`, `2024/3/15`, `2024.3.15`, `2024年3月15日`, or a
/// date cell's `2024-03-15T00:00:00`; as `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<String> {
    let half = crate::cell_text::to_halfwidth(text);
    let t = half.trim();
    let t = t.split('T').next().unwrap_or(t);
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.trim().is_empty())
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d): (i16, i8, i8) = (
        y.trim().parse().ok()?,
        m.trim().parse().ok()?,
        d.trim().parse().ok()?,
    );
    let date = jiff::civil::Date::new(y, m, d).ok()?;
    (1900..=2200).contains(&y).then(|| date.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn numbers_and_dates_are_read_as_people_type_them() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(lenient_number("120", "吨"), Some((d("120"), false)));
        assert_eq!(lenient_number("1,200 吨", "吨"), Some((d("1200"), true)));
        assert_eq!(lenient_number("９５％", ""), Some((d("95"), true)));
        assert_eq!(lenient_number("九十", ""), None);
        assert_eq!(parse_date("2024年3月5日").as_deref(), Some("2024-03-05"));
        assert_eq!(parse_date("2024/3/15").as_deref(), Some("2024-03-15"));
        assert_eq!(
            parse_date("2024-03-15T00:00:00").as_deref(),
            Some("2024-03-15")
        );
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("下月"), None);
    }
}
