//! Pieces of terminal output shared by the commands: a finding as a line, names padded by
//! display width, status words.

use tianbao::finding::{Finding, Severity};
use tianbao::spec::Spec;
use tianbao::ui_texts::{Texts, pad};

/// A text as the terminal shows it: control characters escaped.
pub fn t(text: &str) -> String {
    tianbao::cell_text::for_terminal(text).into_owned()
}

/// One finding: severity, place, item, message — the message in the spec's language.
pub fn finding_line(texts: &Texts, spec: &Spec, f: &Finding) -> String {
    let severity = match f.severity {
        Severity::Error => texts.get("severity.error"),
        Severity::Warning => texts.get("severity.warning"),
    };
    let width =
        tianbao::ui_texts::widest([texts.get("severity.error"), texts.get("severity.warning")]);
    let mut place = t(&f.place());
    if let Some(item) = &f.item {
        if !place.is_empty() {
            place.push(' ');
        }
        place.push_str(&format!("[{}]", t(item)));
    }
    let place = if place.is_empty() {
        String::new()
    } else {
        format!("{place}  ")
    };
    format!("  {}  {place}{}", pad(severity, width), t(&f.message(spec)))
}

/// The names padded to the widest, as the terminal shows them (CJK characters take two).
pub fn padded<'a>(names: impl IntoIterator<Item = &'a str> + Clone) -> Vec<String> {
    let shown: Vec<String> = names.into_iter().map(t).collect();
    let width = tianbao::ui_texts::widest(shown.iter().map(String::as_str));
    shown.iter().map(|n| pad(n, width)).collect()
}

/// A department's or a file's status in words: 有效, 有误, 未交 …
pub fn status_word<'a>(texts: &'a Texts, status: &'a str) -> &'a str {
    match status {
        "valid" => texts.get("status.valid"),
        "invalid" => texts.get("status.invalid"),
        "missing" => texts.get("status.missing"),
        "unrecognized" => texts.get("status.unrecognized"),
        "superseded" => texts.get("status.superseded"),
        other => other,
    }
}

/// A list of names joined as the language joins them.
pub fn joined(texts: &Texts, names: &[String]) -> String {
    let names: Vec<String> = names.iter().map(|n| t(n)).collect();
    names.join(texts.get("list.separator"))
}
