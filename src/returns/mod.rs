//! Returns: the workbooks departments send back. This module gathers them (files, folders,
//! zips: [`gather`]), checks each one ([`check`]), looks up the evidence files sent beside each,
//! decides which return counts for each department when there are several (a replacement of a
//! valid return needs a person's confirmation), and finds the departments that have not
//! returned. [`stamp`] reads whom a return's sign-off names, [`sender`] whose folder or zip it
//! came in. [`receipt`] turns a [`Collection`] into the receipts the store keeps and back;
//! [`report`] and [`feedback`] write the report and feedback workbooks from it.

mod adjust;
mod cells;
pub mod check;
pub mod feedback;
mod fill_in;
mod findings;
pub mod gather;
mod identify;
mod locate;
pub mod receipt;
pub mod report;
pub mod review;
mod review_book;
mod rules;
pub mod sender;
mod signoff;
pub mod stamp;

use std::collections::HashMap;

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::finding::{Code, Finding, Severity};
use crate::model::Master;
use crate::spec::Spec;
use crate::workbook;

use gather::{Gathered, Place, Skipped};

/// The campaign's folder for the returned review workbook (核定表): a review workbook counts
/// only from there (`review/`, `review/<period>/`).
pub const REVIEW_DIR: &str = "review";

/// Limits on what is read, checked before parsing. Configurable under `[limits]` in tianbao.toml.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest workbook file, or zip entry once inflated, in bytes.
    #[validate(range(min = 1024))]
    pub max_file_bytes: u64,
    /// Largest total of one archive's entries once inflated, in bytes.
    #[validate(range(min = 1024))]
    pub max_archive_bytes: u64,
    /// Most workbooks (or archive entries) per run: past it, the folders and zips holding
    /// the most are refused (named), and the rest is read.
    #[validate(range(min = 1))]
    pub max_files: usize,
    /// Most workbooks one folder or zip of the inbox may hold (a department's folder, where
    /// the web upload keeps its files, or a zip): one over it is refused whole, named, and
    /// the others are read; the web upload refuses a department's file that would pass it.
    #[validate(range(min = 1))]
    pub max_per_department: usize,
    /// Rows per sheet: a workbook with a value past this row is refused.
    #[validate(range(min = 100, max = 1_048_576))]
    pub max_rows: u32,
    /// Columns per sheet: a workbook with a value past this column is refused.
    #[validate(range(min = 10, max = 16_384))]
    pub max_cols: u32,
    /// Characters in one cell.
    #[validate(range(min = 255, max = 10_000_000))]
    pub max_cell_chars: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        let reading = workbook::ReadLimits::default();
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_archive_bytes: 512 * 1024 * 1024,
            max_files: 100_000,
            max_per_department: 500,
            max_rows: reading.max_rows,
            max_cols: reading.max_cols,
            max_cell_chars: reading.max_cell_chars,
        }
    }
}

impl Limits {
    /// The limits on reading one workbook.
    pub fn reading(&self) -> workbook::ReadLimits {
        workbook::ReadLimits {
            max_part_bytes: self.max_file_bytes,
            max_total_bytes: self.max_archive_bytes,
            max_rows: self.max_rows,
            max_cols: self.max_cols,
            max_cell_chars: self.max_cell_chars,
            // Nothing in a return is read through merged regions.
            read_merges: false,
            read_hidden: true,
            only_sheets: None,
        }
    }
}

/// What checking needs to know about the campaign.
pub struct Context<'a> {
    pub master: &'a Master,
    pub spec: &'a Spec,
    /// The form of the workbooks this campaign issues.
    pub form: crate::form::Form,
    /// The form of the review workbook's rows.
    pub review_form: crate::form::Form,
    pub campaign_id: &'a str,
    pub secret: &'a str,
    /// The campaign's current round: workbooks of an earlier round are stale.
    pub round: u32,
    /// The campaign's current period, when it runs in periods: a workbook of another period
    /// is never this period's return.
    pub period: Option<String>,
    /// Replacements a person confirmed: (department, accepted SHA-256, replaced SHA-256).
    pub confirmed: Vec<(String, String, String)>,
    pub limits: Limits,
    /// Where the office puts the returned review workbook, as people are told of it
    /// (`review/`): a review workbook from anywhere else never counts.
    pub review_folder: String,
    /// The master's departments and persons by the names people write, made once.
    roster: std::sync::OnceLock<stamp::Roster<'a>>,
}

