//! Text as people type it into Chinese spreadsheets: full- and half-width forms, points written
//! as （5分）, names separated by 、 or line breaks, labels with stray spaces; and the `{name}`
//! placeholders of every message and file name ([`render`]). Pure functions only.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Full-width ASCII forms (！ to ～) and the ideographic space become their ASCII equivalents.
pub fn to_halfwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// The form labels are compared in: half-width, no white space, ASCII letters in lower case.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        };
        if !c.is_whitespace() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Trims, unifies line breaks and strips what no cell can carry through a save: invisible
/// characters that come with pasted text, control characters (BEL, 0x1F …) and noncharacters
/// (U+FFFE). A text read twice, before and after a save, reads the same.
pub fn clean(s: &str) -> String {
    let dropped = |c: char| {
        matches!(
            c,
            '\u{200B}' | '\u{FEFF}' | '\u{00AD}' | '\u{FFFE}' | '\u{FFFF}'
        ) || (c.is_control() && c != '\n' && c != '\t')
            || ('\u{FDD0}'..='\u{FDEF}').contains(&c)
    };
    if !s.chars().any(|c| dropped(c) || c == '\r') {
        return s.trim().to_string();
    }
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !dropped(*c))
        .collect::<String>()
        .trim()
        .to_string()
}

/// A decimal from text a person typed: `2`, `1.5`, `-3`, `１．５`, ` 3 ` — digits with one
/// optional point between digits and an optional minus; no units, no thousands separators, no
/// `_`, exponent, `+`, or dangling point.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let half = to_halfwidth(s);
    let t = half.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
        return None;
    }
    Decimal::from_str(t).ok().map(|d| d.normalize())
}

/// The exact decimal a spreadsheet number stands for (its shortest round-trip text).
pub fn decimal_from_f64(n: f64) -> Option<Decimal> {
    if !n.is_finite() {
        return None;
    }
    Decimal::from_str(&format!("{n}"))
        .ok()
        .map(|d| d.normalize())
}

/// Splits a text like `职能工作目标 (68分)` into its name and declared points.
pub fn split_points(s: &str) -> (String, Option<Decimal>) {
    let text = s.trim();
    match trailing_points(text) {
        Some((points, start)) => (text[..start].trim().to_string(), Some(points)),
        None => (text.to_string(), None),
    }
}

/// Points declared at the end of a text as `(5分)` or `（5分）` (full-width digits too), and the
/// byte offset where that declaration starts. Closing punctuation after it is allowed.
pub fn trailing_points(s: &str) -> Option<(Decimal, usize)> {
    let trimmed = s.trim_end_matches(|c: char| c.is_whitespace() || "。.;；*:：".contains(c));
    let body = trimmed
        .strip_suffix(')')
        .or_else(|| trimmed.strip_suffix('）'))?;
    let open = body.rfind(['(', '（'])?;
    let inner = to_halfwidth(&body[open..]);
    let inner = inner
        .trim_start_matches(['(', '（'])
        .trim()
        .to_ascii_lowercase();
    // `分`, or an English scorecard's `points`, `point`, `pts`, `pt`.
    let inner = ["分", "points", "point", "pts", "pt"]
        .iter()
        .find_map(|unit| inner.strip_suffix(unit))?
        .trim();
    // `（共3分）`, `（计5分）`, `（满分10分）`.
    let inner = ["共", "计", "满分"]
        .iter()
        .find_map(|p| inner.strip_prefix(p))
        .unwrap_or(inner)
        .trim();
    let points = parse_decimal(inner)?;
    Some((points, open))
}

/// Separates names in one cell: line breaks, spaces (half or full width), 、，, ; ； / — never
/// inside brackets, so `各县（市、区）` stays one name, and never at a space between two Latin
/// words, so `Bureau of Finance` stays one name too.
pub fn split_names(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut names = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '(' | '（' | '【' | '[' | '《' | '〔' => depth += 1,
            ')' | '）' | '】' | ']' | '》' | '〕' => depth = depth.saturating_sub(1),
            _ => {}
        }
        let separator =
            "、,，;；/／\n\r".contains(c) || (c.is_whitespace() && !between_latin_words(&chars, i));
        if separator && depth == 0 {
            if !current.trim().is_empty() {
                names.push(current.trim().to_string());
            }
            current.clear();
        } else if c.is_whitespace() {
            // A run of spaces inside a name is one space.
            if !current.ends_with(' ') {
                current.push(' ');
            }
        } else {
            current.push(c);
        }
    }
    if !current.trim().is_empty() {
        names.push(current.trim().to_string());
    }
    names
}

