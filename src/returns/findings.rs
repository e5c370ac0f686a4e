//! The findings of one return as they are made: each with the file, and the sheet when it names
//! a cell. Every step of checking (identify, locate, rules) pushes into one [`Findings`].

use crate::finding::{Code, Finding, Severity};
use crate::workbook::a1;

use super::Status;

/// Collects the findings of one return, as data.
pub(super) struct Findings {
    pub(super) file: String,
    pub(super) sheet: Option<String>,
    pub(super) list: Vec<Finding>,
}

/// One finding's particulars.
#[derive(Default)]
pub(super) struct At<'s> {
    pub(super) cell: Option<(u32, u32)>,
    pub(super) item: Option<&'s str>,
    /// The input or sign-off field, by key.
    pub(super) key: Option<&'s str>,
    pub(super) variant: Option<&'static str>,
    pub(super) value: Option<String>,
    pub(super) expected: Option<String>,
    pub(super) args: Vec<(&'s str, String)>,
}

impl Findings {
    pub(super) fn new(file: &str) -> Findings {
        Findings {
            file: file.to_string(),
            sheet: None,
            list: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, severity: Severity, code: Code, at: At) {
        let mut f = Finding::new(severity, code);
        f.file = Some(self.file.clone());
        f.cell = at.cell.map(|(r, c)| a1(r, c));
        f.sheet = f.cell.as_ref().and(self.sheet.clone());
        f.item = at.item.map(str::to_string);
        f.key = at.key.map(str::to_string);
        f.variant = at.variant.map(str::to_string);
        f.value = at.value;
        f.expected = at.expected;
        f.args = at
            .args
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        self.list.push(f);
    }

    pub(super) fn error(&mut self, code: Code, at: At) {
        self.push(Severity::Error, code, at);
    }

    pub(super) fn warning(&mut self, code: Code, at: At) {
        self.push(Severity::Warning, code, at);
    }

    /// A finding about a sheet other than the one being read (`sheet`).
    pub(super) fn error_on(&mut self, sheet: &str, code: Code, at: At) {
        let saved = self.sheet.replace(sheet.to_string());
        self.error(code, at);
        self.sheet = saved;
    }

    /// The status of a workbook read through: invalid with an error, valid without.
    pub(super) fn status(&self) -> Status {
        if self.list.iter().any(|x| x.severity == Severity::Error) {
            Status::Invalid
        } else {
            Status::Valid
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_names_the_sheet_only_with_a_cell() {
        let mut f = Findings::new("a.xlsx");
        f.sheet = Some("填报表".into());
        f.warning(Code::ValueCoerced, At::default());
        assert_eq!(f.status(), Status::Valid);
        f.error(
            Code::NotANumber,
            At {
                cell: Some((3, 1)),
                ..At::default()
            },
        );
        f.error_on(
            "其他",
            Code::SheetHidden,
            At {
                cell: Some((0, 0)),
                ..At::default()
            },
        );
        assert_eq!(f.list[0].sheet, None);
        assert_eq!(f.list[1].sheet.as_deref(), Some("填报表"));
        assert_eq!(f.list[1].cell.as_deref(), Some("B4"));
        assert_eq!(f.list[2].sheet.as_deref(), Some("其他"));
        assert_eq!(f.sheet.as_deref(), Some("填报表"));
        assert_eq!(f.status(), Status::Invalid);
    }
}
