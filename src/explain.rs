//! Errors in a person's language. Each error type says which text of the terminal texts
//! (`[error]` in `templates/terminal.<language>.toml`) explains it and with what arguments; the
//! terminal renders that once, in the language of the run. The errors' `Display` stays the
//! English one, for logs and for library users.

use std::io::ErrorKind;

use crate::app::AppError;
use crate::campaign::CampaignError;
use crate::lock::{Holder, LockError};
use crate::master::{MasterError, OptionProblem};
use crate::returns::gather::GatherError;
use crate::spec::SpecError;
use crate::store::StoreError;
use crate::ui_texts::Texts;
use crate::workbook::OpenError;

/// One argument of an explanation.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// Shown as it is (a path, a name, a number).
    Text(String),
    /// The key of a text of the terminal texts.
    Word(String),
    /// A file-system error: its kind in words, and the system's own text for the rest.
    Io(ErrorKind, String),
    /// A lock's holder, described in words.
    Holder(Option<Holder>),
    /// A text already made in each language (zh, en): an error that renders itself.
    Rendered { zh: String, en: String },
}

/// What an error says: a key of the terminal texts and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Said {
    pub key: String,
    pub args: Vec<(&'static str, Arg)>,
}

/// An error that can say what went wrong in a person's language.
pub trait Explain {
    fn said(&self) -> Said;
}

impl Said {
    pub fn new(key: impl Into<String>) -> Said {
        Said {
            key: key.into(),
            args: Vec::new(),
        }
    }

    pub fn text(mut self, name: &'static str, value: impl ToString) -> Said {
        self.args.push((name, Arg::Text(value.to_string())));
        self
    }

    pub fn word(mut self, name: &'static str, key: impl Into<String>) -> Said {
        self.args.push((name, Arg::Word(key.into())));
        self
    }

    pub fn io(mut self, name: &'static str, error: &std::io::Error) -> Said {
        self.args
            .push((name, Arg::Io(error.kind(), error.to_string())));
        self
    }

    /// The explanation in `texts`' language.
    pub fn render(&self, texts: &Texts) -> String {
        let values: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(name, arg)| (*name, render_arg(texts, arg)))
            .collect();
        let args: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        texts.say(&self.key, &args)
    }
}

impl Explain for Said {
    fn said(&self) -> Said {
        self.clone()
    }
}

fn render_arg(texts: &Texts, arg: &Arg) -> String {
    match arg {
        Arg::Text(text) => text.clone(),
        Arg::Word(key) => texts.get(key).to_string(),
        Arg::Io(kind, detail) => io_words(texts, *kind, detail),
        Arg::Holder(holder) => holder_words(texts, holder.as_ref()),
        Arg::Rendered { zh, en } => {
            if texts.language() == "en" {
                en.clone()
            } else {
                zh.clone()
            }
        }
    }
}

/// A file-system error as people say it; the system's text only where no words fit.
pub fn io_words(texts: &Texts, kind: ErrorKind, detail: &str) -> String {
    let key = match kind {
        ErrorKind::NotFound => "io.not_found",
        ErrorKind::PermissionDenied => "io.permission_denied",
        ErrorKind::AlreadyExists => "io.already_exists",
        ErrorKind::StorageFull => "io.storage_full",
        ErrorKind::ReadOnlyFilesystem => "io.read_only",
        ErrorKind::IsADirectory => "io.is_a_directory",
        ErrorKind::NotADirectory => "io.not_a_directory",
        ErrorKind::DirectoryNotEmpty => "io.not_empty",
        ErrorKind::InvalidFilename => "io.invalid_name",
        ErrorKind::ResourceBusy => "io.busy",
        _ => return texts.say("io.other", &[("detail", detail)]),
    };
    texts.get(key).to_string()
}

/// `“tianbao validate”（进程 123，2026-12-01 17:16 起）`.
pub fn holder_words(texts: &Texts, holder: Option<&Holder>) -> String {
    let Some(h) = holder else {
        return texts.get("lock.someone").to_string();
    };
    let pid = h.pid.to_string();
    let since = crate::time::local(&h.started);
    let mut args = vec![
        ("command", h.command.as_str()),
        ("pid", pid.as_str()),
        ("since", since.as_str()),
    ];
    if h.host.is_empty() || h.host == crate::lock::host_name() {
        texts.say("lock.holder", &args)
    } else {
        args.push(("host", h.host.as_str()));
        texts.say("lock.holder_elsewhere", &args)
    }
}

