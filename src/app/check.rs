//! Reading and checking the returns of a campaign: `status` (read only), and `validate`, which
//! also records what it checked in the campaign's store (the receipt compile is bound to),
//! writes the report workbook and, on request, a feedback workbook for each department to fix.

use std::path::{Path, PathBuf};

use super::{AppError, Progress, Stage};
use crate::campaign::Campaign;
use crate::master_layout::Layout;
use crate::model::Master;
use crate::returns::{self, Collection, Return, receipt, report};
use crate::spec::Spec;
use crate::store::Store;

/// A campaign with its spec, master and the returns found and checked.
#[derive(Debug)]
pub struct Checked {
    pub campaign: Campaign,
    pub spec: Spec,
    pub master: Master,
    /// The master sheet's layout (compile writes its table in it).
    pub layout: Layout,
    pub collection: Collection,
    /// The key the inputs' receipts are kept under.
    pub inputs: String,
}

/// The replacements confirmed so far, when the campaign has a store.
fn confirmations(campaign: &Campaign) -> Result<Vec<(String, String, String)>, AppError> {
    if !campaign.store_path().exists() {
        return Ok(Vec::new());
    }
    Ok(Store::open(&campaign.store_path())?.confirmations()?)
}

/// Reads the master and every return in `paths` (the inbox by default) and checks them.
/// Writes nothing.
pub fn check(
    campaign: Campaign,
    paths: &[PathBuf],
    progress: &dyn Progress,
) -> Result<Checked, AppError> {
    let confirmed = confirmations(&campaign)?;
    check_confirmed(campaign, paths, progress, confirmed)
}

/// [`check`], with the replacements confirmed so far given (read from a store already open).
fn check_confirmed(
    campaign: Campaign,
    paths: &[PathBuf],
    progress: &dyn Progress,
    confirmed: Vec<(String, String, String)>,
) -> Result<Checked, AppError> {
    let spec = campaign.spec()?;
    let (paths, inputs) = super::inputs(&campaign, paths)?;
    // Reading the master and opening the returns are independent (only checking a return
    // needs the master): both at once.
    let (master, opened) = rayon::join(
        || campaign.read_master(&spec),
        || -> Result<_, AppError> {
            let gathered = super::gather(&campaign, &paths)?;
            progress.start(Stage::Checking, gathered.inputs.len());
            let limits = &campaign.config.limits;
            let opened = returns::open_all(limits, &spec, gathered, &|done| progress.set(done));
            progress.finish();
            Ok(opened)
        },
    );
    let read = master?;
    let opened = opened?;
    let mut ctx = campaign.context(&read.master, &spec);
    ctx.confirmed = confirmed;
    let collection = returns::collect_opened(&ctx, opened);
    drop(ctx);
    Ok(Checked {
        master: read.master,
        layout: read.layout,
        campaign,
        spec,
        collection,
        inputs,
    })
}

/// What `validate` should do besides checking.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// Files, folders or archives; the inbox when empty.
    pub paths: Vec<PathBuf>,
    /// Write a feedback workbook for each department whose return has errors.
    pub feedback: bool,
    /// Returns a person confirmed to replace the department's earlier valid one.
    pub accept: Vec<PathBuf>,
    /// RFC 3339 time of the run (the feedback workbooks' issue time).
    pub at: String,
}

/// What `validate` did.
#[derive(Debug)]
pub struct Validated {
    pub checked: Checked,
    pub report: PathBuf,
    pub feedback: Vec<PathBuf>,
    /// Files named by `accept` that are no return a replacement waits on.
    pub not_accepted: Vec<PathBuf>,
    /// The holder of a lock taken over (a run that did not finish).
    pub took_over: Option<crate::lock::Holder>,
}

/// Checks the returns, records the receipts, writes the report and the feedback workbooks.
pub fn validate(
    campaign: Campaign,
    options: &ValidateOptions,
    progress: &dyn Progress,
) -> Result<Validated, AppError> {
    let locked = super::lock(&campaign, "validate")?;
    // The store is opened once for the run: what was confirmed, what is confirmed now, and
    // the receipts.
    let mut store = Store::open(&campaign.store_path())?;
    let confirmed = store.confirmations()?;
    let mut checked = check_confirmed(campaign, &options.paths, progress, confirmed)?;
    let not_accepted = accept(&mut checked, &mut store, &options.accept, &options.at)?;
    record_in(&mut store, &checked, "validate", &options.at)?;
    drop(store);
    let feedback = if options.feedback {
        let Checked {
            campaign,
            spec,
            master,
            collection,
            ..
        } = &checked;
        super::feedback::write_all(campaign, spec, master, collection, &options.at)?
    } else {
        Vec::new()
    };
    point_to_feedback(&mut checked.collection, &feedback);
    let report = write_report(&checked, &options.at)?;
    let feedback = feedback.into_iter().map(|(_, path)| path).collect();
    drop(locked.lock);
    Ok(Validated {
        checked,
        report,
        feedback,
        not_accepted,
        took_over: locked.took_over,
    })
}

