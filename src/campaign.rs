//! The campaign folder: `tianbao.toml` (validated once, on load), the master copy, and the
//! `outbox/`, `inbox/` and `out/` folders every later command works in.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use validator::Validate;

use indexmap::IndexMap;

use crate::master::{MasterError, MasterRead, ReadOptions, read_master};
use crate::spec::{Spec, SpecError};
use crate::ui_texts::Texts;

mod edit;
mod schema;

pub use schema::{Fix, Syntax, ValueKind};

pub const CONFIG_FILE: &str = "tianbao.toml";
/// The campaign's store (SQLite): receipts of what validate checked, and the log.
pub const STORE_FILE: &str = "tianbao.db";

/// A path as compared for identity: absolute, links of its folder resolved, in lower case (file
/// systems on Windows and macOS ignore case).
fn comparable(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let resolved = match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => match parent.canonicalize() {
            Ok(parent) => parent.join(name),
            Err(_) => absolute.clone(),
        },
        _ => absolute.clone(),
    };
    let resolved = resolved.canonicalize().unwrap_or(resolved);
    PathBuf::from(resolved.to_string_lossy().to_lowercase())
}

#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error(
        "no campaign here: no {CONFIG_FILE} in {start} or any folder above it; create one with \
         `tianbao init DIR --master FILE` or name it with -C DIR"
    )]
    NotFound { start: String },
    #[error("{path} already holds a campaign ({CONFIG_FILE} exists); choose another folder")]
    AlreadyExists { path: String },
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid: {detail}")]
    Invalid { path: String, detail: String },
    /// A value of the wrong kind (`deadline = 2024-01-10`, which TOML reads as a date).
    #[error("{}", self.say(Texts::builtin("en")))]
    WrongType {
        path: String,
        /// 1-based.
        line: usize,
        /// The key, with its table (`limits.max_rows`).
        key: String,
        expected: ValueKind,
        found: ValueKind,
        /// The value as written in the file.
        written: String,
        fix: Fix,
        /// The line as it should be (`deadline = "2024-01-10"`).
        fixed: String,
    },
    /// A key the file may not have; `known` are those it may.
    #[error("{}", self.say(Texts::builtin("en")))]
    UnknownKey {
        path: String,
        line: usize,
        key: String,
        known: Vec<String>,
        /// A known key close to it (a typo).
        similar: Option<String>,
    },
    /// A top-level key written below a `[table]` line, so TOML reads it as part of that table.
    #[error("{}", self.say(Texts::builtin("en")))]
    Misplaced {
        path: String,
        line: usize,
        key: String,
        table: String,
    },
    /// A line that cannot be read as TOML.
    #[error("{}", self.say(Texts::builtin("en")))]
    ConfigSyntax {
        path: String,
        line: usize,
        problem: Syntax,
        /// The line as written.
        written: String,
        /// The line as it should be, where that can be told (empty otherwise).
        fix: String,
        /// The parser's own words.
        detail: String,
    },
    /// A value not among those allowed (`aggregation = "max"`).
    #[error("{}", self.say(Texts::builtin("en")))]
    NotAllowed {
        path: String,
        line: usize,
        key: String,
        value: String,
        allowed: Vec<String>,
    },
    /// Values outside their rules (`round = 0`, a 300-character title).
    #[error("{}", self.say(Texts::builtin("en")))]
    Rules {
        path: String,
        broken: Vec<BrokenRule>,
    },
    #[error(
        "{path} is {what}; tianbao never writes over it: choose another place (--out) for the output"
    )]
    Protected { path: String, what: &'static str },
    #[error(transparent)]
    Master(#[from] MasterError),
    #[error(transparent)]
    Spec(#[from] SpecError),
}

/// The spec `init` is given, with the name a built-in one is kept under in tianbao.toml:
/// `--spec en` (or `zh`) names a built-in spec, unless a file of that name exists.
fn init_spec(spec_file: Option<&Path>) -> Result<(Option<(String, Spec)>, Spec), CampaignError> {
    let builtin = spec_file.filter(|p| !p.exists()).and_then(|p| {
        let name = p.to_string_lossy().to_string();
        let spec = Spec::builtin_named(&name)?;
        // Kept in tianbao.toml by its name (`en`), whatever path named it.
        let name = if spec.language == "en" && Spec::builtin_language(&name).is_none() {
            "en".to_string()
        } else if Spec::builtin_language(&name).is_none() {
            "zh".to_string()
        } else {
            name
        };
        Some((name, spec))
    });
    let spec = match (&builtin, spec_file) {
        (Some((_, spec)), _) => spec.clone(),
        (None, Some(path)) => Spec::load(path)?,
        (None, None) => Spec::builtin(),
    };
    Ok((builtin, spec))
}

/// Creates the campaign's folders and copies in the master (and a spec file), then writes its
/// tianbao.toml.
fn lay_down(
    dir: &Path,
    master: &Path,
    copy_spec: Option<&Path>,
    config_path: &Path,
    config: &Config,
) -> Result<(), CampaignError> {
    std::fs::create_dir_all(dir).map_err(io("create", dir))?;
    for sub in ["outbox", "inbox", REVIEW_DIR, "out"] {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path).map_err(io("create", &path))?;
    }
    let master_copy = dir.join(&config.master);
    std::fs::copy(master, &master_copy).map_err(io("copy the master to", &master_copy))?;
    if let Some(path) = copy_spec {
        let target = dir.join("spec.toml");
        std::fs::copy(path, &target).map_err(io("copy the spec to", &target))?;
    }
    write_private(config_path, &config_text(config)).map_err(io("write", config_path))?;
    Ok(())
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> CampaignError {
    let path = path.display().to_string();
    move |source| CampaignError::Io {
        action,
        path,
        source,
    }
}

impl CampaignError {
    /// The message in the language of `texts`: the mistakes in tianbao.toml from its texts
    /// under `[error.config]`, every other error as its `Display` says.
    pub fn say(&self, texts: &Texts) -> String {
        self.say_type_or_key(texts)
            .or_else(|| self.say_syntax_or_value(texts))
            .unwrap_or_else(|| self.to_string())
    }

    /// A value of the wrong type, an unknown or misplaced key.
    fn say_type_or_key(&self, texts: &Texts) -> Option<String> {
        Some(match self {
            CampaignError::WrongType {
                path,
                line,
                key,
                expected,
                found,
                written,
                fix,
                fixed,
            } => {
                let which = match fix {
                    Fix::Quote => "error.config.wrong_type_quote",
                    Fix::Unquote => "error.config.wrong_type_unquote",
                    Fix::Rewrite => "error.config.wrong_type",
                };
                texts.say(
                    which,
                    &[
                        ("file", path),
                        ("line", &line.to_string()),
                        ("key", key),
                        ("expected_word", texts.get(expected.text_key())),
                        ("found_word", texts.get(found.text_key())),
                        ("written", written),
                        ("fix", fixed),
                    ],
                )
            }
            CampaignError::UnknownKey {
                path,
                line,
                key,
                known,
                similar,
            } => {
                let known = known.join(", ");
                let line = line.to_string();
                let mut args = vec![
                    ("file", path.as_str()),
                    ("line", &line),
                    ("key", key),
                    ("known", &known),
                ];
                match similar {
                    Some(similar) => {
                        args.push(("similar", similar));
                        texts.say("error.config.unknown_key_similar", &args)
                    }
                    None => texts.say("error.config.unknown_key", &args),
                }
            }
            CampaignError::Misplaced {
                path,
                line,
                key,
                table,
            } => texts.say(
                "error.config.misplaced",
                &[
                    ("file", path),
                    ("line", &line.to_string()),
                    ("key", key),
                    ("table", table),
                ],
            ),
            _ => return None,
        })
    }

    /// A syntax slip, a value not allowed, values outside their rules.
    fn say_syntax_or_value(&self, texts: &Texts) -> Option<String> {
        Some(match self {
            CampaignError::ConfigSyntax {
                path,
                line,
                problem,
                fix,
                detail,
                ..
            } => {
                let which = match problem {
                    Syntax::UnclosedQuote => "error.config.unclosed_quote",
                    Syntax::FullWidth => "error.config.full_width",
                    Syntax::Other => "error.config.syntax",
                };
                texts.say(
                    which,
                    &[
                        ("file", path),
                        ("line", &line.to_string()),
                        ("fix", fix),
                        ("detail", detail),
                    ],
                )
            }
            CampaignError::NotAllowed {
                path,
                line,
                key,
                value,
                allowed,
            } => texts.say(
                "error.config.not_allowed",
                &[
                    ("file", path),
                    ("line", &line.to_string()),
                    ("key", key),
                    ("value", value),
                    ("allowed", &allowed.join(", ")),
                ],
            ),
            CampaignError::Rules { path, broken } => {
                let rules: Vec<String> = broken.iter().map(|r| r.say(texts)).collect();
                texts.say(
                    "error.config.rules",
                    &[
                        ("file", path),
                        (
                            "rules",
                            &rules.join(texts.get("error.config.rule_separator")),
                        ),
                    ],
                )
            }
            _ => return None,
        })
    }
}

/// One rule a value of tianbao.toml breaks: its key, the rule (validator's code: `length`,
/// `range`, `id`, `secret`) and its bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenRule {
    pub key: String,
    pub code: String,
    pub min: Option<String>,
    pub max: Option<String>,
}

impl BrokenRule {
    fn say(&self, texts: &Texts) -> String {
        let bounds = match (&self.min, &self.max) {
            (Some(_), Some(_)) => "",
            (Some(_), None) => "_min",
            (None, Some(_)) => "_max",
            (None, None) => "",
        };
        let key = format!("error.config.rule.{}{bounds}", self.code);
        let key = if texts.has(&key) {
            key
        } else {
            "error.config.rule.other".to_string()
        };
        texts.say(
            &key,
            &[
                ("key", &self.key),
                ("min", self.min.as_deref().unwrap_or("")),
                ("max", self.max.as_deref().unwrap_or("")),
            ],
        )
    }
}

/// The rules a config breaks, as data.
fn broken_rules(errors: &validator::ValidationErrors) -> Vec<BrokenRule> {
    fn walk(prefix: &str, errors: &validator::ValidationErrors, out: &mut Vec<BrokenRule>) {
        for (field, kind) in errors.errors() {
            let key = format!("{prefix}{field}");
            match kind {
                validator::ValidationErrorsKind::Field(errs) => {
                    for e in errs {
                        let param = |name: &str| {
                            e.params
                                .get(name)
                                .map(|v| v.to_string().trim_matches('"').to_string())
                        };
                        out.push(BrokenRule {
                            key: key.clone(),
                            code: e.code.to_string(),
                            min: param("min"),
                            max: param("max"),
                        });
                    }
                }
                validator::ValidationErrorsKind::Struct(inner) => {
                    walk(&format!("{key}."), inner, out);
                }
                validator::ValidationErrorsKind::List(items) => {
                    for (i, inner) in items {
                        walk(&format!("{key}[{i}]."), inner, out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk("", errors, &mut out);
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// A value TOML read but the config does not allow (an unknown choice), from the parser's
/// error: its line, key and value, and the values allowed.
fn not_allowed(path: &str, text: &str, error: &toml::de::Error) -> Option<CampaignError> {
    let message = error.message();
    let (_, rest) = message.split_once("unknown variant `")?;
    let (value, rest) = rest.split_once('`')?;
    let allowed: Vec<String> = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    let start = error.span()?.start;
    let line = text[..start.min(text.len())].matches('\n').count() + 1;
    let key = text
        .lines()
        .nth(line - 1)
        .and_then(|l| l.split_once('='))
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .unwrap_or_default();
    Some(CampaignError::NotAllowed {
        path: path.to_string(),
        line,
        key,
        value: value.to_string(),
        allowed,
    })
}

/// A path as shown in messages: relative to the current folder when it lies inside it
/// (`tianbao.toml`, `2023考评/tianbao.toml`).
fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// How an item's score is made from its departments' self-assessed scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregation {
    /// The lowest: an item is as done as its least-done part.
    #[default]
    Min,
    /// The mean of the departments' scores.
    Mean,
    /// The first listed department's score.
    Lead,
}

/// `tianbao.toml`.
#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The campaign's title, shown on every workbook.
    #[validate(length(min = 1, max = 200, message = "title must have 1 to 200 characters"))]
    pub title: String,
    /// The master table's file name inside the campaign folder.
    #[validate(length(min = 1, message = "master must name the master table file"))]
    pub master: String,
    /// `zh` or `en` for a built-in spec, or a spec file relative to the campaign folder.
    #[serde(default = "default_spec")]
    pub spec: String,
    /// min, mean or lead.
    #[serde(default)]
    pub aggregation: Aggregation,
    /// Whom departments ask, shown in every workbook.
    #[serde(default)]
    #[validate(length(max = 200, message = "contact may have at most 200 characters"))]
    pub contact: String,
    /// The deadline as people write it (`2024年1月10日前`).
    #[serde(default)]
    #[validate(length(max = 100, message = "deadline may have at most 100 characters"))]
    pub deadline: String,
    /// Who issues the campaign (制表单位, `泉州市生态环境局考评办`): signs the notices and
    /// reminders, and stands under the compiled table.
    #[serde(default)]
    #[validate(length(max = 200, message = "office may have at most 200 characters"))]
    pub office: String,
    /// Where departments send their returns (`kpb@example.gov.cn`), told in the notices.
    #[serde(default)]
    #[validate(length(max = 200, message = "return_to may have at most 200 characters"))]
    pub return_to: String,
    /// The issue round: 1 for the first workbooks, higher for re-issued ones.
    #[serde(default = "first_round")]
    #[validate(range(min = 1, max = 999, message = "round must be from 1 to 999"))]
    pub round: u32,
    /// The day progress is judged at (`2024-06-30`), for progress reporting; today when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// The current period (`2024-03`, `2024Q1`) of a campaign that runs in periods: its
    /// workbooks carry it, and its files lie in `outbox/<period>/`, `inbox/<period>/` and
    /// `out/<period>/`. None for a campaign of one collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "validate_period"))]
    pub period: Option<String>,
    /// Optional password on the sheets' protection (a convenience against slips, not security).
    #[serde(default)]
    #[validate(length(max = 255, message = "password may have at most 255 characters"))]
    pub password: String,
    /// The campaign's id, written into every workbook it issues.
    #[validate(custom(function = "validate_hex_id"))]
    pub id: String,
    /// The signing secret (64 hex digits). Never leaves this file.
    #[validate(custom(function = "validate_secret"))]
    pub secret: String,
    /// Limits on the files read (sizes, counts), checked before parsing.
    #[serde(default)]
    #[validate(nested)]
    pub limits: crate::returns::Limits,
    /// The sheet that holds the master table (default: found by its header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The master's header rows, `3` or `3-4` (default: found by its labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_row: Option<String>,
    /// The first department named in each cell leads, the others cooperate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_leads: bool,
    /// Roles of the master's columns by header label or column letter (`具体措施 = "task"`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub columns: IndexMap<String, crate::model::Role>,
    /// Names for all units and the units each stands for (`"各县（市、区）" = ["鲤城区", …]`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub units: IndexMap<String, Vec<String>>,
}

/// How the campaign's master is read: the same options `tianbao inspect` takes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// The sheet that holds the table (default: found by its header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The header's rows, `3` or `3-4` (default: found by its labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_row: Option<String>,
    /// The first department named in each cell leads, the others cooperate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_leads: bool,
    /// Roles of columns by header label or column letter (`具体措施 = "task"`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub columns: IndexMap<String, crate::model::Role>,
    /// Names for all units and the units each stands for (`"各县（市、区）" = ["鲤城区", …]`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub units: IndexMap<String, Vec<String>>,
}

impl Reading {
    /// The options for [`crate::master::read_master`].
    pub fn options(&self) -> Result<ReadOptions, MasterError> {
        if let Some(rows) = &self.header_row {
            crate::master::parse_header_rows(rows)?;
        }
        Ok(ReadOptions {
            sheet: self.sheet.clone(),
            header_rows: self
                .header_row
                .as_deref()
                .map(crate::master::parse_header_rows)
                .transpose()?,
            columns: self
                .columns
                .iter()
                .map(|(key, role)| crate::master::header::Mapping {
                    key: key.clone(),
                    role: *role,
                })
                .collect(),
            units: self.units.clone(),
            first_leads: self.first_leads,
        })
    }
}

fn default_spec() -> String {
    "zh".into()
}

fn first_round() -> u32 {
    1
}

/// Lower-case hex, as `tianbao init` writes ids and secrets: an upper-cased copy would sign
/// differently, so it is refused rather than silently accepted.
fn is_hex(s: &str) -> bool {
    s.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
}

fn validate_hex_id(id: &str) -> Result<(), validator::ValidationError> {
    if id.len() == 16 && is_hex(id) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("id").with_message(
            "id must be 16 lower-case hex digits, as `tianbao init` writes it".into(),
        ))
    }
}

/// A period's name: a folder name on every system (no separators, no `..`), at most 40
/// characters.
pub fn validate_period(period: &str) -> Result<(), validator::ValidationError> {
    let bad = |c: char| c.is_control() || "/\\:*?\"<>|".contains(c);
    let trimmed = period.trim();
    if trimmed.is_empty()
        || trimmed != period
        || period.chars().count() > 40
        || period.chars().any(bad)
        || period.chars().all(|c| c == '.')
    {
        return Err(validator::ValidationError::new("period").with_message(
            "period must be a short name such as \"2024-03\" or \"2024Q1\", at most 40 characters, without / \\ : * ? \" < > |".into(),
        ));
    }
    Ok(())
}

fn validate_secret(secret: &str) -> Result<(), validator::ValidationError> {
    if secret.len() == 64 && is_hex(secret) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("secret").with_message(
            "secret must be 64 lower-case hex digits, as `tianbao init` wrote it; it seems edited: \
             restore tianbao.toml from a backup, or no workbook issued so far can be verified"
                .into(),
        ))
    }
}

/// A multi-line parser message (with its source snippet) as one line.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.chars().all(|c| "|^ ".contains(c)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Random bytes as lower-case hex.
fn random_hex(bytes: usize) -> Result<String, CampaignError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| CampaignError::Io {
        action: "get random bytes for",
        path: "the campaign secret".into(),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(crate::digest::hex(&buf))
}

/// What `tianbao init` can set besides the master: the texts every workbook, notice and
/// reminder shows. Empty texts are left unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Details {
    /// The title (default: the master's title, else its file name).
    pub title: Option<String>,
    pub contact: String,
    pub deadline: String,
    pub office: String,
    pub return_to: String,
}

