//! `tianbao generate`: write one fill-in workbook per responsible department.

use std::path::PathBuf;

use tianbao::campaign::Campaign;
use tianbao::finding::{Severity, tally};
use tianbao::template::write_template;
use tianbao::text::for_terminal as t;

use super::{Fatal, Outcome};

/// Write one fill-in workbook per responsible department into outbox/: only its items, master
/// columns locked, input cells checked as people type, and a signed identity.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tianbao generate                      # every department, into outbox/
  tianbao generate --dept 办公室 --dept 审批科
  tianbao -C 2023考评 generate --out /tmp/forms

Refuses (exit 1) when the master table has errors; `tianbao inspect` shows them.")]
pub struct Args {
    /// Only this department (repeatable).
    #[arg(long = "dept", value_name = "NAME")]
    pub departments: Vec<String>,
    /// Write into this folder instead of the campaign's outbox/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(campaign_dir: Option<PathBuf>, args: Args) -> Result<Outcome, Fatal> {
    let campaign = Campaign::find(campaign_dir.as_deref())?;
    let _lock = super::lock_campaign(Some(&campaign.dir), "generate")?;
    let spec = campaign.spec()?;
    let read = campaign.read_master(&spec)?;
    let (errors, _) = tally(&read.findings);
    if errors > 0 {
        eprintln!(
            "the master table {} has {errors} errors; fix them before generating:",
            campaign.master_path().display()
        );
        for f in read
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
        {
            eprintln!("  {} {} {}", f.code, t(&f.place()), t(&f.message));
        }
        return Ok(Outcome::Findings);
    }
    let master = &read.master;
    if !master.weighted()
        && spec
            .inputs
            .iter()
            .any(|i| i.kind == tianbao::spec::InputKind::Score)
    {
        return Err(format!(
            "the master table {} has no weight column, and the spec \"{}\" scores each item \
             against its weight (自评得分 from 0 to the weight); name the column that holds the \
             weights with `tianbao init … --map \"分值=weight\"` (or in [columns] of tianbao.toml), \
             or use a spec without a score input for a table without weights",
            campaign.master_path().display(),
            campaign.config.spec
        )
        .into());
    }
    let form = tianbao::form::Form::new(master, &spec);
    let known: Vec<&str> = master
        .departments()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    for wanted in &args.departments {
        if !known.contains(&wanted.as_str()) {
            return Err(format!(
                "no department \"{wanted}\" in the master table; its departments are: {}",
                known.join("、")
            )
            .into());
        }
    }
    let selected: Vec<&str> = if args.departments.is_empty() {
        known.clone()
    } else {
        known
            .iter()
            .copied()
            .filter(|d| args.departments.iter().any(|w| w == d))
            .collect()
    };
    let out_dir = args.out.unwrap_or_else(|| campaign.outbox());
    campaign.check_output_dir(&out_dir)?;
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    // Names for every department at once, so that they differ and stay the same whatever
    // --dept selects.
    let names: std::collections::HashMap<&str, String> = known
        .iter()
        .copied()
        .zip(tianbao::template::file_names(
            &campaign.config.title,
            &known,
        ))
        .collect();
    let issued_at = tianbao::time::now_utc();
    let config = &campaign.config;
    let issue = config.issue(config.round, &issued_at);
    // Independent workbooks, written on every core; reported in the master's order.
    use rayon::prelude::*;
    let progress = super::progress::Progress::new("generating", selected.len());
    let done = std::sync::atomic::AtomicUsize::new(0);
    let written: Vec<Result<std::path::PathBuf, String>> = selected
        .par_iter()
        .map(|department| {
            let bytes = write_template(master, &form, department, &spec, &issue, None)
                .map_err(|e| format!("cannot write the workbook of {department}: {e}"))?;
            let path = out_dir.join(&names[department]);
            campaign.check_output(&path).map_err(|e| e.to_string())?;
            tianbao::write::save_atomic(&path, &bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            progress.set(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            Ok(path)
        })
        .collect();
    progress.finish();
    let verbose = selected.len() <= 100;
    for (department, path) in selected.iter().zip(written) {
        let path = path?;
        if verbose {
            println!(
                "{:>3} items  {}",
                master.items_of(department).count(),
                t(&path.display().to_string())
            );
        }
    }
    println!(
        "wrote {} workbooks to {}",
        selected.len(),
        t(&out_dir.display().to_string())
    );
    Ok(Outcome::Clean)
}
