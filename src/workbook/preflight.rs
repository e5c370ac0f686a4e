//! Checks on a workbook's raw bytes before a reader parses them, so that no file, however
//! small, can make the reader take gigabytes or abort the process.
//!
//! calamine allocates some structures from numbers the file states rather than from what it
//! holds: a sheet's cells as one dense block spanning the first to the last used cell, the
//! shared-string table from its declared count, an .xls sheet from its DIMENSIONS record, and
//! .xls compound-file chains from declared lengths. A failed allocation aborts the process,
//! which no `catch_unwind` contains. So, before calamine sees a file:
//! - zip-based formats (.xlsx, .ods): the number of members and each member's and the total
//!   declared uncompressed size (the zip reader stops at the declared size, so a lying header
//!   cannot inflate past it), and the declared shared-string count;
//! - .ods: the rows and columns the content reaches once repeats are expanded;
//! - .xls: the compound file is opened by a strict-enough reader, its workbook stream is
//!   scanned record by record for cell positions and sheet dimensions, and calamine is handed a
//!   freshly written compound file holding only the streams it reads.
//!
//! .xlsx sheets themselves are read cell by cell (see the reader), with positions checked as
//! they come.

use std::io::{Cursor, Read, Write};

use quick_xml::events::{BytesStart, Event};

use super::ReadLimits;
use super::biff::{records, u16_at, u32_at};
use super::spans::Hidden;

/// Why a file is refused before parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refusal {
    /// Over a limit: the detail says which, and the setting that raises it.
    TooLarge(String),
    /// Not well-formed where it matters.
    Damaged(String),
    /// Encrypted with a password (an .xls FILEPASS record).
    Encrypted,
    /// A spreadsheet of a kind tianbao does not read; the text says what it is.
    Unsupported(super::FileKind),
}

/// Members of a zip-based workbook: a real one has a few dozen.
pub(super) const MAX_PARTS: usize = 10_000;

/// Checks the members of a zip-based workbook from the central directory; the archive, opened,
/// for a further look.
pub(super) fn zip_parts<'b>(
    bytes: &'b [u8],
    limits: &ReadLimits,
) -> Result<zip::ZipArchive<Cursor<&'b [u8]>>, Refusal> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| Refusal::Damaged(format!("a damaged zip container ({e})")))?;
    if zip.len() > MAX_PARTS {
        return Err(Refusal::TooLarge(format!(
            "{} parts inside, a workbook has a few dozen",
            zip.len()
        )));
    }
    let mut total: u64 = 0;
    let mut shared_strings = Vec::new();
    let (mut xml_book, mut binary_book, mut word, mut slides) = (false, false, false, false);
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else {
            continue;
        };
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let size = entry.size();
        if size > limits.max_part_bytes {
            return Err(Refusal::TooLarge(format!(
                "its part {name} unpacks to {size} bytes, over the limit of {} (limits.max_file_bytes)",
                limits.max_part_bytes
            )));
        }
        total = total.saturating_add(size);
        let name = name.replace('\\', "/").to_ascii_lowercase();
        if name.ends_with("sharedstrings.xml") {
            shared_strings.push((i, size));
        }
        xml_book |= name.ends_with("workbook.xml") || name == "content.xml";
        binary_book |= name.ends_with("workbook.bin");
        word |= name == "word/document.xml";
        slides |= name == "ppt/presentation.xml";
    }
    if !xml_book {
        let kind = if binary_book {
            super::FileKind::Xlsb
        } else if word {
            super::FileKind::Docx
        } else if slides {
            super::FileKind::Pptx
        } else {
            super::FileKind::Zip
        };
        return Err(Refusal::Unsupported(kind));
    }
    if total > limits.max_total_bytes {
        return Err(Refusal::TooLarge(format!(
            "its parts unpack to {total} bytes, over the limit of {} (limits.max_archive_bytes)",
            limits.max_total_bytes
        )));
    }
    for (i, size) in shared_strings {
        if let Ok(entry) = zip.by_index(i) {
            shared_string_count(entry, size)?;
        }
    }
    Ok(zip)
}

