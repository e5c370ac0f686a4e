//! Real-world workbooks from calamine's own test suite (see
//! `tests/fixtures/realworld/PROVENANCE.md`): whatever calamine reads, tianbao must open with the
//! same sheets and values; encrypted files are `Encrypted`; nothing panics; nothing is called
//! damaged that calamine reads.

mod common;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use calamine::{Data, Ods, Reader, SheetType, Xls, Xlsb, Xlsx};
use tianbao::workbook::{self, OpenError, ReadLimits, Value};

/// Non-blank cell texts by (sheet, row, col), absolute 0-based positions.
type Cells = BTreeMap<(String, u32, u32), String>;

/// What calamine makes of a file, read with the typed reader its first bytes call for.
#[derive(Debug)]
enum Calamine {
    /// Every worksheet read: names in order, and cells.
    Read(Vec<String>, Cells),
    Password,
    Failed(String),
    Panicked,
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/realworld");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase());
            matches!(
                ext.as_deref(),
                Some("xls" | "xlsx" | "xlsm" | "xlsb" | "ods")
            )
        })
        .collect();
    files.sort();
    assert!(files.len() > 100, "fixtures missing: {}", files.len());
    files
}

/// calamine's text for a value, the way tianbao renders its [`Value`]s. Differences that are
/// tianbao's on purpose: line ends become `\n`; a date-formatted number is an ISO date (time
/// only when it has one), and a duration or a date-formatted number that is no date is the number.
fn calamine_text(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) => s.replace("\r\n", "\n").replace('\r', "\n"),
        Data::Float(f) => workbook::format_number(*f),
        Data::Int(i) => workbook::format_number(*i as f64),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => workbook::format_number(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

fn read_sheets<RS, R>(mut book: R) -> Result<(Vec<String>, Cells), String>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let mut names = Vec::new();
    let mut cells = Cells::new();
    for meta in book.sheets_metadata().to_vec() {
        if meta.typ != SheetType::WorkSheet {
            continue;
        }
        let range = book
            .worksheet_range(&meta.name)
            .map_err(|e| e.to_string())?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, data) in range.used_cells() {
            let text = calamine_text(data);
            if !text.trim().is_empty() {
                cells.insert((meta.name.clone(), r0 + r as u32, c0 + c as u32), text);
            }
        }
        names.push(meta.name);
    }
    Ok((names, cells))
}

fn is_xlsb(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes)).is_ok_and(|mut z| z.by_name("xl/workbook.bin").is_ok())
}

fn calamine(bytes: &[u8]) -> Calamine {
    let cursor = || Cursor::new(bytes.to_vec());
    let outcome = catch_unwind(AssertUnwindSafe(|| match workbook::sniff(bytes) {
        None => Err("not a spreadsheet".to_string()),
        Some(workbook::Format::Xls) => match Xls::new(cursor()) {
            Err(calamine::XlsError::Password) => Ok(None),
            // An encrypted .xlsx or .xlsb is a compound file too: their readers say so.
            Err(e) => match (Xlsx::new(cursor()), Xlsb::new(cursor())) {
                (Err(calamine::XlsxError::Password), _)
                | (_, Err(calamine::XlsbError::Password)) => Ok(None),
                _ => Err(e.to_string()),
            },
            Ok(book) => read_sheets(book).map(Some),
        },
        Some(workbook::Format::Ods) => match Ods::new(cursor()) {
            Err(calamine::OdsError::Password) => Ok(None),
            Err(e) => Err(e.to_string()),
            Ok(book) => read_sheets(book).map(Some),
        },
        Some(workbook::Format::Xlsx) if is_xlsb(bytes) => match Xlsb::new(cursor()) {
            Err(calamine::XlsbError::Password) => Ok(None),
            Err(e) => Err(e.to_string()),
            Ok(book) => read_sheets(book).map(Some),
        },
        Some(workbook::Format::Xlsx) => match Xlsx::new(cursor()) {
            Err(calamine::XlsxError::Password) => Ok(None),
            Err(e) => Err(e.to_string()),
            Ok(book) => read_sheets(book).map(Some),
        },
    }));
    match outcome {
        Ok(Ok(Some((names, cells)))) => Calamine::Read(names, cells),
        Ok(Ok(None)) => Calamine::Password,
        Ok(Err(e)) => Calamine::Failed(e),
        Err(_) => Calamine::Panicked,
    }
}

/// Limits wide enough for any sheet an Excel file can have, so values can be compared.
fn wide() -> ReadLimits {
    ReadLimits {
        max_rows: 1_048_576,
        max_cols: 16_384,
        ..ReadLimits::default()
    }
}

fn tianbao_cells(book: &workbook::Workbook) -> (Vec<String>, Cells) {
    let mut cells = Cells::new();
    for sheet in &book.sheets {
        for row in 0..sheet.grid.height() {
            for col in 0..sheet.grid.width() {
                let value = sheet.grid.raw(row, col);
                if *value != Value::Empty && !value.is_empty() {
                    cells.insert((sheet.name.clone(), row, col), value.to_text());
                }
            }
        }
    }
    (book.sheets.iter().map(|s| s.name.clone()).collect(), cells)
}

/// The first few differences between two cell maps, for a readable failure.
fn differences(a: &Cells, b: &Cells) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in a {
        if b.get(k) != Some(v) {
            out.push(format!("{k:?}: calamine {v:?}, tianbao {:?}", b.get(k)));
        }
    }
    for (k, v) in b {
        if !a.contains_key(k) {
            out.push(format!("{k:?}: calamine none, tianbao {v:?}"));
        }
    }
    out.truncate(5);
    out
}

