//! Hidden rows and columns of an .xlsx, which calamine does not expose: `<row r=".."
//! hidden="1">` (or a custom height of 0) in `sheetData`, `<col min max hidden="1">` (or a width
//! of 0) in `cols`.
//!
//! Sheet parts are found as the reader finds them (the workbook's `<sheet r:id>` and its
//! relationships; part names case-insensitive, `\` read as `/`; the package relationships only
//! when the workbook is not at `xl/workbook.xml`). Each sheet part read is unpacked a second
//! time, only up to the end of its `sheetData`, and searched for `row` and `col` tag names
//! directly (memchr), their attributes read raw: a return costs a few per cent of what the cell
//! reader spends on it.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use super::ReadLimits;
use super::spans::{Hidden, SpansBuilder};

pub(super) type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// Hidden rows and columns of each worksheet read (all, or `limits.only_sheets`), by name.
/// A part that cannot be found or read gives nothing: the cell reader reports damage.
pub(super) fn hidden(
    zip: &mut Zip,
    limits: &ReadLimits,
    wanted: Option<&[String]>,
) -> HashMap<String, Hidden> {
    let names = part_names(zip);
    let parts = sheet_parts(zip, &names);
    // As the cell reader: only the wanted sheets when the workbook has them all, the first is
    // visible and no other sheet is hidden.
    let wanted = wanted.filter(|w| {
        w.iter().all(|n| parts.iter().any(|(name, _, _)| name == n))
            && parts
                .iter()
                .find(|(name, _, _)| Some(name) == w.first())
                .is_some_and(|(_, _, hidden)| !hidden)
            && parts
                .iter()
                .filter(|(_, _, hidden)| *hidden)
                .all(|(name, _, _)| w.contains(name))
    });
    let mut out = HashMap::new();
    for (name, path, _) in parts {
        if wanted.is_some_and(|w| !w.contains(&name)) {
            continue;
        }
        if let Some(xml) = sheet_data(zip, &names, &path, limits.max_part_bytes) {
            out.entry(name).or_insert_with(|| scan(&xml));
        }
    }
    out
}

/// Zip member indexes by normalized name (lower case, `/` separators, no leading `/`).
fn part_names(zip: &Zip) -> HashMap<String, usize> {
    (0..zip.len())
        .filter_map(|i| Some((normalize(&zip.name_for_index(i)?.ok()?), i)))
        .collect()
}

fn normalize(name: &str) -> String {
    name.replace('\\', "/")
        .trim_start_matches('/')
        .to_ascii_lowercase()
}

/// A sheet part up to the end of its `sheetData` (what follows it, such as data validations,
/// holds no row or column): the rest is never unpacked.
fn sheet_data(
    zip: &mut Zip,
    names: &HashMap<String, usize>,
    path: &str,
    max: u64,
) -> Option<Vec<u8>> {
    part_until(zip, names, path, b"sheetData", max)
}

/// Part `path` unpacked up to the end of the first element named `local` (any prefix), or
/// whole, `max` bytes at most.
fn part_until(
    zip: &mut Zip,
    names: &HashMap<String, usize>,
    path: &str,
    local: &[u8],
    max: u64,
) -> Option<Vec<u8>> {
    let index = *names.get(&normalize(path))?;
    let mut part = zip.by_index(index).ok()?.take(max);
    let mut data = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = part.read(&mut chunk).ok()?;
        if n == 0 {
            return Some(data);
        }
        let from = data.len().saturating_sub(local.len() + 4);
        data.extend_from_slice(&chunk[..n]);
        if let Some(end) = element_end(&data, from, local) {
            data.truncate(end);
            return Some(data);
        }
    }
}

/// Where the first `</local>` (any prefix) or `<local/>` found at or after `from` ends.
fn element_end(xml: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    while let Some(i) = find(&xml[at..], name) {
        let start = at + i;
        let after = start + name.len();
        let rest = &xml[after..];
        if rest.starts_with(b"/>") {
            return Some(after + 2);
        }
        let floor = start.saturating_sub(MAX_PREFIX + 2);
        let open = xml[floor..start].iter().rposition(|&b| b == b'<');
        if open.is_some_and(|o| xml.get(floor + o + 1) == Some(&b'/'))
            && rest.first() == Some(&b'>')
        {
            return Some(after + 1);
        }
        at = after;
    }
    None
}

