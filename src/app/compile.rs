//! Compiling a campaign: bound to what `validate` checked. The files given (the inbox by
//! default) are hashed and compared with the receipts of the last validate run on them; when
//! every one is as checked, the receipts' values are used without reading a return again, and
//! otherwise each file that is new, changed or gone is named and nothing is written (or, with
//! `revalidate`, everything is checked again first).

use std::path::PathBuf;

use super::check::{Checked, check, record};
use super::{AppError, Progress, Stage};
use crate::campaign::Campaign;
use crate::compile::{Request, Scores, blockers};
use crate::returns::receipt::{self, Changes};
use crate::returns::{self, Standing, gather};
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
    /// The departments without a valid return, whose items stayed blank.
    pub blockers: Vec<Standing>,
    pub checked: Checked,
    pub took_over: Option<String>,
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
    let (master, gathered) = rayon::join(
        || campaign.read_master(&spec),
        || gather::gather(&paths, &campaign.config.limits),
    );
    let read = master?;
    let gathered = gathered.map_err(AppError::Gather)?;
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
    let Some(run) = store.last_run(&inputs)? else {
        return never();
    };
    let receipts = store.receipts(run.id)?;
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
    let returns = receipt::returns_of(&receipts).map_err(AppError::Receipt)?;
    let mut ctx = campaign.context(&read.master, &spec);
    ctx.confirmed = store.confirmations()?;
    let collection = returns::settle(&ctx, returns, receipt::skipped_of(&run.skipped));
    drop(ctx);
    Ok(Ok(Checked {
        master: read.master,
        layout: read.layout,
        campaign,
        spec,
        collection,
        inputs,
    }))
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
    let compiled = crate::compile::compile(&Request {
        master,
        layout,
        spec,
        collection,
        aggregation: campaign.config.aggregation,
        title: &campaign.config.title,
        allow_incomplete: options.allow_incomplete,
        generated_at: &options.at,
        base: Some(&campaign.dir),
    })
    .map_err(|e| AppError::write(&campaign.out(), e))?;
    let path = match &options.out {
        Some(path) => path.clone(),
        None => {
            let out = campaign.out();
            super::create_dir(&out)?;
            let name = crate::spec::render(
                &spec.word("compile.file"),
                &[("title", &campaign.config.title)],
            );
            out.join(crate::text::safe_file_name(&name))
        }
    };
    super::save(campaign, &path, &compiled.bytes)?;
    Ok(Written {
        path,
        scores: compiled.scores,
        blockers,
        checked,
        took_over: None,
    })
}
