//! HTML: escaping every value that is not the page's own, and the page every screen shares
//! (head, top bar, navigation, foot). Department names, file names, cell texts and messages
//! are hostile input: [`escape`] makes them text, and shows control and bidirectional
//! characters (which could make a file name read backwards) as visible escapes.

use std::fmt::Write as _;

use crate::ui_texts::Texts;

/// `text` as HTML text or attribute value: `& < > " '` as entities, control and bidirectional
/// characters as `\u{…}`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control()
                || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
                || matches!(c, '\u{FFFE}' | '\u{FFFF}' | '\u{FDD0}'..='\u{FDEF}') =>
            {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Short for [`escape`].
pub fn e(text: &str) -> String {
    escape(text)
}

/// A text of the page's language with its placeholders filled by escaped values (the text
/// itself is the project's own and may hold markup such as `<b>`).
pub fn say(t: &Texts, key: &str, args: &[(&str, &str)]) -> String {
    let escaped: Vec<(String, String)> = args
        .iter()
        .map(|(k, v)| (k.to_string(), escape(v)))
        .collect();
    let refs: Vec<(&str, &str)> = escaped
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    t.say(key, &refs)
}

/// Who the page is for: its navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who<'a> {
    /// The office, signed in: its navigation and the CSRF token of its sign-out form.
    Office { csrf: &'a str, here: &'a str },
    /// A department (no navigation), or a visitor not signed in.
    Other,
}

/// A whole page.
pub struct Page<'a> {
    pub t: &'a Texts,
    /// The campaign's title, in the top bar (empty before the campaign could be read).
    pub campaign: &'a str,
    pub title: &'a str,
    pub who: Who<'a>,
    /// Reload every this many seconds when scripts are off (a job's page while it runs).
    pub refresh: Option<u32>,
    pub body: &'a str,
}

impl Page<'_> {
    pub fn render(&self) -> String {
        let t = self.t;
        let lang = if t.language() == "en" { "en" } else { "zh-CN" };
        let mut out = String::with_capacity(self.body.len() + 2048);
        let _ = write!(
            out,
            "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}{sep}{campaign}</title>\
             <link rel=\"stylesheet\" href=\"/assets/style.css\">\
             <link rel=\"icon\" href=\"/assets/icon.svg\" type=\"image/svg+xml\">\
             <script src=\"/assets/app.js\" defer></script>",
            title = e(self.title),
            sep = if self.campaign.is_empty() { "" } else { " · " },
            campaign = e(self.campaign),
        );
        if let Some(seconds) = self.refresh {
            let _ = write!(
                out,
                "<noscript><meta http-equiv=\"refresh\" content=\"{seconds}\"></noscript>"
            );
        }
        out.push_str("</head><body><header class=\"top\"><div class=\"wrap bar\">");
        let _ = write!(
            out,
            "<div class=\"brand\"><span class=\"seal\" aria-hidden=\"true\">{seal}</span>\
             <div><div class=\"app\">{app}</div><div class=\"campaign\">{campaign}</div></div></div>",
            seal = e(t.get("brand.seal")),
            app = e(t.get("brand.name")),
            campaign = e(self.campaign),
        );
        if let Who::Office { csrf, here } = self.who {
            out.push_str("<nav>");
            for (key, href) in [
                ("nav.overview", "/office"),
                ("nav.files", "/office/files"),
                ("nav.links", "/office/links"),
                ("nav.master", "/office/master"),
                ("nav.log", "/office/log"),
            ] {
                let current = if href == here {
                    " aria-current=\"page\""
                } else {
                    ""
                };
                let _ = write!(out, "<a href=\"{href}\"{current}>{}</a>", e(t.get(key)));
            }
            let _ = write!(
                out,
                "<form method=\"post\" action=\"/logout\" class=\"inline\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                 <button class=\"link\" type=\"submit\">{}</button></form>",
                e(csrf),
                e(t.get("nav.logout"))
            );
            out.push_str("</nav>");
        }
        out.push_str("</div></header><main class=\"wrap\">");
        out.push_str(self.body);
        let _ = write!(
            out,
            "</main><footer class=\"wrap foot\">{}</footer></body></html>",
            e(t.get("page.footer"))
        );
        out
    }
}

/// A hidden CSRF field.
pub fn csrf_field(token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(token)
    )
}

/// A status word as a badge: `valid`, `invalid` (with its errors), `missing`, `refused`,
/// `waiting`.
pub fn badge(t: &Texts, status: &str, errors: usize) -> String {
    let text = match status {
        "invalid" => t.count("status.invalid_n", errors, &[]),
        other => t.get(&format!("status.{other}")).to_string(),
    };
    format!("<span class=\"badge {}\">{}</span>", e(status), e(&text))
}

/// A size in bytes as people read it ([`crate::app::upload::size_text`]).
pub fn size(bytes: u64) -> String {
    crate::app::upload::size_text(bytes)
}

/// `%`-encoding of a query value (UTF-8 bytes; unreserved characters kept).
pub fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The findings as a table: severity, cell, item, message (errors first; each said by
/// `message`).
pub fn findings_table(
    t: &Texts,
    findings: &[crate::finding::Finding],
    message: impl Fn(&crate::finding::Finding) -> String,
) -> String {
    use crate::finding::Severity;
    if findings.is_empty() {
        return String::new();
    }
    let mut sorted: Vec<&crate::finding::Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| f.severity);
    let mut out = String::new();
    let _ = write!(
        out,
        "<table class=\"findings\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        e(t.get("findings.severity")),
        e(t.get("findings.cell")),
        e(t.get("findings.item")),
        e(t.get("findings.message"))
    );
    for f in sorted {
        let (class, word) = match f.severity {
            Severity::Error => ("error", t.get("severity.error")),
            Severity::Warning => ("warning", t.get("severity.warning")),
        };
        let cell = match (&f.sheet, &f.cell) {
            (Some(sheet), Some(cell)) => format!("{sheet}!{cell}"),
            (None, Some(cell)) => cell.clone(),
            _ => String::new(),
        };
        let _ = write!(
            out,
            "<tr class=\"{class}\"><td><span class=\"sev {class}\">{}</span></td>\
             <td class=\"cell\">{}</td><td>{}</td><td>{}</td></tr>",
            e(word),
            e(&cell),
            e(f.item.as_deref().unwrap_or("")),
            e(&message(f))
        );
    }
    out.push_str("</tbody></table>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_only_text() {
        assert_eq!(
            escape("<script>alert('x')</script>&\"水科\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;水科&quot;"
        );
        assert_eq!(escape("a\u{202E}xslx.exe"), "a\\u{202e}xslx.exe");
        assert_eq!(escape("a\u{1b}[2J"), "a\\u{1b}[2J");
        assert_eq!(
            query_value("outbox/通知/a b.txt"),
            "outbox%2F%E9%80%9A%E7%9F%A5%2Fa%20b.txt"
        );
    }
}
