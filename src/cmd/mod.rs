//! The command line: one file per subcommand, each with its arguments and `run`.
//!
//! Subcommands return an [`Outcome`]; errors are printed once, as `error: …`, here.

mod compile;
mod demo;
mod generate;
mod init;
mod inspect;
pub mod progress;
mod status;
mod validate;

use std::path::PathBuf;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// tianbao (填报): send each department its own fill-in workbook, check what comes back, and
/// compile the scored table in the master's layout.
#[derive(Debug, Parser)]
#[command(name = "tianbao", version, about, long_about = None)]
pub struct Cli {
    /// The campaign folder (default: the nearest folder upwards holding tianbao.toml).
    #[arg(short = 'C', long = "campaign", global = true, value_name = "DIR")]
    pub campaign: Option<PathBuf>,
    /// No progress output on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
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
    Demo(demo::Args),
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
pub type Fatal = Box<dyn std::error::Error>;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout with success, usage errors to stderr.
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    progress::set_quiet(cli.quiet);
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Init(args) => init::run(args),
        Command::Generate(args) => generate::run(cli.campaign, args),
        Command::Validate(args) => validate::run(cli.campaign, args),
        Command::Status(args) => status::run(cli.campaign, args),
        Command::Compile(args) => compile::run(cli.campaign, args),
        Command::Demo(args) => demo::run(args),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(err) => {
            // One line, whatever the error's text holds (a library's multi-line detail).
            let text = err.to_string();
            let line: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            eprintln!("error: {}", tianbao::text::for_terminal(&line.join(" ")));
            ExitCode::from(2)
        }
    }
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

/// The terminal texts (to be chosen by the language of the spec and the environment).
pub fn texts() -> &'static tianbao::texts::Texts {
    tianbao::texts::Texts::builtin("zh")
}

/// Says that a lock left by a run that did not finish was taken over.
pub fn took_over(holder: &str) {
    eprintln!(
        "note: took over the lock left by {}, which did not finish",
        tianbao::text::for_terminal(holder)
    );
}
