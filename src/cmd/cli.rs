//! The command line in the run's language: clap's command, with every about, argument help,
//! value name, heading, usage and example replaced from the terminal texts (`[help]`), and
//! clap's errors told in the same words.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};
use tianbao::ui_texts::Texts;

/// The command line of `tianbao`, in `t`'s language.
pub fn command(t: &Texts) -> Command {
    let root = <super::Cli as clap::CommandFactory>::command()
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .global(true),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version),
        )
        .subcommand_help_heading(t.get("help.heading.commands").to_string())
        .subcommand_value_name(t.get("help.value.command").to_string());
    localize(root, t, "root")
}

/// Applies the texts of `help.<name>` to `cmd`, its arguments and its subcommands.
fn localize(cmd: Command, t: &Texts, name: &str) -> Command {
    let key = |part: &str| format!("help.{name}.{part}");
    let ids: Vec<(String, bool)> = cmd
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    let mut cmd = cmd
        .about(t.get(&key("about")).to_string())
        .long_about(None::<&str>)
        .override_usage(t.get(&key("usage")).to_string())
        .help_template(template(t));
    if t.has(&key("after")) {
        cmd = cmd.after_help(t.get(&key("after")).to_string());
    }
    if !subcommands.is_empty() {
        cmd = cmd
            .subcommand_help_heading(t.get("help.heading.commands").to_string())
            .subcommand_value_name(t.get("help.value.command").to_string());
    }
    for (id, positional) in ids {
        cmd = cmd.mut_arg(&id, |arg| localize_arg(arg, t, name, &id, positional));
    }
    for sub in subcommands {
        // A command's own subcommands (`period new`) have their texts under it.
        let texts = if name == "root" {
            sub.clone()
        } else {
            format!("{name}.{sub}")
        };
        cmd = cmd.mut_subcommand(&sub, |s| localize(s, t, &texts));
    }
    cmd
}

fn localize_arg(arg: Arg, t: &Texts, command: &str, id: &str, positional: bool) -> Arg {
    // Global arguments (and help, version) have one text for every command.
    let own = format!("help.{command}.arg.{id}");
    let help = if t.has(&own) {
        own
    } else {
        format!("help.arg.{id}")
    };
    let heading = if positional {
        "help.heading.arguments"
    } else {
        "help.heading.options"
    };
    let mut arg = arg
        .help(t.get(&help).to_string())
        .long_help(None::<&str>)
        .help_heading(t.get(heading).to_string());
    if arg.get_action().takes_values() {
        // Defaults and choices are said in the help text, in words.
        arg = arg.hide_default_value(true).hide_possible_values(true);
    }
    let own = format!("help.{command}.value.{id}");
    let value = if t.has(&own) {
        own
    } else {
        format!("help.value.{id}")
    };
    if t.has(&value) && arg.get_action().takes_values() {
        arg = arg.value_name(t.get(&value).to_string());
    }
    arg
}

/// The help layout: about, usage, the commands and arguments under their headings, examples.
fn template(t: &Texts) -> String {
    format!(
        "{{about-with-newline}}\n{}{{usage}}\n\n{{all-args}}{{after-help}}",
        t.get("help.heading.usage")
    )
}

/// A clap error in the run's language: what is wrong, a suggestion if clap has one, and where
/// to read more. Help and version are not errors: they are printed as clap renders them (from
/// the localised command).
pub fn explain(err: &clap::Error, t: &Texts) -> String {
    let get = |kind: ContextKind| err.get(kind).map(context_text);
    let arg = get(ContextKind::InvalidArg).unwrap_or_default();
    let value = get(ContextKind::InvalidValue).unwrap_or_default();
    let args = [("arg", arg.as_str()), ("value", value.as_str())];
    let mut out = match err.kind() {
        ErrorKind::UnknownArgument => t.say("clap.unknown_argument", &args),
        ErrorKind::InvalidSubcommand => {
            let sub = get(ContextKind::InvalidSubcommand).unwrap_or_default();
            t.say("clap.unknown_command", &[("command", &sub)])
        }
        ErrorKind::InvalidValue => {
            let valid = get(ContextKind::ValidValue).unwrap_or_default();
            if valid.is_empty() {
                t.say("clap.missing_value", &args)
            } else {
                t.say(
                    "clap.invalid_choice",
                    &[("arg", &arg), ("value", &value), ("valid", &valid)],
                )
            }
        }
        ErrorKind::ValueValidation => t.say("clap.invalid_value", &args),
        ErrorKind::MissingRequiredArgument => t.say("clap.missing_argument", &args),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            t.get("clap.missing_command").to_string()
        }
        ErrorKind::ArgumentConflict => {
            let prior = get(ContextKind::PriorArg).unwrap_or_default();
            t.say("clap.conflict", &[("arg", &arg), ("other", &prior)])
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            t.say("clap.values", &args)
        }
        ErrorKind::NoEquals => t.say("clap.no_equals", &args),
        ErrorKind::InvalidUtf8 => t.get("clap.invalid_utf8").to_string(),
        _ => t.say("clap.other", &args),
    };
    for suggestion in [ContextKind::SuggestedArg, ContextKind::SuggestedSubcommand]
        .into_iter()
        .filter_map(get)
    {
        out.push('\n');
        out.push_str(&t.say("clap.did_you_mean", &[("suggestion", &suggestion)]));
    }
    out
}

/// The name of the subcommand being parsed when an error happened, if any (for "see --help").
pub fn subcommand_in(args: &[std::ffi::OsString]) -> Option<String> {
    const COMMANDS: [&str; 11] = [
        "inspect", "init", "generate", "validate", "status", "compile", "review", "period",
        "serve", "demo", "help",
    ];
    args.iter()
        .skip(1)
        .map(|a| a.to_string_lossy().to_string())
        .find(|a| COMMANDS.contains(&a.as_str()))
}

fn context_text(value: &ContextValue) -> String {
    match value {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(list) => list.join(", "),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(list) => list
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        ContextValue::Number(n) => n.to_string(),
        ContextValue::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}
