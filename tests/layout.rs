//! Merged cells and hidden rows and columns, as each format records them: an .xlsx written by
//! rust_xlsxwriter, and the .ods and .xls LibreOffice makes of it (behind the interop gate),
//! must agree; hostile declarations stay cheap.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use rust_xlsxwriter::{Format, Workbook};
use tianbao::workbook::{self, Rect};

fn rect(first_row: u32, first_col: u32, last_row: u32, last_col: u32) -> Rect {
    Rect {
        first_row,
        first_col,
        last_row,
        last_col,
    }
}

/// The merges of the test table: horizontal, vertical, a block, and merges beside runs of
/// empty cells (which .ods writes as repeated cells) and in identical rows (repeated rows).
fn merges() -> Vec<Rect> {
    vec![
        rect(0, 0, 0, 5),
        rect(1, 0, 4, 0),
        rect(2, 2, 4, 3),
        rect(6, 9, 6, 10),
        rect(8, 1, 8, 2),
        rect(9, 1, 9, 2),
        rect(10, 1, 10, 2),
        rect(12, 0, 13, 12),
    ]
}

/// A table with the merges above, rows 3 and 7–8 and columns B and E hidden, some text.
fn table_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("表").unwrap();
    let plain = Format::new();
    for (i, m) in merges().iter().enumerate() {
        let text = if i == 4 { "" } else { "合并" };
        sheet
            .merge_range(
                m.first_row,
                m.first_col as u16,
                m.last_row,
                m.last_col as u16,
                text,
                &plain,
            )
            .unwrap();
    }
    sheet.write_string(5, 4, "x").unwrap();
    sheet.write_string(14, 7, "last").unwrap();
    sheet.write_number(11, 11, 3.5).unwrap();
    for row in [3, 7, 8] {
        sheet.set_row_hidden(row).unwrap();
    }
    for col in [1, 4] {
        sheet.set_column_hidden(col).unwrap();
    }
    book.add_worksheet()
        .set_name("plain")
        .unwrap()
        .write_string(0, 0, "a")
        .unwrap();
    book.save_to_buffer().unwrap()
}

fn sorted(mut rects: Vec<Rect>) -> Vec<(u32, u32, u32, u32)> {
    rects.sort_by_key(|r| (r.first_row, r.first_col));
    rects
        .into_iter()
        .map(|r| (r.first_row, r.first_col, r.last_row, r.last_col))
        .collect()
}

/// Merges (sorted), hidden rows, hidden columns.
type Seen = (Vec<(u32, u32, u32, u32)>, Vec<u32>, Vec<u32>);

fn layout(book: &workbook::Workbook) -> Seen {
    let sheet = book.sheet("表").expect("the sheet");
    assert!(sheet.grid.merges_known(), "{:?}", book.format);
    (
        sorted(sheet.grid.merges().to_vec()),
        sheet.hidden_rows().collect(),
        sheet.hidden_cols().collect(),
    )
}

#[test]
fn xlsx_merges_and_hidden_rows_and_columns() {
    let book = workbook::open_bytes("t.xlsx", table_xlsx()).unwrap();
    let (merges_read, rows, cols) = layout(&book);
    assert_eq!(merges_read, sorted(merges()));
    assert_eq!(rows, vec![3, 7, 8]);
    assert_eq!(cols, vec![1, 4]);
    let sheet = book.sheet("表").unwrap();
    assert!(sheet.is_row_hidden(7) && !sheet.is_row_hidden(6));
    assert!(sheet.is_col_hidden(4) && !sheet.is_col_hidden(5));
    let plain = book.sheet("plain").unwrap();
    assert_eq!(plain.hidden_rows().count() + plain.hidden_cols().count(), 0);
}

#[test]
fn read_limits_can_skip_merges_and_hidden() {
    let limits = workbook::ReadLimits {
        read_merges: false,
        read_hidden: false,
        ..Default::default()
    };
    let book = workbook::open_bytes_with("t.xlsx", table_xlsx(), &limits).unwrap();
    let sheet = book.sheet("表").unwrap();
    assert!(!sheet.grid.merges_known());
    assert_eq!(sheet.hidden_rows().count(), 0);
}

