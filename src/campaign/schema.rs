//! The shape of `tianbao.toml`, checked before it is deserialised, so that the common slips of
//! a person editing it by hand are told in words with the line they are on: a date or number
//! where text belongs (`deadline = 2024-01-10`), text where a number belongs (`round = "2"`),
//! a key that does not exist (`dedline`), a key written below `[limits]` that belongs above it,
//! an unclosed quote, Chinese (full-width) quotes.
//!
//! What passes here is deserialised by serde as before; its remaining errors (an unknown
//! aggregation, a role that does not exist) are rare and keep the parser's message.

use serde::Serialize;
use toml::de::{DeTable, DeValue};

use super::CampaignError;

/// The kind of a TOML value, as a person would name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// Text in quotes.
    Text,
    /// A whole number.
    Integer,
    /// A number with a fraction.
    Number,
    /// `true` or `false`.
    Bool,
    /// An unquoted date or time (TOML reads `2024-01-10` as one).
    Date,
    /// `[…]`.
    List,
    /// `[name]` or `{ … }`.
    Table,
}

impl ValueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::Text => "text",
            ValueKind::Integer => "integer",
            ValueKind::Number => "number",
            ValueKind::Bool => "true/false",
            ValueKind::Date => "date",
            ValueKind::List => "list",
            ValueKind::Table => "table",
        }
    }

    /// The key of this kind's word in the terminal texts (`error.config.kind.text`).
    pub fn text_key(self) -> &'static str {
        match self {
            ValueKind::Text => "error.config.kind.text",
            ValueKind::Integer => "error.config.kind.integer",
            ValueKind::Number => "error.config.kind.number",
            ValueKind::Bool => "error.config.kind.bool",
            ValueKind::Date => "error.config.kind.date",
            ValueKind::List => "error.config.kind.list",
            ValueKind::Table => "error.config.kind.table",
        }
    }

    fn of(value: &DeValue) -> ValueKind {
        match value {
            DeValue::String(_) => ValueKind::Text,
            DeValue::Integer(_) => ValueKind::Integer,
            DeValue::Float(_) => ValueKind::Number,
            DeValue::Boolean(_) => ValueKind::Bool,
            DeValue::Datetime(_) => ValueKind::Date,
            DeValue::Array(_) => ValueKind::List,
            DeValue::Table(_) => ValueKind::Table,
        }
    }
}

/// How a value of the wrong kind is put right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fix {
    /// Put the value in quotes (`deadline = "2024-01-10"`).
    Quote,
    /// Take the quotes away (`round = 2`).
    Unquote,
    /// Write it as shown (an example of the right kind).
    Rewrite,
}

/// What went wrong on a line that cannot be read as TOML at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Syntax {
    /// A text opened with `"` and not closed.
    UnclosedQuote,
    /// Chinese quotes or equals sign (`“…”`, `＝`), typed with an input method.
    FullWidth,
    /// Anything else (the parser's own words are in `detail`).
    Other,
}

/// What a key's value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Text,
    Integer,
    Bool,
    /// `[limits]`: whole numbers under the keys of [`crate::returns::Limits`].
    Limits,
    /// `[columns]`: any key (a header label or column letter), each a text (a role).
    Texts,
    /// `[units]`: any key (a name for all units), each a list of texts.
    Lists,
}

/// The top-level keys of `tianbao.toml`, in the order it is written. A unit test checks that
/// every field of [`super::Config`] is here.
const TOP: &[(&str, Expect)] = &[
    ("title", Expect::Text),
    ("master", Expect::Text),
    ("spec", Expect::Text),
    ("aggregation", Expect::Text),
    ("contact", Expect::Text),
    ("deadline", Expect::Text),
    ("office", Expect::Text),
    ("return_to", Expect::Text),
    ("round", Expect::Integer),
    ("as_of", Expect::Text),
    ("period", Expect::Text),
    ("password", Expect::Text),
    ("sheet", Expect::Text),
    ("header_row", Expect::Text),
    ("first_leads", Expect::Bool),
    ("id", Expect::Text),
    ("secret", Expect::Text),
    ("limits", Expect::Limits),
    ("columns", Expect::Texts),
    ("units", Expect::Lists),
];

