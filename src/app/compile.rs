//! Compiling a campaign: bound to what `validate` checked. The files given (the inbox by
//! default) are hashed and compared with the receipts of the last validate run on them; when
//! every one is as checked, the receipts' values are used without reading a return again, and
//! otherwise each file that is new, changed or gone is named and nothing is written (or, with
//! `revalidate`, everything is checked again first).

use std::path::PathBuf;

use super::check::{Checked, check, record};
use super::standing::Receipted;
use super::{AppError, Progress, Stage};
use crate::campaign::Campaign;
use crate::compile::{Request, Scores, blockers};
use crate::returns::receipt::{self, Changes};
use crate::returns::{self, Standing};
use crate::store::Store;

#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// Files, folders or archives; the inbox when empty.
    pub paths: Vec<PathBuf>,
    /// Where to write the workbook (default: out/<title>-汇总.xlsx).
    pub out: Option<PathBuf>,
    /// Compile although departments have no valid return: their items stay blank.
    pub allow_incomplete: bool,
    /// Validate first (records new receipts), then compile.
    pub revalidate: bool,
    /// RFC 3339 time of the run.
    pub at: String,
}

/// How a compile ended.
#[derive(Debug)]
pub enum CompileOutcome {
    Written(Box<Written>),
    /// Departments without a valid return (and no `allow_incomplete`).
    Refused {
        blockers: Vec<Standing>,
    },
    /// The review workbook that counts has errors (tampered, out of range, a reason missing,
    /// stale): the results would rest on it, so nothing is written.
    ReviewInvalid {
        review: crate::returns::review::ReviewStanding,
    },
    /// Files differ from what validate checked (`never`: nothing was validated yet).
    NotValidated {
        changes: Changes,
        never: bool,
    },
}

/// A compiled workbook written.
#[derive(Debug)]
pub struct Written {
    pub path: PathBuf,
    pub scores: Scores,
    /// Each item's measures and progress flag.
    pub measures: crate::compile::measures::Measures,
    /// With a review: each department's results (部门得分), in master order.
    pub results: Vec<crate::compile::results::DepartmentResult>,
    /// The departments without a valid return, whose items stayed blank.
    pub blockers: Vec<Standing>,
    pub checked: Checked,
    pub took_over: Option<crate::lock::Holder>,
}

/// Compiles the campaign's returns into the consolidated workbook.
pub fn compile(
    campaign: Campaign,
    options: &CompileOptions,
    progress: &dyn Progress,
) -> Result<CompileOutcome, AppError> {
    let locked = super::lock(&campaign, "compile")?;
    let checked = if options.revalidate {
        let checked = check(campaign, &options.paths, progress)?;
        record(&checked, "compile --revalidate", &options.at)?;
        checked
    } else {
        match from_receipts(campaign, &options.paths, progress)? {
            Ok(checked) => checked,
            Err(outcome) => return Ok(outcome),
        }
    };
    let blocked: Vec<Standing> = blockers(&checked.collection).into_iter().cloned().collect();
    if !blocked.is_empty() && !options.allow_incomplete {
        return Ok(CompileOutcome::Refused { blockers: blocked });
    }
    if let Some(review) = checked
        .collection
        .review
        .as_ref()
        .filter(|r| r.status != crate::returns::Status::Valid)
    {
        return Ok(CompileOutcome::ReviewInvalid {
            review: review.clone(),
        });
    }
    let written = write(checked, options, blocked)?;
    drop(locked.lock);
    Ok(CompileOutcome::Written(Box::new(Written {
        took_over: locked.took_over,
        ..written
    })))
}

/// The campaign as the last validate run checked it, when every file is still as it was.
fn from_receipts(
    campaign: Campaign,
    paths: &[PathBuf],
    progress: &dyn Progress,
) -> Result<Result<Checked, CompileOutcome>, AppError> {
    let spec = campaign.spec()?;
    let (paths, inputs) = super::inputs(&campaign, paths)?;
    // The master on one core; the files, their hashes and the receipts on the other.
    let (master, files) = rayon::join(
        || campaign.read_master(&spec),
        || as_checked(&campaign, &paths, &inputs, progress),
    );
    let read = master?;
    let found = match files? {
        Ok(found) => found,
        Err(outcome) => return Ok(Err(outcome)),
    };
    let (collection, _) = found.settle(campaign.context(&read.master, &spec));
    Ok(Ok(Checked {
        master: read.master,
        layout: read.layout,
        campaign,
        spec,
        collection,
        inputs,
    }))
}

