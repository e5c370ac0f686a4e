//! The small rules and formulas a spec writes in words: `required_when = "score < weight"`,
//! `"status != 已完成"`, `"percent < 100 and status != 已完成"`, and computed columns such as
//! `formula = "done / 目标值"`.
//!
//! A name is an input's key (`score`, `done`), a role of the master (`weight`, `deadline`,
//! `target`) or a master column's label in brackets (`[目标值]`); the caller resolves names
//! through an [`Env`]; any other word is a text (`已完成`).
//!
//! A target has a direction ([`Direction`]): `≥96%`, `不低于96%` and a bare `95` are met by
//! reaching them, `≤25`, `不高于25`, `控制在25以内` by staying within them. Rules read a value
//! against a target as "falls short of it": `done < target` holds for 90 against `≥95` and for
//! 25 against `≤21`, never for 18 against `≤22`; and `done / target` is the rate of meeting
//! it — done ÷ target for a target to reach, target ÷ done for a ceiling. A comparison whose
//! side has no value (an empty cell, a text where a number is needed) does not hold: a rule
//! never makes a cell required on what is not there. One rule, one meaning: the template's
//! instructions, the in-cell formula and the validator all come from the same parsed rule.

use rust_decimal::Decimal;

/// A value a name stands for in one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(Decimal),
    Text(String),
    Empty,
}

impl Value {
    /// A number, also from a text that plainly is one (`120`, `95%`, `1,200 吨`).
    pub fn number(&self) -> Option<Decimal> {
        match self {
            Value::Number(n) => Some(*n),
            Value::Text(t) => leading_number(t),
            Value::Empty => None,
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            Value::Number(n) => Some(crate::cell_text::show(*n)),
            Value::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
            _ => None,
        }
    }
}

/// Words before a target's number that say which way it is met (`不低于96%`, `下降3%`).
const AT_LEAST_WORDS: &[&str] = &[
    "不低于",
    "不少于",
    "不小于",
    "高于",
    "大于",
    "多于",
    "达到",
    "超过",
    "下降",
    "降低",
    "减少",
    "提高",
    "提升",
    "增长",
    "上升",
    "增加",
    "at least",
];
const AT_MOST_WORDS: &[&str] = &[
    "不高于",
    "不超过",
    "不大于",
    "不多于",
    "控制在",
    "低于",
    "小于",
    "少于",
    "at most",
    "no more than",
];

/// Which way a target is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Reach it: `≥96%`, `不低于96%`, `95`, `下降3%` (a decrease of at least 3).
    AtLeast,
    /// Stay within it: `≤25`, `<25`, `不高于25`, `不超过25`, `25以下`, `控制在25以内`.
    AtMost,
}

/// The direction of a target written as `text`.
pub fn direction(text: &str) -> Direction {
    let half = crate::cell_text::to_halfwidth(text).to_lowercase();
    let t = half.trim();
    let below = t.starts_with(['≤', '<', '≦'])
        || t.ends_with("以下")
        || t.ends_with("以内")
        || AT_MOST_WORDS.iter().any(|w| t.starts_with(w));
    if below && !t.starts_with(['≥', '>']) {
        Direction::AtMost
    } else {
        Direction::AtLeast
    }
}

/// Whether `value` is a target to stay within (`≤25`): only a text can say so.
fn is_ceiling(value: &Value) -> bool {
    matches!(value, Value::Text(t) if direction(t) == Direction::AtMost)
}

