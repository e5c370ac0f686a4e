//! Gathering returns from what people hand over: files, folders (recursively) and .zip archives
//! (read in memory, entry names in UTF-8 or GBK, nested archives included), with every limit
//! checked before anything is parsed. Office lock files are skipped and said so; files that are
//! not spreadsheets are kept as possible evidence and listed. Nothing here is ever written to.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::digest::hex;
use crate::workbook::{Format, sniff};

use super::Limits;

/// One workbook to check: where it came from and how to get its bytes.
#[derive(Debug)]
pub struct Input {
    /// How people name it: `inbox/a.xlsx`, `inbox/b.zip!办公室/a.xlsx`.
    pub display: String,
    pub data: Data,
    /// Last modified (file) or stored time (zip entry), RFC 3339.
    pub modified: Option<String>,
    /// The folder or archive it lies in, for looking up its evidence files.
    pub place: Place,
    /// It was gathered from the review folder, where the office alone puts the review
    /// workbook (see [`crate::campaign::Campaign::review_inbox`]).
    pub in_review_folder: bool,
}

#[derive(Debug)]
pub enum Data {
    File(PathBuf),
    Bytes(Vec<u8>),
    /// Refused before parsing: (too_large | encrypted | unreadable, detail).
    Refused(Refusal, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    TooLarge,
    Encrypted,
    Unreadable,
    /// A folder or zip of the inbox holding more workbooks than one department may send
    /// (`limits.max_per_department`), or the run's share past `limits.max_files`: refused
    /// whole, unread, while the rest is read. The detail is `count limit`.
    TooMany,
}

/// Where an input lies: a folder on disk, or an archive (by its index in [`Gathered::archives`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Folder(PathBuf),
    Archive(usize),
}

/// A file that is not a workbook: possible evidence.
#[derive(Debug, Clone)]
pub struct Other {
    pub display: String,
    /// Its file name without folders, as people write it in 佐证材料.
    pub name: String,
    pub size: u64,
    pub place: Place,
    /// On disk: hashed when it turns out to be evidence. In an archive: hashed as read.
    pub path: Option<PathBuf>,
    pub sha256: Option<String>,
    /// Why it was not read as a workbook.
    pub reason: String,
}

/// A file passed over on purpose (office lock files and the like).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Gathered {
    pub inputs: Vec<Input>,
    pub others: Vec<Other>,
    pub skipped: Vec<Skipped>,
    /// Display names of the archives read.
    pub archives: Vec<String>,
}

/// An archive entry over this size (bytes, unpacked) that unpacks to more than
/// [`BOMB_RATIO`] times its packed size is refused unread.
const BOMB_MIN_BYTES: u64 = 1024 * 1024;
const BOMB_RATIO: u64 = 200;

/// How deep archives inside archives are opened.
const MAX_ARCHIVE_DEPTH: usize = 3;

/// Why the inputs could not be gathered at all.
#[derive(Debug, thiserror::Error)]
pub enum GatherError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn unreadable(path: &Path) -> impl FnOnce(std::io::Error) -> GatherError {
    let path = path.display().to_string();
    move |source| GatherError::Io { path, source }
}

/// Gathers every file under `paths`. Errors naming a path that does not exist are returned as
/// `Err`; everything else becomes an input, an "other" file or a skipped entry.
pub fn gather(paths: &[PathBuf], limits: &Limits) -> Result<Gathered, GatherError> {
    // Each file, folder or zip directly in a folder named (a department's folder of the
    // inbox, a zip the office saved) is a source, gathered on its own and admitted whole or
    // refused whole: one source over its limit never keeps the others from being read.
    let mut sources: Vec<(String, PathBuf, Gathered)> = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(unreadable(path))?;
        if meta.is_dir() {
            for entry in sorted_entries(path)? {
                let mut part = Gathered::default();
                if entry_into(&entry, path, limits, &mut part)? {
                    sources.push((entry.display().to_string(), path.clone(), part));
                }
            }
        } else {
            let folder = path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."));
            let mut part = Gathered::default();
            file(path, &folder, limits, &mut part);
            sources.push((path.display().to_string(), folder, part));
        }
    }
    Ok(admit(sources, limits))
}

