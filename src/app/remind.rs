//! `status --remind`: a reminder for each department that has not returned a usable workbook
//! (`out/提醒/<部门>.txt`) — whom to call (its persons, and the phone of the sign-off of what
//! came back), the deadline, and what is wrong: nothing came back, or the errors found — and
//! the list of them (`out/提醒/催报清单.xlsx`) to work through by phone.
//!
//! Each run writes the reminders of that moment: a department's reminder from an earlier run
//! that is no longer due (its workbook has since come back valid) is removed, and so is the list
//! when nobody is to be reminded, so the folder never holds a reminder that is out of date.

use std::path::{Path, PathBuf};

use super::check::Checked;
use super::{AppError, Progress};
use crate::campaign::Campaign;
use crate::finding::{Code, Severity};
use crate::notice::{Issuer, Reminder, Standing};
use crate::returns::{Return, Status};
use crate::spec::{InputKind, Spec};

/// What `status --remind` checks.
#[derive(Debug, Clone, Default)]
pub struct RemindOptions {
    /// Files, folders or archives; the inbox when empty.
    pub paths: Vec<PathBuf>,
    /// RFC 3339 time of the run.
    pub at: String,
}

/// One reminder written.
#[derive(Debug, Clone)]
pub struct Written {
    pub department: String,
    pub path: PathBuf,
    pub standing: Standing,
    /// Errors it lists.
    pub problems: usize,
}

/// What `status --remind` wrote.
#[derive(Debug)]
pub struct Reminded {
    /// The folder of the reminders (`out/提醒`).
    pub dir: PathBuf,
    pub reminders: Vec<Written>,
    /// The list of reminders, when anybody is to be reminded.
    pub list: Option<PathBuf>,
    /// Reminders (and the list) of an earlier run no longer due, removed.
    pub removed: Vec<PathBuf>,
    /// The holder of a lock taken over (a run that did not finish).
    pub took_over: Option<crate::lock::Holder>,
}

/// Checks the returns (as `status` does) and writes the reminders.
pub fn check_and_remind(
    campaign: Campaign,
    options: &RemindOptions,
    progress: &dyn Progress,
) -> Result<(Checked, Reminded), AppError> {
    let locked = super::lock(&campaign, "status")?;
    let checked = super::check::check(campaign, &options.paths, progress)?;
    let mut reminded = write(&checked, &options.at)?;
    reminded.took_over = locked.took_over;
    drop(locked.lock);
    Ok((checked, reminded))
}

/// The name of a file as a person knows it: the last part of a shown path (`inbox/a.zip!x.xlsx`
/// gives `x.xlsx`).
fn file_name(shown: &str) -> String {
    let inner = shown.rsplit('!').next().unwrap_or(shown);
    Path::new(inner)
        .file_name()
        .map_or_else(|| inner.to_string(), |n| n.to_string_lossy().into_owned())
}

/// The sign-off key of the phone: the first sign-off input of kind phone.
fn phone_key(spec: &Spec) -> &str {
    spec.signoff
        .iter()
        .find(|i| i.kind == InputKind::Phone)
        .map_or("phone", |i| i.key.as_str())
}

/// Whether every error of a return is a replacement waiting for the office's confirmation:
/// nothing for the department to do.
fn only_unconfirmed(ret: &Return) -> bool {
    ret.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .all(|f| f.code == Code::ReplacementUnconfirmed)
}

/// The error messages of a return, in the spec's language.
fn problems(spec: &Spec, ret: &Return) -> Vec<String> {
    ret.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.message(spec))
        .collect()
}

