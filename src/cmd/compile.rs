//! `tianbao compile`: the consolidated, scored workbook in the master's own layout, made from
//! exactly the returns `validate` checked.

use std::path::PathBuf;

use super::render::t;
use tianbao::app::compile::{CompileOptions, CompileOutcome};
use tianbao::campaign::Campaign;
use tianbao::text::show;

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
    let outcome =
        tianbao::app::compile::compile(campaign, &options, &super::progress::Terminal::default())?;
    Ok(render(outcome))
}

/// Renders how compile ended.
pub fn render(outcome: CompileOutcome) -> Outcome {
    let tx = texts();
    let written = match outcome {
        CompileOutcome::Written(written) => written,
        CompileOutcome::Refused { blockers } => {
            eprintln!("{}", tx.count("compile.refused", blockers.len(), &[]));
            let names = padded(blockers.iter().map(|s| s.department.as_str()));
            for (standing, name) in blockers.iter().zip(names) {
                let detail = match standing.status {
                    "invalid" => tx.say(
                        "compile.blocker_invalid",
                        &[
                            ("errors", &tx.count("count.errors", standing.errors, &[])),
                            ("file", &t(standing.file.as_deref().unwrap_or(""))),
                        ],
                    ),
                    _ => tx.say(
                        "compile.blocker_missing",
                        &[("persons", &joined(tx, &standing.persons))],
                    ),
                };
                eprintln!("  {name}  {detail}");
            }
            eprintln!("{}", tx.get("compile.refused_hint"));
            return Outcome::Findings;
        }
        CompileOutcome::NotValidated { changes, never } => {
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
            return Outcome::Findings;
        }
    };
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
    Outcome::Clean
}