/// Merges the sources, refusing each one over `limits.max_per_department`, then, while the
/// run is past `limits.max_files`, the largest left: each refused source is one refused
/// input naming it, with its count and the limit.
fn admit(mut sources: Vec<(String, PathBuf, Gathered)>, limits: &Limits) -> Gathered {
    let counts: Vec<usize> = sources.iter().map(|(_, _, p)| p.workbooks()).collect();
    let refused = refusals(&counts, limits);
    let mut gathered = Gathered::default();
    for ((display, folder, mut part), refused) in sources.drain(..).zip(refused) {
        if let Some((limit, which)) = refused {
            let count = part.workbooks();
            part.inputs = vec![Input {
                display,
                data: Data::Refused(Refusal::TooMany, format!("{count} {limit} {which}")),
                modified: None,
                place: Place::Folder(folder),
                in_review_folder: false,
            }];
        }
        gathered.append(part);
    }
    gathered
}

/// Which sources of a run (given by their counts of workbooks) are refused, and why: each one
/// over `limits.max_per_department` (`department`), then, while the run is past
/// `limits.max_files`, the largest left (`run`). The web upload asks the same of the inbox
/// with its file added, so that it counts as `validate` will.
pub fn refusals(counts: &[usize], limits: &Limits) -> Vec<Option<(usize, &'static str)>> {
    let mut refused: Vec<Option<(usize, &'static str)>> = counts
        .iter()
        .map(|&n| {
            (n > limits.max_per_department).then_some((limits.max_per_department, "department"))
        })
        .collect();
    let mut total: usize = counts
        .iter()
        .zip(&refused)
        .filter(|(_, r)| r.is_none())
        .map(|(n, _)| n)
        .sum();
    while total > limits.max_files {
        let Some(largest) = (0..counts.len())
            .filter(|&i| refused[i].is_none())
            .max_by_key(|&i| counts[i])
        else {
            break;
        };
        total -= counts[largest];
        refused[largest] = Some((limits.max_files, "run"));
    }
    refused
}

/// The sources a run of `dir` (the inbox) would read, each entry directly in it, and the
/// workbooks each one holds, counted as [`gather`] counts them (one source at a time, so
/// that counting holds no more than one source in memory).
pub fn source_counts(dir: &Path, limits: &Limits) -> Result<Vec<(PathBuf, usize)>, GatherError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut counts = Vec::new();
    for entry in sorted_entries(dir)? {
        let mut part = Gathered::default();
        if entry_into(&entry, dir, limits, &mut part)? {
            counts.push((entry, part.workbooks()));
        }
    }
    Ok(counts)
}

impl Gathered {
    /// The workbooks to read: inputs not already refused (a refused one costs no reading, and
    /// a zip bomb's entries are told as such, not counted against a limit of workbooks).
    pub fn workbooks(&self) -> usize {
        self.inputs
            .iter()
            .filter(|i| !matches!(i.data, Data::Refused(..)))
            .count()
    }

    /// Adds what `other` gathered (its archives renumbered after these).
    pub fn append(&mut self, other: Gathered) {
        let offset = self.archives.len();
        let shift = |place: Place| match place {
            Place::Archive(i) => Place::Archive(i + offset),
            folder => folder,
        };
        self.inputs
            .extend(other.inputs.into_iter().map(|mut input| {
                input.place = shift(input.place);
                input
            }));
        self.others.extend(other.others.into_iter().map(|mut o| {
            o.place = shift(o.place);
            o
        }));
        self.skipped.extend(other.skipped);
        self.archives.extend(other.archives);
    }
}

