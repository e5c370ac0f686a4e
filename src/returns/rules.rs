//! The rules an input's value is checked by, for every kind of workbook read: numbers, percents
//! and scores read leniently where a person's intent is clear ("1.5分", "１．５", "85%") and said
//! so, within their bounds and decimals; dates; choices, phones and text lengths; a locked cell
//! changed. Each rule pushes its findings and returns the value as read.

use rust_decimal::Decimal;

use crate::cell_text::{decimal_from_f64, fold, parse_decimal, show, to_halfwidth};
use crate::finding::Code;
use crate::spec::{InputKind, InputSpec};
use crate::workbook::Value;

use super::cells::differing_parts;
use super::findings::{At, Findings};

/// What can be wrong with a number or percent input, each its own finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberProblem {
    Coerced,
    Required,
    NotANumber,
    OutOfRange,
    Precision,
}

impl NumberProblem {
    /// The message's variant for an input of `kind` (a percent's range and reading are told
    /// in percent).
    fn variant(self, kind: InputKind) -> Option<&'static str> {
        let percent = kind == InputKind::Percent;
        match self {
            NumberProblem::OutOfRange if percent => Some("out_of_range.percent"),
            NumberProblem::OutOfRange => Some("out_of_range.number"),
            NumberProblem::NotANumber if percent => Some("not_a_number.percent"),
            NumberProblem::NotANumber => Some("not_a_number.number"),
            NumberProblem::Coerced | NumberProblem::Required | NumberProblem::Precision => None,
        }
    }
}

/// A cell's value as a number: `None` when empty, `Some(None)` when it does not read as one
/// (`lenient` reads a text, saying whether it needed leniency).
fn typed_number(
    raw: &Value,
    lenient: impl Fn(&str) -> Option<(Decimal, bool)>,
    mut coerced: impl FnMut(&str, Decimal),
) -> Option<Option<Decimal>> {
    match raw {
        Value::Empty => None,
        Value::Text(t) if t.trim().is_empty() => None,
        Value::Number(n) => Some(decimal_from_f64(*n)),
        Value::Text(t) => Some(lenient(t).map(|(d, lenient)| {
            if lenient {
                coerced(t, d);
            }
            d
        })),
        _ => Some(None),
    }
}

/// A number or percent input: read leniently (units, `%`, full-width digits, thousands
/// separators, with a warning), within its bounds for the item, with at most its decimals.
pub(super) fn check_number<'s>(
    input: &InputSpec,
    raw: &Value,
    text: &str,
    (min, max): (Option<Decimal>, Option<Decimal>),
    unit: &str,
    f: &mut Findings,
    at: &dyn Fn(Option<String>, Option<String>) -> At<'s>,
) -> Option<Decimal> {
    let at = |value: Option<String>, expected: Option<String>, problem: NumberProblem| {
        let mut a = at(value, expected);
        a.variant = problem.variant(input.kind);
        a.args.retain(|(k, _)| *k != "max");
        a.args
            .push(("min", min.map(show).unwrap_or_else(|| "-∞".into())));
        a.args
            .push(("max", max.map(show).unwrap_or_else(|| "∞".into())));
        a.args.push(("unit", unit.to_string()));
        a
    };
    let value = typed_number(
        raw,
        |t| crate::inputs::lenient_number(t, unit),
        |t, d| {
            f.warning(
                Code::ValueCoerced,
                at(Some(t.to_string()), Some(show(d)), NumberProblem::Coerced),
            )
        },
    );
    let value = match value {
        None => {
            if input.required {
                f.error(
                    Code::RequiredMissing,
                    at(None, None, NumberProblem::Required),
                );
            }
            return None;
        }
        Some(None) => {
            let at = at(Some(text.to_string()), None, NumberProblem::NotANumber);
            f.error(Code::NotANumber, at);
            return None;
        }
        Some(Some(d)) => d,
    };
    if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
        let at = at(Some(show(value)), max.map(show), NumberProblem::OutOfRange);
        f.error(Code::OutOfRange, at);
        return Some(value);
    }
    if let Some(rounded) = too_precise(value, input.decimals.unwrap_or(2)) {
        let at = at(
            Some(show(value)),
            Some(show(rounded)),
            NumberProblem::Precision,
        );
        f.error(Code::BadPrecision, at);
    }
    Some(value)
}

