//! The application layer: each operation of tianbao — inspect, init, generate, validate,
//! status, compile — as a library function that takes a campaign and options and returns a
//! typed result, with progress reported through [`Progress`]. The command line and the web
//! server are two renderers of these results; nothing here prints.

pub mod check;
pub mod compile;
pub mod feedback;
pub mod generate;
pub mod links;
pub mod period;
pub mod remind;
pub mod review;
pub mod standing;
pub mod upload;

use std::path::{Path, PathBuf};

use crate::campaign::{Campaign, CampaignError};
use crate::lock::{Lock, LockError};
use crate::master::MasterError;
use crate::spec::SpecError;
use crate::store::StoreError;

/// Why an operation could not run.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Campaign(#[from] CampaignError),
    #[error(transparent)]
    Master(#[from] MasterError),
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Gather(#[from] crate::returns::gather::GatherError),
    #[error("cannot write {path}: {detail}")]
    Write {
        path: String,
        detail: String,
        /// The system's reason, when it was a file-system error.
        io: Option<std::io::ErrorKind>,
    },
    #[error(
        "no inbox folder at {path}; create it and put the returned workbooks (or their zips) \
         there, or name them on the command line"
    )]
    NoInbox { path: String },
    #[error("no department \"{name}\" in the master table; its departments are: {known}")]
    NoDepartment { name: String, known: String },
    #[error(
        "the master table {path} has no weight column, and the spec \"{spec}\" scores each item \
         against its weight (自评得分 from 0 to the weight); name the column that holds the \
         weights with `tianbao init … --map \"分值=weight\"` (or in [columns] of tianbao.toml), \
         or use a spec without a score input for a table without weights"
    )]
    NoWeights { path: String, spec: String },
    #[error("the receipts of the last validate run cannot be used: {0}; run tianbao validate")]
    Receipt(String),
    #[error(
        "the spec \"{spec}\" has no score: a review sets reviewed scores, so it needs a campaign \
         that scores its items (tianbao init --kind assess)"
    )]
    ReviewNeedsScore { spec: String },
    #[error(
        "the spec \"{spec}\" reads the master column(s) {columns}, which the master table {path} \
         lacks; add them to the table (or rename the matching column), or use a spec of your own"
    )]
    MissingColumns {
        path: String,
        spec: String,
        columns: String,
    },
    #[error("\"{name}\" cannot name a period: {detail}")]
    PeriodName { name: String, detail: String },
    #[error(
        "the period \"{name}\" was begun already (the campaign's periods: {periods}); name a new \
         one, such as the next month"
    )]
    PeriodUsed { name: String, periods: String },
}

impl AppError {
    pub fn write(path: &Path, detail: impl std::fmt::Display) -> AppError {
        AppError::Write {
            path: path.display().to_string(),
            detail: detail.to_string(),
            io: None,
        }
    }

    /// A file-system error writing `path`.
    pub fn write_io(path: &Path, error: &std::io::Error) -> AppError {
        AppError::Write {
            path: path.display().to_string(),
            detail: error.to_string(),
            io: Some(error.kind()),
        }
    }
}

/// What an operation is busy with, for progress shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Generating,
    Checking,
    Hashing,
}

/// Progress of a long operation: `start` once per stage, then `set` with how many are done.
pub trait Progress: Sync {
    fn start(&self, _stage: Stage, _total: usize) {}
    fn set(&self, _done: usize) {}
    fn finish(&self) {}
}

/// No progress shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {}

/// The lock of a campaign a writing operation holds, and the holder it took over (a run that
/// did not finish), if any.
#[derive(Debug)]
pub struct Locked {
    pub lock: Lock,
    pub took_over: Option<crate::lock::Holder>,
}

/// Takes the lock of `campaign` for `command` (see [`crate::lock`]), and removes the temporary
/// files that interrupted runs left in its output folders.
pub fn lock(campaign: &Campaign, command: &str) -> Result<Locked, AppError> {
    let lock = Lock::acquire(&campaign.dir, command)?;
    let took_over = lock.stale.clone();
    for dir in [
        campaign.outbox(),
        campaign.out(),
        campaign.out().join("feedback"),
    ] {
        crate::write::clean_stale_temps(&dir);
    }
    Ok(Locked { lock, took_over })
}

/// The inputs of a run: the paths named, or the campaign's inbox (the current period's); and
/// the key its receipts are kept under (`inbox` or `inbox/<period>`, or the named paths).
pub fn inputs(campaign: &Campaign, paths: &[PathBuf]) -> Result<(Vec<PathBuf>, String), AppError> {
    if paths.is_empty() {
        let inbox = campaign.inbox();
        if !inbox.is_dir() {
            return Err(AppError::NoInbox {
                path: inbox.display().to_string(),
            });
        }
        return Ok((vec![inbox], campaign.inbox_key()));
    }
    let mut keys: Vec<String> = paths
        .iter()
        .map(|p| {
            std::path::absolute(p)
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string()
        })
        .collect();
    keys.sort();
    keys.dedup();
    Ok((paths.to_vec(), keys.join("\n")))
}

/// Gathers the inputs of a run on `paths` (as [`inputs`] gives them). The review workbook is
/// the assessment group's and is read only from where the office puts it: the campaign's
/// review folder, gathered with the inbox (and any named path inside it) and marked so; a
/// review workbook found anywhere else is never counted.
pub fn gather(
    campaign: &Campaign,
    paths: &[PathBuf],
) -> Result<crate::returns::gather::Gathered, AppError> {
    use crate::returns::gather;
    let limits = &campaign.config.limits;
    let root = std::path::absolute(campaign.review_root()).unwrap_or(campaign.review_root());
    let inside = |p: &PathBuf| std::path::absolute(p).is_ok_and(|a| a.starts_with(&root));
    let (mut review, others): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(inside);
    let on_inbox = paths.len() == 1 && paths[0] == campaign.inbox();
    if on_inbox && campaign.review_inbox().is_dir() {
        review.push(campaign.review_inbox());
    }
    let mut gathered = gather::gather(&others, limits)?;
    if !review.is_empty() {
        let mut placed = gather::gather(&review, limits)?;
        for input in &mut placed.inputs {
            input.in_review_folder = true;
        }
        gathered.append(placed);
    }
    Ok(gathered)
}

/// Saves `bytes` at `path` whole or not at all, refusing the campaign's own files.
pub fn save(campaign: &Campaign, path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    campaign.check_output(path)?;
    crate::write::save_atomic(path, bytes).map_err(|e| AppError::write_io(path, &e))
}

/// Creates `dir` (and its parents) for outputs.
pub fn create_dir(dir: &Path) -> Result<(), AppError> {
    std::fs::create_dir_all(dir).map_err(|e| AppError::write_io(dir, &e))
}