/// The keys of `[limits]`, from the limits' own defaults (so a new limit needs no change here).
fn limit_keys() -> Vec<String> {
    match toml::Value::try_from(crate::returns::Limits::default()) {
        Ok(toml::Value::Table(table)) => table.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The text of the 1-based line `line`, without its line break.
fn line_text(text: &str, line: usize) -> &str {
    text.lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .trim_end_matches('\r')
}

/// Checks the shape of `text` (the content of the file at `path`).
pub fn check(path: &str, text: &str) -> Result<(), CampaignError> {
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => return Err(syntax(path, text, &e)),
    };
    let checker = Checker { path, text };
    let top_keys: Vec<String> = TOP.iter().map(|(k, _)| k.to_string()).collect();
    for (key, value) in in_file_order(root.get_ref()) {
        let name = key.get_ref().as_ref();
        let Some((_, expect)) = TOP.iter().find(|(k, _)| *k == name) else {
            return Err(checker.unknown(name, key.span().start, &top_keys));
        };
        checker.value(name, name, key, value, *expect)?;
    }
    Ok(())
}

type Entry<'a, 'i> = (
    &'a toml::Spanned<toml::de::DeString<'i>>,
    &'a toml::Spanned<DeValue<'i>>,
);

/// The entries of a table in the order they stand in the file.
fn in_file_order<'a, 'i>(table: &'a DeTable<'i>) -> Vec<Entry<'a, 'i>> {
    let mut entries: Vec<Entry> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

struct Checker<'a> {
    path: &'a str,
    text: &'a str,
}

impl Checker<'_> {
    /// Checks `value` of key `name` (`limits.max_rows` for one in a table; `leaf` as written).
    fn value(
        &self,
        name: &str,
        leaf: &str,
        key: &toml::Spanned<toml::de::DeString>,
        value: &toml::Spanned<DeValue>,
        expect: Expect,
    ) -> Result<(), CampaignError> {
        let found = ValueKind::of(value.get_ref());
        let wanted = match expect {
            Expect::Text | Expect::Texts => ValueKind::Text,
            Expect::Integer => ValueKind::Integer,
            Expect::Bool => ValueKind::Bool,
            Expect::Lists => ValueKind::List,
            Expect::Limits => ValueKind::Table,
        };
        let leaf = self.written_key(key, leaf);
        match (expect, value.get_ref()) {
            (Expect::Limits, DeValue::Table(table)) => {
                let known = limit_keys();
                for (k, v) in in_file_order(table) {
                    let sub = k.get_ref().as_ref();
                    let full = format!("{name}.{sub}");
                    if known.iter().any(|x| x == sub) {
                        self.value(&full, sub, k, v, Expect::Integer)?;
                    } else if TOP.iter().any(|(t, _)| *t == sub) {
                        return Err(self.misplaced(sub, name, k.span().start));
                    } else {
                        return Err(self.unknown(&full, k.span().start, &known));
                    }
                }
                Ok(())
            }
            (Expect::Texts, DeValue::Table(table)) => {
                for (k, v) in in_file_order(table) {
                    let sub = k.get_ref().as_ref();
                    let is_role = v
                        .get_ref()
                        .as_str()
                        .is_some_and(|r| crate::model::Role::parse(r).is_some());
                    if TOP.iter().any(|(t, _)| *t == sub) && !is_role {
                        return Err(self.misplaced(sub, name, k.span().start));
                    }
                    self.value(&format!("{name}.{sub}"), sub, k, v, Expect::Text)?;
                }
                Ok(())
            }
            (Expect::Lists, DeValue::Table(table)) => {
                for (k, v) in in_file_order(table) {
                    let sub = k.get_ref().as_ref();
                    if TOP.iter().any(|(t, _)| *t == sub) && !v.get_ref().is_array() {
                        return Err(self.misplaced(sub, name, k.span().start));
                    }
                    let full = format!("{name}.{sub}");
                    self.value(&full, sub, k, v, Expect::Lists)?;
                    if let DeValue::Array(list) = v.get_ref() {
                        for element in list.iter() {
                            if !element.get_ref().is_str() {
                                return Err(self.wrong(
                                    &full,
                                    &self.written_key(k, sub),
                                    element,
                                    ValueKind::Text,
                                ));
                            }
                        }
                    }
                }
                Ok(())
            }
            _ if found == wanted => Ok(()),
            _ => Err(self.wrong(name, &leaf, value, wanted)),
        }
    }

    /// The key as written in the file (quoted where it must be), or `fallback`.
    fn written_key(&self, key: &toml::Spanned<toml::de::DeString>, fallback: &str) -> String {
        self.text
            .get(key.span())
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .unwrap_or(fallback)
            .to_string()
    }

    fn wrong(
        &self,
        name: &str,
        leaf: &str,
        value: &toml::Spanned<DeValue>,
        expected: ValueKind,
    ) -> CampaignError {
        let found = ValueKind::of(value.get_ref());
        let written = self.text.get(value.span()).unwrap_or("").trim().to_string();
        let (fix, line) = fix_for(leaf, value.get_ref(), &written, expected);
        CampaignError::WrongType {
            path: self.path.to_string(),
            line: line_of(self.text, value.span().start),
            key: name.to_string(),
            expected,
            found,
            written,
            fix,
            fixed: line,
        }
    }

    fn unknown(&self, name: &str, offset: usize, known: &[String]) -> CampaignError {
        let leaf = name.rsplit('.').next().unwrap_or(name);
        CampaignError::UnknownKey {
            path: self.path.to_string(),
            line: line_of(self.text, offset),
            key: name.to_string(),
            similar: similar(leaf, known),
            known: known.to_vec(),
        }
    }

    fn misplaced(&self, name: &str, table: &str, offset: usize) -> CampaignError {
        CampaignError::Misplaced {
            path: self.path.to_string(),
            line: line_of(self.text, offset),
            key: name.to_string(),
            table: table.to_string(),
        }
    }
}

