//! `tianbao generate`: write one fill-in workbook per department.

use std::path::PathBuf;

use tianbao::app::generate::{GenerateOptions, GenerateOutcome};
use tianbao::campaign::Campaign;
use tianbao::ui_texts::pad_left;

use super::render::{finding_line, joined};
use super::{Fatal, Outcome, shown, texts};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this department (repeatable).
    #[arg(long = "dept")]
    pub departments: Vec<String>,
    /// Write into this folder instead of the campaign's outbox/.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Issue the workbooks of this period: a new one begins as with `period new`.
    #[arg(long, conflicts_with_all = ["departments", "out"])]
    pub period: Option<String>,
}

/// Issues the workbooks of `campaign` as it stands, in its current period if it has one (the
/// command goes through `period::generate`, which begins a new period when asked to).
pub fn run_on(campaign: Campaign, args: Args) -> Result<Outcome, Fatal> {
    let spec = campaign.spec()?;
    let options = GenerateOptions {
        departments: args.departments,
        out: args.out,
        at: tianbao::time::now_utc(),
        ..GenerateOptions::default()
    };
    let outcome = tianbao::app::generate::generate(
        &campaign,
        &options,
        &super::progress_bar::Terminal::default(),
    )?;
    Ok(render(&spec, outcome))
}

/// Renders what generate did.
pub fn render(spec: &tianbao::spec::Spec, outcome: GenerateOutcome) -> Outcome {
    let t = texts();
    let (dir, issued, took_over, papers, warnings) = match outcome {
        GenerateOutcome::Refused { master, errors } => {
            eprintln!(
                "{}",
                t.count(
                    "generate.refused",
                    errors.len(),
                    &[("path", &shown(&master))]
                )
            );
            for f in &errors {
                eprintln!("{}", finding_line(t, spec, f));
            }
            return Outcome::Findings;
        }
        GenerateOutcome::Written {
            dir,
            issued,
            took_over,
            papers,
            warnings,
        } => (dir, issued, took_over, papers, warnings),
    };
    if let Some(holder) = &took_over {
        super::took_over(holder);
    }
    if issued.len() <= 100 {
        let counts: Vec<String> = issued
            .iter()
            .map(|i| t.count("count.items", i.items, &[]))
            .collect();
        let width = tianbao::ui_texts::widest(counts.iter().map(String::as_str));
        for (i, count) in issued.iter().zip(&counts) {
            println!("  {}  {}", pad_left(count, width), shown(&i.path));
        }
    }
    println!(
        "{}",
        t.count("generate.written", issued.len(), &[("dir", &shown(&dir))])
    );
    render_papers(&papers, issued.len(), &warnings);
    Outcome::Clean
}

/// The sending list, the notices, and what the settings leave unsaid.
fn render_papers(
    papers: &tianbao::app::generate::Papers,
    notices: usize,
    warnings: &[tianbao::app::generate::GenerateWarning],
) {
    use tianbao::app::generate::GenerateWarning;
    let tx = texts();
    println!(
        "{}",
        tx.say("generate.notice.list", &[("path", &shown(&papers.list))])
    );
    println!(
        "{}",
        tx.count(
            "generate.notice.notices",
            notices,
            &[("dir", &shown(&papers.notice_dir))]
        )
    );
    if !papers.not_current.is_empty() {
        let names: Vec<String> = papers.not_current.iter().map(|(d, _)| d.clone()).collect();
        println!(
            "{}",
            tx.count(
                "generate.notice.not_current",
                names.len(),
                &[("departments", &joined(tx, &names))]
            )
        );
    }
    for warning in warnings {
        let key = match warning {
            GenerateWarning::NoContact => "generate.notice.no_contact",
            GenerateWarning::NoDeadline => "generate.notice.no_deadline",
        };
        eprintln!("{}", tx.get(key));
    }
}
