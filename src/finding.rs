//! Findings: what a check has to say about an input, as data.
//!
//! A finding has a severity, a stable code (and, where a code has several messages, a
//! variant), a place (file, sheet, cell, item, input key) and the arguments of its message.
//! Checks produce findings; the message is made from a spec only when a renderer (terminal,
//! JSON, report or feedback workbook, web page) presents it, in that renderer's language.

use indexmap::IndexMap;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $text:literal,)*) => {
        /// Every finding code tianbao emits. The text form is stable: scripts and the
        /// spec's `[messages]` table key on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
        pub enum Code { $(#[serde(rename = $text)] $variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }
    };
}

codes! {
    IdMalformed => "id_malformed",
    IdMissing => "id_missing",
    IdDuplicate => "id_duplicate",
    WeightMissing => "weight_missing",
    WeightNotNumber => "weight_not_number",
    WeightNegative => "weight_negative",
    DepartmentsMissing => "departments_missing",
    DepartmentInvalid => "department_invalid",
    NamesRepaired => "names_repaired",
    NamesMismatch => "names_mismatch",
    TaskEmpty => "task_empty",
    TextUnterminated => "text_unterminated",
    GroupPointsMismatch => "group_points_mismatch",
    CategoryPointsMismatch => "category_points_mismatch",
    SubtotalMismatch => "subtotal_mismatch",
    SectionSumMismatch => "section_sum_mismatch",
    TotalMismatch => "total_mismatch",
    TotalUnexpected => "total_unexpected",
    IdAssigned => "id_assigned",
    IdQualified => "id_qualified",
    WeightText => "weight_text",
    WeightPercent => "weight_percent",
    WeightMerged => "weight_merged",
    UnitsExpanded => "units_expanded",
    UnitsUnknown => "units_unknown",
    UnitsDefinedTwice => "units_defined_twice",
    RowHidden => "row_hidden",
    // Reading returns (`tianbao validate`).
    Unreadable => "unreadable",
    Encrypted => "encrypted",
    TooLarge => "too_large",
    NotATemplate => "not_a_template",
    ForeignCampaign => "foreign_campaign",
    StaleTemplate => "stale_template",
    PeriodOther => "period_other",
    SignatureInvalid => "signature_invalid",
    SecretChanged => "secret_changed",
    ReplacementUnconfirmed => "replacement_unconfirmed",
    NotValidated => "not_validated",
    SheetMissing => "sheet_missing",
    LockedCellChanged => "locked_cell_changed",
    ItemMissing => "item_missing",
    ItemUnexpected => "item_unexpected",
    ItemDuplicated => "item_duplicated",
    RequiredMissing => "required_missing",
    NotANumber => "not_a_number",
    OutOfRange => "out_of_range",
    BadPrecision => "bad_precision",
    ChoiceInvalid => "choice_invalid",
    RequiredWhen => "required_when",
    DateInvalid => "date_invalid",
    TextTooLong => "text_too_long",
    PhoneInvalid => "phone_invalid",
    FormulaInInput => "formula_in_input",
    InputColumnDuplicate => "input_column_duplicate",
    InputColumnHidden => "input_column_hidden",
    ItemHidden => "item_hidden",
    ValueCoerced => "value_coerced",
    DuplicateReturn => "duplicate_return",
    MissingReturn => "missing_return",
    EvidenceMissing => "evidence_missing",
    SignoffMismatch => "signoff_mismatch",
    SubmittedByOther => "submitted_by_other",
    SheetHidden => "sheet_hidden",
    MacrosInside => "macros_inside",
    TooManyReturns => "too_many_returns",
    // The assessment group's review workbook (`tianbao review`).
    ReviewReasonMissing => "review_reason_missing",
    AdjustOverCap => "adjust_over_cap",
    ReviewStale => "review_stale",
    ReviewMisplaced => "review_misplaced",
    EntryOutside => "entry_outside",
    SheetUnexpected => "sheet_unexpected",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    /// Which message of the code, when it has several (`stale_template.round`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The file the finding is about, as shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The sheet the finding is about, if any.
    pub sheet: Option<String>,
    /// The cell in A1 notation, if the finding is about one cell.
    pub cell: Option<String>,
    /// The item id the finding is about, if any.
    pub item: Option<String>,
    /// The input or sign-off field (its key in the spec) the finding is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The offending value as read, where it helps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What was expected instead, where it helps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// The other arguments of the message, by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub args: IndexMap<String, String>,
}

impl Finding {
    pub fn new(severity: Severity, code: Code) -> Finding {
        Finding {
            severity,
            code,
            variant: None,
            file: None,
            sheet: None,
            cell: None,
            item: None,
            key: None,
            value: None,
            expected: None,
            args: IndexMap::new(),
        }
    }

    pub fn error(code: Code) -> Finding {
        Finding::new(Severity::Error, code)
    }

    pub fn warning(code: Code) -> Finding {
        Finding::new(Severity::Warning, code)
    }

    /// Adds a message argument.
    pub fn arg(mut self, name: &str, value: impl Into<String>) -> Finding {
        self.args.insert(name.to_string(), value.into());
        self
    }

    /// The value of argument `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.args.get(name).map(String::as_str)
    }

    /// The message key: the variant, or the code.
    pub fn message_key(&self) -> &str {
        self.variant.as_deref().unwrap_or(self.code.as_str())
    }

    /// The message in `spec`'s language. The label of an input or sign-off field comes from
    /// `spec` by the finding's key, so it reads in the same language as the message.
    pub fn message(&self, spec: &crate::spec::Spec) -> String {
        let field = self.key.as_deref().and_then(|k| {
            spec.inputs
                .iter()
                .find(|i| i.key == k)
                .map(|i| (i, false))
                .or_else(|| spec.signoff.iter().find(|i| i.key == k).map(|i| (i, true)))
        });
        let label = field.map(|(i, _)| i.label.clone());
        let place = if field.is_some_and(|(_, signoff)| signoff) {
            spec.word("where.signoff")
        } else {
            String::new()
        };
        let mut args: Vec<(&str, &str)> = Vec::new();
        if let Some(label) = &label {
            args.push(("label", label));
        }
        let rendered: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(k, v)| (k.as_str(), render_arg(spec, k, v)))
            .collect();
        args.extend(rendered.iter().map(|(k, v)| (*k, v.as_str())));
        for (name, value) in [
            ("file", &self.file),
            ("sheet", &self.sheet),
            ("cell", &self.cell),
            ("item", &self.item),
            ("value", &self.value),
            ("expected", &self.expected),
        ] {
            if let Some(value) = value {
                args.push((name, value));
            }
        }
        // Files, sheets and cell values come from outside: shown escaped wherever the
        // message goes (terminal, web page, report, feedback workbook, reminder).
        let safe: Vec<(&str, String)> = args
            .iter()
            .map(|(k, v)| (*k, crate::cell_text::for_terminal(v).into_owned()))
            .collect();
        let mut args: Vec<(&str, &str)> = safe.iter().map(|(k, v)| (*k, v.as_str())).collect();
        args.push(("where", &place));
        if let Some(item) = &self.item {
            args.push(("id", item));
        }
        spec.message(self.message_key(), &args)
    }

    /// The finding with its message in `spec`'s language, for JSON.
    pub fn rendered<'a>(&'a self, spec: &crate::spec::Spec) -> Rendered<'a> {
        Rendered {
            finding: self,
            message: self.message(spec),
        }
    }

    /// `Sheet!E12`, `Sheet`, or empty.
    pub fn place(&self) -> String {
        match (&self.sheet, &self.cell) {
            (Some(sheet), Some(cell)) => format!("{sheet}!{cell}"),
            (Some(sheet), None) => sheet.clone(),
            (None, Some(cell)) => cell.clone(),
            (None, None) => String::new(),
        }
    }
}

