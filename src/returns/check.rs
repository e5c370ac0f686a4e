//! The one checker of a returned workbook: gather gives it an input; it is read (within the
//! limits) and identified by its signed identity ([`super::identify`]), whose kind chooses how
//! it is read — a department's fill-in workbook ([`super::fill_in`]) or the assessment group's
//! review workbook ([`super::review_book`]), both located ([`super::locate`]) and checked by
//! the same rules ([`super::rules`]). What it comes to is a [`Return`] with its status and
//! findings, which the receipt keeps. A file that cannot be read is refused with the reason.

use crate::finding::{Code, Finding};
use crate::identity::Kind;
use crate::workbook::{self, OpenError};

use super::findings::Findings;
use super::gather::{self, Data, Refusal};
use super::{Context, Return, Status};

/// Long texts shown around where they differ (the report shows findings' values so).
pub use super::cells::differing_parts;

/// Checks an opened workbook. `ret` arrives with its provenance filled in.
pub fn check(ctx: &Context, book: &workbook::Workbook, mut ret: Return) -> Return {
    let mut f = Findings::new(&ret.path);
    let identity = match super::identify::identify(ctx, book, &mut ret, &mut f) {
        Ok(identity) => identity,
        Err(status) => return ret.finish(status, f.list),
    };
    let status = match identity.kind {
        Kind::Return => super::fill_in::read(ctx, book, &identity, &mut ret, &mut f),
        Kind::Review => super::review_book::read(ctx, book, &identity, &mut ret, &mut f),
    };
    ret.finish(status, f.list)
}

/// A gathered input read as far as it can be without the master: the workbook opened (or the
/// return already settled as unrecognized, with why).
pub struct Opened {
    ret: Return,
    book: Option<(workbook::Workbook, bool)>,
}

/// Checks an input [`open`]ed before: a file refused before reading, or unreadable, is
/// unrecognized with the reason; a workbook is checked ([`check`]); one with macros is never
/// valid.
pub(super) fn checked(ctx: &Context, opened: Opened) -> Return {
    let Opened { ret, book } = opened;
    match book {
        Some((book, macros)) => {
            let ret = check(ctx, &book, ret);
            if macros { with_macros(ret) } else { ret }
        }
        None => ret,
    }
}

/// Opens one gathered input, reading only the fill-in `sheet` and the identity sheet; needs no
/// master, so it runs while the master is read. [`checked`] then checks it.
pub(super) fn open(limits: &super::Limits, sheet: &str, input: gather::Input) -> Opened {
    let ret = Return::new(&input.display, input.modified, input.place);
    let mut ret = ret;
    ret.in_review_folder = input.in_review_folder;
    let bytes = match input.data {
        Data::Bytes(bytes) => bytes,
        Data::File(path) => match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                let f = refused(
                    &input.display,
                    Code::Unreadable,
                    Some("unreadable.io"),
                    &e.to_string(),
                );
                return settled(ret.finish(Status::Unrecognized, vec![f]));
            }
        },
        Data::Refused(refusal, detail) => {
            let file = input.display.as_str();
            let f = match refusal {
                Refusal::TooLarge => too_large(file, &detail),
                Refusal::Encrypted => refused(file, Code::Encrypted, None, ""),
                Refusal::Unreadable => {
                    refused(file, Code::Unreadable, Some("unreadable.io"), &detail)
                }
                Refusal::TooMany => too_many(file, &detail),
            };
            return settled(ret.finish(Status::Unrecognized, vec![f]));
        }
    };
    ret.size = bytes.len() as u64;
    ret.sha256 = crate::digest::sha256_hex(&bytes);
    let mut reading = limits.reading();
    // The fill-in and identity sheets are all a return is checked on (the 填表说明 is not read);
    // a workbook where either was renamed is read whole.
    reading.only_sheets = Some(vec![
        sheet.to_string(),
        crate::identity::SHEET_NAME.to_string(),
    ]);
    let macros = workbook::macros::has_macros(&bytes);
    match workbook::open_bytes_with(&input.display, bytes, &reading) {
        Ok(book) => Opened {
            ret,
            book: Some((book, macros)),
        },
        Err(err) => {
            let f = open_failure(&input.display, &err);
            settled(ret.finish(Status::Unrecognized, vec![f]))
        }
    }
}

/// An input settled before it was opened.
fn settled(ret: Return) -> Opened {
    Opened { ret, book: None }
}

