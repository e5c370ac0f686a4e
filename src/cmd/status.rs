//! `tianbao status`: who has returned, whose return is usable, and whom to chase.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::json;
use tianbao::campaign::Campaign;
use tianbao::text::for_terminal as t;

use super::validate::{padded_names, summary};
use super::{Fatal, Outcome};

/// Show each department's standing: valid, invalid or missing, which file counts, when it was
/// received, and whom to contact for the missing and invalid ones.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tianbao status
  tianbao status --json
  tianbao -C 2023考评 status ~/Downloads/returns.zip

Exit status: 0 every department returned a valid workbook, 1 some are invalid or missing,
2 could not run.")]
pub struct Args {
    /// Files, folders or .zip archives; default: the campaign's inbox/.
    pub paths: Vec<PathBuf>,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(campaign_dir: Option<PathBuf>, args: Args) -> Result<Outcome, Fatal> {
    let campaign = Campaign::find(campaign_dir.as_deref())?;
    let checked =
        tianbao::app::check::check(campaign, &args.paths, &super::progress::Terminal::default())?;
    let collection = checked.collection;
    if args.json {
        let value = json!({
            "departments": collection.departments,
            "summary": summary(&collection),
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        let mut out = String::new();
        for (d, name) in collection.departments.iter().zip(padded_names(&collection)) {
            let detail = match d.status {
                "valid" => format!(
                    "{}  received {}",
                    t(d.file.as_deref().unwrap_or("")),
                    d.received.as_deref().unwrap_or("?")
                ),
                "invalid" => format!(
                    "{} errors in {}  received {}  contact: {}",
                    d.errors,
                    t(d.file.as_deref().unwrap_or("")),
                    d.received.as_deref().unwrap_or("?"),
                    t(&d.persons.join("、"))
                ),
                _ => format!("contact: {}", t(&d.persons.join("、"))),
            };
            let _ = writeln!(out, "{name}  {:<8} {detail}", d.status);
        }
        let s = summary(&collection);
        let _ = writeln!(
            out,
            "\n{} departments: {} valid, {} invalid, {} missing",
            s["departments"], s["valid"], s["invalid"], s["missing"]
        );
        print!("{out}");
    }
    Ok(if collection.all_clear() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