/// The entries of a folder, sorted so that runs are deterministic whatever the file system's
/// order.
fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, GatherError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(unreadable(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

/// Gathers one entry of folder `dir` (a folder, recursively, or a file); links are skipped.
/// Whether it was anything to gather.
fn entry_into(
    path: &Path,
    dir: &Path,
    limits: &Limits,
    gathered: &mut Gathered,
) -> Result<bool, GatherError> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(false);
    };
    if meta.is_dir() {
        walk(path, limits, gathered)?;
    } else if meta.is_file() {
        file(path, dir, limits, gathered);
    } else {
        gathered.skipped.push(Skipped {
            path: path.display().to_string(),
            reason: "link".into(),
        });
    }
    Ok(true)
}

fn walk(dir: &Path, limits: &Limits, gathered: &mut Gathered) -> Result<(), GatherError> {
    for path in sorted_entries(dir)? {
        entry_into(&path, dir, limits, gathered)?;
    }
    Ok(())
}

/// Office lock and temp files: `~$a.xlsx` (Excel, WPS), `.~lock.a.xlsx#` (LibreOffice), and
/// tianbao's own (`.a.xlsx.4242.tmp` of an interrupted write, `.tianbao.lock`).
pub fn is_lock_file(name: &str) -> bool {
    name.starts_with("~$")
        || (name.starts_with(".~lock.") && name.ends_with('#'))
        || crate::write::is_temp_name(name)
        || name == crate::lock::LOCK_FILE
}

fn file_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()
}

const WORKBOOK_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "ods", "et", "xltx", "xlt"];

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// What a file's first bytes say it is.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Workbook,
    Archive,
    Other(String),
}

fn kind_of(name: &str, head: &[u8], zip_names: Option<&[String]>) -> Kind {
    match sniff(head) {
        Some(Format::Xls) => Kind::Workbook,
        Some(Format::Ods) => Kind::Workbook,
        Some(Format::Xlsx) => {
            let is_workbook = match zip_names {
                Some(names) => names
                    .iter()
                    .any(|n| n == "[Content_Types].xml" || n == "mimetype" || n.starts_with("xl/")),
                None => extension(name) != "zip",
            };
            if is_workbook {
                Kind::Workbook
            } else {
                Kind::Archive
            }
        }
        None if WORKBOOK_EXTENSIONS.contains(&extension(name).as_str()) => Kind::Workbook,
        // What it is, as a key of the terminal texts' `[skipped]`.
        None => Kind::Other(
            if head.starts_with(b"%PDF") {
                "pdf"
            } else if head.starts_with(b"Rar!") || head.starts_with(b"7z\xBC\xAF") {
                "rar"
            } else {
                match extension(name).as_str() {
                    "doc" | "docx" | "wps" | "rtf" => "word",
                    "ppt" | "pptx" | "dps" => "slides",
                    "jpg" | "jpeg" | "png" | "gif" | "bmp" | "tif" | "tiff" => "image",
                    "txt" | "csv" => "text",
                    _ => "not_spreadsheet",
                }
            }
            .to_string(),
        ),
    }
}

fn modified_of(meta: &std::fs::Metadata) -> Option<String> {
    let secs = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(crate::time::utc_from_unix(secs))
}

/// What a file of a folder is, by its first bytes and name (and, for a zip not named as a
/// workbook, the names of its entries).
fn file_kind(path: &Path, name: &str) -> Kind {
    let mut head = [0u8; 8];
    let head_len = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = &head[..head_len];
    let is_zip = head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06");
    let named_as_workbook = WORKBOOK_EXTENSIONS.contains(&extension(name).as_str());
    if is_zip && named_as_workbook {
        // A zip named .xlsx/.ods is read as a workbook (a damaged one if it is not); listing
        // its entries here would read every return twice.
        return Kind::Workbook;
    }
    if !is_zip {
        return kind_of(name, head, None);
    }
    match std::fs::File::open(path)
        .ok()
        .and_then(|f| zip::ZipArchive::new(f).ok())
    {
        Some(archive) => {
            let names: Vec<String> = archive
                .file_names()
                .filter_map(|n| n.ok().map(|n| n.into_owned()))
                .collect();
            kind_of(name, head, Some(&names))
        }
        // A broken zip with a workbook's name is a damaged workbook; otherwise a damaged archive.
        None => kind_of(name, head, None),
    }
}

