//! The template spec: the data file (`templates/*.toml`) that holds every label tianbao looks
//! for and every message it writes for people.
//!
//! The built-in specs are compiled into the binary, so an installed `tianbao` needs no
//! repository. A custom spec is read from a file; any message it leaves out falls back to the
//! built-in Chinese one, so a partial translation never breaks a run.

use std::path::Path;

use indexmap::IndexMap;

use crate::rule::{Expr, Rule};
use rust_decimal::Decimal;
use serde::Deserialize;

/// The built-in Chinese spec.
pub const DEFAULT_SPEC: &str = include_str!("../templates/default.toml");
/// The built-in English spec.
pub const EN_SPEC: &str = include_str!("../templates/en.toml");
/// The built-in specs: name, path (for messages), base spec and the kind laid over it.
const KINDS: &[(&str, &str, &str, Option<&str>)] = &[
    ("zh", "templates/default.toml", DEFAULT_SPEC, None),
    ("en", "templates/en.toml", EN_SPEC, None),
    (
        "progress",
        "templates/kinds/progress.toml",
        DEFAULT_SPEC,
        Some(include_str!("../templates/kinds/progress.toml")),
    ),
    (
        "progress.en",
        "templates/kinds/progress.en.toml",
        EN_SPEC,
        Some(include_str!("../templates/kinds/progress.en.toml")),
    ),
    (
        "data",
        "templates/kinds/data.toml",
        DEFAULT_SPEC,
        Some(include_str!("../templates/kinds/data.toml")),
    ),
    (
        "data.en",
        "templates/kinds/data.en.toml",
        EN_SPEC,
        Some(include_str!("../templates/kinds/data.en.toml")),
    ),
];

