//! A compiled workbook's sheet read back with calamine (values, formulas, merges), and a
//! LibreOffice recalculation of a workbook whose cached formula values were zeroed first.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;

use calamine::{Data, Dimensions, Range, Reader, Xlsx, open_workbook};
use rust_decimal::Decimal;
use tianbao::workbook;

fn from_f64(n: f64) -> Decimal {
    tianbao::cell_text::decimal_from_f64(n).unwrap()
}

pub struct Sheet {
    pub range: Range<Data>,
    pub formulas: Range<String>,
    pub merges: Vec<Dimensions>,
}

impl Sheet {
    pub fn cell(&self, row: u32, col: u32) -> &Data {
        self.range.get_value((row, col)).unwrap_or(&Data::Empty)
    }

    pub fn text(&self, row: u32, col: u32) -> String {
        match self.cell(row, col) {
            Data::Empty => String::new(),
            Data::Float(f) => workbook::format_number(*f),
            other => other.to_string(),
        }
    }

    pub fn number(&self, row: u32, col: u32) -> Option<Decimal> {
        match self.cell(row, col) {
            Data::Float(f) => Some(from_f64(*f)),
            Data::Int(i) => Some(Decimal::from(*i)),
            _ => None,
        }
    }

    pub fn formula(&self, row: u32, col: u32) -> String {
        self.formulas
            .get_value((row, col))
            .cloned()
            .unwrap_or_default()
    }

    pub fn height(&self) -> u32 {
        self.range.end().map_or(0, |(r, _)| r + 1)
    }

    pub fn width(&self) -> u32 {
        self.range.end().map_or(0, |(_, c)| c + 1)
    }

    /// The first column whose row `row` reads `label`.
    pub fn col(&self, row: u32, label: &str) -> u32 {
        (0..self.width())
            .find(|&c| self.text(row, c) == label)
            .unwrap_or_else(|| panic!("no column {label} in row {row}"))
    }
}

pub fn read_sheet(path: &Path, name: &str) -> Sheet {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    let formulas = book.worksheet_formula(name).unwrap();
    let mut merges = book.merge_cells_by_sheet_name(name).unwrap();
    merges.sort_by_key(|m| (m.start, m.end));
    Sheet {
        range,
        formulas,
        merges,
    }
}

/// A LibreOffice profile that recalculates every formula on load (it keeps cached values by
/// default), for `soffice_convert` into `out_dir`.
pub fn recalculating_profile(out_dir: &Path) {
    let user = out_dir.join("lo-profile/user");
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(
        user.join("registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
    )
    .unwrap();
}

/// `path` with every cached formula value set to 0, so only a recalculation gives the totals.
pub fn zero_cached_values(path: &Path, out: &Path) {
    let bytes = std::fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut zeroed = 0;
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if name.starts_with("xl/worksheets/sheet") {
            let xml = String::from_utf8(data).unwrap();
            let mut result = String::new();
            let mut rest = xml.as_str();
            while let Some(at) = rest.find("</f><v>") {
                let value_start = at + "</f><v>".len();
                let value_end = value_start + rest[value_start..].find("</v>").unwrap();
                result.push_str(&rest[..value_start]);
                result.push('0');
                rest = &rest[value_end..];
                zeroed += 1;
            }
            result.push_str(rest);
            data = result.into_bytes();
        }
        writer.start_file(name, options).unwrap();
        writer.write_all(&data).unwrap();
    }
    writer.finish().unwrap();
    assert!(zeroed > 3, "formulas found: {zeroed}");
}
