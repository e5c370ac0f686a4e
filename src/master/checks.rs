//! The findings of reading a master table, and the table's own consistency checks (declared
//! points and totals against the weights they add up).

use indexmap::IndexMap;
use rust_decimal::Decimal;

use super::rows::Pos;
use crate::cell_text::show;
use crate::finding::{Code, Finding, Severity};
use crate::model::{Category, Item, TotalKind, TotalRow};
use crate::spec::Spec;
use crate::workbook::a1;

pub struct Report<'a> {
    sheet: String,
    /// For the expected total of a table's weights.
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

    pub fn sheet(&self) -> &str {
        &self.sheet
    }

    /// A finding at `cell` about `item`, its message from the spec with `args`.
    pub fn push(
        &mut self,
        severity: Severity,
        code: Code,
        cell: Pos,
        item: Option<&str>,
        args: &[(&str, &str)],
    ) {
        let mut f = Finding::new(severity, code);
        f.sheet = Some(self.sheet.clone());
        f.cell = Some(a1(cell.0, cell.1));
        f.item = item.map(str::to_string);
        f.args = args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.findings.push((cell.0, f));
    }

    /// Errors first, then warnings; each in table order.
    pub fn into_findings(mut self) -> Vec<Finding> {
        self.findings.sort_by_key(|(row, f)| (f.severity, *row));
        self.findings.into_iter().map(|(_, f)| f).collect()
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

    /// A group's declared points (at the end of its 一级指标, at `cells`) against its items'
    /// weights.
    pub fn group_points(&mut self, items: &[Item], cells: &[Option<Pos>]) {
        // group → (declared points, where, first item), sum of weights
        type Declared<'i> = Option<(Decimal, Pos, &'i str)>;
        let mut groups: IndexMap<&str, (Declared, Decimal)> = IndexMap::new();
        for (item, cell) in items.iter().zip(cells) {
            let entry = groups
                .entry(item.group.as_str())
                .or_insert((None, Decimal::ZERO));
            entry.1 += item.weight.unwrap_or_default();
            if entry.0.is_none()
                && let (Some(points), Some(cell)) = (item.points, cell)
            {
                entry.0 = Some((points, *cell, item.id.as_str()));
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

    /// The figures of section rows (`一、产业项目` with 总投资 30000) against the sums of their
    /// items' figures in the same columns; a column none of its items fills is not checked.
    pub fn section_figures(&mut self, rows: &[super::rows::Row], split: &super::sections::Split) {
        let candidate = |row: usize| match &rows[row].raw {
            super::rows::Raw::Candidate(c) => Some(c.as_ref()),
            _ => None,
        };
        for section in &split.sections {
            let Some(heading) = candidate(section.row).and_then(|c| c.heading.as_ref()) else {
                continue;
            };
            for &(cell, declared) in &heading.figures {
                let figures: Vec<Decimal> = split.items[section.items.clone()]
                    .iter()
                    .filter_map(|(row, _)| candidate(*row))
                    .filter_map(|c| c.texts.iter().find(|(_, _, p)| p.cell.1 == cell.1))
                    .filter_map(|(_, _, p)| {
                        crate::cell_text::parse_decimal(&p.text.replace([',', '，'], ""))
                    })
                    .collect();
                let sum: Decimal = figures.iter().sum();
                if !figures.is_empty() && sum != declared {
                    self.push(
                        Severity::Warning,
                        Code::SectionSumMismatch,
                        cell,
                        None,
                        &[
                            ("section", &section.name),
                            ("column", &a1(cell.0, cell.1)),
                            ("declared", &show(declared)),
                            ("sum", &show(sum)),
                        ],
                    );
                }
            }
        }
    }

    /// 合计 rows against the weights they add up, the grand total against all weights, and all
    /// weights against the expected total. `cells` are the total rows' weight cells.
    pub fn totals(&mut self, totals: &[TotalRow], cells: &[Pos], items: &[Item]) {
        let all: Decimal = items.iter().filter_map(|i| i.weight).sum();
        for (total, &cell) in totals.iter().zip(cells) {
            let Some(declared) = total.declared else {
                continue;
            };
            let (sum, code) = match total.kind {
                TotalKind::Subtotal => (
                    items
                        .iter()
                        .filter(|i| i.category.first().is_some_and(|c| total.covers.contains(c)))
                        .filter_map(|i| i.weight)
                        .sum(),
                    Code::SubtotalMismatch,
                ),
                TotalKind::Total => (all, Code::TotalMismatch),
            };
            if sum != declared {
                self.push(
                    Severity::Warning,
                    code,
                    cell,
                    None,
                    &[
                        ("label", &total.label),
                        ("declared", &show(declared)),
                        (
                            "category_list",
                            &crate::finding::list(total.covers.iter().map(String::as_str)),
                        ),
                        ("sum", &show(sum)),
                    ],
                );
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

/// A task written in sentences (with 。，；) of 40 characters or more that ends in a letter
/// rather than punctuation may be cut off; short KPI texts (`≥95%`, `新增项目10个以上`) and
/// texts without sentence punctuation never are.
pub fn looks_cut_off(text: &str) -> bool {
    let text = text.trim_end();
    text.chars().count() >= 40
        && text.contains(['。', '，', '；', ';'])
        && text.chars().last().is_some_and(|c| c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_off_text_is_told_from_finished_text() {
        assert!(looks_cut_off(
            "强化噪声污染联防联控工作机制，完成铁路货运场站等4座交通污染自动监测站建设、泉州市大气环境监测超级站一"
        ));
        assert!(!looks_cut_off(
            "推动市属国有企业战略性重组和专业化整合年内完成2家以上企业整合重组并上报市国资委审定通过"
        ));
        assert!(!looks_cut_off("依法、科学、精准防治噪声污染。"));
        assert!(!looks_cut_off("提高企业环保意识；"));
        assert!(!looks_cut_off("新增项目10个以上"));
        assert!(!looks_cut_off("≥95%"));
    }
}
