//! Issuing the assessment group's review workbook (`tianbao review`, 核定表): the returns are
//! checked as `validate` checks them (and the run recorded, so that compile is bound to it),
//! then one row per item and department is written with what each department's valid return
//! says, for the group to set 核定得分 and 加分/扣分.
//!
//! Rounds: the first review is round 1. When a review has come back (valid or not), the next
//! `tianbao review` issues the round after the newest one returned and carries over what the
//! review that counts entered (核定得分, 核定说明, 加减分, sign-off), marking the rows whose
//! master content or department return changed since, so nothing the group typed is lost.

use std::path::PathBuf;

use super::check::{Checked, check, record};
use super::{AppError, Progress};
use crate::campaign::Campaign;
use crate::cell_text::show;
use crate::finding::{Finding, Severity};
use crate::returns::review::{Reviewed, current_values, rows_of};
use crate::returns::{Return, Standing};
use crate::template::review::{ReviewIssue, ReviewPrefill, ReviewRow, write_review};

#[derive(Debug, Clone, Default)]
pub struct ReviewOptions {
    /// Write the workbook here instead of out/<title>-核定表.xlsx.
    pub out: Option<PathBuf>,
    /// RFC 3339 time of issue.
    pub at: String,
}

/// What an earlier review round handed on to this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    /// The returned review it came from, and its round.
    pub file: String,
    pub round: u32,
    /// Rows with a 核定得分 or 核定说明 carried over.
    pub scores: usize,
    /// 加减分 entries carried over.
    pub adjustments: usize,
    /// Rows whose content changed since, highlighted for another look.
    pub changed: usize,
}

/// A review workbook written.
#[derive(Debug)]
pub struct ReviewWritten {
    pub path: PathBuf,
    pub round: u32,
    /// Rows (one per item and department) and departments.
    pub rows: usize,
    pub departments: usize,
    /// Departments without a valid return: their rows show 未交 or 有误 for the self-score.
    pub not_valid: Vec<Standing>,
    pub carried: Option<Carried>,
    pub checked: Checked,
    pub took_over: Option<crate::lock::Holder>,
}

#[derive(Debug)]
pub enum ReviewOutcome {
    /// The master table has errors: nothing is written.
    Refused {
        master: PathBuf,
        errors: Vec<Finding>,
    },
    Written(Box<ReviewWritten>),
}

/// Checks the inbox and writes the review workbook.
pub fn review(
    campaign: Campaign,
    options: &ReviewOptions,
    progress: &dyn Progress,
) -> Result<ReviewOutcome, AppError> {
    let locked = super::lock(&campaign, "review")?;
    let spec = campaign.spec()?;
    if spec.score_input().is_none() {
        return Err(AppError::ReviewNeedsScore {
            spec: campaign.config.spec.clone(),
        });
    }
    let read = campaign.read_master(&spec)?;
    let errors: Vec<Finding> = read
        .findings
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        return Ok(ReviewOutcome::Refused {
            master: campaign.master_path(),
            errors,
        });
    }
    if !read.master.weighted() {
        return Err(AppError::NoWeights {
            path: campaign.master_path().display().to_string(),
            spec: campaign.config.spec.clone(),
        });
    }
    let checked = check(campaign, &[], progress)?;
    record(&checked, "review", &options.at)?;
    let mut written = write(checked, options)?;
    written.took_over = locked.took_over;
    drop(locked.lock);
    Ok(ReviewOutcome::Written(Box::new(written)))
}

/// The newest review returned (any round that verified) and the review that counts.
fn earlier(checked: &Checked) -> (u32, Option<&Return>) {
    let collection = &checked.collection;
    let newest = collection
        .returns
        .iter()
        .filter(|r| r.is_review())
        .filter_map(|r| r.round)
        .max()
        .unwrap_or(0);
    let counted = collection
        .review
        .as_ref()
        .and_then(|s| collection.returns.get(s.chosen));
    (newest, counted)
}

