//! `tianbao validate`: check the returned workbooks, report per department and per cell, write
//! the report workbook and, on request, a feedback workbook for each department to fix.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::render::t;
use serde_json::json;
use tianbao::app::{self, check::ValidateOptions};
use tianbao::campaign::Campaign;
use tianbao::finding::Severity;
use tianbao::returns::{Collection, DepartmentStatus, Status};
use tianbao::spec::Spec;
use tianbao::ui_texts::pad;

use super::render::{finding_line, joined, padded, status_word};
use super::{shown, texts};

use super::{Fatal, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, folders or .zip archives; default: the inbox.
    pub paths: Vec<PathBuf>,
    /// One JSON object instead of the report.
    #[arg(long)]
    pub json: bool,
    /// A feedback workbook for each department whose return has errors.
    #[arg(long)]
    pub feedback: bool,
    /// At most this many warnings per file on the terminal.
    #[arg(long, default_value_t = 5)]
    pub max_warnings: usize,
    /// Confirm that this return replaces its department's earlier one (repeatable).
    #[arg(long)]
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
    let validated = app::check::validate(
        campaign,
        &options,
        &super::progress_bar::Terminal::default(),
    )?;
    render(&validated, args.json, args.max_warnings)
}

/// Renders what validate did.
pub fn render(
    validated: &app::check::Validated,
    json: bool,
    max_warnings: usize,
) -> Result<Outcome, Fatal> {
    let tx = texts();
    if let Some(holder) = &validated.took_over {
        super::took_over(holder);
    }
    let collection = &validated.checked.collection;
    for path in &validated.not_accepted {
        eprintln!(
            "{}{}",
            tx.get("note.prefix"),
            tx.say("validate.not_accepted", &[("path", &shown(path))])
        );
    }
    if json {
        let value = to_json(
            &validated.checked.spec,
            collection,
            &validated.report,
            &validated.feedback,
        );
        super::print_json(&value);
    } else {
        print!(
            "{}",
            human(&validated.checked.spec, collection, max_warnings)
        );
        println!(
            "{}",
            tx.say("validate.report", &[("path", &shown(&validated.report))])
        );
        for path in &validated.feedback {
            println!("{}", tx.say("validate.feedback", &[("path", &shown(path))]));
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
            .filter(|d| d.status.as_str() == s)
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
        "review": collection.review,
        "skipped": collection.skipped,
        "summary": summary(collection),
        "report": report.display().to_string(),
        "feedback": feedback.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
    })
}

/// One line per department: its name, status and file (or whom to contact), and when it came
/// (`received`).
pub fn standing_lines(collection: &Collection, received: bool) -> String {
    let tx = texts();
    let names = padded(collection.departments.iter().map(|d| d.department.as_str()));
    let words: Vec<String> = collection
        .departments
        .iter()
        .map(|d| status_word(tx, d.status.as_str()).to_string())
        .collect();
    let width = tianbao::ui_texts::widest(words.iter().map(String::as_str));
    let mut out = String::new();
    for ((d, name), word) in collection.departments.iter().zip(names).zip(&words) {
        let (mark, detail) = match d.status {
            DepartmentStatus::Valid => ("✓", t(d.file.as_deref().unwrap_or(""))),
            DepartmentStatus::Invalid => (
                "✗",
                format!(
                    "{}  {}",
                    tx.count("count.errors", d.errors, &[]),
                    t(d.file.as_deref().unwrap_or(""))
                ),
            ),
            // Whom to ask, when the master names someone (no empty "联系人：").
            _ if d.persons.is_empty() => ("—", String::new()),
            _ => (
                "—",
                tx.say("validate.contact", &[("persons", &joined(tx, &d.persons))]),
            ),
        };
        let at = match d.received.as_deref() {
            Some(at) if received => tx.say("status.received", &[("at", &tianbao::time::local(at))]),
            _ => String::new(),
        };
        let _ = writeln!(out, "  {name}  {mark} {}  {detail}{at}", pad(word, width));
    }
    out.push_str(&review_line(collection));
    out
}