/// A text typed on the command line as one line of a config value: cleaned, its line breaks
/// and runs of spaces made one space.
fn one_line_text(text: &str) -> String {
    crate::cell_text::clean(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An opened campaign folder.
#[derive(Debug, Clone)]
pub struct Campaign {
    pub dir: PathBuf,
    pub config: Config,
}

impl Aggregation {
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregation::Min => "min",
            Aggregation::Mean => "mean",
            Aggregation::Lead => "lead",
        }
    }
}

impl Config {
    /// How the master is read.
    pub fn reading(&self) -> Reading {
        Reading {
            sheet: self.sheet.clone(),
            header_row: self.header_row.clone(),
            first_leads: self.first_leads,
            columns: self.columns.clone(),
            units: self.units.clone(),
        }
    }

    /// How this campaign issues a workbook of `round` at `issued_at` (RFC 3339).
    pub fn issue<'a>(&'a self, round: u32, issued_at: &'a str) -> crate::template::Issue<'a> {
        crate::template::Issue {
            title: &self.title,
            deadline: &self.deadline,
            contact: &self.contact,
            password: &self.password,
            campaign_id: &self.id,
            secret: &self.secret,
            round,
            period: self.period.as_deref(),
            issued_at,
        }
    }
}

impl Campaign {
    /// Opens the campaign at `dir`, or the nearest folder upwards from the current one that
    /// holds `tianbao.toml`.
    pub fn find(dir: Option<&Path>) -> Result<Campaign, CampaignError> {
        // The folder as an absolute path: `-C camp` and `-C /abs/camp` are one campaign, so
        // the paths its receipts record compare equal whichever way it was named.
        let start = match dir {
            Some(d) => crate::cell_text::absolute_path(d),
            None => std::env::current_dir().map_err(io("read", Path::new(".")))?,
        };
        if dir.is_some() {
            return Campaign::open(&start);
        }
        let mut here = start.as_path();
        loop {
            if here.join(CONFIG_FILE).is_file() {
                return Campaign::open(here);
            }
            match here.parent() {
                Some(parent) => here = parent,
                None => {
                    return Err(CampaignError::NotFound {
                        start: start.display().to_string(),
                    });
                }
            }
        }
    }