/// How to put right `leaf = written`, and the line as it should be.
fn fix_for(leaf: &str, value: &DeValue, written: &str, expected: ValueKind) -> (Fix, String) {
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    match (expected, value) {
        (
            ValueKind::Text,
            DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) | DeValue::Datetime(_),
        ) => (Fix::Quote, format!("{leaf} = {}", quoted(written))),
        (ValueKind::Integer, DeValue::String(s)) => {
            let half = crate::cell_text::to_halfwidth(s);
            let digits = half.trim();
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                (Fix::Unquote, format!("{leaf} = {digits}"))
            } else {
                (Fix::Rewrite, format!("{leaf} = 1"))
            }
        }
        (ValueKind::Bool, DeValue::String(s)) => {
            let word = s.trim().to_ascii_lowercase();
            match word.as_str() {
                "true" | "false" => (Fix::Unquote, format!("{leaf} = {word}")),
                "是" | "yes" => (Fix::Rewrite, format!("{leaf} = true")),
                "否" | "no" => (Fix::Rewrite, format!("{leaf} = false")),
                _ => (Fix::Rewrite, format!("{leaf} = true")),
            }
        }
        (ValueKind::List, DeValue::String(s)) => {
            let names: Vec<String> = crate::cell_text::split_names(s)
                .iter()
                .map(|n| quoted(n))
                .collect();
            (Fix::Rewrite, format!("{leaf} = [{}]", names.join(", ")))
        }
        (ValueKind::List, _) => (Fix::Rewrite, format!("{leaf} = [\"…\"]")),
        (ValueKind::Table, _) => (Fix::Rewrite, format!("[{leaf}]")),
        (ValueKind::Integer, _) => (Fix::Rewrite, format!("{leaf} = 1")),
        (ValueKind::Bool, _) => (Fix::Rewrite, format!("{leaf} = true")),
        _ => (Fix::Rewrite, format!("{leaf} = \"…\"")),
    }
}