/// The number a text starts with, after white space and full-width forms: `95%` → 95,
/// `1,200吨` → 1200, `≥90` → 90, `不低于96%` → 96; none when it starts with anything else.
pub fn leading_number(text: &str) -> Option<Decimal> {
    let half = crate::cell_text::to_halfwidth(text);
    let mut t = half.trim();
    let lower = t.to_lowercase();
    if let Some(word) = AT_LEAST_WORDS
        .iter()
        .chain(AT_MOST_WORDS)
        .find(|w| lower.starts_with(*w))
    {
        t = t.get(word.len()..).unwrap_or(t);
    }
    let t = t
        .trim()
        .trim_start_matches(['≥', '≤', '≦', '≧', '>', '<', '=', '约']);
    let t = t.trim();
    let end = t
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == ',' || c == '.' || (i == 0 && c == '-')))
        .map_or(t.len(), |(i, _)| i);
    let number: String = t[..end].chars().filter(|c| *c != ',').collect();
    crate::cell_text::parse_decimal(number.trim_end_matches('.'))
}

/// What a rule or formula reads its names from.
pub trait Env {
    fn value(&self, name: &str) -> Value;
}

impl<F: Fn(&str) -> Value> Env for F {
    fn value(&self, name: &str) -> Value {
        self(name)
    }
}

/// One side of a comparison, or a leaf of a formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Name(String),
    Number(Decimal),
    /// A quoted text, or a bare word that is no name (`已完成`).
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    /// The order turned round: `<` as `>`, `≤` as `≥`; equality stays.
    fn mirrored(self) -> Op {
        match self {
            Op::Lt => Op::Gt,
            Op::Le => Op::Ge,
            Op::Gt => Op::Lt,
            Op::Ge => Op::Le,
            other => other,
        }
    }

    fn holds(self, order: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Lt => order == Less,
            Op::Le => order != Greater,
            Op::Gt => order == Greater,
            Op::Ge => order != Less,
            Op::Eq => order == Equal,
            Op::Ne => order != Equal,
        }
    }
}

/// `left op right`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub left: Operand,
    pub op: Op,
    pub right: Operand,
}

/// Comparisons joined by `and` (all hold) or `or` (one holds); not both in one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub text: String,
    pub all: bool,
    pub comparisons: Vec<Comparison>,
}

/// Why a rule or formula could not be read: the text, where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{text}\": {problem}")]
pub struct RuleError {
    pub text: String,
    pub problem: String,
}

fn error(text: &str, problem: impl Into<String>) -> RuleError {
    RuleError {
        text: text.to_string(),
        problem: problem.into(),
    }
}

/// Whether `word` is written as a name: an ASCII identifier, or any word that `is_name` knows.
fn operand(word: &str, is_name: &dyn Fn(&str) -> bool) -> Operand {
    let word = word.trim();
    if let Some(quoted) = word
        .strip_prefix('"')
        .and_then(|w| w.strip_suffix('"'))
        .or_else(|| word.strip_prefix('“').and_then(|w| w.strip_suffix('”')))
    {
        return Operand::Text(quoted.to_string());
    }
    if let Some(n) = crate::cell_text::parse_decimal(word) {
        return Operand::Number(n);
    }
    if is_name(word) {
        Operand::Name(word.to_string())
    } else {
        Operand::Text(word.to_string())
    }
}

const OPS: [(&str, Op); 8] = [
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("!=", Op::Ne),
    ("==", Op::Eq),
    ("<>", Op::Ne),
    ("<", Op::Lt),
    (">", Op::Gt),
    ("=", Op::Eq),
];

