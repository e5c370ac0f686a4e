//! Opening spreadsheet files of any supported format into plain grids.
//!
//! This module owns everything between "some bytes that claim to be a workbook" and a
//! [`Workbook`]: format detection by content (never by file extension), calamine's typed
//! readers, containment of reader panics, and the conversion of every sheet into a
//! [`Grid`] addressed by absolute 0-based positions together with its merged regions and its
//! hidden rows and columns (read from the files themselves where calamine does not expose them:
//! `ods_shape`, `xls_shape`, `xlsx_shape`).
//! Nothing here knows what a master table or a return is.
//!
//! Every file is read under [`ReadLimits`]: what could make the reader allocate without bound
//! is checked before it parses ([`preflight`]), and rows, columns and cell text are checked as
//! cells are read. Over a limit is [`OpenError::TooLarge`], never a crash.

mod biff;
pub mod macros;
mod ods_shape;
mod preflight;
mod spans;
mod xls_shape;
mod xlsx_shape;

pub use spans::{Hidden, Spans};

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
    #[error("{path} is not a spreadsheet ({kind}); save it as .xlsx, .xls or .ods")]
    NotASpreadsheet { path: String, kind: FileKind },
    #[error(
        "{path} is password-protected; remove the password (save a copy without it) and try again"
    )]
    Encrypted { path: String },
    #[error(
        "{path} is too large to read: {detail}; remove what does not belong in it, or raise the \
         limit under [limits] in tianbao.toml"
    )]
    TooLarge { path: String, detail: String },
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