impl<'a> Context<'a> {
    /// The roster the sign-off and sender checks read names with (made on first use).
    pub fn roster(&self) -> &stamp::Roster<'a> {
        self.roster.get_or_init(|| stamp::Roster::new(self.master))
    }

    /// The context of a campaign `campaign_id` signing with `secret`, now at `round`.
    pub fn new(
        master: &'a Master,
        spec: &'a Spec,
        campaign_id: &'a str,
        secret: &'a str,
        round: u32,
        limits: Limits,
    ) -> Context<'a> {
        Context {
            master,
            spec,
            form: crate::form::Form::new(master, spec),
            review_form: crate::form::Form::review(master, spec),
            campaign_id,
            secret,
            round,
            period: None,
            confirmed: Vec::new(),
            limits,
            review_folder: format!("{REVIEW_DIR}/"),
            roster: std::sync::OnceLock::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Valid,
    Invalid,
    Unrecognized,
    Superseded,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Unrecognized => "unrecognized",
            Status::Superseded => "superseded",
        }
    }
}

/// One input cell as returned: where it is and its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellValue {
    pub cell: String,
    pub text: String,
}

/// One item row of a return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemReturn {
    /// 0-based row on the returned sheet.
    pub row: u32,
    /// By input key.
    pub values: IndexMap<String, CellValue>,
    /// The score, when it reads as a number.
    pub score: Option<Decimal>,
}

/// An evidence file found beside a return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub item: String,
    pub name: String,
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// A file named in an evidence input, and where.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvidenceName {
    pub item: String,
    /// The evidence input's key.
    pub key: String,
    pub name: String,
    pub cell: String,
}

fn is_return(kind: &crate::identity::Kind) -> bool {
    *kind == crate::identity::Kind::Return
}

/// One file that was examined as a return: a department's workbook, or the assessment group's
/// review workbook (`kind` review, no department).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Return {
    pub path: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "is_return")]
    pub kind: crate::identity::Kind,
    pub department: Option<String>,
    pub round: Option<u32>,
    pub issued_at: Option<String>,
    /// File time (modified, or stored in the zip).
    pub received: Option<String>,
    pub size: u64,
    pub sha256: String,
    pub sheet: Option<String>,
    pub findings: Vec<Finding>,
    #[serde(skip)]
    pub items: IndexMap<String, ItemReturn>,
    #[serde(skip)]
    pub signoff: IndexMap<String, CellValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Files named in the evidence inputs.
    #[serde(skip)]
    pub evidence_names: Vec<EvidenceName>,
    /// A workbook of this campaign whose signature did not verify.
    #[serde(skip)]
    pub signature_failed: bool,
    /// The department its identity claims, when the signature did not verify.
    #[serde(skip)]
    pub claimed: Option<String>,
    /// What a review workbook holds: the reviewed scores and the bonuses and deductions.
    #[serde(skip)]
    pub review: Option<Box<review::Reviewed>>,
    /// It lies in the review folder, where the office alone puts the review workbook.
    #[serde(skip)]
    pub in_review_folder: bool,
    #[serde(skip)]
    place: Option<Place>,
}

impl Return {
    fn new(path: &str, received: Option<String>, place: Place) -> Return {
        Return {
            path: path.to_string(),
            status: Status::Unrecognized,
            kind: crate::identity::Kind::Return,
            department: None,
            round: None,
            issued_at: None,
            received,
            size: 0,
            sha256: String::new(),
            sheet: None,
            findings: Vec::new(),
            items: IndexMap::new(),
            signoff: IndexMap::new(),
            evidence: Vec::new(),
            evidence_names: Vec::new(),
            signature_failed: false,
            claimed: None,
            review: None,
            in_review_folder: false,
            place: Some(place),
        }
    }