/// `overlay` laid over `base`: tables merge key by key, any other value (lists included)
/// replaces the base's.
pub fn overlaid(base: &str, overlay: &str) -> Result<String, String> {
    fn merge(base: &mut toml::Table, overlay: toml::Table) {
        for (key, value) in overlay {
            match (base.get_mut(&key), value) {
                (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
                (_, value) => {
                    base.insert(key, value);
                }
            }
        }
    }
    let mut base: toml::Table = toml::from_str(base).map_err(|e| e.to_string())?;
    let overlay: toml::Table = toml::from_str(overlay).map_err(|e| e.to_string())?;
    merge(&mut base, overlay);
    toml::to_string(&base).map_err(|e| e.to_string())
}

/// The built-in words for reading master tables, used by specs without a `[master]` section.
pub const LABELS: &str = include_str!("../templates/labels.toml");

#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot read spec {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("spec {path} is not valid: {detail}")]
    Invalid { path: String, detail: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// `zh`, `en`, …: the language of the messages.
    pub language: String,
    /// How master tables are read; the built-in labels (`templates/labels.toml`) when absent.
    #[serde(default = "builtin_labels")]
    pub master: MasterLabels,
    pub template: TemplateSpec,
    pub inputs: Vec<InputSpec>,
    #[serde(default)]
    pub signoff: Vec<InputSpec>,
    pub instructions: Instructions,
    pub validation: ValidationTexts,
    /// The assessment group's review workbook (核定表) and the results compile makes from it:
    /// the categories of 加减分 with their caps, the 等次 thresholds. The built-in Chinese one
    /// when absent.
    #[serde(default = "builtin_review")]
    pub review: ReviewSpec,
    /// What compile shows of the inputs besides the score, each aggregated over an item's
    /// departments.
    #[serde(default)]
    pub measures: Vec<MeasureSpec>,
    /// How an item's progress is judged (overdue, behind schedule), for progress reporting.
    #[serde(default)]
    pub progress: Option<ProgressSpec>,
    #[serde(default)]
    pub messages: IndexMap<String, String>,
    /// Labels of the workbooks tianbao writes besides the fill-in sheet (reports, feedback,
    /// the compiled table), by key; see [`WORDS`].
    #[serde(default)]
    pub words: IndexMap<String, String>,
}

/// Every key of `[words]` the code uses; both built-in specs must define each.
pub const WORDS: &[&str] = &[
    "compile.col.flag",
    "progress.overdue",
    "progress.behind",
    "template.required_when.rule",
    "template.validation.date_prompt",
    "template.validation.date_error",
    "template.validation.number_between",
    "template.validation.number_at_least",
    "template.validation.number_at_most",
    "template.validation.number_any",
    "template.rule.number",
    "template.rule.percent",
    "template.rule.date",
    "template.rule.computed",
    "history.sheet",
    "history.title",
    "history.note",
    "history.id",
    "history.category",
    "history.item",
    "history.change",
    "history.state",
    "history.behind_heading",
    "history.behind_none",
    "history.period",
    "history.before",
    "history.after",
    "history.change_short",
    "history.down",
    "history.stalled",
    "history.chart_title",
    "review.col.no",
    "compile.col.bonus_total",
    "compile.col.deduction_total",
    "review.file",
    "review.cap",
    "review.cap_none",
    "review.changed_note",
    "review.col.department",
    "review.col.found",
    "review.col.score",
    "review.col.note",
    "review.col.category",
    "review.col.points",
    "review.col.basis",
    "review.issued_to",
    "review.not_found",
    "review.note_required",
    "review.row",
    "review.why.newer_round",
    "review.why.newer_issue",
    "review.why.newer_file",
    "review.why.same_content",
    "review.why.file_name",
    "review.validation.score_title",
    "review.validation.score_prompt",
    "review.validation.score_error",
    "review.validation.department_prompt",
    "review.validation.department_error",
    "review.validation.category_prompt",
    "review.validation.points_prompt",
    "review.validation.points_error",
    "where.review_signoff",
    "compile.col.reviewed",
    "compile.col.review_note",
    "compile.col.no",
    "compile.col.unit",
    "compile.col.base",
    "compile.col.bonus_points",
    "compile.col.deduction_points",
    "compile.col.actual",
    "compile.col.rank",
    "compile.col.grade",
    "compile.col.item_text",
    "compile.col.points",
    "compile.col.reason",
    "compile.kind.review",
    "compile.none",
    "compile.results_sheet",
    "compile.results_title",
    "compile.publicity_sheet",
    "compile.publicity_title",
    "compile.publicity_note",
    "compile.explain_sheet",
    "compile.explain_title",
    "compile.explain_subtitle",
    "compile.review_source",
    "compile.remark.incomplete",
    "compile.remark.zero_weight",
    "feedback.sheet",
    "feedback.file",
    "feedback.heading",
    "feedback.col.no",
    "feedback.col.place",
    "feedback.col.item",
    "feedback.col.problem",
    "feedback.note_author",
    "feedback.restored",
    "feedback.truncated",
    "report.title",
    "report.file",
    "report.file_named",
    "report.findings_sheet",
    "report.summary_sheet",
    "report.col.department",
    "report.col.status",
    "report.col.file",
    "report.col.severity",
    "report.col.code",
    "report.col.sheet",
    "report.col.cell",
    "report.col.item",
    "report.col.message",
    "report.col.value",
    "report.col.expected",
    "report.col.errors",
    "report.col.warnings",
    "report.col.received",
    "report.col.persons",
    "report.col.round",
    "severity.error",
    "severity.warning",
    "status.valid",
    "status.invalid",
    "status.missing",
    "status.unrecognized",
    "status.superseded",
    "where.signoff",
    "role.lead",
    "role.cooperating",
    "form.master_suffix",
    "compile.file",
    "compile.doc_title",
    "compile.table_sheet",
    "compile.detail_sheet",
    "compile.status_sheet",
    "compile.overview_sheet",
    "compile.col.score",
    "compile.col.deduction",
    "compile.partial",
    "compile.unscored",
    "compile.rule.min",
    "compile.rule.mean",
    "compile.rule.lead",
    "compile.note.part",
    "compile.detail_title",
    "compile.status_title",
    "compile.overview_title",
    "compile.col.item",
    "compile.col.weight",
    "compile.col.file",
    "compile.col.cell",
    "compile.col.sha256",
    "compile.col.evidence",
    "compile.col.items",
    "compile.col.score_total",
    "compile.col.weight_total",
    "compile.col.category",
    "compile.col.group",
    "compile.col.full",
    "compile.col.got",
    "compile.col.rate",
    "compile.col.remark",
    "compile.chart_title",
    // The notices, the sending list and the reminders (src/notice.rs).
    "outbox.list_file",
    "outbox.notice_dir",
    "outbox.notice_file",
    "outbox.list_sheet",
    "outbox.list_title",
    "outbox.list_subtitle",
    "outbox.col.no",
    "outbox.col.department",
    "outbox.col.persons",
    "outbox.col.file",
    "outbox.col.items",
    "outbox.col.weight",
    "outbox.col.notice",
    "outbox.col.sent",
    "outbox.col.remark",
    "outbox.remark.not_generated",
    "outbox.remark.outdated",
    "papers.made_by",
    "papers.made_on",
    "papers.date",
    "notice.item",
    "notice.item_part",
    "notice.item_unweighted",
    "notice.return_to",
    "notice.return_to_contact",
    "notice.no_deadline",
    "remind.dir",
    "remind.file",
    "remind.list_file",
    "remind.list_sheet",
    "remind.list_title",
    "remind.list_subtitle",
    "remind.col.no",
    "remind.col.department",
    "remind.col.state",
    "remind.col.persons",
    "remind.col.phone",
    "remind.col.file",
    "remind.col.received",
    "remind.col.problems",
    "remind.col.reminder",
    "remind.col.done",
    "remind.state.missing",
    "remind.state.invalid",
    "remind.state.unusable",
    "remind.body.missing",
    "remind.body.invalid",
    "remind.body.unusable",
    "remind.problem",
    "remind.closing.invalid",
    "remind.closing.feedback",
    "remind.closing.unusable",
    "remind.closing.missing",
    "template.weight_total",
    "template.required_when.score_below_weight",
    "compile.footer",
    "compile.not_rated",
];

/// The review workbook (`tianbao review`) and the results compile makes from a review.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewSpec {
    /// The sheet with one row per item and department (核定表).
    pub sheet: String,
    /// The sheet of bonus and deduction entries (加减分).
    pub adjust_sheet: String,
    pub instructions_sheet: String,
    /// Title lines of the review sheet; `{title}`, `{round}`, `{departments}`, `{rows}`, `{date}`.
    pub title: String,
    pub subtitle: String,
    /// Title and subtitle of the 加减分 sheet; `{title}`, `{caps}`.
    pub adjust_title: String,
    pub adjust_subtitle: String,
    /// Master columns shown (locked), as `[template] shown`.
    pub shown: Vec<Shown>,
    /// The departments' inputs shown beside them (locked), by key: 自评得分, 完成情况 ….
    pub shown_inputs: Vec<String>,
    /// Decimal places of a reviewed score and of a bonus or deduction.
    pub decimals: u32,
    pub note_max_length: u32,
    pub basis_max_length: u32,
    /// Empty rows of the 加减分 sheet.
    pub adjust_rows: u32,
    pub signoff_title: String,
    pub signoff: Vec<InputSpec>,
    /// The 加减分 categories, in the order they are listed.
    pub categories: Vec<AdjustCategory>,
    /// The 等次, best first: each from its `min` 得分率 (percent) up.
    pub grades: Vec<Grade>,
    /// The review workbook's 填表说明, one paragraph per line; `{caps}`, `{decimals}`.
    pub instructions: Vec<String>,
}