/// Whether the space at `at` stands between two Latin words (`Bureau of Finance`): the
/// nearest non-space characters on both sides are ASCII letters, digits or `.&'-`.
fn between_latin_words(chars: &[char], at: usize) -> bool {
    let latin = |c: &char| c.is_ascii_alphanumeric() || ".&'-".contains(*c);
    let before = chars[..at].iter().rev().find(|c| !c.is_whitespace());
    let after = chars[at + 1..].iter().find(|c| !c.is_whitespace());
    chars[at] == ' ' && before.is_some_and(latin) && after.is_some_and(latin)
}

/// `path` made absolute (against the current folder) with its `.` and `..` steps taken, as
/// people mean them (`-C ..`, `camp/./inbox`); no symbolic link is followed, and on Windows no
/// `\\?\` prefix is added.
pub fn absolute_path(path: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = std::path::PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Vertical text typed as one character per line or spaced out (`从 严 治 党`) reads as one word.
pub fn collapse_spaced_chars(s: &str) -> String {
    let tokens: Vec<&str> = s.split_whitespace().collect();
    if tokens.len() > 1 && tokens.iter().all(|t| t.chars().count() == 1) {
        tokens.concat()
    } else {
        s.to_string()
    }
}

/// Characters of a file name at most (and 200 bytes of UTF-8: Linux allows 255 bytes per name,
/// a CJK character takes three, and a temporary file adds a dot, an id and `.tmp`).
const MAX_NAME_CHARS: usize = 150;
const MAX_NAME_BYTES: usize = 200;

/// `name` with every character unsafe in a file name replaced: path separators and reserved
/// characters, control and bidirectional characters, `..`; trimmed of spaces and trailing dots.
fn sanitized(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            // Bidirectional controls make a name display as another (`evil\u{202E}xslx.exe`).
            '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => '_',
            c => c,
        })
        .collect();
    while out.contains("..") {
        out = out.replace("..", "_");
    }
    out.trim().trim_end_matches(['.', ' ']).to_string()
}

/// The stem and the extension (`.xlsx`) of a name, when it has a short alphanumeric one.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rsplit_once('.') {
        Some((stem, ext))
            if (1..=5).contains(&ext.chars().count())
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
                && !stem.is_empty() =>
        {
            (stem, &name[stem.len()..])
        }
        _ => (name, ""),
    }
}

fn fits(name: &str) -> bool {
    name.chars().count() <= MAX_NAME_CHARS && name.len() <= MAX_NAME_BYTES
}

/// A file name made from untrusted text that is safe on Windows, macOS and Linux: no path
/// separators or reserved characters, no control characters, no `..`, not a reserved device
/// name (CON, NUL, COM1 …), no trailing dots or spaces, at most 150 characters and 200 bytes
/// (the stem is cut, the extension kept).
pub fn safe_file_name(name: &str) -> String {
    let clean = sanitized(name);
    let (stem, ext) = split_extension(&clean);
    let keep_chars = MAX_NAME_CHARS - ext.chars().count();
    let keep_bytes = MAX_NAME_BYTES - ext.len();
    let mut out = String::new();
    for c in stem.chars().take(keep_chars) {
        if out.len() + c.len_utf8() > keep_bytes {
            break;
        }
        out.push(c);
    }
    out = out.trim_end_matches(['.', ' ']).to_string();
    out.push_str(ext);
    not_reserved(out)
}

/// A reserved device name (CON, LPT1 …) prefixed with `_`; an empty name becomes `unnamed`.
fn not_reserved(mut out: String) -> String {
    let stem = out.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    if reserved {
        out.insert(0, '_');
    }
    if out.is_empty() || out.chars().all(|c| c == '_') {
        out = format!("unnamed{out}");
    }
    out
}

/// The file name `pattern` renders to with `args`, safe on every OS, with the argument `shorten`
/// (a title) cut as needed so that the others (a department) are kept whole.
pub fn file_name_keeping(pattern: &str, args: &[(&str, &str)], shorten: &str) -> String {
    let full = sanitized(&render(pattern, args));
    if fits(&full) {
        return not_reserved(full);
    }
    let long = args
        .iter()
        .find(|(k, _)| *k == shorten)
        .map_or("", |(_, v)| *v);
    let mut keep = long.chars().count();
    while keep > 0 {
        keep -= 1;
        let short: String = long.chars().take(keep).chain(['…']).collect();
        let args: Vec<(&str, &str)> = args
            .iter()
            .map(|(k, v)| {
                if *k == shorten {
                    (*k, short.as_str())
                } else {
                    (*k, *v)
                }
            })
            .collect();
        let name = sanitized(&render(pattern, &args));
        if fits(&name) {
            return not_reserved(name);
        }
    }
    safe_file_name(&full)
}

