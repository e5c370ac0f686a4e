//! Opening spreadsheet files of any supported format into plain grids.
//!
//! This module owns everything between "some bytes that claim to be a workbook" and a
//! [`Workbook`]: format detection by content (never by file extension), calamine's typed
//! readers, containment of reader panics, and the conversion of every sheet into a
//! [`Grid`] addressed by absolute 0-based positions together with its merged regions.
//! Nothing here knows what a master table or a return is.

use std::collections::HashMap;
use std::fmt;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use calamine::{Data, Ods, Reader, SheetVisible, Xls, Xlsx};

/// The container formats tianbao reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Office Open XML (.xlsx, .xlsm), a zip archive.
    Xlsx,
    /// Legacy Excel 97-2003 (.xls), a compound file.
    Xls,
    /// OpenDocument spreadsheet (.ods), a zip archive.
    Ods,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
        })
    }
}

/// Why a file could not be opened as a workbook.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a spreadsheet ({looks_like}); save it as .xlsx, .xls or .ods")]
    NotASpreadsheet { path: String, looks_like: String },
    #[error(
        "{path} is password-protected; remove the password (save a copy without it) and try again"
    )]
    Encrypted { path: String },
    #[error(
        "{path} is damaged or truncated ({format}: {detail}); ask for the file again or re-save it"
    )]
    Damaged {
        path: String,
        format: Format,
        detail: String,
    },
}

/// One cell's value, reduced to what tianbao distinguishes.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date or time, as an ISO 8601 text (`2023-12-31`, `2023-12-31T08:00:00`).
    DateTime(String),
    /// A cell error such as `#N/A`.
    Error(String),
}

impl Value {
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as display text: numbers in their shortest exact form (`1.5`, `2`).
    pub fn to_text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.clone(),
            Value::Number(n) => format_number(*n),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Value::DateTime(s) | Value::Error(s) => s.clone(),
        }
    }
}

/// Shortest text that reads back as the same `f64`; whole numbers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A rectangular region, 0-based and inclusive at both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rect {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

impl Rect {
    pub fn contains(&self, row: u32, col: u32) -> bool {
        (self.first_row..=self.last_row).contains(&row)
            && (self.first_col..=self.last_col).contains(&col)
    }
}

/// A sheet's cells by absolute position, plus its merged regions where the format records them.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    rows: Vec<Vec<Value>>,
    /// `None` when the format does not let us read merges (.ods through calamine).
    merges: Option<Vec<Rect>>,
    /// For each cell inside a merged region other than its top-left: that top-left.
    merge_origin: HashMap<(u32, u32), (u32, u32)>,
}

impl Grid {
    pub fn new(rows: Vec<Vec<Value>>, merges: Option<Vec<Rect>>) -> Grid {
        let mut merge_origin = HashMap::new();
        for rect in merges.iter().flatten() {
            // Guard against absurd regions in hostile files: only cells that exist matter.
            let last_row = rect.last_row.min(rows.len() as u32);
            for row in rect.first_row..=last_row {
                let width = rows.get(row as usize).map_or(0, |r| r.len() as u32);
                let last_col = rect.last_col.min(width.max(rect.first_col));
                for col in rect.first_col..=last_col {
                    if (row, col) != (rect.first_row, rect.first_col) {
                        merge_origin.insert((row, col), (rect.first_row, rect.first_col));
                    }
                }
            }
        }
        Grid {
            rows,
            merges,
            merge_origin,
        }
    }

    pub fn height(&self) -> u32 {
        self.rows.len() as u32
    }

    pub fn width(&self) -> u32 {
        self.rows.iter().map(|r| r.len()).max().unwrap_or(0) as u32
    }

    /// The value stored in the cell itself (empty for the hidden part of a merge).
    pub fn raw(&self, row: u32, col: u32) -> &Value {
        static EMPTY: Value = Value::Empty;
        self.rows
            .get(row as usize)
            .and_then(|r| r.get(col as usize))
            .unwrap_or(&EMPTY)
    }