/// Whether a 加减分 category adds to a department's score or takes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustKind {
    Bonus,
    Deduction,
}

/// A category of 加减分 entries (加分, 业务扣分, 公共扣分).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustCategory {
    pub name: String,
    pub kind: AdjustKind,
    /// The most one department may get in this category, all its entries together; no cap
    /// when absent.
    #[serde(default)]
    pub cap: Option<Decimal>,
}

/// A 等次 and the lowest 得分率 (percent) that reaches it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub name: String,
    pub min: Decimal,
}

impl ReviewSpec {
    pub fn category(&self, name: &str) -> Option<&AdjustCategory> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// The 等次 of a 得分率 (a fraction: 0.95 is 95 %): the first whose minimum it reaches,
    /// else the last.
    pub fn grade(&self, rate: Decimal) -> &str {
        let percent = rate * Decimal::ONE_HUNDRED;
        self.grades
            .iter()
            .find(|g| percent >= g.min)
            .or(self.grades.last())
            .map_or("", |g| g.name.as_str())
    }

    /// Rules beyond the shape, checked when a spec is loaded.
    fn check(&self, inputs: &[InputSpec]) -> Result<(), String> {
        if self.categories.is_empty() {
            return Err("review.categories: at least one category is needed".into());
        }
        let mut names = std::collections::HashSet::new();
        for c in &self.categories {
            if c.name.trim().is_empty() || c.name.contains(',') || !names.insert(&c.name) {
                return Err(format!(
                    "review.categories: \"{}\" must be a unique name without commas",
                    c.name
                ));
            }
            if c.cap.is_some_and(|cap| cap <= Decimal::ZERO) {
                return Err(format!(
                    "review.categories: the cap of \"{}\" must be above 0",
                    c.name
                ));
            }
        }
        if self.grades.is_empty() {
            return Err("review.grades: at least one grade is needed".into());
        }
        if self.grades.windows(2).any(|w| w[0].min <= w[1].min) {
            return Err(
                "review.grades: list the grades best first, each min below the one before".into(),
            );
        }
        for key in &self.shown_inputs {
            if !inputs.iter().any(|i| &i.key == key) {
                return Err(format!(
                    "review.shown_inputs: no input has the key \"{key}\""
                ));
            }
        }
        if !self.shown.contains(&Shown::ID) {
            return Err("review.shown must include \"id\": reviewed rows are matched by it".into());
        }
        for input in &self.signoff {
            if !matches!(input.kind, InputKind::Text | InputKind::Phone) {
                return Err(format!(
                    "review.signoff.{}: a sign-off field is text or phone",
                    input.key
                ));
            }
        }
        Ok(())
    }
}