/// Replaces `from` by `to` in one member of a zip (every member stored again, deflated).
fn edit_zip(bytes: &[u8], member: &str, from: &str, to: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        if name == member {
            let text = String::from_utf8(data).unwrap();
            assert!(text.contains(from), "{member} has no {from:?}");
            data = text.replacen(from, to, 1).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn xlsx_rows_and_columns_of_zero_size_are_hidden() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "a").unwrap();
    sheet.write_string(5, 5, "b").unwrap();
    sheet.set_row_height(2, 30).unwrap();
    sheet.set_column_width(3, 20).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let part = "xl/worksheets/sheet1.xml";
    let bytes = edit_zip(&bytes, part, r#"ht="30""#, r#"ht="0""#);
    let bytes = edit_zip(&bytes, part, r#"width="20.7109375""#, r#"width="0""#);
    let book = workbook::open_bytes("z.xlsx", bytes).unwrap();
    let sheet = &book.sheets[0];
    assert_eq!(sheet.hidden_rows().collect::<Vec<_>>(), vec![2]);
    assert_eq!(sheet.hidden_cols().collect::<Vec<_>>(), vec![3]);
}

/// A minimal .ods around `table` (the content of `office:spreadsheet`).
fn ods(table: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{table}</office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("mimetype", stored).unwrap();
    out.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    for (name, text) in [
        ("content.xml", content.as_str()),
        ("META-INF/manifest.xml", manifest),
    ] {
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn hostile_ods_repeats_and_spans_are_cheap() {
    let table = r#"<table:table table:name="S">
<table:table-column table:visibility="collapse" table:number-columns-repeated="16384"/>
<table:table-row><table:table-cell office:value-type="string" table:number-rows-spanned="999999999" table:number-columns-spanned="999999999"><text:p>a</text:p></table:table-cell></table:table-row>
<table:table-row table:visibility="collapse" table:number-rows-repeated="1048575"><table:table-cell table:number-columns-spanned="2" table:number-columns-repeated="16384"/></table:table-row>
<table:table-row table:visibility="filter" table:number-rows-repeated="99999999999999"><table:table-cell/></table:table-row>
</table:table>"#;
    let started = Instant::now();
    let book = workbook::open_bytes("h.ods", ods(table)).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let sheet = &book.sheets[0];
    assert!(
        sheet.is_row_hidden(1) && sheet.is_row_hidden(1_000_000) && sheet.is_row_hidden(u32::MAX)
    );
    assert!(!sheet.is_row_hidden(0));
    assert!(sheet.is_col_hidden(16_383) && !sheet.is_col_hidden(16_384));
    // Only the content's extent is iterated.
    assert_eq!(sheet.hidden_rows().count(), 0);
    assert_eq!(sheet.hidden_cols().collect::<Vec<_>>(), vec![0]);
    // The first merge, clipped; one per repeated row up to the row limit.
    let merges = sheet.grid.merges();
    assert_eq!(merges[0], rect(0, 0, 999_999_998, 999_999_998));
    assert!(merges.len() <= 1 + workbook::ReadLimits::default().max_rows as usize);
    assert_eq!(sheet.grid.spread(1, 5), &workbook::Value::Text("a".into()));
}

#[test]
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn libreoffice_ods_and_xls_give_the_same_merges_and_hidden_rows_and_columns() {
    common::require_libreoffice();
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("table.xlsx");
    std::fs::write(&xlsx, table_xlsx()).unwrap();
    let expected = layout(&workbook::open(&xlsx).unwrap());
    assert_eq!(expected.0, sorted(merges()));
    for format in ["ods", "xls"] {
        let converted = common::soffice_convert(&xlsx, format, dir.path());
        let book = workbook::open(&converted).unwrap();
        assert_eq!(layout(&book), expected, "{format}");
    }
}

#[test]
fn the_sample_master_as_ods_and_xls_reports_the_merges_of_the_xlsx() {
    let repo = common::repo();
    let xlsx = workbook::open(&repo.join("samples/master.xlsx")).unwrap();
    for other in ["tests/fixtures/master.ods", "tests/fixtures/master.xls"] {
        let book = workbook::open(&repo.join(other)).unwrap();
        for sheet in &xlsx.sheets {
            let theirs = book.sheet(&sheet.name).expect("same sheets");
            assert!(theirs.grid.merges_known(), "{other}");
            assert!(!sheet.grid.merges().is_empty() || sheet.name != xlsx.sheets[0].name);
            assert_eq!(
                sorted(theirs.grid.merges().to_vec()),
                sorted(sheet.grid.merges().to_vec()),
                "{other} {}",
                sheet.name
            );
        }
    }
}