/// The shared-string table's declared count (`<sst uniqueCount="…">`) is reserved up front by
/// the reader: it cannot exceed the number of bytes of the part holding the strings.
fn shared_string_count(part: impl Read, size: u64) -> Result<(), Refusal> {
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
    let mut buf = Vec::new();
    // The reader takes the first `sst` element wherever it is; so does this check.
    for _ in 0..10_000 {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sst" => {
                for count in raw_numbers(&e, "uniqueCount") {
                    if count > size {
                        return Err(Refusal::Damaged(format!(
                            "its shared-string table claims {count} strings in {size} bytes"
                        )));
                    }
                }
                return Ok(());
            }
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Every value given to attribute `key` in an element's raw text, read as a whole number the
/// way a lenient parser would (digits after optional spaces and a `+`), saturating.
fn raw_numbers(e: &BytesStart, key: &str) -> Vec<u64> {
    let raw = e.attributes_raw();
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(at) = rest.find(key) {
        let after = &rest[at + key.len()..];
        rest = after;
        let Some(after) = after.trim_start().strip_prefix('=') else {
            continue;
        };
        let after = after.trim_start();
        let Some(value) = after.strip_prefix('"').or_else(|| after.strip_prefix('\'')) else {
            continue;
        };
        let value = value.trim_start();
        let value = value.strip_prefix('+').unwrap_or(value);
        let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            out.push(digits.parse::<u64>().unwrap_or(u64::MAX));
        }
    }
    out
}

/// The value of attribute `key` as a repeat count (1 when absent or unreadable).
pub(super) fn repeats(e: &BytesStart, key: &str) -> u64 {
    raw_numbers(e, key).into_iter().max().unwrap_or(1).max(1)
}

/// Whether an .ods cell element carries a value or a formula in its attributes.
fn ods_cell_has_value(e: &BytesStart) -> bool {
    let raw = e.attributes_raw();
    [
        "office:value",
        "office:string-value",
        "office:date-value",
        "office:time-value",
        "office:boolean-value",
        "table:formula",
    ]
    .iter()
    .any(|k| raw.contains(k))
}

/// The rows and columns an .ods file's tables reach once repeated rows and cells are expanded,
/// counting only cells that may hold something (the reader expands those; empty repeats cost
/// nothing).
pub(super) fn ods_extent(bytes: &[u8], limits: &ReadLimits) -> Result<(), Refusal> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| Refusal::Damaged(format!("a damaged zip container ({e})")))?;
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(()); // the reader says what is missing
    };
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let mut buf = Vec::new();
    let mut skip = Vec::new();
    let mut walk = OdsWalk::default();
    loop {
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(_) => return Ok(()), // malformed XML: the reader fails on it and says so
        };
        let inside = match &event {
            Event::Start(e) => walk.start(e, false, limits)?,
            Event::Empty(e) => walk.start(e, true, limits)?,
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                walk.end_row(limits)?;
                None
            }
            Event::Eof => return Ok(()),
            _ => None,
        };
        if let Some(name) = inside {
            // Whatever the cell holds (text, a nested table) belongs to it.
            skip.clear();
            if reader
                .read_to_end_into(quick_xml::name::QName(&name), &mut skip)
                .is_err()
            {
                return Ok(());
            }
        }
    }
}

/// How far the walk of an .ods `content.xml` has come: the table, the row and the column.
#[derive(Default)]
struct OdsWalk {
    table: String,
    row: u64,
    /// The row open: its repeats and whether it holds something.
    in_row: Option<(u64, bool)>,
    col: u64,
}

