//! The master table as tianbao understands it: its columns, each with a [`Role`], and its
//! items with their texts, exact weights, category path and the departments that answer for
//! them (lead first, then cooperating), plus the categories and total rows the table declares.
//!
//! Built once by [`crate::master`], read-only downstream: a [`Master`] hands out references
//! only, so the lookups it caches can never go stale.

use std::sync::OnceLock;

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::Serialize;

/// What a column of the master holds. One list drives the reader, the fill-in workbook's
/// shown columns, the identity's row hash, the return checker and the compiled table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Id,
    /// A category level (项目, 一级指标 of a three-level table).
    Category,
    /// A group-level text (一级指标, 重点任务): continues over its group.
    Indicator,
    /// The task itself (二级指标, 具体措施, 考核内容).
    Task,
    /// 文件依据.
    Basis,
    /// Any other text column, kept with its own label (评分标准, 备注 …).
    Text,
    /// A target (目标值, 年度目标值, 计划值): a text column whose value a rule or formula may
    /// read as `target`, with its direction (`≤25` is met from below, `≥96%` from above).
    Target,
    Weight,
    Deadline,
    Leaders,
    /// Responsible departments, not told apart as lead or cooperating.
    Departments,
    /// 牵头单位.
    Lead,
    /// 配合单位.
    Cooperating,
    Persons,
    /// Read past: a column someone fills (自评得分), or one without a label.
    Ignored,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::Id,
        Role::Category,
        Role::Indicator,
        Role::Task,
        Role::Basis,
        Role::Text,
        Role::Target,
        Role::Weight,
        Role::Deadline,
        Role::Leaders,
        Role::Departments,
        Role::Lead,
        Role::Cooperating,
        Role::Persons,
        Role::Ignored,
    ];

    /// Every role's name, `id, category, …`.
    pub fn names() -> String {
        Role::ALL
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Id => "id",
            Role::Category => "category",
            Role::Indicator => "indicator",
            Role::Task => "task",
            Role::Basis => "basis",
            Role::Text => "text",
            Role::Target => "target",
            Role::Weight => "weight",
            Role::Deadline => "deadline",
            Role::Leaders => "leaders",
            Role::Departments => "departments",
            Role::Lead => "lead",
            Role::Cooperating => "cooperating",
            Role::Persons => "persons",
            Role::Ignored => "ignored",
        }
    }

    /// A role by its name in English (`task`) or Chinese (`任务`, as `inspect` shows it).
    pub fn parse(text: &str) -> Option<Role> {
        let text = crate::cell_text::fold(text.trim()).to_ascii_lowercase();
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == text || r.chinese().contains(&text.as_str()))
    }

    /// The role's Chinese names: the first is how the terminal shows it.
    pub fn chinese(self) -> &'static [&'static str] {
        match self {
            Role::Id => &["序号", "编号"],
            Role::Category => &["类别", "项目"],
            Role::Indicator => &["指标"],
            Role::Task => &["任务", "工作任务", "内容"],
            Role::Basis => &["依据", "文件依据"],
            Role::Text => &["文字", "说明"],
            Role::Target => &["目标值", "目标", "计划值"],
            Role::Weight => &["权重", "分值"],
            Role::Deadline => &["时限", "完成时限"],
            Role::Leaders => &["分管领导", "领导"],
            Role::Departments => &["责任单位", "责任部门", "部门"],
            Role::Lead => &["牵头单位", "牵头"],
            Role::Cooperating => &["配合单位", "配合"],
            Role::Persons => &["责任人"],
            Role::Ignored => &["忽略", "不读"],
        }
    }

    /// Roles whose cells are texts kept with the column's own label.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Role::Indicator | Role::Task | Role::Basis | Role::Text | Role::Target
        )
    }

    /// Roles that name departments.
    pub fn names_departments(self) -> bool {
        matches!(self, Role::Departments | Role::Lead | Role::Cooperating)
    }

    /// Roles a table has at most one column of (a second one is read as a text column).
    pub fn is_single(self) -> bool {
        matches!(
            self,
            Role::Id | Role::Weight | Role::Deadline | Role::Leaders | Role::Persons
        )
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A column of the master's (first) header, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// 0-based column on the sheet.
    #[serde(skip)]
    pub index: u32,
    /// The header's own text (empty for an unlabelled column).
    pub label: String,
    pub role: Role,
    /// 1-based level of a category column.
    pub level: Option<u32>,
    /// Why the column got its role.
    pub why: Why,
}