    fn finish(mut self, status: Status, findings: Vec<Finding>) -> Return {
        self.status = status;
        self.findings.extend(findings);
        self
    }

    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// The sign-off value of `key`, or empty.
    pub fn signoff_text(&self, key: &str) -> &str {
        self.signoff.get(key).map_or("", |c| c.text.as_str())
    }

    /// Whether the workbook verified as one this campaign issued: a department's, or the
    /// review.
    pub fn identified(&self) -> bool {
        self.department.is_some() || self.is_review()
    }

    /// Whether it is the assessment group's review workbook.
    pub fn is_review(&self) -> bool {
        self.kind == crate::identity::Kind::Review
    }
}

/// Where a department stands in a run: the return that counts for it is valid, has errors, or
/// there is none (`valid` | `invalid` | `missing` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DepartmentStatus {
    Valid,
    Invalid,
    Missing,
}

impl std::fmt::Display for DepartmentStatus {
    /// The word of JSON and of the spec's `status.*` labels: `valid`, `invalid`, `missing`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DepartmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DepartmentStatus::Valid => "valid",
            DepartmentStatus::Invalid => "invalid",
            DepartmentStatus::Missing => "missing",
        }
    }
}

/// A department's standing in this collection.
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    pub department: String,
    pub persons: Vec<String>,
    pub status: DepartmentStatus,
    /// Index into [`Collection::returns`] of the return that counts.
    #[serde(skip)]
    pub chosen: Option<usize>,
    pub file: Option<String>,
    pub received: Option<String>,
    pub errors: usize,
    pub warnings: usize,
}

/// Everything `validate` learned from one run.
#[derive(Debug, Serialize)]
pub struct Collection {
    pub returns: Vec<Return>,
    pub skipped: Vec<Skipped>,
    /// Per department of the master, in its order.
    pub departments: Vec<Standing>,
    /// Findings not about one file (missing returns).
    pub general: Vec<Finding>,
    /// The review workbook that counts, when one came back.
    pub review: Option<review::ReviewStanding>,
}

impl Collection {
    pub fn missing(&self) -> impl Iterator<Item = &Standing> {
        self.departments
            .iter()
            .filter(|d| d.status == DepartmentStatus::Missing)
    }

    /// The indexes of the returns that count: each department's and the review's.
    pub fn counted(&self) -> Vec<usize> {
        self.departments
            .iter()
            .filter_map(|d| d.chosen)
            .chain(self.review.as_ref().map(|r| r.chosen))
            .collect()
    }

    /// Every review workbook this run met, wherever it lay, each with whether it is the one
    /// that counts: earlier rounds and copies, and those that never count (from a
    /// department's folder, upload or zip; of another period) — so that the office sees
    /// every review in play and where it came from.
    pub fn reviews_met(&self) -> Vec<(&Return, bool)> {
        let chosen = self.review.as_ref().map(|r| r.chosen);
        self.returns
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.is_review()
                    || r.findings.iter().any(|f| {
                        f.code == Code::ReviewMisplaced
                            || (f.code == Code::PeriodOther
                                && f.variant
                                    .as_deref()
                                    .is_some_and(|v| v.starts_with("period_other.review")))
                    })
            })
            .map(|(i, r)| (r, Some(i) == chosen))
            .collect()
    }

    /// The review that counts and what it holds, when it is valid.
    pub fn valid_review(&self) -> Option<(&Return, &review::Reviewed)> {
        let standing = self.review.as_ref().filter(|r| r.status == Status::Valid)?;
        let ret = self.returns.get(standing.chosen)?;
        Some((ret, ret.review.as_deref()?))
    }

    /// The return that counts for `department`, if any.
    pub fn chosen(&self, department: &str) -> Option<&Return> {
        self.departments
            .iter()
            .find(|d| d.department == department)
            .and_then(|d| d.chosen)
            .map(|i| &self.returns[i])
    }

    /// Whether every department returned a valid workbook and nothing else has errors.
    pub fn all_clear(&self) -> bool {
        self.departments
            .iter()
            .all(|d| d.status == DepartmentStatus::Valid)
            && self
                .returns
                .iter()
                .filter(|r| r.status != Status::Superseded)
                .all(|r| r.errors() == 0)
    }
}