impl Explain for CampaignError {
    fn said(&self) -> Said {
        match self {
            CampaignError::NotFound { start } => {
                Said::new("error.campaign.not_found").text("start", start)
            }
            CampaignError::AlreadyExists { path } => {
                Said::new("error.campaign.exists").text("path", path)
            }
            CampaignError::Io {
                action,
                path,
                source,
            } => Said::new("error.campaign.io")
                .word("action", action_key(action))
                .text("path", path)
                .io("reason", source),
            CampaignError::Invalid { path, detail } => Said::new("error.campaign.invalid")
                .text("path", path)
                .text("detail", detail),
            CampaignError::Protected { path, what } => Said::new("error.campaign.protected")
                .text("path", path)
                .word("what", protected_key(what)),
            CampaignError::Master(e) => e.said(),
            CampaignError::Spec(e) => e.said(),
            CampaignError::WrongType { .. }
            | CampaignError::UnknownKey { .. }
            | CampaignError::Misplaced { .. }
            | CampaignError::ConfigSyntax { .. }
            | CampaignError::NotAllowed { .. }
            | CampaignError::Rules { .. } => {
                let mut said = Said::new("error.config.as_said");
                said.args.push((
                    "text",
                    Arg::Rendered {
                        zh: self.say(Texts::builtin("zh")),
                        en: self.say(Texts::builtin("en")),
                    },
                ));
                said
            }
        }
    }
}

fn action_key(action: &str) -> String {
    let key = match action {
        "read" => "read",
        "create" => "create",
        "write" => "write",
        a if a.starts_with("copy the master") => "copy_master",
        a if a.starts_with("copy the spec") => "copy_spec",
        a if a.starts_with("get random") => "random",
        _ => "use",
    };
    format!("action.{key}")
}

fn protected_key(what: &str) -> String {
    let key = if what.starts_with("in the inbox") {
        "inbox"
    } else if what.contains("tianbao.toml") {
        "config"
    } else if what.contains("master") {
        "master"
    } else if what.contains("spec") {
        "spec"
    } else if what.contains("store") {
        "store"
    } else {
        "lock"
    };
    format!("protected.{key}")
}

impl Explain for MasterError {
    fn said(&self) -> Said {
        match self {
            MasterError::Open(e) => e.said(),
            MasterError::SheetNotFound {
                path,
                sheet,
                available,
            } => Said::new("error.master.no_sheet")
                .text("path", path)
                .text("sheet", sheet)
                .text("available", available),
            MasterError::NoHeader(h) => Said::new(if h.found.is_empty() {
                "error.master.no_header"
            } else {
                "error.master.no_header_near"
            })
            .text("path", &h.path)
            .text("searched", &h.searched)
            .text("near_sheet", &h.near_sheet)
            .text("near_row", h.near_row)
            .text("found", &h.found)
            .text("departments", &h.departments)
            .text("texts", &h.texts)
            .text("roles", &h.roles),
            MasterError::NoItems { path, sheet, row } => Said::new("error.master.no_items")
                .text("path", path)
                .text("sheet", sheet)
                .text("row", row),
            MasterError::Option {
                what,
                value,
                problem,
            } => {
                let (key, role) = match problem {
                    OptionProblem::MapSyntax => ("map_syntax", ""),
                    OptionProblem::NotARole(role) => ("not_a_role", role.as_str()),
                    OptionProblem::EmptyLabel => ("empty_label", ""),
                    OptionProblem::HeaderRows => ("header_rows", ""),
                    OptionProblem::UnitsSyntax => ("units_syntax", ""),
                    OptionProblem::UnitsEmpty => ("units_empty", ""),
                };
                Said::new(format!("error.option.{key}"))
                    .text("option", what)
                    .text("value", value)
                    .text("role", role)
                    .text("roles", crate::model::Role::names())
            }
        }
    }
}

impl Explain for OpenError {
    fn said(&self) -> Said {
        match self {
            OpenError::Io { path, source } => Said::new("error.open.io")
                .text("path", path)
                .io("reason", source),
            OpenError::NotASpreadsheet { path, kind } => Said::new("error.open.kind")
                .text("path", path)
                .word("what", kind.word()),
            OpenError::Encrypted { path } => Said::new("error.open.encrypted").text("path", path),
            OpenError::TooLarge { path, detail } => Said::new("error.open.too_large")
                .text("path", path)
                .text("detail", detail),
            OpenError::Damaged {
                path,
                format,
                detail,
            } => Said::new("error.open.damaged")
                .text("path", path)
                .text("format", format)
                .text("detail", detail),
        }
    }
}

impl Explain for SpecError {
    fn said(&self) -> Said {
        match self {
            SpecError::Io { path, source } => Said::new("error.spec.io")
                .text("path", path)
                .io("reason", source),
            SpecError::Invalid { path, detail } => Said::new("error.spec.invalid")
                .text("path", path)
                .text("detail", detail),
        }
    }
}