/// A1 notation of a 0-based (row, col).
pub fn a1(row: u32, col: u32) -> String {
    let mut name = String::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        name.insert(0, (b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{name}{}", row + 1)
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

/// A sheet's cells by absolute position, plus its merged regions where the format records them
/// and the rows and columns it hides.
///
/// Only cells that hold something are stored (each row sorted by column), so memory follows
/// the content and not the extent: a value far down and to the right costs one cell.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    rows: Vec<Vec<(u32, Value)>>,
    height: u32,
    width: u32,
    /// `None` when the format does not let us read merges (.ods through calamine).
    merges: Option<Vec<Rect>>,
    /// For each row, the merged regions (indexes into `merges`) that cover it.
    merged_rows: HashMap<u32, Vec<u32>>,
    /// Rows and columns a person opening the file does not see.
    hidden_rows: Spans,
    hidden_cols: Spans,
}

/// How many (row, region) pairs the merge index holds at most: real sheets need a fraction of
/// this; overlapping regions in a hostile file stop here instead of growing without bound.
const MERGE_INDEX_BUDGET: usize = 4_000_000;

impl Grid {
    /// A grid from rows of values, the first row being row 0.
    pub fn new(rows: Vec<Vec<Value>>, merges: Option<Vec<Rect>>) -> Grid {
        let height = rows.len() as u32;
        let cells = rows
            .into_iter()
            .enumerate()
            .flat_map(|(r, row)| {
                row.into_iter()
                    .enumerate()
                    .map(move |(c, v)| (r as u32, c as u32, v))
            })
            .collect();
        let mut grid = Grid::from_cells(cells, merges);
        grid.height = grid.height.max(height);
        grid
    }

    /// A grid from (row, col, value) in any order; a later value for a cell replaces an earlier.
    pub fn from_cells(cells: Vec<(u32, u32, Value)>, merges: Option<Vec<Rect>>) -> Grid {
        let mut rows: Vec<Vec<(u32, Value)>> = Vec::new();
        for (r, c, v) in cells {
            if v == Value::Empty {
                continue;
            }
            let r = r as usize;
            if rows.len() <= r {
                rows.resize_with(r + 1, Vec::new);
            }
            rows[r].push((c, v));
        }
        let mut width = 0;
        for row in &mut rows {
            // Stable: of two values for one cell the later stays.
            row.sort_by_key(|(c, _)| *c);
            let mut deduped: Vec<(u32, Value)> = Vec::with_capacity(row.len());
            for (c, v) in row.drain(..) {
                match deduped.last_mut() {
                    Some(last) if last.0 == c => *last = (c, v),
                    _ => deduped.push((c, v)),
                }
            }
            // As a reader sees it: blank text at the end of a row is nothing.
            while deduped.last().is_some_and(|(_, v)| v.is_empty()) {
                deduped.pop();
            }
            *row = deduped;
            if let Some((c, _)) = row.last() {
                width = width.max(c + 1);
            }
        }
        let height = rows.len() as u32;
        let mut merged_rows: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut budget = MERGE_INDEX_BUDGET;
        for (i, rect) in merges.iter().flatten().enumerate() {
            // Only regions of more than one cell that start inside the content matter.
            if rect.last_row < rect.first_row
                || rect.last_col < rect.first_col
                || (rect.first_row == rect.last_row && rect.first_col == rect.last_col)
                || rect.first_row >= height.max(1)
                || rect.first_col >= width.max(1)
            {
                continue;
            }
            // Rows past the content are never asked for; one past it is kept, as before.
            let last = rect.last_row.min(height.max(rect.first_row));
            let span = (last - rect.first_row) as usize + 1;
            if span > budget {
                break;
            }
            budget -= span;
            for row in rect.first_row..=last {
                merged_rows.entry(row).or_default().push(i as u32);
            }
        }
        Grid {
            rows,
            height,
            width,
            merges,
            merged_rows,
            hidden_rows: Spans::default(),
            hidden_cols: Spans::default(),
        }
    }

    /// The same grid with these rows and columns hidden.
    pub fn with_hidden(mut self, rows: Spans, cols: Spans) -> Grid {
        self.hidden_rows = rows;
        self.hidden_cols = cols;
        self
    }

    pub fn is_row_hidden(&self, row: u32) -> bool {
        self.hidden_rows.contains(row)
    }

    pub fn is_col_hidden(&self, col: u32) -> bool {
        self.hidden_cols.contains(col)
    }

    /// Hidden rows as ranges, including any past the content.
    pub fn hidden_row_spans(&self) -> &Spans {
        &self.hidden_rows
    }

    /// Hidden columns as ranges, including any past the content.
    pub fn hidden_col_spans(&self) -> &Spans {
        &self.hidden_cols
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    /// The value stored in the cell itself (empty for the hidden part of a merge).
    pub fn raw(&self, row: u32, col: u32) -> &Value {
        static EMPTY: Value = Value::Empty;
        match self.rows.get(row as usize) {
            Some(cells) => match cells.binary_search_by_key(&col, |(c, _)| *c) {
                Ok(i) => &cells[i].1,
                Err(_) => &EMPTY,
            },
            None => &EMPTY,
        }
    }

    /// The value a reader sees: a cell inside a merged region shows the region's value.
    pub fn spread(&self, row: u32, col: u32) -> &Value {
        let (r, c) = self.origin(row, col);
        self.raw(r, c)
    }

    /// Where the value shown at (row, col) is stored: the merge's top-left, or the cell itself.
    pub fn origin(&self, row: u32, col: u32) -> (u32, u32) {
        let (Some(regions), Some(merges)) = (self.merged_rows.get(&row), &self.merges) else {
            return (row, col);
        };
        regions
            .iter()
            .map(|&i| merges[i as usize])
            .find(|rect| rect.contains(row, col))
            .map_or((row, col), |rect| (rect.first_row, rect.first_col))
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
    /// Cells (0-based row, col) that hold a formula, with its text (at most 200 characters;
    /// empty where the format does not give it, e.g. a cell of a shared formula).
    pub formulas: HashMap<(u32, u32), String>,
}

impl Sheet {
    /// Whether a person opening the file does not see this row (0-based).
    pub fn is_row_hidden(&self, row: u32) -> bool {
        self.grid.is_row_hidden(row)
    }

    /// Whether a person opening the file does not see this column (0-based).
    pub fn is_col_hidden(&self, col: u32) -> bool {
        self.grid.is_col_hidden(col)
    }

    /// The hidden rows within the content's height, in order.
    pub fn hidden_rows(&self) -> impl Iterator<Item = u32> + '_ {
        self.grid.hidden_rows.below(self.grid.height())
    }

    /// The hidden columns within the content's width, in order.
    pub fn hidden_cols(&self) -> impl Iterator<Item = u32> + '_ {
        self.grid.hidden_cols.below(self.grid.width())
    }
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

/// Limits on what is read from one workbook (tianbao.toml's `[limits]` sets them for a
/// campaign).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest member of a zip-based workbook (.xlsx, .ods) once unpacked, in bytes.
    pub max_part_bytes: u64,
    /// Largest total of a zip-based workbook's members once unpacked, in bytes.
    pub max_total_bytes: u64,
    /// Rows per sheet: a value in a row past this is refused.
    pub max_rows: u32,
    /// Columns per sheet: a value in a column past this is refused.
    pub max_cols: u32,
    /// Characters in one cell (Excel's own limit is 32,767).
    pub max_cell_chars: usize,
    /// Whether to read merged regions. Masters need them; returns do not, and reading them
    /// costs a second pass over each sheet of an .xlsx or .xls.
    pub read_merges: bool,
    /// Whether to read which rows and columns are hidden (for .xlsx a quick second look at
    /// each sheet read; for .xls and .ods it comes with what is read anyway).
    pub read_hidden: bool,
    /// Read only these sheets (of an .xlsx) when the workbook has them all, the first is
    /// visible and no other sheet is hidden; otherwise, e.g. when one was renamed or hidden,
    /// every sheet. `None`: every sheet.
    pub only_sheets: Option<Vec<String>>,
}

impl Default for ReadLimits {
    fn default() -> ReadLimits {
        ReadLimits {
            max_part_bytes: 50 * 1024 * 1024,
            max_total_bytes: 512 * 1024 * 1024,
            max_rows: 100_000,
            max_cols: 256,
            max_cell_chars: 32_767,
            read_merges: true,
            read_hidden: true,
            only_sheets: None,
        }
    }
}

impl ReadLimits {
    /// Each limit the larger of the two.
    pub fn at_least(self, other: ReadLimits) -> ReadLimits {
        ReadLimits {
            max_part_bytes: self.max_part_bytes.max(other.max_part_bytes),
            max_total_bytes: self.max_total_bytes.max(other.max_total_bytes),
            max_rows: self.max_rows.max(other.max_rows),
            max_cols: self.max_cols.max(other.max_cols),
            max_cell_chars: self.max_cell_chars.max(other.max_cell_chars),
            read_merges: self.read_merges || other.read_merges,
            read_hidden: self.read_hidden || other.read_hidden,
            only_sheets: match (self.only_sheets, other.only_sheets) {
                (Some(a), Some(b)) if a == b => Some(a),
                _ => None,
            },
        }
    }
}

/// Opens the file at `path`, detecting its format from its content.
pub fn open(path: &Path) -> Result<Workbook, OpenError> {
    open_with(path, &ReadLimits::default())
}

/// As [`open`], under `limits`.
pub fn open_with(path: &Path, limits: &ReadLimits) -> Result<Workbook, OpenError> {
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| OpenError::Io {
        path: display.clone(),
        source,
    })?;
    open_bytes_with(&display, bytes, limits)
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
/// What a file that is not a spreadsheet is, as far as its first bytes (and, for a zip, its
/// parts) tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Empty,
    Pdf,
    Html,
    /// A RAR or 7z archive.
    Archive,
    Text,
    /// A Word document (.docx).
    Docx,
    /// A PowerPoint presentation (.pptx).
    Pptx,
    /// An Excel binary workbook (.xlsb), which tianbao does not read.
    Xlsb,
    /// A zip archive that holds no workbook.
    Zip,
    Unknown,
}

impl FileKind {
    /// The key of its name in a spec's `[words]`.
    pub fn word(self) -> String {
        format!(
            "kind.{}",
            serde_json::to_value(self)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        )
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Empty => "the file is empty",
            FileKind::Pdf => "a PDF document",
            FileKind::Html => "a web page (HTML)",
            FileKind::Archive => "a RAR or 7z archive; unpack it first",
            FileKind::Text => "plain text, e.g. CSV",
            FileKind::Docx => "a Word document (.docx)",
            FileKind::Pptx => "a PowerPoint presentation (.pptx)",
            FileKind::Xlsb => "an Excel binary workbook (.xlsb), which tianbao does not read",
            FileKind::Zip => "a zip archive holding no workbook",
            FileKind::Unknown => "unknown binary content",
        })
    }
}