/// (sheet name, part path) of every sheet the workbook lists.
/// Each sheet of the workbook: its name, its part and whether it is hidden (or very hidden).
fn sheet_parts(zip: &mut Zip, names: &HashMap<String, usize>) -> Vec<(String, String, bool)> {
    // Every writer puts the workbook at its usual place; the package relationships are only
    // read for one that does not.
    let usual = "xl/workbook.xml";
    let book = if names.contains_key(usual) {
        usual.to_string()
    } else {
        elements(
            zip,
            names,
            "_rels/.rels",
            b"Relationship",
            ["Type", "Target"],
        )
        .into_iter()
        .find(|[typ, _]| {
            typ.as_deref()
                .is_some_and(|t| t.ends_with("/officeDocument"))
        })
        .and_then(|[_, target]| target)
        .unwrap_or_else(|| usual.to_string())
    };
    let book = book.trim_start_matches('/').to_string();
    let (dir, file) = match book.rsplit_once('/') {
        Some((dir, file)) => (format!("{dir}/"), file),
        None => (String::new(), book.as_str()),
    };
    let rels = format!("{dir}_rels/{file}.rels");
    let targets: HashMap<String, String> =
        elements(zip, names, &rels, b"Relationship", ["Id", "Target"])
            .into_iter()
            .filter_map(|[id, target]| Some((id?, target?)))
            .collect();
    elements(zip, names, &book, b"sheet", ["name", "id", "state"])
        .into_iter()
        .filter_map(|[name, id, state]| {
            let target = targets.get(&id?)?;
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("{dir}{target}"),
            };
            let hidden = state.is_some_and(|s| s == "hidden" || s == "veryHidden");
            Some((name?, path, hidden))
        })
        .collect()
}

/// The attributes `keys` (by local name, entities expanded) of every `local` tag (any prefix)
/// in part `path` (a workbook's part up to the end of its sheet list).
fn elements<const N: usize>(
    zip: &mut Zip,
    names: &HashMap<String, usize>,
    path: &str,
    local: &'static [u8],
    keys: [&str; N],
) -> Vec<[Option<String>; N]> {
    let Some(xml) = part_until(zip, names, path, b"sheets", MAX_SMALL_PART) else {
        return Vec::new();
    };
    tags(&xml, &[local])
        .map(|(_, tag)| {
            let mut values = [const { None }; N];
            for (key, value) in raw_attributes(tag) {
                if let Some(k) = keys.iter().position(|k| k.as_bytes() == key) {
                    let value = String::from_utf8_lossy(value);
                    values[k] = quick_xml::escape::unescape(&value)
                        .ok()
                        .map(|v| v.into_owned());
                }
            }
            values
        })
        .collect()
}

/// The relationship and workbook parts read for sheet names are this long at most.
const MAX_SMALL_PART: u64 = 16 * 1024 * 1024;

/// `key="value"` pairs of a tag's text (after its name), keys by local name, values raw.
/// Reading stops at anything that is not an attribute.
fn raw_attributes(tag: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let start = tag
        .iter()
        .position(u8::is_ascii_whitespace)
        .unwrap_or(tag.len());
    let mut rest = &tag[start..];
    std::iter::from_fn(move || {
        let trimmed = rest.trim_ascii_start();
        let eq = trimmed.iter().position(|&b| b == b'=')?;
        let key = trimmed[..eq].trim_ascii();
        let after = trimmed[eq + 1..].trim_ascii_start();
        let quote = *after.first().filter(|q| matches!(q, b'"' | b'\''))?;
        let len = after[1..].iter().position(|&b| b == quote)?;
        rest = &after[len + 2..];
        let local = key.rsplit(|&b| b == b':').next().unwrap_or(key);
        Some((local, &after[1..1 + len]))
    })
}