/// The `[review]` of the built-in Chinese spec.
fn builtin_review() -> ReviewSpec {
    builtin_ref().review.clone()
}

/// The fill-in sheet: its names, title lines and which master columns it shows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateSpec {
    pub sheet: String,
    pub instructions_sheet: String,
    pub title: String,
    pub subtitle: String,
    pub no_deadline: String,
    pub shown: Vec<Shown>,
    pub signoff_title: String,
    pub footer: String,
    pub score_total: String,
    pub labels: IndexMap<Shown, String>,
}

/// A column the fill-in sheet shows, read-only: a master column by its [`Role`] (a text role
/// stands for every master column of that role, each with the master's own label), how the
/// department answers for the item (`role`: 牵头/配合), or the other departments of a shared
/// item (`shared_with`). Written in the spec by name: `"id"`, `"task"`, `"role"` ….
///
/// [`Role`]: crate::model::Role
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(try_from = "String", into = "String")]
pub enum Shown {
    Column(crate::model::Role),
    /// 牵头 or 配合 (tables that tell them apart).
    Part,
    SharedWith,
}

impl Shown {
    pub const ID: Shown = Shown::Column(crate::model::Role::Id);
    pub const TASK: Shown = Shown::Column(crate::model::Role::Task);
    pub const INDICATOR: Shown = Shown::Column(crate::model::Role::Indicator);
    pub const WEIGHT: Shown = Shown::Column(crate::model::Role::Weight);

    /// The master role a text entry stands for.
    pub fn text_role(self) -> Option<crate::model::Role> {
        match self {
            Shown::Column(role) if role.is_text() => Some(role),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Shown::Column(role) => role.as_str(),
            Shown::Part => "role",
            Shown::SharedWith => "shared_with",
        }
    }
}

impl TryFrom<String> for Shown {
    type Error = String;

    fn try_from(text: String) -> Result<Shown, String> {
        use crate::model::Role;
        match text.as_str() {
            "role" => Ok(Shown::Part),
            "shared_with" => Ok(Shown::SharedWith),
            other => match Role::parse(other) {
                Some(Role::Departments | Role::Lead | Role::Cooperating | Role::Ignored) | None => {
                    Err(format!(
                        "\"{other}\" is not a shown column; use id, category, basis, indicator, \
                         task, text, weight, deadline, leaders, persons, role or shared_with"
                    ))
                }
                Some(role) => Ok(Shown::Column(role)),
            },
        }
    }
}

impl From<Shown> for String {
    fn from(shown: Shown) -> String {
        shown.as_str().to_string()
    }
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// One of `choices`.
    Choice,
    /// Free text up to `max_length` characters.
    Text,
    /// A decimal from 0 to the item's weight with at most `decimals` places.
    Score,
    /// A phone number.
    Phone,
    /// A decimal from `min` to `max` (each a number or a master column), in `unit`.
    Number,
    /// A percentage from 0 to 100.
    Percent,
    /// A date (2024-03-15, 2024年3月15日, 2024/3/15, or a date cell).
    Date,
    /// Not filled in: the sheet shows `formula` live, with its value cached; never read back.
    Computed,
}

impl InputKind {
    /// Whether its values are numbers.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            InputKind::Score | InputKind::Number | InputKind::Percent
        )
    }
}

/// A bound of a number input: a number, or a master column's value for the item
/// (`"[目标值]"`), or `"weight"`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Bound {
    Number(Decimal),
    Name(String),
}

/// How a computed column shows its value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowAs {
    #[default]
    Number,
    /// A fraction shown as a percentage (0.95 as 95.00%).
    Percent,
}

/// The roles of the master a rule may name.
pub const ROLE_NAMES: &[&str] = &["weight", "deadline", "target"];

/// How a measure is made from an item's departments' values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    Sum,
    Min,
    Mean,
    /// The lead department's (the first listed).
    Lead,
    /// The value of the department whose return came last.
    Latest,
    /// Every department's text, each on its own line after its name.
    Join,
}