fn file(path: &Path, folder: &Path, limits: &Limits, gathered: &mut Gathered) {
    let display = path.display().to_string();
    let name = file_name(&display);
    if is_lock_file(&name) {
        gathered.skipped.push(Skipped {
            path: display,
            reason: "office_lock".into(),
        });
        return;
    }
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => {
            gathered.inputs.push(Input {
                display,
                data: Data::Refused(Refusal::Unreadable, e.to_string()),
                modified: None,
                place: Place::Folder(folder.to_path_buf()),
                in_review_folder: false,
            });
            return;
        }
    };
    let modified = modified_of(&meta);
    let kind = file_kind(path, &name);
    match kind {
        Kind::Workbook => {
            let data = if meta.len() > limits.max_file_bytes {
                Data::Refused(
                    Refusal::TooLarge,
                    format!(
                        "{} bytes, over the limit of {} (limits.max_file_bytes)",
                        meta.len(),
                        limits.max_file_bytes
                    ),
                )
            } else {
                Data::File(path.to_path_buf())
            };
            gathered.inputs.push(Input {
                display,
                data,
                modified,
                place: Place::Folder(folder.to_path_buf()),
                in_review_folder: false,
            });
        }
        Kind::Archive => match std::fs::File::open(path) {
            Ok(f) => {
                let index = gathered.archives.len();
                gathered.archives.push(display.clone());
                let mut budget = limits.max_archive_bytes;
                archive(f, &display, index, 1, limits, &mut budget, gathered);
            }
            Err(e) => gathered.inputs.push(Input {
                display,
                data: Data::Refused(Refusal::Unreadable, e.to_string()),
                modified,
                place: Place::Folder(folder.to_path_buf()),
                in_review_folder: false,
            }),
        },
        Kind::Other(reason) => gathered.others.push(Other {
            display,
            name,
            size: meta.len(),
            place: Place::Folder(folder.to_path_buf()),
            path: Some(path.to_path_buf()),
            sha256: None,
            reason,
        }),
    }
}

/// An entry name as its author's system wrote it: UTF-8, or GBK from Chinese Windows.
fn entry_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(name) => name.to_string(),
        Err(_) => encoding_rs::GBK.decode(raw).0.into_owned(),
    }
}

fn zip_time(t: Option<zip::DateTime>) -> Option<String> {
    // 1980-01-01 00:00 is the zip format's zero: a program that wrote no time.
    let t =
        t.filter(|t| (t.year(), t.month(), t.day(), t.hour(), t.minute()) != (1980, 1, 1, 0, 0))?;
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// Where the entries of an archive being unpacked go: its index among the gathered archives,
/// how deep it is nested, the limits and what is left of the run's unpacking budget.
struct Unpacking<'u> {
    index: usize,
    depth: usize,
    limits: &'u Limits,
    budget: &'u mut u64,
}

impl Unpacking<'_> {
    fn refuse(&self, gathered: &mut Gathered, what: String, (refusal, detail): (Refusal, String)) {
        gathered.inputs.push(Input {
            display: what,
            data: Data::Refused(refusal, detail),
            modified: None,
            place: Place::Archive(self.index),
            in_review_folder: false,
        });
    }
}