/// The reminders due, one per department that has not returned a usable workbook, in the
/// master's order; each named by its file name in `names` (by department index).
pub fn reminders(checked: &Checked, names: &[String]) -> Vec<Reminder> {
    let Checked {
        campaign,
        spec,
        master,
        collection,
        ..
    } = checked;
    let config = &campaign.config;
    let departments: Vec<&str> = master
        .departments()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    let workbooks = crate::template::file_names(&config.title, &departments);
    let feedback_dir = campaign.out().join("feedback");
    let phone = phone_key(spec);
    let mut due = Vec::new();
    for standing in &collection.departments {
        let Some(index) = departments.iter().position(|d| *d == standing.department) else {
            continue;
        };
        let department = standing.department.as_str();
        let chosen = standing.chosen.map(|i| &collection.returns[i]);
        let (kind, ret) = match (standing.status, chosen) {
            (crate::returns::DepartmentStatus::Valid, _) => continue,
            (_, Some(ret)) if ret.status == Status::Invalid => {
                if only_unconfirmed(ret) {
                    continue;
                }
                (Standing::Invalid, Some(ret))
            }
            _ => {
                // Nothing usable came back; perhaps a file that says it is this department's.
                let claimed = collection.returns.iter().find(|r| {
                    r.status == Status::Unrecognized
                        && (r.claimed.as_deref() == Some(department)
                            || r.department.as_deref() == Some(department))
                });
                match claimed {
                    Some(ret) => (Standing::Unusable, Some(ret)),
                    None => (Standing::Missing, None),
                }
            }
        };
        let feedback = match (kind, ret) {
            (Standing::Invalid, Some(ret)) => {
                let round = crate::returns::feedback::next_round(ret, config.round);
                let name =
                    crate::returns::feedback::file_name(spec, &config.title, department, round);
                if feedback_dir.join(&name).is_file() {
                    name
                } else {
                    String::new()
                }
            }
            _ => String::new(),
        };
        due.push(Reminder {
            department: department.to_string(),
            persons: standing.persons.clone(),
            phone: ret.map_or("", |r| r.signoff_text(phone)).trim().to_string(),
            filler: ret
                .map_or("", |r| r.signoff_text("filler"))
                .trim()
                .to_string(),
            standing: kind,
            workbook: workbooks[index].clone(),
            file: ret.map_or_else(String::new, |r| file_name(&r.path)),
            received: ret
                .and_then(|r| r.received.as_deref())
                .map(crate::time::local)
                .unwrap_or_default(),
            problems: ret.map_or_else(Vec::new, |r| problems(spec, r)),
            feedback,
            reminder: names[index].clone(),
        });
    }
    due
}

/// The reminders' file names, one per department of the master and all different.
fn reminder_names(spec: &Spec, departments: &[&str]) -> Vec<String> {
    crate::cell_text::department_file_names(&spec.word("remind.file"), departments)
}

/// Writes the reminders due and their list, and removes those no longer due.
fn write(checked: &Checked, at: &str) -> Result<Reminded, AppError> {
    let Checked {
        campaign,
        spec,
        master,
        ..
    } = checked;
    let dir = campaign
        .out()
        .join(crate::cell_text::safe_file_name(&spec.word("remind.dir")));
    campaign.check_output_dir(&dir)?;
    let departments: Vec<&str> = master
        .departments()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    let names = reminder_names(spec, &departments);
    let due = reminders(checked, &names);
    let issuer = Issuer::new(&campaign.config, spec, at);
    let list = dir.join(crate::cell_text::safe_file_name(
        &spec.word("remind.list_file"),
    ));
    let mut removed = Vec::new();
    for name in &names {
        if !due.iter().any(|r| &r.reminder == name) {
            remove(dir.join(name), &mut removed)?;
        }
    }
    if due.is_empty() {
        remove(list, &mut removed)?;
        return Ok(Reminded {
            dir,
            reminders: Vec::new(),
            list: None,
            removed,
            took_over: None,
        });
    }
    super::create_dir(&dir)?;
    crate::write::clean_stale_temps(&dir);
    let mut written = Vec::new();
    for reminder in &due {
        let path = dir.join(&reminder.reminder);
        let text = crate::notice::reminder_text(spec, &issuer, reminder);
        super::save(campaign, &path, &crate::notice::windows_text(&text))?;
        written.push(Written {
            department: reminder.department.clone(),
            path,
            standing: reminder.standing,
            problems: reminder.problems.len(),
        });
    }
    let bytes = crate::notice::reminder_list(spec, &issuer, &crate::time::local(at), &due)
        .map_err(|e| AppError::write(&list, e))?;
    super::save(campaign, &list, &bytes)?;
    Ok(Reminded {
        dir,
        reminders: written,
        list: Some(list),
        removed,
        took_over: None,
    })
}

/// Removes an earlier run's file that is no longer due, noting it in `removed`.
fn remove(path: PathBuf, removed: &mut Vec<PathBuf>) -> Result<(), AppError> {
    if path.is_file() {
        std::fs::remove_file(&path).map_err(|e| AppError::write(&path, e))?;
        removed.push(path);
    }
    Ok(())
}