impl Rule {
    /// Reads `text`; `is_name` tells a name from a bare text (`status != 已完成`: `status` is a
    /// name, `已完成` is not). The old spelling `score_below_weight` is `score < weight`.
    pub fn parse(text: &str, is_name: &dyn Fn(&str) -> bool) -> Result<Rule, RuleError> {
        let source = if text.trim() == "score_below_weight" {
            "score < weight"
        } else {
            text
        };
        let half = crate::cell_text::to_halfwidth(source);
        let (all, parts): (bool, Vec<&str>) = match (half.contains(" and "), half.contains(" or "))
        {
            (true, true) => return Err(error(text, "use either \"and\" or \"or\" in one rule")),
            (false, true) => (false, half.split(" or ").collect()),
            _ => (true, half.split(" and ").collect()),
        };
        let mut comparisons = Vec::new();
        for part in parts {
            let Some((at, sign, op)) = OPS
                .iter()
                .filter_map(|(sign, op)| part.find(sign).map(|at| (at, *sign, *op)))
                .min_by_key(|(at, sign, _)| (*at, usize::MAX - sign.len()))
            else {
                return Err(error(
                    text,
                    format!("\"{part}\" compares nothing; write e.g. \"score < weight\""),
                ));
            };
            let (left, right) = (&part[..at], &part[at + sign.len()..]);
            if left.trim().is_empty() || right.trim().is_empty() {
                return Err(error(
                    text,
                    format!("\"{part}\" lacks a side of \"{sign}\""),
                ));
            }
            comparisons.push(Comparison {
                left: operand(left, is_name),
                op,
                right: operand(right, is_name),
            });
        }
        Ok(Rule {
            text: text.trim().to_string(),
            all,
            comparisons,
        })
    }

