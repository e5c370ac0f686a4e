//! `tianbao demo`: the whole cycle on the built-in sample master, in one folder, in about a
//! second — init, generate, departments fill in (two with mistakes), validate with feedback,
//! the two fix their feedback workbooks, validate again, compile.

use std::path::{Path, PathBuf};

use tianbao::campaign::Campaign;
use tianbao::demo::{Mistake, SAMPLE_MASTER, change_locked_text, fill};
use tianbao::returns::{self, feedback, gather};
use tianbao::template::{file_name, write_template};
use tianbao::write::save_atomic;

use super::{Fatal, Outcome};

/// Run the whole cycle on the built-in sample: a campaign is created in DIR, 15 departments
/// receive and fill their workbooks (two with mistakes), get feedback, fix it, and the scored
/// workbook is compiled.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tianbao demo                 # into ./tianbao-demo
  tianbao demo /tmp/试一试

Running it again replaces an earlier demo folder (only one that a demo made).")]
pub struct Args {
    /// The folder to create (it must not exist, or be an earlier demo's).
    #[arg(default_value = "tianbao-demo")]
    pub dir: PathBuf,
}

/// Marks a folder as made by `demo`, so a second run may replace it.
const MARKER: &str = ".tianbao-demo";

/// The departments that make mistakes, and which.
fn mistakes() -> Vec<(&'static str, Vec<Mistake>)> {
    vec![
        ("大气科", vec![Mistake::ScoreAboveWeight("1-6-1".into())]),
        (
            "水科",
            vec![
                Mistake::EmptyDeduction("1-7-2".into()),
                Mistake::ChangedText("1-8-1".into()),
            ],
        ),
    ]
}

fn step(n: u32, text: &str) {
    println!("\n== {n}. {text}");
}

