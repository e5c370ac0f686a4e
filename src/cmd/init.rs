//! `tianbao init`: create a campaign folder from a master table.

use std::path::PathBuf;

use tianbao::campaign::Campaign;
use tianbao::finding::tally;

use super::{Fatal, Outcome, ReadArgs};

/// Create a campaign folder: tianbao.toml (with a new signing secret), a copy of the master,
/// and the outbox/, inbox/ and out/ folders.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tianbao init 2023考评 --master 考评表.xlsx
  tianbao init 2023考评 --master 考评表.xls --title \"2023年度绩效目标考评\"
  tianbao init review --master master.ods --spec my-spec.toml
  tianbao init 任务 --master 分解表.xlsx --map \"工作事项=task,承担处室=departments\"

Then edit contact and deadline in DIR/tianbao.toml and run `tianbao generate` in DIR.")]
pub struct Args {
    /// The folder to create the campaign in (created if missing).
    pub dir: PathBuf,
    /// The master table workbook (.xlsx, .xls, .ods).
    #[arg(long, value_name = "FILE")]
    pub master: PathBuf,
    /// A template spec file to use instead of the built-in Chinese one (copied into the folder).
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// The campaign title shown on every workbook (default: the master's title).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// How to read the master (stored in tianbao.toml for every later command).
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
    let (errors, warnings) = tally(&read.findings);
    println!(
        "created campaign \"{}\" in {}",
        tianbao::text::for_terminal(&campaign.config.title),
        tianbao::text::for_terminal(&campaign.dir.display().to_string())
    );
    println!(
        "  master   {} ({} items, {} departments; {errors} errors, {warnings} warnings — see `tianbao inspect`)",
        campaign.master_path().display(),
        read.master.items().len(),
        read.master.departments().len(),
    );
    println!(
        "  config   {}",
        campaign.dir.join(tianbao::campaign::CONFIG_FILE).display()
    );
    println!("  folders  outbox/ inbox/ out/");
    println!("next: set contact and deadline in tianbao.toml, then `tianbao generate`");
    Ok(Outcome::Clean)
}