/// What the review that counts entered, to be carried into the next round; the rows whose
/// master content or department return changed since are marked.
fn prefill(checked: &Checked, ret: &Return, reviewed: &Reviewed) -> ReviewPrefill {
    let collection = &checked.collection;
    let mut prefill = ReviewPrefill::default();
    for row in &reviewed.rows {
        let key = (row.item.clone(), row.department.clone());
        if row.score.is_some() || !row.note.trim().is_empty() {
            let score = row.score.map(show).unwrap_or_default();
            prefill
                .scores
                .insert(key.clone(), (score, row.note.clone()));
        }
        let (now, _) = current_values(
            &checked.spec,
            &collection.returns,
            &collection.departments,
            &row.item,
            &row.department,
        );
        if now != row.shown {
            prefill.changed.insert(key);
        }
    }
    prefill
        .changed
        .extend(reviewed.master_changed.iter().cloned());
    prefill.adjustments = reviewed
        .adjustments
        .iter()
        .map(|a| {
            [
                a.department.clone(),
                a.category.clone(),
                show(a.points),
                a.basis.clone(),
            ]
        })
        .collect();
    prefill.signoff = ret
        .signoff
        .iter()
        .map(|(key, cell)| (key.clone(), cell.text.clone()))
        .collect();
    prefill
}

/// A review workbook made, not yet saved.
#[derive(Debug)]
pub struct ReviewBytes {
    pub bytes: Vec<u8>,
    pub rows: usize,
    pub departments: usize,
}

/// The review workbook of `checked` for `round`, issued at `at`, with `prefill` entered.
pub fn review_workbook(
    checked: &Checked,
    round: u32,
    at: &str,
    prefill: &ReviewPrefill,
) -> Result<ReviewBytes, AppError> {
    let Checked {
        campaign,
        spec,
        master,
        collection,
        ..
    } = checked;
    let rows: Vec<ReviewRow> = rows_of(master)
        .into_iter()
        .map(|(item, department)| {
            let (values, self_score) = current_values(
                spec,
                &collection.returns,
                &collection.departments,
                &item.id,
                department,
            );
            ReviewRow {
                item,
                department,
                values,
                self_score,
            }
        })
        .collect();
    let departments: Vec<&str> = master
        .departments()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    let config = &campaign.config;
    let date = crate::time::today_local();
    let issue = ReviewIssue {
        title: &config.title,
        campaign_id: &config.id,
        secret: &config.secret,
        password: &config.password,
        round,
        issued_at: at,
        date: &date,
        period: config.period.as_deref(),
    };
    let form = crate::form::Form::review(master, spec);
    let bytes = write_review(&form, spec, &rows, &departments, &issue, prefill)
        .map_err(|e| AppError::write(&campaign.out(), e))?;
    Ok(ReviewBytes {
        bytes,
        rows: rows.len(),
        departments: departments.len(),
    })
}

/// The round the next review workbook is issued for: the one after the newest returned.
pub fn next_round(checked: &Checked) -> u32 {
    earlier(checked).0 + 1
}

/// Writes the review workbook of `checked`.
fn write(checked: Checked, options: &ReviewOptions) -> Result<ReviewWritten, AppError> {
    let (_, counted) = earlier(&checked);
    let round = next_round(&checked);
    let from = counted.and_then(|r| r.review.as_deref().map(|reviewed| (r, reviewed)));
    let prefill = from
        .map(|(ret, reviewed)| prefill(&checked, ret, reviewed))
        .unwrap_or_default();
    let carried = from.map(|(ret, reviewed)| Carried {
        file: ret.path.clone(),
        round: ret.round.unwrap_or(0),
        scores: prefill.scores.len(),
        adjustments: reviewed.adjustments.len(),
        changed: prefill.changed.len(),
    });
    let made = review_workbook(&checked, round, &options.at, &prefill)?;
    let (campaign, spec) = (&checked.campaign, &checked.spec);
    let path = match &options.out {
        Some(path) => path.clone(),
        None => {
            let out = campaign.out();
            super::create_dir(&out)?;
            let title = &campaign.config.title;
            let name = crate::cell_text::render(&spec.word("review.file"), &[("title", title)]);
            out.join(crate::cell_text::safe_file_name(&name))
        }
    };
    super::save(campaign, &path, &made.bytes)?;
    let store = crate::store::Store::open(&campaign.store_path())?;
    store.log(
        &options.at,
        "review",
        "issue",
        &format!("round {round}: {}", path.display()),
    )?;
    let not_valid = checked
        .collection
        .departments
        .iter()
        .filter(|d| d.status != crate::returns::DepartmentStatus::Valid)
        .cloned()
        .collect();
    Ok(ReviewWritten {
        path,
        round,
        rows: made.rows,
        departments: made.departments,
        not_valid,
        carried,
        checked,
        took_over: None,
    })
}
