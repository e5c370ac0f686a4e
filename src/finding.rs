//! Findings: what a check has to say about an input, as data.
//!
//! A finding has a severity, a stable code, a place and a message already rendered in the
//! spec's language. Checks produce findings; the terminal, JSON and workbook renderers only
//! present them.

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
    NamesRepaired => "names_repaired",
    NamesMismatch => "names_mismatch",
    TaskEmpty => "task_empty",
    TextUnterminated => "text_unterminated",
    GroupPointsMismatch => "group_points_mismatch",
    CategoryPointsMismatch => "category_points_mismatch",
    SubtotalMismatch => "subtotal_mismatch",
    TotalMismatch => "total_mismatch",
    TotalUnexpected => "total_unexpected",
    IdAssigned => "id_assigned",
    IdQualified => "id_qualified",
    WeightText => "weight_text",
    WeightPercent => "weight_percent",
    WeightMerged => "weight_merged",
    UnitsExpanded => "units_expanded",
    UnitsUnknown => "units_unknown",
    RowHidden => "row_hidden",
    // Reading returns (`tianbao validate`).
    Unreadable => "unreadable",
    Encrypted => "encrypted",
    TooLarge => "too_large",
    NotATemplate => "not_a_template",
    ForeignCampaign => "foreign_campaign",
    StaleTemplate => "stale_template",
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
    /// The sheet the finding is about, if any.
    pub sheet: Option<String>,
    /// The cell in A1 notation, if the finding is about one cell.
    pub cell: Option<String>,
    /// The item id the finding is about, if any.
    pub item: Option<String>,
    pub message: String,
    /// The offending value as read, where it helps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What was expected instead, where it helps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
}

impl Finding {
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

/// Counts of errors and warnings in a list of findings.
pub fn tally(findings: &[Finding]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    (errors, findings.len() - errors)
}

/// A1 notation of a 0-based (row, col).
pub fn a1(row: u32, col: u32) -> String {
    let mut name = String::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        name.insert(0, (b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{name}{}", row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_names_columns_past_z() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(11, 4), "E12");
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(9, 701), "ZZ10");
        assert_eq!(a1(0, 702), "AAA1");
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
        }
    }
}