/// Reads and checks every workbook gathered, then decides what counts for each department.
pub fn collect(ctx: &Context, gathered: Gathered) -> Collection {
    collect_with_progress(ctx, gathered, &|_| {})
}

/// As [`collect`], calling `progress` with the number of workbooks checked so far. Workbooks are
/// checked in parallel, each read only while it is checked (memory stays flat); the result is in
/// the gathered order whatever the number of threads.
pub fn collect_with_progress(
    ctx: &Context,
    gathered: Gathered,
    progress: &(dyn Fn(usize) + Sync),
) -> Collection {
    let opened = open_all(&ctx.limits, ctx.spec, gathered, progress);
    collect_opened(ctx, opened)
}

/// The gathered inputs opened (in parallel), each as far as it can be read without the
/// master; `progress` is told how many are open.
pub struct OpenedInputs {
    opened: Vec<check::Opened>,
    others: Vec<gather::Other>,
    skipped: Vec<Skipped>,
}

/// Opens every gathered input (see [`OpenedInputs`]): what [`collect_opened`] then checks
/// against the master. Needs no master, so it can run while the master is read.
pub fn open_all(
    limits: &Limits,
    spec: &Spec,
    gathered: Gathered,
    progress: &(dyn Fn(usize) + Sync),
) -> OpenedInputs {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let Gathered {
        inputs,
        others,
        skipped,
        archives: _,
    } = gathered;
    let done = AtomicUsize::new(0);
    let sheet = &spec.template.sheet;
    let opened = inputs
        .into_par_iter()
        .map(|input| {
            let opened = check::open(limits, sheet, input);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            opened
        })
        .collect();
    OpenedInputs {
        opened,
        others,
        skipped,
    }
}

/// Checks the [`open_all`]ed inputs against the campaign and settles which return counts.
pub fn collect_opened(ctx: &Context, opened: OpenedInputs) -> Collection {
    use rayon::prelude::*;
    let OpenedInputs {
        opened,
        mut others,
        skipped,
    } = opened;
    let mut returns: Vec<Return> = opened
        .into_par_iter()
        .map(|opened| check::checked(ctx, opened))
        .collect();
    // Each return's folder, so that evidence in a folder of another department's return is
    // never credited to this one.
    let folders: Vec<(std::path::PathBuf, Option<String>)> = returns
        .iter()
        .filter_map(|r| match &r.place {
            Some(Place::Folder(dir)) => Some((dir.clone(), r.department.clone())),
            _ => None,
        })
        .collect();
    for ret in &mut returns {
        resolve_evidence(ret, &mut others, &folders);
    }
    sender::sender_findings(ctx.roster(), &mut returns);
    let mut skipped = skipped;
    for other in &others {
        skipped.push(Skipped {
            path: other.display.clone(),
            reason: other.reason.clone(),
        });
    }
    settle(ctx, returns, skipped)
}

/// Which return counts for each department, the departments missing, and the findings about
/// the whole collection: from returns checked now, or as their receipts keep them.
pub fn settle(ctx: &Context, returns: Vec<Return>, skipped: Vec<Skipped>) -> Collection {
    let mut collection = decide(ctx, returns, skipped);
    secret_check(ctx, &mut collection);
    collection
}

/// When no workbook of this campaign verifies and several fail, the fault is the campaign's
/// key, not every department's: say so once, and tell the departments nothing.
fn secret_check(ctx: &Context, collection: &mut Collection) {
    let failed = collection
        .returns
        .iter()
        .filter(|r| r.signature_failed)
        .count();
    let verified = collection.returns.iter().any(Return::identified);
    if failed < 2 || verified {
        return;
    }
    for ret in collection.returns.iter_mut().filter(|r| r.signature_failed) {
        for f in ret
            .findings
            .iter_mut()
            .filter(|f| f.code == Code::SignatureInvalid)
        {
            f.variant = Some("signature_invalid.key".into());
        }
    }
    let _ = ctx;
    collection.general.insert(
        0,
        Finding::error(Code::SecretChanged).arg("count", failed.to_string()),
    );
}