/// Why a master column got its role, as `inspect` explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// Its header label is one the spec knows for that role.
    #[default]
    Label,
    /// Its label is not one the spec knows: a text column with its own label.
    OwnLabel,
    /// It has no label of its own: a category level left of the labelled columns, else read
    /// past.
    Unlabelled,
    /// One of three or more indicator levels (一级/二级/三级指标).
    Levels,
    /// Its cells are merged down over runs of items left of the task column.
    MergedCells,
    /// Its text repeats down runs of items left of the task column.
    RepeatedText,
    /// Its text is written once at the top of each run of items, the cells below left empty,
    /// left of the task column.
    FilledDown,
    /// A category label with no other task column: the task.
    OnlyText,
    /// A second column of a role a table has one of: read as text.
    Second,
    /// The user said so (`--map`, `[columns]`).
    Mapped,
}

impl Why {
    pub fn as_str(self) -> &'static str {
        match self {
            Why::Label => "label",
            Why::OwnLabel => "own_label",
            Why::Unlabelled => "unlabelled",
            Why::Levels => "levels",
            Why::MergedCells => "merged_cells",
            Why::RepeatedText => "repeated_text",
            Why::FilledDown => "filled_down",
            Why::OnlyText => "only_text",
            Why::Second => "second",
            Why::Mapped => "mapped",
        }
    }
}

/// A text column: items keep their texts in [`Master::text_columns`] order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextColumn {
    pub role: Role,
    pub label: String,
}

/// One text of an item: the text column (index into [`Master::text_columns`]) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemText {
    pub column: usize,
    pub role: Role,
    pub text: String,
}

/// How a department answers for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Lead,
    Cooperating,
}

/// One item: a leaf row of the table that departments answer for.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    /// The id was made by tianbao (the table has none that identifies the row).
    pub id_assigned: bool,
    /// Category names above the item, outermost first, without their points.
    pub category: Vec<String>,
    /// `1-1` for `1-1-1`; the id itself for ids of one or two parts.
    pub group: String,
    /// Points the group's indicator declares, `5` for `…（5分）`.
    pub points: Option<Decimal>,
    /// The item's texts, one per text column of its header, in master order.
    pub texts: Vec<ItemText>,
    /// `None` where the table has no weight column (or the cell is not a number).
    pub weight: Option<Decimal>,
    pub deadline: Option<String>,
    pub leaders: Vec<String>,
    /// Lead departments first, then cooperating ones.
    pub departments: Vec<String>,
    /// How many of `departments` lead.
    pub lead_count: usize,
    /// Paired with `departments` when the counts agree.
    pub persons: Vec<String>,
    /// 1-based row in the master sheet.
    pub row: u32,
    /// The row is hidden in the master.
    pub hidden: bool,
}

impl Item {
    /// The first text of `role` (empty texts count as none).
    pub fn text(&self, role: Role) -> Option<&str> {
        self.texts
            .iter()
            .find(|t| t.role == role && !t.text.is_empty())
            .map(|t| t.text.as_str())
    }

    pub fn basis(&self) -> Option<&str> {
        self.text(Role::Basis)
    }

    pub fn indicator(&self) -> Option<&str> {
        self.text(Role::Indicator)
    }

    pub fn task(&self) -> Option<&str> {
        self.text(Role::Task)
    }

    /// The text of text column `column`, or empty.
    pub fn text_of(&self, column: usize) -> &str {
        self.texts
            .iter()
            .find(|t| t.column == column)
            .map_or("", |t| t.text.as_str())
    }

    pub fn lead(&self) -> &[String] {
        &self.departments[..self.lead_count.min(self.departments.len())]
    }

    pub fn cooperating(&self) -> &[String] {
        &self.departments[self.lead_count.min(self.departments.len())..]
    }

    /// How `department` answers for this item, if it does.
    pub fn part_of(&self, department: &str) -> Option<Part> {
        let i = self.departments.iter().position(|d| d == department)?;
        Some(if i < self.lead_count {
            Part::Lead
        } else {
            Part::Cooperating
        })
    }

