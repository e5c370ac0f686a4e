//! `tianbao compile`: the consolidated, scored workbook in the master's own layout, made from
//! exactly the returns `validate` checked.

use std::path::PathBuf;

use super::render::t;
use tianbao::app::compile::{CompileOptions, CompileOutcome};
use tianbao::campaign::Campaign;
use tianbao::cell_text::show;

use super::render::{joined, padded};
use super::{Fatal, Outcome, shown, texts};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, folders or .zip archives; default: the inbox.
    pub paths: Vec<PathBuf>,
    /// Write the workbook here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Compile even when departments have no valid return.
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Validate the returns again, then compile.
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
    let outcome = tianbao::app::compile::compile(
        campaign,
        &options,
        &super::progress_bar::Terminal::default(),
    )?;
    Ok(render(outcome))
}

/// Renders how compile ended.
pub fn render(outcome: CompileOutcome) -> Outcome {
    match outcome {
        CompileOutcome::Written(written) => render_written(&written),
        CompileOutcome::Refused { blockers } => render_refused(&blockers),
        CompileOutcome::ReviewInvalid { review } => {
            let tx = texts();
            eprintln!(
                "{}",
                tx.say(
                    "compile.review_invalid",
                    &[
                        ("file", &t(&review.file)),
                        ("errors", &tx.count("count.errors", review.errors, &[])),
                    ]
                )
            );
            Outcome::Findings
        }
        CompileOutcome::NotValidated { changes, never } => render_not_validated(&changes, never),
    }
}

/// The departments without a valid return that kept compile from writing.
fn render_refused(blockers: &[tianbao::returns::Standing]) -> Outcome {
    let tx = texts();
    eprintln!("{}", tx.count("compile.refused", blockers.len(), &[]));
    let names = padded(blockers.iter().map(|s| s.department.as_str()));
    for (standing, name) in blockers.iter().zip(names) {
        let detail = match standing.status {
            tianbao::returns::DepartmentStatus::Invalid => tx.say(
                "compile.blocker_invalid",
                &[
                    ("errors", &tx.count("count.errors", standing.errors, &[])),
                    ("file", &t(standing.file.as_deref().unwrap_or(""))),
                ],
            ),
            _ if standing.persons.is_empty() => tx.get("compile.blocker_missing_plain").to_string(),
            _ => tx.say(
                "compile.blocker_missing",
                &[("persons", &joined(tx, &standing.persons))],
            ),
        };
        eprintln!("  {name}  {detail}");
    }
    eprintln!("{}", tx.get("compile.refused_hint"));
    Outcome::Findings
}

/// The files that changed since validate checked them (or that it never did).
fn render_not_validated(changes: &tianbao::returns::receipt::Changes, never: bool) -> Outcome {
    let tx = texts();
    eprintln!(
        "{}",
        tx.get(if never {
            "compile.never_validated"
        } else {
            "compile.changed"
        })
    );
    for (what, list) in [
        ("compile.change.new", &changes.new),
        ("compile.change.changed", &changes.changed),
        ("compile.change.gone", &changes.gone),
    ] {
        for path in list {
            eprintln!("  {}  {}", tx.get(what), t(path));
        }
    }
    eprintln!("{}", tx.get("compile.changed_hint"));
    Outcome::Findings
}

/// Progress or data compiled with departments missing: who, and how many items lack them (the
/// table marks those cells).
fn render_measured_partial(written: &tianbao::app::compile::Written) {
    if written.blockers.is_empty() {
        return;
    }
    let tx = texts();
    let names: Vec<String> = written
        .blockers
        .iter()
        .map(|s| s.department.clone())
        .collect();
    let items = written
        .checked
        .master
        .items()
        .iter()
        .filter(|i| i.departments.iter().any(|d| names.contains(d)))
        .count();
    println!(
        "{}",
        tx.say(
            "compile.measured_partial",
            &[
                ("departments", &joined(tx, &names)),
                ("count", &names.len().to_string()),
                ("items", &tx.count("count.items", items, &[])),
            ]
        )
    );
}