/// Looks up the files named in 佐证材料 beside the return: in its folder (and below), or in
/// its archive.
fn resolve_evidence(
    ret: &mut Return,
    others: &mut [gather::Other],
    folders: &[(std::path::PathBuf, Option<String>)],
) {
    let Some(place) = ret.place.clone() else {
        return;
    };
    // A file below this return's folder lies in another department's part of the tree when a
    // return of that department sits in a folder between the two.
    let theirs = |dir: &std::path::Path, base: &std::path::Path| {
        folders.iter().any(|(folder, department)| {
            department != &ret.department
                && folder != base
                && folder.starts_with(base)
                && dir.starts_with(folder)
        })
    };
    let names = std::mem::take(&mut ret.evidence_names);
    for EvidenceName {
        item,
        key,
        name,
        cell,
    } in names
    {
        let wanted = crate::cell_text::fold(&name);
        let found = others.iter_mut().find(|o| {
            crate::cell_text::fold(&o.name) == wanted
                && match (&o.place, &place) {
                    (Place::Archive(a), Place::Archive(b)) => a == b,
                    (Place::Folder(dir), Place::Folder(base)) => {
                        dir.starts_with(base) && !theirs(dir, base)
                    }
                    _ => false,
                }
        });
        match found {
            Some(other) => {
                if other.sha256.is_none()
                    && let Some(path) = &other.path
                {
                    other.sha256 = gather::sha256_file(path).ok();
                }
                // A reason key of the terminal texts, with its argument after the colon.
                other.reason = format!(
                    "evidence:{}",
                    ret.department.as_deref().unwrap_or(&ret.path)
                );
                ret.evidence.push(Evidence {
                    item,
                    name: other.name.clone(),
                    path: other.display.clone(),
                    size: other.size,
                    sha256: other.sha256.clone().unwrap_or_default(),
                });
            }
            None => {
                let mut f = Finding::warning(Code::EvidenceMissing);
                f.file = Some(ret.path.clone());
                f.sheet = ret.sheet.clone();
                f.cell = Some(cell);
                f.item = Some(item);
                f.key = Some(key);
                f.value = Some(name);
                ret.findings.push(f);
            }
        }
    }
}

/// Why one return counts rather than another of the same department (or review).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    NewerRound,
    NewerIssue,
    NewerFile,
    SameContent,
    FileName,
}

impl Why {
    /// Why `w` counts rather than `l`.
    fn of(w: &Return, l: &Return) -> Why {
        if w.round != l.round {
            Why::NewerRound
        } else if w.issued_at != l.issued_at {
            Why::NewerIssue
        } else if w.received != l.received {
            Why::NewerFile
        } else if w.sha256 == l.sha256 {
            Why::SameContent
        } else {
            Why::FileName
        }
    }

    /// The reason's word key, after `duplicate_return.` or `review.why.`.
    fn key(self) -> &'static str {
        match self {
            Why::NewerRound => "newer_round",
            Why::NewerIssue => "newer_issue",
            Why::NewerFile => "newer_file",
            Why::SameContent => "same_content",
            Why::FileName => "file_name",
        }
    }
}

/// The order in which returns of one department (or reviews) are preferred: the newest round,
/// then the newest issue, then the newest file time, then the file name.
fn preferred(a: &Return, b: &Return) -> std::cmp::Ordering {
    b.round
        .cmp(&a.round)
        .then_with(|| b.issued_at.cmp(&a.issued_at))
        .then_with(|| b.received.cmp(&a.received))
        .then_with(|| a.path.cmp(&b.path))
}

/// The finding on a return superseded by `w`: which one is used, and why.
fn superseded(dept: &str, w: &Return, l: &Return) -> Finding {
    let variant = format!("duplicate_return.{}", Why::of(w, l).key());
    let mut f = Finding::warning(Code::DuplicateReturn)
        .arg("department", dept)
        .arg("round", w.round.unwrap_or(0).to_string())
        .arg("other", l.round.unwrap_or(0).to_string());
    f.variant = Some(variant);
    f.file = Some(l.path.clone());
    f.value = Some(l.path.clone());
    f.expected = Some(w.path.clone());
    f
}