/// `value` rounded to `decimals` places, when it has more.
pub(super) fn too_precise(value: Decimal, decimals: u32) -> Option<Decimal> {
    (value.normalize().scale() > decimals).then(|| value.round_dp(decimals).normalize())
}

/// A score input: read leniently ([`lenient_score`]), from 0 to the item's weight, with at most
/// its decimals.
pub(super) fn check_score<'s>(
    input: &InputSpec,
    raw: &Value,
    text: &str,
    weight: Decimal,
    f: &mut Findings,
    at: &dyn Fn(Option<String>, Option<String>) -> At<'s>,
) -> Option<Decimal> {
    let mut coerced = Vec::new();
    let value = typed_number(raw, lenient_score, |t, d| coerced.push((t.to_string(), d)));
    for (t, d) in coerced {
        f.warning(Code::ValueCoerced, at(Some(t), Some(show(d))));
    }
    let value = match value {
        None => {
            if input.required {
                f.error(Code::RequiredMissing, at(None, None));
            }
            return None;
        }
        Some(None) => {
            f.error(Code::NotANumber, at(Some(text.to_string()), None));
            return None;
        }
        Some(Some(d)) => d,
    };
    if value < Decimal::ZERO || value > weight {
        f.error(Code::OutOfRange, at(Some(show(value)), Some(show(weight))));
        return Some(value);
    }
    if let Some(rounded) = too_precise(value, input.decimals.unwrap_or(2)) {
        f.error(
            Code::BadPrecision,
            at(Some(show(value)), Some(show(rounded))),
        );
    }
    Some(value)
}

/// A date input: as `YYYY-MM-DD`, or a finding.
pub(super) fn check_date<'s>(
    input: &InputSpec,
    text: &str,
    f: &mut Findings,
    at: &dyn Fn(Option<String>, Option<String>) -> At<'s>,
) -> Option<String> {
    if text.trim().is_empty() {
        if input.required {
            f.error(Code::RequiredMissing, at(None, None));
        }
        return None;
    }
    let date = crate::inputs::parse_date(text);
    if date.is_none() {
        f.error(Code::DateInvalid, at(Some(text.to_string()), None));
    }
    date
}

/// A score typed leniently: "1.5分", "１．５", " 2 ", "+1", "1.", "-0". Returns the number and
/// whether it needed leniency (then the return says how it was read).
pub fn lenient_score(text: &str) -> Option<(Decimal, bool)> {
    if let Some(d) = parse_decimal(text)
        && text.trim() == text
        && to_halfwidth(text) == text
        && !(d.is_zero() && text.starts_with('-'))
    {
        return Some((d, false));
    }
    let half = to_halfwidth(text);
    let t = half.trim();
    let t = t.strip_suffix('分').unwrap_or(t).trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let t = t.strip_suffix('.').unwrap_or(t);
    parse_decimal(t).map(|d| (if d.is_zero() { Decimal::ZERO } else { d }, true))
}

pub(super) fn check_text_input<'s>(
    input: &InputSpec,
    text: &str,
    f: &mut Findings,
    at: &dyn Fn(Option<String>, Option<String>) -> At<'s>,
) {
    if text.trim().is_empty() {
        if input.required {
            f.error(Code::RequiredMissing, at(None, None));
        }
        return;
    }
    match input.kind {
        InputKind::Choice => {
            if !input.choices.iter().any(|c| c == text) {
                match input.choices.iter().find(|c| fold(c) == fold(text)) {
                    Some(choice) => f.warning(
                        Code::ValueCoerced,
                        at(Some(text.to_string()), Some(choice.clone())),
                    ),
                    None => f.error(
                        Code::ChoiceInvalid,
                        at(Some(text.to_string()), Some(input.choices.join("、"))),
                    ),
                }
            }
        }
        InputKind::Phone => {
            if !plausible_phone(text) {
                f.error(Code::PhoneInvalid, at(Some(text.to_string()), None));
            }
        }
        InputKind::Text
        | InputKind::Score
        | InputKind::Number
        | InputKind::Percent
        | InputKind::Date
        | InputKind::Computed => {}
    }
    if let Some(max) = input.max_length {
        let count = text.chars().count();
        if count > max as usize {
            let mut a = at(Some(count.to_string()), None);
            a.args.retain(|(k, _)| *k != "max");
            a.args.push(("max", max.to_string()));
            f.error(Code::TextTooLong, a);
        }
    }
}

