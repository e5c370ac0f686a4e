//! The command line: one file per subcommand, each with its arguments, `run` and `render`.
//!
//! Everything printed comes from the terminal texts in the run's language ([`lang`]); help
//! and clap's errors too ([`cli`]). Subcommands return an [`Outcome`]; a fatal error is
//! printed once, here.

mod cli;
mod compile;
mod demo;
mod generate;
mod help;
mod init;
mod inspect;
pub mod lang;
mod period;
pub mod progress_bar;
mod render;
mod review;
#[cfg(feature = "serve")]
mod serve;
mod status;
mod validate;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{FromArgMatches, Parser, Subcommand};
use tianbao::explain::{Explain, Said};
use tianbao::ui_texts::Texts;

pub use lang::texts;

/// tianbao (填报). The texts of help come from the terminal texts at run time.
#[derive(Debug, Parser)]
#[command(name = "tianbao", version)]
pub struct Cli {
    /// The campaign folder.
    #[arg(short = 'C', long = "campaign", global = true)]
    pub campaign: Option<PathBuf>,
    /// No progress output.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// The language of the terminal: zh or en.
    #[arg(long, global = true)]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Inspect(inspect::Args),
    Init(init::Args),
    Generate(generate::Args),
    Validate(validate::Args),
    Status(status::Args),
    Compile(compile::Args),
    Review(review::Args),
    Period(period::Args),
    #[cfg(feature = "serve")]
    Serve(serve::Args),
    Demo(demo::Args),
    Help(help::Args),
}

/// How a command that ran ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report beyond warnings.
    Clean,
    /// Error findings (an invalid table, invalid returns, a refused compile).
    Findings,
}

/// A fatal error: the command could not do its job. Printed as one line.
#[derive(Debug)]
pub struct Fatal(pub Said);

impl<E: Explain> From<E> for Fatal {
    fn from(error: E) -> Fatal {
        Fatal(error.said())
    }
}

pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let t = lang::choose(&args);
    let cli = match cli::command(t)
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err, t, &args),
    };
    progress_bar::set_quiet(cli.quiet);
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Init(args) => init::run(args),
        // `generate --period` may begin a period: period's to run (period → generate only).
        Command::Generate(args) => period::generate(cli.campaign, args),
        Command::Validate(args) => validate::run(cli.campaign, args),
        Command::Status(args) => status::run(cli.campaign, args),
        Command::Compile(args) => compile::run(cli.campaign, args),
        Command::Review(args) => review::run(cli.campaign, args),
        Command::Period(args) => period::run(cli.campaign, args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(cli.campaign, args),
        Command::Demo(args) => demo::run(args),
        Command::Help(args) => help::run(args),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(Fatal(said)) => {
            // One line, whatever the error's text holds (a library's multi-line detail).
            let text = said.render(t);
            let line: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            eprintln!(
                "{}{}",
                t.get("error.prefix"),
                tianbao::cell_text::for_terminal(&line.join(" "))
            );
            ExitCode::from(2)
        }
    }
}

/// Help and version are printed as asked (exit 0); a usage error is told in words, with where
/// to read more (exit 2).
fn usage_error(err: &clap::Error, t: &Texts, args: &[OsString]) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            ExitCode::from(2)
        }
        _ => {
            eprintln!("{}{}", t.get("error.prefix"), cli::explain(err, t));
            let command = match cli::subcommand_in(args) {
                Some(sub) => format!("tianbao {sub} --help"),
                None => "tianbao --help".to_string(),
            };
            eprintln!("{}", t.say("clap.see_help", &[("command", &command)]));
            ExitCode::from(2)
        }
    }
}

/// Prints a JSON value, pretty.
pub fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}

/// A path as shown on the terminal.
pub fn shown(path: &std::path::Path) -> String {
    tianbao::cell_text::for_terminal(&path.display().to_string()).into_owned()
}

/// How to read a master where detection is not enough: shared by `inspect` and `init` (which
/// stores it in tianbao.toml for every later command).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReadArgs {
    /// Read the table from this sheet instead of searching every sheet.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Which column is which: LABEL=ROLE pairs by header label or column letter, e.g.
    /// "具体措施=task,牵头单位=lead,C=ignored". Roles: id, category, indicator, task, basis,
    /// text, weight, deadline, leaders, departments, lead, cooperating, persons, ignored.
    #[arg(long = "map", value_name = "LABEL=ROLE,…")]
    pub map: Vec<String>,
    /// The header's row (1-based), or its first and last rows, e.g. 3 or 3-4.
    #[arg(long = "header-row", value_name = "N[-M]")]
    pub header_row: Option<String>,
    /// What a name for all units stands for, e.g. "各县（市、区）=鲤城区、丰泽区、洛江区"
    /// (repeatable).
    #[arg(long = "units", value_name = "NAME=UNIT、UNIT…")]
    pub units: Vec<String>,
    /// The first department named in each cell leads, the others cooperate.
    #[arg(long = "first-leads")]
    pub first_leads: bool,
}

impl ReadArgs {
    /// The options as a campaign stores them.
    pub fn reading(&self) -> Result<tianbao::campaign::Reading, Fatal> {
        let mut columns = indexmap::IndexMap::new();
        for text in &self.map {
            for m in tianbao::master::parse_mapping(text)? {
                columns.insert(m.key, m.role);
            }
        }
        let mut units = indexmap::IndexMap::new();
        for text in &self.units {
            let (token, list) = tianbao::master::parse_units(text)?;
            units.insert(token, list);
        }
        if let Some(rows) = &self.header_row {
            tianbao::master::parse_header_rows(rows)?;
        }
        Ok(tianbao::campaign::Reading {
            sheet: self.sheet.clone(),
            header_row: self.header_row.clone(),
            first_leads: self.first_leads,
            columns,
            units,
        })
    }
}

/// Says that a lock left by a run that did not finish was taken over.
pub fn took_over(holder: &tianbao::lock::Holder) {
    let t = texts();
    let who = tianbao::explain::holder_words(t, Some(holder));
    eprintln!(
        "{}{}",
        t.get("note.prefix"),
        t.say(
            "note.took_over",
            &[("holder", &tianbao::cell_text::for_terminal(&who))]
        )
    );
}
