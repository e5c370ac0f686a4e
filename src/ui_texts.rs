//! The texts of the terminal: every line a person reads from `tianbao` — help, status words,
//! summaries, progress, errors — comes from `templates/terminal.<language>.toml` (Chinese by
//! default, English beside it). A text may have `{name}` placeholders; a count is a table with
//! `one` and `other` forms (`"{n} item"`, `"{n} items"`), which Chinese writes as one string.

use std::collections::HashMap;

const ZH: &str = include_str!("../templates/terminal.zh.toml");
const EN: &str = include_str!("../templates/terminal.en.toml");

/// One text: plain, or the forms of a count.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Plain(String),
    Count { one: String, other: String },
}

/// The terminal texts of one language.
#[derive(Debug, Clone)]
pub struct Texts {
    language: String,
    entries: HashMap<String, Entry>,
}

/// Why a terminal texts file could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {detail}")]
pub struct TextsError {
    pub path: String,
    pub detail: String,
}

impl Texts {
    /// The built-in texts of `language` (`zh`, `en`); any other language gets Chinese.
    pub fn builtin(language: &str) -> &'static Texts {
        static ZH_TEXTS: std::sync::OnceLock<Texts> = std::sync::OnceLock::new();
        static EN_TEXTS: std::sync::OnceLock<Texts> = std::sync::OnceLock::new();
        let parse = |path, text| {
            Texts::parse(path, text)
                .expect("the built-in terminal texts are checked by a unit test")
        };
        if language == "en" {
            EN_TEXTS.get_or_init(|| parse("templates/terminal.en.toml", EN))
        } else {
            ZH_TEXTS.get_or_init(|| parse("templates/terminal.zh.toml", ZH))
        }
    }

    /// Texts from a TOML file's content.
    pub fn parse(path: &str, text: &str) -> Result<Texts, TextsError> {
        let error = |detail: String| TextsError {
            path: path.to_string(),
            detail,
        };
        let table: toml::Table = toml::from_str(text).map_err(|e| error(e.to_string()))?;
        let language = table
            .get("language")
            .and_then(|v| v.as_str())
            .ok_or_else(|| error("no language = \"…\" at the top".into()))?
            .to_string();
        let mut entries = HashMap::new();
        flatten("", &table, &mut entries).map_err(error)?;
        entries.remove("language");
        Ok(Texts { language, entries })
    }

    /// `zh`, `en`.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The text of `key`, falling back to the Chinese one, then to the key itself (a bug the
    /// unit tests look for, shown rather than hidden).
    pub fn get(&self, key: &str) -> &str {
        match self.entry(key) {
            Some(Entry::Plain(text)) => text,
            Some(Entry::Count { other, .. }) => other,
            None => missing(key),
        }
    }

    /// The text of `key` with its `{name}` placeholders filled.
    pub fn say(&self, key: &str, args: &[(&str, &str)]) -> String {
        crate::cell_text::render(self.get(key), args)
    }

    /// The form of `key` for `n` things, `{n}` and the other placeholders filled.
    pub fn count(&self, key: &str, n: usize, args: &[(&str, &str)]) -> String {
        let template = match self.entry(key) {
            Some(Entry::Count { one, .. }) if n == 1 => one.as_str(),
            Some(Entry::Count { other, .. }) => other.as_str(),
            Some(Entry::Plain(text)) => text.as_str(),
            None => missing(key),
        };
        let n = n.to_string();
        let mut all: Vec<(&str, &str)> = vec![("n", &n)];
        all.extend_from_slice(args);
        crate::cell_text::render(template, &all)
    }

    /// Whether `key` has a text of its own in this language.
    pub fn has(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Every key, for checks.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key).or_else(|| {
            (self.language != "zh")
                .then(|| Texts::builtin("zh").entries.get(key))
                .flatten()
        })
    }
}