/// Names made unique where they collide, ignoring case as Windows and macOS do: each name after
/// the first of a kind gets a short digest of its `key` (the department) before its extension.
/// One file name per department from a `{department}` pattern (`{department}.txt`), safe on
/// every OS and all different.
pub fn department_file_names(pattern: &str, departments: &[&str]) -> Vec<String> {
    unique_file_names(
        departments
            .iter()
            .map(|d| {
                let name = file_name_keeping(pattern, &[("department", d)], "department");
                (d.to_string(), name)
            })
            .collect(),
    )
}

pub fn unique_file_names(names: Vec<(String, String)>) -> Vec<String> {
    let mut count: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (_, name) in &names {
        *count.entry(name.to_lowercase()).or_default() += 1;
    }
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|(key, name)| {
            let clash = count[&name.to_lowercase()] > 1;
            if !clash || seen.insert(name.to_lowercase()) {
                return name;
            }
            let digest = &crate::digest::sha256_hex(key.as_bytes())[..8];
            let (stem, ext) = split_extension(&name);
            let stem: String = stem.chars().take(MAX_NAME_CHARS - 20).collect();
            format!("{stem}-{digest}{ext}")
        })
        .collect()
}

/// Text from outside (file and zip entry names, cell values, department names) made safe to
/// print on a terminal: control characters (escape sequences, line breaks, BEL), bidirectional
/// controls and noncharacters are shown escaped (`\u{1b}`, `\n`), so nothing can move the
/// cursor, clear the screen or fake a line. Everything else is kept as it is.
pub fn for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    escaped(text, false)
}

/// Text from outside made safe for a document people read (a notice, a reminder, a report's
/// message): as [`for_terminal`], but line breaks and tabs are kept as they are.
pub fn for_document(text: &str) -> std::borrow::Cow<'_, str> {
    escaped(text, true)
}

/// Whether `c` can change how the text around it shows: a control character, a bidirectional
/// control, a noncharacter.
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{FFFE}' | '\u{FFFF}' | '\u{FDD0}'..='\u{FDEF}')
}

