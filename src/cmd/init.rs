//! `tianbao init`: create a campaign folder from a master table.

use std::path::PathBuf;

use tianbao::campaign::Campaign;
use tianbao::finding::tally;

use super::{Fatal, Outcome, ReadArgs, shown, texts};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to create the campaign in.
    pub dir: PathBuf,
    /// The master table workbook.
    #[arg(long)]
    pub master: PathBuf,
    /// A template spec file instead of the built-in one.
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// The campaign title.
    #[arg(long)]
    pub title: Option<String>,
    #[command(flatten)]
    pub read: ReadArgs,
}

pub fn run(args: Args) -> Result<Outcome, Fatal> {
    let (campaign, read) = Campaign::init(
        &args.dir,
        &args.master,
        args.spec.as_deref(),
        args.title.as_deref(),
        args.read.reading()?,
    )?;
    let t = texts();
    let (errors, warnings) = tally(&read.findings);
    let title = tianbao::text::for_terminal(&campaign.config.title);
    let dir = shown(&campaign.dir);
    println!(
        "{}",
        t.say("init.created", &[("title", &title), ("dir", &dir)])
    );
    let items = t.count("count.items", read.master.items().len(), &[]);
    let departments = t.count("count.departments", read.master.departments().len(), &[]);
    let errors = t.count("count.errors", errors, &[]);
    let warnings = t.count("count.warnings", warnings, &[]);
    println!(
        "{}",
        t.say(
            "init.master",
            &[
                ("path", &shown(&campaign.master_path())),
                ("items", &items),
                ("departments", &departments),
                ("errors", &errors),
                ("warnings", &warnings),
            ]
        )
    );
    let config = shown(&campaign.dir.join(tianbao::campaign::CONFIG_FILE));
    println!("{}", t.say("init.config", &[("path", &config)]));
    println!("{}", t.get("init.folders"));
    println!("{}", t.get("init.next"));
    Ok(Outcome::Clean)
}
