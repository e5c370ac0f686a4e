//! Generating the fill-in workbooks of a campaign: one per department (lead or cooperating),
//! written in parallel, each under a name of its own; with each its notice (`通知/<部门>.txt`),
//! and the sending list (`发送清单.xlsx`) of every department, beside them.
//!
//! The sending list always lists every department of the master. After `--dept X` only X's
//! workbook and notice are written; the list is rewritten whole: X's row from what was just
//! written, each other row from the workbook already in the folder, marked in 备注 when that
//! workbook is missing or no longer the one the current master and round make (so the list
//! never claims a file that is not there, or not current).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{AppError, Progress, Stage};
use crate::campaign::Campaign;
use crate::finding::{Finding, Severity};
use crate::notice::{Issuer, ListRow, Notice, Remark};

#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    /// Only these departments (all when empty).
    pub departments: Vec<String>,
    /// Write into this folder instead of the campaign's outbox/.
    pub out: Option<PathBuf>,
    /// RFC 3339 time of issue.
    pub at: String,
    /// Values to prefill, by department (a new period's carried values).
    pub prefill: std::collections::HashMap<String, crate::template::Prefill>,
}

/// One workbook written, and its notice.
#[derive(Debug, Clone)]
pub struct Issued {
    pub department: String,
    pub path: PathBuf,
    pub items: usize,
    pub notice: PathBuf,
}

/// What the workbooks will say less well than they should.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenerateWarning {
    /// No contact in tianbao.toml: workbooks and notices name only the spec's words for the
    /// office (`考评办公室`).
    NoContact,
    /// No deadline in tianbao.toml: every workbook says `请于（见通知）前`.
    NoDeadline,
}

/// The sending list and the notices.
#[derive(Debug, Clone)]
pub struct Papers {
    /// The sending list (`发送清单.xlsx`).
    pub list: PathBuf,
    /// The folder of the notices (`通知/`).
    pub notice_dir: PathBuf,
    /// Departments whose workbook in the folder is missing or outdated, as the list says.
    pub not_current: Vec<(String, Remark)>,
}

#[derive(Debug)]
pub enum GenerateOutcome {
    /// The master table has errors: nothing is written.
    Refused {
        master: PathBuf,
        errors: Vec<Finding>,
    },
    Written {
        dir: PathBuf,
        issued: Vec<Issued>,
        took_over: Option<crate::lock::Holder>,
        papers: Papers,
        warnings: Vec<GenerateWarning>,
    },
}

/// The warnings for a campaign's settings.
pub fn warnings(config: &crate::campaign::Config) -> Vec<GenerateWarning> {
    let mut warnings = Vec::new();
    if config.contact.trim().is_empty() {
        warnings.push(GenerateWarning::NoContact);
    }
    if config.deadline.trim().is_empty() {
        warnings.push(GenerateWarning::NoDeadline);
    }
    warnings
}

/// Writes the fill-in workbooks of `campaign`.
pub fn generate(
    campaign: &Campaign,
    options: &GenerateOptions,
    progress: &dyn Progress,
) -> Result<GenerateOutcome, AppError> {
    let locked = super::lock(campaign, "generate")?;
    let mut outcome = write_all(campaign, options, progress)?;
    if let GenerateOutcome::Written { took_over, .. } = &mut outcome {
        *took_over = locked.took_over;
    }
    drop(locked.lock);
    Ok(outcome)
}

