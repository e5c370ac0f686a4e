//! The spec's words for reading a master table, folded for matching: which header label means
//! which [`Role`], which labels only group others, and the words of total, note and marker
//! texts (牵头/配合, 各…, 排在第一位的为牵头单位).

use std::collections::HashMap;

use crate::cell_text::fold;
use crate::model::{Role, TotalKind};
use crate::spec::MasterLabels;

/// Longer cells are never header labels.
pub const MAX_LABEL_CHARS: usize = 24;

/// Words that end a label of a text column: `分值说明` is a text, not a weight.
const TEXT_ENDINGS: &[&str] = &[
    "说明", "标准", "方法", "办法", "要求", "情况", "内容", "细则", "依据", "描述", "备注",
];

#[derive(Debug, Clone)]
pub struct Labels {
    roles: HashMap<String, Role>,
    /// Labels of two characters or more, longest first, for labels that carry a word more.
    contained: Vec<(String, Role)>,
    levels: HashMap<String, u32>,
    group: Vec<String>,
    subtotal: Vec<String>,
    total: Vec<String>,
    notes: Vec<String>,
    pub lead_markers: Vec<String>,
    pub cooperating_markers: Vec<String>,
    pub first_words: Vec<String>,
    pub all_units_prefixes: Vec<String>,
    pub units_intro: Vec<String>,
}

/// A label as compared: folded, a bracketed unit at the end (`（分）`, `(%)`) and a trailing
/// required mark or colon removed.
pub fn label_key(text: &str) -> String {
    let mut key = fold(text);
    loop {
        let trimmed = key.trim_end_matches(['*', ':', '：']).to_string();
        let stripped = strip_bracket_tail(&trimmed);
        if stripped == key {
            return key;
        }
        key = stripped;
    }
}

fn strip_bracket_tail(text: &str) -> String {
    if let Some(body) = text.strip_suffix(')')
        && let Some(open) = body.rfind('(')
        && open > 0
    {
        return body[..open].to_string();
    }
    text.to_string()
}

impl Labels {
    pub fn new(spec: &MasterLabels) -> Labels {
        let lists: [(&Vec<String>, Role); 16] = [
            (&spec.id, Role::Id),
            (&spec.weight, Role::Weight),
            (&spec.lead, Role::Lead),
            (&spec.cooperating, Role::Cooperating),
            (&spec.departments, Role::Departments),
            (&spec.persons, Role::Persons),
            (&spec.leaders, Role::Leaders),
            (&spec.deadline, Role::Deadline),
            (&spec.category, Role::Category),
            (&spec.basis, Role::Basis),
            (&spec.indicator, Role::Indicator),
            (&spec.task, Role::Task),
            (&spec.ignored, Role::Ignored),
            (&spec.target, Role::Target),
            (&spec.text, Role::Text),
            (&spec.group_labels, Role::Text),
        ];
        let mut roles = HashMap::new();
        for (labels, role) in lists {
            for label in labels {
                roles.entry(label_key(label)).or_insert(role);
            }
        }
        let mut contained: Vec<(String, Role)> = roles
            .iter()
            // A label with a word more names its role, but never a column to read past.
            .filter(|(k, r)| {
                k.chars().count() >= 2 && !matches!(r, Role::Text | Role::Ignored | Role::Category)
            })
            .map(|(k, r)| (k.clone(), *r))
            .collect();
        contained.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        let levels = spec
            .indicator_levels
            .iter()
            .enumerate()
            .map(|(i, l)| (label_key(l), i as u32 + 1))
            .collect();
        let folded = |v: &Vec<String>| v.iter().map(|s| fold(s)).collect();
        Labels {
            roles,
            contained,
            levels,
            group: folded(&spec.group_labels),
            subtotal: folded(&spec.subtotal_labels),
            total: folded(&spec.total_labels),
            notes: folded(&spec.note_prefixes),
            lead_markers: folded(&spec.lead_markers),
            cooperating_markers: folded(&spec.cooperating_markers),
            first_words: folded(&spec.first_words),
            all_units_prefixes: spec.all_units_prefixes.clone(),
            units_intro: spec.units_intro.clone(),
        }
    }