/// Hidden rows and columns of a sheet part.
fn scan(xml: &[u8]) -> Hidden {
    let (mut rows, mut cols) = (SpansBuilder::new(), SpansBuilder::new());
    let mut next_row: u64 = 0;
    // Columns come before the sheet data: all of them first, then the rows.
    for (local, tag) in tags(xml, &[b"col", b"row"]) {
        let tag = Tag::read(tag);
        if local == b"row" {
            // A row without `r` follows the one before.
            let row = tag.r.map_or(next_row, |r| r.saturating_sub(1));
            next_row = row.saturating_add(1);
            if tag.hidden || (tag.custom_height && tag.zero_height) {
                rows.add(row, 1);
            }
        } else if let Some(min) = tag.min.filter(|&m| m >= 1) {
            let max = tag.max.unwrap_or(min);
            if max >= min && (tag.hidden || tag.zero_width) {
                cols.add(min - 1, max - min + 1);
            }
        }
    }
    Hidden {
        rows: rows.build(),
        cols: cols.build(),
    }
}

/// What a `row` or `col` tag says about being shown (raw values: numbers and booleans have no
/// entities to expand).
#[derive(Default)]
struct Tag {
    r: Option<u64>,
    min: Option<u64>,
    max: Option<u64>,
    hidden: bool,
    custom_height: bool,
    zero_height: bool,
    zero_width: bool,
}

impl Tag {
    fn read(text: &[u8]) -> Tag {
        let mut tag = Tag::default();
        for (key, value) in raw_attributes(text) {
            let v = std::str::from_utf8(value).unwrap_or("").trim();
            match key {
                b"r" => tag.r = v.parse().ok(),
                b"min" => tag.min = v.parse().ok(),
                b"max" => tag.max = v.parse().ok(),
                b"hidden" => tag.hidden = truthy(v),
                b"customHeight" => tag.custom_height = truthy(v),
                b"ht" => tag.zero_height = is_zero(v),
                b"width" => tag.zero_width = is_zero(v),
                _ => {}
            }
        }
        tag
    }
}

fn truthy(v: &str) -> bool {
    matches!(v.trim(), "1" | "true")
}

fn is_zero(v: &str) -> bool {
    v.trim().parse::<f64>().is_ok_and(|x| x == 0.0)
}

/// Every start tag of one of the local names `locals` (any prefix), name by name: (local
/// name, the tag's text between `<` and its closing `>` or `/>`). The names are looked for
/// directly (a sheet has few rows and columns and many cells); one inside a comment or a CDATA
/// section, which no spreadsheet program writes there, would count as a tag.
fn tags<'x>(
    xml: &'x [u8],
    locals: &'x [&'static [u8]],
) -> impl Iterator<Item = (&'static [u8], &'x [u8])> + 'x {
    locals.iter().flat_map(move |&local| {
        let mut hits = memchr::memmem::find_iter(xml, local);
        // Hits inside a tag already read are skipped, so no byte is read twice.
        let mut resume = 0;
        std::iter::from_fn(move || {
            loop {
                let at = hits.next()?;
                if at < resume {
                    continue;
                }
                let Some(open) = tag_open(xml, at) else {
                    continue;
                };
                let after = xml.get(at + local.len()).copied().unwrap_or(b'>');
                if !(after.is_ascii_whitespace() || matches!(after, b'>' | b'/')) {
                    continue; // rowBreaks, sheets, …
                }
                let rest = &xml[open + 1..];
                // An unterminated tag runs to the end of the part: nothing follows it.
                let end = tag_end(rest)?;
                resume = open + 1 + end;
                let tag = &rest[..end];
                return Some((local, tag.strip_suffix(b"/").unwrap_or(tag)));
            }
        })
    })
}

/// How far back a tag's prefix is looked for: real prefixes are a few letters.
const MAX_PREFIX: usize = 64;

/// Where the `<` is that opens the tag whose name ends in the local name at `at`: right
/// before it, or before a prefix and `:`.
fn tag_open(xml: &[u8], at: usize) -> Option<usize> {
    let before = at.checked_sub(1)?;
    match xml[before] {
        b'<' => Some(before),
        b':' => {
            let name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
            let floor = before.saturating_sub(MAX_PREFIX);
            let start = floor + xml[floor..before].iter().rposition(|b| !name(b))?;
            (xml[start] == b'<' && start + 1 < before).then_some(start)
        }
        _ => None,
    }
}