    /// The value a reader sees: a cell inside a merged region shows the region's value.
    pub fn spread(&self, row: u32, col: u32) -> &Value {
        match self.merge_origin.get(&(row, col)) {
            Some(&(r, c)) => self.raw(r, c),
            None => self.raw(row, col),
        }
    }

    /// Where the value shown at (row, col) is stored: the merge's top-left, or the cell itself.
    pub fn origin(&self, row: u32, col: u32) -> (u32, u32) {
        self.merge_origin
            .get(&(row, col))
            .copied()
            .unwrap_or((row, col))
    }

    /// Whether merged regions are known for this sheet.
    pub fn merges_known(&self) -> bool {
        self.merges.is_some()
    }

    pub fn merges(&self) -> &[Rect] {
        self.merges.as_deref().unwrap_or(&[])
    }
}

/// Whether a sheet is shown to the person who opens the workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Visible,
    Hidden,
    VeryHidden,
}

#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub visibility: Visibility,
    pub grid: Grid,
    /// Cells (0-based row, col) that hold a formula.
    pub formulas: std::collections::HashSet<(u32, u32)>,
}

/// A whole workbook as read: every sheet, and the custom document properties.
#[derive(Debug, Clone)]
pub struct Workbook {
    pub format: Format,
    pub sheets: Vec<Sheet>,
    pub custom_properties: HashMap<String, String>,
}

impl Workbook {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name == name)
    }
}

/// Opens the file at `path`, detecting its format from its content.
pub fn open(path: &Path) -> Result<Workbook, OpenError> {
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| OpenError::Io {
        path: display.clone(),
        source,
    })?;
    open_bytes(&display, bytes)
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// What the first bytes of a file say it is.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(ZIP_MAGIC) {
        // ODF puts an uncompressed `mimetype` member first; search the first KiB to be lenient.
        let head = &bytes[..bytes.len().min(1024)];
        if head.windows(ODS_MIMETYPE.len()).any(|w| w == ODS_MIMETYPE) {
            Some(Format::Ods)
        } else {
            Some(Format::Xlsx)
        }
    } else if bytes.starts_with(CFB_MAGIC) {
        Some(Format::Xls)
    } else {
        None
    }
}

/// Describes bytes that are not a spreadsheet, so the message can say what they are instead.
fn looks_like(bytes: &[u8]) -> String {
    let head: Vec<u8> = bytes.iter().take(512).copied().collect();
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    if bytes.is_empty() {
        "the file is empty".into()
    } else if bytes.starts_with(b"%PDF") {
        "a PDF document".into()
    } else if text.contains("<html") || text.contains("<!doctype html") {
        "a web page (HTML)".into()
    } else if bytes.starts_with(b"Rar!") || bytes.starts_with(b"7z\xBC\xAF") {
        "a RAR or 7z archive; unpack it first".into()
    } else if std::str::from_utf8(&head).is_ok() {
        "plain text, e.g. CSV".into()
    } else {
        "unknown binary content".into()
    }
}