    /// The role a header label names: exactly, or a known label with a word or two more
    /// (`主要责任单位`); `None` for a text the spec does not know.
    pub fn role(&self, text: &str) -> Option<Role> {
        let key = label_key(text);
        if key.is_empty() || key.chars().count() > MAX_LABEL_CHARS {
            return None;
        }
        if let Some(role) = self.roles.get(&key) {
            return Some(*role);
        }
        if key.chars().count() > 12 || TEXT_ENDINGS.iter().any(|e| key.ends_with(e)) {
            return None;
        }
        self.contained
            .iter()
            .find(|(label, _)| {
                key.contains(label.as_str()) && key.chars().count() - label.chars().count() <= 3
            })
            .map(|(_, role)| *role)
    }

    /// The level of an indicator label: 1 for 一级指标, 3 for 三级指标.
    pub fn level(&self, text: &str) -> Option<u32> {
        self.levels.get(&label_key(text)).copied()
    }

    pub fn is_group_label(&self, text: &str) -> bool {
        self.group.contains(&fold(text))
    }

    /// Whether `text` is a header label of any kind (a role or a grouping label).
    pub fn is_label(&self, text: &str) -> bool {
        self.is_group_label(text) || self.role(text).is_some()
    }

    /// `Some(Total)` for 绩效目标考评得分, `Some(Subtotal)` for 合计; a trailing ： is allowed.
    pub fn total_kind(&self, text: &str) -> Option<TotalKind> {
        let folded = fold(text);
        let folded = folded.trim_end_matches([':', '：']);
        if self.total.iter().any(|t| t == folded) {
            Some(TotalKind::Total)
        } else if self.subtotal.iter().any(|t| t == folded) {
            Some(TotalKind::Subtotal)
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

    /// A note saying the first department listed leads (`注：排在第一位的为牵头单位`).
    pub fn says_first_leads(&self, note: &str) -> bool {
        let folded = fold(note);
        self.first_words.iter().any(|w| folded.contains(w.as_str()))
            && self
                .lead_markers
                .iter()
                .any(|w| folded.contains(w.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;

    fn labels() -> Labels {
        Labels::new(&Spec::builtin().master)
    }

    #[test]
    fn labels_match_through_spaces_width_and_units() {
        let l = labels();
        assert_eq!(l.role("权 重"), Some(Role::Weight));
        assert_eq!(l.role("权重（%）"), Some(Role::Weight));
        assert_eq!(l.role("分值(分)"), Some(Role::Weight));
        assert_eq!(l.role("责任部门 "), Some(Role::Departments));
        assert_eq!(l.role("牵头单位"), Some(Role::Lead));
        assert_eq!(l.role("配合单位"), Some(Role::Cooperating));
        assert_eq!(l.role("主要责任单位"), Some(Role::Departments));
        assert_eq!(l.role("具体措施"), Some(Role::Task));
        assert_eq!(l.role("自评得分"), Some(Role::Ignored));
        assert_eq!(l.role("Owner"), Some(Role::Departments));
        assert_eq!(l.role("分值说明"), None);
        assert_eq!(l.role("评分标准"), Some(Role::Text));
        assert_eq!(l.level("三级指标"), Some(3));
        assert_eq!(l.total_kind("合  计"), Some(TotalKind::Subtotal));
        assert_eq!(l.total_kind("绩效目标考评得分"), Some(TotalKind::Total));
        assert!(l.is_note("注：本表由办公室负责解释"));
        assert!(l.is_note("说明: x"));
        assert!(!l.is_note("注重实效"));
        assert!(l.says_first_leads("注：排在第一位的为牵头单位。"));
        assert!(!l.says_first_leads("注：本表由办公室解释。"));
    }
}