/// A workbook that carries macros is never taken: the original stays as it is (nothing is
/// stripped), tianbao's own outputs never hold them, and the sender is asked for a plain copy.
fn with_macros(mut ret: Return) -> Return {
    let mut f = Finding::error(Code::MacrosInside);
    f.file = Some(ret.path.clone());
    ret.findings.insert(0, f);
    if ret.status == Status::Valid {
        ret.status = Status::Invalid;
    }
    ret
}

/// The finding for a file that could not be read: `variant` says why, `value` holds the
/// technical detail (for the report and JSON).
pub fn refused(file: &str, code: Code, variant: Option<&str>, detail: &str) -> Finding {
    let mut f = Finding::error(code);
    f.file = Some(file.to_string());
    f.variant = variant.map(str::to_string);
    if !detail.is_empty() {
        f.value = Some(detail.to_string());
    }
    f
}

pub fn open_failure(file: &str, err: &OpenError) -> Finding {
    match err {
        OpenError::Encrypted { .. } => refused(file, Code::Encrypted, None, ""),
        OpenError::NotASpreadsheet { kind, .. } => {
            refused(file, Code::Unreadable, Some("unreadable.kind"), "")
                .arg("what_word", kind.word())
        }
        OpenError::Damaged { detail, format, .. } => {
            refused(file, Code::Unreadable, Some("unreadable.damaged"), detail)
                .arg("format", format.to_string())
        }
        OpenError::Io { source, .. } => refused(
            file,
            Code::Unreadable,
            Some("unreadable.io"),
            &source.to_string(),
        ),
        OpenError::TooLarge { detail, .. } => too_large(file, detail),
    }
}

/// The finding of a file over a limit: the limit's key under `[limits]` (found in the detail
/// the reader gives), its name in words, and the detail for the report.
pub fn too_large(file: &str, detail: &str) -> Finding {
    const KEYS: [&str; 6] = [
        "max_file_bytes",
        "max_archive_bytes",
        "max_files",
        "max_rows",
        "max_cols",
        "max_cell_chars",
    ];
    let key = KEYS
        .iter()
        .find(|k| detail.contains(&format!("limits.{k}")))
        .copied()
        .unwrap_or(if detail.contains("zip bomb") {
            "bomb"
        } else {
            "parts"
        });
    let mut f =
        refused(file, Code::TooLarge, None, detail).arg("limit_word", format!("limit.{key}"));
    if KEYS.contains(&key) {
        f = f.arg("limit", format!("limits.{key}"));
    } else {
        // A zip bomb's ratio and a workbook's internal parts have no setting to raise: the
        // message must not advise one.
        f.variant = Some("too_large.fixed".into());
    }
    if let Some(max) = after_word(detail, "limit of ").filter(|m| m.parse::<u64>().is_ok()) {
        f = f.arg("max", max);
    }
    let cell = after_word(detail, " at ")
        .or_else(|| after_word(detail, " cell "))
        .filter(|c| is_a1(c));
    if let Some(cell) = cell {
        f.sheet = detail
            .split_once("sheet \"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(name, _)| name.to_string());
        f.cell = Some(cell.to_string());
        f.variant = Some("too_large.cell".into());
    }
    f
}

/// The finding of a folder or zip refused whole for holding too many workbooks: `detail` is
/// `count limit which` as [`super::gather`] gives it, `which` naming the limit
/// (`department`: `limits.max_per_department`; `run`: `limits.max_files`).
pub fn too_many(file: &str, detail: &str) -> Finding {
    let mut parts = detail.split(' ');
    let count = parts.next().unwrap_or_default();
    let limit = parts.next().unwrap_or_default();
    let mut f = refused(file, Code::TooManyReturns, None, "")
        .arg("count", count)
        .arg("max", limit);
    f.value = Some(count.to_string());
    if parts.next() == Some("run") {
        f.variant = Some("too_many_returns.run".into());
    }
    f
}

/// The word after `marker` in a reader's detail, up to a space or comma.
fn after_word<'d>(detail: &'d str, marker: &str) -> Option<&'d str> {
    let (_, rest) = detail.split_once(marker)?;
    rest.split([' ', ',', ')']).next().filter(|w| !w.is_empty())
}

/// Whether `text` is a cell reference such as `B5000`.
fn is_a1(text: &str) -> bool {
    let letters = text.chars().take_while(char::is_ascii_uppercase).count();
    letters > 0 && letters < text.len() && text[letters..].chars().all(|c| c.is_ascii_digit())
}