    /// The person named for `department` on this item, when departments and persons pair up.
    pub fn person_for(&self, department: &str) -> Option<&str> {
        if self.departments.len() != self.persons.len() {
            return None;
        }
        self.departments
            .iter()
            .position(|d| d == department)
            .map(|i| self.persons[i].as_str())
    }
}

/// A category (`职能工作目标 (68分)`, a section row `一、环境质量（45分）`) and what lies below.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    pub name: String,
    /// Points the category's own cell (or its section row's weight cell) declares.
    pub points: Option<Decimal>,
    /// Sum of the weights of every item below it.
    pub weight: Decimal,
    /// Where the category's name stands, `Sheet!A4`.
    pub cell: String,
    /// The same place as a 0-based (row, col), for checks that point at it.
    #[serde(skip)]
    pub position: (u32, u32),
    pub children: Vec<Category>,
    /// Ids of the items directly in this category (not in a child).
    pub items: Vec<String>,
}

/// A department and its share of the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Department {
    pub name: String,
    /// Persons named for this department, in order of first appearance.
    pub persons: Vec<String>,
    /// How many items it answers for (lead or cooperating).
    pub items: usize,
    /// Sum of those items' weights.
    pub weight: Decimal,
    /// Items it leads.
    pub lead: usize,
    /// Items it cooperates on.
    pub cooperating: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TotalKind {
    /// 合计: the categories since the previous total row.
    Subtotal,
    /// 绩效目标考评得分 / 总计: the whole table.
    Total,
}

/// A 合计 or grand total row of the master.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalRow {
    pub kind: TotalKind,
    pub label: String,
    /// The number written in the row's weight column.
    pub declared: Option<Decimal>,
    /// Top-level categories the row adds up.
    pub covers: Vec<String>,
    /// 1-based row in the master sheet.
    pub row: u32,
}

/// Everything a master is made of, handed to [`Master::new`].
#[derive(Debug, Clone, Default)]
pub struct Parts {
    pub title: Option<String>,
    pub sheet: String,
    pub columns: Vec<Column>,
    pub text_columns: Vec<TextColumn>,
    pub items: Vec<Item>,
    pub categories: Vec<Category>,
    pub totals: Vec<TotalRow>,
    /// The table has a weight column.
    pub weighted: bool,
    /// The label of the id column, when the table has one.
    pub id_label: Option<String>,
    /// Labels of the single-valued columns (weight, deadline, leaders, persons) by role.
    pub labels: IndexMap<Role, String>,
}

/// A master table, read.
#[derive(Debug, Clone)]
pub struct Master {
    parts: Parts,
    departments: Vec<Department>,
    by_id: std::collections::HashMap<String, usize>,
    by_department: std::collections::HashMap<String, Vec<usize>>,
    fingerprint: OnceLock<String>,
}

impl PartialEq for Master {
    fn eq(&self, other: &Master) -> bool {
        self.parts.items == other.parts.items
            && self.parts.columns == other.parts.columns
            && self.parts.categories == other.parts.categories
            && self.parts.totals == other.parts.totals
    }
}

impl Master {
    pub fn new(parts: Parts) -> Master {
        let departments = departments_of(&parts.items);
        let mut by_id = std::collections::HashMap::new();
        let mut by_department: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, item) in parts.items.iter().enumerate() {
            by_id.entry(item.id.clone()).or_insert(i);
            for department in &item.departments {
                let list = by_department.entry(department.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        Master {
            parts,
            departments,
            by_id,
            by_department,
            fingerprint: OnceLock::new(),
        }
    }

    pub fn title(&self) -> Option<&str> {
        self.parts.title.as_deref()
    }

    pub fn sheet(&self) -> &str {
        &self.parts.sheet
    }

    pub fn columns(&self) -> &[Column] {
        &self.parts.columns
    }

    pub fn text_columns(&self) -> &[TextColumn] {
        &self.parts.text_columns
    }

    pub fn items(&self) -> &[Item] {
        &self.parts.items
    }

    pub fn categories(&self) -> &[Category] {
        &self.parts.categories
    }

    pub fn totals(&self) -> &[TotalRow] {
        &self.parts.totals
    }

    pub fn departments(&self) -> &[Department] {
        &self.departments
    }

    /// Whether the table has a weight column (scoring needs one).
    pub fn weighted(&self) -> bool {
        self.parts.weighted
    }

    /// The header label of the id column, when the table has one.
    pub fn id_label(&self) -> Option<&str> {
        self.parts.id_label.as_deref()
    }

    /// The header label of the column of `role` (weight, deadline, leaders, persons).
    pub fn label(&self, role: Role) -> Option<&str> {
        self.parts.labels.get(&role).map(String::as_str)
    }

    /// Whether some item has cooperating departments (the table tells lead from cooperating).
    pub fn has_cooperating(&self) -> bool {
        self.parts.items.iter().any(|i| !i.cooperating().is_empty())
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.by_id.get(id).map(|&i| &self.parts.items[i])
    }

    pub fn department(&self, name: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.name == name)
    }

    /// Sum of all item weights.
    pub fn total_weight(&self) -> Decimal {
        self.parts
            .items
            .iter()
            .filter_map(|i| i.weight)
            .sum::<Decimal>()
            .normalize()
    }

    /// Weight sums per top-level category, in table order.
    pub fn category_weights(&self) -> IndexMap<String, Decimal> {
        self.parts
            .categories
            .iter()
            .map(|c| (c.name.clone(), c.weight.normalize()))
            .collect()
    }

    /// The items a department answers for (lead or cooperating), in master order.
    pub fn items_of<'a>(&'a self, department: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.by_department
            .get(department)
            .into_iter()
            .flatten()
            .map(|&i| &self.parts.items[i])
    }