impl Explain for StoreError {
    fn said(&self) -> Said {
        match self {
            StoreError::Sql { path, detail } => Said::new("error.store.sql")
                .text("path", path)
                .text("detail", detail),
            StoreError::Newer { path, found, known } => Said::new("error.store.newer")
                .text("path", path)
                .text("found", found)
                .text("known", known),
        }
    }
}

impl Explain for LockError {
    fn said(&self) -> Said {
        match self {
            LockError::Held { dir, holder, path } => {
                let mut said = Said::new("error.lock.held")
                    .text("dir", dir)
                    .text("path", path);
                said.args
                    .push(("holder", Arg::Holder(holder.as_deref().cloned())));
                said
            }
            LockError::Io { dir, path, source } => Said::new("error.lock.io")
                .text("dir", dir)
                .text("path", path)
                .io("reason", source),
        }
    }
}

impl Explain for GatherError {
    fn said(&self) -> Said {
        match self {
            GatherError::Io { path, source } => Said::new("error.gather.io")
                .text("path", path)
                .io("reason", source),
        }
    }
}

impl Explain for AppError {
    fn said(&self) -> Said {
        match self {
            AppError::Campaign(e) => e.said(),
            AppError::Master(e) => e.said(),
            AppError::Spec(e) => e.said(),
            AppError::Store(e) => e.said(),
            AppError::Lock(e) => e.said(),
            AppError::Gather(e) => e.said(),
            AppError::Write { path, detail, io } => {
                let said = Said::new("error.write").text("path", path);
                match io {
                    Some(kind) => {
                        let mut said = said;
                        said.args.push(("reason", Arg::Io(*kind, detail.clone())));
                        said
                    }
                    None => said.text("reason", detail),
                }
            }
            AppError::NoInbox { path } => Said::new("error.no_inbox").text("path", path),
            AppError::NoDepartment { name, known } => Said::new("error.no_department")
                .text("name", name)
                .text("known", known),
            AppError::NoWeights { path, spec } => Said::new("error.no_weights")
                .text("path", path)
                .text("spec", spec),
            AppError::Receipt(detail) => Said::new("error.receipt").text("detail", detail),
            AppError::ReviewNeedsScore { spec } => {
                Said::new("error.review_needs_score").text("spec", spec)
            }
            AppError::MissingColumns {
                path,
                spec,
                columns,
            } => Said::new("error.missing_columns")
                .text("path", path)
                .text("spec", spec)
                .text("columns", columns),
            AppError::PeriodName { name, .. } => Said::new("error.period_name").text("name", name),
            AppError::PeriodUsed { name, periods } => Said::new("error.period_used")
                .text("name", name)
                .text("periods", periods),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key an error can say has a text in both languages.
    #[test]
    fn every_error_has_its_texts() {
        let io = || std::io::Error::from(ErrorKind::NotFound);
        let said: Vec<Said> = vec![
            CampaignError::NotFound { start: "x".into() }.said(),
            CampaignError::AlreadyExists { path: "x".into() }.said(),
            CampaignError::Io {
                action: "read",
                path: "x".into(),
                source: io(),
            }
            .said(),
            CampaignError::Invalid {
                path: "x".into(),
                detail: "d".into(),
            }
            .said(),
            CampaignError::Protected {
                path: "x".into(),
                what: "in the inbox (returns are inputs)",
            }
            .said(),
            MasterError::SheetNotFound {
                path: "x".into(),
                sheet: "s".into(),
                available: "a".into(),
            }
            .said(),
            MasterError::NoItems {
                path: "x".into(),
                sheet: "s".into(),
                row: 1,
            }
            .said(),
            OpenError::Encrypted { path: "x".into() }.said(),
            OpenError::Io {
                path: "x".into(),
                source: io(),
            }
            .said(),
            SpecError::Invalid {
                path: "x".into(),
                detail: "d".into(),
            }
            .said(),
            StoreError::Newer {
                path: "x".into(),
                found: 3,
                known: 2,
            }
            .said(),
            LockError::Held {
                dir: "d".into(),
                holder: None,
                path: "p".into(),
            }
            .said(),
            AppError::NoInbox { path: "x".into() }.said(),
            AppError::Receipt("d".into()).said(),
        ];
        for language in ["zh", "en"] {
            let texts = Texts::builtin(language);
            for s in &said {
                assert!(texts.has(&s.key), "{language} lacks {}", s.key);
                let text = s.render(texts);
                assert!(!text.contains('{'), "{language} {}: {text}", s.key);
            }
        }
        let zh = Texts::builtin("zh");
        let text = OpenError::Io {
            path: "总表.xlsx".into(),
            source: io(),
        }
        .said()
        .render(zh);
        assert!(
            text.contains("总表.xlsx") && text.contains("找不到"),
            "{text}"
        );
    }
}