/// A known key close to `key` (a typo: one or two letters off, or different case).
fn similar(key: &str, known: &[String]) -> Option<String> {
    let folded = key.to_ascii_lowercase().replace('-', "_");
    known
        .iter()
        .map(|k| (distance(&folded, k), k))
        .filter(|(d, k)| *d <= 2.min(k.len() / 3 + 1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.clone())
}

/// Levenshtein distance by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(here + 1);
            previous = here;
        }
    }
    row[b.len()]
}

/// A parse error as a [`CampaignError::ConfigSyntax`], with the line it is on.
fn syntax(path: &str, text: &str, e: &toml::de::Error) -> CampaignError {
    let offset = e.span().map_or(0, |s| s.start);
    let mut line = line_of(text, offset);
    // An unclosed quote is reported where the parser gave up: at the end of its line.
    if offset > 0 && text.as_bytes().get(offset.saturating_sub(1)) == Some(&b'\n') {
        let previous = line_text(text, line - 1);
        if line > 1 && unclosed(previous) {
            line -= 1;
        }
    }
    let written = line_text(text, line).trim().to_string();
    let (problem, fix) = if written.contains(['“', '”', '＝', '‘', '’']) {
        let fixed = written
            .replace(['“', '”'], "\"")
            .replace(['‘', '’'], "'")
            .replace('＝', "=");
        (Syntax::FullWidth, fixed)
    } else if unclosed(&written) {
        (Syntax::UnclosedQuote, format!("{}\"", written.trim_end()))
    } else {
        (Syntax::Other, String::new())
    };
    CampaignError::ConfigSyntax {
        path: path.to_string(),
        line,
        problem,
        written,
        fix,
        detail: e.message().to_string(),
    }
}

