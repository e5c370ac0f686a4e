//! Generating the fill-in workbooks of a campaign: one per department (lead or cooperating),
//! written in parallel, each under a name of its own.

use std::path::PathBuf;

use rayon::prelude::*;

use super::{AppError, Progress, Stage};
use crate::campaign::Campaign;
use crate::finding::{Finding, Severity};

#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    /// Only these departments (all when empty).
    pub departments: Vec<String>,
    /// Write into this folder instead of the campaign's outbox/.
    pub out: Option<PathBuf>,
    /// RFC 3339 time of issue.
    pub at: String,
}

/// One workbook written.
#[derive(Debug, Clone)]
pub struct Issued {
    pub department: String,
    pub path: PathBuf,
    pub items: usize,
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
    },
}

/// Writes the fill-in workbooks of `campaign`.
pub fn generate(
    campaign: &Campaign,
    options: &GenerateOptions,
    progress: &dyn Progress,
) -> Result<GenerateOutcome, AppError> {
    let locked = super::lock(campaign, "generate")?;
    let spec = campaign.spec()?;
    let read = campaign.read_master(&spec)?;
    let errors: Vec<Finding> = read
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Ok(GenerateOutcome::Refused {
            master: campaign.master_path(),
            errors,
        });
    }
    let master = &read.master;
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
    let known: Vec<&str> = master
        .departments()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    for wanted in &options.departments {
        if !known.contains(&wanted.as_str()) {
            return Err(AppError::NoDepartment {
                name: wanted.clone(),
                known: known.join("、"),
            });
        }
    }
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
    let form = crate::form::Form::new(master, &spec);
    let config = &campaign.config;
    let issue = config.issue(config.round, &options.at);
    progress.start(Stage::Generating, selected.len());
    let done = std::sync::atomic::AtomicUsize::new(0);
    let issued: Vec<Result<Issued, AppError>> = selected
        .par_iter()
        .map(|(department, name)| {
            let path = dir.join(name);
            let bytes =
                crate::template::write_template(master, &form, department, &spec, &issue, None)
                    .map_err(|e| AppError::write(&path, e))?;
            super::save(campaign, &path, &bytes)?;
            progress.set(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            Ok(Issued {
                department: department.to_string(),
                path,
                items: master.items_of(department).count(),
            })
        })
        .collect();
    progress.finish();
    let issued = issued.into_iter().collect::<Result<Vec<_>, _>>()?;
    drop(locked.lock);
    Ok(GenerateOutcome::Written {
        dir,
        issued,
        took_over: locked.took_over,
    })
}