fn looks_like(bytes: &[u8]) -> FileKind {
    let head: Vec<u8> = bytes.iter().take(512).copied().collect();
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    if bytes.is_empty() {
        FileKind::Empty
    } else if bytes.starts_with(b"%PDF") {
        FileKind::Pdf
    } else if text.contains("<html") || text.contains("<!doctype html") {
        FileKind::Html
    } else if bytes.starts_with(b"Rar!") || bytes.starts_with(b"7z\xBC\xAF") {
        FileKind::Archive
    } else if std::str::from_utf8(&head).is_ok() {
        FileKind::Text
    } else {
        FileKind::Unknown
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
    open_bytes_with(path, bytes, &ReadLimits::default())
}

/// As [`open_bytes`], under `limits`.
pub fn open_bytes_with(
    path: &str,
    bytes: Vec<u8>,
    limits: &ReadLimits,
) -> Result<Workbook, OpenError> {
    let Some(format) = sniff(&bytes) else {
        return Err(OpenError::NotASpreadsheet {
            path: path.to_string(),
            kind: looks_like(&bytes),
        });
    };
    if format == Format::Xls && has_encrypted_package(&bytes) {
        return Err(OpenError::Encrypted {
            path: path.to_string(),
        });
    }
    // calamine has panicked on malformed files (calamine#481): a bad file must become an
    // error, never take the process down.
    let result = catch_unwind(AssertUnwindSafe(|| read_all(format, bytes, limits)));
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
        Ok(Err(ReadFailure::TooLarge(detail))) => Err(OpenError::TooLarge {
            path: path.to_string(),
            detail,
        }),
        Ok(Err(ReadFailure::Other(detail))) => Err(damaged(one_line(&detail))),
        Ok(Err(ReadFailure::Unsupported(kind))) => Err(OpenError::NotASpreadsheet {
            path: path.to_string(),
            kind,
        }),
        Err(_) => Err(damaged("the reader failed on malformed content".into())),
    }
}