    pub fn open(dir: &Path) -> Result<Campaign, CampaignError> {
        let path = dir.join(CONFIG_FILE);
        if !path.is_file() {
            return Err(CampaignError::NotFound {
                start: dir.display().to_string(),
            });
        }
        let text = std::fs::read_to_string(&path).map_err(io("read", &path))?;
        // A byte-order mark (Notepad writes one) is no part of the TOML.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        schema::check(&shown(&path), text)?;
        let config: Config = toml::from_str(text).map_err(|e| {
            not_allowed(&shown(&path), text, &e).unwrap_or_else(|| CampaignError::Invalid {
                path: shown(&path),
                detail: one_line(&e.to_string()),
            })
        })?;
        config.validate().map_err(|e| CampaignError::Rules {
            path: shown(&path),
            broken: broken_rules(&e),
        })?;
        Ok(Campaign {
            dir: dir.to_path_buf(),
            config,
        })
    }

    /// Creates a campaign in `dir` from a master table; refuses to overwrite one.
    pub fn init(
        dir: &Path,
        master: &Path,
        spec_file: Option<&Path>,
        title: Option<&str>,
        reading: Reading,
    ) -> Result<(Campaign, MasterRead), CampaignError> {
        let details = Details {
            title: title.map(str::to_string),
            ..Details::default()
        };
        Campaign::init_with(dir, master, spec_file, &details, reading)
    }