/// The line of the review workbook that counts, when one came back.
fn review_line(collection: &Collection) -> String {
    let tx = texts();
    let Some(review) = &collection.review else {
        return String::new();
    };
    let (mark, detail) = if review.status == Status::Valid {
        ("✓", t(&review.file))
    } else {
        (
            "✗",
            format!(
                "{}  {}",
                tx.count("count.errors", review.errors, &[]),
                t(&review.file)
            ),
        )
    };
    let word = status_word(tx, review.status.as_str());
    let round = tx.say("review.round", &[("round", &review.round.to_string())]);
    format!(
        "\n  {}  {mark} {word}  {round}  {detail}\n",
        tx.get("review.line")
    )
}

/// One line per department, then the findings grouped by file, errors first.
fn human(spec: &Spec, collection: &Collection, max_warnings: usize) -> String {
    let tx = texts();
    // Findings about the whole collection come first (a changed signing secret).
    let mut out = general_lines(spec, collection);
    out.push_str(&standing_lines(collection, false));
    for ret in &collection.returns {
        if ret.findings.is_empty() {
            continue;
        }
        let status = status_word(tx, ret.status.as_str());
        let who = match (&ret.department, ret.round) {
            (None, Some(r)) if ret.is_review() => tx.say(
                "review.of",
                &[("round", &r.to_string()), ("status", status)],
            ),
            (Some(d), Some(r)) => tx.say(
                "validate.file_of",
                &[
                    ("department", &t(d)),
                    ("round", &r.to_string()),
                    ("status", status),
                ],
            ),
            _ => tx.say("validate.file_status", &[("status", status)]),
        };
        let _ = writeln!(out, "\n{}  {who}", t(&ret.path));
        if ret.status == Status::Superseded {
            // Its own problems no longer matter; say which return is used instead.
            for f in ret
                .findings
                .iter()
                .filter(|f| f.code == tianbao::finding::Code::DuplicateReturn)
            {
                let _ = writeln!(out, "{}", finding_line(tx, spec, f));
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
            let _ = writeln!(out, "{}", finding_line(tx, spec, f));
        }
        if warnings > shown_warnings {
            let more = tx.count("validate.more_warnings", warnings - shown_warnings, &[]);
            let _ = writeln!(out, "  … {more}");
        }
    }
    out.push_str(&skipped_lines(collection));
    let _ = writeln!(out, "\n{}", summary_line(collection));
    out
}

/// The findings about the whole collection (a changed signing secret), each with a blank line;
/// the missing departments are said in the standing lines.
pub fn general_lines(spec: &Spec, collection: &Collection) -> String {
    let tx = texts();
    let mut out = String::new();
    for f in collection
        .general
        .iter()
        .filter(|f| f.code != tianbao::finding::Code::MissingReturn)
    {
        let _ = writeln!(out, "{}\n", finding_line(tx, spec, f));
    }
    out
}

/// The files that were not read as returns, each with why.
pub fn skipped_lines(collection: &Collection) -> String {
    let tx = texts();
    let mut out = String::new();
    if !collection.skipped.is_empty() {
        let _ = writeln!(out, "\n{}", tx.get("validate.skipped"));
        for s in &collection.skipped {
            let (key, of) = s.reason.split_once(':').unwrap_or((&s.reason, ""));
            let reason = tx.say(&format!("skipped.{key}"), &[("of", of)]);
            let line = tx.say(
                "validate.skipped_line",
                &[("path", &t(&s.path)), ("reason", &t(&reason))],
            );
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

/// The counts of a run, in words.
pub fn summary_line(collection: &Collection) -> String {
    let tx = texts();
    let s = summary(collection);
    let n = |key: &str| s[key].as_u64().unwrap_or(0) as usize;
    let departments = tx.count("count.departments", n("departments"), &[]);
    let files = tx.count("count.files_read", n("files"), &[]);
    let errors = tx.count("count.errors", n("errors"), &[]);
    let warnings = tx.count("count.warnings", n("warnings"), &[]);
    tx.say(
        "validate.summary",
        &[
            ("departments", &departments),
            ("valid", &n("valid").to_string()),
            ("invalid", &n("invalid").to_string()),
            ("missing", &n("missing").to_string()),
            ("files", &files),
            ("unrecognized", &n("unrecognized").to_string()),
            ("superseded", &n("superseded").to_string()),
            ("skipped", &n("skipped").to_string()),
            ("errors", &errors),
            ("warnings", &warnings),
        ],
    )
}