/// A reader's message on one line, and not endless.
fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 300 {
        line.chars().take(300).chain(['…']).collect()
    } else {
        line
    }
}

enum ReadFailure {
    Password,
    Unsupported(FileKind),
    TooLarge(String),
    Other(String),
}

impl From<preflight::Refusal> for ReadFailure {
    fn from(refusal: preflight::Refusal) -> ReadFailure {
        match refusal {
            preflight::Refusal::TooLarge(detail) => ReadFailure::TooLarge(detail),
            preflight::Refusal::Damaged(detail) => ReadFailure::Other(detail),
            preflight::Refusal::Encrypted => ReadFailure::Password,
            preflight::Refusal::Unsupported(what) => ReadFailure::Unsupported(what),
        }
    }
}

fn read_all(format: Format, bytes: Vec<u8>, limits: &ReadLimits) -> Result<Workbook, ReadFailure> {
    match format {
        Format::Xlsx => read_xlsx_file(bytes, limits),
        Format::Xls => read_xls_file(bytes, limits),
        Format::Ods => read_ods_file(bytes, limits),
    }
}

fn read_xlsx_file(bytes: Vec<u8>, limits: &ReadLimits) -> Result<Workbook, ReadFailure> {
    let mut zip = preflight::zip_parts(&bytes, limits)?;
    let hidden = if limits.read_hidden {
        xlsx_shape::hidden(&mut zip, limits, limits.only_sheets.as_deref())
    } else {
        HashMap::new()
    };
    drop(zip);
    let book = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => ReadFailure::Password,
        other => ReadFailure::Other(other.to_string()),
    })?;
    read_xlsx(book, limits, hidden)
}

fn read_xls_file(bytes: Vec<u8>, limits: &ReadLimits) -> Result<Workbook, ReadFailure> {
    let (rebuilt, hidden) = preflight::xls_rebuilt(&bytes, limits)?;
    drop(bytes);
    let book = Xls::new(Cursor::new(rebuilt)).map_err(|e| match e {
        calamine::XlsError::Password => ReadFailure::Password,
        other => ReadFailure::Other(other.to_string()),
    })?;
    let (mut workbook, mut book) = read_book(Format::Xls, book, limits, |book, index, name| {
        let merges = if limits.read_merges {
            let merges = book.merge_cells_by_sheet_name(name);
            Some(rects(&merges.map_err(|e| e.to_string())?))
        } else {
            None
        };
        let hidden = hidden.get(index).cloned().unwrap_or_default();
        Ok(Shape { merges, hidden })
    })?;
    workbook.custom_properties = book
        .workbook_properties()
        .map(|p| p.custom_properties)
        .unwrap_or_default();
    Ok(workbook)
}

