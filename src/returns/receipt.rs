//! Receipts: what `validate` checked, kept in the campaign's store, and what `compile` is bound
//! to. A receipt holds each return's path, size, SHA-256, time, department, round, status and
//! every value read from it; compile hashes the files it is given, uses the receipts when
//! every file is as checked, and names each file that is new, changed or gone otherwise.

use indexmap::IndexMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::gather::{Data, Input, Skipped};
use super::{CellValue, Collection, ItemReturn, Return, Status};
use crate::finding::Code;
use crate::store::Receipt;

/// A return as the store keeps it: the return with its values.
#[derive(Serialize)]
struct RecordRef<'a> {
    ret: &'a Return,
    items: &'a IndexMap<String, ItemReturn>,
    signoff: &'a IndexMap<String, CellValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    review: Option<&'a super::review::Reviewed>,
}

#[derive(Deserialize)]
struct Record {
    ret: Return,
    items: IndexMap<String, ItemReturn>,
    signoff: IndexMap<String, CellValue>,
    #[serde(default)]
    review: Option<super::review::Reviewed>,
}

/// The receipts of a collection, one per file examined.
pub fn receipts(collection: &Collection) -> Vec<Receipt> {
    collection
        .returns
        .iter()
        .map(|ret| Receipt {
            path: ret.path.clone(),
            size: ret.size,
            sha256: ret.sha256.clone(),
            modified: ret.received.clone(),
            department: ret.department.clone(),
            round: ret.round,
            status: ret.status.as_str().to_string(),
            record: serde_json::to_string(&RecordRef {
                ret,
                items: &ret.items,
                signoff: &ret.signoff,
                review: ret.review.as_deref(),
            })
            .expect("plain data serialises"),
        })
        .collect()
}

/// The returns of `receipts` as they were checked, before deciding which counts (a superseded
/// one back to valid or invalid, the findings of that decision removed).
pub fn returns_of(receipts: &[Receipt]) -> Result<Vec<Return>, String> {
    let records: Vec<&str> = receipts.iter().map(|r| r.record.as_str()).collect();
    parse_records(&records)
}

/// Returns from their records (in parallel).
pub fn parse_records<S: AsRef<str> + Sync>(records: &[S]) -> Result<Vec<Return>, String> {
    records
        .par_iter()
        .map(|r| parse_record(r.as_ref()))
        .collect()
}

fn parse_record(text: &str) -> Result<Return, String> {
    let record: Record =
        serde_json::from_str(text).map_err(|e| format!("a receipt is not readable ({e})"))?;
    let mut ret = record.ret;
    ret.items = record.items;
    ret.signoff = record.signoff;
    ret.review = record.review.map(Box::new);
    // The findings of deciding which return counts are made again when it is decided again.
    ret.findings.retain(|f| {
        !matches!(f.code, Code::DuplicateReturn | Code::ReplacementUnconfirmed)
            && !super::review::is_decided(f)
    });
    if matches!(ret.status, Status::Superseded | Status::Invalid) && ret.identified() {
        ret.status = if ret.errors() > 0 {
            Status::Invalid
        } else {
            Status::Valid
        };
    }
    Ok(ret)
}

/// A file as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// The inputs as they are now: their sizes and SHA-256 (in parallel). A file refused before
/// reading (too large, encrypted) is seen as validate saw it: size 0, no hash.
pub fn seen(inputs: &[Input]) -> Vec<Seen> {
    inputs
        .par_iter()
        .map(|input| {
            let (size, sha256) = match &input.data {
                Data::Bytes(bytes) => (bytes.len() as u64, crate::digest::sha256_hex(bytes)),
                Data::File(path) => match std::fs::read(path) {
                    Ok(bytes) => (bytes.len() as u64, crate::digest::sha256_hex(&bytes)),
                    Err(_) => (0, String::new()),
                },
                Data::Refused(..) => (0, String::new()),
            };
            Seen {
                path: input.display.clone(),
                size,
                sha256,
            }
        })
        .collect()
}