/// Reads the entries of one archive. Every size is checked from the headers before an entry is
/// inflated, and again while inflating (headers can lie): a zip bomb costs a header read.
fn archive<R: Read + std::io::Seek>(
    reader: R,
    display: &str,
    index: usize,
    depth: usize,
    limits: &Limits,
    budget: &mut u64,
    gathered: &mut Gathered,
) {
    let mut u = Unpacking {
        index,
        depth,
        limits,
        budget,
    };
    let mut zip = match open_archive(reader, u.limits, *u.budget) {
        Ok(zip) => zip,
        Err(refusal) => return u.refuse(gathered, display.to_string(), refusal),
    };
    for i in 0..zip.len() {
        let (name, size, compressed, modified, is_dir, encrypted) = match zip.by_index_raw(i) {
            Ok(entry) => (
                entry_name(entry.name_raw()),
                entry.size(),
                entry.compressed_size(),
                zip_time(entry.last_modified()),
                entry.is_dir(),
                entry.encrypted(),
            ),
            Err(e) => {
                let refusal = (Refusal::Unreadable, format!("a damaged zip entry ({e})"));
                u.refuse(gathered, format!("{display}!#{i}"), refusal);
                continue;
            }
        };
        if is_dir {
            continue;
        }
        let what = format!("{display}!{name}");
        let base = file_name(&name);
        if is_lock_file(&base) || name.starts_with("__MACOSX/") || base == ".DS_Store" {
            gathered.skipped.push(Skipped {
                path: what,
                reason: "office_lock".into(),
            });
            continue;
        }
        if let Some(refusal) = entry_refusal(size, compressed, encrypted, u.limits) {
            u.refuse(gathered, what, refusal);
            continue;
        }
        let cap = u.limits.max_file_bytes.min(*u.budget).min(size);
        let bytes = match read_entry(&mut zip, i, size, cap) {
            Ok(bytes) => bytes,
            Err(refusal) => {
                u.refuse(gathered, what, refusal);
                continue;
            }
        };
        *u.budget = u.budget.saturating_sub(bytes.len() as u64);
        place_entry(&mut u, what, base, bytes, modified, gathered);
    }
}

/// A zip opened for unpacking, unless it is damaged, holds more entries than a run may read,
/// or declares more than the run's unpacking `budget`.
fn open_archive<R: Read + std::io::Seek>(
    reader: R,
    limits: &Limits,
    budget: u64,
) -> Result<zip::ZipArchive<R>, (Refusal, String)> {
    let mut zip = zip::ZipArchive::new(reader)
        .map_err(|e| (Refusal::Unreadable, format!("a damaged zip archive ({e})")))?;
    if zip.len() > limits.max_files {
        return Err((
            Refusal::TooLarge,
            format!(
                "{} entries, over the limit of {} (limits.max_files)",
                zip.len(),
                limits.max_files
            ),
        ));
    }
    let declared: u64 = (0..zip.len())
        .filter_map(|i| zip.by_index_raw(i).ok().map(|e| e.size()))
        .fold(0u64, u64::saturating_add);
    if declared > budget {
        return Err((
            Refusal::TooLarge,
            format!(
                "{declared} bytes uncompressed, over the limit of {} for an archive (limits.max_archive_bytes)",
                limits.max_archive_bytes
            ),
        ));
    }
    Ok(zip)
}

/// Why an entry is refused from its header, before it is unpacked: password-protected, over
/// the file limit, or a zip bomb's building block.
fn entry_refusal(
    size: u64,
    compressed: u64,
    encrypted: bool,
    limits: &Limits,
) -> Option<(Refusal, String)> {
    if encrypted {
        return Some((
            Refusal::Encrypted,
            "the zip entry is password-protected".into(),
        ));
    }
    if size > limits.max_file_bytes {
        return Some((
            Refusal::TooLarge,
            format!(
                "{size} bytes uncompressed, over the limit of {} (limits.max_file_bytes)",
                limits.max_file_bytes
            ),
        ));
    }
    // Workbooks, documents and pictures are already compressed and shrink little more; an
    // entry that unpacks to a thousand times its size is a zip bomb's building block, and
    // is refused from its header instead of being unpacked.
    if size > BOMB_MIN_BYTES && size / compressed.max(1) > BOMB_RATIO {
        return Some((
            Refusal::TooLarge,
            format!(
                "unpacks to {size} bytes from {compressed}, over {BOMB_RATIO} times its packed size, as only a zip bomb does; refused"
            ),
        ));
    }
    None
}