    /// SHA-256 of the items as tianbao understands them: changes when any item's id, texts,
    /// weight, deadline or responsibility changes, not when the file is merely re-saved.
    pub fn fingerprint(&self) -> &str {
        self.fingerprint.get_or_init(|| {
            let items: Vec<_> = self.parts.items.iter().map(canonical).collect();
            crate::digest::sha256_hex(&serde_json::to_vec(&items).expect("plain data serialises"))
        })
    }
}

/// The content of an item that its fingerprint covers.
fn canonical(item: &Item) -> serde_json::Value {
    serde_json::json!([
        item.id,
        item.category,
        item.texts
            .iter()
            .map(|t| (t.column, &t.text))
            .collect::<Vec<_>>(),
        item.weight.map(|w| w.normalize().to_string()),
        item.deadline,
        item.leaders,
        item.departments,
        item.lead_count,
        item.persons,
    ])
}

/// Departments with their persons, item counts and weights, in order of first appearance.
pub fn departments_of(items: &[Item]) -> Vec<Department> {
    let mut by_name: IndexMap<String, Department> = IndexMap::new();
    for item in items {
        for (i, name) in item.departments.iter().enumerate() {
            let entry = by_name.entry(name.clone()).or_insert_with(|| Department {
                name: name.clone(),
                persons: Vec::new(),
                items: 0,
                weight: Decimal::ZERO,
                lead: 0,
                cooperating: 0,
            });
            entry.items += 1;
            if i < item.lead_count {
                entry.lead += 1;
            } else {
                entry.cooperating += 1;
            }
            entry.weight += item.weight.unwrap_or_default();
            if item.departments.len() == item.persons.len() {
                let person = &item.persons[i];
                if !entry.persons.contains(person) {
                    entry.persons.push(person.clone());
                }
            }
        }
    }
    by_name
        .into_values()
        .map(|mut d| {
            d.weight = d.weight.normalize();
            d
        })
        .collect()
}

/// The group of an item id: all but the last part for ids of three parts or more (parts are
/// separated by `-` or `.`).
pub fn group_of(id: &str) -> String {
    let parts: Vec<&str> = id.split(['-', '.']).collect();
    if parts.len() >= 3 {
        let last = parts[parts.len() - 1];
        id[..id.len() - last.len() - 1].to_string()
    } else {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_follow_the_id_shape() {
        assert_eq!(group_of("1-1-1"), "1-1");
        assert_eq!(group_of("1-13-2"), "1-13");
        assert_eq!(group_of("4-1"), "4-1");
        assert_eq!(group_of("10"), "10");
        assert_eq!(group_of("1-2-3-4"), "1-2-3");
        assert_eq!(group_of("1.2.3"), "1.2");
        assert_eq!(group_of("一-二-1"), "一-二");
    }

    #[test]
    fn roles_parse_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
        }
        assert_eq!(Role::parse(" Task "), Some(Role::Task));
        assert_eq!(Role::parse("score"), None);
    }
}