/// How the files differ from what was checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// Files that were not there when validate ran.
    pub new: Vec<String>,
    /// Files whose content differs from what was checked.
    pub changed: Vec<String>,
    /// Files that were checked and are no longer there.
    pub gone: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.changed.is_empty() && self.gone.is_empty()
    }
}

/// The files `seen` now against the `receipts` of the last validate run.
/// Paths are compared as absolute paths, so a file named through `camp/inbox/…` is the one
/// checked as `/abs/camp/inbox/…`.
pub fn changes(seen: &[Seen], receipts: &[Receipt]) -> Changes {
    let then: std::collections::HashMap<String, &Receipt> =
        receipts.iter().map(|r| (path_key(&r.path), r)).collect();
    let now: std::collections::HashSet<String> = seen.iter().map(|s| path_key(&s.path)).collect();
    let mut changes = Changes::default();
    for s in seen {
        match then.get(&path_key(&s.path)) {
            None => changes.new.push(s.path.clone()),
            Some(r) if r.sha256 != s.sha256 || (r.sha256.is_empty() && r.size != s.size) => {
                changes.changed.push(s.path.clone());
            }
            Some(_) => {}
        }
    }
    for r in receipts {
        if !now.contains(&path_key(&r.path)) {
            changes.gone.push(r.path.clone());
        }
    }
    changes
}

/// A path as receipts are matched by: the file's path made absolute, without `.` or `..`; a
/// member of a zip (`…/a.zip!x/y.xlsx`) keeps its name inside the zip as it is.
fn path_key(path: &str) -> String {
    let (file, member) = match path.split_once('!') {
        Some((file, member)) => (file, Some(member)),
        None => (path, None),
    };
    let key = crate::cell_text::absolute_path(std::path::Path::new(file));
    match member {
        Some(member) => format!("{}!{member}", key.display()),
        None => key.display().to_string(),
    }
}

/// The files passed over, as the store keeps them.
pub fn skipped_text(skipped: &[Skipped]) -> String {
    serde_json::to_string(skipped).expect("plain data serialises")
}

pub fn skipped_of(text: &str) -> Vec<Skipped> {
    serde_json::from_str(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(path: &str, sha256: &str) -> Receipt {
        Receipt {
            path: path.to_string(),
            size: 1,
            sha256: sha256.to_string(),
            modified: None,
            department: None,
            round: None,
            status: "valid".to_string(),
            record: String::new(),
        }
    }

    fn seen(path: &str, sha256: &str) -> Seen {
        Seen {
            path: path.to_string(),
            size: 1,
            sha256: sha256.to_string(),
        }
    }

    #[test]
    fn a_file_named_relative_or_absolute_is_one_file() {
        let here = std::env::current_dir().unwrap();
        let absolute = here.join("camp/inbox/a.xlsx").display().to_string();
        let zipped = format!("{}!x/b.xlsx", here.join("camp/inbox/a.zip").display());
        let receipts = [receipt(&absolute, "1"), receipt(&zipped, "2")];
        let now = [
            seen("camp/inbox/a.xlsx", "1"),
            seen("./camp/inbox/a.zip!x/b.xlsx", "2"),
        ];
        assert!(changes(&now, &receipts).is_empty());
        let now = [seen("camp/inbox/a.xlsx", "9")];
        let found = changes(&now, &receipts);
        assert_eq!(found.changed, vec!["camp/inbox/a.xlsx"]);
        assert_eq!(found.gone, vec![zipped]);
        assert!(found.new.is_empty());
    }

    #[test]
    fn a_member_of_a_zip_is_never_matched_to_a_loose_file() {
        assert_ne!(
            path_key("inbox/a.zip!x/../y.xlsx"),
            path_key("inbox/y.xlsx")
        );
    }
}
