//! `tianbao compile`: the consolidated, scored workbook in the master's own layout, made from
//! exactly the returns `validate` checked.

use std::path::PathBuf;

use tianbao::app::compile::{CompileOptions, CompileOutcome};
use tianbao::campaign::Campaign;
use tianbao::text::{for_terminal as t, show};

use super::{Fatal, Outcome};

/// Compile the returns into the scored master table (考评表) with the departments' details,
/// who returned what, and a scores overview.
///
/// Uses exactly the returns the last `tianbao validate` checked: a file new, changed or gone
/// since is named and nothing is written until it is validated (or use --revalidate).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tianbao validate && tianbao compile       # everything in inbox/ → out/<title>-汇总.xlsx
  tianbao compile --revalidate              # validate again, then compile
  tianbao compile inbox/ ~/Downloads/水科.zip --out 2023汇总.xlsx
  tianbao compile --allow-incomplete        # leave the items of missing departments blank

Item scores follow `aggregation` in tianbao.toml: min (default), mean or lead.
Exit status: 0 written, 1 refused: a department has no valid return (they are listed; see
`tianbao validate`, or use --allow-incomplete), or files differ from what was validated;
2 could not run.")]
pub struct Args {
    /// Files, folders (searched recursively) or .zip archives; default: the campaign's inbox/.
    pub paths: Vec<PathBuf>,
    /// Write the workbook here instead of out/<title>-汇总.xlsx (never over the campaign's
    /// own files or into the inbox).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Compile even when departments have not returned a valid workbook: their items stay
    /// blank and highlighted, and the totals say they are partial.
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Validate the returns again (recording new receipts), then compile.
    #[arg(long)]
    pub revalidate: bool,
}

pub fn run(campaign_dir: Option<PathBuf>, args: Args) -> Result<Outcome, Fatal> {
    let campaign = Campaign::find(campaign_dir.as_deref())?;
    let options = CompileOptions {
        paths: args.paths,
        out: args.out,
        allow_incomplete: args.allow_incomplete,
        revalidate: args.revalidate,
        at: tianbao::time::now_utc(),
    };
    let outcome =
        tianbao::app::compile::compile(campaign, &options, &super::progress::Terminal::default())?;
    Ok(render(outcome))
}

/// Renders how compile ended.
pub fn render(outcome: CompileOutcome) -> Outcome {
    let written = match outcome {
        CompileOutcome::Written(written) => written,
        CompileOutcome::Refused { blockers } => {
            eprintln!(
                "not compiled: {} departments have no valid return:",
                blockers.len()
            );
            for standing in &blockers {
                let detail = match standing.status {
                    "invalid" => format!(
                        "invalid, {} errors in {}",
                        standing.errors,
                        standing.file.as_deref().unwrap_or("")
                    ),
                    _ => format!("missing, contact: {}", standing.persons.join("、")),
                };
                eprintln!("  {}  ({})", t(&standing.department), t(&detail));
            }
            eprintln!(
                "run `tianbao validate` for the details, or compile without them with --allow-incomplete"
            );
            return Outcome::Findings;
        }
        CompileOutcome::NotValidated { changes, never } => {
            if never {
                eprintln!("not compiled: these returns have never been validated");
            } else {
                eprintln!("not compiled: the returns differ from what `tianbao validate` checked");
            }
            for (what, list) in [
                ("new", &changes.new),
                ("changed", &changes.changed),
                ("gone", &changes.gone),
            ] {
                for path in list {
                    eprintln!("  {what:<8} {}", t(path));
                }
            }
            eprintln!("run `tianbao validate` (or `tianbao compile --revalidate`)");
            return Outcome::Findings;
        }
    };
    if let Some(holder) = &written.took_over {
        super::took_over(holder);
    }
    let scores = &written.scores;
    let master = &written.checked.master;
    let scored = scores.items.len() - scores.unscored().count();
    println!("compiled: {}", t(&written.path.display().to_string()));
    println!(
        "total: {} of {} ({} of {} items scored, rule {})",
        show(scores.total()),
        show(master.total_weight()),
        scored,
        scores.items.len(),
        scores.rule.as_str()
    );
    if scores.is_partial() {
        let names: Vec<&str> = written
            .blockers
            .iter()
            .map(|s| s.department.as_str())
            .collect();
        println!(
            "partial: {} items left blank, no valid return from {}",
            scores.unscored().count(),
            t(&names.join("、"))
        );
    }
    Outcome::Clean
}
