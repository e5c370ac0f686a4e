//! `tianbao validate`: check the returned workbooks, report per department and per cell, write
//! the report workbook and, on request, a feedback workbook for each department to fix.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::json;
use tianbao::app::{self, check::ValidateOptions};
use tianbao::campaign::Campaign;
use tianbao::finding::Severity;
use tianbao::returns::{Collection, Status};
use tianbao::text::for_terminal as t;

use super::{Fatal, Outcome};

/// Check returned workbooks: who returned, whose return is usable, and exactly what to fix.
///
/// Each workbook is identified by its signed identity, never by its file name. Every file is
/// reported; one bad file never stops the run; no input is ever modified.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tianbao validate                          # everything in inbox/
  tianbao validate ~/Downloads/水科.zip inbox/办公室
  tianbao validate --feedback               # also write out/feedback/<部门>….xlsx to send back
  tianbao validate --json > report.json

Writes out/校验报告.xlsx (one row per finding, a sheet per department summary; a run on named
files writes out/校验报告-指定文件.xlsx) and records what it checked in tianbao.db: compile
uses exactly those returns.
Exit status: 0 every department returned a valid workbook, 1 errors or missing returns,
2 could not run.")]
pub struct Args {
    /// Files, folders (searched recursively) or .zip archives; default: the campaign's inbox/.
    pub paths: Vec<PathBuf>,
    /// Print one JSON object instead of the human report.
    #[arg(long)]
    pub json: bool,
    /// Write a feedback workbook for each department whose return has errors.
    #[arg(long)]
    pub feedback: bool,
    /// Show at most this many warnings per file in the terminal (all are in the report).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_warnings: usize,
    /// Confirm that this return replaces its department's earlier valid one, whose content
    /// differs (repeatable). Check it first: a replacement is never taken without a person's word.
    #[arg(long, value_name = "FILE")]
    pub accept: Vec<PathBuf>,
}

pub fn run(campaign_dir: Option<PathBuf>, args: Args) -> Result<Outcome, Fatal> {
    let campaign = Campaign::find(campaign_dir.as_deref())?;
    let options = ValidateOptions {
        paths: args.paths,
        feedback: args.feedback,
        accept: args.accept,
        at: tianbao::time::now_utc(),
    };
    let validated =
        app::check::validate(campaign, &options, &super::progress::Terminal::default())?;
    render(&validated, args.json, args.max_warnings)
}

