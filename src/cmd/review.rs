//! `tianbao review`: the assessment group's review workbook (核定表), made from the returns as
//! `validate` checks them.

use std::path::PathBuf;

use tianbao::app::review::{ReviewOptions, ReviewOutcome};
use tianbao::campaign::Campaign;

use super::render::{finding_line, joined, t};
use super::{Fatal, Outcome, shown, texts};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write the workbook here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(campaign_dir: Option<PathBuf>, args: Args) -> Result<Outcome, Fatal> {
    let campaign = Campaign::find(campaign_dir.as_deref())?;
    let spec = campaign.spec()?;
    let options = ReviewOptions {
        out: args.out,
        at: tianbao::time::now_utc(),
    };
    let outcome = tianbao::app::review::review(
        campaign,
        &options,
        &super::progress_bar::Terminal::default(),
    )?;
    Ok(render(&spec, outcome))
}

/// Renders what review did.
pub fn render(spec: &tianbao::spec::Spec, outcome: ReviewOutcome) -> Outcome {
    let tx = texts();
    let written = match outcome {
        ReviewOutcome::Refused { master, errors } => {
            eprintln!(
                "{}",
                tx.count("review.refused", errors.len(), &[("path", &shown(&master))])
            );
            for f in &errors {
                eprintln!("{}", finding_line(tx, spec, f));
            }
            return Outcome::Findings;
        }
        ReviewOutcome::Written(written) => written,
    };
    if let Some(holder) = &written.took_over {
        super::took_over(holder);
    }
    println!(
        "{}",
        tx.say("review.written", &[("path", &shown(&written.path))])
    );
    println!(
        "{}",
        tx.say(
            "review.summary",
            &[
                ("round", &written.round.to_string()),
                (
                    "departments",
                    &tx.count("count.departments", written.departments, &[])
                ),
                ("rows", &written.rows.to_string()),
            ]
        )
    );
    if let Some(carried) = &written.carried {
        println!(
            "{}",
            tx.say(
                "review.carried",
                &[
                    ("round", &carried.round.to_string()),
                    ("file", &t(&carried.file)),
                    ("scores", &carried.scores.to_string()),
                    ("adjustments", &carried.adjustments.to_string()),
                    ("changed", &carried.changed.to_string()),
                ]
            )
        );
    }
    if !written.not_valid.is_empty() {
        let names: Vec<String> = written
            .not_valid
            .iter()
            .map(|s| s.department.clone())
            .collect();
        println!(
            "{}",
            tx.say("review.not_valid", &[("departments", &joined(tx, &names))])
        );
    }
    let folder = written.checked.campaign.review_inbox_shown();
    println!("{}", tx.say("review.next", &[("folder", &folder)]));
    Outcome::Clean
}