fn escaped(text: &str, keep_lines: bool) -> std::borrow::Cow<'_, str> {
    let kept = |c: char| keep_lines && matches!(c, '\n' | '\r' | '\t');
    let unsafe_char = |c: char| is_unsafe_char(c) && !kept(c);
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !unsafe_char(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Exact decimal shown without trailing zeros: `1.50` → `1.5`, `2.0` → `2`.
pub fn show(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Replaces each `{name}` in `template` with its value from `args`; unknown names stay as they are.
pub fn render(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_replaces_known_names_only() {
        assert_eq!(
            render("{a} and {b} {", &[("a", "1")]),
            "1 and {b} {".to_string()
        );
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn fold_ignores_width_and_spaces() {
        assert_eq!(fold(" 权 重 "), "权重");
        assert_eq!(fold("权重（分）"), "权重(分)");
        assert_eq!(fold("Ｎｏ．"), "no.");
    }

    #[test]
    fn points_at_the_end_in_every_spelling() {
        assert_eq!(
            split_points("职能工作目标 (68分)"),
            ("职能工作目标".into(), Some(dec("68")))
        );
        assert_eq!(
            split_points("文明创建(6分)"),
            ("文明创建".into(), Some(dec("6")))
        );
        assert_eq!(
            trailing_points("提升环境监测能力。（３分）").map(|p| p.0),
            Some(dec("3"))
        );
        assert_eq!(
            trailing_points("第29项)(5分)**").map(|p| p.0),
            Some(dec("5"))
        );
        assert_eq!(
            trailing_points("（ 1.5 分 ）").map(|p| p.0),
            Some(dec("1.5"))
        );
        assert_eq!(trailing_points("全面落实从严治党主体责任。"), None);
        assert_eq!(trailing_points("(属市委工作要点第9项)"), None);
        assert_eq!(split_points("从严治党"), ("从严治党".into(), None));
        assert_eq!(
            split_points("Financial (40 points)"),
            ("Financial".into(), Some(dec("40")))
        );
        assert_eq!(
            trailing_points("Customer (12.5 Pts)").map(|p| p.0),
            Some(dec("12.5"))
        );
        assert_eq!(trailing_points("Growth (see appendix)"), None);
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal("１．５"), Some(dec("1.5")));
        assert_eq!(parse_decimal(" 2 "), Some(dec("2")));
        assert_eq!(parse_decimal("2.50").map(show), Some("2.5".into()));
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal("1e3"), None);
        assert_eq!(parse_decimal("0_1"), None);
        assert_eq!(parse_decimal("+1"), None);
        assert_eq!(parse_decimal("1."), None);
        assert_eq!(parse_decimal(".5"), None);
        assert_eq!(parse_decimal("-1.5"), Some(dec("-1.5")));
        assert_eq!(decimal_from_f64(1.5).unwrap() + dec("1.5"), dec("3"));
        assert_eq!(decimal_from_f64(0.1).map(show), Some("0.1".into()));
    }

    #[test]
    fn names_split_on_every_separator() {
        assert_eq!(
            split_names("办公室\n审批科 执法支队、监测综合科，水科;大气科；土壤科　自然科"),
            vec![
                "办公室",
                "审批科",
                "执法支队",
                "监测综合科",
                "水科",
                "大气科",
                "土壤科",
                "自然科"
            ]
        );
        assert!(split_names("  ").is_empty());
        assert_eq!(
            split_names("市生态环境局、各县（市、区）/市财政局"),
            vec!["市生态环境局", "各县（市、区）", "市财政局"]
        );
    }

    #[test]
    fn english_unit_names_keep_their_spaces() {
        assert_eq!(
            split_names("Bureau of Ecology and Environment; Water Resources Bureau"),
            vec![
                "Bureau of Ecology and Environment",
                "Water Resources Bureau"
            ]
        );
        assert_eq!(split_names("Bureau of  Finance"), vec!["Bureau of Finance"]);
        assert_eq!(
            split_names("Bureau of Finance, Bureau of Statistics\nCity Office"),
            vec!["Bureau of Finance", "Bureau of Statistics", "City Office"]
        );
        // Between Chinese names a space still separates, and so it does beside one.
        assert_eq!(split_names("水科 大气科"), vec!["水科", "大气科"]);
        assert_eq!(split_names("水科 Office A"), vec!["水科", "Office A"]);
    }

    #[test]
    fn file_names_are_safe_everywhere() {
        assert_eq!(safe_file_name("考评表-办公室.xlsx"), "考评表-办公室.xlsx");
        assert_eq!(safe_file_name("a/b\\c:d*e?.xlsx"), "a_b_c_d_e_.xlsx");
        assert_eq!(safe_file_name("../../etc/passwd"), "____etc_passwd");
        assert_eq!(safe_file_name("CON.xlsx"), "_CON.xlsx");
        assert_eq!(safe_file_name("com1"), "_com1");
        assert_eq!(safe_file_name("name. "), "name");
        assert_eq!(safe_file_name("\u{0}\n"), "unnamed__");
        assert_eq!(safe_file_name(&"l".repeat(300)).chars().count(), 150);
        assert_eq!(safe_file_name(&"长".repeat(300)).len(), 198);
        let long = safe_file_name(&format!("{}.xlsx", "长".repeat(300)));
        assert!(long.len() <= 200, "{}", long.len());
        assert!(long.ends_with("长.xlsx"), "{long}");
        assert_eq!(safe_file_name("a\u{202E}b\u{7}.xlsx"), "a_b_.xlsx");
        assert_eq!(safe_file_name(".."), "unnamed_");
        assert_eq!(safe_file_name("LPT9.xlsx"), "_LPT9.xlsx");
    }

    #[test]
    fn terminal_text_cannot_move_the_cursor_or_fake_a_line() {
        assert_eq!(for_terminal("水科.xlsx"), "水科.xlsx");
        assert_eq!(
            for_terminal("a\u{1b}[2Jb\n✓ valid\u{7}\u{202E}"),
            "a\\u{1b}[2Jb\\n✓ valid\\u{7}\\u{202e}"
        );
        assert_eq!(
            for_document("甲\u{1b}[31m\n乙\t\u{7}\u{202E}\u{2066}"),
            "甲\\u{1b}[31m\n乙\t\\u{7}\\u{202e}\\u{2066}"
        );
    }

    #[test]
    fn a_long_title_is_cut_and_the_department_kept() {
        let title = "泉州市生态环境局".repeat(12);
        let name = file_name_keeping(
            "{title}-{department}.xlsx",
            &[("title", &title), ("department", "监测综合科")],
            "title",
        );
        assert!(name.ends_with("…-监测综合科.xlsx"), "{name}");
        assert!(name.len() <= 200, "{}", name.len());
    }

    #[test]
    fn colliding_names_are_told_apart() {
        let names = unique_file_names(vec![
            ("a/b".into(), "t-a_b.xlsx".into()),
            ("a_b".into(), "t-a_b.xlsx".into()),
            ("a:b".into(), "T-A_B.xlsx".into()),
            ("c".into(), "t-c.xlsx".into()),
        ]);
        let set: std::collections::HashSet<String> =
            names.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(set.len(), 4, "{names:?}");
        assert_eq!(names[0], "t-a_b.xlsx");
        assert_eq!(names[3], "t-c.xlsx");
    }

    #[test]
    fn spaced_vertical_text_collapses() {
        assert_eq!(collapse_spaced_chars("从 严 治 党"), "从严治党");
        assert_eq!(collapse_spaced_chars("从\n严\n治\n党"), "从严治党");
        assert_eq!(
            collapse_spaced_chars("职能工作目标 (68分)"),
            "职能工作目标 (68分)"
        );
    }
}