impl OdsWalk {
    /// Takes in an opening (or empty) element; for a cell with content inside, its name (the
    /// content is skipped up to its end).
    fn start(
        &mut self,
        e: &BytesStart,
        empty: bool,
        limits: &ReadLimits,
    ) -> Result<Option<String>, Refusal> {
        match e.name().as_ref() {
            "table:table" => {
                self.table = raw_name(e);
                self.row = 0;
                self.in_row = None;
            }
            "table:table-row" => {
                let r = repeats(e, "table:number-rows-repeated");
                if empty {
                    self.row = self.row.saturating_add(r);
                } else {
                    self.in_row = Some((r, false));
                    self.col = 0;
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let c = repeats(e, "table:number-columns-repeated");
                // A cell with content inside (text) is counted as holding something.
                if ods_cell_has_value(e) || !empty {
                    let last = self.col.saturating_add(c);
                    if last > u64::from(limits.max_cols) {
                        return Err(Refusal::TooLarge(format!(
                            "sheet \"{}\" has a value in column {last}, past the limit of {} columns (limits.max_cols)",
                            self.table, limits.max_cols
                        )));
                    }
                    if let Some((_, holds)) = &mut self.in_row {
                        *holds = true;
                    }
                }
                self.col = self.col.saturating_add(c);
                if !empty {
                    return Ok(Some(e.name().as_ref().to_string()));
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// The end of a row: its repeats counted, refused past the limit if it holds something.
    fn end_row(&mut self, limits: &ReadLimits) -> Result<(), Refusal> {
        if let Some((r, holds)) = self.in_row.take() {
            let last = self.row.saturating_add(r);
            if holds && last > u64::from(limits.max_rows) {
                return Err(Refusal::TooLarge(format!(
                    "sheet \"{}\" has a value in row {last}, past the limit of {} rows (limits.max_rows)",
                    self.table, limits.max_rows
                )));
            }
            self.row = last;
        }
        Ok(())
    }
}

fn raw_name(e: &BytesStart) -> String {
    let raw = e.attributes_raw();
    raw.find("table:name")
        .and_then(|at| {
            let rest = &raw[at..];
            let open = rest.find(['"', '\''])?;
            let quote = rest.as_bytes()[open] as char;
            let value = &rest[open + 1..];
            Some(value[..value.find(quote)?].to_string())
        })
        .unwrap_or_default()
}

/// The streams of an .xls compound file that the reader uses, after checking the workbook
/// stream, written into a new, well-formed compound file.
/// With it, each sheet's hidden rows and columns (BoundSheet order) when `limits.read_hidden`.
pub(super) fn xls_rebuilt(
    bytes: &[u8],
    limits: &ReadLimits,
) -> Result<(Vec<u8>, Vec<Hidden>), Refusal> {
    let damaged = |e: std::io::Error| Refusal::Damaged(format!("a damaged compound file ({e})"));
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(damaged)?;
    let names: Vec<String> = cfb
        .read_root_storage()
        .filter(|e| e.is_stream())
        .map(|e| e.name().to_string())
        .collect();
    let find = |wanted: &str| {
        names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(wanted))
            .cloned()
    };
    let workbook = find("Workbook")
        .or_else(|| find("Book"))
        .ok_or_else(|| Refusal::Damaged("no workbook stream in the compound file".to_string()))?;
    let mut read_stream = |name: &str| -> Result<Vec<u8>, Refusal> {
        let mut stream = cfb.open_stream(format!("/{name}")).map_err(damaged)?;
        // A stream cannot be longer than the file that holds it.
        if stream.len() > bytes.len() as u64 {
            return Err(Refusal::Damaged(format!(
                "its {name} stream claims {} bytes in a file of {}",
                stream.len(),
                bytes.len()
            )));
        }
        let mut data = Vec::new();
        (&mut stream)
            .take(bytes.len() as u64)
            .read_to_end(&mut data)
            .map_err(damaged)?;
        Ok(data)
    };
    let data = read_stream(&workbook)?;
    if has_filepass(&data) {
        return Err(Refusal::Encrypted);
    }
    biff_scan(&data, limits)?;
    let hidden = if limits.read_hidden {
        super::xls_shape::hidden(&data)
    } else {
        Vec::new()
    };
    let mut properties = Vec::new();
    for wanted in ["\u{5}SummaryInformation", "\u{5}DocumentSummaryInformation"] {
        if let Some(name) = find(wanted) {
            properties.push((wanted, read_stream(&name)?));
        }
    }
    let write = || -> std::io::Result<Vec<u8>> {
        // Version 3 (512-byte sectors): the reader refuses a version-4 file whose root entry
        // has no mini stream, which is what a file without small streams gets.
        let mut out =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
        out.create_stream("/Workbook")?.write_all(&data)?;
        for (name, bytes) in &properties {
            out.create_stream(format!("/{name}"))?.write_all(bytes)?;
        }
        out.flush()?;
        Ok(out.into_inner().into_inner())
    };
    Ok((write().map_err(damaged)?, hidden))
}

/// Whether the workbook globals (up to their EOF) hold a FILEPASS record: the rest of the
/// stream is then encrypted (RC4) or obfuscated (XOR), and its record contents are noise.
fn has_filepass(stream: &[u8]) -> bool {
    records(stream, 0)
        .take_while(|(typ, _)| *typ != 0x000A)
        .any(|(typ, _)| typ == 0x002F)
}

/// The largest sheet an .xls can describe: 65,536 rows by 256 columns.
const XLS_MAX_CELLS: u64 = 65_536 * 256;

/// Scans every sheet substream the reader will parse (each BoundSheet position) for cells past
/// the limits and for DIMENSIONS records the reader would turn into an absurd allocation.
fn biff_scan(stream: &[u8], limits: &ReadLimits) -> Result<(), Refusal> {
    // The reader collects BoundSheet records from the whole stream.
    let mut starts: Vec<usize> = records(stream, 0)
        .filter(|(typ, _)| *typ == 0x0085)
        .filter_map(|(_, data)| u32_at(data, 0).map(|p| p as usize))
        .filter(|&p| p < stream.len())
        .collect();
    starts.sort_unstable();
    starts.dedup();
    for start in starts {
        let mut depth = 0usize;
        let mut seen_bof = false;
        for (typ, data) in records(stream, start) {
            match typ {
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x000A if depth > 0 => depth -= 1,
                0x000A => break,
                _ if depth > 0 => {}
                0x0200 => dimensions(data)?,
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                    if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
                        cell_within(row, col, limits)?;
                    }
                }
                0x00BD if data.len() >= 6 => {
                    if let (Some(row), Some(last)) = (u16_at(data, 0), u16_at(data, data.len() - 2))
                    {
                        cell_within(row, last.max(u16_at(data, 2).unwrap_or(0)), limits)?;
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

fn cell_within(row: u32, col: u32, limits: &ReadLimits) -> Result<(), Refusal> {
    let (what, limit, key) = if row >= limits.max_rows {
        ("rows", limits.max_rows, "limits.max_rows")
    } else if col >= limits.max_cols {
        ("columns", limits.max_cols, "limits.max_cols")
    } else {
        return Ok(());
    };
    Err(Refusal::TooLarge(format!(
        "a sheet has a value at {}, past the limit of {limit} {what} ({key})",
        super::a1(row, col)
    )))
}

/// A DIMENSIONS record as the reader interprets it: the cell block it reserves must be one an
/// .xls can have.
fn dimensions(data: &[u8]) -> Result<(), Refusal> {
    let (first_row, last_row, mut first_col, last_col) = match data.len() {
        10 => (
            u64::from(u16_at(data, 0).unwrap_or(0)),
            u64::from(u16_at(data, 2).unwrap_or(0)),
            u64::from(u16_at(data, 4).unwrap_or(0)),
            u64::from(u16_at(data, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            u32_at(data, 0).unwrap_or(0),
            u32_at(data, 4).unwrap_or(0),
            u64::from(u16_at(data, 8).unwrap_or(0)),
            u64::from(u16_at(data, 10).unwrap_or(0)),
        ),
        _ => return Ok(()), // the reader refuses it
    };
    if 0xFF < first_col || last_col < first_col {
        first_col = 0;
    }
    if last_row < 1 || last_col < 1 {
        return Ok(()); // a single cell
    }
    // Rows (last_row - 1) - first_row + 1, columns likewise, as the reader computes them.
    let rows = last_row as i128 - first_row as i128;
    let cols = last_col as i128 - first_col as i128;
    if rows < 1 || cols < 1 || (rows * cols) as u128 > u128::from(XLS_MAX_CELLS) {
        return Err(Refusal::Damaged(format!(
            "a sheet's DIMENSIONS record spans rows {first_row}–{last_row} and columns \
             {first_col}–{last_col}, which no .xls can hold"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(xml: &str) -> BytesStart<'static> {
        let mut reader = quick_xml::Reader::from_str(xml);
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => e.into_owned(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn numbers_are_read_leniently_and_saturate() {
        let e = start(r#"<sst count="3" uniqueCount = ' +42' x="1"/>"#);
        assert_eq!(raw_numbers(&e, "uniqueCount"), vec![42]);
        let e = start(r#"<sst uniqueCount="99999999999999999999999"/>"#);
        assert_eq!(raw_numbers(&e, "uniqueCount"), vec![u64::MAX]);
        let e = start(r#"<c table:number-columns-repeated="x"/>"#);
        assert_eq!(repeats(&e, "table:number-columns-repeated"), 1);
    }

    #[test]
    fn dimensions_past_an_xls_sheet_are_damaged() {
        let record = |rf: u32, rl: u32, cf: u16, cl: u16| {
            let mut d = Vec::new();
            d.extend(rf.to_le_bytes());
            d.extend(rl.to_le_bytes());
            d.extend(cf.to_le_bytes());
            d.extend(cl.to_le_bytes());
            d.extend([0, 0]);
            d
        };
        assert!(dimensions(&record(0, 70, 0, 11)).is_ok());
        assert!(dimensions(&record(0, 0, 0, 0)).is_ok());
        assert!(dimensions(&record(0, 0xFFFF_FF00, 0, 11)).is_err());
        assert!(dimensions(&record(10, 5, 0, 11)).is_err());
        assert!(dimensions(&record(0, 10, 5, 5)).is_err());
    }

    /// A workbook stream over 4,096 bytes and no small stream: the rebuilt file's root entry has
    /// no mini stream, which calamine refused in a version-4 file ("Empty Root directory").
    #[test]
    fn xls_rebuilt_compound_file_is_readable_by_calamine() {
        let original = include_bytes!("../../tests/fixtures/realworld/merged_range.xls");
        let (rebuilt, _) = xls_rebuilt(original, &ReadLimits::default()).unwrap();
        let book = <calamine::Xls<_> as calamine::Reader<_>>::new(Cursor::new(rebuilt));
        assert!(book.is_ok(), "{:?}", book.err());
        // And with small streams beside the workbook stream (the mini stream is used).
        let original = include_bytes!("../../tests/fixtures/master.xls");
        let (rebuilt, _) = xls_rebuilt(original, &ReadLimits::default()).unwrap();
        assert!(<calamine::Xls<_> as calamine::Reader<_>>::new(Cursor::new(rebuilt)).is_ok());
    }

    #[test]
    fn filepass_of_either_kind_in_the_globals_is_found() {
        let record = |typ: u16, data: &[u8]| {
            let mut out = typ.to_le_bytes().to_vec();
            out.extend((data.len() as u16).to_le_bytes());
            out.extend(data);
            out
        };
        let bof = record(0x0809, &[0; 16]);
        let eof = record(0x000A, &[]);
        // XOR obfuscation (type 0), which calamine itself reads as noise, and RC4 (type 1).
        for kind in [0u16, 1] {
            let mut filepass = kind.to_le_bytes().to_vec();
            filepass.extend([0; 4]);
            let stream = [bof.clone(), record(0x002F, &filepass), eof.clone()].concat();
            assert!(has_filepass(&stream));
        }
        // Only in the globals: one after their EOF is not.
        let stream = [bof.clone(), eof.clone(), record(0x002F, &[1, 0])].concat();
        assert!(!has_filepass(&stream));
    }

    #[test]
    fn an_xls_with_filepass_is_encrypted() {
        let original = include_bytes!("../../tests/fixtures/realworld/issue_385.xls");
        assert_eq!(
            xls_rebuilt(original, &ReadLimits::default()),
            Err(Refusal::Encrypted)
        );
    }
}