    /// Every name the rule reads.
    pub fn names(&self) -> Vec<&str> {
        self.comparisons
            .iter()
            .flat_map(|c| [&c.left, &c.right])
            .filter_map(|o| match o {
                Operand::Name(n) => Some(n.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Whether the rule holds in `env`; a comparison with a side that has no value does not.
    pub fn holds(&self, env: &dyn Env) -> bool {
        let mut each = self.comparisons.iter().map(|c| c.holds(env));
        if self.all {
            each.all(|b| b)
        } else {
            each.any(|b| b)
        }
    }
}

fn resolve(operand: &Operand, env: &dyn Env) -> Value {
    match operand {
        Operand::Name(n) => env.value(n),
        Operand::Number(n) => Value::Number(*n),
        Operand::Text(t) => Value::Text(t.clone()),
    }
}

impl Comparison {
    fn holds(&self, env: &dyn Env) -> bool {
        let (left, right) = (resolve(&self.left, env), resolve(&self.right, env));
        let numeric =
            !matches!(self.left, Operand::Text(_)) && !matches!(self.right, Operand::Text(_));
        if numeric && let (Some(a), Some(b)) = (left.number(), right.number()) {
            // Against a ceiling, "below" is "above": falling short of `≤25` is being over 25.
            let op = if is_ceiling(&left) != is_ceiling(&right) {
                self.op.mirrored()
            } else {
                self.op
            };
            return op.holds(a.cmp(&b));
        }
        match (left.text(), right.text()) {
            (Some(a), Some(b)) if matches!(self.op, Op::Eq | Op::Ne) => {
                self.op.holds(if folded(&a) == folded(&b) {
                    std::cmp::Ordering::Equal
                } else {
                    std::cmp::Ordering::Less
                })
            }
            _ => false,
        }
    }
}

/// A text as compared: half-width, without white space.
fn folded(text: &str) -> String {
    crate::cell_text::to_halfwidth(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A master column's label as a rule writes it, `[目标值]`; `None` for any other word.
pub fn column_name(name: &str) -> Option<&str> {
    name.strip_prefix('[')?.strip_suffix(']').map(str::trim)
}

/// A formula of a computed column: names and numbers with `+ - * /` and parentheses.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Operand(Operand),
    Binary(Box<Expr>, char, Box<Expr>),
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<String>,
    at: usize,
}

impl Expr {
    /// Reads a formula such as `done / 目标值` or `(a + b) / 2`.
    pub fn parse(text: &str, is_name: &dyn Fn(&str) -> bool) -> Result<Expr, RuleError> {
        let half = crate::cell_text::to_halfwidth(text);
        let mut tokens = Vec::new();
        let mut word = String::new();
        for c in half.chars() {
            if "+-*/()".contains(c) || c.is_whitespace() {
                if !word.is_empty() {
                    tokens.push(std::mem::take(&mut word));
                }
                if !c.is_whitespace() {
                    tokens.push(c.to_string());
                }
            } else {
                word.push(c);
            }
        }
        if !word.is_empty() {
            tokens.push(word);
        }
        let mut parser = Parser {
            text,
            tokens,
            at: 0,
        };
        let expr = parser.sum(is_name)?;
        if parser.at != parser.tokens.len() {
            return Err(error(
                text,
                format!("unexpected \"{}\"", parser.tokens[parser.at]),
            ));
        }
        Ok(expr)
    }

    /// Every name the formula reads.
    pub fn names(&self) -> Vec<&str> {
        match self {
            Expr::Operand(Operand::Name(n)) => vec![n.as_str()],
            Expr::Operand(_) => Vec::new(),
            Expr::Binary(a, _, b) => {
                let mut names = a.names();
                names.extend(b.names());
                names
            }
        }
    }

    /// The value in `env`: none when a name has no number or a division is by zero.
    pub fn eval(&self, env: &dyn Env) -> Option<Decimal> {
        match self {
            Expr::Operand(o) => resolve(o, env).number(),
            Expr::Binary(a, '/', b) if self.divides_by_ceiling(env) => {
                // The rate of staying within a ceiling: target ÷ done.
                let (a, b) = (a.eval(env)?, b.eval(env)?);
                (!a.is_zero()).then(|| b.checked_div(a))?
            }
            Expr::Binary(a, op, b) => {
                let (a, b) = (a.eval(env)?, b.eval(env)?);
                match op {
                    '+' => a.checked_add(b),
                    '-' => a.checked_sub(b),
                    '*' => a.checked_mul(b),
                    _ if b.is_zero() => None,
                    _ => a.checked_div(b),
                }
            }
        }
    }

    /// Whether this is `x / name` with `name` a ceiling in `env` (`done / target`, `≤25`).
    fn divides_by_ceiling(&self, env: &dyn Env) -> bool {
        matches!(self, Expr::Binary(_, '/', b)
            if matches!(&**b, Expr::Operand(o @ Operand::Name(_)) if is_ceiling(&resolve(o, env))))
    }

    /// The formula in Excel's words, each name as `cell` writes it (a cell reference or a
    /// constant); `None` when a name has no cell and no value. A division by a ceiling in
    /// `env` is written the other way round, as [`Expr::eval`] computes it.
    pub fn excel_in(&self, cell: &dyn Fn(&str) -> Option<String>, env: &dyn Env) -> Option<String> {
        Some(match self {
            Expr::Operand(Operand::Name(n)) => cell(n)?,
            Expr::Operand(Operand::Number(n)) => crate::cell_text::show(*n),
            Expr::Operand(Operand::Text(_)) => return None,
            Expr::Binary(a, '/', b) if self.divides_by_ceiling(env) => {
                let (a, b) = (a.excel_in(cell, env)?, b.excel_in(cell, env)?);
                format!("({b}/{a})")
            }
            Expr::Binary(a, op, b) => {
                format!("({}{op}{})", a.excel_in(cell, env)?, b.excel_in(cell, env)?)
            }
        })
    }

    /// [`Expr::excel_in`] with no name a ceiling.
    pub fn excel(&self, cell: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        self.excel_in(cell, &|_: &str| Value::Empty)
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn sum(&mut self, is_name: &dyn Fn(&str) -> bool) -> Result<Expr, RuleError> {
        let mut left = self.product(is_name)?;
        while let Some(op @ ("+" | "-")) = self.peek() {
            let op = op.chars().next().unwrap_or('+');
            self.at += 1;
            let right = self.product(is_name)?;
            left = Expr::Binary(Box::new(left), op, Box::new(right));
        }
        Ok(left)
    }

    fn product(&mut self, is_name: &dyn Fn(&str) -> bool) -> Result<Expr, RuleError> {
        let mut left = self.leaf(is_name)?;
        while let Some(op @ ("*" | "/")) = self.peek() {
            let op = op.chars().next().unwrap_or('*');
            self.at += 1;
            let right = self.leaf(is_name)?;
            left = Expr::Binary(Box::new(left), op, Box::new(right));
        }
        Ok(left)
    }

    fn leaf(&mut self, is_name: &dyn Fn(&str) -> bool) -> Result<Expr, RuleError> {
        let Some(token) = self.peek().map(str::to_string) else {
            return Err(error(self.text, "the formula ends too early"));
        };
        self.at += 1;
        if token == "(" {
            let inner = self.sum(is_name)?;
            if self.peek() != Some(")") {
                return Err(error(self.text, "a \"(\" is not closed"));
            }
            self.at += 1;
            return Ok(inner);
        }
        if "+-*/)".contains(token.as_str()) {
            return Err(error(self.text, format!("unexpected \"{token}\"")));
        }
        match operand(&token, is_name) {
            Operand::Text(t) => Err(error(
                self.text,
                format!("\"{t}\" is neither a number nor a known name"),
            )),
            leaf => Ok(Expr::Operand(leaf)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_met_from_its_own_side() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        for (text, want) in [
            ("≤22", Direction::AtMost),
            ("不高于40", Direction::AtMost),
            ("不超过 5", Direction::AtMost),
            ("控制在25以内", Direction::AtMost),
            ("25以下", Direction::AtMost),
            ("≥96%", Direction::AtLeast),
            ("不低于96%", Direction::AtLeast),
            ("95", Direction::AtLeast),
            ("下降3%", Direction::AtLeast),
            ("高于90", Direction::AtLeast),
        ] {
            assert_eq!(direction(text), want, "{text}");
        }
        for (text, n) in [
            ("不低于96%", "96"),
            ("不高于40", "40"),
            ("下降3%", "3"),
            ("控制在25以内", "25"),
        ] {
            assert_eq!(leading_number(text), Some(d(n)), "{text}");
        }
        let names = |n: &str| ["done", "target"].contains(&n);
        let rule = Rule::parse("done < target", &names).unwrap();
        let holds = |done: &str, target: &str| {
            let env = |name: &str| match name {
                "done" => Value::Number(d(done)),
                _ => Value::Text(target.to_string()),
            };
            rule.holds(&env)
        };
        assert!(!holds("18", "≤22"), "18 meets ≤22");
        assert!(holds("25", "≤21"), "25 misses ≤21");
        assert!(holds("95", "≥96%"), "95 misses ≥96%");
        assert!(!holds("97", "不低于96%"));
        assert!(holds("90", "95"));
        let rate = Expr::parse("done / target", &names).unwrap();
        let of = |done: &str, target: &str| {
            let env = |name: &str| match name {
                "done" => Value::Number(d(done)),
                _ => Value::Text(target.to_string()),
            };
            rate.eval(&env)
        };
        assert_eq!(of("25", "≤21"), Some(d("0.84")));
        assert_eq!(of("0", "≤21"), None);
        assert_eq!(of("48", "≥96%"), Some(d("0.5")));
        let cell = |n: &str| {
            Some(if n == "done" {
                "F4".to_string()
            } else {
                "21".to_string()
            })
        };
        let ceiling = |_: &str| Value::Text("≤21".to_string());
        assert_eq!(rate.excel_in(&cell, &ceiling).as_deref(), Some("(21/F4)"));
        assert_eq!(rate.excel(&cell).as_deref(), Some("(F4/21)"));
    }
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn names(n: &str) -> bool {
        ["score", "weight", "status", "percent", "done"].contains(&n) || column_name(n).is_some()
    }

    fn env<'a>(pairs: &'a [(&'a str, Value)]) -> impl Fn(&str) -> Value + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(Value::Empty, |(_, v)| v.clone())
        }
    }

    /// (rule, values, holds)
    #[test]
    fn rules_hold_as_written() {
        let n = |s: &str| Value::Number(d(s));
        let t = |s: &str| Value::Text(s.to_string());
        type Case<'a> = (&'a str, Vec<(&'a str, Value)>, bool);
        let cases: Vec<Case> = vec![
            (
                "score < weight",
                vec![("score", n("1.5")), ("weight", n("2"))],
                true,
            ),
            (
                "score < weight",
                vec![("score", n("2")), ("weight", n("2"))],
                false,
            ),
            (
                "score_below_weight",
                vec![("score", n("1")), ("weight", n("2"))],
                true,
            ),
            ("score < weight", vec![("weight", n("2"))], false),
            ("status != 已完成", vec![("status", t("部分完成"))], true),
            ("status != 已完成", vec![("status", t("已完成"))], false),
            ("status != 已完成", vec![("status", t(" 已完成 "))], false),
            ("status != 已完成", vec![], false),
            ("status == \"已完成\"", vec![("status", t("已完成"))], true),
            ("percent < 100", vec![("percent", n("80"))], true),
            ("percent < 100", vec![("percent", t("100"))], false),
            ("percent < 100", vec![("percent", t("八十"))], false),
            (
                "done < [目标值]",
                vec![("done", n("90")), ("[目标值]", t("≥95%"))],
                true,
            ),
            (
                "done < [目标值]",
                vec![("done", n("120")), ("[目标值]", t("1,200吨"))],
                true,
            ),
            (
                "done >= [目标值]",
                vec![("done", n("1200")), ("[目标值]", t("1,200吨"))],
                true,
            ),
            (
                "percent < 100 and status != 已完成",
                vec![("percent", n("50")), ("status", t("已完成"))],
                false,
            ),
            (
                "percent < 100 or status != 已完成",
                vec![("percent", n("50")), ("status", t("已完成"))],
                true,
            ),
            ("percent ＜ 100", vec![("percent", n("50"))], true),
            ("percent <= 100", vec![("percent", n("100"))], true),
            ("percent <> 100", vec![("percent", n("100"))], false),
        ];
        for (text, values, holds) in cases {
            let rule = Rule::parse(text, &names).unwrap();
            assert_eq!(rule.holds(&env(&values)), holds, "{text} with {values:?}");
        }
    }

    #[test]
    fn broken_rules_are_named() {
        for text in ["score", "< 2", "a < 1 and b > 2 or c = 3", "score <"] {
            assert!(Rule::parse(text, &names).is_err(), "{text}");
        }
    }

    #[test]
    fn formulas_compute_exactly_and_write_for_excel() {
        let e = Expr::parse("done / [目标值]", &names).unwrap();
        let values = [
            ("done", Value::Number(d("1.5"))),
            ("[目标值]", Value::Text("3".into())),
        ];
        assert_eq!(e.eval(&env(&values)), Some(d("0.5")));
        assert_eq!(e.eval(&env(&[("done", Value::Number(d("1")))])), None);
        let zero = [
            ("done", Value::Number(d("1"))),
            ("[目标值]", Value::Number(d("0"))),
        ];
        assert_eq!(e.eval(&env(&zero)), None);
        let cell = |n: &str| {
            Some(if n == "done" {
                "H5".into()
            } else {
                "120".into()
            })
        };
        assert_eq!(e.excel(&cell).as_deref(), Some("(H5/120)"));
        let e = Expr::parse("(done + 1) * 2 - 1", &names).unwrap();
        assert_eq!(
            e.eval(&env(&[("done", Value::Number(d("0.1")))])),
            Some(d("1.2"))
        );
        for text in ["done /", "(done", "done 2", "done / 其他"] {
            assert!(Expr::parse(text, &names).is_err(), "{text}");
        }
    }

    #[test]
    fn leading_numbers_are_read_from_master_texts() {
        assert_eq!(leading_number("95%"), Some(d("95")));
        assert_eq!(leading_number("≥ 90"), Some(d("90")));
        assert_eq!(leading_number("1,200吨"), Some(d("1200")));
        assert_eq!(leading_number("１２０"), Some(d("120")));
        assert_eq!(leading_number("全面完成"), None);
    }
}
