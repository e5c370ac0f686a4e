//! `tianbao generate`: write one fill-in workbook per department.

use std::path::PathBuf;

use tianbao::app::generate::{GenerateOptions, GenerateOutcome};
use tianbao::campaign::Campaign;
use tianbao::text::for_terminal as t;

use super::{Fatal, Outcome};

/// Write one fill-in workbook per department (lead or cooperating) into outbox/: only its
/// items, master columns locked, input cells checked as people type, and a signed identity;
/// with each its notice (outbox/通知/<部门>.txt), and the sending list (outbox/发送清单.xlsx).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tianbao generate                      # every department, into outbox/
  tianbao generate --dept 办公室 --dept 审批科
  tianbao -C 2023考评 generate --out /tmp/forms

With --dept only those departments' workbooks and notices are written; the sending list is
rewritten with every department, each row marked when its workbook is missing or outdated.
Refuses (exit 1) when the master table has errors; `tianbao inspect` shows them.")]
pub struct Args {
    /// Only this department (repeatable).
    #[arg(long = "dept", value_name = "NAME")]
    pub departments: Vec<String>,
    /// Write into this folder instead of the campaign's outbox/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(campaign_dir: Option<PathBuf>, args: Args) -> Result<Outcome, Fatal> {
    let campaign = Campaign::find(campaign_dir.as_deref())?;
    let options = GenerateOptions {
        departments: args.departments,
        out: args.out,
        at: tianbao::time::now_utc(),
    };
    let outcome = tianbao::app::generate::generate(
        &campaign,
        &options,
        &super::progress::Terminal::default(),
    )?;
    Ok(render(outcome))
}

/// Renders what generate did.
pub fn render(outcome: GenerateOutcome) -> Outcome {
    let (dir, issued, took_over, papers, warnings) = match outcome {
        GenerateOutcome::Refused { master, errors } => {
            eprintln!(
                "the master table {} has {} errors; fix them before generating:",
                t(&master.display().to_string()),
                errors.len()
            );
            for f in &errors {
                eprintln!(
                    "  {} {} {}",
                    f.code,
                    t(&f.place()),
                    t(&f.message(&tianbao::spec::Spec::builtin()))
                );
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
        for i in &issued {
            println!("{:>3} items  {}", i.items, t(&i.path.display().to_string()));
        }
    }
    println!(
        "wrote {} workbooks to {}",
        issued.len(),
        t(&dir.display().to_string())
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
    let texts = super::texts();
    let shown = |p: &std::path::Path| t(&p.display().to_string()).into_owned();
    println!(
        "{}",
        texts.say("generate.notice.list", &[("path", &shown(&papers.list))])
    );
    println!(
        "{}",
        texts.count(
            "generate.notice.notices",
            notices,
            &[("dir", &shown(&papers.notice_dir))]
        )
    );
    if !papers.not_current.is_empty() {
        let names: Vec<String> = papers
            .not_current
            .iter()
            .map(|(d, _)| t(d).into_owned())
            .collect();
        println!(
            "{}",
            texts.count(
                "generate.notice.not_current",
                names.len(),
                &[(
                    "departments",
                    &names.join(texts.get("generate.notice.separator"))
                )]
            )
        );
    }
    for warning in warnings {
        let key = match warning {
            GenerateWarning::NoContact => "generate.notice.no_contact",
            GenerateWarning::NoDeadline => "generate.notice.no_deadline",
        };
        eprintln!("{}", texts.get(key));
    }
}