/// A column compile adds to the table: an input aggregated over an item's departments.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    /// The input's key.
    pub input: String,
    pub aggregate: Aggregate,
    /// The column's label; the input's when absent.
    #[serde(default)]
    pub label: Option<String>,
}

/// Progress reporting: an item is **overdue** when its deadline has passed and it is not
/// complete, **behind** when its progress is below the time elapsed towards its deadline
/// (序时进度) by more than `tolerance` points.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressSpec {
    /// The percent input of progress (完成进度).
    pub percent: String,
    /// The choice input of the item's status, and the choices that mean complete.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub complete: Vec<String>,
    #[serde(default)]
    pub tolerance: Decimal,
}

/// One input column of the fill-in sheet, or one field of the sign-off block.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// Stable key (`status`, `score`): identity and prefill use it, never the label.
    pub key: String,
    pub label: String,
    pub kind: InputKind,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub required: bool,
    /// A rule over other inputs and master columns (`score < weight`, `status != 已完成`,
    /// `percent < 100`); see [`crate::rule`]. Parsed into [`InputSpec::rule`] at load.
    #[serde(default)]
    pub required_when: Option<String>,
    #[serde(skip)]
    pub rule: Option<Rule>,
    /// The rule in words, after the label and in messages (`（未完成时必填）`); the words of
    /// `score < weight` (`（扣分时必填）`) when absent for that rule.
    #[serde(default)]
    pub when: Option<String>,
    /// The bounds of a number input.
    #[serde(default)]
    pub min: Option<Bound>,
    #[serde(default)]
    pub max: Option<Bound>,
    /// The unit of a number input: a word (`吨`), or a master column holding each item's
    /// (`"[单位]"`).
    #[serde(default)]
    pub unit: Option<String>,
    /// The formula of a computed column (`done / [目标值]`); parsed into
    /// [`InputSpec::expr`] at load.
    #[serde(default)]
    pub formula: Option<String>,
    #[serde(skip)]
    pub expr: Option<Expr>,
    #[serde(default)]
    pub show_as: ShowAs,
    #[serde(default)]
    pub max_length: Option<u32>,
    #[serde(default)]
    pub decimals: Option<u32>,
    #[serde(default)]
    pub width: Option<f64>,
    /// The input names evidence files (`会议纪要.pdf、照片.jpg`), looked up beside the return.
    #[serde(default)]
    pub evidence: bool,
    /// A new period's workbook comes prefilled with the department's last accepted value of
    /// the period before (`完成情况`, `工作进展及成效`: what a report updates, not restarts).
    #[serde(default)]
    pub carry: bool,
}

impl InputSpec {
    /// Whether it is required by a rule on the score (扣分原因).
    pub fn explains_score(&self) -> bool {
        self.rule
            .as_ref()
            .is_some_and(|r| r.names().contains(&"score") && r.names().contains(&"weight"))
    }

