//! Finding a master table's header rows by their labels and mapping columns to meanings.
//!
//! A header is one to three consecutive rows whose cells carry the spec's labels (序号, 权重,
//! 责任部门 …). A two-row header is read bottom-up per column, so 权重 spanning both rows and
//! 序号 under 目标内容 both land on their column. Columns left of the id that carry no label
//! of their own are category levels (项目 spans two columns).

use std::collections::HashMap;

use crate::spec::MasterLabels;
use crate::text::fold;
use crate::workbook::{Grid, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Category,
    Id,
    Basis,
    Indicator,
    Task,
    Weight,
    Deadline,
    Leaders,
    Departments,
    Persons,
}

/// The spec's labels, folded for matching.
#[derive(Debug, Clone)]
pub struct Labels {
    fields: HashMap<String, Field>,
    group: Vec<String>,
    subtotal: Vec<String>,
    total: Vec<String>,
    notes: Vec<String>,
}

impl Labels {
    pub fn new(spec: &MasterLabels) -> Labels {
        let mut fields = HashMap::new();
        let lists: [(&Vec<String>, Field); 10] = [
            (&spec.category, Field::Category),
            (&spec.id, Field::Id),
            (&spec.basis, Field::Basis),
            (&spec.indicator, Field::Indicator),
            (&spec.task, Field::Task),
            (&spec.weight, Field::Weight),
            (&spec.deadline, Field::Deadline),
            (&spec.leaders, Field::Leaders),
            (&spec.departments, Field::Departments),
            (&spec.persons, Field::Persons),
        ];
        for (labels, field) in lists {
            for label in labels {
                fields.entry(fold(label)).or_insert(field);
            }
        }
        let folded = |v: &Vec<String>| v.iter().map(|s| fold(s)).collect();
        Labels {
            fields,
            group: folded(&spec.group_labels),
            subtotal: folded(&spec.subtotal_labels),
            total: folded(&spec.total_labels),
            notes: folded(&spec.note_prefixes),
        }
    }

    pub fn field(&self, text: &str) -> Option<Field> {
        self.fields.get(&fold(text)).copied()
    }

    fn is_group_label(&self, text: &str) -> bool {
        self.group.contains(&fold(text))
    }

    /// `Some(Total)` for 绩效目标考评得分, `Some(Subtotal)` for 合计; a trailing ： is allowed.
    pub fn total_kind(&self, text: &str) -> Option<crate::model::TotalKind> {
        let folded = fold(text);
        let folded = folded.trim_end_matches([':', '：']);
        if self.total.iter().any(|t| t == folded) {
            Some(crate::model::TotalKind::Total)
        } else if self.subtotal.iter().any(|t| t == folded) {
            Some(crate::model::TotalKind::Subtotal)
        } else {
            None
        }
    }

    /// A note such as `注：…` or `说明:…`.
    pub fn is_note(&self, text: &str) -> bool {
        let folded = fold(text);
        self.notes.iter().any(|prefix| {
            folded
                .strip_prefix(prefix.as_str())
                .is_some_and(|rest| rest.starts_with([':', '：']))
        })
    }
}

/// Which column holds what, for the rows below one header.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMap {
    columns: HashMap<Field, u32>,
    /// Category level columns, left to right.
    pub category: Vec<u32>,
    /// The header's own text for each mapped column (for messages: "二级指标").
    pub labels: HashMap<Field, String>,
}

impl ColumnMap {
    pub fn col(&self, field: Field) -> Option<u32> {
        self.columns.get(&field).copied()
    }
}

/// Longer cells are never header labels (the longest built-in label is a few dozen bytes).
const MAX_LABEL_BYTES: usize = 120;

/// How many cells of `row` carry a header label (a column label or a grouping label).
pub fn header_matches(grid: &Grid, row: u32, labels: &Labels) -> usize {
    let mut seen = Vec::new();
    for col in 0..grid.width() {
        if grid.origin(row, col) != (row, col) && grid.origin(row, col).0 == row {
            continue; // the hidden part of a horizontal merge: counted at its origin
        }
        let text = match grid.spread(row, col) {
            Value::Text(t) => t,
            _ => continue,
        };
        // Header labels are short; item texts are not worth folding.
        if text.trim().is_empty() || text.len() > MAX_LABEL_BYTES {
            continue;
        }
        if let Some(field) = labels.field(text) {
            if !seen.contains(&Some(field)) {
                seen.push(Some(field));
            }
        } else if labels.is_group_label(text) {
            seen.push(None);
        }
    }
    seen.len()
}

