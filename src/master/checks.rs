//! The master table's own consistency checks, each producing findings with a stable code, the
//! cell it concerns and a message from the spec.

use indexmap::IndexMap;
use rust_decimal::Decimal;

use super::table::{Pos, RawItem, Row, WeightCell};
use crate::finding::{Code, Finding, Severity, a1};
use crate::model::{Category, Item, TotalKind, TotalRow};
use crate::spec::Spec;
use crate::text::show;

/// Points a group declares, the cell that declares them and the group's first item.
type Declared<'a> = (Decimal, Pos, &'a str);

pub struct Report<'a> {
    sheet: String,
    spec: &'a Spec,
    /// (row for ordering, finding)
    findings: Vec<(u32, Finding)>,
}

impl<'a> Report<'a> {
    pub fn new(sheet: &str, spec: &'a Spec) -> Report<'a> {
        Report {
            sheet: sheet.to_string(),
            spec,
            findings: Vec::new(),
        }
    }

    fn push(
        &mut self,
        severity: Severity,
        code: Code,
        cell: Pos,
        item: Option<&str>,
        args: &[(&str, &str)],
    ) {
        self.findings.push((
            cell.0,
            Finding {
                severity,
                code,
                sheet: Some(self.sheet.clone()),
                cell: Some(a1(cell.0, cell.1)),
                item: item.map(str::to_string),
                message: self.spec.message(code.as_str(), args),
                value: None,
                expected: None,
            },
        ));
    }

    /// Errors first, then warnings; each in table order.
    pub fn into_findings(mut self) -> Vec<Finding> {
        self.findings.sort_by_key(|(row, f)| (f.severity, *row));
        self.findings.into_iter().map(|(_, f)| f).collect()
    }

    pub fn names_repaired(&mut self, raw: &RawItem, before: &[String], after: &[String]) {
        self.push(
            Severity::Warning,
            Code::NamesRepaired,
            raw.departments_cell,
            Some(raw.key()),
            &[
                ("id", raw.key()),
                ("value", &before.join(" ")),
                ("expected", &after.join("、")),
            ],
        );
    }

    pub fn names_mismatch(&mut self, raw: &RawItem, departments: &[String], persons: &[String]) {
        self.push(
            Severity::Warning,
            Code::NamesMismatch,
            raw.departments_cell,
            Some(raw.key()),
            &[
                ("id", raw.key()),
                ("departments", &departments.len().to_string()),
                ("persons", &persons.len().to_string()),
                ("value", &departments.join("、")),
                ("expected", &persons.join("、")),
            ],
        );
    }

    pub fn missing_ids(&mut self, rows: &[Row]) {
        for row in rows {
            if let Row::MissingId { cell } = row {
                self.push(Severity::Error, Code::IdMissing, *cell, None, &[]);
            }
        }
    }

    /// Checks of each item on its own, and of ids across items.
    pub fn item_checks(&mut self, raws: &[&RawItem], items: &[Item]) {
        let mut first_seen: IndexMap<&str, Pos> = IndexMap::new();
        for (raw, item) in raws.iter().zip(items) {
            let id = raw.key();
            if raw.id.is_none() {
                self.push(
                    Severity::Error,
                    Code::IdMalformed,
                    raw.id_cell,
                    Some(id),
                    &[("value", &raw.id_text)],
                );
            }
            match first_seen.get(id) {
                Some(first) => {
                    let first = format!("{}!{}", self.sheet, a1(first.0, first.1));
                    self.push(
                        Severity::Error,
                        Code::IdDuplicate,
                        raw.id_cell,
                        Some(id),
                        &[("id", id), ("first", &first)],
                    );
                }
                None => {
                    first_seen.insert(id, raw.id_cell);
                }
            }
            match &raw.weight {
                WeightCell::Missing => self.push(
                    Severity::Error,
                    Code::WeightMissing,
                    raw.weight_cell,
                    Some(id),
                    &[("id", id)],
                ),
                WeightCell::NotNumber(value) => self.push(
                    Severity::Error,
                    Code::WeightNotNumber,
                    raw.weight_cell,
                    Some(id),
                    &[("id", id), ("value", value)],
                ),
                WeightCell::Number(d) if *d < Decimal::ZERO => self.push(
                    Severity::Error,
                    Code::WeightNegative,
                    raw.weight_cell,
                    Some(id),
                    &[("id", id), ("value", &show(*d))],
                ),
                WeightCell::Number(_) => {}
            }
            if item.departments.is_empty() {
                self.push(
                    Severity::Error,
                    Code::DepartmentsMissing,
                    raw.departments_cell,
                    Some(id),
                    &[("id", id)],
                );
            }
            if let (Some(cell), Some(label)) = (raw.task_cell, &raw.task_label) {
                match &raw.task {
                    None => self.push(
                        Severity::Warning,
                        Code::TaskEmpty,
                        cell,
                        Some(id),
                        &[("id", id), ("label", label)],
                    ),
                    Some(task) if looks_cut_off(task) => {
                        let tail: String = task
                            .chars()
                            .rev()
                            .take(6)
                            .collect::<Vec<_>>()
                            .into_iter()
                            .rev()
                            .collect();
                        self.push(
                            Severity::Warning,
                            Code::TextUnterminated,
                            cell,
                            Some(id),
                            &[("id", id), ("label", label), ("value", &tail)],
                        );
                    }
                    Some(_) => {}
                }
            }
        }
    }

    /// Declared category points (`职能工作目标 (68分)`) against the weights below them.
    pub fn category_points(&mut self, categories: &[Category]) {
        for category in categories {
            if let Some(points) = category.points
                && points != category.weight
            {
                self.push(
                    Severity::Warning,
                    Code::CategoryPointsMismatch,
                    category.position,
                    None,
                    &[
                        ("category", &category.name),
                        ("declared", &show(points)),
                        ("sum", &show(category.weight)),
                    ],
                );
            }
            self.category_points(&category.children);
        }
    }

    /// A group's declared points (at the end of its 一级指标) against its items' weights.
    pub fn group_points(&mut self, raws: &[&RawItem], items: &[Item]) {
        // group → (declared points, where, first item), sum of weights
        let mut groups: IndexMap<&str, (Option<Declared>, Decimal)> = IndexMap::new();
        for (raw, item) in raws.iter().zip(items) {
            let entry = groups
                .entry(item.group.as_str())
                .or_insert((None, Decimal::ZERO));
            entry.1 += item.weight.unwrap_or_default();
            if entry.0.is_none()
                && let (Some(points), Some(indicator)) = (item.points, &raw.indicator)
            {
                entry.0 = Some((points, indicator.cell, item.id.as_str()));
            }
        }
        for (group, (declared, sum)) in groups {
            if let Some((points, cell, first_item)) = declared
                && points != sum
            {
                self.push(
                    Severity::Warning,
                    Code::GroupPointsMismatch,
                    cell,
                    Some(first_item),
                    &[
                        ("group", group),
                        ("declared", &show(points)),
                        ("sum", &show(sum)),
                    ],
                );
            }
        }
    }

    /// 合计 rows against the weights they add up, the grand total against all weights, and all
    /// weights against the expected total.
    pub fn totals(&mut self, rows: &[Row], totals: &[TotalRow], items: &[Item]) {
        let weight_cells: Vec<Pos> = rows
            .iter()
            .filter_map(|r| match r {
                Row::Total { weight_cell, .. } => Some(*weight_cell),
                _ => None,
            })
            .collect();
        let all: Decimal = items.iter().filter_map(|i| i.weight).sum();
        for (total, cell) in totals.iter().zip(weight_cells) {
            let Some(declared) = total.declared else {
                continue;
            };
            match total.kind {
                TotalKind::Subtotal => {
                    let sum: Decimal = items
                        .iter()
                        .filter(|i| i.category.first().is_some_and(|c| total.covers.contains(c)))
                        .filter_map(|i| i.weight)
                        .sum();
                    if sum != declared {
                        self.push(
                            Severity::Warning,
                            Code::SubtotalMismatch,
                            cell,
                            None,
                            &[
                                ("label", &total.label),
                                ("declared", &show(declared)),
                                ("category", &total.covers.join("、")),
                                ("sum", &show(sum)),
                            ],
                        );
                    }
                }
                TotalKind::Total if declared != all => self.push(
                    Severity::Warning,
                    Code::TotalMismatch,
                    cell,
                    None,
                    &[
                        ("label", &total.label),
                        ("declared", &show(declared)),
                        ("sum", &show(all)),
                    ],
                ),
                TotalKind::Total => {}
            }
        }
        let expected = self.spec.master.expected_total;
        if all != expected {
            let cell = items.last().map_or((0, 0), |i| (i.row - 1, 0));
            self.push(
                Severity::Warning,
                Code::TotalUnexpected,
                cell,
                None,
                &[("sum", &show(all)), ("expected", &show(expected))],
            );
        }
    }
}

/// A task whose last character is a letter or digit rather than punctuation may be cut off.
fn looks_cut_off(text: &str) -> bool {
    text.trim_end()
        .chars()
        .last()
        .is_some_and(|c| c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_off_text_is_told_from_finished_text() {
        assert!(looks_cut_off("泉州市大气环境监测超级站一"));
        assert!(!looks_cut_off("依法、科学、精准防治噪声污染。"));
        assert!(!looks_cut_off("提高企业环保意识；"));
    }
}