/// A mobile (11 digits from 1), a landline (7–8 digits, with an area code 0xx(x) or not), a
/// service number, optionally with +86, an extension and the separators people type.
pub fn plausible_phone(text: &str) -> bool {
    let half = to_halfwidth(text);
    // Several numbers separated by 、 / ; are fine if each is.
    let parts: Vec<&str> = half
        .split(['、', '/', ';', '；', ',', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    !parts.is_empty() && parts.iter().all(|p| one_phone(p))
}

fn one_phone(text: &str) -> bool {
    let (main, ext) = match text.find(['转', 'x', 'X']) {
        Some(i) => (&text[..i], Some(&text[i..])),
        None => (text, None),
    };
    if let Some(ext) = ext {
        let digits: String = ext.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() || digits.len() > 6 {
            return false;
        }
    }
    if main
        .chars()
        .any(|c| !(c.is_ascii_digit() || " -()（）+".contains(c)))
    {
        return false;
    }
    let mut digits: String = main.chars().filter(char::is_ascii_digit).collect();
    if main.trim_start().starts_with('+') {
        match digits.strip_prefix("86") {
            Some(rest) => digits = rest.to_string(),
            None => return false,
        }
    }
    let n = digits.len();
    let mobile = n == 11 && digits.starts_with('1');
    let landline_with_area = digits.starts_with('0') && (10..=12).contains(&n);
    let local = !digits.starts_with('0') && (n == 7 || n == 8);
    let service = n == 5 && digits.starts_with('1');
    mobile || landline_with_area || local || service
}

/// A locked cell that is not as issued: the finding shows both texts around where they differ;
/// `at` gives the cell, the item and any further arguments.
pub(super) fn locked_changed<'s>(
    f: &mut Findings,
    at: At<'s>,
    label: String,
    actual: String,
    expected: String,
) {
    let (shown_actual, shown_expected) = differing_parts(&actual, &expected);
    let mut args = vec![
        ("label", label),
        ("value", shown_actual),
        ("expected", shown_expected),
    ];
    args.extend(at.args);
    f.error(
        Code::LockedCellChanged,
        At {
            value: Some(actual),
            expected: Some(expected),
            args,
            ..at
        },
    );
}

pub fn looks_like_file_name(token: &str) -> bool {
    match token.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.trim().is_empty()
                && (1..=5).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
                && ext.chars().any(|c| c.is_ascii_alphabetic())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_people_type() {
        for ok in [
            "13800000000",
            "138 0000 0000",
            "0595-22345678",
            "(0595)22345678",
            "22345678",
            "+86 138-0000-0000",
            "0595-22345678转8001",
            "13800000000、0595-22345678",
            "１３８００００００００",
            "12345",
        ] {
            assert!(plausible_phone(ok), "{ok}");
        }
        for bad in [
            "无",
            "138",
            "1380000000000",
            "abc12345678",
            "",
            "0595",
            "+1 2025550100",
        ] {
            assert!(!plausible_phone(bad), "{bad}");
        }
    }

    #[test]
    fn lenient_scores() {
        assert_eq!(lenient_score("1.5"), Some((Decimal::new(15, 1), false)));
        assert_eq!(lenient_score("1.5分"), Some((Decimal::new(15, 1), true)));
        assert_eq!(lenient_score("１．５"), Some((Decimal::new(15, 1), true)));
        assert_eq!(lenient_score(" 2 "), Some((Decimal::new(2, 0), true)));
        assert_eq!(lenient_score("满分"), None);
        assert_eq!(lenient_score("1.5.2"), None);
        assert_eq!(lenient_score("0_1"), None);
        assert_eq!(lenient_score("+1"), Some((Decimal::new(1, 0), true)));
        assert_eq!(lenient_score("1."), Some((Decimal::new(1, 0), true)));
        assert_eq!(lenient_score("-0"), Some((Decimal::ZERO, true)));
        assert_eq!(lenient_score("-1"), Some((Decimal::new(-1, 0), false)));
    }

    #[test]
    fn file_names_in_evidence() {
        assert!(looks_like_file_name("会议纪要.pdf"));
        assert!(looks_like_file_name("照片1.JPG"));
        assert!(!looks_like_file_name("见附件"));
        assert!(!looks_like_file_name("1.5"));
        assert!(!looks_like_file_name("详见第3.2节"));
    }
}