/// How many input values differ between two returns (items and sign-off).
fn differences(a: &Return, b: &Return) -> usize {
    let mut count = 0;
    for (id, item) in &a.items {
        for (key, cell) in &item.values {
            let other = b.items.get(id).and_then(|i| i.values.get(key));
            if other.is_none_or(|o| o.text != cell.text) {
                count += 1;
            }
        }
    }
    count += b
        .items
        .keys()
        .filter(|id| !a.items.contains_key(*id))
        .count();
    for (key, cell) in &a.signoff {
        if b.signoff.get(key).is_none_or(|o| o.text != cell.text) {
            count += 1;
        }
    }
    count
}

/// A return that replaces a valid one of other content must be confirmed by a person: a later
/// workbook filled by someone else must not silently replace a department's real return. A
/// replaced return that was invalid (the feedback round) needs no confirmation.
fn unconfirmed(
    ctx: &Context,
    dept: &str,
    returns: &[Return],
    winner: usize,
    losers: &[usize],
) -> Option<Finding> {
    let w = &returns[winner];
    let confirmed = |old: &str| {
        ctx.confirmed
            .iter()
            .any(|(d, new, replaced)| d == dept && new == &w.sha256 && replaced == old)
    };
    let (l, count) = losers
        .iter()
        .map(|&i| &returns[i])
        .filter(|l| l.errors() == 0 && l.sha256 != w.sha256 && !confirmed(&l.sha256))
        .map(|l| (l, differences(w, l)))
        .find(|(_, count)| *count > 0)?;
    let mut f = Finding::error(Code::ReplacementUnconfirmed)
        .arg("department", dept)
        .arg("count", count.to_string());
    f.file = Some(w.path.clone());
    f.value = Some(w.path.clone());
    f.expected = Some(l.path.clone());
    Some(f)
}

/// Which return counts for each department: the newest round, then the newest issue, then the
/// newest file time, then the file name. The others are superseded and say by which.
fn decide(ctx: &Context, mut returns: Vec<Return>, skipped: Vec<Skipped>) -> Collection {
    let mut by_department: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, ret) in returns.iter().enumerate() {
        if let (Some(dept), Status::Valid | Status::Invalid) = (&ret.department, ret.status) {
            by_department.entry(dept.clone()).or_default().push(i);
        }
    }
    let mut chosen: HashMap<String, usize> = HashMap::new();
    for (dept, mut candidates) in by_department {
        candidates.sort_by(|&a, &b| preferred(&returns[a], &returns[b]));
        let winner = candidates[0];
        for &loser in &candidates[1..] {
            let finding = superseded(&dept, &returns[winner], &returns[loser]);
            let l = &mut returns[loser];
            l.status = Status::Superseded;
            l.findings.push(finding);
        }
        if let Some(finding) = unconfirmed(ctx, &dept, &returns, winner, &candidates[1..]) {
            let w = &mut returns[winner];
            w.status = Status::Invalid;
            w.findings.push(finding);
        }
        chosen.insert(dept, winner);
    }
    let mut departments = Vec::new();
    let mut general = Vec::new();
    for dept in ctx.master.departments() {
        let pick = chosen.get(&dept.name).copied();
        let (status, file, received, errors, warnings) = match pick {
            Some(i) => {
                let r = &returns[i];
                let errors = r.errors();
                (
                    if r.status == Status::Valid {
                        DepartmentStatus::Valid
                    } else {
                        DepartmentStatus::Invalid
                    },
                    Some(r.path.clone()),
                    r.received.clone(),
                    errors,
                    r.findings.len() - errors,
                )
            }
            None => {
                let f = Finding::error(Code::MissingReturn)
                    .arg("department", &dept.name)
                    .arg(
                        "persons_list",
                        crate::finding::list(dept.persons.iter().map(String::as_str)),
                    );
                general.push(f);
                (DepartmentStatus::Missing, None, None, 0, 0)
            }
        };
        departments.push(Standing {
            department: dept.name.clone(),
            persons: dept.persons.clone(),
            status,
            chosen: pick,
            file,
            received,
            errors,
            warnings,
        });
    }
    let review = review::decide(ctx, &mut returns, &departments);
    for ret in &mut returns {
        ret.findings.sort_by_key(|f| f.severity);
    }
    Collection {
        returns,
        skipped,
        departments,
        general,
        review,
    }
}
