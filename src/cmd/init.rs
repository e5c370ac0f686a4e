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
    /// A template spec: a file, or a built-in one by name (zh, en); `--lang en` alone selects en.
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// What is collected: assess (the self-assessment), progress or data.
    #[arg(long, value_parser = ["assess", "progress", "data"])]
    pub kind: Option<String>,
    /// The campaign title.
    #[arg(long)]
    pub title: Option<String>,
    /// Whom departments ask.
    #[arg(long, default_value = "")]
    pub contact: String,
    /// The deadline as departments read it.
    #[arg(long, default_value = "")]
    pub deadline: String,
    /// Who issues the campaign (制表单位).
    #[arg(long, default_value = "")]
    pub office: String,
    /// Where departments send their returns.
    #[arg(long = "return-to", default_value = "")]
    pub return_to: String,
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
    // `--kind` names a built-in spec of the language `--spec zh|en` says (Chinese by default).
    let spec = match &args.kind {
        Some(kind) => {
            let language = args
                .spec
                .as_deref()
                .and_then(|p| p.to_str())
                .filter(|s| ["zh", "en"].contains(s))
                .unwrap_or("zh");
            tianbao::spec::Spec::kind_name(kind, language).map(PathBuf::from)
        }
        // `--lang en` without `--spec` selects the English spec.
        None => args.spec.clone().or_else(|| {
            super::lang::explicit()
                .filter(|l| *l == "en")
                .map(PathBuf::from)
        }),
    };
    let (campaign, read) = Campaign::init_with(
        &args.dir,
        &args.master,
        spec.as_deref(),
        &details,
        args.read.reading()?,
    )?;
    let t = texts();
    let (errors, warnings) = tally(&read.findings);
    let title = tianbao::cell_text::for_terminal(&campaign.config.title);
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
    render_details(&campaign.config);
    // What to do next: never "run generate" for a master generate would refuse.
    let missing = campaign
        .spec()
        .map(|spec| tianbao::app::generate::missing_columns(&read.master, &spec))
        .unwrap_or_default();
    let master = shown(&campaign.master_path());
    if tally(&read.findings).0 > 0 {
        println!(
            "{}",
            t.say("init.next_fix", &[("errors", &errors), ("master", &master)])
        );
    } else if !missing.is_empty() {
        let columns = missing.join("、");
        println!(
            "{}",
            t.say(
                "init.next_columns",
                &[("columns", &columns), ("master", &master)]
            )
        );
    } else {
        render_next(&campaign.config);
    }
    Ok(Outcome::Clean)
}

/// The texts set for the campaign.
fn render_details(config: &tianbao::campaign::Config) {
    let tx = texts();
    for (key, value) in [
        ("init.contact", &config.contact),
        ("init.deadline", &config.deadline),
        ("init.office", &config.office),
        ("init.return_to", &config.return_to),
    ] {
        if !value.is_empty() {
            println!("{}", tx.say(key, &[("value", &super::render::t(value))]));
        }
    }
}

/// What to do next for a master generate takes.
fn render_next(config: &tianbao::campaign::Config) {
    let tx = texts();
    if config.contact.is_empty() || config.deadline.is_empty() {
        println!("{}", tx.get("init.next_unset"));
    } else {
        println!("{}", tx.get("init.next"));
    }
}
