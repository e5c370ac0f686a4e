//! The master table as tianbao understands it: categories, groups and items with exact
//! weights, the departments responsible for them, and the totals the table declares.
//!
//! Built once by [`crate::master`], taken as given by everything downstream.

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::Serialize;

/// One assessment item (a row with an id such as `1-1-1` or `4-2`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub id: String,
    /// The category levels above the item, names without their points
    /// (`["职能工作目标", "重点工作目标"]`).
    pub category: Vec<String>,
    /// `1-1` for `1-1-1`; the id itself for ids of one or two parts.
    pub group: String,
    /// 文件依据.
    pub basis: Option<String>,
    /// 一级指标, as written (points included).
    pub indicator: Option<String>,
    /// Points the group's indicator declares, `5` for `…（5分）`.
    pub points: Option<Decimal>,
    /// 二级指标: the task itself.
    pub task: Option<String>,
    pub weight: Option<Decimal>,
    pub deadline: Option<String>,
    pub leaders: Vec<String>,
    pub departments: Vec<String>,
    pub persons: Vec<String>,
    /// 1-based row in the master sheet.
    pub row: u32,
}

impl Item {
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

/// A category level (`职能工作目标 (68分)` → name `职能工作目标`, points 68) and what lies below it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    pub name: String,
    /// Points the category's own cell declares.
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
    /// How many items it is responsible for (alone or shared).
    pub items: usize,
    /// Sum of those items' weights.
    pub weight: Decimal,
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

/// A master table, read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Master {
    pub title: Option<String>,
    pub sheet: String,
    pub items: Vec<Item>,
    pub categories: Vec<Category>,
    pub totals: Vec<TotalRow>,
    pub departments: Vec<Department>,
    /// Lookups built on first use; the items must not change after that.
    #[serde(skip)]
    pub index: std::sync::OnceLock<MasterIndex>,
    #[serde(skip)]
    pub fingerprint: std::sync::OnceLock<String>,
}

/// Lookups over a master's items, for campaigns of tens of thousands of items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MasterIndex {
    by_id: std::collections::HashMap<String, usize>,
    by_department: std::collections::HashMap<String, Vec<usize>>,
}

impl Master {
    pub fn new(
        title: Option<String>,
        sheet: String,
        items: Vec<Item>,
        categories: Vec<Category>,
        totals: Vec<TotalRow>,
        departments: Vec<Department>,
    ) -> Master {
        Master {
            title,
            sheet,
            items,
            categories,
            totals,
            departments,
            index: std::sync::OnceLock::new(),
            fingerprint: std::sync::OnceLock::new(),
        }
    }

    /// The master's fingerprint ([`crate::identity::fingerprint`]), computed once.
    pub fn fingerprint(&self) -> &str {
        self.fingerprint
            .get_or_init(|| crate::identity::fingerprint(self))
    }

    fn index(&self) -> &MasterIndex {
        self.index.get_or_init(|| {
            let mut index = MasterIndex::default();
            for (i, item) in self.items.iter().enumerate() {
                index.by_id.entry(item.id.clone()).or_insert(i);
                for department in &item.departments {
                    let list = index.by_department.entry(department.clone()).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
            index
        })
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.index().by_id.get(id).map(|&i| &self.items[i])
    }

    /// Sum of all item weights.
    pub fn total_weight(&self) -> Decimal {
        self.items
            .iter()
            .filter_map(|i| i.weight)
            .sum::<Decimal>()
            .normalize()
    }

    /// Weight sums per top-level category, in table order.
    pub fn category_weights(&self) -> IndexMap<String, Decimal> {
        self.categories
            .iter()
            .map(|c| (c.name.clone(), c.weight.normalize()))
            .collect()
    }

    /// The items a department is responsible for, in master order.
    pub fn items_of<'a>(&'a self, department: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.index()
            .by_department
            .get(department)
            .into_iter()
            .flatten()
            .map(|&i| &self.items[i])
    }
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
            });
            entry.items += 1;
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

/// The group of an item id: all but the last part for ids of three parts or more.
pub fn group_of(id: &str) -> String {
    let parts: Vec<&str> = id.split('-').collect();
    if parts.len() >= 3 {
        parts[..parts.len() - 1].join("-")
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
    }
}