    /// Creates a campaign in `dir` from a master table with its title, contact, deadline,
    /// office and where returns go already set; refuses to overwrite one.
    pub fn init_with(
        dir: &Path,
        master: &Path,
        spec_file: Option<&Path>,
        details: &Details,
        reading: Reading,
    ) -> Result<(Campaign, MasterRead), CampaignError> {
        let title = details.title.as_deref().map(crate::cell_text::clean);
        let title = title.as_deref().filter(|t| !t.is_empty());
        let config_path = dir.join(CONFIG_FILE);
        if config_path.exists() {
            return Err(CampaignError::AlreadyExists {
                path: dir.display().to_string(),
            });
        }
        let (builtin, spec) = init_spec(spec_file)?;
        // Read the master and make the config before creating anything: an unreadable master
        // or an invalid setting makes no campaign.
        let read = read_master(master, &spec, &reading.options()?)?;
        let master_name = crate::cell_text::safe_file_name(
            &master
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "master.xlsx".into()),
        );
        let spec_name = match (&builtin, spec_file) {
            (Some((name, _)), _) => name.clone(),
            (None, Some(_)) => "spec.toml".to_string(),
            (None, None) => default_spec(),
        };
        let config = Config {
            title: title
                .map(str::to_string)
                .or_else(|| read.master.title().map(str::to_string))
                .unwrap_or_else(|| master_name.clone()),
            master: master_name.clone(),
            spec: spec_name,
            aggregation: Aggregation::Min,
            contact: one_line_text(&details.contact),
            deadline: one_line_text(&details.deadline),
            office: one_line_text(&details.office),
            return_to: one_line_text(&details.return_to),
            round: 1,
            as_of: None,
            period: None,
            password: String::new(),
            id: random_hex(8)?,
            secret: random_hex(32)?,
            limits: crate::returns::Limits::default(),
            sheet: reading.sheet,
            header_row: reading.header_row,
            first_leads: reading.first_leads,
            columns: reading.columns,
            units: reading.units,
        };
        config.validate().map_err(|e| CampaignError::Rules {
            path: config_path.display().to_string(),
            broken: broken_rules(&e),
        })?;
        let copy_spec = spec_file.filter(|_| builtin.is_none());
        lay_down(dir, master, copy_spec, &config_path, &config)?;
        Ok((
            Campaign {
                dir: dir.to_path_buf(),
                config,
            },
            read,
        ))
    }

    /// `outbox/`, or `outbox/<period>/` in a campaign that runs in periods.
    pub fn outbox(&self) -> PathBuf {
        self.in_period(self.dir.join("outbox"))
    }

    /// `inbox/`, or `inbox/<period>/`: where the current period's returns are put.
    pub fn inbox(&self) -> PathBuf {
        self.in_period(self.inbox_root())
    }

    /// `out/`, or `out/<period>/`.
    pub fn out(&self) -> PathBuf {
        self.in_period(self.dir.join("out"))
    }

    /// The folder of every period's returns: nothing is ever written below it.
    pub fn inbox_root(&self) -> PathBuf {
        self.dir.join("inbox")
    }

    /// `review/`, or `review/<period>/`: where the office puts the review workbook (核定表)
    /// the assessment group handed back. A review workbook is read from here only: one in
    /// the inbox (a department's folder, upload or zip) never counts.
    pub fn review_inbox(&self) -> PathBuf {
        self.in_period(self.review_root())
    }

    /// The folder of every period's returned review workbooks: nothing is written below it.
    pub fn review_root(&self) -> PathBuf {
        self.dir.join(REVIEW_DIR)
    }

    /// The review folder as people are told of it: `review/` or `review/2024-06/`.
    pub fn review_inbox_shown(&self) -> String {
        match &self.config.period {
            Some(period) => format!("{REVIEW_DIR}/{period}/"),
            None => format!("{REVIEW_DIR}/"),
        }
    }

    /// The key the receipts of the inbox are kept under: `inbox`, or `inbox/<period>`, so
    /// that each period's receipts stay apart.
    pub fn inbox_key(&self) -> String {
        inbox_key(self.config.period.as_deref())
    }

    fn in_period(&self, dir: PathBuf) -> PathBuf {
        match &self.config.period {
            Some(period) => dir.join(period),
            None => dir,
        }
    }

    /// Writes `config` as the campaign's tianbao.toml (whole, or not at all) and keeps it.
    pub fn save_config(&mut self, config: Config) -> Result<(), CampaignError> {
        let path = self.dir.join(CONFIG_FILE);
        config.validate().map_err(|e| CampaignError::Rules {
            path: shown(&path),
            broken: broken_rules(&e),
        })?;
        let text = self.config_edited(&path, &config);
        crate::write::save_atomic(&path, text.as_bytes()).map_err(io("write", &path))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(io("write", &path))?;
        }
        self.config = config;
        Ok(())
    }

    /// The text of tianbao.toml holding `config`: the office's file with only what changed
    /// edited in place (its comments, its order and every key tianbao does not own kept), or a
    /// new file when there is none to edit.
    fn config_edited(&self, path: &Path, config: &Config) -> String {
        let comments = config_comments(comments_language(config));
        let comment = |key: &str| match key {
            "period" => Some(comments.period.clone()),
            "as_of" => Some(comments.as_of.clone()),
            _ => None,
        };
        std::fs::read_to_string(path)
            .ok()
            .map(|text| text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
            .and_then(|text| edit::edited(&text, &self.config, config, &comment).ok())
            .unwrap_or_else(|| config_text(config))
    }

    /// The day progress is judged at: `as_of` in tianbao.toml, else the last day of the
    /// current period when its name says one (`2024-07` → 2024-07-31), else today.
    pub fn as_of(&self) -> jiff::civil::Date {
        self.config
            .as_of
            .as_deref()
            .and_then(|d| crate::inputs::parse_date(d)?.parse().ok())
            .or_else(|| crate::schedule::period_end(self.config.period.as_deref()?))
            .unwrap_or_else(|| {
                crate::time::today_local()
                    .parse()
                    .unwrap_or(jiff::civil::date(2000, 1, 1))
            })
    }

    pub fn master_path(&self) -> PathBuf {
        self.dir.join(&self.config.master)
    }

    /// The campaign's store of receipts (what validate checked) and its log.
    pub fn store_path(&self) -> PathBuf {
        self.dir.join(STORE_FILE)
    }

    /// Refuses an output at `path` that would replace the campaign's own files (tianbao.toml,
    /// the master copy, its spec, the store, the lock) or anything in inbox/.
    pub fn check_output(&self, path: &Path) -> Result<(), CampaignError> {
        let target = comparable(path);
        let refuse = |what| {
            Err(CampaignError::Protected {
                path: path.display().to_string(),
                what,
            })
        };
        if target.starts_with(comparable(&self.inbox_root())) {
            return refuse("in the inbox (returns are inputs)");
        }
        if target.starts_with(comparable(&self.review_root())) {
            return refuse("in the review folder (returned review workbooks are inputs)");
        }
        let own: [(PathBuf, &'static str); 5] = [
            (self.dir.join(CONFIG_FILE), "the campaign's tianbao.toml"),
            (
                self.master_path(),
                "the campaign's copy of the master table",
            ),
            (self.dir.join(&self.config.spec), "the campaign's spec"),
            (self.store_path(), "the campaign's store of receipts"),
            (
                self.dir.join(crate::lock::LOCK_FILE),
                "the campaign's lock file",
            ),
        ];
        for (file, what) in own {
            if target == comparable(&file) {
                return refuse(what);
            }
        }
        Ok(())
    }

    /// Refuses an output folder inside the inbox.
    pub fn check_output_dir(&self, dir: &Path) -> Result<(), CampaignError> {
        if comparable(dir).starts_with(comparable(&self.inbox_root())) {
            return Err(CampaignError::Protected {
                path: dir.display().to_string(),
                what: "in the inbox (returns are inputs)",
            });
        }
        if comparable(dir).starts_with(comparable(&self.review_root())) {
            return Err(CampaignError::Protected {
                path: dir.display().to_string(),
                what: "in the review folder (returned review workbooks are inputs)",
            });
        }
        Ok(())
    }

    pub fn spec(&self) -> Result<Spec, CampaignError> {
        let path = self.dir.join(&self.config.spec);
        if path.exists() {
            return Ok(Spec::load(&path)?);
        }
        match Spec::builtin_named(&self.config.spec) {
            Some(spec) => Ok(spec),
            None => Ok(Spec::load(&path)?),
        }
    }

    /// The campaign's master, read with its reading options and limits.
    pub fn read_master(&self, spec: &Spec) -> Result<MasterRead, CampaignError> {
        let path = self.master_path();
        // The campaign's own table: limits lowered for returns do not apply, raised ones do.
        let limits = (self.config.limits.reading()).at_least(Default::default());
        let book = crate::workbook::open_with(&path, &limits).map_err(MasterError::from)?;
        let options = self.config.reading().options()?;
        Ok(crate::master::read_master_workbook(
            &path.display().to_string(),
            &book,
            spec,
            &options,
        )?)
    }

    /// What checking returns needs to know, for this campaign's current master.
    pub fn context<'a>(
        &'a self,
        master: &'a crate::model::Master,
        spec: &'a Spec,
    ) -> crate::returns::Context<'a> {
        let mut ctx = crate::returns::Context::new(
            master,
            spec,
            &self.config.id,
            &self.config.secret,
            self.config.round,
            self.config.limits.clone(),
        );
        ctx.period = self.config.period.clone();
        ctx.review_folder = self.review_inbox_shown();
        ctx
    }
}

