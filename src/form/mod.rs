//! The form of the workbooks a campaign issues, each defined once here: written by the template
//! writer ([`crate::template`]) and read back by the return checker ([`crate::returns`]), which
//! never import each other.
//!
//! - [`Form`] (this file): which master columns a sheet shows, with which labels, and what each
//!   cell holds for an item — built once from the master and the spec, and shared by the writer,
//!   the identity's row hash and the checker, so the three can never disagree.
//! - [`fill_in`]: a department's fill-in workbook — where its items, inputs, totals and sign-off
//!   stand ([`fill_in::FillIn`]) and the identity it carries (kind `return`).
//! - [`feedback`]: what a feedback workbook adds to a fill-in workbook — the values prefilled and
//!   the problems marked ([`feedback::Prefill`], [`feedback::Mark`]).
//! - [`review`]: the assessment group's review workbook (核定表 and 加减分) — its rows, columns
//!   ([`review::Review`]), labels and the identity it carries (kind `review`).

pub mod feedback;
pub mod fill_in;
pub mod review;

use crate::cell_text::show;
use crate::model::{Item, Master, Part, Role};
use crate::spec::{Shown, Spec};

/// One master column of the fill-in sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownColumn {
    pub shown: Shown,
    /// For text roles: the master's text column (index into [`Master::text_columns`]).
    pub text: Option<usize>,
    pub label: String,
    /// Column width in Excel units.
    pub width: f64,
}

/// The shown columns of every fill-in sheet of a campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub shown: Vec<ShownColumn>,
    lead_word: String,
    cooperating_word: String,
}

fn width_of(shown: Shown) -> f64 {
    match shown {
        Shown::Column(Role::Id) => 7.5,
        Shown::Column(Role::Category) => 12.0,
        Shown::Column(Role::Basis | Role::Indicator) => 24.0,
        Shown::Column(Role::Task) => 40.0,
        Shown::Column(Role::Text) => 18.0,
        Shown::Column(Role::Weight) => 6.0,
        Shown::Column(Role::Deadline) => 9.0,
        Shown::Part => 7.0,
        Shown::SharedWith => 11.0,
        Shown::Column(_) => 8.0,
    }
}

impl Form {
    pub fn new(master: &Master, spec: &Spec) -> Form {
        Form::showing(master, spec, &spec.template.shown)
    }

    /// The form of the review workbook's rows: the master columns of `[review] shown`.
    pub fn review(master: &Master, spec: &Spec) -> Form {
        Form::showing(master, spec, &spec.review.shown)
    }

    /// A form showing the master columns `entries`.
    fn showing(master: &Master, spec: &Spec, entries: &[Shown]) -> Form {
        let mut shown = Vec::new();
        for &entry in entries {
            match entry.text_role() {
                Some(role) => {
                    // Targets stand among the text columns unless the list places them itself.
                    let with_targets =
                        role == Role::Text && !entries.contains(&Shown::Column(Role::Target));
                    shown.extend(text_columns(master, entry, role, with_targets));
                }
                None => {
                    if let Some(label) = label_of(master, spec, entry) {
                        shown.push(ShownColumn {
                            shown: entry,
                            text: None,
                            label,
                            width: width_of(entry),
                        });
                    }
                }
            }
        }
        unique_labels(&mut shown, spec);
        Form {
            shown,
            lead_word: spec.word("role.lead"),
            cooperating_word: spec.word("role.cooperating"),
        }
    }

    /// The position of the first column showing `shown`.
    pub fn position(&self, shown: Shown) -> Option<usize> {
        self.shown.iter().position(|c| c.shown == shown)
    }

