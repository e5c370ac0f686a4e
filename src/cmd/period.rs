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
}

pub fn run(campaign_dir: Option<PathBuf>, args: Args) -> Result<Outcome, Fatal> {
    let campaign = Campaign::find(campaign_dir.as_deref())?;
    match args.action {
        Action::New(new) => start(campaign, &new.name),
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
            start(campaign, &period)
        }
        _ => super::generate::run_on(campaign, args),
    }
}

/// Begins period `name` (shared with `generate --period`).
pub fn start(campaign: Campaign, name: &str) -> Result<Outcome, Fatal> {
    let spec = campaign.spec()?;
    let options = PeriodOptions {
        name: name.to_string(),
        at: tianbao::time::now_utc(),
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
    } = started;
    let written = matches!(
        generated,
        tianbao::app::generate::GenerateOutcome::Written { .. }
    );
    let outcome = super::generate::render(&spec, generated);
    if written {
        render_started(&campaign, &period, previous.as_deref(), carried.len());
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