/// A finding and its message, as JSON shows it.
#[derive(Debug, Serialize)]
pub struct Rendered<'a> {
    #[serde(flatten)]
    pub finding: &'a Finding,
    pub message: String,
}

/// A list argument's value: its parts, kept apart until rendered in a language.
pub fn list<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts.into_iter().collect::<Vec<_>>().join(LIST_SEPARATOR)
}

const LIST_SEPARATOR: &str = "\u{1f}";

/// An argument as a message shows it, by its name's ending: `_word` names a word of the spec,
/// `_list` is a [`list`] joined by the spec's separator, `_at` a stored time shown in local time.
pub fn render_arg(spec: &crate::spec::Spec, name: &str, value: &str) -> String {
    if name.ends_with("_word") {
        spec.word(value)
    } else if name.ends_with("_list") {
        value
            .split(LIST_SEPARATOR)
            .collect::<Vec<_>>()
            .join(&spec.word("list.separator"))
    } else if name.ends_with("_at") {
        crate::time::local(value)
    } else {
        value.to_string()
    }
}

/// Counts of errors and warnings in a list of findings.
pub fn tally(findings: &[Finding]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    (errors, findings.len() - errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_specs_parse_and_carry_every_message() {
        for language in ["zh", "en"] {
            let spec = crate::spec::Spec::builtin_language(language).unwrap();
            assert_eq!(spec.language, language);
            for code in Code::ALL {
                assert!(
                    spec.messages.contains_key(code.as_str()),
                    "{language} spec lacks a message for {}",
                    code.as_str()
                );
            }
            assert_eq!(
                spec.master.expected_total,
                rust_decimal::Decimal::ONE_HUNDRED
            );
        }
    }

    #[test]
    fn a1_names_columns_past_z() {
        assert_eq!(crate::workbook::a1(0, 0), "A1");
        assert_eq!(crate::workbook::a1(11, 4), "E12");
        assert_eq!(crate::workbook::a1(0, 25), "Z1");
        assert_eq!(crate::workbook::a1(0, 26), "AA1");
        assert_eq!(crate::workbook::a1(9, 701), "ZZ10");
        assert_eq!(crate::workbook::a1(0, 702), "AAA1");
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
        }
    }
}
