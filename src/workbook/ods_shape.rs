//! What calamine does not expose of an .ods sheet: merged cells, hidden rows and hidden
//! columns, read from `content.xml` with quick-xml.
//!
//! Positions are counted as the cell reader counts them: every `table:table-cell` and
//! `table:covered-table-cell` takes `table:number-columns-repeated` columns, every
//! `table:table-row` `table:number-rows-repeated` rows (row groups and header rows are only
//! wrappers). A merge is a cell with `table:number-rows-spanned` / `table:number-columns-spanned`;
//! a hidden row or column has `table:visibility="collapse"` or `"filter"`.
//!
//! Hostile declarations cost nothing: repeats only move a counter, hidden repeats are one range
//! ([`Spans`]), a merge in a repeated row is repeated only up to the row limit, and a sheet keeps
//! at most [`MAX_MERGES`] merges.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;

use super::preflight::repeats;
use super::spans::{Hidden, SpansBuilder};
use super::{ReadLimits, Rect};

/// Merges kept per sheet; past it the rest are dropped.
pub(super) const MAX_MERGES: usize = 1_000_000;

/// One sheet's merges and hidden rows and columns.
#[derive(Debug, Default)]
pub(super) struct OdsShape {
    pub merges: Vec<Rect>,
    pub hidden: Hidden,
}

/// Every sheet's layout by name; `None` when `content.xml` cannot be read to its end.
pub(super) fn shapes(bytes: &[u8], limits: &ReadLimits) -> Option<HashMap<String, OdsShape>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let content = zip.by_name("content.xml").ok()?;
    scan(content, limits)
}

/// The state of one table while its rows go by.
struct Table {
    name: String,
    row: u64,
    col: u64,
    column: u64,
    /// Repeats of the row being read, and the merges starting in it: (column, rows, columns).
    row_repeats: u64,
    row_merges: Vec<(u64, u64, u64)>,
    merges: Vec<Rect>,
    hidden_rows: SpansBuilder,
    hidden_cols: SpansBuilder,
}

impl Table {
    fn new(name: String) -> Table {
        Table {
            name,
            row: 0,
            col: 0,
            column: 0,
            row_repeats: 1,
            row_merges: Vec::new(),
            merges: Vec::new(),
            hidden_rows: SpansBuilder::new(),
            hidden_cols: SpansBuilder::new(),
        }
    }

    fn start_row(&mut self, e: &BytesStart) {
        self.row_repeats = repeats(e, "table:number-rows-repeated");
        if hidden(e) {
            self.hidden_rows.add(self.row, self.row_repeats);
        }
        self.col = 0;
        self.row_merges.clear();
    }

    /// The merges of the row just read, once per repeat that can hold a value.
    fn end_row(&mut self, limits: &ReadLimits) {
        let room = u64::from(limits.max_rows).saturating_sub(self.row);
        for k in 0..self.row_repeats.min(room) {
            for &(col, rows, cols) in &self.row_merges {
                if self.merges.len() >= MAX_MERGES {
                    break;
                }
                self.merges.push(rect(self.row + k, col, rows, cols));
            }
        }
        self.row = self.row.saturating_add(self.row_repeats);
        self.row_repeats = 1;
        self.row_merges.clear();
    }

    fn cell(&mut self, e: &BytesStart) {
        let spans = (
            repeats(e, "table:number-rows-spanned"),
            repeats(e, "table:number-columns-spanned"),
        );
        if spans != (1, 1) && self.row_merges.len() < MAX_MERGES {
            self.row_merges.push((self.col, spans.0, spans.1));
        }
        self.col = self
            .col
            .saturating_add(repeats(e, "table:number-columns-repeated"));
    }

    fn column(&mut self, e: &BytesStart) {
        let count = repeats(e, "table:number-columns-repeated");
        if hidden(e) {
            self.hidden_cols.add(self.column, count);
        }
        self.column = self.column.saturating_add(count);
    }

    fn finish(self) -> (String, OdsShape) {
        let layout = OdsShape {
            merges: self.merges,
            hidden: Hidden {
                rows: self.hidden_rows.build(),
                cols: self.hidden_cols.build(),
            },
        };
        (self.name, layout)
    }
}

/// A region from its top-left and its size, clipped to the positions a [`Rect`] can name.
fn rect(row: u64, col: u64, rows: u64, cols: u64) -> Rect {
    let clip = |v: u64| v.min(u64::from(u32::MAX)) as u32;
    Rect {
        first_row: clip(row),
        first_col: clip(col),
        last_row: clip(row.saturating_add(rows - 1)),
        last_col: clip(col.saturating_add(cols - 1)),
    }
}

/// `table:visibility="collapse"` or `"filter"`: the row or column is not shown.
fn hidden(e: &BytesStart) -> bool {
    matches!(
        attribute(e, "table:visibility").as_deref(),
        Some("collapse" | "filter")
    )
}

fn attribute(e: &BytesStart, key: &str) -> Option<String> {
    let attr = e.try_get_attribute(key).ok()??;
    let value = attr
        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
        .ok()?;
    Some(value.into_owned())
}

