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
  tianbao status --remind          # and write out/提醒/<部门>.txt and out/提醒/催报清单.xlsx
  tianbao -C 2023考评 status ~/Downloads/returns.zip

Exit status: 0 every department returned a valid workbook, 1 some are invalid or missing,
2 could not run.")]
pub struct Args {
    /// Files, folders or .zip archives; default: the campaign's inbox/.
    pub paths: Vec<PathBuf>,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Also write a reminder for each department that is missing or invalid (out/提醒/<部门>.txt:
    /// whom to call, the phone from its sign-off, the deadline, what is wrong) and their list
    /// (out/提醒/催报清单.xlsx).
    #[arg(long)]
    pub remind: bool,
}

pub fn run(campaign_dir: Option<PathBuf>, args: Args) -> Result<Outcome, Fatal> {
    let campaign = Campaign::find(campaign_dir.as_deref())?;
    let progress = super::progress::Terminal::default();
    let (checked, reminded) = if args.remind {
        let options = tianbao::app::remind::RemindOptions {
            paths: args.paths.clone(),
            at: tianbao::time::now_utc(),
        };
        let (checked, reminded) =
            tianbao::app::remind::check_and_remind(campaign, &options, &progress)?;
        (checked, Some(reminded))
    } else {
        let checked = tianbao::app::check::check(campaign, &args.paths, &progress)?;
        (checked, None)
    };
    let collection = checked.collection;
    if args.json {
        let mut value = json!({
            "departments": collection.departments,
            "summary": summary(&collection),
        });
        if let Some(reminded) = &reminded {
            value["reminders"] = reminders_json(reminded);
        }
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
        if let Some(reminded) = &reminded {
            render_reminders(reminded);
        }
    }
    Ok(if collection.all_clear() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// The reminders written, for `--json`.
fn reminders_json(reminded: &tianbao::app::remind::Reminded) -> serde_json::Value {
    let path = |p: &std::path::Path| p.display().to_string();
    json!({
        "dir": path(&reminded.dir),
        "list": reminded.list.as_deref().map(path),
        "written": reminded.reminders.iter().map(|r| json!({
            "department": r.department,
            "standing": r.standing,
            "problems": r.problems,
            "path": path(&r.path),
        })).collect::<Vec<_>>(),
        "removed": reminded.removed.iter().map(|p| path(p)).collect::<Vec<_>>(),
    })
}

/// Which reminders were written, and which earlier ones removed.
fn render_reminders(reminded: &tianbao::app::remind::Reminded) {
    let texts = super::texts();
    let shown = |p: &std::path::Path| t(&p.display().to_string()).into_owned();
    if let Some(holder) = &reminded.took_over {
        super::took_over(holder);
    }
    println!();
    if reminded.reminders.is_empty() {
        println!("{}", texts.get("status.remind.none"));
    } else {
        println!(
            "{}",
            texts.count(
                "status.remind.wrote",
                reminded.reminders.len(),
                &[("dir", &shown(&reminded.dir))]
            )
        );
        for r in &reminded.reminders {
            println!("  {}", shown(&r.path));
        }
    }
    if let Some(list) = &reminded.list {
        println!(
            "{}",
            texts.say("status.remind.list", &[("path", &shown(list))])
        );
    }
    if !reminded.removed.is_empty() {
        println!(
            "{}",
            texts.count("status.remind.removed", reminded.removed.len(), &[])
        );
        for p in &reminded.removed {
            println!("  {}", shown(p));
        }
    }
}