/// A key without a text, kept for the rest of the run so that it can be shown.
fn missing(key: &str) -> &'static str {
    static MISSING: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let Ok(mut seen) = MISSING.lock() else {
        return "?";
    };
    if let Some(known) = seen.iter().find(|k| **k == key) {
        return known;
    }
    let leaked: &'static str = Box::leak(key.to_string().into_boxed_str());
    seen.push(leaked);
    leaked
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut HashMap<String, Entry>,
) -> Result<(), String> {
    for (key, value) in table {
        let key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(text) => {
                out.insert(key, Entry::Plain(text.clone()));
            }
            toml::Value::Table(t) if is_count(t) => {
                let form = |name: &str| t.get(name).and_then(|v| v.as_str()).map(str::to_string);
                let other = form("other").unwrap_or_default();
                let one = form("one").unwrap_or_else(|| other.clone());
                out.insert(key, Entry::Count { one, other });
            }
            toml::Value::Table(t) => flatten(&key, t, out)?,
            _ => return Err(format!("{key} must be a text (in quotes) or a table")),
        }
    }
    Ok(())
}

/// A table of the forms of a count: only `one` and `other`, both texts.
fn is_count(table: &toml::Table) -> bool {
    table.contains_key("other")
        && table
            .iter()
            .all(|(k, v)| (k == "one" || k == "other") && v.is_str())
}

/// The language asked for by the environment, as on Unix: `LC_ALL`, then `LC_MESSAGES`, then
/// `LANG`; `en` when the first one set starts with `en`, otherwise none (the default applies).
pub fn language_from_env(get: impl Fn(&str) -> Option<String>) -> Option<&'static str> {
    let value = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| get(name))
        .find(|v| !v.is_empty())?;
    let value = value.to_ascii_lowercase();
    if value.starts_with("en") {
        Some("en")
    } else if value.starts_with("zh") {
        Some("zh")
    } else {
        None
    }
}

/// Pads `text` with spaces to `width` columns as a terminal shows it (CJK characters take two).
pub fn pad(text: &str, width: usize) -> String {
    let shown = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}

/// Pads `text` on the left to `width` columns.
pub fn pad_left(text: &str, width: usize) -> String {
    let shown = unicode_width::UnicodeWidthStr::width(text);
    format!("{}{text}", " ".repeat(width.saturating_sub(shown)))
}

/// The widest of `texts` as a terminal shows them.
pub fn widest<'a>(texts: impl IntoIterator<Item = &'a str>) -> usize {
    texts
        .into_iter()
        .map(unicode_width::UnicodeWidthStr::width)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(text: &str) -> Vec<String> {
        let mut names: Vec<String> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    #[test]
    fn both_languages_have_the_same_texts_with_the_same_placeholders() {
        let zh = Texts::builtin("zh");
        let en = Texts::builtin("en");
        assert_eq!(zh.language(), "zh");
        assert_eq!(en.language(), "en");
        let mut missing: Vec<String> = zh
            .keys()
            .filter(|k| !en.has(k))
            .map(|k| format!("en lacks {k}"))
            .chain(
                en.keys()
                    .filter(|k| !zh.has(k))
                    .map(|k| format!("zh lacks {k}")),
            )
            .collect();
        missing.sort();
        assert!(missing.is_empty(), "{missing:#?}");
        for key in zh.keys() {
            assert_eq!(
                placeholders(zh.get(key)),
                placeholders(en.get(key)),
                "placeholders of {key}"
            );
        }
    }

    #[test]
    fn counts_read_right() {
        let en = Texts::parse(
            "t",
            "language = \"en\"\n[count]\nitems = { one = \"{n} item\", other = \"{n} items\" }",
        )
        .unwrap();
        assert_eq!(en.count("count.items", 1, &[]), "1 item");
        assert_eq!(en.count("count.items", 0, &[]), "0 items");
        assert_eq!(en.count("count.items", 2, &[]), "2 items");
        let zh = Texts::parse("t", "language = \"zh\"\n[count]\nitems = \"{n} 项\"").unwrap();
        assert_eq!(zh.count("count.items", 1, &[]), "1 项");
    }

    #[test]
    fn the_environment_picks_english_only_when_it_says_so() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            language_from_env(env(&[("LANG", "en_US.UTF-8")])),
            Some("en")
        );
        assert_eq!(
            language_from_env(env(&[("LC_ALL", "zh_CN.UTF-8"), ("LANG", "en_US.UTF-8")])),
            Some("zh")
        );
        assert_eq!(language_from_env(env(&[("LANG", "C.UTF-8")])), None);
        assert_eq!(language_from_env(env(&[])), None);
    }

    #[test]
    fn padding_counts_display_width() {
        assert_eq!(pad("水科", 6), "水科  ");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad_left("7", 3), "  7");
        assert_eq!(widest(["办公室", "ab"]), 6);
    }
}