fn scan(content: impl Read, limits: &ReadLimits) -> Option<HashMap<String, OdsShape>> {
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    reader.config_mut().check_end_names = false;
    let (mut buf, mut skip) = (Vec::new(), Vec::new());
    let mut sheets = HashMap::new();
    let mut table: Option<Table> = None;
    loop {
        buf.clear();
        let (e, empty) = match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                match (e.name().as_ref(), table.as_mut()) {
                    ("table:table-row", Some(t)) => t.end_row(limits),
                    ("table:table", Some(_)) => {
                        let (name, layout) = table.take()?.finish();
                        sheets.entry(name).or_insert(layout);
                    }
                    _ => {}
                }
                continue;
            }
            Event::Eof => return Some(sheets),
            _ => continue,
        };
        match (e.name().as_ref(), table.as_mut()) {
            ("table:table", _) if !empty => {
                table = Some(Table::new(attribute(&e, "table:name").unwrap_or_default()))
            }
            ("table:table-row", Some(t)) => {
                t.start_row(&e);
                if empty {
                    t.end_row(limits);
                }
            }
            ("table:table-column", Some(t)) => t.column(&e),
            ("table:table-cell" | "table:covered-table-cell", Some(t)) => {
                t.cell(&e);
                if !empty {
                    // Whatever the cell holds (text, a nested table) belongs to it.
                    let name = e.name().as_ref().to_string();
                    skip.clear();
                    reader.read_to_end_into(QName(&name), &mut skip).ok()?;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(first_row: u32, first_col: u32, last_row: u32, last_col: u32) -> Rect {
        Rect {
            first_row,
            first_col,
            last_row,
            last_col,
        }
    }

    const CONTENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:spreadsheet>
<table:table table:name="A &amp; B">
  <table:table-column table:number-columns-repeated="2"/>
  <table:table-column table:visibility="collapse"/>
  <table:table-column table:number-columns-repeated="1021"/>
  <table:table-header-rows><table:table-row>
    <table:table-cell table:number-columns-spanned="3" office:value-type="string"><text:p>Title</text:p></table:table-cell>
    <table:covered-table-cell table:number-columns-repeated="2"/>
    <table:table-cell/>
  </table:table-row></table:table-header-rows>
  <table:table-row table:visibility="collapse" table:number-rows-repeated="2">
    <table:table-cell table:number-columns-repeated="3"/>
    <table:table-cell table:number-rows-spanned="2" table:number-columns-spanned="2"/>
    <table:covered-table-cell/>
  </table:table-row>
  <table:table-row>
    <table:table-cell table:number-rows-spanned="3"><text:p>v</text:p></table:table-cell>
    <table:covered-table-cell table:number-columns-repeated="4"/>
  </table:table-row>
  <table:table-row table:visibility="filter"><table:covered-table-cell/></table:table-row>
  <table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
</table:table>
<table:table table:name="Empty"/>
<table:table table:name="Plain"><table:table-row><table:table-cell/></table:table-row></table:table>
</office:spreadsheet></office:body></office:document-content>"#;

    #[test]
    fn merges_and_hidden_rows_and_columns_of_a_hand_written_content_xml() {
        let sheets = scan(CONTENT.as_bytes(), &ReadLimits::default()).unwrap();
        let a = &sheets["A & B"];
        // A repeated row with a merge starting in it: one merge per repeat.
        assert_eq!(
            a.merges,
            vec![r(0, 0, 0, 2), r(1, 3, 2, 4), r(2, 3, 3, 4), r(3, 0, 5, 0)]
        );
        assert_eq!(a.hidden.rows.ranges(), &[(1, 2), (4, 4)]);
        assert_eq!(a.hidden.cols.ranges(), &[(2, 2)]);
        assert!(sheets["Plain"].merges.is_empty());
        assert!(
            !sheets.contains_key("Empty"),
            "a table without rows is not read as one"
        );
    }

    #[test]
    fn hostile_repeats_and_spans_stay_bounded() {
        let content = r#"<table:table table:name="S">
  <table:table-column table:visibility="collapse" table:number-columns-repeated="99999999999999999999"/>
  <table:table-row table:visibility="collapse" table:number-rows-repeated="4000000000">
    <table:table-cell table:number-columns-spanned="2"/>
    <table:table-cell table:number-rows-spanned="99999999999" table:number-columns-repeated="4294967295"/>
  </table:table-row>
  <table:table-row table:number-rows-repeated="4000000000"><table:table-cell table:number-columns-spanned="2"/></table:table-row>
</table:table>"#;
        let limits = ReadLimits::default();
        let sheets = scan(content.as_bytes(), &limits).unwrap();
        let s = &sheets["S"];
        assert_eq!(s.hidden.rows.ranges(), &[(0, 3_999_999_999)]);
        assert_eq!(s.hidden.cols.ranges(), &[(0, u32::MAX)]);
        // Merges in repeated rows stop at the row limit; a huge span is clipped.
        assert_eq!(s.merges.len(), 2 * limits.max_rows as usize);
        assert_eq!(s.merges[1], r(0, 1, u32::MAX, 1));
        // Broken XML is no layout, not a panic.
        assert!(
            scan(
                &b"<table:table table:name='x'><table:table-row"[..],
                &limits
            )
            .is_none()
        );
    }
}