/// Entry `i` unpacked, never past `cap` bytes (an entry inflating past what its header says
/// is refused).
fn read_entry<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    i: usize,
    size: u64,
    cap: u64,
) -> Result<Vec<u8>, (Refusal, String)> {
    let mut bytes = Vec::with_capacity(size.min(cap) as usize);
    zip.by_index(i)
        .map_err(|e| e.to_string())
        .and_then(|entry| {
            entry
                .take(cap + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| e.to_string())
        })
        .map_err(|e| (Refusal::Unreadable, format!("a damaged zip entry ({e})")))?;
    if bytes.len() as u64 > cap {
        return Err((
            Refusal::TooLarge,
            format!(
                "inflates past {cap} bytes, more than its header says; refused (limits.max_file_bytes, limits.max_archive_bytes)"
            ),
        ));
    }
    Ok(bytes)
}

/// An unpacked entry where it belongs: a workbook to read, a nested archive to unpack (up to
/// [`MAX_ARCHIVE_DEPTH`]), or another file (evidence, perhaps).
fn place_entry(
    u: &mut Unpacking,
    what: String,
    base: String,
    bytes: Vec<u8>,
    modified: Option<String>,
    gathered: &mut Gathered,
) {
    let head = &bytes[..bytes.len().min(8)];
    let inner_names: Option<Vec<String>> = if head.starts_with(b"PK") {
        zip::ZipArchive::new(std::io::Cursor::new(&bytes))
            .ok()
            .map(|z| {
                z.file_names()
                    .filter_map(|n| n.ok().map(|n| n.into_owned()))
                    .collect()
            })
    } else {
        None
    };
    match kind_of(&base, head, inner_names.as_deref()) {
        Kind::Workbook => gathered.inputs.push(Input {
            display: what,
            data: Data::Bytes(bytes),
            modified,
            place: Place::Archive(u.index),
            in_review_folder: false,
        }),
        Kind::Archive if u.depth < MAX_ARCHIVE_DEPTH => {
            let inner = gathered.archives.len();
            gathered.archives.push(what.clone());
            let cursor = std::io::Cursor::new(bytes);
            archive(
                cursor,
                &what,
                inner,
                u.depth + 1,
                u.limits,
                u.budget,
                gathered,
            );
        }
        Kind::Archive => gathered.skipped.push(Skipped {
            path: what,
            reason: "nested".into(),
        }),
        Kind::Other(reason) => gathered.others.push(Other {
            display: what,
            name: base,
            size: bytes.len() as u64,
            place: Place::Archive(u.index),
            path: None,
            sha256: Some(hex(&Sha256::digest(&bytes))),
            reason,
        }),
    }
}

/// SHA-256 of a file on disk, streamed.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_files_are_recognised() {
        assert!(is_lock_file("~$绩效-办公室.xlsx"));
        assert!(is_lock_file(".~lock.绩效-办公室.xlsx#"));
        assert!(!is_lock_file("绩效-办公室.xlsx"));
        assert!(is_lock_file(".绩效-办公室.xlsx.4242.tmp"));
        assert!(is_lock_file(".tianbao.lock"));
    }

    #[test]
    fn gbk_entry_names_decode() {
        let (gbk, _, _) = encoding_rs::GBK.encode("办公室.xlsx");
        assert_eq!(entry_name(&gbk), "办公室.xlsx");
        assert_eq!(entry_name("水科.xlsx".as_bytes()), "水科.xlsx");
    }

    #[test]
    fn kinds_by_content() {
        assert_eq!(
            kind_of("a.pdf", b"%PDF-1.7", None),
            Kind::Other("pdf".into())
        );
        let names = vec!["[Content_Types].xml".to_string()];
        assert_eq!(
            kind_of("a.zip", b"PK\x03\x04", Some(&names)),
            Kind::Workbook
        );
        let names = vec!["a.xlsx".to_string()];
        assert_eq!(kind_of("a.zip", b"PK\x03\x04", Some(&names)), Kind::Archive);
    }
}