/// Records the receipts of a check in the campaign's store.
pub fn record(checked: &Checked, command: &str, at: &str) -> Result<i64, AppError> {
    let mut store = Store::open(&checked.campaign.store_path())?;
    record_in(&mut store, checked, command, at)
}

/// [`record`] in a store already open.
fn record_in(
    store: &mut Store,
    checked: &Checked,
    command: &str,
    at: &str,
) -> Result<i64, AppError> {
    let receipts = receipt::receipts(&checked.collection);
    let skipped = receipt::skipped_text(&checked.collection.skipped);
    Ok(store.record(at, command, &checked.inputs, &skipped, &receipts)?)
}

/// Whether `path` names the return `ret` (as shown, or the same file on disk).
fn names(path: &Path, ret: &Return) -> bool {
    let shown = path.display().to_string();
    ret.path == shown
        || std::path::absolute(path)
            .is_ok_and(|a| std::path::absolute(&ret.path).is_ok_and(|b| a == b))
}

/// Confirms the returns in `accept` as replacing their departments' earlier ones, then decides
/// again. Returns the paths that name no return waiting for confirmation.
fn accept(
    checked: &mut Checked,
    store: &mut Store,
    accept: &[PathBuf],
    at: &str,
) -> Result<Vec<PathBuf>, AppError> {
    if accept.is_empty() {
        return Ok(Vec::new());
    }
    let mut unknown = Vec::new();
    for path in accept {
        let returns = &checked.collection.returns;
        let Some(ret) = returns.iter().find(|r| names(path, r) && r.identified()) else {
            unknown.push(path.clone());
            continue;
        };
        // The review is confirmed under a key of its own.
        let key = |r: &Return| match &r.department {
            Some(department) => department.clone(),
            None => crate::returns::review::CONFIRM_KEY.to_string(),
        };
        let department = key(ret);
        let replaced: Vec<String> = returns
            .iter()
            .filter(|r| r.identified() && key(r) == department && r.sha256 != ret.sha256)
            .map(|r| r.sha256.clone())
            .collect();
        store.confirm(&department, &ret.sha256, &replaced, at)?;
        let who = ret.department.clone().unwrap_or_else(|| "review".into());
        store.log(at, "validate", "accept", &format!("{who}: {}", ret.path))?;
    }
    resettle(checked, store.confirmations()?);
    Ok(unknown)
}

/// Decides again which return counts, with the confirmations now known.
fn resettle(checked: &mut Checked, confirmed: Vec<(String, String, String)>) {
    let receipts = receipt::receipts(&checked.collection);
    let Ok(returns) = receipt::returns_of(&receipts) else {
        return;
    };
    let mut ctx = checked.campaign.context(&checked.master, &checked.spec);
    ctx.confirmed = confirmed;
    let skipped = std::mem::take(&mut checked.collection.skipped);
    checked.collection = returns::settle(&ctx, returns, skipped);
}

/// The report workbook: `校验报告.xlsx` for the inbox; a run on named files writes its own,
/// so it never replaces the campaign's.
fn write_report(checked: &Checked, at: &str) -> Result<PathBuf, AppError> {
    let Checked { campaign, spec, .. } = checked;
    let out = campaign.out();
    super::create_dir(&out)?;
    let bytes = report::write_report(&checked.collection, spec, &campaign.config.title, at)
        .map_err(|e| AppError::write(&out, e))?;
    let name = if checked.inputs == campaign.inbox_key() {
        spec.word("report.file")
    } else {
        spec.word("report.file_named")
    };
    let path = out.join(crate::cell_text::safe_file_name(&name));
    super::save(campaign, &path, &bytes)?;
    Ok(path)
}

/// Stale workbooks whose department got a new prefilled workbook say where it is.
fn point_to_feedback(collection: &mut returns::Collection, feedback: &[(String, PathBuf)]) {
    for ret in &mut collection.returns {
        let Some(path) = feedback
            .iter()
            .find(|(d, _)| ret.department.as_deref() == Some(d))
            .map(|(_, p)| p.display().to_string())
        else {
            continue;
        };
        for f in &mut ret.findings {
            if f.variant.as_deref() == Some("stale_template.master") {
                f.variant = Some("stale_template.master.ready".into());
                f.args.insert("feedback".into(), path.clone());
            }
        }
    }
}