fn read_ods_file(bytes: Vec<u8>, limits: &ReadLimits) -> Result<Workbook, ReadFailure> {
    preflight::zip_parts(&bytes, limits)?;
    preflight::ods_extent(&bytes, limits)?;
    // calamine does not expose .ods merges or hidden rows: they are read from content.xml.
    let mut shapes = (limits.read_merges || limits.read_hidden)
        .then(|| ods_shape::shapes(&bytes, limits))
        .flatten();
    let book = Ods::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::OdsError::Password => ReadFailure::Password,
        other => ReadFailure::Other(other.to_string()),
    })?;
    let (mut workbook, book) = read_book(Format::Ods, book, limits, |_, _, name| {
        let Some(shapes) = shapes.as_mut() else {
            return Ok(Shape::default()); // content.xml unreadable to its end: merges unknown
        };
        let layout = shapes.remove(name).unwrap_or_default();
        Ok(Shape {
            merges: limits.read_merges.then_some(layout.merges),
            hidden: layout.hidden,
        })
    })?;
    workbook.custom_properties = book
        .workbook_properties()
        .map(|p| p.custom_properties)
        .unwrap_or_default();
    Ok(workbook)
}

/// What a sheet shows besides its cells: its merged regions (`None`: not known) and its hidden
/// rows and columns.
#[derive(Debug, Default)]
struct Shape {
    merges: Option<Vec<Rect>>,
    hidden: Hidden,
}

/// Cells as read, by absolute 0-based position, checked against the limits as they come.
struct Cells<'l> {
    sheet: String,
    limits: &'l ReadLimits,
    values: Vec<(u32, u32, Value)>,
    formulas: HashMap<(u32, u32), String>,
}