/// Whether a line opens a `"` text it does not close (escaped quotes and comments after a
/// closed text aside).
fn unclosed(line: &str) -> bool {
    let mut open = false;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if open && !escaped => {
                escaped = true;
                continue;
            }
            '"' if !escaped => open = !open,
            '#' if !open => return false,
            _ => {}
        }
        escaped = false;
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "title = \"t\"\nmaster = \"m.xlsx\"\nround = 1\n\n[limits]\nmax_rows = 1000\n\n[units]\n\"各县\" = [\"a\", \"b\"]\n";

    fn err(text: &str) -> CampaignError {
        check("tianbao.toml", text).unwrap_err()
    }

    #[test]
    fn a_good_file_passes() {
        check("tianbao.toml", GOOD).unwrap();
    }

    #[test]
    fn an_unquoted_date_is_named_with_its_line_and_fix() {
        let text = "title = \"t\"\n\n\n\n\n\ndeadline = 2024-01-10\n";
        match err(text) {
            CampaignError::WrongType {
                line,
                key,
                expected,
                found,
                written,
                fix,
                fixed,
                ..
            } => {
                assert_eq!(line, 7);
                assert_eq!(key, "deadline");
                assert_eq!(expected, ValueKind::Text);
                assert_eq!(found, ValueKind::Date);
                assert_eq!(written, "2024-01-10");
                assert_eq!(fix, Fix::Quote);
                assert_eq!(fixed, "deadline = \"2024-01-10\"");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_number_where_text_belongs_and_text_where_a_number_belongs() {
        match err("title = 2024\n") {
            CampaignError::WrongType { fixed, found, .. } => {
                assert_eq!(found, ValueKind::Integer);
                assert_eq!(fixed, "title = \"2024\"");
            }
            other => panic!("{other:?}"),
        }
        match err("round = \"2\"\n") {
            CampaignError::WrongType { fix, fixed, .. } => {
                assert_eq!(fix, Fix::Unquote);
                assert_eq!(fixed, "round = 2");
            }
            other => panic!("{other:?}"),
        }
        match err("[limits]\nmax_rows = \"1000\"\n") {
            CampaignError::WrongType {
                key, line, fixed, ..
            } => {
                assert_eq!(key, "limits.max_rows");
                assert_eq!(line, 2);
                assert_eq!(fixed, "max_rows = 1000");
            }
            other => panic!("{other:?}"),
        }
        match err("first_leads = \"true\"\n") {
            CampaignError::WrongType { fixed, .. } => assert_eq!(fixed, "first_leads = true"),
            other => panic!("{other:?}"),
        }
        match err("header_row = 3\n") {
            CampaignError::WrongType { fixed, .. } => assert_eq!(fixed, "header_row = \"3\""),
            other => panic!("{other:?}"),
        }
        match err("[units]\n\"各县（市、区）\" = \"鲤城区、丰泽区\"\n") {
            CampaignError::WrongType { fixed, key, .. } => {
                assert_eq!(key, "units.各县（市、区）");
                assert_eq!(fixed, "\"各县（市、区）\" = [\"鲤城区\", \"丰泽区\"]");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unknown_key_names_the_keys_there_are_and_a_close_one() {
        match err("title = \"t\"\ndedline = \"x\"\n") {
            CampaignError::UnknownKey {
                line,
                key,
                similar,
                known,
                ..
            } => {
                assert_eq!(line, 2);
                assert_eq!(key, "dedline");
                assert_eq!(similar.as_deref(), Some("deadline"));
                assert!(known.contains(&"contact".to_string()));
            }
            other => panic!("{other:?}"),
        }
        match err("colour = \"red\"\n") {
            CampaignError::UnknownKey { similar, .. } => assert_eq!(similar, None),
            other => panic!("{other:?}"),
        }
        match err("[limits]\nmax_row = 5\n") {
            CampaignError::UnknownKey {
                key,
                similar,
                known,
                ..
            } => {
                assert_eq!(key, "limits.max_row");
                assert_eq!(similar.as_deref(), Some("max_rows"));
                assert!(known.contains(&"max_files".to_string()));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_top_key_written_below_a_table_is_said_to_be_misplaced() {
        for text in [
            "title = \"t\"\n[limits]\nmax_rows = 1000\noffice = \"考评办\"\n",
            "[units]\noffice = \"考评办\"\n",
            "[columns]\noffice = \"考评办\"\n",
        ] {
            match err(text) {
                CampaignError::Misplaced { key, .. } => assert_eq!(key, "office"),
                other => panic!("{text}: {other:?}"),
            }
        }
        // A column labelled like a key is a column.
        check("tianbao.toml", "[columns]\ndeadline = \"deadline\"\n").unwrap();
    }

    #[test]
    fn an_unclosed_quote_names_its_line() {
        let text = "title = \"t\"\ncontact = \"办公室 张三\ndeadline = \"x\"\n";
        match err(text) {
            CampaignError::ConfigSyntax {
                line, problem, fix, ..
            } => {
                assert_eq!(line, 2);
                assert_eq!(problem, Syntax::UnclosedQuote);
                assert_eq!(fix, "contact = \"办公室 张三\"");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn chinese_quotes_are_named() {
        match err("title = \"t\"\ncontact = “办公室”\n") {
            CampaignError::ConfigSyntax {
                line, problem, fix, ..
            } => {
                assert_eq!(line, 2);
                assert_eq!(problem, Syntax::FullWidth);
                assert_eq!(fix, "contact = \"办公室\"");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_config_field_is_in_the_schema() {
        let mut c = super::super::tests::config();
        c.sheet = Some("s".into());
        c.header_row = Some("3".into());
        c.first_leads = true;
        c.as_of = Some("2024-06-30".into());
        c.period = Some("2024-03".into());
        c.columns.insert("A".into(), crate::model::Role::Task);
        c.units.insert("u".into(), vec!["a".into()]);
        let toml::Value::Table(table) = toml::Value::try_from(&c).unwrap() else {
            panic!()
        };
        for key in table.keys() {
            assert!(TOP.iter().any(|(k, _)| k == key), "{key} is not in TOP");
        }
        assert_eq!(table.len(), TOP.len());
        let text = toml::to_string(&c).unwrap();
        check("tianbao.toml", &text).unwrap();
    }

    #[test]
    fn distances() {
        assert_eq!(distance("dedline", "deadline"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(
            similar("Title", &["title".to_string()]),
            Some("title".into())
        );
    }
}