    /// The rule that makes it required, in words (`（扣分时必填）`).
    pub fn when_text(&self, spec: &Spec) -> Option<String> {
        self.rule.as_ref()?;
        Some(match &self.when {
            Some(text) => text.clone(),
            None if self.explains_score() => spec.word("template.required_when.score_below_weight"),
            None => spec.word("template.required_when.rule"),
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instructions {
    pub heading: String,
    pub lines: Vec<String>,
    pub rules_heading: String,
    pub no_contact: String,
    pub rules: InstructionRules,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstructionRules {
    pub choice: String,
    pub text: String,
    pub score: String,
    pub phone: String,
    pub required: String,
    pub required_when_score_below_weight: String,
}

/// Texts of the in-cell validation shown while typing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationTexts {
    pub choice_title: String,
    pub choice_prompt: String,
    pub choice_error: String,
    pub score_title: String,
    pub score_prompt: String,
    pub score_error: String,
    pub text_error: String,
    pub error_title: String,
}

/// How a master table's header cells and special rows are recognised.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MasterLabels {
    pub category: Vec<String>,
    pub id: Vec<String>,
    pub basis: Vec<String>,
    pub indicator: Vec<String>,
    pub task: Vec<String>,
    pub weight: Vec<String>,
    pub deadline: Vec<String>,
    pub leaders: Vec<String>,
    pub departments: Vec<String>,
    /// 牵头单位: the lead departments.
    #[serde(default)]
    pub lead: Vec<String>,
    /// 配合单位: the cooperating departments.
    #[serde(default)]
    pub cooperating: Vec<String>,
    pub persons: Vec<String>,
    /// Text columns worth recognising in a header (评分标准, 目标值 …); any other label is a
    /// text column too, these only help find the header.
    #[serde(default)]
    pub text: Vec<String>,
    /// Targets (目标值, 年度目标值, 计划值): text columns that rules read as `target`.
    #[serde(default)]
    pub target: Vec<String>,
    /// Columns someone fills in (自评得分, 得分): read past, never shown.
    #[serde(default)]
    pub ignored: Vec<String>,
    /// Indicator levels, outermost first (一级指标, 二级指标, 三级指标): with three or more in a
    /// table, all but the last are category levels and the last is the task.
    #[serde(default)]
    pub indicator_levels: Vec<String>,
    #[serde(default)]
    pub group_labels: Vec<String>,
    pub subtotal_labels: Vec<String>,
    pub total_labels: Vec<String>,
    #[serde(default)]
    pub note_prefixes: Vec<String>,
    #[serde(default = "default_expected_total")]
    pub expected_total: Decimal,
    /// Words marking a lead department in a cell (`牵头：A`, `A（牵头）`).
    #[serde(default)]
    pub lead_markers: Vec<String>,
    /// Words marking cooperating departments (`配合：B、C`).
    #[serde(default)]
    pub cooperating_markers: Vec<String>,
    /// Words that, with a lead marker, make a note say the first listed leads
    /// (`注：排在第一位的为牵头单位`).
    #[serde(default)]
    pub first_words: Vec<String>,
    /// How a name for all units starts (`各县（市、区）`, `各科室`).
    #[serde(default)]
    pub all_units_prefixes: Vec<String>,
    /// Words after such a name in a note that lists its units (`指`, `包括`).
    #[serde(default)]
    pub units_intro: Vec<String>,
}

/// The `[master]` section of `templates/labels.toml`.
fn builtin_labels() -> MasterLabels {
    #[derive(Deserialize)]
    struct File {
        master: MasterLabels,
    }
    toml::from_str::<File>(LABELS)
        .expect("the built-in labels are checked by a unit test")
        .master
}

fn default_expected_total() -> Decimal {
    Decimal::ONE_HUNDRED
}

impl Spec {
    /// The built-in Chinese spec.
    pub fn builtin() -> Spec {
        Spec::builtin_language("zh").expect("the built-in Chinese spec is listed")
    }

    /// A built-in spec by name: `zh`, `en` (the year-end self-assessment), `progress`,
    /// `progress.en`, `data`, `data.en` (the kinds, laid over the spec of their language).
    pub fn builtin_language(name: &str) -> Option<Spec> {
        // Each built-in spec is parsed once per process (a run asks for it more than once:
        // for its language, its checks, its messages); every caller gets its own copy.
        static PARSED: [std::sync::OnceLock<Spec>; KINDS.len()] =
            [const { std::sync::OnceLock::new() }; KINDS.len()];
        let index = KINDS.iter().position(|(n, ..)| *n == name)?;
        let (_, path, base, overlay) = KINDS[index];
        let spec = PARSED[index].get_or_init(|| {
            let text = match overlay {
                None => base.to_string(),
                Some(overlay) => {
                    overlaid(base, overlay).expect("built-in kinds are checked by a unit test")
                }
            };
            Spec::parse(path, &text).expect("the built-in specs are checked by a unit test")
        });
        Some(spec.clone())
    }

    /// The built-in spec of `kind` (`assess`, `progress`, `data`) in `language` (`zh`, `en`).
    pub fn kind_name(kind: &str, language: &str) -> Option<&'static str> {
        let name = match (kind, language) {
            ("assess", "zh") => "zh",
            ("assess", "en") => "en",
            ("progress", "zh") => "progress",
            ("progress", "en") => "progress.en",
            ("data", "zh") => "data",
            ("data", "en") => "data.en",
            _ => return None,
        };
        Some(name)
    }

    /// The built-in spec a `--spec` value or a `spec =` setting names when no such file exists:
    /// a name (`en`, `zh`, `progress.en` …), or the path a built-in spec has in the source tree
    /// (`templates/en.toml`), so that a setting written in the checkout works from any folder.
    pub fn builtin_named(value: &str) -> Option<Spec> {
        let value = value.trim();
        Spec::builtin_language(value).or_else(|| {
            let normal = value.replace('\\', "/");
            let normal = normal.trim_start_matches("./");
            KINDS
                .iter()
                .find(|(_, path, ..)| *path == normal)
                .and_then(|(name, ..)| Spec::builtin_language(name))
        })
    }

    /// A spec named on the command line or in a setting: a file when it exists, else a
    /// built-in spec by name ([`Spec::builtin_named`]), else the file's error.
    pub fn resolve(value: &Path) -> Result<Spec, SpecError> {
        if !value.exists()
            && let Some(spec) = Spec::builtin_named(&value.to_string_lossy())
        {
            return Ok(spec);
        }
        Spec::load(value)
    }

    pub fn load(path: &Path) -> Result<Spec, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Spec::parse(&path.display().to_string(), &text)
    }

    pub fn parse(path: &str, text: &str) -> Result<Spec, SpecError> {
        let mut spec: Spec = toml::from_str(text).map_err(|e| SpecError::Invalid {
            path: path.to_string(),
            detail: e.to_string(),
        })?;
        spec.prepare()
            .and_then(|()| spec.check())
            .map_err(|detail| SpecError::Invalid {
                path: path.to_string(),
                detail,
            })?;
        Ok(spec)
    }

    /// Rules a spec must meet beyond its shape, so generation and validation can trust it.
    fn check(&self) -> Result<(), String> {
        let mut keys = std::collections::HashSet::new();
        for input in self.inputs.iter().chain(&self.signoff) {
            if !keys.insert(input.key.as_str()) {
                return Err(format!(
                    "input key \"{}\" is used twice; keys must be unique",
                    input.key
                ));
            }
            if input.kind == InputKind::Choice {
                let list = input.choices.join(",");
                if input.choices.is_empty() || list.chars().count() > 255 {
                    return Err(format!(
                        "inputs.{}: a choice needs 1 to 255 characters of choices (commas included); it has {}",
                        input.key,
                        list.chars().count()
                    ));
                }
                if input.choices.iter().any(|c| c.contains(',')) {
                    return Err(format!(
                        "inputs.{}: a choice may not contain a comma",
                        input.key
                    ));
                }
            }
        }
        let scores = self
            .inputs
            .iter()
            .filter(|i| i.kind == InputKind::Score)
            .count();
        if scores > 1 {
            return Err(format!(
                "inputs: at most one input of kind \"score\" is allowed, found {scores}"
            ));
        }
        if self.inputs.iter().all(|i| i.kind == InputKind::Computed) {
            return Err("inputs: at least one input to fill in is needed".into());
        }
        self.check_measures()?;
        if !self.template.shown.contains(&Shown::ID) {
            return Err(
                "template.shown must include \"id\": returns are matched to items by it".into(),
            );
        }
        for shown in &self.template.shown {
            if shown.text_role().is_none() && !self.template.labels.contains_key(shown) {
                return Err(format!(
                    "template.labels has no label for shown column \"{shown}\""
                ));
            }
        }
        self.review.check(&self.inputs)?;
        for (name, title) in [
            ("validation.choice_title", &self.validation.choice_title),
            ("validation.score_title", &self.validation.score_title),
            ("validation.error_title", &self.validation.error_title),
        ] {
            if title.chars().count() > 32 {
                return Err(format!(
                    "{name} has {} characters; Excel allows at most 32",
                    title.chars().count()
                ));
            }
        }
        Ok(())
    }

    /// The input of kind score, when the spec scores items against their weights.
    pub fn score_input(&self) -> Option<&InputSpec> {
        self.inputs.iter().find(|i| i.kind == InputKind::Score)
    }

    pub fn input(&self, key: &str) -> Option<&InputSpec> {
        self.inputs.iter().find(|i| i.key == key)
    }

    /// Whether `name` in a rule or formula is a name: an input's key, a role of the master
    /// (`weight`, `deadline`) or a master column in brackets (`[目标值]`).
    pub fn is_name(&self, name: &str) -> bool {
        ROLE_NAMES.contains(&name)
            || crate::rule::column_name(name).is_some()
            || self.inputs.iter().any(|i| i.key == name)
    }

    /// Parses each input's `required_when` rule and `formula`.
    fn prepare(&mut self) -> Result<(), String> {
        let names: Vec<String> = self.inputs.iter().map(|i| i.key.clone()).collect();
        let is_name = |n: &str| {
            ROLE_NAMES.contains(&n)
                || crate::rule::column_name(n).is_some()
                || names.iter().any(|k| k == n)
        };
        for input in &mut self.inputs {
            if let Some(text) = &input.required_when {
                input.rule = Some(
                    Rule::parse(text, &is_name)
                        .map_err(|e| format!("inputs.{}.required_when: {e}", input.key))?,
                );
            }
            match (input.kind, &input.formula) {
                (InputKind::Computed, Some(text)) => {
                    input.expr = Some(
                        Expr::parse(text, &is_name)
                            .map_err(|e| format!("inputs.{}.formula: {e}", input.key))?,
                    );
                }
                (InputKind::Computed, None) => {
                    return Err(format!(
                        "inputs.{}: a computed input needs a formula",
                        input.key
                    ));
                }
                (_, Some(_)) => {
                    return Err(format!(
                        "inputs.{}: only a computed input has a formula",
                        input.key
                    ));
                }
                (_, None) => {}
            }
            for bound in [&input.min, &input.max].into_iter().flatten() {
                if let Bound::Name(name) = bound
                    && !(name == "weight" || crate::rule::column_name(name).is_some())
                {
                    return Err(format!(
                        "inputs.{}: a bound is a number, \"weight\" or a master column in brackets such as \"[目标值]\"; \"{name}\" is none",
                        input.key
                    ));
                }
            }
        }
        Ok(())
    }

    /// Measures name inputs; the progress section names a percent input.
    fn check_measures(&self) -> Result<(), String> {
        for m in &self.measures {
            let Some(input) = self.input(&m.input) else {
                return Err(format!("measures: no input has the key \"{}\"", m.input));
            };
            let numeric = input.kind.is_numeric() || input.kind == InputKind::Computed;
            if numeric == (m.aggregate == Aggregate::Join) {
                return Err(format!(
                    "measures.{}: join is for text inputs, sum/min/mean/lead/latest for numbers",
                    m.input
                ));
            }
        }
        if let Some(p) = &self.progress {
            if self.input(&p.percent).map(|i| i.kind) != Some(InputKind::Percent) {
                return Err(format!(
                    "progress.percent: \"{}\" is not an input of kind percent",
                    p.percent
                ));
            }
            if let Some(status) = &p.status
                && self.input(status).is_none()
            {
                return Err(format!(
                    "progress.status: no input has the key \"{status}\""
                ));
            }
        }
        Ok(())
    }

    /// A label from `[words]`, falling back to the built-in Chinese one.
    pub fn word(&self, key: &str) -> String {
        if let Some(word) = self.words.get(key) {
            return word.clone();
        }
        builtin_ref()
            .words
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// The message for `code` with `{name}` placeholders replaced by `args`.
    pub fn message(&self, code: &str, args: &[(&str, &str)]) -> String {
        let template = self
            .messages
            .get(code)
            .or_else(|| builtin_ref().messages.get(code))
            .map_or(code, String::as_str);
        crate::cell_text::render(template, args)
    }
}

/// The built-in Chinese spec, parsed once: the fallback of every message and label.
fn builtin_ref() -> &'static Spec {
    static BUILTIN: std::sync::OnceLock<Spec> = std::sync::OnceLock::new();
    BUILTIN.get_or_init(Spec::builtin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_specs_carry_every_word() {
        for language in ["zh", "en"] {
            let spec = Spec::builtin_language(language).unwrap();
            for key in WORDS {
                assert!(spec.words.contains_key(*key), "{language}: no word {key}");
            }
        }
    }

    #[test]
    fn the_kinds_parse_in_both_languages() {
        for kind in ["assess", "progress", "data"] {
            for language in ["zh", "en"] {
                let name = Spec::kind_name(kind, language).unwrap();
                let spec = Spec::builtin_language(name).unwrap();
                assert_eq!(spec.language, language, "{name}");
                assert_eq!(spec.score_input().is_some(), kind == "assess", "{name}");
                assert_eq!(spec.progress.is_some(), kind == "progress", "{name}");
            }
        }
        let data = Spec::builtin_language("data").unwrap();
        let rate = data.input("rate").unwrap();
        assert_eq!(rate.kind, InputKind::Computed);
        assert_eq!(rate.expr.as_ref().unwrap().names(), vec!["done", "target"]);
    }

    #[test]
    fn a_spec_that_shows_no_id_is_refused() {
        let text = DEFAULT_SPEC.replace(r#"shown = ["id", "#, r#"shown = ["#);
        let err = Spec::parse("x.toml", &text).unwrap_err().to_string();
        assert!(err.contains("must include \"id\""), "{err}");
    }

    #[test]
    fn unknown_field_is_rejected_with_its_name() {
        let mut text = DEFAULT_SPEC.replace("[template]", "[template]\ncolour = \"red\"");
        text.push('\n');
        let err = Spec::parse("x.toml", &text).unwrap_err().to_string();
        assert!(err.contains("colour"), "{err}");
    }
}
