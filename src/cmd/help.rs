//! `tianbao help [COMMAND]`: the help of tianbao or of one command, as `--help` prints it.

use super::{Fatal, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The command to explain.
    pub command: Option<String>,
}

pub fn run(args: Args) -> Result<Outcome, Fatal> {
    let t = super::texts();
    let mut root = super::cli::command(t);
    root.build();
    let help = match &args.command {
        None => root.render_help(),
        Some(name) => match root.find_subcommand_mut(name) {
            Some(sub) => sub.render_help(),
            None => {
                return Err(Fatal(
                    tianbao::explain::Said::new("clap.unknown_command").text("command", name),
                ));
            }
        },
    };
    print!("{help}");
    Ok(Outcome::Clean)
}