/// Writes the fill-in workbooks of `campaign`, its lock held by the caller.
pub(crate) fn write_all(
    campaign: &Campaign,
    options: &GenerateOptions,
    progress: &dyn Progress,
) -> Result<GenerateOutcome, AppError> {
    let spec = campaign.spec()?;
    let read = campaign.read_master(&spec)?;
    let errors: Vec<Finding> = read
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        let master = campaign.master_path();
        return Ok(GenerateOutcome::Refused { master, errors });
    }
    let master = &read.master;
    check_fit(campaign, &spec, master, &options.departments)?;
    let known: Vec<&str> = master
        .departments()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    // Names for every department at once, so that they differ and stay the same whatever is
    // selected.
    let names = crate::template::file_names(&campaign.config.title, &known);
    let selected: Vec<(&str, &String)> = known
        .iter()
        .copied()
        .zip(&names)
        .filter(|(d, _)| {
            options.departments.is_empty() || options.departments.iter().any(|w| w == d)
        })
        .collect();
    let dir = options.out.clone().unwrap_or_else(|| campaign.outbox());
    campaign.check_output_dir(&dir)?;
    super::create_dir(&dir)?;
    let notice_folder = crate::cell_text::safe_file_name(&spec.word("outbox.notice_dir"));
    let notice_dir = dir.join(&notice_folder);
    super::create_dir(&notice_dir)?;
    crate::write::clean_stale_temps(&notice_dir);
    let config = &campaign.config;
    let batch = Batch {
        campaign,
        spec: &spec,
        master,
        form: crate::form::Form::new(master, &spec),
        issue: config.issue(config.round, &options.at),
        issuer: Issuer::new(config, &spec, &options.at),
        notice_names: notice_file_names(&spec, &known),
        known: &known,
        dir: &dir,
        notice_dir: &notice_dir,
        // The departments' private pages, once `tianbao serve` gave them tokens.
        links: crate::access::notice_links(campaign),
    };
    let issued = batch.issue_each(&selected, options, progress)?;
    let rows = batch.list_rows(&names, &notice_folder, &issued);
    let list = dir.join(crate::cell_text::safe_file_name(
        &spec.word("outbox.list_file"),
    ));
    let bytes = crate::notice::sending_list(&spec, &batch.issuer, &rows)
        .map_err(|e| AppError::write(&list, e))?;
    super::save(campaign, &list, &bytes)?;
    let not_current = rows
        .iter()
        .filter(|r| r.remark != Remark::Current)
        .map(|r| (r.department.clone(), r.remark))
        .collect();
    Ok(GenerateOutcome::Written {
        dir,
        issued,
        took_over: None,
        papers: Papers {
            list,
            notice_dir,
            not_current,
        },
        warnings: warnings(config),
    })
}

/// Whether the master and the spec make workbooks for `departments` (every department when
/// empty): weights where the spec scores, every column the spec's rules and formulas name,
/// and each department asked for in the master.
fn check_fit(
    campaign: &Campaign,
    spec: &crate::spec::Spec,
    master: &crate::model::Master,
    departments: &[String],
) -> Result<(), AppError> {
    let scores = spec
        .inputs
        .iter()
        .any(|i| i.kind == crate::spec::InputKind::Score);
    if !master.weighted() && scores {
        return Err(AppError::NoWeights {
            path: campaign.master_path().display().to_string(),
            spec: campaign.config.spec.clone(),
        });
    }
    let missing = missing_columns(master, spec);
    if !missing.is_empty() {
        return Err(AppError::MissingColumns {
            path: campaign.master_path().display().to_string(),
            spec: campaign.config.spec.clone(),
            columns: missing.join("、"),
        });
    }
    let known: Vec<&str> = master
        .departments()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    match departments.iter().find(|w| !known.contains(&w.as_str())) {
        Some(wanted) => Err(AppError::NoDepartment {
            name: wanted.clone(),
            known: known.join("、"),
        }),
        None => Ok(()),
    }
}

/// What every workbook and notice of one generate run is made with.
struct Batch<'a> {
    campaign: &'a Campaign,
    spec: &'a crate::spec::Spec,
    master: &'a crate::model::Master,
    form: crate::form::Form,
    issue: crate::template::Issue<'a>,
    issuer: Issuer,
    /// Every department of the master, in its order, and its notice's file name.
    known: &'a [&'a str],
    notice_names: Vec<String>,
    dir: &'a Path,
    notice_dir: &'a Path,
    /// Each department's private page, where `tianbao serve` gave it a token.
    links: Vec<(String, String)>,
}