    /// The text of column `column` for `item` as issued to `department`.
    pub fn cell(&self, column: &ShownColumn, item: &Item, department: &str) -> String {
        let join = |v: &[String]| v.join("\n");
        match column.shown {
            Shown::Column(Role::Id) => item.id.clone(),
            Shown::Column(Role::Category) => item.category.join(" / "),
            Shown::Column(role) if role.is_text() => column
                .text
                .map(|t| item.text_of(t).to_string())
                .unwrap_or_default(),
            Shown::Column(Role::Weight) => item.weight.map(show).unwrap_or_default(),
            Shown::Column(Role::Deadline) => item.deadline.clone().unwrap_or_default(),
            Shown::Column(Role::Leaders) => join(&item.leaders),
            Shown::Column(Role::Persons) => match item.person_for(department) {
                Some(person) => person.to_string(),
                None => join(&item.persons),
            },
            Shown::Column(_) => String::new(),
            Shown::Part => match item.part_of(department) {
                Some(Part::Lead) => self.lead_word.clone(),
                Some(Part::Cooperating) => self.cooperating_word.clone(),
                None => String::new(),
            },
            Shown::SharedWith => join(
                &item
                    .departments
                    .iter()
                    .filter(|d| *d != department)
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
        }
    }

    /// The texts of an item row's shown cells, left to right.
    pub fn row(&self, item: &Item, department: &str) -> Vec<String> {
        self.shown
            .iter()
            .map(|c| self.cell(c, item, department))
            .collect()
    }

    /// The hash of an item row's locked cells as issued.
    pub fn row_hash(&self, item: &Item, department: &str) -> String {
        crate::digest::row_hash(&self.row(item, department))
    }
}

/// The master's text columns of `role` (and its targets, `with_targets`) that hold some text,
/// each with its own label.
fn text_columns(master: &Master, entry: Shown, role: Role, with_targets: bool) -> Vec<ShownColumn> {
    master
        .text_columns()
        .iter()
        .enumerate()
        .filter(|(_, t)| t.role == role || (with_targets && t.role == Role::Target))
        .filter(|(i, _)| {
            master
                .items()
                .iter()
                .any(|item| !item.text_of(*i).is_empty())
        })
        .map(|(i, t)| ShownColumn {
            shown: entry,
            text: Some(i),
            label: t.label.clone(),
            width: width_of(entry),
        })
        .collect()
}

/// The label of a non-text column, or `None` when the master gives it nothing to show.
fn label_of(master: &Master, spec: &Spec, entry: Shown) -> Option<String> {
    let fallback = || {
        spec.template
            .labels
            .get(&entry)
            .cloned()
            .unwrap_or_default()
    };
    let own = |role: Role| master.label(role).map(str::to_string);
    match entry {
        Shown::Column(Role::Id) => Some(master.id_label().map_or_else(fallback, str::to_string)),
        Shown::Column(Role::Category) => master
            .items()
            .iter()
            .any(|i| !i.category.is_empty())
            .then(fallback),
        Shown::Column(Role::Weight) => master
            .weighted()
            .then(|| own(Role::Weight).unwrap_or_else(fallback)),
        Shown::Column(role @ (Role::Deadline | Role::Leaders | Role::Persons)) => own(role),
        Shown::Column(_) => None,
        Shown::Part => master.has_cooperating().then(fallback),
        Shown::SharedWith => master
            .items()
            .iter()
            .any(|i| i.departments.len() > 1)
            .then(fallback),
    }
}

/// Every label on the sheet once: a master label that an input or an earlier column already
/// uses gets the spec's suffix (`备注（总表）`), and a number if that is not enough.
fn unique_labels(shown: &mut [ShownColumn], spec: &Spec) {
    let fold = crate::cell_text::fold;
    let mut used: Vec<String> = spec.inputs.iter().map(|i| fold(&i.label)).collect();
    let suffix = spec.word("form.master_suffix");
    for column in shown.iter_mut() {
        if column.label.trim().is_empty() {
            column.label = spec
                .template
                .labels
                .get(&column.shown)
                .cloned()
                .unwrap_or_default();
        }
        let base = column.label.clone();
        let mut n = 1;
        while used.contains(&fold(&column.label)) {
            column.label = if n == 1 {
                format!("{base}{suffix}")
            } else {
                format!("{base}{suffix}{n}")
            };
            n += 1;
        }
        used.push(fold(&column.label));
    }
}