/// UTF-16LE "EncryptedPackage": the stream an encrypted OOXML file keeps in its compound file.
fn has_encrypted_package(bytes: &[u8]) -> bool {
    let needle: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// Opens workbook bytes; `path` is only used in messages.
pub fn open_bytes(path: &str, bytes: Vec<u8>) -> Result<Workbook, OpenError> {
    let Some(format) = sniff(&bytes) else {
        return Err(OpenError::NotASpreadsheet {
            path: path.to_string(),
            looks_like: looks_like(&bytes),
        });
    };
    if format == Format::Xls && has_encrypted_package(&bytes) {
        return Err(OpenError::Encrypted {
            path: path.to_string(),
        });
    }
    // calamine has panicked on malformed files (calamine#481): a bad file must become an
    // error, never take the process down.
    let result = catch_unwind(AssertUnwindSafe(|| read_all(format, bytes)));
    let damaged = |detail: String| OpenError::Damaged {
        path: path.to_string(),
        format,
        detail,
    };
    match result {
        Ok(Ok(workbook)) => Ok(workbook),
        Ok(Err(ReadFailure::Password)) => Err(OpenError::Encrypted {
            path: path.to_string(),
        }),
        Ok(Err(ReadFailure::Other(detail))) => Err(damaged(detail)),
        Err(_) => Err(damaged("the reader failed on malformed content".into())),
    }
}

enum ReadFailure {
    Password,
    Other(String),
}

fn read_all(format: Format, bytes: Vec<u8>) -> Result<Workbook, ReadFailure> {
    let cursor = Cursor::new(bytes);
    match format {
        Format::Xlsx => {
            let book = Xlsx::new(cursor).map_err(|e| match e {
                calamine::XlsxError::Password => ReadFailure::Password,
                other => ReadFailure::Other(other.to_string()),
            })?;
            read_book(
                format,
                book,
                |book, name| {
                    book.merge_cells_by_sheet_name(name)
                        .map(|m| Some(rects(&m)))
                        .map_err(|e| e.to_string())
                },
                |b| {
                    b.workbook_properties()
                        .map(|p| p.custom_properties)
                        .unwrap_or_default()
                },
            )
        }
        Format::Xls => {
            let book = Xls::new(cursor).map_err(|e| match e {
                calamine::XlsError::Password => ReadFailure::Password,
                other => ReadFailure::Other(other.to_string()),
            })?;
            read_book(
                format,
                book,
                |book, name| {
                    book.merge_cells_by_sheet_name(name)
                        .map(|m| Some(rects(&m)))
                        .map_err(|e| e.to_string())
                },
                |b| {
                    b.workbook_properties()
                        .map(|p| p.custom_properties)
                        .unwrap_or_default()
                },
            )
        }
        Format::Ods => {
            let book = Ods::new(cursor).map_err(|e| match e {
                calamine::OdsError::Password => ReadFailure::Password,
                other => ReadFailure::Other(other.to_string()),
            })?;
            // calamine does not read merges from .ods.
            read_book(
                format,
                book,
                |_, _| Ok(None),
                |b| {
                    b.workbook_properties()
                        .map(|p| p.custom_properties)
                        .unwrap_or_default()
                },
            )
        }
    }
}

/// Reads every worksheet (values, formula cells, merges) and the custom properties.
fn read_book<R, F>(
    format: Format,
    mut book: R,
    merges_of: F,
    custom_properties: fn(&mut R) -> HashMap<String, String>,
) -> Result<Workbook, ReadFailure>
where
    R: Reader<Cursor<Vec<u8>>>,
    R::Error: std::fmt::Display,
    F: Fn(&mut R, &str) -> Result<Option<Vec<Rect>>, String>,
{
    let metas = book.sheets_metadata().to_vec();
    let mut sheets = Vec::with_capacity(metas.len());
    for meta in metas {
        if meta.typ != calamine::SheetType::WorkSheet {
            continue;
        }
        let failure = |e: String| ReadFailure::Other(format!("sheet {}: {e}", meta.name));
        let range = book
            .worksheet_range(&meta.name)
            .map_err(|e| failure(e.to_string()))?;
        let merges = merges_of(&mut book, &meta.name).map_err(failure)?;
        // Formulas are only needed to flag them; a sheet whose formulas cannot be read still
        // has its values.
        let formulas = book
            .worksheet_formula(&meta.name)
            .map(|f| {
                f.used_cells()
                    .filter(|(_, _, text)| !text.is_empty())
                    .map(|(r, c, _)| (r as u32, c as u32))
                    .map(|(r, c)| {
                        let (r0, c0) = f.start().unwrap_or((0, 0));
                        (r0 + r, c0 + c)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut sheet = sheet_from(&meta, &range, merges);
        sheet.formulas = formulas;
        sheets.push(sheet);
    }
    Ok(Workbook {
        format,
        sheets,
        custom_properties: custom_properties(&mut book),
    })
}

fn rects(dims: &[calamine::Dimensions]) -> Vec<Rect> {
    dims.iter()
        .map(|d| Rect {
            first_row: d.start.0,
            first_col: d.start.1,
            last_row: d.end.0,
            last_col: d.end.1,
        })
        .collect()
}

fn sheet_from(
    meta: &calamine::Sheet,
    range: &calamine::Range<Data>,
    merges: Option<Vec<Rect>>,
) -> Sheet {
    let visibility = match meta.visible {
        SheetVisible::Visible => Visibility::Visible,
        SheetVisible::Hidden => Visibility::Hidden,
        SheetVisible::VeryHidden => Visibility::VeryHidden,
    };
    let mut rows: Vec<Vec<Value>> = Vec::new();
    if let Some((first_row, first_col)) = range.start() {
        for (r, row) in range.rows().enumerate() {
            let abs_row = first_row as usize + r;
            if rows.len() <= abs_row {
                rows.resize_with(abs_row + 1, Vec::new);
            }
            let mut cells = vec![Value::Empty; first_col as usize];
            cells.extend(row.iter().map(value_from));
            while cells.last().is_some_and(Value::is_empty) {
                cells.pop();
            }
            rows[abs_row] = cells;
        }
    }
    Sheet {
        name: meta.name.clone(),
        visibility,
        grid: Grid::new(rows, merges),
        formulas: Default::default(),
    }
}

fn value_from(data: &Data) -> Value {
    match data {
        Data::Empty => Value::Empty,
        Data::String(s) => Value::Text(s.replace("\r\n", "\n").replace('\r', "\n")),
        Data::Float(f) => Value::Number(*f),
        Data::Int(i) => Value::Number(*i as f64),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            Value::DateTime(if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
            })
        }
        Data::DateTime(dt) => Value::Number(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Value::DateTime(s.clone()),
        Data::Error(e) => Value::Error(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_tells_formats_by_content() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Format::Xlsx));
        let mut ods = b"PK\x03\x04".to_vec();
        ods.extend_from_slice(&[0; 26]);
        ods.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet");
        assert_eq!(sniff(&ods), Some(Format::Ods));
        assert_eq!(sniff(CFB_MAGIC), Some(Format::Xls));
        assert_eq!(sniff(b"a,b,c\n"), None);
    }

    #[test]
    fn not_a_spreadsheet_says_what_it_is() {
        let err = open_bytes("x.xlsx", b"%PDF-1.7".to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.xlsx is not a spreadsheet (a PDF document); save it as .xlsx, .xls or .ods"
        );
        let err = open_bytes("e.xlsx", Vec::new()).unwrap_err();
        assert!(err.to_string().contains("the file is empty"), "{err}");
    }

    #[test]
    fn truncated_zip_is_damaged_not_a_panic() {
        let err = open_bytes("t.xlsx", b"PK\x03\x04\x14\x00\x00".to_vec()).unwrap_err();
        assert!(matches!(err, OpenError::Damaged { .. }), "{err}");
    }

    #[test]
    fn numbers_format_shortest() {
        assert_eq!(format_number(2.0), "2");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn spread_fills_merged_cells() {
        let rows = vec![
            vec![Value::Text("a".into()), Value::Empty],
            vec![Value::Empty, Value::Empty],
        ];
        let grid = Grid::new(
            rows,
            Some(vec![Rect {
                first_row: 0,
                first_col: 0,
                last_row: 1,
                last_col: 0,
            }]),
        );
        assert_eq!(grid.spread(1, 0), &Value::Text("a".into()));
        assert_eq!(grid.raw(1, 0), &Value::Empty);
        assert_eq!(grid.origin(1, 0), (0, 0));
    }
}