/// The campaign's folder for the returned review workbook (核定表), as the checker knows it.
pub use crate::returns::REVIEW_DIR;

/// The key the receipts of a period's inbox are kept under (`inbox` without periods).
pub fn inbox_key(period: Option<&str>) -> String {
    match period {
        Some(period) => format!("inbox/{period}"),
        None => "inbox".to_string(),
    }
}

/// `tianbao.toml` with a comment on every key.
/// The comments of a campaign's tianbao.toml in one language (`templates/config.toml`).
#[derive(Deserialize)]
struct ConfigComments {
    body: String,
    sheet: String,
    header_row: String,
    first_leads: String,
    as_of: String,
    period: String,
    tables: String,
}

fn config_comments(language: &str) -> ConfigComments {
    #[derive(Deserialize)]
    struct File {
        zh: ConfigComments,
        en: ConfigComments,
    }
    let file: File = toml::from_str(include_str!("../templates/config.toml"))
        .expect("the built-in config comments are checked by a unit test");
    if language == "en" { file.en } else { file.zh }
}

/// The language of the comments: the built-in spec's, else Chinese.
fn comments_language(c: &Config) -> &'static str {
    if c.spec == "en" { "en" } else { "zh" }
}

fn config_text(c: &Config) -> String {
    let comments = config_comments(comments_language(c));
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let (reading_keys, reading_tables) = reading_text(c, &comments);
    let numbers = [
        ("round", c.round.to_string()),
        ("max_file_bytes", c.limits.max_file_bytes.to_string()),
        ("max_archive_bytes", c.limits.max_archive_bytes.to_string()),
        ("max_files", c.limits.max_files.to_string()),
        (
            "max_per_department",
            c.limits.max_per_department.to_string(),
        ),
        ("max_rows", c.limits.max_rows.to_string()),
        ("max_cols", c.limits.max_cols.to_string()),
        ("max_cell_chars", c.limits.max_cell_chars.to_string()),
    ];
    let texts = [
        ("title", q(&c.title)),
        ("master", q(&c.master)),
        ("spec", q(&c.spec)),
        ("aggregation", q(c.aggregation.as_str())),
        ("contact", q(&c.contact)),
        ("deadline", q(&c.deadline)),
        ("office", q(&c.office)),
        ("return_to", q(&c.return_to)),
        ("password", q(&c.password)),
        ("id", q(&c.id)),
        ("secret", q(&c.secret)),
        ("reading_keys", reading_keys),
        ("reading_tables", reading_tables),
    ];
    let args: Vec<(&str, &str)> = numbers
        .iter()
        .chain(&texts)
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    // Values are put in once, so a `{` inside one is never taken for a placeholder.
    crate::cell_text::render(comments.body.trim_start_matches('\n'), &args)
}