impl<'l> Cells<'l> {
    fn new(sheet: &str, limits: &'l ReadLimits) -> Cells<'l> {
        Cells {
            sheet: sheet.to_string(),
            limits,
            values: Vec::new(),
            formulas: Default::default(),
        }
    }

    fn within(&self, row: u32, col: u32) -> Result<(), ReadFailure> {
        if row >= self.limits.max_rows || col >= self.limits.max_cols {
            let (what, limit, key) = if row >= self.limits.max_rows {
                ("rows", self.limits.max_rows, "limits.max_rows")
            } else {
                ("columns", self.limits.max_cols, "limits.max_cols")
            };
            return Err(ReadFailure::TooLarge(format!(
                "sheet \"{}\" has a value at {}, past the limit of {limit} {what} ({key})",
                self.sheet,
                a1(row, col)
            )));
        }
        Ok(())
    }

    fn value(&mut self, row: u32, col: u32, value: Value) -> Result<(), ReadFailure> {
        if value == Value::Empty {
            return Ok(());
        }
        self.within(row, col)?;
        if let Value::Text(text) = &value
            && text.len() > self.limits.max_cell_chars
        {
            let count = text.chars().count();
            if count > self.limits.max_cell_chars {
                return Err(ReadFailure::TooLarge(format!(
                    "sheet \"{}\" cell {} holds {count} characters, over the limit of {} (limits.max_cell_chars)",
                    self.sheet,
                    a1(row, col),
                    self.limits.max_cell_chars
                )));
            }
        }
        self.values.push((row, col, value));
        Ok(())
    }

    fn formula(&mut self, row: u32, col: u32, text: &str) -> Result<(), ReadFailure> {
        self.within(row, col)?;
        let text: String = text.chars().take(200).collect();
        self.formulas.insert((row, col), text);
        Ok(())
    }
}

/// An .xlsx is read cell by cell, never as calamine's dense range: two cells far apart would
/// make that a block of billions.
fn read_xlsx(
    mut book: Xlsx<Cursor<Vec<u8>>>,
    limits: &ReadLimits,
    mut hidden: HashMap<String, Hidden>,
) -> Result<Workbook, ReadFailure> {
    let metas = book.sheets_metadata().to_vec();
    // Only the named sheets when the first of them is there and visible and every other
    // sheet that is hidden is one of them: a hidden sheet of another name, or the first named
    // sheet hidden, means the book is read whole, so that a hidden copy is never read in
    // place of what a person sees and the checker can say so.
    let is_hidden = |m: &calamine::Sheet| m.visible != calamine::SheetVisible::Visible;
    let wanted = limits.only_sheets.as_ref().filter(|names| {
        names.iter().all(|n| metas.iter().any(|m| &m.name == n))
            && metas
                .iter()
                .find(|m| Some(&m.name) == names.first())
                .is_some_and(|m| !is_hidden(m))
            && metas
                .iter()
                .filter(|m| m.typ == calamine::SheetType::WorkSheet && is_hidden(m))
                .all(|m| names.contains(&m.name))
    });
    let mut sheets = Vec::with_capacity(metas.len());
    for meta in metas {
        if meta.typ != calamine::SheetType::WorkSheet {
            continue;
        }
        if wanted.is_some_and(|names| !names.contains(&meta.name)) {
            continue;
        }
        let failure = |e: String| ReadFailure::Other(format!("sheet {}: {e}", meta.name));
        let mut cells = Cells::new(&meta.name, limits);
        match book.worksheet_cells_reader(&meta.name) {
            Ok(mut reader) => {
                while let Some(record) = reader
                    .next_cell_with_formula_metadata()
                    .map_err(|e| failure(e.to_string()))?
                {
                    let (row, col) = record.pos;
                    // Any formula element counts, even an empty one: its cached value is not
                    // what a person typed.
                    let formula = match &record.formula {
                        None => None,
                        Some(
                            calamine::XlsxFormulaMetadata::Normal { formula }
                            | calamine::XlsxFormulaMetadata::Shared { formula, .. },
                        ) => Some(formula.as_str()),
                        Some(_) => Some(""),
                    };
                    if let Some(text) = formula {
                        cells.formula(row, col, text)?;
                    }
                    cells.value(row, col, value_from(&Data::from(record.value)))?;
                }
            }
            Err(calamine::XlsxError::NotAWorksheet(_)) => {}
            Err(e) => return Err(failure(e.to_string())),
        }
        let merges = if limits.read_merges {
            let merges = book
                .merge_cells_by_sheet_name(&meta.name)
                .map_err(|e| failure(e.to_string()))?;
            Some(rects(&merges))
        } else {
            None
        };
        let hidden = hidden.remove(&meta.name).unwrap_or_default();
        sheets.push(sheet_from(&meta, cells, Shape { merges, hidden }));
    }
    let custom_properties = book
        .workbook_properties()
        .map(|p| p.custom_properties)
        .unwrap_or_default();
    Ok(Workbook {
        format: Format::Xlsx,
        sheets,
        custom_properties,
    })
}

/// Reads every worksheet (values, formula cells, merges) and the custom properties of an .xls
/// or .ods, whose extent the preflight has bounded.
fn read_book<R, F>(
    format: Format,
    mut book: R,
    limits: &ReadLimits,
    mut layout_of: F,
) -> Result<(Workbook, R), ReadFailure>
where
    R: Reader<Cursor<Vec<u8>>>,
    R::Error: std::fmt::Display,
    F: FnMut(&mut R, usize, &str) -> Result<Shape, String>,
{
    let metas = book.sheets_metadata().to_vec();
    let mut sheets = Vec::with_capacity(metas.len());
    for (index, meta) in metas.into_iter().enumerate() {
        if meta.typ != calamine::SheetType::WorkSheet {
            continue;
        }
        let failure = |e: String| ReadFailure::Other(format!("sheet {}: {e}", meta.name));
        let range = book
            .worksheet_range(&meta.name)
            .map_err(|e| failure(e.to_string()))?;
        let layout = layout_of(&mut book, index, &meta.name).map_err(failure)?;
        let mut cells = Cells::new(&meta.name, limits);
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, data) in range.used_cells() {
            cells.value(r0 + r as u32, c0 + c as u32, value_from(data))?;
        }
        drop(range);
        // Formulas are only needed to flag them; a sheet whose formulas cannot be read still
        // has its values.
        if let Ok(f) = book.worksheet_formula(&meta.name) {
            let (r0, c0) = f.start().unwrap_or((0, 0));
            for (r, c, text) in f.used_cells() {
                if !text.is_empty() {
                    cells.formula(r0 + r as u32, c0 + c as u32, text)?;
                }
            }
        }
        sheets.push(sheet_from(&meta, cells, layout));
    }
    let workbook = Workbook {
        format,
        sheets,
        custom_properties: HashMap::new(),
    };
    Ok((workbook, book))
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

fn sheet_from(meta: &calamine::Sheet, cells: Cells, layout: Shape) -> Sheet {
    let visibility = match meta.visible {
        SheetVisible::Visible => Visibility::Visible,
        SheetVisible::Hidden => Visibility::Hidden,
        SheetVisible::VeryHidden => Visibility::VeryHidden,
    };
    Sheet {
        name: meta.name.clone(),
        visibility,
        grid: Grid::from_cells(cells.values, layout.merges)
            .with_hidden(layout.hidden.rows, layout.hidden.cols),
        formulas: cells.formulas,
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
