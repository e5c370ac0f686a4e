//! Numbering as offices write it: item ids (`1-1-1`, `1.1.1`, `4`, `(1)`, `A1`) and the numbering
//! of section headings (`一、`, `（一）`, `1.`, `（1）`), with the level each style stands at.

use crate::cell_text::to_halfwidth;

/// How a heading is numbered, outermost style first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Style {
    /// `一、`, `一`, `第一部分`.
    Chinese,
    /// `（一）`.
    ParenChinese,
    /// `1.`, `1、`.
    Arabic,
    /// `（1）`, `(1)`.
    ParenArabic,
    /// `①`.
    Circled,
}

/// The numbering at the start of a heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbering {
    pub style: Style,
    /// The number alone: `一`, `1`.
    pub key: String,
    /// Bytes of the text the numbering takes, punctuation after it included.
    pub len: usize,
}

const CHINESE_DIGITS: &str = "〇零一二三四五六七八九十百";

fn is_chinese_digit(c: char) -> bool {
    CHINESE_DIGITS.contains(c)
}

/// An id in the form it is kept: half-width, no spaces, dash variants as `-`, brackets
/// half-width, a trailing `.` or `、` dropped (`1.` → `1`, `（1）` → `(1)`).
pub fn normalize_id(text: &str) -> String {
    let half: String = to_halfwidth(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '—' | '–' | '‐' | '‑' | '－' | '_' => '-',
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect();
    let id = half
        .trim_end_matches(['.', '、', ',', '，'])
        .trim_start_matches('-');
    // `1)` (a half bracket, as in `1）`) is the same level as `(1)`.
    match id.strip_suffix(')') {
        Some(n) if !n.is_empty() && !n.contains('(') && n.chars().all(|c| c.is_ascii_digit()) => {
            format!("({n})")
        }
        _ => id.to_string(),
    }
}

/// A circled number (`①` … `⑳`).
fn is_circled(c: char) -> bool {
    ('①'..='⑳').contains(&c)
}

/// Whether a normalised id looks like one: parts separated by `-` or `.`, each digits or
/// Chinese numerals (the first may also be a short code such as `A`, `KPI`, `F1`), or a number
/// in brackets; at most 24 characters.
pub fn is_well_formed(id: &str) -> bool {
    if id.is_empty() || id.chars().count() > 24 {
        return false;
    }
    if let Some(inner) = id.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        return !inner.is_empty()
            && (inner.chars().all(|c| c.is_ascii_digit()) || inner.chars().all(is_chinese_digit));
    }
    id.split(['-', '.']).enumerate().all(|(i, part)| {
        !part.is_empty()
            && part.chars().count() <= 6
            && (part.chars().all(|c| c.is_ascii_digit())
                || part.chars().all(is_chinese_digit)
                || (part.chars().count() == 1 && part.chars().all(is_circled))
                || part
                    .chars()
                    .all(|c| c == '(' || c == ')' || c.is_ascii_digit())
                    && part.starts_with('(')
                    && part.ends_with(')')
                || (i == 0 && is_code(part)))
    })
}

/// A short code: upper-case letters then optional digits (`A`, `KPI`, `F12`).
fn is_code(part: &str) -> bool {
    let letters = part.chars().take_while(|c| c.is_ascii_uppercase()).count();
    (1..=4).contains(&letters) && part.chars().skip(letters).all(|c| c.is_ascii_digit())
}

/// The numbering a heading starts with: `一、环境质量` → Chinese `一`; `（二）…` → ParenChinese;
/// `3.…`/`3、…` → Arabic; `(1)…` → ParenArabic; `①…` → Circled. A bare Chinese numeral
/// (a cell holding only `一`) counts too. Dotted numbers (`1.2`) are not heading numbering.
pub fn heading_numbering(text: &str) -> Option<Numbering> {
    let t = text.trim_start();
    let offset = text.len() - t.len();
    let first = t.chars().next()?;
    if ('①'..='⑳').contains(&first) {
        return Some(Numbering {
            style: Style::Circled,
            key: ((first as u32 - '①' as u32) + 1).to_string(),
            len: offset + first.len_utf8(),
        });
    }
    if matches!(first, '(' | '（') {
        let inner_start = first.len_utf8();
        let close = t[inner_start..].find([')', '）'])? + inner_start;
        let inner = to_halfwidth(&t[inner_start..close]);
        let inner = inner.trim();
        let style = if !inner.is_empty() && inner.chars().all(is_chinese_digit) {
            Style::ParenChinese
        } else if !inner.is_empty() && inner.len() <= 3 && inner.chars().all(|c| c.is_ascii_digit())
        {
            Style::ParenArabic
        } else {
            return None;
        };
        let close_len = t[close..].chars().next().map_or(1, char::len_utf8);
        return Some(Numbering {
            style,
            key: inner.to_string(),
            len: offset + close + close_len,
        });
    }
    let digits: String = t.chars().take_while(|c| is_chinese_digit(*c)).collect();
    if !digits.is_empty() {
        if digits.chars().count() > 4 {
            return None;
        }
        let numbering = |punct: usize| Numbering {
            style: Style::Chinese,
            key: digits.clone(),
            len: offset + digits.len() + punct,
        };
        return match t[digits.len()..].chars().next() {
            None => Some(numbering(0)),
            Some(c @ ('、' | '.' | '．' | ' ' | '　')) => Some(numbering(c.len_utf8())),
            Some(_) => None,
        };
    }
    let half = to_halfwidth(t);
    let arabic: String = half.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !arabic.is_empty() && arabic.len() <= 3 {
        let rest = &half[arabic.len()..];
        let mut chars = rest.chars();
        let after = chars.next();
        let dotted = after == Some('.') && chars.next().is_some_and(|c| c.is_ascii_digit());
        if matches!(after, Some('.' | '、')) && !dotted {
            let punct_len = t[arabic.len()..].chars().next().map_or(1, char::len_utf8);
            return Some(Numbering {
                style: Style::Arabic,
                key: arabic.clone(),
                len: offset + arabic.len() + punct_len,
            });
        }
    }
    None
}