/// Whether `row` looks like a header row.
pub fn is_header_row(grid: &Grid, row: u32, labels: &Labels) -> bool {
    header_matches(grid, row, labels) >= 2
}

/// Builds the column map from a block of header rows; `None` when the block lacks one of the
/// columns a table needs (id, weight, departments).
pub fn column_map(grid: &Grid, rows: std::ops::Range<u32>, labels: &Labels) -> Option<ColumnMap> {
    let mut columns: HashMap<Field, u32> = HashMap::new();
    let mut header_text: HashMap<Field, String> = HashMap::new();
    let mut category = Vec::new();
    for col in 0..grid.width() {
        let found = rows.clone().rev().find_map(|row| {
            let text = grid.spread(row, col).to_text();
            labels.field(&text).map(|f| (f, text))
        });
        match found {
            Some((Field::Category, _)) => category.push(col),
            Some((field, text)) => {
                if let std::collections::hash_map::Entry::Vacant(e) = columns.entry(field) {
                    e.insert(col);
                    header_text.insert(field, crate::text::clean(&text));
                }
            }
            None => {}
        }
    }
    let id_col = *columns.get(&Field::Id)?;
    columns.get(&Field::Weight)?;
    columns.get(&Field::Departments)?;
    // Unlabelled columns left of the id belong to the category levels (项目 over two columns
    // whose merge a format did not record).
    for col in 0..id_col {
        if !category.contains(&col) && !columns.values().any(|&c| c == col) {
            category.push(col);
        }
    }
    category.sort_unstable();
    Some(ColumnMap {
        columns,
        category,
        labels: header_text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;
    use crate::workbook::{Rect, Value};

    fn grid(rows: &[&[&str]], merges: Option<Vec<Rect>>) -> Grid {
        Grid::new(
            rows.iter()
                .map(|r| {
                    r.iter()
                        .map(|s| {
                            if s.is_empty() {
                                Value::Empty
                            } else {
                                Value::Text(s.to_string())
                            }
                        })
                        .collect()
                })
                .collect(),
            merges,
        )
    }

    #[test]
    fn two_row_header_without_merges_maps_every_column() {
        let labels = Labels::new(&Spec::builtin().master);
        let g = grid(
            &[
                &[
                    "项目",
                    "",
                    "目标内容",
                    "",
                    "",
                    "",
                    "权重",
                    "完成时限",
                    "责任分解",
                    "",
                    "",
                ],
                &[
                    "",
                    "",
                    "序号",
                    "文件依据",
                    "一级指标",
                    "二级指标",
                    "",
                    "",
                    "分管领导",
                    "责任部门",
                    "责任人",
                ],
            ],
            None,
        );
        assert!(is_header_row(&g, 0, &labels));
        assert!(is_header_row(&g, 1, &labels));
        let map = column_map(&g, 0..2, &labels).unwrap();
        assert_eq!(map.category, vec![0, 1]);
        assert_eq!(map.col(Field::Id), Some(2));
        assert_eq!(map.col(Field::Task), Some(5));
        assert_eq!(map.col(Field::Weight), Some(6));
        assert_eq!(map.col(Field::Deadline), Some(7));
        assert_eq!(map.col(Field::Persons), Some(10));
        assert_eq!(map.labels[&Field::Task], "二级指标");
    }

    #[test]
    fn labels_match_through_spaces_and_width() {
        let labels = Labels::new(&Spec::builtin().master);
        assert_eq!(labels.field("权 重"), Some(Field::Weight));
        assert_eq!(labels.field("责任部门 "), Some(Field::Departments));
        assert_eq!(
            labels.total_kind("合  计"),
            Some(crate::model::TotalKind::Subtotal)
        );
        assert_eq!(
            labels.total_kind("绩效目标考评得分"),
            Some(crate::model::TotalKind::Total)
        );
        assert!(labels.is_note("注：本表由办公室负责解释"));
        assert!(labels.is_note("说明: x"));
        assert!(!labels.is_note("注重实效"));
    }

    #[test]
    fn a_block_without_weight_is_no_table_header() {
        let labels = Labels::new(&Spec::builtin().master);
        let g = grid(&[&["序号", "责任部门", "备注"]], None);
        assert!(column_map(&g, 0..1, &labels).is_none());
    }
}