/// Renders what validate did.
pub fn render(
    validated: &app::check::Validated,
    json: bool,
    max_warnings: usize,
) -> Result<Outcome, Fatal> {
    if let Some(holder) = &validated.took_over {
        super::took_over(holder);
    }
    let collection = &validated.checked.collection;
    for path in &validated.not_accepted {
        eprintln!(
            "note: --accept {} names no return of this run; nothing was confirmed for it",
            t(&path.display().to_string())
        );
    }
    if json {
        let value = to_json(
            &validated.checked.spec,
            collection,
            &validated.report,
            &validated.feedback,
        );
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print!(
            "{}",
            human(&validated.checked.spec, collection, max_warnings)
        );
        println!("report: {}", t(&validated.report.display().to_string()));
        for path in &validated.feedback {
            println!("feedback: {}", t(&path.display().to_string()));
        }
    }
    Ok(if collection.all_clear() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

pub fn summary(collection: &Collection) -> serde_json::Value {
    let count = |s: &str| {
        collection
            .departments
            .iter()
            .filter(|d| d.status == s)
            .count()
    };
    let files = |s: Status| collection.returns.iter().filter(|r| r.status == s).count();
    let (mut errors, mut warnings) = (0, 0);
    for f in collection
        .returns
        .iter()
        .filter(|r| r.status != Status::Superseded)
        .flat_map(|r| &r.findings)
        .chain(&collection.general)
    {
        match f.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
        }
    }
    json!({
        "departments": collection.departments.len(),
        "valid": count("valid"),
        "invalid": count("invalid"),
        "missing": count("missing"),
        "files": collection.returns.len(),
        "unrecognized": files(Status::Unrecognized),
        "superseded": files(Status::Superseded),
        "skipped": collection.skipped.len(),
        "errors": errors,
        "warnings": warnings,
    })
}

/// A return as JSON: its findings with their messages, its times with the local offset.
fn return_json(spec: &tianbao::spec::Spec, ret: &tianbao::returns::Return) -> serde_json::Value {
    let mut value = serde_json::to_value(ret).unwrap_or_default();
    value["findings"] = json!(
        ret.findings
            .iter()
            .map(|f| f.rendered(spec))
            .collect::<Vec<_>>()
    );
    for key in ["issued_at", "received"] {
        if let Some(at) = value[key].as_str() {
            value[key] = json!(tianbao::time::rfc3339_local(at));
        }
    }
    value
}

fn to_json(
    spec: &tianbao::spec::Spec,
    collection: &Collection,
    report: &std::path::Path,
    feedback: &[PathBuf],
) -> serde_json::Value {
    json!({
        "returns": collection.returns.iter().map(|r| return_json(spec, r)).collect::<Vec<_>>(),
        "missing": collection.missing().map(|d| json!({
            "department": d.department,
            "persons": d.persons,
        })).collect::<Vec<_>>(),
        "departments": collection.departments,
        "skipped": collection.skipped,
        "summary": summary(collection),
        "report": report.display().to_string(),
        "feedback": feedback.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
    })
}

/// One finding as a terminal line: severity, code, place, item, message.
fn finding_line(out: &mut String, spec: &tianbao::spec::Spec, f: &tianbao::finding::Finding) {
    let item = f
        .item
        .as_deref()
        .map(|i| format!(" [{i}]"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  {:<7} {:<20} {}{}  {}",
        f.severity.as_str(),
        f.code.as_str(),
        t(&f.place()),
        t(&item),
        t(&f.message(spec))
    );
}

/// Each department name padded to the widest (CJK counted double), for aligned columns.
pub fn padded_names(collection: &Collection) -> Vec<String> {
    let width = |name: &str| tianbao::write::display_width(&t(name)) as usize;
    let widest = collection
        .departments
        .iter()
        .map(|d| width(&d.department))
        .max()
        .unwrap_or(0);
    collection
        .departments
        .iter()
        .map(|d| {
            format!(
                "{}{}",
                t(&d.department),
                " ".repeat(widest - width(&d.department))
            )
        })
        .collect()
}

/// One line per department, then the findings grouped by file, errors first.
fn human(spec: &tianbao::spec::Spec, collection: &Collection, max_warnings: usize) -> String {
    let mut out = String::new();
    // Findings about the whole collection come first (a changed signing secret).
    for f in collection
        .general
        .iter()
        .filter(|f| f.code != tianbao::finding::Code::MissingReturn)
    {
        finding_line(&mut out, spec, f);
        out.push('\n');
    }
    for (d, name) in collection.departments.iter().zip(padded_names(collection)) {
        let line = match d.status {
            "valid" => format!("✓ valid      {}", t(d.file.as_deref().unwrap_or(""))),
            "invalid" => format!(
                "✗ {:<3} errors {}",
                d.errors,
                t(d.file.as_deref().unwrap_or(""))
            ),
            _ => format!("— missing    contact: {}", t(&d.persons.join("、"))),
        };
        let _ = writeln!(out, "  {name}  {line}");
    }
    for ret in &collection.returns {
        if ret.findings.is_empty() {
            continue;
        }
        let who = match (&ret.department, ret.round) {
            (Some(d), Some(r)) => format!(" ({}, round {r}, {})", t(d), ret.status.as_str()),
            _ => format!(" ({})", ret.status.as_str()),
        };
        let _ = writeln!(out, "\n{}{who}", t(&ret.path));
        if ret.status == Status::Superseded {
            // Its own problems no longer matter; say which return is used instead.
            for f in ret
                .findings
                .iter()
                .filter(|f| f.code == tianbao::finding::Code::DuplicateReturn)
            {
                finding_line(&mut out, spec, f);
            }
            continue;
        }
        let mut shown_warnings = 0;
        let warnings = ret
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count();
        for f in &ret.findings {
            if f.severity == Severity::Warning {
                if shown_warnings == max_warnings {
                    continue;
                }
                shown_warnings += 1;
            }
            finding_line(&mut out, spec, f);
        }
        if warnings > shown_warnings {
            let _ = writeln!(
                out,
                "  … {} more warnings in the report",
                warnings - shown_warnings
            );
        }
    }
    if !collection.skipped.is_empty() {
        let _ = writeln!(out, "\nnot read as returns:");
        for s in &collection.skipped {
            let _ = writeln!(out, "  {}  ({})", t(&s.path), t(&s.reason));
        }
    }
    let s = summary(collection);
    let _ = writeln!(
        out,
        "\n{} departments: {} valid, {} invalid, {} missing; {} files read, {} unrecognized, {} superseded; {} errors, {} warnings",
        s["departments"],
        s["valid"],
        s["invalid"],
        s["missing"],
        s["files"],
        s["unrecognized"],
        s["superseded"],
        s["errors"],
        s["warnings"]
    );
    out
}