/// The key of a section for qualified ids: its numbering without punctuation (`一`, `1`).
pub fn section_key(text: &str) -> Option<String> {
    heading_numbering(text).map(|n| n.key).or_else(|| {
        let id = normalize_id(text);
        (!id.is_empty() && is_well_formed(&id) && id.chars().count() <= 8).then_some(id)
    })
}

/// Whether `parent` is an id one level above `child` (`1` over `1.1`, `1-2` over `1-2-3`).
pub fn is_parent_id(parent: &str, child: &str) -> bool {
    child.len() > parent.len() + 1
        && child.starts_with(parent)
        && matches!(child.as_bytes()[parent.len()], b'.' | b'-')
}

/// The depth of a dotted or hyphenated id: `1` → 1, `1.2.3` → 3.
pub fn id_depth(id: &str) -> usize {
    id.split(['.', '-']).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_their_form_with_width_and_dashes_unified() {
        assert_eq!(normalize_id("1-1-1"), "1-1-1");
        assert_eq!(normalize_id("１－１－１"), "1-1-1");
        assert_eq!(normalize_id("1.1.1"), "1.1.1");
        assert_eq!(normalize_id(" 10 - 1 "), "10-1");
        assert_eq!(normalize_id("1."), "1");
        assert_eq!(normalize_id("3、"), "3");
        assert_eq!(normalize_id("（1）"), "(1)");
        assert_eq!(normalize_id("1）"), "(1)");
        assert_eq!(normalize_id("2)"), "(2)");
        assert!(is_well_formed("①"));
        assert!(is_well_formed("二-一-①"));
        assert!(is_well_formed("1-1-1"));
        assert!(is_well_formed("4.2"));
        assert!(is_well_formed("9"));
        assert!(is_well_formed("一"));
        assert!(is_well_formed("(1)"));
        assert!(is_well_formed("KPI-3"));
        assert!(is_well_formed("A1"));
        assert!(!is_well_formed("4-x"));
        assert!(!is_well_formed("1--1"));
        assert!(!is_well_formed("全面落实"));
        assert!(!is_well_formed(""));
    }

    #[test]
    fn headings_tell_their_numbering() {
        let n = heading_numbering("一、环境质量（45分）").unwrap();
        assert_eq!((n.style, n.key.as_str()), (Style::Chinese, "一"));
        assert_eq!(&"一、环境质量（45分）"[n.len..], "环境质量（45分）");
        let n = heading_numbering("（二）政治建设").unwrap();
        assert_eq!((n.style, n.key.as_str()), (Style::ParenChinese, "二"));
        assert_eq!(&"（二）政治建设"[n.len..], "政治建设");
        let n = heading_numbering("3.加强监测").unwrap();
        assert_eq!((n.style, n.key.as_str()), (Style::Arabic, "3"));
        let n = heading_numbering("(1)细化方案").unwrap();
        assert_eq!((n.style, n.key.as_str()), (Style::ParenArabic, "1"));
        assert_eq!(heading_numbering("十二").unwrap().key, "十二");
        assert_eq!(heading_numbering("1.2 项目"), None);
        assert_eq!(heading_numbering("环境质量"), None);
        assert_eq!(heading_numbering("一流营商环境"), None);
        assert!(is_parent_id("1", "1.1"));
        assert!(is_parent_id("1.1", "1.1.2"));
        assert!(!is_parent_id("1", "11"));
        assert!(!is_parent_id("1", "1"));
        assert_eq!(section_key("（一）政治建设").as_deref(), Some("一"));
    }
}