impl Batch<'_> {
    fn link_of(&self, department: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|(d, _)| d == department)
            .map(|(_, url)| url.as_str())
    }

    /// Writes the workbook and notice of each `selected` department (with its file name),
    /// in parallel.
    fn issue_each(
        &self,
        selected: &[(&str, &String)],
        options: &GenerateOptions,
        progress: &dyn Progress,
    ) -> Result<Vec<Issued>, AppError> {
        progress.start(Stage::Generating, selected.len());
        let done = std::sync::atomic::AtomicUsize::new(0);
        let issued: Vec<Result<Issued, AppError>> = selected
            .par_iter()
            .map(|(department, name)| {
                let issued = self.issue_one(department, name, options.prefill.get(*department));
                progress.set(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
                issued
            })
            .collect();
        progress.finish();
        issued.into_iter().collect()
    }

    /// Writes `department`'s workbook as `name` and its notice.
    fn issue_one(
        &self,
        department: &str,
        name: &str,
        prefill: Option<&crate::template::Prefill>,
    ) -> Result<Issued, AppError> {
        let (campaign, master) = (self.campaign, self.master);
        let path = self.dir.join(name);
        let bytes = crate::template::write_template(
            master,
            &self.form,
            department,
            self.spec,
            &self.issue,
            prefill,
        )
        .map_err(|e| AppError::write(&path, e))?;
        super::save(campaign, &path, &bytes)?;
        let index = self
            .known
            .iter()
            .position(|d| *d == department)
            .unwrap_or(0);
        let notice = self.notice_dir.join(&self.notice_names[index]);
        let text = crate::notice::notice_text(
            self.spec,
            &self.issuer,
            &Notice {
                department,
                file: name,
                items: master.items_of(department).collect(),
                parts: master.has_cooperating(),
                link: self.link_of(department),
            },
        );
        super::save(campaign, &notice, &crate::notice::windows_text(&text))?;
        Ok(Issued {
            department: department.to_string(),
            path,
            items: master.items_of(department).count(),
            notice,
        })
    }

    /// The sending list's rows: every department of the master, those not just issued as
    /// their workbook in the folder stands.
    fn list_rows(&self, names: &[String], notice_folder: &str, issued: &[Issued]) -> Vec<ListRow> {
        let master = self.master;
        master
            .departments()
            .iter()
            .zip(names.iter().zip(&self.notice_names))
            .map(|(department, (file, notice))| {
                let name = department.name.as_str();
                let remark = if issued.iter().any(|i| i.department == name) {
                    Remark::Current
                } else {
                    on_disk(
                        self.campaign,
                        master,
                        &self.form,
                        name,
                        &self.dir.join(file),
                    )
                };
                ListRow {
                    department: department.name.clone(),
                    persons: department.persons.clone(),
                    file: file.clone(),
                    notice: format!("{notice_folder}/{notice}"),
                    items: department.items,
                    weight: department.weight,
                    remark,
                    link: self.link_of(name).map(str::to_string),
                }
            })
            .collect()
    }
}

/// The notices' file names, one per department and all different (`办公室.txt`).
pub fn notice_file_names(spec: &crate::spec::Spec, departments: &[&str]) -> Vec<String> {
    crate::cell_text::department_file_names(&spec.word("outbox.notice_file"), departments)
}

/// How the workbook of `department` at `path` stands: there and current (this campaign's, its
/// round, made from the current master's items for it), outdated, or not there.
fn on_disk(
    campaign: &Campaign,
    master: &crate::model::Master,
    form: &crate::form::Form,
    department: &str,
    path: &Path,
) -> Remark {
    if !path.is_file() {
        return Remark::NotGenerated;
    }
    let Ok(book) = crate::workbook::open(path) else {
        return Remark::Outdated;
    };
    let Ok(Some(identity)) = crate::identity::Identity::read(&book) else {
        return Remark::Outdated;
    };
    let rows: Vec<(String, String)> = master
        .items_of(department)
        .map(|item| (item.id.clone(), form.row_hash(item, department)))
        .collect();
    let fingerprint =
        crate::identity::rows_fingerprint(rows.iter().map(|(i, h)| (i.as_str(), h.as_str())));
    let config = &campaign.config;
    let current = identity.campaign == config.id
        && identity.department == department
        && identity.round == config.round
        && identity.fingerprint == fingerprint
        && identity.verify(&config.secret);
    if current {
        Remark::Current
    } else {
        Remark::Outdated
    }
}

/// The master columns the spec's rules and formulas name that `master` lacks (`目标值` for the
/// data kind on a table without a target): generate refuses until they are there.
pub fn missing_columns(master: &crate::model::Master, spec: &crate::spec::Spec) -> Vec<String> {
    let named = spec.inputs.iter().flat_map(|i| {
        let rule = i.rule.iter().flat_map(|r| r.names());
        let formula = i.expr.iter().flat_map(|e| e.names());
        rule.chain(formula).collect::<Vec<_>>()
    });
    let mut missing = crate::inputs::missing_columns(master, named);
    missing.dedup();
    missing
}