/// Where a start tag's `>` is, quoted attribute values (which may hold `>`) skipped.
fn tag_end(rest: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in rest.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_columns_hidden_by_flag_or_zero_size() {
        let xml = br#"<?xml version="1.0"?><x:worksheet xmlns:x="m"><x:cols>
<x:col min="2" max="3" width="9" hidden="1"/><col min="5" max="5" width="0"/><col min="7" max="7" width="0.5"/>
<col min="0" max="4" hidden="1"/></x:cols><x:sheetData>
<x:row r="2" hidden="true" spans="1:3"><x:c r="A2" t="inlineStr"><x:is><x:t>a &gt; b</x:t></x:is></x:c></x:row>
<row><c/></row><row r="5" ht="0" customHeight="1" x='>'/><row r="6" ht="0"/><row r="7" hidden="0"/>
<row r="1048576" hidden="1"/><row r="99999999999" hidden="1"/><rowBreaks/></x:sheetData></x:worksheet>"#;
        let h = scan(xml);
        // Rows past what a position can name (r="99999999999") are dropped.
        assert_eq!(h.rows.ranges(), &[(1, 1), (4, 4), (1_048_575, 1_048_575)]);
        assert_eq!(h.cols.ranges(), &[(1, 2), (4, 4)]);
    }

    #[test]
    fn sheet_data_ends_where_its_closing_tag_does() {
        let xml = b"<ws><sheetData><row/></sheetData><dataValidations/></ws>";
        assert_eq!(element_end(xml, 0, b"sheetData"), Some(33));
        assert_eq!(
            element_end(b"<ws><x:sheetData/><x/>", 0, b"sheetData"),
            Some(18)
        );
        assert_eq!(
            element_end(b"<x:sheetData><row/></x:sheetData>", 3, b"sheetData"),
            Some(33)
        );
        assert_eq!(element_end(b"<sheetData><row/>", 0, b"sheetData"), None);
        assert_eq!(find(b"abcabd", b"abd"), Some(3));
    }

    #[test]
    fn raw_attributes_are_read_as_a_lenient_parser_would() {
        let tag = br#"sheet name = "A &amp; B" r:id='rId2' broken="x>"#;
        let attrs: Vec<_> = raw_attributes(tag).collect();
        assert_eq!(
            attrs,
            vec![(&b"name"[..], &b"A &amp; B"[..]), (b"id", b"rId2")]
        );
        assert_eq!(raw_attributes(b"row").count(), 0);
        assert_eq!(raw_attributes(b"row r=1").count(), 0);
        let xml = b"<sheets><sheet name=\"a\"/><x:sheet name='b'></x:sheet></sheets>";
        let found: Vec<_> = tags(xml, &[b"sheet"]).map(|(_, t)| t).collect();
        assert_eq!(found, vec![&b"sheet name=\"a\""[..], b"x:sheet name='b'"]);
    }

    #[test]
    fn hostile_parts_are_read_in_linear_time() {
        let started = std::time::Instant::now();
        // An unterminated quote, then millions of would-be tags.
        let mut xml = br#"<sheetData><row r="1" hidden="1"/><row r="2" x=""#.to_vec();
        xml.extend(b"<row".repeat(200_000));
        assert_eq!(scan(&xml).rows.ranges(), &[(0, 0)]);
        let mut xml = b"<".to_vec();
        xml.extend(b"a".repeat(1_000_000));
        xml.extend(b":row:row:row".repeat(50_000));
        let _ = scan(&xml);
        let words = b"sheetData".repeat(200_000);
        assert_eq!(element_end(&words, 0, b"sheetData"), None);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_truncated_part_is_no_panic() {
        let xml = br#"<sheetData><row r="3" hidden="1"><c r="A3"/></row><row r="4" hidden="1" x="unterminated"#;
        for cut in 0..xml.len() {
            let _ = scan(&xml[..cut]);
        }
        assert_eq!(scan(xml).rows.ranges(), &[(2, 2)]);
    }
}