/// The reading options as TOML: the top-level keys (to stand before the first table) and the
/// tables `[columns]` and `[units]`.
fn reading_text(c: &Config, comments: &ConfigComments) -> (String, String) {
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut keys = String::new();
    // A progress campaign always shows `as_of`: set, or as an example to set.
    match &c.as_of {
        Some(as_of) => keys.push_str(&format!("{}\nas_of = {}\n", comments.as_of, q(as_of))),
        None if c.spec.starts_with("progress") => {
            keys.push_str(&format!("{}\n# as_of = \"2024-07-31\"\n", comments.as_of))
        }
        None => {}
    }
    if let Some(period) = &c.period {
        keys.push_str(&format!("{}\nperiod = {}\n", comments.period, q(period)));
    }
    if let Some(sheet) = &c.sheet {
        keys.push_str(&format!("{}\nsheet = {}\n", comments.sheet, q(sheet)));
    }
    if let Some(rows) = &c.header_row {
        keys.push_str(&format!(
            "{}\nheader_row = {}\n",
            comments.header_row,
            q(rows)
        ));
    }
    if c.first_leads {
        keys.push_str(&format!("{}\nfirst_leads = true\n", comments.first_leads));
    }
    #[derive(Serialize)]
    struct Tables<'a> {
        #[serde(skip_serializing_if = "IndexMap::is_empty")]
        columns: &'a IndexMap<String, crate::model::Role>,
        #[serde(skip_serializing_if = "IndexMap::is_empty")]
        units: &'a IndexMap<String, Vec<String>>,
    }
    let tables = Tables {
        columns: &c.columns,
        units: &c.units,
    };
    let mut text = toml::to_string(&tables).unwrap_or_default();
    if !text.is_empty() {
        text = format!("\n{}\n{text}", comments.tables);
    }
    (keys, text)
}

