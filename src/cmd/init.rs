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
  tianbao init 2023考评 --master 考评表.xlsx --contact \"办公室 张三 0595-22345678\" \\
      --deadline \"2024年1月10日\" --office \"泉州市生态环境局考评办\" --return-to kpb@example.gov.cn

Then run `tianbao generate` in DIR (contact, deadline, office and return_to can be changed
in DIR/tianbao.toml).")]
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
    /// Whom departments ask, e.g. "办公室 张三 0595-22345678".
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub contact: String,
    /// The deadline as departments read it, e.g. "2024年1月10日".
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub deadline: String,
    /// Who issues the campaign (制表单位), e.g. "泉州市生态环境局考评办".
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub office: String,
    /// Where departments send their returns, e.g. "kpb@example.gov.cn".
    #[arg(long = "return-to", value_name = "TEXT", default_value = "")]
    pub return_to: String,
    /// How to read the master (stored in tianbao.toml for every later command).
    #[command(flatten)]
    pub read: ReadArgs,
}

pub fn run(args: Args) -> Result<Outcome, Fatal> {
    let details = tianbao::campaign::Details {
        title: args.title,
        contact: args.contact,
        deadline: args.deadline,
        office: args.office,
        return_to: args.return_to,
    };
    let (campaign, read) = Campaign::init_with(
        &args.dir,
        &args.master,
        args.spec.as_deref(),
        &details,
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
    render_details(&campaign.config);
    Ok(Outcome::Clean)
}

/// The texts set for the campaign, and what to do next.
fn render_details(config: &tianbao::campaign::Config) {
    let texts = super::texts();
    let t = tianbao::text::for_terminal;
    for (key, value) in [
        ("init.contact", &config.contact),
        ("init.deadline", &config.deadline),
        ("init.office", &config.office),
        ("init.return_to", &config.return_to),
    ] {
        if !value.is_empty() {
            println!("{}", texts.say(key, &[("value", &t(value))]));
        }
    }
    if config.contact.is_empty() || config.deadline.is_empty() {
        println!("{}", texts.get("init.next_unset"));
    } else {
        println!("{}", texts.get("init.next"));
    }
}