pub fn run(args: Args) -> Result<Outcome, Fatal> {
    let started = std::time::Instant::now();
    let dir = &args.dir;
    prepare(dir)?;

    step(1, "init: a campaign from the built-in sample master");
    let master_file = dir.join("sample-master.xlsx");
    save_atomic(&master_file, SAMPLE_MASTER)
        .map_err(|e| format!("cannot write {}: {e}", master_file.display()))?;
    let campaign_dir = dir.join("campaign");
    let (campaign, _) =
        Campaign::init(&campaign_dir, &master_file, None, None, Default::default())?;
    std::fs::write(dir.join(MARKER), "made by tianbao demo\n")
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    println!("created {}", campaign.dir.display());

    step(2, "generate: one workbook per department");
    let quiet = tianbao::app::Quiet;
    let at = tianbao::time::now_utc();
    let generated = tianbao::app::generate::generate(
        &campaign,
        &tianbao::app::generate::GenerateOptions {
            at: at.clone(),
            ..Default::default()
        },
        &quiet,
    )?;
    super::generate::render(generated);

    step(
        3,
        "the departments fill in and return their workbooks (两个部门填错)",
    );
    let spec = campaign.spec()?;
    let master = campaign.read_master(&spec)?.master;
    let config = &campaign.config;
    let issued_at = tianbao::time::now_utc();
    let mistakes = mistakes();
    let form = tianbao::form::Form::new(&master, &spec);
    for department in master.departments() {
        let name = department.name.as_str();
        let theirs: &[Mistake] = mistakes
            .iter()
            .find(|(d, _)| *d == name)
            .map_or(&[], |(_, m)| m.as_slice());
        let prefill = fill(&master, name, &spec, theirs);
        let issue = config.issue(config.round, &issued_at);
        let mut bytes = write_template(&master, &form, name, &spec, &issue, Some(&prefill))?;
        for mistake in theirs {
            if let Mistake::ChangedText(id) = mistake
                && let Some(item) = master.item(id)
            {
                bytes = change_locked_text(&bytes, item).unwrap_or(bytes);
            }
        }
        let path = campaign.inbox().join(file_name(&config.title, name));
        save_atomic(&path, &bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    println!(
        "{} workbooks returned into {}",
        master.departments().len(),
        campaign.inbox().display()
    );

    step(
        4,
        "validate --feedback: what is wrong, and a workbook back to each department to fix",
    );
    let validated = tianbao::app::check::validate(
        Campaign::open(&campaign_dir)?,
        &tianbao::app::check::ValidateOptions {
            feedback: true,
            at: tianbao::time::now_utc(),
            ..Default::default()
        },
        &quiet,
    )?;
    super::validate::render(&validated, false, 3)?;

    step(
        5,
        "the two departments fix their feedback workbooks and return them",
    );
    let feedback_dir = campaign.out().join("feedback");
    let ctx = campaign.context(&master, &spec);
    let gathered = gather::gather(std::slice::from_ref(&feedback_dir), &ctx.limits)?;
    let collection = returns::collect(&ctx, gathered);
    for ret in &collection.returns {
        let Some(department) = &ret.department else {
            continue;
        };
        // What the feedback workbook holds, corrected: scores within the weight, the missing
        // deduction reasons written; the locked text is already restored in it.
        let mut prefill = feedback::prefill(&spec, ret);
        prefill.marks.clear();
        for item in master.items_of(department) {
            let values = prefill.items.entry(item.id.clone()).or_default();
            let weight = item.weight.unwrap_or_default();
            let score = values
                .get("score")
                .and_then(|s| tianbao::text::parse_decimal(s));
            if score.is_none_or(|s| s > weight) {
                values.insert("score".into(), tianbao::text::show(weight));
            }
            let below = score.is_some_and(|s| s < weight);
            if below && values.get("deduction").is_none_or(|d| d.trim().is_empty()) {
                values.insert("deduction".into(), "个别事项未按时完成，已整改。".into());
            }
        }
        let round = ret.round.unwrap_or(config.round);
        let issue = config.issue(round, ret.issued_at.as_deref().unwrap_or(&issued_at));
        let bytes = write_template(&master, &form, department, &spec, &issue, Some(&prefill))?;
        let path =
            campaign
                .inbox()
                .join(feedback::file_name(&spec, &config.title, department, round));
        save_atomic(&path, &bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("{department} returned {}", path.display());
    }

    step(
        6,
        "validate again: the fixed rounds supersede the first returns",
    );
    let validated = tianbao::app::check::validate(
        Campaign::open(&campaign_dir)?,
        &tianbao::app::check::ValidateOptions {
            at: tianbao::time::now_utc(),
            ..Default::default()
        },
        &quiet,
    )?;
    let outcome = super::validate::render(&validated, false, 0)?;
    if outcome != Outcome::Clean {
        return Err("the demo's second validation found errors; this is a bug in tianbao".into());
    }

    step(7, "compile: the scored workbook in the master's layout");
    let compiled = tianbao::app::compile::compile(
        Campaign::open(&campaign_dir)?,
        &tianbao::app::compile::CompileOptions {
            at: tianbao::time::now_utc(),
            ..Default::default()
        },
        &quiet,
    )?;
    let compiled = super::compile::render(compiled);

    println!(
        "\ndone in {:.2} s. Open the folder {} — outbox/ (sent), inbox/ (returned), out/ (report, feedback, compiled).",
        started.elapsed().as_secs_f64(),
        campaign.dir.display()
    );
    Ok(compiled)
}

/// Makes sure `dir` can be used: absent, empty, or an earlier demo (which is removed).
fn prepare(dir: &Path) -> Result<(), Fatal> {
    if dir.exists() {
        let is_demo = dir.join(MARKER).exists();
        let is_empty = std::fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if is_demo {
            std::fs::remove_dir_all(dir).map_err(|e| {
                format!("cannot replace the earlier demo in {}: {e}", dir.display())
            })?;
        } else if !is_empty {
            return Err(format!(
                "{} exists and is not an earlier demo; name a new folder: tianbao demo <DIR>",
                dir.display()
            )
            .into());
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(())
}