/// Checks one fixture; `Err` says what is wrong.
fn check(path: &Path) -> Result<&'static str, String> {
    let bytes = std::fs::read(path).unwrap();
    let theirs = calamine(&bytes);
    let ours = catch_unwind(AssertUnwindSafe(|| {
        workbook::open_bytes_with("f", bytes.clone(), &wide())
    }))
    .map_err(|_| "tianbao panicked".to_string())?;
    let default = catch_unwind(AssertUnwindSafe(|| {
        workbook::open_bytes("f", bytes.clone())
    }))
    .map_err(|_| "tianbao panicked under the default limits".to_string())?;
    if let Err(e) = &default
        && !matches!(e, OpenError::TooLarge { .. })
        && ours.is_ok()
    {
        return Err(format!("under the default limits: {e}"));
    }
    match (theirs, ours) {
        (_, Err(OpenError::NotASpreadsheet { kind, .. })) if is_xlsb(&bytes) => {
            assert_eq!(kind, workbook::FileKind::Xlsb);
            Ok("xlsb, not read")
        }
        (Calamine::Read(names, cells), Ok(book)) => {
            let (our_names, our_cells) = tianbao_cells(&book);
            if names != our_names {
                return Err(format!("sheets: calamine {names:?}, tianbao {our_names:?}"));
            }
            let diff = differences(&cells, &our_cells);
            if !diff.is_empty() {
                return Err(format!("values differ: {diff:#?}"));
            }
            Ok("same")
        }
        (Calamine::Read(..), Err(e)) => Err(format!("calamine reads it, tianbao: {e}")),
        (Calamine::Password, Err(OpenError::Encrypted { .. })) => Ok("encrypted"),
        (Calamine::Password, other) => Err(format!("encrypted, tianbao: {other:?}")),
        (Calamine::Failed(theirs), Err(e)) => {
            eprintln!("  calamine: {theirs}\n  tianbao: {e}");
            Ok("both refuse")
        }
        (Calamine::Panicked, Err(_)) => Ok("calamine panics, tianbao refuses"),
        (Calamine::Failed(e), Ok(_)) => Err(format!("calamine fails ({e}), tianbao opens it")),
        (Calamine::Panicked, Ok(_)) => Ok("calamine panics, tianbao opens it"),
    }
}

#[test]
fn every_real_world_workbook_calamine_reads_opens_with_the_same_values() {
    let mut failures = Vec::new();
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    for path in fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match check(&path) {
            Ok(kind) => {
                if kind != "same" {
                    eprintln!("{name}: {kind}");
                }
                *tally.entry(kind).or_default() += 1
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    eprintln!("{tally:?}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn open_fixture(name: &str) -> Result<workbook::Workbook, OpenError> {
    workbook::open(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/realworld")
            .join(name),
    )
}

/// The reported bug: the compound file the preflight writes for calamine was a version-4 file
/// whose root entry had no mini stream when the workbook kept no small stream, and calamine
/// refused it as "Empty Root directory".
#[test]
fn xls_rebuilt_compound_file_is_readable_by_calamine() {
    // Every .xls of the suite but the two calamine cannot read either and the encrypted one
    // (17 of these were refused before the fix).
    let refused = ["OOM_alloc3.xls", "too_small.xls", "issue_385.xls"];
    let reported: Vec<String> = fixtures()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xls") && !refused.contains(&n.as_str()))
        .collect();
    assert!(reported.len() >= 30, "{reported:?}");
    for name in &reported {
        if let Err(e) = open_fixture(name) {
            panic!("{name}: {e}");
        }
    }
}

#[test]
fn encrypted_workbooks_are_named_encrypted() {
    // issue_385.xls: RC4 (FILEPASS); the others: encrypted packages and an encrypted .ods.
    for name in [
        "issue_385.xls",
        "pass_protected.xlsx",
        "pass_protected.xlsb",
        "pass_protected.ods",
    ] {
        match open_fixture(name) {
            Err(OpenError::Encrypted { .. }) => {}
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn xlsb_is_named_as_such_not_damaged() {
    match open_fixture("issues.xlsb") {
        Err(e @ OpenError::NotASpreadsheet { .. }) => {
            assert!(e.to_string().contains("(.xlsb)"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

/// The one fixture with a hidden row: an Excel file whose row 20 is `<row r="20" hidden="1"/>`,
/// past its content (so the iterator over the content's rows does not list it).
#[test]
fn an_excel_hidden_row_is_read() {
    let book = open_fixture("errors.xlsx").unwrap();
    let sheet = book.sheet("Feuil1").unwrap();
    assert!(sheet.is_row_hidden(19));
    assert!(!sheet.is_row_hidden(18) && !sheet.is_row_hidden(20));
    assert_eq!(sheet.grid.hidden_row_spans().ranges(), &[(19, 19)]);
}

/// What a person does to protect a file: LibreOffice saves it with a password as .xls (RC4)
/// and .ods.
#[test]
#[cfg_attr(
    not(tianbao_interop),
    ignore = "LibreOffice interop: set TIANBAO_INTEROP=1"
)]
fn libreoffice_encrypted_xls_and_ods_are_encrypted() {
    common::require_libreoffice();
    let dir = tempfile::tempdir().unwrap();
    let out_base = dir.path().join("locked");
    let status = std::process::Command::new("/usr/bin/python3")
        .arg(common::repo().join("tests/scripts/lo_encrypt.py"))
        .arg(common::repo().join("tests/fixtures/master.ods"))
        .arg(&out_base)
        .arg("secret")
        .status()
        .expect("/usr/bin/python3 (Debian, with python3-uno) runs");
    assert!(status.success());
    for ext in ["xls", "ods"] {
        let path = out_base.with_extension(ext);
        match workbook::open(&path) {
            Err(OpenError::Encrypted { .. }) => {}
            other => panic!("{ext}: {other:?}"),
        }
    }
}
