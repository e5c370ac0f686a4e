//! `tianbao period`: the periods of a campaign that reports every month or quarter —
//! `period new NAME` begins one and issues its workbooks (as `generate --period NAME`),
//! `period list` shows them.

use std::path::PathBuf;

use tianbao::app::period::{PeriodOptions, Started};
use tianbao::campaign::Campaign;

use super::{Fatal, Outcome, shown, texts};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Begin a new period and issue its workbooks.
    New(NewArgs),
    /// The campaign's periods.
    List,
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The new period's name (`2024-03`).
    pub name: String,
    /// The new period's deadline (`2024年8月5日`); without it, the last one moved on by the
    /// periods' distance.
    #[arg(long)]
    pub deadline: Option<String>,
}

pub fn run(campaign_dir: Option<PathBuf>, args: Args) -> Result<Outcome, Fatal> {
    let campaign = Campaign::find(campaign_dir.as_deref())?;
    match args.action {
        Action::New(new) => start(campaign, &new.name, new.deadline),
        Action::List => list(&campaign),
    }
}

/// `generate --period NAME`: begins that period when it is not the current one, else issues
/// the current period's workbooks as `generate` does.
pub fn generate(
    campaign_dir: Option<PathBuf>,
    args: super::generate::Args,
) -> Result<Outcome, Fatal> {
    let campaign = Campaign::find(campaign_dir.as_deref())?;
    match args.period.clone() {
        Some(period) if campaign.config.period.as_ref() != Some(&period) => {
            start(campaign, &period, None)
        }
        _ => super::generate::run_on(campaign, args),
    }
}

/// Begins period `name` (shared with `generate --period`).
pub fn start(campaign: Campaign, name: &str, deadline: Option<String>) -> Result<Outcome, Fatal> {
    let spec = campaign.spec()?;
    let options = PeriodOptions {
        name: name.to_string(),
        at: tianbao::time::now_utc(),
        deadline,
    };
    let (campaign, started) = tianbao::app::period::start(
        campaign,
        &options,
        &super::progress_bar::Terminal::default(),
    )?;
    let Started {
        period,
        previous,
        carried,
        generated,
        deadline,
    } = started;
    let written = matches!(
        generated,
        tianbao::app::generate::GenerateOutcome::Written { .. }
    );
    let outcome = super::generate::render(&spec, generated);
    if written {
        render_started(&campaign, &period, previous.as_deref(), carried.len());
        render_deadline(&period, previous.as_deref(), &deadline);
    }
    Ok(outcome)
}

/// What beginning the period did besides issuing.
fn render_started(campaign: &Campaign, period: &str, previous: Option<&str>, carried: usize) {
    let t = texts();
    let inbox = shown(&campaign.inbox());
    println!(
        "{}",
        t.say("period.started", &[("period", period), ("inbox", &inbox)])
    );
    match previous {
        Some(previous) if carried > 0 => println!(
            "{}",
            t.count(
                "period.carried",
                carried,
                &[("previous", previous), ("period", period)]
            )
        ),
        Some(previous) => println!(
            "{}",
            t.say("period.carried_none", &[("previous", previous)])
        ),
        None => {}
    }
}

/// Which deadline the period's workbooks say, and why.
fn render_deadline(
    period: &str,
    previous: Option<&str>,
    (deadline, from): &(String, tianbao::app::period::Deadline),
) {
    use tianbao::app::period::Deadline;
    let t = texts();
    let line = match from {
        _ if deadline.is_empty() => t.say("period.deadline_unset", &[("period", period)]),
        Deadline::Given => t.say("period.deadline_given", &[("deadline", deadline)]),
        Deadline::Moved { months } => t.say(
            "period.deadline_moved",
            &[
                ("deadline", deadline),
                ("previous", previous.unwrap_or("")),
                ("months", &months.to_string()),
                ("period", period),
            ],
        ),
        Deadline::Kept => t.say(
            "period.deadline_kept",
            &[("deadline", deadline), ("period", period)],
        ),
    };
    println!("{line}");
}

/// The periods, the current one marked.
fn list(campaign: &Campaign) -> Result<Outcome, Fatal> {
    let t = texts();
    let periods = tianbao::app::period::periods(campaign)?;
    if periods.is_empty() {
        println!("{}", t.get("period.none"));
        return Ok(Outcome::Clean);
    }
    let current = campaign.config.period.as_deref();
    for name in &periods {
        let key = if Some(name.as_str()) == current {
            "period.list_current"
        } else {
            "period.list_line"
        };
        println!("{}", t.say(key, &[("period", name)]));
    }
    Ok(Outcome::Clean)
}
