//! `tianbao status`: who has returned, whose return is usable, and whom to chase — and every
//! file that could not be used, with why, so that what it prints and its exit code agree.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::render::t;
use serde_json::json;
use tianbao::campaign::Campaign;
use tianbao::finding::Severity;
use tianbao::returns::{Collection, Status};
use tianbao::spec::Spec;

use super::render::{finding_line, padded, status_word};
use super::validate::{general_lines, skipped_lines, standing_lines, summary, summary_line};
use super::{Fatal, Outcome, shown, texts};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, folders or .zip archives; default: the inbox.
    pub paths: Vec<PathBuf>,
    /// JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Also a reminder for each missing or invalid department.
    #[arg(long)]
    pub remind: bool,
}

pub fn run(campaign_dir: Option<PathBuf>, args: Args) -> Result<Outcome, Fatal> {
    let campaign = Campaign::find(campaign_dir.as_deref())?;
    let progress = super::progress_bar::Terminal::default();
    let (checked, reminded) = if args.remind {
        let options = tianbao::app::remind::RemindOptions {
            paths: args.paths.clone(),
            at: tianbao::time::now_utc(),
        };
        let (checked, reminded) =
            tianbao::app::remind::check_and_remind(campaign, &options, &progress)?;
        (checked, Some(reminded))
    } else {
        (
            tianbao::app::check::check(campaign, &args.paths, &progress)?,
            None,
        )
    };
    let collection = &checked.collection;
    if args.json {
        super::print_json(&status_json(&checked, reminded.as_ref()));
    } else {
        print!("{}", human(&checked.spec, collection));
        print!(
            "{}",
            review_lines(collection, &checked.campaign.review_inbox_shown())
        );
        print!("{}", flag_lines(&checked));
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

/// `status --json`: the departments, the reviews, what could not be used, the skipped files,
/// the summary, and the reminders and flags where there are any.
fn status_json(
    checked: &tianbao::app::check::Checked,
    reminded: Option<&tianbao::app::remind::Reminded>,
) -> serde_json::Value {
    let collection = &checked.collection;
    let unusable: Vec<serde_json::Value> = unusable(collection)
        .map(|r| {
            json!({
                "path": r.path,
                "status": r.status,
                "department": r.department,
                "findings": r.findings.iter()
                    .filter(|f| f.severity == Severity::Error)
                    .map(|f| f.rendered(&checked.spec))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut value = json!({
        "departments": collection.departments.iter().map(|d| {
            let mut v = serde_json::to_value(d).unwrap_or_default();
            if let Some(at) = d.received.as_deref() {
                v["received"] = json!(tianbao::time::rfc3339_local(at));
            }
            v
        }).collect::<Vec<_>>(),
        "review": collection.review,
        "reviews": collection.reviews_met().iter().map(|(r, counted)| json!({
            "path": r.path,
            "status": r.status,
            "round": r.round,
            "counted": counted,
            "findings": r.findings.iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.rendered(&checked.spec))
                .collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "unusable": unusable,
        "general": collection.general.iter().map(|f| f.rendered(&checked.spec)).collect::<Vec<_>>(),
        "skipped": collection.skipped,
        "summary": summary(collection),
    });
    if let Some(reminded) = reminded {
        value["reminders"] = reminders_json(reminded);
    }
    if checked.spec.progress.is_some() {
        value["flags"] = flags_json(checked);
    }
    value
}

/// The progress flags of `status --json`: each flagged item, its departments and the flag.
fn flags_json(checked: &tianbao::app::check::Checked) -> serde_json::Value {
    let measures = tianbao::compile::measures::measures(
        &checked.spec,
        &checked.master,
        &checked.collection,
        checked.campaign.as_of(),
    );
    json!(
        checked
            .master
            .items()
            .iter()
            .zip(&measures.flags)
            .filter_map(|(item, flag)| flag.as_ref().map(|f| json!({
                "item": item.id,
                "departments": item.departments,
                "flag": f,
                "message": tianbao::compile::measures::flag_text(&checked.spec, f),
            })))
            .collect::<Vec<_>>()
    )
}

/// The returns with errors that no department's standing shows: unrecognised files, and files
/// of a department whose counted return is another one.
fn unusable(collection: &Collection) -> impl Iterator<Item = &tianbao::returns::Return> {
    let counted = collection.counted();
    collection
        .returns
        .iter()
        .enumerate()
        .filter(move |(i, r)| {
            r.status != Status::Superseded && r.errors() > 0 && !counted.contains(i)
        })
        .map(|(_, r)| r)
}

fn human(spec: &Spec, collection: &Collection) -> String {
    let tx = texts();
    let mut out = general_lines(spec, collection);
    out.push_str(&standing_lines(collection, true));
    if let Some(last) = collection
        .departments
        .iter()
        .filter_map(|d| d.received.as_deref())
        .max()
    {
        let _ = writeln!(
            out,
            "\n{}",
            tx.say(
                "status.last_received",
                &[("at", &tianbao::time::local(last))]
            )
        );
    }
    let mut first = true;
    for ret in unusable(collection) {
        if first {
            let _ = writeln!(out, "\n{}", tx.get("status.unusable"));
            first = false;
        }
        let status = status_word(tx, ret.status.as_str());
        let line = tx.say(
            "validate.skipped_line",
            &[("path", &t(&ret.path)), ("reason", status)],
        );
        let _ = writeln!(out, "{line}");
        for f in ret
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
        {
            let _ = writeln!(out, "  {}", finding_line(tx, spec, f));
        }
    }
    out.push_str(&skipped_lines(collection));
    let _ = writeln!(out, "\n{}", summary_line(collection));
    out
}

/// Every review workbook met, each with where it lies and whether it counts.
fn review_lines(collection: &Collection, folder: &str) -> String {
    let tx = texts();
    let met = collection.reviews_met();
    if met.is_empty() {
        return String::new();
    }
    let n = met.len().to_string();
    let mut out = format!(
        "\n{}\n",
        tx.say("status.reviews", &[("n", &n), ("folder", folder)])
    );
    for (ret, counted) in met {
        let (mark, word) = if counted {
            ("✓", tx.get("status.review_counted"))
        } else {
            ("✗", tx.get("status.review_not_counted"))
        };
        let status = status_word(tx, ret.status.as_str());
        // Why one does not count is told once, among the files that cannot be used.
        let _ = writeln!(out, "  {mark} {word}  {status}  {}", t(&ret.path));
    }
    out
}

/// Progress reporting: the items overdue or behind schedule, each with its departments.
pub fn flag_lines(checked: &tianbao::app::check::Checked) -> String {
    let tx = texts();
    let spec = &checked.spec;
    if spec.progress.is_none() {
        return String::new();
    }
    let as_of = checked.campaign.as_of();
    let measures =
        tianbao::compile::measures::measures(spec, &checked.master, &checked.collection, as_of);
    let flagged: Vec<(&tianbao::model::Item, &tianbao::schedule::Flag)> = checked
        .master
        .items()
        .iter()
        .zip(&measures.flags)
        .filter_map(|(item, flag)| flag.as_ref().map(|f| (item, f)))
        .collect();
    let overdue = flagged
        .iter()
        .filter(|(_, f)| matches!(f, tianbao::schedule::Flag::Overdue { .. }))
        .count();
    let mut out = format!(
        "\n{}\n",
        tx.say(
            "status.flags",
            &[
                ("date", &as_of.to_string()),
                ("overdue", &overdue.to_string()),
                ("behind", &(flagged.len() - overdue).to_string()),
            ]
        )
    );
    let ids = padded(flagged.iter().map(|(i, _)| i.id.as_str()));
    for ((item, flag), id) in flagged.iter().zip(ids) {
        let text = item.task().or(item.indicator()).unwrap_or("");
        let short: String = text.chars().take(24).collect();
        let _ = writeln!(
            out,
            "  {id}  {}  {}  {}",
            t(&short),
            t(&item.departments.join("、")),
            t(&tianbao::compile::measures::flag_text(spec, flag))
        );
    }
    out
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
    let tx = texts();
    if let Some(holder) = &reminded.took_over {
        super::took_over(holder);
    }
    println!();
    if reminded.reminders.is_empty() {
        println!("{}", tx.get("status.remind.none"));
    } else {
        println!(
            "{}",
            tx.count(
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
            tx.say("status.remind.list", &[("path", &shown(list))])
        );
    }
    if !reminded.removed.is_empty() {
        println!(
            "{}",
            tx.count("status.remind.removed", reminded.removed.len(), &[])
        );
        for p in &reminded.removed {
            println!("  {}", shown(p));
        }
    }
}