/// The workbook written: where, the total (or what was collected), the departments left
/// out, and the reviewed results.
fn render_written(written: &tianbao::app::compile::Written) -> Outcome {
    let tx = texts();
    if let Some(holder) = &written.took_over {
        super::took_over(holder);
    }
    let scores = &written.scores;
    let master = &written.checked.master;
    let scored = scores.items.len() - scores.unscored().count();
    println!(
        "{}",
        tx.say("compile.written", &[("path", &shown(&written.path))])
    );
    if written.checked.spec.score_input().is_none() {
        // Progress reporting and data collection: what was collected, and the flags.
        println!(
            "{}",
            tx.say(
                "compile.measured",
                &[("items", &tx.count("count.items", master.items().len(), &[]))]
            )
        );
        render_measured_partial(written);
        print!("{}", super::status::flag_lines(&written.checked));
        return Outcome::Clean;
    }
    println!(
        "{}",
        tx.say(
            "compile.total",
            &[
                ("total", &show(scores.total())),
                ("full", &show(master.total_weight())),
                ("scored", &scored.to_string()),
                ("items", &tx.count("count.items", scores.items.len(), &[])),
                ("rule", tx.get(&format!("rule.{}", scores.rule.as_str()))),
            ]
        )
    );
    if scores.is_partial() {
        let names: Vec<String> = written
            .blockers
            .iter()
            .map(|s| s.department.clone())
            .collect();
        println!(
            "{}",
            tx.say(
                "compile.partial",
                &[
                    (
                        "items",
                        &tx.count("count.items", scores.unscored().count(), &[])
                    ),
                    ("departments", &joined(tx, &names)),
                ]
            )
        );
    }
    if scores.reviewed {
        render_results(written);
    }
    Outcome::Clean
}

/// Texts padded on the left to the widest.
fn padded_left(texts: impl Iterator<Item = String>) -> Vec<String> {
    let texts: Vec<String> = texts.collect();
    let width = tianbao::ui_texts::widest(texts.iter().map(String::as_str));
    texts
        .iter()
        .map(|t| tianbao::ui_texts::pad_left(t, width))
        .collect()
}

/// The reviewed total and each department's result, by rank.
fn render_results(written: &tianbao::app::compile::Written) {
    let tx = texts();
    let scores = &written.scores;
    let round = written
        .checked
        .collection
        .review
        .as_ref()
        .map_or(0, |r| r.round);
    println!(
        "{}",
        tx.say(
            "compile.reviewed_total",
            &[
                ("total", &show(scores.final_total())),
                ("full", &show(written.checked.master.total_weight())),
                ("round", &round.to_string()),
            ]
        )
    );
    let order = tianbao::compile::results::publication_order(&written.results);
    let results: Vec<_> = order.iter().map(|&i| &written.results[i]).collect();
    if results.is_empty() {
        return;
    }
    println!("{}", tx.get("compile.ranking"));
    let names = padded(results.iter().map(|r| r.department.as_str()));
    let ranks: Vec<String> = results
        .iter()
        .map(|r| r.rank.map_or_else(|| "—".to_string(), |n| n.to_string()))
        .collect();
    let rank_width = tianbao::ui_texts::widest(ranks.iter().map(String::as_str));
    let actuals = padded_left(results.iter().map(|r| show(r.actual)));
    let weights: Vec<String> = results.iter().map(|r| show(r.weight)).collect();
    let weights = padded(weights.iter().map(String::as_str));
    for ((((r, name), rank), actual), weight) in results
        .iter()
        .zip(names)
        .zip(&ranks)
        .zip(actuals)
        .zip(weights)
    {
        let rate = match r.rate {
            Some(rate) => format!("{}%", show(rate * rust_decimal::Decimal::ONE_HUNDRED)),
            None => tx.get("compile.unranked").to_string(),
        };
        println!(
            "{}",
            tx.say(
                "compile.rank_line",
                &[
                    ("rank", &tianbao::ui_texts::pad_left(rank, rank_width)),
                    ("department", &name),
                    ("actual", &actual),
                    ("weight", &weight),
                    ("rate", &rate),
                    ("grade", r.grade.as_deref().unwrap_or("")),
                ]
            )
        );
    }
}