/// Writes a file only its owner can read (the config holds the secret).
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn the_config_reads_back_in_both_languages_with_every_placeholder_filled() {
        for spec in ["zh", "en"] {
            let mut c = config();
            c.spec = spec.into();
            c.sheet = Some("考评表".into());
            c.first_leads = true;
            let text = config_text(&c);
            assert!(!text.contains('{'), "{text}");
            let back: Config = toml::from_str(&text).unwrap();
            assert_eq!(back.sheet.as_deref(), Some("考评表"));
            assert!(back.first_leads);
        }
        assert!(config_text(&config()).contains("# 签名密钥"));
    }

    #[test]
    fn a_period_is_written_with_its_comment_and_read_back() {
        let mut c = config();
        c.period = Some("2024Q1".into());
        let text = config_text(&c);
        assert!(text.contains("# 本期"), "{text}");
        let back: Config = toml::from_str(&text).unwrap();
        assert_eq!(back.period.as_deref(), Some("2024Q1"));
        assert!(!config_text(&config()).contains("period"));
    }

    #[test]
    fn a_period_names_a_folder() {
        for good in ["2024-03", "2024Q1", "2024年3月", "第1期"] {
            assert!(validate_period(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            " 2024",
            "2024/03",
            "a\\b",
            "..",
            "x:y",
            &"长".repeat(41),
        ] {
            assert!(validate_period(bad).is_err(), "{bad:?}");
        }
    }

    pub(crate) fn config() -> Config {
        Config {
            title: "t".into(),
            master: "m.xlsx".into(),
            spec: "zh".into(),
            aggregation: Aggregation::Min,
            contact: String::new(),
            deadline: String::new(),
            office: String::new(),
            return_to: String::new(),
            round: 1,
            as_of: None,
            period: None,
            password: String::new(),
            id: "0123456789abcdef".into(),
            secret: "ab".repeat(32),
            limits: crate::returns::Limits::default(),
            sheet: None,
            header_row: None,
            first_leads: false,
            columns: IndexMap::new(),
            units: IndexMap::new(),
        }
    }

    #[test]
    fn written_config_reads_back() {
        let c = config();
        let back: Config = toml::from_str(&config_text(&c)).unwrap();
        assert_eq!(back.secret, c.secret);
        assert_eq!(back.aggregation, Aggregation::Min);
        assert!(back.validate().is_ok());
    }

    #[test]
    fn reading_options_and_the_rule_are_written_and_read_back() {
        let mut c = config();
        c.aggregation = Aggregation::Lead;
        c.header_row = Some("3-4".into());
        c.first_leads = true;
        c.columns
            .insert("具体措施".into(), crate::model::Role::Task);
        c.units.insert(
            "各县（市、区）".into(),
            vec!["鲤城区".into(), "丰泽区".into()],
        );
        let back: Config = toml::from_str(&config_text(&c)).unwrap();
        assert_eq!(back.aggregation, Aggregation::Lead);
        assert_eq!(back.reading(), c.reading());
        assert!(back.reading().options().is_ok());
    }

    /// The rules broken, in words of either language.
    fn rules(c: &Config, language: &str) -> String {
        CampaignError::Rules {
            path: "tianbao.toml".into(),
            broken: broken_rules(&c.validate().unwrap_err()),
        }
        .say(Texts::builtin(language))
    }

    #[test]
    fn invalid_values_are_named_by_key() {
        let mut c = config();
        c.round = 0;
        c.secret = "short".into();
        assert_eq!(
            rules(&c, "en"),
            "tianbao.toml is not valid: round must be from 1 to 999; secret must be 64 lower-case \
             hex digits, as tianbao init wrote it; it seems edited: restore tianbao.toml from a \
             backup, or no workbook issued so far can be verified"
        );
        let zh = rules(&c, "zh");
        assert!(
            zh.starts_with("tianbao.toml 有误：round 应在 1 至 999 之间；secret 应为 64 位"),
            "{zh}"
        );
    }

    #[test]
    fn an_upper_cased_secret_is_refused() {
        let mut c = config();
        c.secret = c.secret.to_uppercase();
        let detail = rules(&c, "en");
        assert!(
            detail.contains("secret must be 64 lower-case hex"),
            "{detail}"
        );
    }

    #[test]
    fn invalid_limits_are_named_with_their_table() {
        let mut c = config();
        c.limits.max_rows = 5;
        assert_eq!(
            rules(&c, "en"),
            "tianbao.toml is not valid: limits.max_rows must be from 100 to 1048576"
        );
    }

    #[test]
    fn an_unknown_choice_names_the_line_and_the_choices() {
        let text = config_text(&config()).replace("aggregation = \"min\"", "aggregation = \"max\"");
        let error = toml::from_str::<Config>(&text).unwrap_err();
        let said = not_allowed("tianbao.toml", &text, &error)
            .unwrap()
            .say(Texts::builtin("zh"));
        assert!(
            said.contains("aggregation 不能写“max”，只能是以下之一：min, mean, lead"),
            "{said}"
        );
        assert!(said.contains(" 行："), "{said}");
    }

    #[test]
    fn a_wrong_type_reads_in_chinese_and_english() {
        let text = config_text(&config()).replace("deadline = \"\"", "deadline = 2024-01-10");
        let line = text
            .lines()
            .position(|l| l.starts_with("deadline"))
            .unwrap()
            + 1;
        let err = schema::check("tianbao.toml", &text).unwrap_err();
        assert_eq!(
            err.say(Texts::builtin("zh")),
            format!(
                "tianbao.toml 第 {line} 行：deadline 应为文字，请加引号：deadline = \"2024-01-10\""
            )
        );
        assert_eq!(
            err.to_string(),
            format!(
                "tianbao.toml line {line}: deadline must be text; put it in quotes: \
                 deadline = \"2024-01-10\""
            )
        );
        let err = schema::check("tianbao.toml", "dedline = \"x\"\n").unwrap_err();
        let zh = err.say(Texts::builtin("zh"));
        assert!(
            zh.starts_with("tianbao.toml 第 1 行：没有“dedline”这一项，是不是 deadline？"),
            "{zh}"
        );
    }

    #[test]
    fn init_details_are_written_and_read_back() {
        let mut c = config();
        c.contact = "办公室 张三 0595-22345678".into();
        c.deadline = "2024年1月10日".into();
        c.office = "泉州市生态环境局考评办".into();
        c.return_to = "kpb@example.gov.cn".into();
        let text = config_text(&c);
        schema::check("tianbao.toml", &text).unwrap();
        let back: Config = toml::from_str(&text).unwrap();
        assert_eq!(back.contact, c.contact);
        assert_eq!(back.deadline, c.deadline);
        assert_eq!(back.office, c.office);
        assert_eq!(back.return_to, c.return_to);
        assert_eq!(one_line_text(" 办公室\n张三  0595 "), "办公室 张三 0595");
    }

    #[test]
    fn unknown_aggregation_names_the_allowed_values() {
        let text = config_text(&config()).replace("aggregation = \"min\"", "aggregation = \"max\"");
        let err = toml::from_str::<Config>(&text).unwrap_err().to_string();
        assert!(
            err.contains("aggregation") && err.contains("min") && err.contains("lead"),
            "{err}"
        );
    }
}