/// The receipts of the last validate run on `inputs`, read and parsed, when every file is as
/// it checked them; otherwise how they differ.
fn as_checked(
    campaign: &Campaign,
    paths: &[PathBuf],
    inputs: &str,
    progress: &dyn Progress,
) -> Result<Result<Receipted, CompileOutcome>, AppError> {
    let gathered = super::gather(campaign, paths)?;
    let never = || {
        let new = gathered.inputs.iter().map(|i| i.display.clone()).collect();
        Ok(Err(CompileOutcome::NotValidated {
            changes: Changes {
                new,
                ..Changes::default()
            },
            never: true,
        }))
    };
    if !campaign.store_path().exists() {
        return never();
    }
    let store = Store::open(&campaign.store_path())?;
    let Some(run) = store.last_run(inputs)? else {
        return never();
    };
    let receipts = store.files(run.id)?;
    progress.start(Stage::Hashing, gathered.inputs.len());
    let seen = receipt::seen(&gathered.inputs);
    progress.finish();
    let changes = receipt::changes(&seen, &receipts);
    if !changes.is_empty() {
        return Ok(Err(CompileOutcome::NotValidated {
            changes,
            never: false,
        }));
    }
    Ok(Ok(Receipted::of_run(&store, run)?))
}

/// Writes the compiled workbook of `checked`.
fn write(
    checked: Checked,
    options: &CompileOptions,
    blockers: Vec<Standing>,
) -> Result<Written, AppError> {
    let Checked {
        campaign,
        spec,
        master,
        layout,
        collection,
        ..
    } = &checked;
    // The campaign's 制表单位; without one, the issuing organisation at the start of the title,
    // where it is plain (泉州市生态环境局2023年度…).
    let office = if campaign.config.office.is_empty() {
        issuer_of(&campaign.config.title)
    } else {
        campaign.config.office.as_str()
    };
    let date = crate::time::today_local();
    let history = history(campaign, spec, master, collection)?;
    let mut compiled = crate::compile::compile(&Request {
        master,
        layout,
        spec,
        collection,
        aggregation: campaign.config.aggregation,
        title: &campaign.config.title,
        office,
        date: &date,
        allow_incomplete: options.allow_incomplete,
        generated_at: &options.at,
        base: Some(&campaign.dir),
        as_of: campaign.as_of(),
        history: history.as_ref(),
    })
    .map_err(|e| AppError::write(&campaign.out(), e))?;
    let path = match &options.out {
        Some(path) => path.clone(),
        None => {
            let out = campaign.out();
            super::create_dir(&out)?;
            let name = crate::cell_text::render(
                &spec.word("compile.file"),
                &[("title", &campaign.config.title)],
            );
            out.join(crate::cell_text::safe_file_name(&name))
        }
    };
    campaign.check_output(&path)?;
    crate::write::save_atomic_with(&path, |file| {
        compiled
            .book
            .save_to_writer(file)
            .map_err(|e| std::io::Error::other(e.to_string()))
    })
    .map_err(|e| AppError::write(&path, e))?;
    Ok(Written {
        path,
        scores: compiled.scores,
        results: compiled.results,
        measures: compiled.measures,
        blockers,
        checked,
        took_over: None,
    })
}

/// In a campaign that runs in periods, each item's measure in every period: the earlier ones
/// as their last validate run settled them, the current one from `current`.
fn history(
    campaign: &Campaign,
    spec: &crate::spec::Spec,
    master: &crate::model::Master,
    current: &returns::Collection,
) -> Result<Option<crate::compile::history::History>, AppError> {
    if campaign.config.period.is_none() {
        return Ok(None);
    }
    let names = super::period::periods(campaign)?;
    let mut earlier = Vec::new();
    for name in &names[..names.len() - 1] {
        earlier.push(super::period::collection_of(
            campaign,
            master,
            spec,
            Some(name),
        )?);
    }
    let mut periods: Vec<(String, Option<&returns::Collection>)> = names[..names.len() - 1]
        .iter()
        .cloned()
        .zip(earlier.iter().map(Option::as_ref))
        .collect();
    periods.push((names[names.len() - 1].clone(), Some(current)));
    Ok(Some(crate::compile::history::History::build(
        master,
        spec,
        campaign.config.aggregation,
        &periods,
    )))
}

/// The organisation a title starts with, when it plainly does: the text before the year (or
/// before 年度) when it ends with an organisation's word (局, 委员会, 办公室, 中心 …); else "".
fn issuer_of(title: &str) -> &str {
    const ENDINGS: &[&str] = &[
        "局",
        "委员会",
        "委",
        "办公室",
        "办",
        "厅",
        "政府",
        "中心",
        "院",
        "部",
        "处",
        "所",
        "站",
        "队",
    ];
    let cut = title
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .or_else(|| title.find("年度"))
        .unwrap_or(0);
    let head = title[..cut].trim();
    if ENDINGS.iter().any(|e| head.ends_with(e)) {
        head
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::issuer_of;

    #[test]
    fn the_issuer_is_the_organisation_before_the_year() {
        assert_eq!(
            issuer_of("泉州市生态环境局2023年度绩效目标考评表"),
            "泉州市生态环境局"
        );
        assert_eq!(issuer_of("某某区人民政府年度考评"), "某某区人民政府");
        assert_eq!(issuer_of("2023年度绩效目标考评表"), "");
        assert_eq!(issuer_of("绩效考评"), "");
        assert_eq!(issuer_of("Annual review 2024"), "");
    }
}
