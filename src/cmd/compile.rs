//! `tianbao compile`: the consolidated, scored workbook in the master's own layout.

use std::path::PathBuf;

use tianbao::compile::{self, Request, blockers};
use tianbao::text::{for_terminal as t, safe_file_name, show};

use super::validate::{Loaded, load};
use super::{Fatal, Outcome};

/// Compile the returns into the scored master table (考评表) with the departments' details,
/// who returned what, and a scores overview.
///
/// Returns are identified and checked exactly as `validate` does; only valid returns are used.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tianbao compile                           # everything in inbox/ → out/<title>-汇总.xlsx
  tianbao compile inbox/ ~/Downloads/水科.zip --out 2023汇总.xlsx
  tianbao compile --allow-incomplete        # leave the items of missing departments blank

Item scores follow `aggregation` in tianbao.toml: min (default), mean or lead.
Exit status: 0 written, 1 refused: a department has no valid return (they are listed; see
`tianbao validate`, or use --allow-incomplete), 2 could not run.")]
pub struct Args {
    /// Files, folders (searched recursively) or .zip archives; default: the campaign's inbox/.
    pub paths: Vec<PathBuf>,
    /// Write the workbook here instead of out/<title>-汇总.xlsx.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Compile even when departments have not returned a valid workbook: their items stay
    /// blank and highlighted, and the totals say they are partial.
    #[arg(long)]
    pub allow_incomplete: bool,
}

pub fn run(campaign_dir: Option<PathBuf>, args: Args) -> Result<Outcome, Fatal> {
    let _lock = super::lock_campaign(campaign_dir.as_deref(), "compile")?;
    let loaded = load(campaign_dir, &args.paths, true)?;
    let Loaded {
        campaign,
        spec,
        master,
        collection,
        layout,
    } = &loaded;
    let blocked = blockers(collection);
    if !blocked.is_empty() && !args.allow_incomplete {
        eprintln!(
            "not compiled: {} of {} departments have no valid return:",
            blocked.len(),
            collection.departments.len()
        );
        for standing in &blocked {
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
        return Ok(Outcome::Findings);
    }

    let generated_at = tianbao::time::now_utc();
    let compiled = compile::compile(&Request {
        master,
        layout,
        spec,
        collection,
        aggregation: campaign.config.aggregation,
        title: &campaign.config.title,
        allow_incomplete: args.allow_incomplete,
        generated_at: &generated_at,
        base: Some(&campaign.dir),
    })?;
    let path = match args.out {
        Some(path) => path,
        None => {
            let out = campaign.out();
            std::fs::create_dir_all(&out)
                .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
            let name = tianbao::spec::render(
                &spec.word("compile.file"),
                &[("title", &campaign.config.title)],
            );
            out.join(safe_file_name(&name))
        }
    };
    campaign.check_output(&path)?;
    tianbao::write::save_atomic(&path, &compiled.bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;

    let scores = &compiled.scores;
    let scored = scores.items.len() - scores.unscored().count();
    println!("compiled: {}", t(&path.display().to_string()));
    println!(
        "total: {} of {} ({} of {} items scored, rule {})",
        show(scores.total()),
        show(master.total_weight()),
        scored,
        scores.items.len(),
        format!("{:?}", scores.rule).to_lowercase()
    );
    if scores.is_partial() {
        let names: Vec<&str> = blocked.iter().map(|s| s.department.as_str()).collect();
        println!(
            "partial: {} items left blank, no valid return from {}",
            scores.unscored().count(),
            t(&names.join("、"))
        );
    }
    Ok(Outcome::Clean)
}
